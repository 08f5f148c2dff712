"""Tim kerja reads with fixed query shapes (tests pin the counts)."""

from django.db.models import Prefetch, Q, QuerySet

from kinerja.models import AnggotaTim, Instansi, Pegawai, Role, TimKerja, User
from kinerja.tenancy import pegawai_of

#: Who sees every team of the instansi.
ROLES_LIHAT_SEMUA = {Role.ADMIN_INSTANSI, Role.HR_VIEWER, Role.PLATFORM_ADMIN}
#: Who may create a team (besides a Pejabat Penilai, see ``tim_boleh_buat``) and manage any team.
ROLES_KELOLA = {Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN}


def tim_boleh_buat(*, roles: list[str]) -> bool:
    """An admin of the instansi or a Pejabat Penilai creates teams (domain.md "Tim kerja")."""
    return bool((ROLES_KELOLA | {Role.PEJABAT_PENILAI}) & set(roles))


def tim_boleh_kelola(*, user: User, tim: TimKerja, roles: list[str]) -> bool:
    """Rename, change the ketua, add or remove anggota: an admin, or whoever created the team."""
    return bool(ROLES_KELOLA & set(roles)) or (
        tim.dibuat_oleh_id is not None and tim.dibuat_oleh_id == user.pk
    )


def tim_visible_to(*, user: User, instansi: Instansi, roles: list[str]) -> QuerySet[TimKerja]:
    """Every team for admin/HR; for others the teams they lead, belong (or belonged) to, or created."""
    qs = TimKerja.objects.filter(instansi=instansi)
    if ROLES_LIHAT_SEMUA & set(roles):
        return qs
    own = pegawai_of(user)
    cond = Q(dibuat_oleh=user)
    if own is not None and own.instansi_id == instansi.pk:
        anggota_dari = AnggotaTim.objects.filter(instansi=instansi, pegawai=own).values("tim_id")
        cond |= Q(ketua=own) | Q(pk__in=anggota_dari)
    return qs.filter(cond)


def _anggota_aktif() -> Prefetch:
    return Prefetch(
        "keanggotaan",
        queryset=AnggotaTim.objects.filter(selesai__isnull=True)
        .select_related("pegawai__unit_kerja", "pegawai__jabatan")
        .order_by("pegawai__nama", "id"),
        to_attr="anggota_aktif",
    )


def tim_list(
    *, user: User, instansi: Instansi, roles: list[str], tahun: int | None = None
) -> QuerySet[TimKerja]:
    """Visible teams (optionally of one year) with the ketua and the current anggota: three queries."""
    qs = tim_visible_to(user=user, instansi=instansi, roles=roles)
    if tahun is not None:
        qs = qs.filter(tahun=tahun)
    return (
        qs.select_related("ketua__unit_kerja", "ketua__jabatan")
        .prefetch_related(_anggota_aktif())
        .order_by("-tahun", "nama", "id")
    )


def tim_detail_queryset(*, instansi: Instansi) -> QuerySet[TimKerja]:
    """A team with its ketua, current anggota and the whole membership history (history newest first)."""
    return (
        TimKerja.objects.filter(instansi=instansi)
        .select_related("ketua__unit_kerja", "ketua__jabatan", "dibuat_oleh")
        .prefetch_related(
            _anggota_aktif(),
            Prefetch(
                "keanggotaan",
                queryset=AnggotaTim.objects.select_related("pegawai__unit_kerja").order_by("-mulai", "-id"),
                to_attr="riwayat_anggota",
            ),
        )
    )


def tim_of_anggota(*, pegawai: Pegawai, tahun: int) -> QuerySet[TimKerja]:
    """Teams of ``tahun`` in which ``pegawai`` is a current anggota (whose ketua's results they may
    cascade from), with the ketua."""
    return (
        TimKerja.objects.filter(
            instansi_id=pegawai.instansi_id,
            tahun=tahun,
            keanggotaan__pegawai=pegawai,
            keanggotaan__selesai__isnull=True,
        )
        .exclude(ketua=pegawai)
        .select_related("ketua")
        .order_by("nama", "id")
        .distinct()
    )


def tim_ketua_of(*, ketua: Pegawai, pegawai: Pegawai, tahun: int | None = None) -> QuerySet[TimKerja]:
    """Teams led by ``ketua`` in which ``pegawai`` is a current anggota (optionally of one year)."""
    qs = TimKerja.objects.filter(
        instansi_id=ketua.instansi_id,
        ketua=ketua,
        keanggotaan__pegawai=pegawai,
        keanggotaan__selesai__isnull=True,
    )
    if tahun is not None:
        qs = qs.filter(tahun=tahun)
    return qs.distinct()


def tim_dipimpin(*, ketua_id: int, instansi_id: int, tahun: int) -> QuerySet[TimKerja]:
    """Teams of ``tahun`` led by this pegawai (links to their Matriks Peran Hasil)."""
    return TimKerja.objects.filter(instansi_id=instansi_id, ketua_id=ketua_id, tahun=tahun).order_by(
        "nama", "id"
    )


def anggota_aktif_ids(*, tim: TimKerja) -> list[int]:
    return list(
        AnggotaTim.objects.filter(instansi_id=tim.instansi_id, tim=tim, selesai__isnull=True)
        .order_by("pegawai_id")
        .values_list("pegawai_id", flat=True)
    )


__all__ = [
    "anggota_aktif_ids",
    "tim_boleh_buat",
    "tim_boleh_kelola",
    "tim_detail_queryset",
    "tim_dipimpin",
    "tim_ketua_of",
    "tim_list",
    "tim_of_anggota",
    "tim_visible_to",
]
