"""Evaluation documents: render + sign (called from Celery tasks only) and queue them.

``evaluasi_dokumen_antrikan`` / ``penetapan_dokumen_antrikan`` are what web and API code call: they queue
the idempotent task after the current transaction commits, at most once per ``REQUEUE_SECONDS`` per
document version, and survive a broker outage (``enqueue_safely``: the next poll queues again).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from evaluasi.documents import (
    EVALUASI_SUMBER,
    evaluasi_document_kwargs,
    evaluasi_dokumen_alasan,
    penetapan_document_kwargs,
)
from evaluasi.models import Evaluasi, JenisEvaluasi, StatusEvaluasi
from evaluasi.selectors import evaluasi_detail_queryset
from kinerja.dokumen_http import antrikan_sekali, lupakan_antrian
from kinerja.models import Dokumen, Instansi, JenisDokumen, Periode, UnitKerja
from kinerja.services.dokumen import DokumenUsang, dokumen_create_signed

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- render (tasks)


def evaluasi_dokumen_buat(
    *, instansi: Instansi, evaluasi_ids: list[int], versi: int | None = None
) -> list[int]:
    """Render + sign the current version of each evaluation's document (skipping those that may not
    have one yet, and versions already signed). Returns the Dokumen ids.

    Only the state saved last is ever signed: with ``versi`` (the row version the task was queued for,
    one evaluation) a task whose evaluation has been re-rated since does nothing (the newer rating queued
    its own task), and the document is stored only if the row still has the version it was rendered
    from, checked under the row lock in the storing transaction (a rating that commits during the render
    makes it discard its PDF)."""
    out = []
    for ev in evaluasi_detail_queryset(instansi=instansi).filter(pk__in=evaluasi_ids).order_by("pk"):
        if versi is not None and len(evaluasi_ids) == 1 and ev.versi != versi:
            logger.info("dokumen evaluasi %s: versi %s sudah diganti %s, dilewati", ev.pk, versi, ev.versi)
            continue
        if evaluasi_dokumen_alasan(ev):
            continue

        def masih_berlaku(pk: int = ev.pk, dibaca: int = ev.versi) -> bool:
            sekarang = (
                Evaluasi.objects.select_for_update().filter(pk=pk).values_list("versi", flat=True).first()
            )
            return sekarang == dibaca

        try:
            dok = dokumen_create_signed(**evaluasi_document_kwargs(ev=ev), masih_berlaku=masih_berlaku)
        except DokumenUsang:
            logger.info("dokumen evaluasi %s: dinilai ulang selama dirender, tidak disimpan", ev.pk)
            continue
        out.append(dok.pk)
    return out


def penetapan_dokumen_buat(
    *, instansi: Instansi, unit_id: int, tahun: int, periode_id: int | None
) -> int | None:
    unit = UnitKerja.objects.filter(instansi=instansi, pk=unit_id).first()
    if unit is None:
        return None
    periode = None
    if periode_id is not None:
        periode = Periode.objects.filter(instansi=instansi, pk=periode_id).first()
        if periode is None:
            return None
    kwargs = penetapan_document_kwargs(instansi=instansi, unit=unit, tahun=tahun, periode=periode)
    return dokumen_create_signed(**kwargs).pk


def _tahunan_final(*, instansi: Instansi, tahun: int) -> tuple[QuerySet[Dokumen], QuerySet[Evaluasi]]:
    """(an evaluation's documents, for ``Exists``; the year's final annual evaluations with a predikat)."""
    punya = Dokumen.objects.filter(
        instansi=instansi,
        jenis=JenisDokumen.EVALUASI_KINERJA,
        sumber_type=EVALUASI_SUMBER,
        sumber_id=OuterRef("pk"),
    )
    tahunan = Evaluasi.objects.filter(
        instansi=instansi, tahun=tahun, jenis=JenisEvaluasi.TAHUNAN, status=StatusEvaluasi.FINAL
    ).exclude(predikat="")
    return punya, tahunan


def dokumen_tahunan_antrikan(*, instansi: Instansi, tahun: int) -> dict[str, int]:
    """After the year-end batch: queue the annual documents that are missing, in chunks, and the
    Penetapan Predikat of every unit with annual evaluations. Idempotent (re-runs queue only what is
    still missing; the tasks themselves skip what exists). Two queries."""
    if not getattr(settings, "EVALUASI_DOKUMEN_TAHUNAN_OTOMATIS", True):
        return {"evaluasi": 0, "tugas": 0, "unit": 0}
    from evaluasi.tasks import evaluasi_dokumen_task, penetapan_dokumen_task

    punya, tahunan = _tahunan_final(instansi=instansi, tahun=tahun)
    ids = list(tahunan.filter(~Exists(punya)).order_by("pk").values_list("pk", flat=True))
    size = max(1, int(getattr(settings, "EVALUASI_DOKUMEN_CHUNK", 20)))
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    queue = settings.KINERJA_QUEUE_MASSAL  # bulk: never in front of a PDF someone is waiting for
    for chunk in chunks:
        evaluasi_dokumen_task.apply_async(args=(instansi.pk, chunk), queue=queue)
    units = list(tahunan.order_by().values_list("unit_kerja_id", flat=True).distinct())
    for unit_id in units:
        penetapan_dokumen_task.apply_async(args=(instansi.pk, unit_id, tahun, None), queue=queue)
    logger.info(
        "dokumen tahunan %s/%s: %d evaluasi dalam %d tugas, %d unit",
        instansi.pk,
        tahun,
        len(ids),
        len(chunks),
        len(units),
    )
    return {"evaluasi": len(ids), "tugas": len(chunks), "unit": len(units)}


def dokumen_tahunan_status(*, instansi: Instansi, tahun: int) -> dict[str, int]:
    """How many final annual evaluations have their signed document (for the batch result page)."""
    punya, tahunan = _tahunan_final(instansi=instansi, tahun=tahun)
    return {"final": tahunan.count(), "dokumen": tahunan.filter(Exists(punya)).count()}


# ---------------------------------------------------------------- queue (web, API, hooks)


def evaluasi_dokumen_antrikan(*, evaluasi: Evaluasi, versi: str = "") -> bool:
    """Queue the render of ``evaluasi``'s document after commit (throttled per content version ``versi``),
    for the row version ``evaluasi.versi`` the caller saw (the task skips it once re-rated)."""
    from evaluasi.tasks import evaluasi_dokumen_task

    return _antrikan(
        f"evaluasi:{evaluasi.pk}:{versi}",
        evaluasi_dokumen_task,
        evaluasi.instansi_id,
        [evaluasi.pk],
        evaluasi.versi,
    )


def penetapan_dokumen_antrikan(
    *, unit: UnitKerja, tahun: int, periode: Periode | None, versi: str = ""
) -> bool:
    from evaluasi.tasks import penetapan_dokumen_task

    periode_id = periode.pk if periode else None
    return _antrikan(
        f"penetapan:{unit.pk}:{tahun}:{periode_id}:{versi}",
        penetapan_dokumen_task,
        unit.instansi_id,
        unit.pk,
        tahun,
        periode_id,
    )


def _antrikan(kunci: str, task: Any, *args: Any) -> bool:
    from kinerja.tasks import enqueue_safely

    def enqueue() -> None:
        if not enqueue_safely(task, *args):
            lupakan_antrian(kunci)  # not queued: the next poll tries again

    return antrikan_sekali(kunci, lambda: transaction.on_commit(enqueue))
