"""Celery queues by kind of work, and the router that sends every task to its queue.

``CELERY_TASK_ROUTES`` (settings) names :func:`route_task`; the queue names are settings
(``KINERJA_QUEUE_*``, env-overridable), so a deployment can rename them without code changes:

==================  =====================================================================================
``interactive``     the default: feedback notifications, permission/delegation syncs, ping, anything new
``documents``       document rendering: SKP/evaluation PDFs, ZIPs, recaps, exports
``batch``           the year-end batch (``evaluasi.tasks.tahunan_batch_task``)
``periodic``        beat's fan-outs (``*_all_task``), sweeps, digests, reminders
``bulk_email``      the year-end batch's notification e-mails (``notifikasi_email_bulk_task``, rate-limited)
==================  =====================================================================================

The annual documents a finished batch hands off keep going to ``KINERJA_QUEUE_MASSAL`` (an explicit
``queue=`` on ``apply_async`` always wins over the route); the ``documents`` workers consume it too.

A process that moves its *default* queue at run time (``app.conf.task_default_queue``, as the tests
do to keep their tasks away from a developer's worker) sends every routed task there as well: a route
never takes a task out of such a private queue.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

INTERACTIVE = "interactive"
DOCUMENTS = "documents"
BATCH = "batch"
PERIODIC = "periodic"
BULK_EMAIL = "bulk_email"
KINDS = (INTERACTIVE, DOCUMENTS, BATCH, PERIODIC, BULK_EMAIL)

#: Task name -> kind of work. A task not listed here goes to the default queue (interactive).
TASK_KINDS: dict[str, str] = {
    # the year-end batch
    "evaluasi.tasks.tahunan_batch_task": BATCH,
    # document rendering (PDF, ZIP, recaps)
    "skp.tasks.skp_document_render_task": DOCUMENTS,
    "skp.tasks.skp_bulk_zip_task": DOCUMENTS,
    "skp.tasks.skp_rekap_pdf_task": DOCUMENTS,
    "skp.tasks.skp_matriks_pdf_task": DOCUMENTS,
    "evaluasi.tasks.evaluasi_dokumen_task": DOCUMENTS,
    "evaluasi.tasks.penetapan_dokumen_task": DOCUMENTS,
    "evaluasi.tasks.dokumen_tahunan_task": DOCUMENTS,
    # beat: fan-outs, sweeps, digests, reminders
    "dialog.tasks.digest_harian_all_task": PERIODIC,
    "dialog.tasks.pengingat_periode_all_task": PERIODIC,
    "dialog.tasks.penugasan_izin_sync_all_task": PERIODIC,
    "dialog.tasks.digest_harian_task": PERIODIC,
    "dialog.tasks.pengingat_periode_task": PERIODIC,
    "kinerja.tasks.delegasi_sync_all_task": PERIODIC,
    "kinerja.tasks.job_antri_sweep_task": PERIODIC,
    "kinerja.tasks.job_mati_sweep_task": PERIODIC,
    "kinerja.tasks.token_purge_expired_task": PERIODIC,
    "dialog.tasks.log_harian_pengingat_all_task": PERIODIC,
    "dialog.tasks.log_harian_pengingat_task": PERIODIC,
    # long bulk work started by an admin: the SIASN send (rate-limited, hours at 100k), imports, exports
    "evaluasi.tasks.siasn_kirim_task": BATCH,
    "kinerja.tasks.impor_pegawai_task": BATCH,
    "kinerja.tasks.ekspor_tabel_task": DOCUMENTS,
    # the batch's notification e-mails (a single feedback e-mail stays interactive)
    "dialog.tasks.notifikasi_email_bulk_task": BULK_EMAIL,
}
#: Name suffixes routed as a group (new document or export tasks follow the convention).
SUFFIX_KINDS: tuple[tuple[str, str], ...] = (
    ("_all_task", PERIODIC),
    ("_pdf_task", DOCUMENTS),
    ("_zip_task", DOCUMENTS),
    ("_export_task", DOCUMENTS),
)


def queue_name(kind: str) -> str:
    """The configured queue of a kind of work (``settings.KINERJA_QUEUES``)."""
    queues: dict[str, str] = settings.KINERJA_QUEUES
    return queues[kind]


def kind_of(task_name: str) -> str:
    kind = TASK_KINDS.get(task_name)
    if kind is not None:
        return kind
    for suffix, k in SUFFIX_KINDS:
        if task_name.endswith(suffix):
            return k
    return INTERACTIVE


def route_task(
    name: str, args: Any, kwargs: Any, options: dict[str, Any], task: Any = None, **kw: Any
) -> Any:
    """Celery router (``task_routes``): ``{"queue": ...}`` for ``name``, or None for the default queue."""
    from kinerja.celery import app

    if options.get("queue"):
        return None  # an explicit queue (the batch's document hand-off) wins
    if app.conf.task_default_queue != queue_name(INTERACTIVE):
        return None  # this process redirected its default queue (tests): everything follows it
    kind = kind_of(name)
    if kind == INTERACTIVE:
        return None
    return {"queue": queue_name(kind)}


def all_queues() -> list[str]:
    """Every queue a worker of ``make run`` consumes (the massal hand-off included)."""
    names = [queue_name(k) for k in KINDS]
    massal = settings.KINERJA_QUEUE_MASSAL
    return [*names, massal] if massal not in names else names
