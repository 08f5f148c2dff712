"""SKP side of an accepted assignment (``dialog.Penugasan``): the result it becomes in the pegawai's SKP.

Owned by the dialog work; lives in ``skp`` because it writes SKP rows (apps write only their own models).
The link back to the assignment is stored on ``dialog.Penugasan.rhk``; the result itself carries the
assigning official in ``Rhk.penugasan_dari`` ("Jabatan Pimpinan/Tim Kerja yang memberikan penugasan",
domain.md §2.2, §4.3).
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden
from kinerja.models import User
from kinerja.services.audit import audit_log
from skp.models import JenisRhk, Rhk, Skp, SkpStatus
from skp.services import MAX_TEXT, IndikatorInput, _replace_indikator, _validate_indikator, is_penilai_of
from skp.transitions import skp_lock


@transaction.atomic
def skp_rhk_add_from_penugasan(
    *,
    actor: User,
    skp: Skp,
    rencana_hasil_kerja: str,
    indikator: list[IndikatorInput],
    penugasan_dari: str,
    jenis: str = JenisRhk.TAMBAHAN,
) -> Rhk:
    """The Pejabat Penilai, accepting an assignment, adds it as a result of the pegawai's SKP.

    Unlike ``skp_rhk_add`` this also works on an SKP that is ``diajukan`` or ``disetujui``: the SKP is a
    dynamic document and an accepted assignment is a new expectation (domain.md §3). The approved PDF is
    not re-rendered; the result shows in the SKP with ``penugasan_dari``. Bumps ``versi``; audited."""
    if not is_penilai_of(actor=actor, skp=skp):
        raise NotFoundOrForbidden()
    locked = skp_lock(skp_id=skp.pk)
    if locked.status == SkpStatus.DIGANTI:
        raise InvalidTransition(_("SKP ini sudah diganti versi baru."))
    errors: dict[str, list[str]] = {}
    text = (rencana_hasil_kerja or "").strip()
    if not text:
        errors["rencana_hasil_kerja"] = [_("Hasil kerja penugasan wajib diisi.")]
    elif len(text) > MAX_TEXT:
        errors["rencana_hasil_kerja"] = [_("Paling banyak %(n)d karakter.") % {"n": MAX_TEXT}]
    if jenis not in JenisRhk.values:
        errors["jenis"] = [_("Pilih jenis: utama atau tambahan.")]
    errors.update(_validate_indikator(indikator, locked.pendekatan))
    if errors:
        raise ApplicationError(_("Hasil kerja penugasan tidak valid."), errors=errors)
    Skp.objects.filter(pk=locked.pk).update(versi=F("versi") + 1, updated_at=timezone.now())
    urutan = Rhk.objects.filter(instansi_id=locked.instansi_id, skp=locked, jenis=jenis).count() + 1
    rhk = Rhk.objects.create(
        instansi_id=locked.instansi_id,
        skp=locked,
        jenis=jenis,
        rencana_hasil_kerja=text,
        penugasan_dari=penugasan_dari.strip()[:255],
        urutan=urutan,
        # added to an approved SKP: frozen like its other rows (no leader result, issue #14)
        rhk_pimpinan_teks="" if locked.status == SkpStatus.DISETUJUI else None,
        tim_kerja_teks="" if locked.status == SkpStatus.DISETUJUI else None,
    )
    _replace_indikator(rhk=rhk, indikator=indikator)
    audit_log(
        actor=actor,
        instansi=locked.instansi_id,
        action="skp.rhk_penugasan",
        obj=rhk,
        after={
            "skp": locked.pk,
            "jenis": jenis,
            "penugasan_dari": rhk.penugasan_dari,
            "status_skp": locked.status,
        },
    )
    return rhk


__all__ = ["skp_rhk_add_from_penugasan"]
