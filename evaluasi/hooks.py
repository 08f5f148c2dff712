"""Extension points of the evaluation workflow for other teams. Each hook must be idempotent: the
year-end batch can be re-run, and it calls them again for the same instansi and year.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def on_tahunan_finalised(instansi_id: int, tahun: int) -> None:
    """Called once per completed (non-dry) year-end batch run, after every chunk has committed.

    The documents team plugs in here (render and sign the annual evaluation documents and the
    "penetapan predikat" per unit). A no-op for now.
    """
    logger.info(
        "evaluasi tahunan final: instansi=%s tahun=%s (hook dokumen belum terpasang)", instansi_id, tahun
    )


def notify_evaluasi_final(*, instansi_id: int, tahun: int, pegawai_ids: list[int]) -> int:
    """Tell pegawai that their annual evaluation is final (and that the keberatan window is open).

    Called inside each batch chunk's transaction with the pegawai that chunk finalised, so each is
    notified exactly once. Uses ``dialog.services.notifikasi_create_bulk(*, instansi, penerima_ids,
    jenis, judul, pesan, tautan, kunci)`` (user ids; set-based) when the dialog app provides it; until
    then this is the hook to connect (a per-pegawai ``notifikasi_create`` would make the batch O(n)).
    Returns the number notified.
    """
    if not pegawai_ids:
        return 0
    try:
        from dialog.services import notifikasi_create_bulk
    except ImportError:
        logger.info(
            "notifikasi evaluasi final: %d pegawai (dialog.services.notifikasi_create_bulk belum ada)",
            len(pegawai_ids),
        )
        return 0
    from kinerja.models import Pegawai

    user_ids = list(
        Pegawai._base_manager.filter(instansi_id=instansi_id, pk__in=pegawai_ids).values_list(
            "user_id", flat=True
        )
    )
    notifikasi_create_bulk(
        instansi=instansi_id,
        penerima_ids=user_ids,
        jenis="evaluasi_final",
        judul=f"Evaluasi kinerja tahunan {tahun} telah final",
        pesan=(
            f"Predikat kinerja tahunan {tahun} Anda telah ditetapkan. Anda dapat melihat hasil dan dasarnya, "
            "serta mengajukan keberatan dalam batas waktu yang berlaku."
        ),
        tautan="/evaluasi/",
        kunci=f"evaluasi-tahunan-final-{tahun}",
    )
    return len(user_ids)


def notify_satu(
    *, instansi_id: int, penerima: Any, judul: str, pesan: str, tautan: str, aktor: Any = None
) -> None:
    """One in-app notification through ``dialog.services.notifikasi_create`` (skipped if absent).
    Called inside the caller's transaction, so it commits (and emails after commit) with the change."""
    if penerima is None:
        return
    try:
        from dialog.services import notifikasi_create
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
