"""The inspectors' export of the SIASN exchange: every payload sent and SIASN's answer, per pegawai."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from evaluasi.models import LogSiasn
from kinerja.models import Instansi

KOLOM = [
    "waktu", "nip", "jenis", "endpoint", "hasil", "http_status", "siasn_id", "payload_sha256", "versi_kode",
    "pesan", "payload", "jawaban_siasn",
]  # fmt: skip


def siasn_audit_rows(*, instansi: Instansi, tahun: int) -> Iterator[list[Any]]:
    """Rows of ``LogSiasn`` of ``instansi`` and ``tahun``, oldest first (streamed, constant memory)."""
    qs = LogSiasn.objects.filter(instansi=instansi, tahun=tahun).order_by("created_at", "id")
    for r in qs.iterator(2000):
        yield [
            r.created_at.isoformat(),
            r.nip,
            r.jenis,
            r.endpoint,
            r.hasil,
            r.http_status or "",
            r.siasn_id,
            r.payload_hash,
            r.versi_kode,
            r.pesan,
            json.dumps(r.payload, ensure_ascii=False, sort_keys=True),
            json.dumps(r.jawaban, ensure_ascii=False, sort_keys=True) if r.jawaban is not None else "",
        ]


def siasn_audit_response(
    *, instansi: Instansi, tahun: int, format: str = "csv"
) -> HttpResponse | StreamingHttpResponse:
    """The export as a download (the page and ``GET api/v1/siasn/audit/``): XLSX, or CSV streamed."""
    nama = f"siasn-{instansi.kode}-{tahun}"
    if format == "xlsx":
        from kinerja.documents import write_xlsx

        data = write_xlsx(KOLOM, siasn_audit_rows(instansi=instansi, tahun=tahun), title=f"SIASN {tahun}")
        resp = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        resp["Content-Disposition"] = f'attachment; filename="{nama}.xlsx"'
        return resp
    from kinerja.csv_aman import csv_writer

    def stream() -> Iterator[str]:
        buf = io.StringIO()
        w = csv_writer(buf)
        w.writerow(KOLOM)
        for row in siasn_audit_rows(instansi=instansi, tahun=tahun):
            w.writerow(row)
            if buf.tell() > 64_000:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    resp2 = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    resp2["Content-Disposition"] = f'attachment; filename="{nama}.csv"'
    return resp2
