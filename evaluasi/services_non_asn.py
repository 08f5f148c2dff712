"""Pejabat Penilai non-ASN (issue #16, domain.md §2.1): the one write path of the command
``add_pejabat_non_asn`` and the admin pages. It lives in the top app because it moves the Pejabat
Penilai on SKPs (skp) and evaluations (evaluasi) along with the login and the pegawai links (kinerja)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from evaluasi.models import Evaluasi, StatusEvaluasi
from kinerja.models import Instansi, PejabatNonAsn, User
from kinerja.services.audit import audit_log
from kinerja.services.people import NonAsnHasil, pejabat_non_asn_simpan
from skp.services import skp_penilai_non_asn_alihkan


@transaction.atomic
def pejabat_non_asn_tetapkan(
    *,
    actor: User | None,
    instansi: Instansi,
    username: str,
    nama: str,
    jabatan: str,
    password: str | None = None,
    menilai: list[str] | None = None,
    pejabat: PejabatNonAsn | None = None,
) -> NonAsnHasil:
    """Create or update the official (``pejabat_non_asn_simpan``) and make it the Pejabat Penilai of the
    listed pegawai from then on: their SKPs in planning or still running and those SKPs' evaluations not
    final yet name it (``skp_penilai_non_asn_alihkan``); final evaluations and approval snapshots never
    change. Pegawai taken off the list lose it on what is not approved or final yet. One transaction;
    every step audited."""
    hasil = pejabat_non_asn_simpan(
        actor=actor,
        instansi=instansi,
        username=username,
        nama=nama,
        jabatan=jabatan,
        password=password,
        menilai=menilai,
        pejabat=pejabat,
    )
    official = hasil.pejabat
    skp_ids = skp_penilai_non_asn_alihkan(
        actor=actor, pejabat=official, ditambah=hasil.ditambah, dilepas=hasil.dilepas
    )
    now = timezone.now()
    if skp_ids:
        n = (
            Evaluasi.objects.filter(instansi=instansi, skp_id__in=skp_ids)
            .exclude(status=StatusEvaluasi.FINAL)
            .update(pejabat_penilai=None, pejabat_penilai_non_asn=official, updated_at=now)
        )
        if n:
            audit_log(
                actor=actor,
                instansi=instansi,
                action="evaluasi.penilai_non_asn",
                obj=official,
                after={"skp": skp_ids, "evaluasi_diubah": n},
            )
    if hasil.dilepas:
        Evaluasi.objects.filter(
            instansi=instansi,
            pegawai_id__in=hasil.dilepas,
            pejabat_penilai_non_asn=official,
            status=StatusEvaluasi.BELUM_DINILAI,
        ).update(pejabat_penilai_non_asn=None, updated_at=now)
    return hasil
