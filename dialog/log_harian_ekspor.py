"""XLSX of the daily log of one unit (and its sub-units) for one month: one row per entry, then a
per-pegawai total sheet. openpyxl write-only mode streams rows; the query reads in chunks."""

import calendar
import datetime as dt
import io

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dialog.models import LogHarian, StatusLog
from kinerja.models import Instansi, Pegawai, UnitKerja
from kinerja.selectors.org import unit_kerja_subtree

_STATUS = dict(StatusLog.choices)


def log_harian_xlsx(*, instansi: Instansi, unit: UnitKerja, tahun: int, bulan: int) -> bytes:
    """The workbook's bytes. Three queries whatever the size (pegawai ids, entries, totals)."""
    mulai = dt.date(tahun, bulan, 1)
    selesai = dt.date(tahun, bulan, calendar.monthrange(tahun, bulan)[1])
    units = unit_kerja_subtree(unit=unit).values("pk")
    pegawai_ids = list(
        Pegawai.objects.filter(instansi=instansi, unit_kerja__in=units).values_list("pk", flat=True)
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Log harian"))
    ws.append([_("Log harian"), f"{unit.nama}", f"{mulai:%m-%Y}"])
    ws.append(
        [_("Tanggal"), _("NIP"), _("Nama"), _("Hasil kerja (RHK)"), _("Uraian kegiatan"), _("Durasi (menit)"),
         _("Status"), _("Catatan verifikasi"), _("Tautan")]
    )  # fmt: skip
    rows = (
        LogHarian.objects.filter(
            instansi=instansi, pegawai_id__in=pegawai_ids, tanggal__gte=mulai, tanggal__lte=selesai
        )
        .order_by("pegawai__nama", "pegawai_id", "tanggal", "id")
        .values_list(
            "tanggal",
            "pegawai__nip",
            "pegawai__nama",
            "rhk__rencana_hasil_kerja",
            "uraian",
            "durasi_menit",
            "status",
            "catatan_verifikasi",
            "tautan",
        )
    )
    for tgl, nip, nama, rhk, uraian, menit, status, catatan, tautan in rows.iterator(chunk_size=5000):
        ws.append([tgl, nip, nama, rhk, uraian, menit, str(_STATUS.get(status, status)), catatan, tautan])
    total = wb.create_sheet(_("Rekap per pegawai"))
    total.append([_("NIP"), _("Nama"), _("Jumlah log"), _("Total menit"), _("Menit diterima")])
    from django.db.models import Q

    agg = (
        LogHarian.objects.filter(
            instansi=instansi, pegawai_id__in=pegawai_ids, tanggal__gte=mulai, tanggal__lte=selesai
        )
        .values("pegawai__nip", "pegawai__nama")
        .annotate(
            n=Count("id"),
            menit=Sum("durasi_menit"),
            diterima=Sum("durasi_menit", filter=Q(status=StatusLog.DITERIMA), default=0),
        )
        .order_by("pegawai__nama", "pegawai__nip")
    )
    for r in agg:
        total.append([r["pegawai__nip"], r["pegawai__nama"], r["n"], r["menit"], r["diterima"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
