"""Job bookkeeping used by every long task. Progress updates are single-row UPDATEs (no lock)."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kinerja.models import Instansi, Job, JobStatus, User
from kinerja.services.audit import audit_log


@transaction.atomic
def job_create(
    *, actor: User | None, instansi: Instansi, jenis: str, params: dict[str, Any] | None = None
) -> Job:
    """Record a queued job (the caller enqueues the task on commit). Audited."""
    job = Job.objects.create(instansi=instansi, jenis=jenis, params=params or {}, dibuat_oleh=actor)
    audit_log(actor=actor, instansi=instansi, action=f"job.{jenis}", obj=job, after=params or {})
    return job


def job_start(*, job_id: int, total: int) -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.BERJALAN, total=total, done=0, started_at=timezone.now(), pesan=""
    )


def job_advance(*, job_id: int, by: int, detail: dict[str, Any] | None = None) -> None:
    updates: dict[str, Any] = {"done": F("done") + by}
    if detail is not None:
        updates["detail"] = detail
    Job.objects.filter(pk=job_id).update(**updates)


def job_set_detail(*, job_id: int, detail: dict[str, Any]) -> None:
    Job.objects.filter(pk=job_id).update(detail=detail)


def job_finish(*, job_id: int, detail: dict[str, Any] | None = None) -> None:
    updates: dict[str, Any] = {"status": JobStatus.SELESAI, "finished_at": timezone.now(), "done": F("total")}
    if detail is not None:
        updates["detail"] = detail
    Job.objects.filter(pk=job_id).update(**updates)


def job_fail(*, job_id: int, pesan: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.GAGAL, finished_at=timezone.now(), pesan=pesan[:2000]
    )


def job_mark_waiting(*, job_id: int, pesan: str) -> None:
    """A queued job whose task could not be sent: stays ``antri``, with a message for the UI."""
    Job._base_manager.filter(pk=job_id, status=JobStatus.ANTRI).update(
        pesan=pesan[:2000]
    )  # id from our own code
