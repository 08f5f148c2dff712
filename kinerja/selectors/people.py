"""People reads: lists, superiors/subordinates, roles and who may act as Pejabat Penilai."""

from django.db.models import Q, QuerySet
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from kinerja.models import (
    DelegasiPenilai,
    Instansi,
    Pegawai,
    Penempatan,
    PeranInstansi,
    Role,
    UnitKerja,
    User,
)
from kinerja.tenancy import pegawai_of

PERM_NILAI = "kinerja.nilai_pegawai"


def pegawai_list(
    *, instansi: Instansi, q: str = "", unit: UnitKerja | None = None, include_subunits: bool = True
) -> QuerySet[Pegawai]:
    """Pegawai of the instansi for list pages: search by name or NIP, optional unit subtree.

    Query shape is fixed (select_related) so a page costs the same for 3 or 300 rows.
    """
    qs = Pegawai.objects.filter(instansi=instansi).select_related("unit_kerja", "jabatan", "atasan")
    if q:
        q = q.strip()
        qs = qs.filter(nip__startswith=q) if q.isdigit() else qs.filter(nama__icontains=q)
    if unit is not None:
        if include_subunits:
            qs = qs.filter(unit_kerja__path__startswith=unit.path)
        else:
            qs = qs.filter(unit_kerja=unit)
    return qs.order_by("nama", "id")


def pegawai_bawahan(*, atasan: Pegawai) -> QuerySet[Pegawai]:
    """Direct subordinates of ``atasan``."""
    return (
        Pegawai.objects.filter(instansi_id=atasan.instansi_id, atasan=atasan, aktif=True)
        .select_related("unit_kerja", "jabatan")
        .order_by("nama", "id")
    )


def pegawai_dinilai_oleh(*, user: User, instansi: Instansi) -> QuerySet[Pegawai]:
    """Everyone ``user`` may appraise: direct subordinates plus those delegated (guardian perms)."""
    own = pegawai_of(user)
    base = Pegawai.objects.filter(instansi=instansi, aktif=True)
    delegated = get_objects_for_user(user, PERM_NILAI, klass=base, accept_global_perms=False)
    direct = Q(atasan=own) if own is not None and own.instansi_id == instansi.pk else Q(pk__in=[])
    return (
        base.filter(direct | Q(pk__in=delegated.values("pk")))
        .select_related("unit_kerja", "jabatan")
        .order_by("nama", "id")
    )


def can_nilai(*, user: User, pegawai: Pegawai) -> bool:
    """True if ``user`` is the direct superior of ``pegawai`` or holds a current delegation for them."""
    own = pegawai_of(user)
    if own is not None and pegawai.atasan_id == own.pk:
        return True
    return user.has_perm(PERM_NILAI, pegawai)


def delegasi_aktif(*, instansi: Instansi, pemberi: Pegawai | None = None) -> QuerySet[DelegasiPenilai]:
    today = timezone.localdate()
    qs = DelegasiPenilai.objects.filter(
        instansi=instansi, dicabut=False, mulai__lte=today, selesai__gte=today
    ).select_related("pemberi", "penerima")
    if pemberi is not None:
        qs = qs.filter(pemberi=pemberi)
    return qs


def roles_of(*, user: User, instansi: Instansi | None) -> list[str]:
    """The roles of ``user`` in ``instansi``: derived (pegawai, pejabat_penilai) plus granted ones."""
    roles: list[str] = []
    own = pegawai_of(user)
    if instansi is not None:
        if own is not None and own.instansi_id == instansi.pk:
            roles.append(Role.PEGAWAI.value)
            today = timezone.localdate()
            has_bawahan = Pegawai.objects.filter(instansi=instansi, atasan=own, aktif=True)
            has_delegasi = DelegasiPenilai.objects.filter(
                instansi=instansi, penerima=own, dicabut=False, mulai__lte=today, selesai__gte=today
            )
            if has_bawahan.exists() or has_delegasi.exists():
                roles.append(Role.PEJABAT_PENILAI.value)
        granted = PeranInstansi.objects.filter(instansi=instansi, user=user).values_list("role", flat=True)
        roles.extend(sorted(granted))
    if user.is_platform_admin:
        roles.append(Role.PLATFORM_ADMIN.value)
    return roles


def penempatan_list(*, pegawai: Pegawai) -> QuerySet[Penempatan]:
    return (
        Penempatan.objects.filter(instansi_id=pegawai.instansi_id, pegawai=pegawai)
        .select_related("unit_kerja", "jabatan", "atasan")
        .order_by("-mulai", "-id")
    )


__all__ = [
    "PERM_NILAI",
    "can_nilai",
    "delegasi_aktif",
    "pegawai_bawahan",
    "pegawai_dinilai_oleh",
    "pegawai_list",
    "penempatan_list",
    "roles_of",
]
