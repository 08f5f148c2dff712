"""Evaluation reads with fixed query shapes. The tenant filter is explicit (the manager is the safety net).

Feedback and realisasi come from the ``dialog`` app's selectors, imported lazily (dialog may be absent
or older: then there is no recorded feedback and no realisasi to show).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from evaluasi.jendela import JendelaTahunan, jendela_tahunan
from evaluasi.models import (
    AlasanDeviasi,
    AngkaKredit,
    AturanDistribusi,
    Evaluasi,
    JenisEvaluasi,
    JenisLangkah,
    JenisTindakLanjut,
    Keberatan,
    KinerjaOrganisasi,
    PengaturanEvaluasi,
    StatusEvaluasi,
    StatusKeberatan,
    TindakLanjut,
)
from evaluasi.scoring import (
    LANGKAH_BERIKUT,
    PREDIKAT_ORDER,
    Peringatan,
    cek_distribusi,
    pita_pedoman,
    syarat_teks,
)
from kinerja.models import Instansi, Pegawai, Periode, Role, UnitKerja, User
from kinerja.models.org import JenisJabatan
from kinerja.replica import current_read_alias
from kinerja.selectors.people import can_nilai, non_asn_in, pegawai_dinilai_ids
from kinerja.tenancy import non_asn_of, pegawai_of
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
    official = non_asn_of(user)
    if official is not None and official.instansi_id == evaluasi.instansi_id:
        # a non-ASN official (issue #16) rates exactly the evaluations that name it
        return evaluasi.pejabat_penilai_non_asn_id == official.pk
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
    official = non_asn_in(user=user, instansi=instansi)
    if official is not None:
        cond |= Q(pejabat_penilai_non_asn=official)
        diputus = list(
            Keberatan.objects.filter(instansi=instansi, pemutus_non_asn=official).values_list(
                "evaluasi_id", flat=True
            )
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
    official = non_asn_in(user=user, instansi=instansi)
    if official is not None:
        ids.extend(
            Skp.objects.filter(
                instansi=instansi, pejabat_penilai_non_asn=official, status=SkpStatus.DISETUJUI
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
        "periode",
        "pegawai__jabatan",
        "pegawai__unit_kerja",
        "pejabat_penilai",
        "pejabat_penilai_non_asn",
        "unit_kerja",
    ).order_by("jenis", "periode__nomor", "pegawai__nama", "id")


def evaluasi_detail_queryset(*, instansi: Instansi) -> QuerySet[Evaluasi]:
    return Evaluasi.objects.filter(instansi=instansi).select_related(
        "instansi",
        "periode",
        "pegawai__jabatan",
        "pegawai__unit_kerja",
        "pejabat_penilai__jabatan",
        "pejabat_penilai_non_asn",
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
        .select_related("periode", "skp", "pejabat_penilai", "pejabat_penilai_non_asn")
        .order_by("periode__mulai", "skp__periode_mulai", "id")
    )


def tindak_lanjut_evaluasi(*, evaluasi: Evaluasi) -> dict[str, Any]:
    """Follow-ups and angka kredit the year-end batch recorded for this annual evaluation (two queries)."""
    if evaluasi.jenis != JenisEvaluasi.TAHUNAN:
        return {"tindak_lanjut": [], "angka_kredit": None, "rincian_ak": [], "langkah_pilihan": []}
    from kinerja.models.org import JenjangJf

    ak = AngkaKredit.objects.filter(instansi_id=evaluasi.instansi_id, evaluasi=evaluasi).first()
    label = dict(JenjangJf.choices)
    rincian = [{**r, "label": label.get(r["jenjang"], r["jenjang"])} for r in (ak.rincian if ak else [])]
    tindak_lanjut = list(
        TindakLanjut.objects.filter(instansi_id=evaluasi.instansi_id, evaluasi=evaluasi)
        .order_by("jenis")
        .prefetch_related("langkah")
    )
    # the steps that may be recorded next on the improvement window (domain §8.2 chain; at most one per year)
    langkah_label = dict(JenisLangkah.choices)
    pilihan: list[tuple[str, str]] = []
    for t in tindak_lanjut:
        if t.jenis == JenisTindakLanjut.PERBAIKAN_KINERJA:
            sudah = sorted(t.langkah.all(), key=lambda x: (x.tanggal, x.pk))
            pilihan = [
                (j, str(langkah_label[j])) for j in LANGKAH_BERIKUT[sudah[-1].jenis if sudah else None]
            ]
    return {
        # months per jenjang when the year crossed a promotion (issue #17); empty for a single jenjang
        "rincian_ak": rincian if len(rincian) > 1 else [],
        "tindak_lanjut": tindak_lanjut,
        "langkah_pilihan": pilihan,
        "angka_kredit": ak,
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


def jendela_tahunan_for(*, instansi: Instansi, tahun: int) -> JendelaTahunan:
    """The annual rating window of the instansi for ``tahun`` (its settings row, else the default
    1 December .. 31 January; domain.md "Annual window")."""
    row = (
        PengaturanEvaluasi.objects.filter(instansi=instansi)
        .values_list(
            "jendela_buka_bulan", "jendela_buka_tanggal", "jendela_tutup_bulan", "jendela_tutup_tanggal"
        )
        .first()
    )
    if row is None:
        return jendela_tahunan(tahun)
    return jendela_tahunan(tahun, buka=(row[0], row[1]), tutup=(row[2], row[3]))


def evaluasi_diterima(*, evaluasi: Evaluasi) -> dt.date | None:
    """The tenant-local date the result was delivered to the pegawai (None: not yet delivered)."""
    return timezone.localtime(evaluasi.diterima_at).date() if evaluasi.diterima_at else None


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
    org = kinerja_organisasi_get(instansi=instansi, unit=unit, tahun=tahun, periode=periode)
    # rated before the unit's org predikat was (last) set: the default rule version warns about them
    sebelum = Q(dinilai_at__lt=org.updated_at) if org is not None else Q(pk__in=[])
    rows = (
        Evaluasi.objects.filter(instansi=instansi, unit_kerja=unit, tahun=tahun)
        .filter(_jenis_filter(periode))
        .values("predikat")
        .annotate(n=Count("id"), n_sebelum=Count("id", filter=sebelum))
    )
    counts = {p: 0 for p in PREDIKAT_ORDER}
    belum = 0
    dinilai_sebelum = 0
    for r in rows:
        if r["predikat"]:
            counts[r["predikat"]] = r["n"]
            dinilai_sebelum += r["n_sebelum"]
        else:
            belum += r["n"]
    aturan = aturan_distribusi_for(instansi=instansi)
    org_pred = org.predikat if org else None
    peringatan = cek_distribusi(
        definisi=aturan.definisi, predikat_organisasi=org_pred, jumlah=counts, dinilai_sebelum=dinilai_sebelum
    )
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


#: How an active pegawai stands for a period or the year, exclusive: rated; an approved SKP but not rated
#: yet; an SKP not approved yet (draft, submitted, returned); no SKP at all.
KATEGORI_KELENGKAPAN = ("dinilai", "belum_dinilai", "skp_belum_disetujui", "tanpa_skp")


def _kelengkapan_sql(periode: Periode | None) -> str:
    overlap = "AND s.periode_mulai <= %(selesai)s AND s.periode_selesai >= %(mulai)s" if periode else ""
    jenis = (
        "AND e.jenis = 'periodik' AND e.periode_id = %(periode)s" if periode else "AND e.jenis = 'tahunan'"
    )
    predikat = ",\n".join(
        f"count(*) FILTER (WHERE x.predikat = %(p{i})s) AS p{i}" for i in range(len(PREDIKAT_ORDER))
    )
    return f"""
        WITH s AS (
            SELECT s.pegawai_id, bool_or(s.status = 'disetujui') AS disetujui
            FROM skp_skp s
            WHERE s.instansi_id = %(instansi)s AND s.tahun = %(tahun)s AND s.status <> 'diganti' {overlap}
            GROUP BY s.pegawai_id
        ),
        e AS (
            -- one row per pegawai (several periodic rows when stints share a period): rated if any
            -- row is ('' sorts first); a hash aggregate, no sort
            SELECT e.pegawai_id, max(e.predikat) AS predikat
            FROM evaluasi_evaluasi e
            WHERE e.instansi_id = %(instansi)s AND e.tahun = %(tahun)s {jenis}
            GROUP BY e.pegawai_id
        ),
        x AS (
            SELECT p.unit_kerja_id, coalesce(e.predikat, '') AS predikat,
                   CASE WHEN coalesce(e.predikat, '') <> '' THEN 'dinilai'
                        WHEN s.pegawai_id IS NULL THEN 'tanpa_skp'
                        WHEN NOT s.disetujui THEN 'skp_belum_disetujui'
                        ELSE 'belum_dinilai' END AS kategori
            FROM kinerja_pegawai p
            LEFT JOIN s ON s.pegawai_id = p.id
            LEFT JOIN e ON e.pegawai_id = p.id
            WHERE p.instansi_id = %(instansi)s AND p.aktif
        )
        SELECT x.unit_kerja_id, count(*) AS pegawai,
               count(*) FILTER (WHERE x.kategori = 'dinilai') AS dinilai,
               count(*) FILTER (WHERE x.kategori = 'belum_dinilai') AS belum_dinilai,
               count(*) FILTER (WHERE x.kategori = 'skp_belum_disetujui') AS skp_belum_disetujui,
               count(*) FILTER (WHERE x.kategori = 'tanpa_skp') AS tanpa_skp,
               {predikat}
        FROM x GROUP BY x.unit_kerja_id
    """  # noqa: S608 - only fixed fragments are interpolated


def kelengkapan_per_unit_sendiri(
    *, instansi: Instansi, tahun: int, periode: Periode | None
) -> dict[int, dict[str, Any]]:
    """Per unit (its own pegawai, not the sub-units): every ACTIVE pegawai counted once, in one of
    ``KATEGORI_KELENGKAPAN``, plus the predikat counts of the rated ones. Counts people, not evaluation
    rows, so pegawai without any SKP (who have no evaluation row) are in the total. One query; works
    without the evaluation rows being materialised (no approved SKP = no row = not rated)."""
    params: dict[str, Any] = {"instansi": instansi.pk, "tahun": tahun}
    if periode is not None:
        params.update(periode=periode.pk, mulai=periode.mulai, selesai=periode.selesai)
    params.update({f"p{i}": p for i, p in enumerate(PREDIKAT_ORDER)})
    with connections[current_read_alias()].cursor() as cur:  # the replica inside read_replica()
        cur.execute(_kelengkapan_sql(periode), params)
        cols = [c[0] for c in cur.description]
        out: dict[int, dict[str, Any]] = {}
        for row in cur.fetchall():
            r = dict(zip(cols, row, strict=True))
            out[r["unit_kerja_id"]] = {
                "pegawai": r["pegawai"],
                **{k: r[k] for k in KATEGORI_KELENGKAPAN},
                "jumlah": {p: r[f"p{i}"] for i, p in enumerate(PREDIKAT_ORDER)},
            }
    return out


def _kosong() -> dict[str, Any]:
    return {"pegawai": 0, **{k: 0 for k in KATEGORI_KELENGKAPAN}, "jumlah": {p: 0 for p in PREDIKAT_ORDER}}


def _tambah(into: dict[str, Any], r: dict[str, Any]) -> None:
    into["pegawai"] += r["pegawai"]
    for k in KATEGORI_KELENGKAPAN:
        into[k] += r[k]
    for p in PREDIKAT_ORDER:
        into["jumlah"][p] += r["jumlah"][p]


def _persen(r: dict[str, Any]) -> dict[str, Any]:
    r["total"] = r["pegawai"]  # the name the report template and API readers used before
    r["persen"] = round(r["dinilai"] * 100.0 / r["pegawai"]) if r["pegawai"] else 0
    r["belum"] = r["pegawai"] - r["dinilai"]
    return r


def kelengkapan_total(*, instansi: Instansi, tahun: int, periode: Periode | None) -> dict[str, Any]:
    """The instansi's totals of ``kelengkapan_per_unit_sendiri`` (one query)."""
    total = _kosong()
    for r in kelengkapan_per_unit_sendiri(instansi=instansi, tahun=tahun, periode=periode).values():
        _tambah(total, r)
    return _persen(total)


def kesiapan_batch(*, instansi: Instansi, tahun: int) -> dict[str, Any]:
    """Readiness for the year-end batch of ``tahun``: active pegawai, annual evaluations rated / not
    rated yet, SKPs not approved, pegawai without an SKP; ``siap`` when everyone is rated. One query."""
    k = kelengkapan_total(instansi=instansi, tahun=tahun, periode=None)
    k["tahun"] = tahun
    k["siap"] = k["pegawai"] > 0 and k["dinilai"] == k["pegawai"]
    return k


def organisasi_per_unit(
    *, instansi: Instansi, tahun: int, periode: Periode | None, unit_ids: list[int] | None = None
) -> dict[int, KinerjaOrganisasi]:
    """The organisation predikat per unit for the period/year (``unit_ids`` None: every unit). One query."""
    qs = KinerjaOrganisasi.objects.filter(instansi=instansi, tahun=tahun).filter(_periode_filter(periode))
    if unit_ids is not None:
        qs = qs.filter(unit_kerja_id__in=unit_ids)
    return {k.unit_kerja_id: k for k in qs}


def laporan_per_unit(
    *, instansi: Instansi, tahun: int, periode: Periode | None, organisasi: bool = True
) -> list[dict[str, Any]]:
    """Completeness and predikat distribution per unit, in tree order. Each row counts every active
    pegawai of the unit AND its sub-units (subtree) by their current unit: with and without SKP, with
    and without rating (``KATEGORI_KELENGKAPAN``). Three queries whatever the size; two without the
    organisation predikat (``organisasi=False``: the page adds it for the units it shows,
    ``organisasi_per_unit``; at 100,000 pegawai there are ~4,400 units)."""
    sendiri = kelengkapan_per_unit_sendiri(instansi=instansi, tahun=tahun, periode=periode)
    org = organisasi_per_unit(instansi=instansi, tahun=tahun, periode=periode) if organisasi else {}
    # only what the report shows: model instances of every unit are most of its Python time at 100k
    units = list(
        UnitKerja.objects.filter(instansi=instansi)
        .only("id", "instansi_id", "nama", "induk_id", "path", "depth")
        .order_by("path")
    )
    subtree = {u.pk: _kosong() for u in units}
    for u in units:
        own = sendiri.get(u.pk)
        if own is None:
            continue
        for anc in (int(x) for x in u.path.split(".") if x):
            if anc in subtree:
                _tambah(subtree[anc], own)
    return [
        {
            "unit": u,
            **_persen(subtree[u.pk]),
            "sendiri": sendiri.get(u.pk, _kosong())["pegawai"],
            "organisasi": org.get(u.pk),
        }
        for u in units
    ]


def laporan_total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The instansi's totals of ``laporan_per_unit``: the sum of the root units' subtrees."""
    total = _kosong()
    for r in rows:
        if r["unit"].induk_id is None:
            _tambah(total, r)
    return _persen(total)


def unit_tertinggal(
    *, instansi: Instansi, tahun: int, periode: Periode | None, limit: int = 5
) -> list[dict[str, Any]]:
    """The units (own pegawai) with the most active pegawai not rated yet, for the admin's home page.
    Two queries."""
    sendiri = kelengkapan_per_unit_sendiri(instansi=instansi, tahun=tahun, periode=periode)
    top = sorted(
        ((uid, _persen(r)) for uid, r in sendiri.items() if r["pegawai"] > r["dinilai"]),
        key=lambda x: (-x[1]["belum"], x[0]),
    )[:limit]
    units = UnitKerja.objects.filter(instansi=instansi, pk__in=[uid for uid, _r in top]).in_bulk()
    return [{"unit": units[uid], **r} for uid, r in top if uid in units]


# ---------------------------------------------------------------------------------------------- ratings due


def nilai_jatuh_tempo(*, user: User, instansi: Instansi, periode: Periode) -> QuerySet[Skp]:
    """Approved SKP stints overlapping ``periode`` that ``user`` rates, whose periodic evaluation for the
    period is not rated yet (no row yet counts as not rated). Who rates follows ``is_penilai``: the
    Pejabat Penilai named on the SKP, or the current direct superior / delegate when the SKP names
    nobody else. With pegawai, jabatan and unit; constant queries whatever the team size."""
    own = pegawai_of(user)
    official = non_asn_in(user=user, instansi=instansi)
    ids = pegawai_dinilai_ids(user=user, instansi=instansi)
    cond = Q(pegawai_id__in=ids) & (
        Q(pejabat_penilai__isnull=True, pejabat_penilai_non_asn__isnull=True)
        | Q(pejabat_penilai_id=F("pegawai__atasan_id"))
    )
    if official is not None:
        cond = Q(pejabat_penilai_non_asn=official, pegawai__aktif=True)
    own_id = own.pk if own is not None and own.instansi_id == instansi.pk else None
    if own_id is not None:
        cond |= Q(pejabat_penilai_id=own_id, pegawai__aktif=True)
    rated = Evaluasi.objects.filter(
        instansi=instansi, skp=OuterRef("pk"), periode=periode, jenis=JenisEvaluasi.PERIODIK
    ).exclude(status=StatusEvaluasi.BELUM_DINILAI)  # rated, or final (locked: nothing left to do)
    return (
        Skp.objects.filter(
            instansi=instansi,
            status=SkpStatus.DISETUJUI,
            periode_mulai__lte=periode.selesai,
            periode_selesai__gte=periode.mulai,
        )
        .filter(cond)
        .exclude(pegawai_id=own_id or -1)
        .exclude(Exists(rated))
        .select_related("pegawai__jabatan", "pegawai__unit_kerja")
        .order_by("pegawai__nama", "periode_mulai", "id")
    )


def _subtree_ids(*, instansi: Instansi, unit: UnitKerja) -> QuerySet[UnitKerja, Any]:
    return UnitKerja.objects.filter(instansi=instansi, path__startswith=unit.path).values("pk")


def unit_subtree_ids(*, instansi: Instansi, unit: UnitKerja) -> QuerySet[UnitKerja, Any]:
    """The ids of ``unit`` and its sub-units, as a subquery (no query of its own)."""
    return _subtree_ids(instansi=instansi, unit=unit)


def laporan_unit_pegawai(
    *, instansi: Instansi, unit: UnitKerja, tahun: int, periode: Periode | None
) -> QuerySet[Evaluasi]:
    """Drill-down of a report row: the evaluations for the period/year of the ACTIVE pegawai of the unit
    and its sub-units (by their current unit, as the row counts them). One query per page."""
    return (
        Evaluasi.objects.filter(instansi=instansi, tahun=tahun)
        .filter(_jenis_filter(periode))
        .filter(pegawai__aktif=True, pegawai__unit_kerja_id__in=_subtree_ids(instansi=instansi, unit=unit))
        .select_related("pegawai__jabatan", "pegawai__unit_kerja", "pejabat_penilai", "periode")
        .order_by("pegawai__nama", "id")
    )


def _evaluasi_pegawai(*, instansi: Instansi, tahun: int, periode: Periode | None) -> QuerySet[Evaluasi]:
    """The pegawai's (``OuterRef("pk")``) evaluation rows for the period/year, for ``Exists``."""
    return Evaluasi.objects.filter(instansi=instansi, pegawai=OuterRef("pk"), tahun=tahun).filter(
        _jenis_filter(periode)
    )


def _skp_disetujui_pegawai(
    *, instansi: Instansi, tahun: int, periode: Periode | None
) -> QuerySet[Skp] | None:
    """The pegawai's (``OuterRef("pk")``) approved SKP stints that ``evaluasi_ensure`` makes a row of for the
    period/year (``services.evaluasi_periodik_ensure``: stints overlapping a period of the instansi's cycle;
    ``evaluasi_tahunan_ensure``: any approved stint of the year). None: the ensure makes no row for it (a
    period of a former cycle)."""
    qs = Skp.objects.filter(
        instansi=instansi, pegawai=OuterRef("pk"), tahun=tahun, status=SkpStatus.DISETUJUI
    )
    if periode is None:
        return qs
    if periode.siklus != instansi.siklus:
        return None
    return qs.filter(periode_mulai__lte=periode.selesai, periode_selesai__gte=periode.mulai)


def laporan_unit_pegawai_ids(
    *, instansi: Instansi, unit: UnitKerja, tahun: int, periode: Periode | None, status: str | None = None
) -> QuerySet[Pegawai, int]:
    """The pegawai of the drill-down list, as ids in name order: the ACTIVE pegawai of the unit and its
    sub-units who have an evaluation row for the period/year OR would get one from ``evaluasi_ensure`` (an
    approved SKP stint for it), so the list is the same whether or not the rows are materialised yet; the
    page then materialises the rows of its own pegawai only (``evaluasi_ensure(pegawai_ids=...)``).
    ``status``: pegawai with a row of that status; ``belum_dinilai`` also those whose row is not made yet.
    One query per page, an ordered scan of ``pegawai_nama_idx`` with LIMIT."""
    ev = _evaluasi_pegawai(instansi=instansi, tahun=tahun, periode=periode)
    skp = _skp_disetujui_pegawai(instansi=instansi, tahun=tahun, periode=periode)
    if not status:
        cond = Q(Exists(ev))
        if skp is not None:
            cond |= Q(Exists(skp))
    else:
        cond = Q(Exists(ev.filter(status=status)))
        if status == StatusEvaluasi.BELUM_DINILAI and skp is not None:
            if periode is None:  # one annual row per pegawai: missing = no row at all
                cond |= Q(Exists(skp)) & ~Q(Exists(ev))
            else:  # one periodic row per approved stint and period: missing = a stint without its row
                baris = Evaluasi.objects.filter(
                    instansi=instansi, skp=OuterRef("pk"), periode=periode, jenis=JenisEvaluasi.PERIODIK
                )
                cond |= Q(Exists(skp.exclude(Exists(baris))))
    return (
        Pegawai.objects.filter(
            instansi=instansi, aktif=True, unit_kerja_id__in=_subtree_ids(instansi=instansi, unit=unit)
        )
        .filter(cond)
        .order_by("nama", "id")
        .values_list("pk", flat=True)
    )


def laporan_unit_tanpa_evaluasi(
    *, instansi: Instansi, unit: UnitKerja, tahun: int, periode: Periode | None
) -> QuerySet[Pegawai]:
    """The rest of the row: active pegawai of the unit and its sub-units with no evaluation for the
    period/year because they have no approved SKP (for it), each annotated ``skp_status`` (their latest
    SKP of the year, None = no SKP at all). The same whether or not the rows are materialised (no row AND
    no approved stint the ensure would make one of), so the page needs no ``evaluasi_ensure``. One query:
    an ordered scan of ``pegawai_nama_idx`` with LIMIT (the anti-joins are index probes per pegawai)."""
    skp = Skp.objects.filter(instansi=instansi, pegawai=OuterRef("pk"), tahun=tahun).exclude(
        status=SkpStatus.DIGANTI
    )
    if periode is not None:
        skp = skp.filter(periode_mulai__lte=periode.selesai, periode_selesai__gte=periode.mulai)
    ev = _evaluasi_pegawai(instansi=instansi, tahun=tahun, periode=periode)
    disetujui = _skp_disetujui_pegawai(instansi=instansi, tahun=tahun, periode=periode)
    qs = Pegawai.objects.filter(
        instansi=instansi, aktif=True, unit_kerja_id__in=_subtree_ids(instansi=instansi, unit=unit)
    ).exclude(Exists(ev))
    if disetujui is not None:
        qs = qs.exclude(Exists(disetujui))
    return (
        qs.annotate(skp_status=Subquery(skp.order_by("-periode_mulai", "-id").values("status")[:1]))
        .select_related("jabatan", "unit_kerja", "atasan")
        .order_by("nama", "id")
    )


# ---------------------------------------------------------------------------------------------- keberatan


def keberatan_untuk_pemutus(*, user: User, instansi: Instansi, roles: list[str]) -> QuerySet[Keberatan]:
    """Objections this user decides (atasan of the Pejabat Penilai; admins for those without one)."""
    own = pegawai_of(user)
    cond = Q(pk__in=[])
    if own is not None and own.instansi_id == instansi.pk:
        cond |= Q(pemutus=own)
    official = non_asn_in(user=user, instansi=instansi)
    if official is not None:
        cond |= Q(pemutus_non_asn=official)
    if ROLES_ADMIN & set(roles):
        cond |= Q(pemutus__isnull=True, pemutus_non_asn__isnull=True)
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
