"""Log harian reads and the lookups from user input (404 for missing, other instansi or not visible).

Who sees whose log: the pegawai their own; their Pejabat Penilai (direct superior or delegated, as
``kinerja.selectors.people.pegawai_dinilai_ids``); admin_instansi and hr_viewer of the instansi.
Every query leads with ``instansi_id`` and ``pegawai_id`` so it stays on ``log_harian_pegawai_tgl_idx``.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from dialog.log_harian_rules import HARI_KUNCI_DEFAULT
from dialog.models import LogHarian, PengaturanLogHarian, StatusLog
from kinerja.access import id_or_404
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import Instansi, Pegawai, User
from kinerja.selectors.people import pegawai_dinilai_ids
from kinerja.tenancy import pegawai_of
from skp.models import Rhk, Skp, SkpStatus

PERAN_LIHAT_SEMUA = ("admin_instansi", "hr_viewer")


def pengaturan_log_harian(*, instansi: Instansi | int) -> PengaturanLogHarian:
    """The instansi's settings, or the defaults (an unsaved row) when it never changed them."""
    instansi_id = instansi.pk if isinstance(instansi, Instansi) else instansi
    row = PengaturanLogHarian.objects.filter(instansi_id=instansi_id).first()
    return row or PengaturanLogHarian(instansi_id=instansi_id, hari_kunci=HARI_KUNCI_DEFAULT)


# ---------------------------------------------------------------- access


def log_harian_own_access(
    *, user: User, instansi: Instansi, log_id: Any, for_update: bool = False
) -> LogHarian:
    """One of the caller's own entries (the only ones they may change), else 404."""
    own = pegawai_of(user)
    if own is None or own.instansi_id != instansi.pk:
        raise NotFoundOrForbidden()
    qs = LogHarian.objects.filter(instansi=instansi, pegawai_id=own.pk, pk=id_or_404(log_id))
    if for_update:
        qs = qs.select_for_update(of=("self",))
    log = qs.select_related("rhk").first()
    if log is None:
        raise NotFoundOrForbidden()
    return log


def log_harian_pegawai_access(
    *, user: User, instansi: Instansi, roles: list[str], pegawai_id: Any
) -> Pegawai:
    """A pegawai whose log the caller may read: self, someone they appraise, or anyone for admin/HR."""
    pk = id_or_404(pegawai_id)
    p = Pegawai.objects.filter(instansi=instansi, pk=pk).select_related("user", "unit_kerja").first()
    if p is None:
        raise NotFoundOrForbidden()
    own = pegawai_of(user)
    if own is not None and own.pk == p.pk:
        return p
    if set(roles) & set(PERAN_LIHAT_SEMUA):
        return p
    if p.pk in set(pegawai_dinilai_ids(user=user, instansi=instansi)):
        return p
    raise NotFoundOrForbidden()


# ---------------------------------------------------------------- lists


def log_harian_list(
    *,
    instansi: Instansi,
    pegawai_ids: list[int],
    dari: dt.date | None = None,
    sampai: dt.date | None = None,
    status: str | None = None,
) -> QuerySet[LogHarian]:
    """Entries of these pegawai (newest day first), with what the pages and the API show."""
    qs = LogHarian.objects.filter(instansi=instansi, pegawai_id__in=pegawai_ids)
    if dari is not None:
        qs = qs.filter(tanggal__gte=dari)
    if sampai is not None:
        qs = qs.filter(tanggal__lte=sampai)
    if status:
        qs = qs.filter(status=status)
    # The pegawai (name) come in a second query by primary key: joined into this one, the planner
    # hashes or merges the whole pegawai table for a 300-person team (docs/performance.md "Log harian").
    return (
        qs.select_related("rhk", "rencana_aksi")
        .prefetch_related(Prefetch("pegawai", queryset=Pegawai.objects.only("id", "nama", "nip")))
        .order_by("-tanggal", "-id")
    )


def log_harian_menit_hari(
    *, instansi_id: int, pegawai_id: int, tanggal: dt.date, kecuali: int | None = None
) -> int:
    qs = LogHarian.objects.filter(instansi_id=instansi_id, pegawai_id=pegawai_id, tanggal=tanggal)
    if kecuali is not None:
        qs = qs.exclude(pk=kecuali)
    return int(qs.aggregate(n=Sum("durasi_menit"))["n"] or 0)


def log_harian_rhk_pilihan(*, pegawai: Pegawai, tanggal: dt.date | None = None) -> QuerySet[Rhk]:
    """The RHK a pegawai may log against: those of their approved SKP(s) (covering ``tanggal`` if given)."""
    skp = Skp.objects.filter(instansi_id=pegawai.instansi_id, pegawai=pegawai, status=SkpStatus.DISETUJUI)
    if tanggal is not None:
        skp = skp.filter(periode_mulai__lte=tanggal, periode_selesai__gte=tanggal)
    return (
        Rhk.objects.filter(instansi_id=pegawai.instansi_id, skp__in=skp)
        .select_related("skp")
        .order_by("-skp__periode_mulai", "jenis", "urutan", "id")
    )


def log_harian_terakhir(*, pegawai: Pegawai) -> LogHarian | None:
    """The pegawai's latest entry ("last RHK remembered")."""
    return (
        LogHarian.objects.filter(instansi_id=pegawai.instansi_id, pegawai_id=pegawai.pk)
        .order_by("-tanggal", "-id")
        .first()
    )


def log_harian_hari_sebelumnya(*, pegawai: Pegawai, sebelum: dt.date) -> list[LogHarian]:
    """The entries of the last day before ``sebelum`` on which the pegawai logged ("copy yesterday")."""
    last = (
        LogHarian.objects.filter(instansi_id=pegawai.instansi_id, pegawai_id=pegawai.pk, tanggal__lt=sebelum)
        .order_by("-tanggal")
        .values_list("tanggal", flat=True)
        .first()
    )
    if last is None:
        return []
    return list(
        LogHarian.objects.filter(instansi_id=pegawai.instansi_id, pegawai_id=pegawai.pk, tanggal=last)
        .select_related("rhk")
        .order_by("id")
    )


# ---------------------------------------------------------------- recap


@dataclass
class RekapRhk:
    rhk_id: int
    rencana_hasil_kerja: str
    menit: int = 0
    jumlah: int = 0
    per_status: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class Rekap:
    pegawai_id: int
    tahun: int
    bulan: int
    menit: int = 0
    jumlah: int = 0
    per_status: dict[str, dict[str, int]] = field(default_factory=dict)
    rhk: list[RekapRhk] = field(default_factory=list)


def _kosong() -> dict[str, dict[str, int]]:
    return {s: {"menit": 0, "jumlah": 0} for s in StatusLog.values}


def log_harian_rekap(*, instansi: Instansi | int, pegawai_id: int, tahun: int, bulan: int) -> Rekap:
    """Minutes and counts per RHK and per status of one pegawai's month: one GROUP BY on the covering
    index (an index-only scan at 20 M rows, docs/log-harian.md) plus one query for the RHK texts."""
    instansi_id = instansi.pk if isinstance(instansi, Instansi) else instansi
    mulai = dt.date(tahun, bulan, 1)
    selesai = dt.date(tahun, bulan, calendar.monthrange(tahun, bulan)[1])
    rows = list(
        LogHarian.objects.filter(
            instansi_id=instansi_id, pegawai_id=pegawai_id, tanggal__gte=mulai, tanggal__lte=selesai
        )
        .values("rhk_id", "status")
        .annotate(menit=Sum("durasi_menit"), jumlah=Count("id"))
        .order_by("rhk_id", "status")
    )
    teks = dict(
        Rhk.objects.filter(instansi_id=instansi_id, pk__in={r["rhk_id"] for r in rows}).values_list(
            "pk", "rencana_hasil_kerja"
        )
    )
    rekap = Rekap(pegawai_id=pegawai_id, tahun=tahun, bulan=bulan, per_status=_kosong())
    per_rhk: dict[int, RekapRhk] = {}
    for r in rows:
        item = per_rhk.setdefault(
            r["rhk_id"],
            RekapRhk(rhk_id=r["rhk_id"], rencana_hasil_kerja=teks.get(r["rhk_id"], ""), per_status=_kosong()),
        )
        item.menit += r["menit"]
        item.jumlah += r["jumlah"]
        item.per_status[r["status"]] = {"menit": r["menit"], "jumlah": r["jumlah"]}
        rekap.menit += r["menit"]
        rekap.jumlah += r["jumlah"]
        rekap.per_status[r["status"]]["menit"] += r["menit"]
        rekap.per_status[r["status"]]["jumlah"] += r["jumlah"]
    rekap.rhk = sorted(per_rhk.values(), key=lambda x: x.rhk_id)
    return rekap
