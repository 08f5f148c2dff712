"""Perjanjian Kinerja reads with fixed query shapes (tests pin the counts)."""

from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from kinerja.access import id_or_404
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import Instansi, Pegawai, Role, UnitKerja, User
from kinerja.models.org import JenisJabatan
from kinerja.tenancy import pegawai_of
from perjanjian.models import IndikatorKinerjaUtama, PerjanjianKinerja, SasaranStrategis

#: Structural positions that can head a unit (the rule ``evaluasi.selectors.unit_pimpinan`` uses too).
JABATAN_STRUKTURAL = (
    JenisJabatan.JPT_UTAMA,
    JenisJabatan.JPT_MADYA,
    JenisJabatan.JPT_PRATAMA,
    JenisJabatan.ADMINISTRATOR,
    JenisJabatan.PENGAWAS,
)
ROLES_PENGELOLA = (Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN)


def unit_pimpinan_ids(*, instansi: Instansi, unit_ids: list[int] | None = None) -> dict[int, int]:
    """Head of each unit (unit id → pegawai id) in one query: the active structural official in the
    unit whose superior sits outside it (or who has none); the lowest id when several qualify."""
    qs = (
        Pegawai.objects.filter(instansi=instansi, aktif=True, jabatan__jenis__in=JABATAN_STRUKTURAL)
        .filter(Q(atasan__isnull=True) | ~Q(atasan__unit_kerja_id=F("unit_kerja_id")))
        .order_by("unit_kerja_id", "id")
    )
    if unit_ids is not None:
        qs = qs.filter(unit_kerja_id__in=unit_ids)
    out: dict[int, int] = {}
    for unit_id, pegawai_id in qs.values_list("unit_kerja_id", "id"):
        out.setdefault(unit_id, pegawai_id)
    return out


def pk_boleh_ubah(*, user: User, roles: list[str], unit: UnitKerja) -> bool:
    """admin_instansi (or the platform admin acting in the instansi), or the unit's leader."""
    if set(roles) & set(ROLES_PENGELOLA):
        return True
    own = pegawai_of(user)
    if own is None or own.instansi_id != unit.instansi_id or own.unit_kerja_id != unit.pk:
        return False
    return unit_pimpinan_ids(instansi=unit.instansi, unit_ids=[unit.pk]).get(unit.pk) == own.pk


def pk_unit_dipimpin(*, user: User) -> UnitKerja | None:
    """The unit the user heads (None when they head none)."""
    own = pegawai_of(user)
    if own is None:
        return None
    heads = unit_pimpinan_ids(instansi=own.instansi, unit_ids=[own.unit_kerja_id])
    return own.unit_kerja if heads.get(own.unit_kerja_id) == own.pk else None


def _isi() -> list[Prefetch]:
    return [
        Prefetch(
            "sasaran",
            queryset=SasaranStrategis.objects.order_by("urutan", "id").prefetch_related(
                Prefetch("indikator", queryset=IndikatorKinerjaUtama.objects.order_by("urutan", "id"))
            ),
        )
    ]


def pk_list(
    *, instansi: Instansi, tahun: int | None = None, unit_kerja_id: int | None = None, isi: bool = True
) -> QuerySet[PerjanjianKinerja]:
    """The PK in force (active version) per unit and year; with ``isi`` sasaran and indikator are
    prefetched (three queries whatever the number of PK)."""
    qs = (
        PerjanjianKinerja.objects.filter(instansi=instansi, aktif=True)
        .select_related("unit_kerja")
        .order_by("-tahun", "unit_kerja__path", "id")
    )
    if tahun is not None:
        qs = qs.filter(tahun=tahun)
    if unit_kerja_id is not None:
        qs = qs.filter(unit_kerja_id=unit_kerja_id)
    return qs.prefetch_related(*_isi()) if isi else qs


def pk_versi(*, instansi: Instansi, unit_kerja_id: int, tahun: int) -> QuerySet[PerjanjianKinerja]:
    """Every version of one unit's PK of a year, newest first (the revision history)."""
    return (
        PerjanjianKinerja.objects.filter(instansi=instansi, unit_kerja_id=unit_kerja_id, tahun=tahun)
        .select_related("dibuat_oleh")
        .order_by("-versi")
    )


def pk_access(*, instansi: Instansi, pk_id: object) -> PerjanjianKinerja:
    """One PK version (any version: old ones stay readable) with its content; 404 when missing or of
    another instansi."""
    obj = (
        PerjanjianKinerja.objects.filter(instansi=instansi, pk=id_or_404(pk_id))
        .select_related("unit_kerja", "dibuat_oleh")
        .prefetch_related(*_isi())
        .first()
    )
    if obj is None:
        raise NotFoundOrForbidden()
    return obj


def iku_untuk_skp(*, instansi_id: int, unit_kerja_id: int, tahun: int) -> QuerySet[IndikatorKinerjaUtama]:
    """The indikator an SKP's result may derive from: those of the PK in force of the owner's unit for
    the SKP's year."""
    return (
        IndikatorKinerjaUtama.objects.filter(
            instansi_id=instansi_id,
            perjanjian__unit_kerja_id=unit_kerja_id,
            perjanjian__tahun=tahun,
            perjanjian__aktif=True,
        )
        .select_related("sasaran")
        .order_by("sasaran__urutan", "sasaran_id", "urutan", "id")
    )


def pk_cakupan(
    *, instansi: Instansi, tahun: int, pendukung: list[tuple[Any, Any]], unit_ids: set[int] | None = None
) -> dict[str, Any]:
    """The PK layer of the pohon kinerja: the PKs in force of ``tahun`` (``unit_ids``: only those units),
    each indikator with the results (``pendukung``: (node, rhk) pairs from the tree) that derive from it,
    and the gaps: indikator and whole sasaran nobody supports. Three queries (PK, sasaran, indikator)."""
    qs = pk_list(instansi=instansi, tahun=tahun)
    if unit_ids is not None:
        qs = qs.filter(unit_kerja_id__in=list(unit_ids))
    per_iku: dict[int, list[tuple[Any, Any]]] = {}
    for node, r in pendukung:
        if r.indikator_pk_id:
            per_iku.setdefault(r.indikator_pk_id, []).append((node, r))
    daftar = list(qs)
    iku_kosong: list[tuple[PerjanjianKinerja, IndikatorKinerjaUtama]] = []
    sasaran_kosong: list[tuple[PerjanjianKinerja, SasaranStrategis]] = []
    jumlah_iku = 0
    for pk in daftar:
        for s in pk.sasaran.all():
            didukung_s = 0
            for i in s.indikator.all():
                jumlah_iku += 1
                i.pendukung = per_iku.get(i.pk, [])  # type: ignore[attr-defined]
                if i.pendukung:  # type: ignore[attr-defined]
                    didukung_s += 1
                else:
                    iku_kosong.append((pk, i))
            s.didukung = didukung_s  # type: ignore[attr-defined]
            if not didukung_s:
                sasaran_kosong.append((pk, s))
    return {
        "perjanjian": daftar,
        "iku_kosong": iku_kosong,
        "sasaran_kosong": sasaran_kosong,
        "jumlah_iku": jumlah_iku,
        "jumlah_iku_didukung": jumlah_iku - len(iku_kosong),
    }
