"""Celery tasks of the evaluation app: thin, take (tenant_id, ids), idempotent."""

from typing import Any

from celery import shared_task

from kinerja.tenancy import TenantTask


@shared_task(
    base=TenantTask,
    name="evaluasi.tasks.tahunan_batch_task",
    acks_late=True,  # proven idempotent and resumable: a redelivery after a worker death finishes the rest
    reject_on_worker_lost=True,
    soft_time_limit=4 * 60 * 60,
    time_limit=4 * 60 * 60 + 300,
)
def tahunan_batch_task(tenant_id: int, job_id: int) -> dict[str, Any]:
    """Run (or resume) the year-end batch recorded by ``job_id`` in the instansi ``tenant_id``."""
    from evaluasi.batch import tahunan_batch_run

    return tahunan_batch_run(job_id=job_id)
