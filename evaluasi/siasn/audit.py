"""The inspectors' export of the SIASN exchange: every payload sent and SIASN's answer, per pegawai."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

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
