"""Instansi, periods and granted roles."""

import calendar
import datetime as dt

from django.db import transaction

from kinerja.exceptions import ApplicationError
from kinerja.models import Instansi, PeranInstansi, Periode, Role, Siklus, User
from kinerja.models.tenancy import GRANTABLE_ROLES, JenisInstansi
from kinerja.services.audit import audit_log
from kinerja.tenancy import pegawai_of


@transaction.atomic
def instansi_get_or_create(
    *,
    kode: str,
    nama: str | None = None,
    actor: User | None = None,
    jenis: str = JenisInstansi.DAERAH,
    tempat: str = "",
    siklus: str = Siklus.TRIWULANAN,
) -> tuple[Instansi, bool]:
    """Find the instansi by ``kode`` or create it (audited). The other fields apply only on creation."""
    kode = kode.strip().upper()
    if not kode:
        raise ApplicationError("Kode instansi wajib diisi.", errors={"kode": ["Wajib diisi."]})
    instansi, created = Instansi.objects.get_or_create(
        kode=kode, defaults={"nama": nama or kode, "jenis": jenis, "tempat": tempat, "siklus": siklus}
    )
    if created:
        audit_log(actor=actor, instansi=instansi, action="instansi.buat", obj=instansi, after={"kode": kode})
    return instansi, created


def _periode_bounds(tahun: int, siklus: str) -> list[tuple[int, dt.date, dt.date]]:
    if siklus == Siklus.BULANAN:
        return [
            (m, dt.date(tahun, m, 1), dt.date(tahun, m, calendar.monthrange(tahun, m)[1]))
            for m in range(1, 13)
        ]
    quarters = []
    for q in range(1, 5):
        start_month = 3 * (q - 1) + 1
        end_month = start_month + 2
        quarters.append(
            (
                q,
                dt.date(tahun, start_month, 1),
                dt.date(tahun, end_month, calendar.monthrange(tahun, end_month)[1]),
            )
        )
    return quarters


@transaction.atomic
def periode_ensure_year(*, instansi: Instansi, tahun: int) -> list[Periode]:
    """Create the year's periods for the instansi's cycle if missing (idempotent)."""
    if not 2000 <= tahun <= 2100:
        raise ApplicationError("Tahun tidak valid.", errors={"tahun": ["Tahun harus antara 2000 dan 2100."]})
    rows = [
        Periode(instansi=instansi, tahun=tahun, nomor=n, siklus=instansi.siklus, mulai=a, selesai=b)
        for n, a, b in _periode_bounds(tahun, instansi.siklus)
    ]
    Periode.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Periode.objects.filter(instansi=instansi, tahun=tahun, siklus=instansi.siklus).order_by("nomor")
    )


@transaction.atomic
def role_grant(*, actor: User | None, user: User, role: str, instansi: Instansi | None) -> bool:
    """Grant ``admin_instansi``/``hr_viewer`` in an instansi, or ``platform_admin`` (no instansi).

    Returns False if the user already had it. Audited.
    """
    if role == Role.PLATFORM_ADMIN:
        if user.is_platform_admin:
            return False
        user.is_platform_admin = True
        user.save(update_fields=["is_platform_admin"])
        audit_log(actor=actor, instansi=None, action="peran.beri", obj=user, after={"role": role})
        return True
    if role not in GRANTABLE_ROLES:
        raise ApplicationError(f"Peran tidak dikenal atau tidak dapat diberikan: {role}.")
    if instansi is None:
        raise ApplicationError("Peran ini memerlukan instansi.")
    own = pegawai_of(user)
    if own is None or own.instansi_id != instansi.pk:
        # A role only takes effect in the instansi the user works in (TenantMiddleware).
        raise ApplicationError(f"{user.nip} bukan pegawai instansi {instansi.kode}.")
    _, created = PeranInstansi.objects.get_or_create(instansi=instansi, user=user, role=role)
    if created:
        audit_log(actor=actor, instansi=instansi, action="peran.beri", obj=user, after={"role": role})
    return created


@transaction.atomic
def role_revoke(*, actor: User | None, user: User, role: str, instansi: Instansi | None) -> bool:
    """Take a granted role back. Returns False if the user did not have it. Audited."""
    if role == Role.PLATFORM_ADMIN:
        if not user.is_platform_admin:
            return False
        user.is_platform_admin = False
        user.save(update_fields=["is_platform_admin"])
        audit_log(actor=actor, instansi=None, action="peran.cabut", obj=user, before={"role": role})
        return True
    if role not in GRANTABLE_ROLES:
        raise ApplicationError(f"Peran tidak dikenal atau tidak dapat dicabut: {role}.")
    if instansi is None:
        raise ApplicationError("Peran ini memerlukan instansi.")
    deleted, _ = PeranInstansi.objects.filter(instansi=instansi, user=user, role=role).delete()
    if deleted:
        audit_log(actor=actor, instansi=instansi, action="peran.cabut", obj=user, before={"role": role})
    return bool(deleted)
