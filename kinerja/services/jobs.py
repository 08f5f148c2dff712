"""Job bookkeeping used by every long task. Progress updates are single-row UPDATEs (no lock)."""

import datetime as dt
import importlib
import json
import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kinerja.models import Instansi, Job, JobStatus, User
from kinerja.services.audit import audit_log

logger = logging.getLogger(__name__)


@transaction.atomic
def job_create(
    *, actor: User | None, instansi: Instansi, jenis: str, params: dict[str, Any] | None = None
) -> Job:
    """Record a queued job (the caller enqueues the task on commit). Audited."""
    job = Job.objects.create(instansi=instansi, jenis=jenis, params=params or {}, dibuat_oleh=actor)
    audit_log(actor=actor, instansi=instansi, action=f"job.{jenis}", obj=job, after=params or {})
    return job


def job_start(*, job_id: int, total: int) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.BERJALAN, total=total, done=0, started_at=now, heartbeat_at=now, pesan=""
    )


def job_advance(*, job_id: int, by: int, detail: dict[str, Any] | None = None) -> None:
    """Progress of a running job; also its heartbeat (a job that stops advancing lost its worker)."""
    updates: dict[str, Any] = {"done": F("done") + by, "heartbeat_at": timezone.now()}
    if detail is not None:
        updates["detail"] = detail
    Job.objects.filter(pk=job_id).update(**updates)


def job_set_detail(*, job_id: int, detail: dict[str, Any]) -> None:
    Job.objects.filter(pk=job_id).update(detail=detail, heartbeat_at=timezone.now())


def job_finish(*, job_id: int, detail: dict[str, Any] | None = None) -> None:
    updates: dict[str, Any] = {"status": JobStatus.SELESAI, "finished_at": timezone.now(), "done": F("total")}
    if detail is not None:
        updates["detail"] = detail
    Job.objects.filter(pk=job_id).update(**updates)


def job_fail(*, job_id: int, pesan: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.GAGAL, finished_at=timezone.now(), pesan=pesan[:2000]
    )


#: ``Job.detail`` key of a job whose task could not be sent: ``{"task": name, "args": [...], "kwargs": {...}}``.
WAITING_KEY = "antrean"
#: A waiting job is re-sent at most this often (per job, across processes: ``cache.add``).
REQUEUE_SECONDS = 30
#: The periodic sweep (``job_requeue_waiting_all``) re-sends jobs waiting since at most this long, oldest
#: first, this many per run; an older one stays waiting (its page or the API still re-sends it when polled).
SWEEP_MAX_AGE = dt.timedelta(days=7)
SWEEP_LIMIT = 500


def job_mark_waiting(
    *,
    job_id: int,
    pesan: str,
    task: str | None = None,
    args: list[Any] | tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
) -> None:
    """A queued job whose task could not be sent: stays ``antri``, with a message for the UI.

    With ``task`` (its Celery name) and JSON-serialisable arguments the job also records what to
    send, so ``job_requeue_waiting`` can re-queue it once the queue is back.
    """
    updates: dict[str, Any] = {"pesan": pesan[:2000]}
    if task:
        marker = {"task": task, "args": list(args), "kwargs": dict(kwargs or {})}
        try:
            json.dumps(marker)
        except (TypeError, ValueError):
            logger.warning("job %s: task arguments not JSON-serialisable; it cannot be re-queued", job_id)
        else:
            detail = Job._base_manager.filter(pk=job_id).values_list("detail", flat=True).first()
            updates["detail"] = {**(detail or {}), WAITING_KEY: marker}
    Job._base_manager.filter(pk=job_id, status=JobStatus.ANTRI).update(**updates)  # id from our own code


def job_is_waiting(job: Job) -> bool:
    """Queued, but its task was never sent (the queue was down when it started)."""
    return job.status == JobStatus.ANTRI and isinstance((job.detail or {}).get(WAITING_KEY), dict)


def _task_by_name(name: str) -> Any:
    from celery import current_app

    task = current_app.tasks.get(name)
    if task is None:  # a web process registers tasks as their modules are imported
        try:
            importlib.import_module(name.rpartition(".")[0])
        except (ImportError, ValueError):
            return None
        task = current_app.tasks.get(name)
    return task


def job_requeue_waiting(*, job: Job) -> bool:
    """Send the task of a job that is waiting for the queue again; True if it was sent now.

    Called by whatever polls a job (the htmx progress partial, ``GET /api/v1/jobs/{id}/``), so a
    job started while Redis was down starts by itself once Redis is back. At most one attempt per
    job every ``REQUEUE_SECONDS`` across processes (``cache.add``; while the cache, i.e. Redis, is
    down, no attempt is made at all). Only jobs marked by ``job_mark_waiting`` are re-sent: their
    task never reached the queue, so there is no duplicate; the tasks are idempotent anyway. A failed
    attempt leaves the job waiting (``enqueue_safely`` marks it again). Updates ``job`` in place.
    """
    if not job_is_waiting(job):
        return False
    marker = job.detail[WAITING_KEY]
    args = list(marker.get("args") or [])
    task = _task_by_name(str(marker.get("task") or ""))
    if task is None or (args and args[0] != job.instansi_id):
        logger.error("job %s: cannot re-queue %r (unknown task or another instansi)", job.pk, marker)
        return False
    if not cache.add(f"job-antri:{job.pk}", 1, timeout=REQUEUE_SECONDS):
        return False
    from kinerja.tasks import enqueue_safely

    sent = enqueue_safely(task, *args, job_id=job.pk, **dict(marker.get("kwargs") or {}))
    if sent:
        # Clear the marker unless the worker has already replaced the detail (it clears the message).
        rest = {k: v for k, v in job.detail.items() if k != WAITING_KEY}
        Job._base_manager.filter(pk=job.pk, detail__has_key=WAITING_KEY).update(detail=rest, pesan="")
        logger.info("job %s: re-queued %s after a queue outage", job.pk, marker.get("task"))
    job.refresh_from_db(fields=["status", "detail", "pesan", "done", "total"])
    return sent


def job_requeue_waiting_all(*, limit: int = SWEEP_LIMIT) -> int:
    """Re-send every job still waiting for the queue; returns how many were sent now.

    The periodic task ``kinerja.tasks.job_antri_sweep_task`` calls it (Celery beat, every minute), so a
    job started while Redis was down also starts once Redis is back when nobody keeps its page open or
    polls the API. Platform-level (a coordinator: it runs as the owner role, over every instansi); each
    job goes through ``job_requeue_waiting``, which sends only the job's own tenant task and shares its
    per-job throttle with the pollers, so a sweep and a poll at the same moment send it once. Waiting
    jobs are rare (only those queued during an outage); the filter uses the ``status`` index."""
    since = timezone.now() - SWEEP_MAX_AGE
    jobs = Job._base_manager.filter(  # platform sweep: every instansi
        status=JobStatus.ANTRI, detail__has_key=WAITING_KEY, created_at__gte=since
    ).order_by("created_at", "pk")[:limit]
    return sum(1 for job in jobs if job_requeue_waiting(job=job))


#: Shown on the job page / API when the worker running a job died (killed, out of memory, machine lost).
PESAN_WORKER_MATI = (
    "Proses latar belakang berhenti tanpa selesai (worker mati). Jalankan ulang pekerjaan ini: "
    "yang sudah selesai tidak dikerjakan dua kali."
)


def job_dead_sweep(*, timeout: dt.timedelta | None = None) -> int:
    """Mark ``gagal`` every running job whose heartbeat is older than ``timeout``; returns how many.

    Every progress write of a running job (``job_start``/``job_advance``/``job_set_detail``) refreshes
    ``heartbeat_at``, and every long task writes progress at least once per chunk (seconds apart), so a
    job silent for ``KINERJA_JOB_HEARTBEAT_TIMEOUT`` (default 10 minutes) has lost its worker. Failing it
    with a message lets the admin re-run it (the tasks are idempotent and resumable); a task that was
    only slow and writes progress again is not undone: ``job_finish`` still marks it ``selesai``.
    Platform-level coordinator (beat, every minute); one UPDATE over the ``status`` index.
    """
    from django.conf import settings

    timeout = timeout or dt.timedelta(seconds=settings.KINERJA_JOB_HEARTBEAT_TIMEOUT)
    now = timezone.now()
    limit = now - timeout
    stale = Job._base_manager.filter(  # platform sweep: every instansi
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit),  # rows from before
        status=JobStatus.BERJALAN,
    )
    n = stale.update(status=JobStatus.GAGAL, finished_at=now, pesan=PESAN_WORKER_MATI)
    if n:
        logger.warning("%s running job(s) without a heartbeat for %s marked failed", n, timeout)
    return n
