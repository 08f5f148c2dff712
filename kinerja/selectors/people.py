"""People reads: lists, superiors/subordinates, roles and who may act as Pejabat Penilai."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from kinerja.models import (
    DelegasiPenilai,
    Instansi,
    Pegawai,
    PejabatNonAsn,
    Penempatan,
    PeranInstansi,
    Role,
    UnitKerja,
    User,
)
from kinerja.tenancy import non_asn_of, pegawai_of
from kinerja.validators import format_nip

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
            # the subtree's units as a sub-select filtered by instansi, so PostgreSQL walks the (instansi_id,
            # path) index of the units and then the (instansi_id, unit_kerja_id) index of the pegawai; a JOIN
            # on ``unit_kerja__path`` read every unit of every instansi (27 ms at 1M, now < 1 ms)
            subtree = UnitKerja.objects.filter(instansi=instansi, path__startswith=unit.path).values("pk")
            qs = qs.filter(unit_kerja_id__in=subtree)
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


def _delegated_ids(*, user: User) -> list[int]:
    """Pegawai ids on which ``user`` holds the delegated-appraisal permission (one small guardian query)."""
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import UserObjectPermission

    rows = UserObjectPermission.objects.filter(
        user=user,
        permission__codename="nilai_pegawai",
        content_type=ContentType.objects.get_for_model(Pegawai),
    ).values_list("object_pk", flat=True)
    return [int(pk) for pk in rows]


def non_asn_in(*, user: User, instansi: Instansi | None) -> PejabatNonAsn | None:
    """The user's Pejabat Penilai non-ASN row when it is bound to ``instansi`` (no query once loaded)."""
    official = non_asn_of(user)
    if official is None or instansi is None or official.instansi_id != instansi.pk:
        return None
    return official


def _dinilai_cond(*, user: User, instansi: Instansi) -> Q:
    own = pegawai_of(user)
    official = non_asn_in(user=user, instansi=instansi)
    if official is not None:
        # a non-ASN official holds no delegations (those go to pegawai): no guardian query
        return Q(penilai_non_asn=official)
    cond = Q(pk__in=_delegated_ids(user=user))
    if own is not None and own.instansi_id == instansi.pk:
        cond |= Q(atasan=own)
    return cond


def pegawai_dinilai_oleh(*, user: User, instansi: Instansi) -> QuerySet[Pegawai]:
    """Everyone ``user`` may appraise: direct subordinates plus those delegated (guardian perms).

    The delegated ids are resolved first, so PostgreSQL answers with a BitmapOr of the atasan index
    and the primary key instead of scanning the whole instansi (docs/performance.md)."""
    return (
        Pegawai.objects.filter(instansi=instansi, aktif=True)
        .filter(_dinilai_cond(user=user, instansi=instansi))
        .select_related("unit_kerja", "jabatan")
        .order_by("nama", "id")
    )


def pegawai_dinilai_ids(*, user: User, instansi: Instansi) -> list[int]:
    """Ids of ``pegawai_dinilai_oleh`` as a list, for ``pegawai_id__in=`` filters on big tables
    (a literal list keeps those filters on indexes; a subquery inside an OR does not)."""
    return list(
        Pegawai.objects.filter(instansi=instansi, aktif=True)
        .filter(_dinilai_cond(user=user, instansi=instansi))
        .values_list("pk", flat=True)
    )


def can_nilai(*, user: User, pegawai: Pegawai) -> bool:
    """True if ``user`` is the direct superior of ``pegawai`` or holds a current delegation for them."""
    own = pegawai_of(user)
    if own is not None and pegawai.atasan_id == own.pk:
        return True
    official = non_asn_of(user)
    if official is not None:
        return pegawai.penilai_non_asn_id == official.pk and official.instansi_id == pegawai.instansi_id
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
        official = non_asn_in(user=user, instansi=instansi)
        if official is not None:
            # a non-ASN official is a Pejabat Penilai (never a pegawai) of the instansi it is bound to,
            # also before its pegawai are listed (its pages then say whom to ask)
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
    "non_asn_in",
    "pegawai_bawahan",
    "pegawai_dinilai_ids",
    "pegawai_dinilai_oleh",
    "pegawai_list",
    "penempatan_list",
    "roles_of",
]


def identitas_pegawai(p: Pegawai | None) -> dict[str, str] | None:
    """The identity shown in an SKP/evaluation header box and frozen in SKP snapshots: name, formatted
    NIP, pangkat, jabatan (and its kind), unit. ``p`` with ``jabatan`` and ``unit_kerja`` loaded."""
    if p is None:
        return None
    return {
        "nama": p.nama,
        "nip": format_nip(p.nip, p.status),
        "pangkat_golongan": p.pangkat_golongan,
        "jabatan": p.jabatan.nama,
        "jenis_jabatan": p.jabatan.jenis,
        "unit_kerja": p.unit_kerja.nama,
    }


def identitas_non_asn(official: PejabatNonAsn | None, *, instansi_nama: str = "") -> dict[str, str] | None:
    """The header-box identity of a non-ASN Pejabat Penilai (issue #16): its nama and jabatan; no NIP and
    no pangkat (printed "-", as the official forms do for a Kepala Daerah or Menteri); the instansi as
    the unit (the form's row 5 "INSTANSI")."""
    if official is None:
        return None
    return {
        "nama": official.nama,
        "nip": "-",
        "pangkat_golongan": "-",
        "jabatan": official.jabatan,
        "jenis_jabatan": "",
        "unit_kerja": instansi_nama,
        "status_penilai": "NON ASN",
    }


def identitas_penilai_of(obj: object, *, instansi_nama: str = "") -> dict[str, str] | None:
    """The Pejabat Penilai identity of an SKP or evaluation: its pegawai penilai (loaded with jabatan and
    unit) or its non-ASN official (``pejabat_penilai_non_asn`` loaded)."""
    if getattr(obj, "pejabat_penilai_id", None) is not None:
        return identitas_pegawai(obj.pejabat_penilai)  # type: ignore[attr-defined]
    if getattr(obj, "pejabat_penilai_non_asn_id", None) is not None:
        return identitas_non_asn(obj.pejabat_penilai_non_asn, instansi_nama=instansi_nama)  # type: ignore[attr-defined]
    return None


def pejabat_non_asn_list(*, instansi: Instansi) -> QuerySet[PejabatNonAsn]:
    """The instansi's non-ASN Pejabat Penilai with their login and how many pegawai each rates (one query)."""
    from django.db.models import Count

    return (
        PejabatNonAsn.objects.filter(instansi=instansi)
        .select_related("user")
        .annotate(jumlah_dinilai=Count("dinilai", distinct=True))
        .order_by("nama", "id")
    )


def pejabat_non_asn_kandidat(
    *, instansi: Instansi, pejabat: PejabatNonAsn | None, batas: int = 200
) -> list[Pegawai]:
    """Pegawai an admin may pick for a non-ASN official to rate: those it rates now, then the top of the
    hierarchy (no atasan: the JPT at the top, heads of units that report to nobody), by name; at most
    ``batas`` (others by NIP in the form). One query."""
    cond = Q(atasan__isnull=True)
    if pejabat is not None:
        cond |= Q(penilai_non_asn=pejabat)
    return list(
        Pegawai.objects.filter(instansi=instansi, aktif=True)
        .filter(cond)
        .select_related("jabatan", "unit_kerja", "penilai_non_asn")
        .order_by("nama", "id")[:batas]
    )
