"""Celery tasks of the evaluation app: thin, take (tenant_id, ids), idempotent."""

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

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


@shared_task(
    base=TenantTask,
    name="evaluasi.tasks.siasn_kirim_task",
    acks_late=True,  # idempotent and resumable: a redelivery sends only what SIASN does not have yet
    reject_on_worker_lost=True,
    soft_time_limit=12 * 60 * 60,  # 100k pegawai at 20 requests/s is ~2.8 h (docs/performance.md)
    time_limit=12 * 60 * 60 + 300,
)
def siasn_kirim_task(tenant_id: int, job_id: int) -> dict[str, Any]:
    """Send the year recorded by ``job_id`` to SIASN (evaluasi.siasn.jobs)."""
    from evaluasi.siasn.jobs import siasn_kirim_job_run

    return siasn_kirim_job_run(job_id=job_id)


# ---------------------------------------------------------------------------------------------- documents

DOKUMEN_RETRY: dict[str, Any] = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_kwargs": {"max_retries": 5},
    "acks_late": True,  # every document task is idempotent (dokumen_create_signed is, per source version)
}


@shared_task(base=TenantTask, name="evaluasi.tasks.evaluasi_dokumen_task", **DOKUMEN_RETRY)
def evaluasi_dokumen_task(tenant_id: int, evaluasi_ids: list[int], versi: int | None = None) -> list[int]:
    """Render + sign the Dokumen Evaluasi Kinerja of these evaluations (those that may have one and
    lack the current version). ``versi``: the row version one evaluation was queued for (a task for a
    state that was re-rated since does nothing). Returns the Dokumen ids."""
    from evaluasi.services_dokumen import evaluasi_dokumen_buat
    from kinerja.models import Instansi

    return evaluasi_dokumen_buat(
        instansi=Instansi.objects.get(pk=tenant_id), evaluasi_ids=evaluasi_ids, versi=versi
    )


@shared_task(base=TenantTask, name="evaluasi.tasks.penetapan_dokumen_task", **DOKUMEN_RETRY)
def penetapan_dokumen_task(
    tenant_id: int, unit_id: int, tahun: int, periode_id: int | None = None
) -> int | None:
    """Render + sign the Penetapan Predikat of one unit for a year (or period), current content."""
    from evaluasi.services_dokumen import penetapan_dokumen_buat
    from kinerja.models import Instansi

    return penetapan_dokumen_buat(
        instansi=Instansi.objects.get(pk=tenant_id), unit_id=unit_id, tahun=tahun, periode_id=periode_id
    )


@shared_task(base=TenantTask, name="evaluasi.tasks.dokumen_tahunan_task", **DOKUMEN_RETRY)
def dokumen_tahunan_task(tenant_id: int, tahun: int) -> dict[str, int]:
    """Coordinator after the year-end batch: one task per chunk of final annual evaluations without a
    document, and one per unit for the Penetapan Predikat (workers render them in parallel)."""
    from evaluasi.services_dokumen import dokumen_tahunan_antrikan
    from kinerja.models import Instansi

    return dokumen_tahunan_antrikan(instansi=Instansi.objects.get(pk=tenant_id), tahun=tahun)
