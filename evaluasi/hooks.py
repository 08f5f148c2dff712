"""Extension points of the evaluation workflow for other teams. Each hook must be idempotent: the
year-end batch can be re-run, and it calls them again for the same instansi and year.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def on_tahunan_finalised(instansi_id: int, tahun: int) -> None:
    """Called once per completed (non-dry) year-end batch run, after every chunk has committed.

    Queues the documents: the signed Dokumen Evaluasi Kinerja of every final annual evaluation that
    has none yet (in chunks, so several workers render in parallel) and the Penetapan Predikat of
    every unit (``evaluasi.tasks.dokumen_tahunan_task``). Idempotent: a re-run queues only what is
    still missing, and the render tasks skip versions already signed.
    """
    from evaluasi.tasks import dokumen_tahunan_task
    from kinerja.tasks import enqueue_safely

    transaction.on_commit(lambda: enqueue_safely(dokumen_tahunan_task, instansi_id, tahun))


def on_evaluasi_dinilai(evaluasi: Any) -> None:
    """A rating or a keberatan decision changed what the evaluation's document shows: queue the new
    signed version (after commit; a no-op while the evaluation may not have a document yet)."""
    from evaluasi.documents import evaluasi_dokumen_alasan, evaluasi_dokumen_versi
    from evaluasi.services_dokumen import evaluasi_dokumen_antrikan

    if not evaluasi_dokumen_alasan(evaluasi):
        evaluasi_dokumen_antrikan(evaluasi=evaluasi, versi=evaluasi_dokumen_versi(evaluasi))


def notify_evaluasi_final(*, instansi_id: int, tahun: int, pegawai_ids: list[int]) -> int:
    """Tell pegawai that their annual evaluation is final (and that the keberatan window is open).

    Called inside each batch chunk's transaction with the pegawai that chunk finalised, so each is
    notified exactly once (and a re-run, by the notification key, not again). One set-based
    ``dialog.services.notifikasi.notifikasi_create_bulk`` call with the pegawai ids (no lookup of their
    users first; a per-pegawai ``notifikasi_create`` would make the batch O(n) queries). Returns the number of
    pegawai it was called for.
    """
    if not pegawai_ids:
        return 0
    try:
        from dialog.services.notifikasi import notifikasi_create_bulk
    except ImportError:
        logger.info(
            "notifikasi evaluasi final: %d pegawai (dialog.services.notifikasi_create_bulk belum ada)",
            len(pegawai_ids),
        )
        return 0
    notifikasi_create_bulk(
        instansi=instansi_id,
        pegawai_ids=pegawai_ids,
        jenis="evaluasi_final",
        judul=f"Evaluasi kinerja tahunan {tahun} telah final",
        pesan=(
            f"Predikat kinerja tahunan {tahun} Anda telah ditetapkan. Anda dapat melihat hasil dan dasarnya, "
            "serta mengajukan keberatan dalam batas waktu yang berlaku."
        ),
        tautan="/evaluasi/",
        kunci=f"evaluasi-tahunan-final-{tahun}",
    )
    return len(pegawai_ids)


def notify_satu(
    *, instansi_id: int, penerima: Any, judul: str, pesan: str, tautan: str, aktor: Any = None
) -> None:
    """One in-app notification through ``dialog.services.notifikasi.notifikasi_create`` (skipped if absent).
    Called inside the caller's transaction, so it commits (and emails after commit) with the change."""
    if penerima is None:
        return
    try:
        from dialog.services.notifikasi import notifikasi_create
    except ImportError:
        return
    notifikasi_create(
        instansi=instansi_id,
        penerima=penerima,
        jenis="keberatan",
        judul=judul,
        pesan=pesan,
        tautan=tautan,
        aktor=aktor,
    )
