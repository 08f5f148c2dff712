"""Celery tasks of the core app: thin, take ids, idempotent."""

import logging
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from kinerja.models import Instansi
from kinerja.tenancy import TenantTask

logger = logging.getLogger(__name__)


def enqueue_safely(task: Any, *args: Any, job_id: int | None = None, **kwargs: Any) -> bool:
    """Queue ``task`` now; if the queue (Redis) is down, log it and return False instead of raising.

    Meant for ``transaction.on_commit(lambda: enqueue_safely(task, tenant_id, obj_id))``: the
    committed change stands, the user gets their page, and the work is re-queued later (the task is
    idempotent; a job row stays ``antri`` with a message and the task to send, and the page or API
    that polls it re-queues it: ``kinerja.services.jobs.job_requeue_waiting``).
    """
    from kinerja.resilience import TaskQueueUnavailable, is_queue_down

    try:
        # ``delay`` rather than ``apply_async``: a routing override of ``delay`` (test workers) applies.
        task.delay(*args, **kwargs)
    except TaskQueueUnavailable as exc:
        cause: BaseException = exc.__cause__ or exc
    except Exception as exc:
        if not is_queue_down(exc):
            raise
        cause = exc
    else:
        return True
    logger.error("queue unavailable: %s%r not queued (%s)", getattr(task, "name", task), args, cause)
    if job_id is not None:
        from kinerja.services.jobs import job_mark_waiting

        job_mark_waiting(
            job_id=job_id,
            pesan="Menunggu antrean tugas (layanan antrean sedang tidak tersedia).",
            task=getattr(task, "name", None),
            args=args,
            kwargs=kwargs,
        )
    return False


@shared_task(base=TenantTask, name="kinerja.tasks.delegasi_sync_task")
def delegasi_sync_task(tenant_id: int) -> dict[str, int]:
    from kinerja.services.delegasi import delegasi_sync

    granted, revoked = delegasi_sync(instansi=Instansi.objects.get(pk=tenant_id))
    return {"granted": granted, "revoked": revoked}


@shared_task(name="kinerja.tasks.delegasi_sync_all_task")
def delegasi_sync_all_task() -> int:
    """Coordinator: one tenant task per active instansi."""
    ids = list(Instansi.objects.filter(aktif=True).values_list("pk", flat=True))
    for pk in ids:
        delegasi_sync_task.delay(pk)
    return len(ids)


@shared_task(name="kinerja.tasks.job_antri_sweep_task")
def job_antri_sweep_task() -> int:
    """Coordinator (beat, every minute): re-send the jobs that wait for the queue after an outage."""
    from kinerja.services.jobs import job_requeue_waiting_all

    return job_requeue_waiting_all()


@shared_task(name="kinerja.tasks.job_mati_sweep_task")
def job_mati_sweep_task() -> int:
    """Coordinator (beat, every minute): fail the running jobs whose worker died (no heartbeat)."""
    from kinerja.services.jobs import job_dead_sweep

    return job_dead_sweep()


@shared_task(name="kinerja.tasks.ping")
def ping(value: int) -> int:
    """Health probe used by the worker test and the ops drill."""
    return value + 1


@shared_task(name="kinerja.tasks.token_purge_expired_task")
def token_purge_expired_task() -> int:
    """Platform (beat, daily): delete expired API tokens of every user (refused anyway; keeps the table small)."""
    from kinerja.services.auth import token_purge_expired

    return token_purge_expired()


@shared_task(
    base=TenantTask,
    name="kinerja.tasks.ekspor_tabel_task",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
    acks_late=True,  # idempotent: a finished job is left alone
)
def ekspor_tabel_task(tenant_id: int, job_id: int) -> int | None:
    """A tabular export (XLSX/CSV) started from the API, as a job with a downloadable result."""
    from kinerja.services.ekspor import ekspor_tabel_run

    job = ekspor_tabel_run(job_id=job_id)
    return job.pk if job is not None else None


@shared_task(
    base=TenantTask,
    name="kinerja.tasks.impor_pegawai_task",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
    acks_late=True,  # idempotent: a finished job is left alone; the import itself is an upsert
)
def impor_pegawai_task(tenant_id: int, job_id: int) -> int | None:
    """A pegawai import started from the API (``POST impor/``): same service as the import page."""
    from kinerja.services.ekspor import impor_job_run

    job = impor_job_run(job_id=job_id)
    return job.pk if job is not None else None
