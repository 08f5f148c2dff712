"""Evaluation reads with fixed query shapes. The tenant filter is explicit (the manager is the safety net).

Feedback and realisasi come from the ``dialog`` app's selectors, imported lazily (dialog may be absent
or older: then there is no recorded feedback and no realisasi to show).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q, QuerySet

from evaluasi.models import (
    AlasanDeviasi,
    AngkaKredit,
    AturanDistribusi,
    Evaluasi,
    JenisEvaluasi,
    Keberatan,
    KinerjaOrganisasi,
    PengaturanEvaluasi,
    StatusKeberatan,
    TindakLanjut,
)
from evaluasi.scoring import PREDIKAT_ORDER, Peringatan, cek_distribusi, pita_pedoman, syarat_teks
from kinerja.models import Instansi, Pegawai, Periode, Role, UnitKerja, User
from kinerja.models.org import JenisJabatan
from kinerja.selectors.people import can_nilai, pegawai_dinilai_ids
from kinerja.tenancy import pegawai_of
from skp.models import Skp, SkpStatus

ROLES_SEMUA = {Role.ADMIN_INSTANSI, Role.HR_VIEWER, Role.PLATFORM_ADMIN}
ROLES_ADMIN = {Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN}
JABATAN_STRUKTURAL = {
    JenisJabatan.JPT_UTAMA,
    JenisJabatan.JPT_MADYA,
    JenisJabatan.JPT_PRATAMA,
    JenisJabatan.ADMINISTRATOR,
    JenisJabatan.PENGAWAS,
}

# ---------------------------------------------------------------------------------------------- dialog


def _dialog(name: str) -> Callable[..., Any] | None:
    """A ``dialog.selectors`` function, or None while the dialog app does not provide it."""
    try:
        from dialog import selectors as dialog_selectors
    except ImportError:
        return None
    return getattr(dialog_selectors, name, None)


def evaluasi_rentang(*, evaluasi: Evaluasi) -> tuple[dt.date, dt.date]:
    """The dates an evaluation looks at: its period (periodic) or the whole year (annual)."""
    if evaluasi.jenis == JenisEvaluasi.PERIODIK and evaluasi.periode is not None:
        return evaluasi.periode.mulai, evaluasi.periode.selesai
    return dt.date(evaluasi.tahun, 1, 1), dt.date(evaluasi.tahun, 12, 31)


def umpan_balik_jumlah(*, evaluasi: Evaluasi) -> int:
    """Feedback received by the pegawai in the evaluation's period (0 while dialog is unavailable)."""
    fn = _dialog("umpan_balik_counts")
    if fn is None:
        return 0
    mulai, selesai = evaluasi_rentang(evaluasi=evaluasi)
    counts = fn(instansi=evaluasi.instansi, pegawai_ids=[evaluasi.pegawai_id], mulai=mulai, selesai=selesai)
    return int(counts.get(evaluasi.pegawai_id, 0))


def umpan_balik_jumlah_bulk(
    *, instansi: Instansi, pegawai_ids: list[int], mulai: dt.date, selesai: dt.date
) -> dict[int, int]:
    """Feedback counts for many pegawai at once (one call into dialog)."""
    fn = _dialog("umpan_balik_counts")
    if fn is None or not pegawai_ids:
        return {}
    return dict(fn(instansi=instansi, pegawai_ids=pegawai_ids, mulai=mulai, selesai=selesai))


def umpan_balik_evaluasi(*, evaluasi: Evaluasi) -> list[Any]:
    """All feedback of the period for the pegawai (periodic: the period; annual: every period of the year)."""
    fn = _dialog("umpan_balik_for_periode")
    if fn is None:
        return []
    if evaluasi.periode is not None:
        return list(fn(instansi=evaluasi.instansi, pegawai=evaluasi.pegawai, periode=evaluasi.periode))
    items: list[Any] = []
    for periode in periode_tahun(instansi=evaluasi.instansi, tahun=evaluasi.tahun):
        items.extend(fn(instansi=evaluasi.instansi, pegawai=evaluasi.pegawai, periode=periode))
    return items


def realisasi_evaluasi(*, evaluasi: Evaluasi) -> Any:
    """Realisasi + evidence per indicator for the evaluation's SKP and period (None if unavailable)."""
    fn = _dialog("realisasi_for_periode")
    if fn is None or evaluasi.periode is None:
        return None
    return fn(instansi=evaluasi.instansi, skp=evaluasi.skp, periode=evaluasi.periode)


# ---------------------------------------------------------------------------------------------- periods


def periode_tahun(*, instansi: Instansi, tahun: int) -> QuerySet[Periode]:
    return Periode.objects.filter(instansi=instansi, tahun=tahun, siklus=instansi.siklus).order_by("nomor")


# ---------------------------------------------------------------------------------------------- visibility


def is_penilai(*, user: User, evaluasi: Evaluasi) -> bool:
    """The Pejabat Penilai of the evaluation, or (for the current reporting line) the direct superior
    or a Plt/Plh delegate via ``can_nilai``. Superiors of a past stint are not."""
    own = pegawai_of(user)
    if own is not None and evaluasi.pejabat_penilai_id is not None and own.pk == evaluasi.pejabat_penilai_id:
        return True
    if own is not None and own.pk == evaluasi.pegawai_id:
        return False
    if evaluasi.pejabat_penilai_id is None or evaluasi.pejabat_penilai_id == evaluasi.pegawai.atasan_id:
        return can_nilai(user=user, pegawai=evaluasi.pegawai)
    return False


def evaluasi_visible_to(*, user: User, instansi: Instansi, roles: list[str]) -> QuerySet[Evaluasi]:
    """Own evaluations, those the user rates (as Pejabat Penilai, direct superior or delegate), those
    whose keberatan the user decides; everything for admin/hr of the instansi."""
    qs = Evaluasi.objects.filter(instansi=instansi)
    if ROLES_SEMUA & set(roles):
        return qs
    own = pegawai_of(user)
    cond = Q(pk__in=[])
    if own is not None and own.instansi_id == instansi.pk:
        cond |= Q(pegawai=own) | Q(pejabat_penilai=own)
        # A list, not a sub-select: a sub-select inside the OR becomes a hashed SubPlan and PostgreSQL then
        # filters every evaluation of the instansi (docs/performance.md); usually empty.
        diputus = list(
            Keberatan.objects.filter(instansi=instansi, pemutus=own).values_list("evaluasi_id", flat=True)
        )
        if diputus:
            cond |= Q(pk__in=diputus)
    if Role.PEJABAT_PENILAI in roles:
        cond |= Q(pegawai_id__in=pegawai_dinilai_ids(user=user, instansi=instansi))
    return qs.filter(cond)


def pegawai_ids_visible(*, user: User, instansi: Instansi, roles: list[str]) -> list[int] | None:
    """Whose evaluation rows to materialise for this viewer: None = everyone (admin/hr)."""
    if ROLES_SEMUA & set(roles):
        return None
    own = pegawai_of(user)
    ids: list[int] = []
    if own is not None and own.instansi_id == instansi.pk:
        ids.append(own.pk)
    if Role.PEJABAT_PENILAI in roles:
        ids.extend(pegawai_dinilai_ids(user=user, instansi=instansi))
    if own is not None and own.instansi_id == instansi.pk:
        # also whoever names the user as Pejabat Penilai on an SKP (a past stint after a mutasi)
        ids.extend(
            Skp.objects.filter(
                instansi=instansi, pejabat_penilai=own, status=SkpStatus.DISETUJUI
            ).values_list("pegawai_id", flat=True)
        )
    return sorted(set(ids))


def evaluasi_list(
    *,
    user: User,
    instansi: Instansi,
    roles: list[str],
    tahun: int,
    periode: Periode | None = None,
    jenis: str | None = None,
) -> QuerySet[Evaluasi]:
    """Evaluations of a year (or one period) visible to the user, with what the serializer reads."""
    qs = evaluasi_visible_to(user=user, instansi=instansi, roles=roles).filter(tahun=tahun)
    if periode is not None:
        qs = qs.filter(periode=periode)
    if jenis:
        qs = qs.filter(jenis=jenis)
    return qs.select_related(
        "periode", "pegawai__jabatan", "pegawai__unit_kerja", "pejabat_penilai", "unit_kerja"
    ).order_by("jenis", "periode__nomor", "pegawai__nama", "id")


def evaluasi_detail_queryset(*, instansi: Instansi) -> QuerySet[Evaluasi]:
    return Evaluasi.objects.filter(instansi=instansi).select_related(
        "instansi",
        "periode",
        "pegawai__jabatan",
        "pegawai__unit_kerja",
        "pejabat_penilai__jabatan",
        "unit_kerja",
        "skp",
        "dinilai_oleh",
    )


def evaluasi_periodik_tahun(*, evaluasi: Evaluasi) -> QuerySet[Evaluasi]:
    """Every periodic evaluation of the pegawai in the year, across stints (evidence for the annual one)."""
    return (
        Evaluasi.objects.filter(
            instansi_id=evaluasi.instansi_id,
            pegawai_id=evaluasi.pegawai_id,
            tahun=evaluasi.tahun,
            jenis=JenisEvaluasi.PERIODIK,
        )
        .select_related("periode", "skp", "pejabat_penilai")
        .order_by("periode__mulai", "skp__periode_mulai", "id")
    )


def tindak_lanjut_evaluasi(*, evaluasi: Evaluasi) -> dict[str, Any]:
    """Follow-ups and angka kredit the year-end batch recorded for this annual evaluation (two queries)."""
    if evaluasi.jenis != JenisEvaluasi.TAHUNAN:
        return {"tindak_lanjut": [], "angka_kredit": None}
    return {
        "tindak_lanjut": list(
            TindakLanjut.objects.filter(instansi_id=evaluasi.instansi_id, evaluasi=evaluasi).order_by("jenis")
        ),
        "angka_kredit": AngkaKredit.objects.filter(
            instansi_id=evaluasi.instansi_id, evaluasi=evaluasi
        ).first(),
    }


# ---------------------------------------------------------------------------------------------- distribution


def aturan_distribusi_for(*, instansi: Instansi) -> AturanDistribusi:
    """The rule set the instansi chose, else the default (latest active ``bawaan`` version)."""
    chosen = (
        PengaturanEvaluasi.objects.filter(instansi=instansi, aturan_distribusi__isnull=False)
        .select_related("aturan_distribusi")
        .first()
    )
    if chosen is not None and chosen.aturan_distribusi is not None:
        return chosen.aturan_distribusi
    default = AturanDistribusi.objects.filter(bawaan=True, aktif=True).order_by("-versi").first()
    if default is None:
        raise AturanDistribusi.DoesNotExist("Tidak ada aturan distribusi bawaan (migrasi seed belum jalan?)")
    return default


def aturan_distribusi_pilihan() -> QuerySet[AturanDistribusi]:
    return AturanDistribusi.objects.filter(aktif=True).order_by("-bawaan", "kode", "-versi")


def _periode_filter(periode: Periode | None) -> Q:
    return Q(periode=periode) if periode is not None else Q(periode__isnull=True)


def _jenis_filter(periode: Periode | None) -> Q:
    return (
        Q(jenis=JenisEvaluasi.PERIODIK, periode=periode)
        if periode is not None
        else Q(jenis=JenisEvaluasi.TAHUNAN)
    )


def kinerja_organisasi_get(
    *, instansi: Instansi, unit: UnitKerja, tahun: int, periode: Periode | None
) -> KinerjaOrganisasi | None:
    return (
        KinerjaOrganisasi.objects.filter(instansi=instansi, unit_kerja=unit, tahun=tahun)
        .filter(_periode_filter(periode))
        .select_related("ditetapkan_oleh")
        .first()
    )


def distribusi_unit(
    *, instansi: Instansi, unit: UnitKerja, tahun: int, periode: Periode | None
) -> dict[str, Any]:
    """Everything the unit page shows: counts, percentages, guideline bands, warnings with their reasons.
    Fixed number of queries."""
    rows = (
        Evaluasi.objects.filter(instansi=instansi, unit_kerja=unit, tahun=tahun)
        .filter(_jenis_filter(periode))
        .values("predikat")
        .annotate(n=Count("id"))
    )
    counts = {p: 0 for p in PREDIKAT_ORDER}
    belum = 0
    for r in rows:
        if r["predikat"]:
            counts[r["predikat"]] = r["n"]
        else:
            belum += r["n"]
    aturan = aturan_distribusi_for(instansi=instansi)
    org = kinerja_organisasi_get(instansi=instansi, unit=unit, tahun=tahun, periode=periode)
    org_pred = org.predikat if org else None
    peringatan = cek_distribusi(definisi=aturan.definisi, predikat_organisasi=org_pred, jumlah=counts)
    alasan = {
        a.kode: a
        for a in AlasanDeviasi.objects.filter(instansi=instansi, unit_kerja=unit, tahun=tahun).filter(
            _periode_filter(periode)
        )
    }
    total = sum(counts.values())
    bands = pita_pedoman(aturan.definisi, org_pred)
    return {
        "jumlah": counts,
        "dinilai": total,
        "belum_dinilai": belum,
        "persen": {p: (round(counts[p] * 100.0 / total, 1) if total else 0.0) for p in PREDIKAT_ORDER},
        "pita": bands,
        "syarat": syarat_teks(aturan.definisi, org_pred),
        "aturan": aturan,
        "organisasi": org,
        "peringatan": [{"p": p, "alasan": alasan.get(p.kode)} for p in peringatan],
    }


def peringatan_unit(
    *, instansi: Instansi, unit: UnitKerja, tahun: int, periode: Periode | None
) -> list[Peringatan]:
    return [
        x["p"]
        for x in distribusi_unit(instansi=instansi, unit=unit, tahun=tahun, periode=periode)["peringatan"]
    ]


# ---------------------------------------------------------------------------------------------- units


def unit_pimpinan(*, unit: UnitKerja) -> Pegawai | None:
    """The head of a unit: a structural official in it whose superior sits outside it (or who has none)."""
    candidates = (
        Pegawai.objects.filter(instansi_id=unit.instansi_id, unit_kerja=unit, aktif=True)
        .filter(jabatan__jenis__in=JABATAN_STRUKTURAL)
        .filter(Q(atasan__isnull=True) | ~Q(atasan__unit_kerja=unit))
        .select_related("jabatan")
        .order_by("id")
    )
    return candidates.first()


def boleh_tetapkan_predikat_organisasi(*, user: User, roles: list[str], unit: UnitKerja) -> bool:
    """Admin of the instansi, or the leader above the unit: the head of a unit strictly above it."""
    if ROLES_ADMIN & set(roles):
        return True
    own = pegawai_of(user)
    if own is None or own.instansi_id != unit.instansi_id:
        return False
    own_unit = UnitKerja.objects.filter(instansi_id=unit.instansi_id, pk=own.unit_kerja_id).first()
    if own_unit is None or own_unit.pk == unit.pk or not unit.path.startswith(own_unit.path):
        return False
    head = unit_pimpinan(unit=own_unit)
    return head is not None and head.pk == own.pk


def unit_terlihat(*, user: User, instansi: Instansi, roles: list[str]) -> QuerySet[UnitKerja]:
    """Units whose performance page the user may open: all for admin/hr; for a leader, the units
    strictly below the unit they head."""
    qs = UnitKerja.objects.filter(instansi=instansi)
    if ROLES_SEMUA & set(roles):
        return qs
    own = pegawai_of(user)
    if own is None or own.instansi_id != instansi.pk:
        return qs.none()
    own_unit = UnitKerja.objects.filter(instansi=instansi, pk=own.unit_kerja_id).first()
    if own_unit is None:
        return qs.none()
    head = unit_pimpinan(unit=own_unit)
    if head is None or head.pk != own.pk:
        return qs.none()
    return qs.filter(path__startswith=own_unit.path).exclude(pk=own_unit.pk)


# ---------------------------------------------------------------------------------------------- reports


def laporan_per_unit(*, instansi: Instansi, tahun: int, periode: Periode | None) -> list[dict[str, Any]]:
    """Completion and predikat distribution per unit, in tree order. Three queries whatever the size."""
    agg: dict[str, Any] = {"total": Count("id"), "dinilai": Count("id", filter=~Q(predikat=""))}
    for p in PREDIKAT_ORDER:
        agg[p] = Count("id", filter=Q(predikat=p))
    rows: dict[int, dict[str, Any]] = {
        r["unit_kerja_id"]: dict(r)
        for r in Evaluasi.objects.filter(instansi=instansi, tahun=tahun)
        .filter(_jenis_filter(periode))
        .values("unit_kerja_id")
        .annotate(**agg)
    }
    org = {
        k.unit_kerja_id: k
        for k in KinerjaOrganisasi.objects.filter(instansi=instansi, tahun=tahun).filter(
            _periode_filter(periode)
        )
    }
    out = []
    for unit in UnitKerja.objects.filter(instansi=instansi).order_by("path"):
        r: dict[str, Any] | None = rows.get(unit.pk)
        total = r["total"] if r else 0
        dinilai = r["dinilai"] if r else 0
        out.append(
            {
                "unit": unit,
                "total": total,
                "dinilai": dinilai,
                "persen": round(dinilai * 100.0 / total) if total else 0,
                "jumlah": {p: (r[p] if r else 0) for p in PREDIKAT_ORDER},
                "organisasi": org.get(unit.pk),
            }
        )
    return out


def laporan_unit_pegawai(
    *, instansi: Instansi, unit: UnitKerja, tahun: int, periode: Periode | None
) -> QuerySet[Evaluasi]:
    """The people of one unit with their evaluation for the period/year (drill-down), one query per page."""
    return (
        Evaluasi.objects.filter(instansi=instansi, unit_kerja=unit, tahun=tahun)
        .filter(_jenis_filter(periode))
        .select_related("pegawai__jabatan", "pejabat_penilai", "periode")
        .order_by("pegawai__nama", "id")
    )


# ---------------------------------------------------------------------------------------------- keberatan


def keberatan_untuk_pemutus(*, user: User, instansi: Instansi, roles: list[str]) -> QuerySet[Keberatan]:
    """Objections this user decides (atasan of the Pejabat Penilai; admins for those without one)."""
    own = pegawai_of(user)
    cond = Q(pk__in=[])
    if own is not None and own.instansi_id == instansi.pk:
        cond |= Q(pemutus=own)
    if ROLES_ADMIN & set(roles):
        cond |= Q(pemutus__isnull=True)
    return (
        Keberatan.objects.filter(instansi=instansi)
        .filter(cond)
        .select_related("evaluasi__pegawai", "evaluasi__pejabat_penilai", "evaluasi__periode")
        .order_by("status", "-created_at", "-id")
    )


def keberatan_terbuka_count(*, user: User, instansi: Instansi, roles: list[str]) -> int:
    return (
        keberatan_untuk_pemutus(user=user, instansi=instansi, roles=roles)
        .filter(status=StatusKeberatan.DIAJUKAN)
        .count()
    )
