"""Delegation of Pejabat Penilai authority (Plt/Plh) as guardian object permissions.

The grant covers the delegator's direct subordinates at the moment of granting; ``delegasi_sync``
(run hourly by beat, idempotent) grants when a range starts and revokes when it ends.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from kinerja.exceptions import ApplicationError
from kinerja.models import DelegasiPenilai, Instansi, Pegawai, User
from kinerja.selectors.people import PERM_NILAI
from kinerja.services.audit import audit_log


def _subordinates(pemberi: Pegawai) -> list[Pegawai]:
    return list(Pegawai.objects.filter(instansi_id=pemberi.instansi_id, atasan=pemberi))


def _grant(delegasi: DelegasiPenilai) -> None:
    targets = _subordinates(delegasi.pemberi)
    if targets:
        objs = Pegawai.objects.filter(pk__in=[p.pk for p in targets])
        assign_perm(PERM_NILAI, delegasi.penerima.user, objs)  # type: ignore[arg-type]  # guardian takes a queryset
    DelegasiPenilai.objects.filter(pk=delegasi.pk).update(berlaku=True)
    delegasi.berlaku = True


def _revoke(delegasi: DelegasiPenilai) -> None:
    """Remove every delegated-appraisal permission the delegate holds in this instansi, then
    re-grant those of their other delegations that are still in force. This also removes grants
    for people who have since moved to another atasan, and overlapping delegations between the
    same pair don't cancel each other."""
    user = delegasi.penerima.user
    held = get_objects_for_user(
        user,
        PERM_NILAI,
        klass=Pegawai.objects.filter(instansi_id=delegasi.instansi_id),
        accept_global_perms=False,
    )
    if held.exists():
        remove_perm(PERM_NILAI, user, held)
    DelegasiPenilai.objects.filter(pk=delegasi.pk).update(berlaku=False)
    delegasi.berlaku = False
    still = (
        DelegasiPenilai.objects.filter(
            instansi_id=delegasi.instansi_id, penerima_id=delegasi.penerima_id, berlaku=True, dicabut=False
        )
        .exclude(pk=delegasi.pk)
        .select_related("pemberi", "penerima__user")
    )
    for other in still:
        _grant(other)


@transaction.atomic
def delegasi_create(
    *,
    actor: User | None,
    instansi: Instansi,
    pemberi: Pegawai,
    penerima: Pegawai,
    jenis: str,
    mulai: dt.date,
    selesai: dt.date,
    keterangan: str = "",
) -> DelegasiPenilai:
    """Record a Plt/Plh delegation and grant the permissions at once if the range is current."""
    errors: dict[str, list[str]] = {}
    if selesai < mulai:
        errors["selesai"] = ["Tanggal selesai tidak boleh sebelum tanggal mulai."]
    if pemberi.pk == penerima.pk:
        errors["penerima"] = ["Penerima delegasi harus pegawai lain."]
    if pemberi.instansi_id != instansi.pk or penerima.instansi_id != instansi.pk:
        errors["penerima"] = ["Pegawai tidak ditemukan."]
    if errors:
        raise ApplicationError("Delegasi tidak valid.", errors=errors)
    delegasi = DelegasiPenilai.objects.create(
        instansi=instansi,
        pemberi=pemberi,
        penerima=penerima,
        jenis=jenis,
        mulai=mulai,
        selesai=selesai,
        keterangan=keterangan,
    )
    today = timezone.localdate()
    if mulai <= today <= selesai:
        _grant(delegasi)
    audit_log(
        actor=actor,
        instansi=instansi,
        action="delegasi.buat",
        obj=delegasi,
        after={
            "pemberi": pemberi.nip,
            "penerima": penerima.nip,
            "jenis": jenis,
            "mulai": str(mulai),
            "selesai": str(selesai),
        },
    )
    return delegasi


@transaction.atomic
def delegasi_revoke(*, actor: User | None, delegasi: DelegasiPenilai) -> DelegasiPenilai:
    """End a delegation early and remove the permissions."""
    # The caller's instance may be stale (e.g. the one delegasi_create returned): read the flag under lock.
    berlaku = (
        DelegasiPenilai.objects.select_for_update().filter(pk=delegasi.pk).values_list("berlaku", flat=True)
    )
    if berlaku.first():
        _revoke(delegasi)
    DelegasiPenilai.objects.filter(pk=delegasi.pk).update(dicabut=True, berlaku=False)
    audit_log(actor=actor, instansi=delegasi.instansi_id, action="delegasi.cabut", obj=delegasi)
    delegasi.refresh_from_db()
    return delegasi


@transaction.atomic
def delegasi_sync(*, instansi: Instansi) -> tuple[int, int]:
    """Grant delegations whose range has started, revoke those ended. Idempotent. Returns (granted, revoked)."""
    today = timezone.localdate()
    base = DelegasiPenilai.objects.filter(instansi=instansi).select_related("pemberi", "penerima__user")
    to_grant = list(base.filter(berlaku=False, dicabut=False, mulai__lte=today, selesai__gte=today))
    to_revoke = list(base.filter(berlaku=True).exclude(mulai__lte=today, selesai__gte=today))
    for d in to_grant:
        _grant(d)
        audit_log(actor=None, instansi=instansi, action="delegasi.berlaku", obj=d)
    for d in to_revoke:
        _revoke(d)
        audit_log(actor=None, instansi=instansi, action="delegasi.berakhir", obj=d)
    return len(to_grant), len(to_revoke)
