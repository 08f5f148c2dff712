"""Instansi, periods and granted roles."""

import calendar
import datetime as dt

from django.db import transaction

from kinerja.exceptions import ApplicationError
from kinerja.models import Instansi, PeranInstansi, Periode, Role, Siklus, User
from kinerja.models.tenancy import BULAN_PER_PERIODE, GRANTABLE_ROLES, JenisInstansi
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
    """(nomor, first day, last day) of each period of the year: 12 months, 4 quarters or 2 semesters
    (Jan-Jun, Jul-Dec), from ``BULAN_PER_PERIODE`` (domain.md "Periodic cycle options")."""
    step = BULAN_PER_PERIODE[siklus]
    bounds = []
    for nomor, start_month in enumerate(range(1, 13, step), start=1):
        end_month = start_month + step - 1
        bounds.append(
            (
                nomor,
                dt.date(tahun, start_month, 1),
                dt.date(tahun, end_month, calendar.monthrange(tahun, end_month)[1]),
            )
        )
    return bounds


def semester_bounds(tahun: int) -> list[tuple[int, dt.date, dt.date]]:
    """The two semesters of a year, (1, 1 Jan, 30 Jun) and (2, 1 Jul, 31 Dec): the unit of the monitoring
    check (PP30 via S001 "Pemantauan ... paling sedikit 1 kali dalam 1 semester"), whatever the cycle."""
    return _periode_bounds(tahun, Siklus.SEMESTERAN)


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
