"""Live progress of a background job: an htmx partial that polls itself until the job ends.

A job started while the task queue was down waits ("Menunggu antrean tugas"); every poll offers it to
``job_requeue_waiting``, which re-sends it (throttled) once the queue is back."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from kinerja.models import Job, JobStatus
from kinerja.selectors.jobs import job_visible_to
from kinerja.services.jobs import job_requeue_waiting
from kinerja.web import request_roles, tenant_view


def _visible(request: HttpRequest) -> QuerySet[Job]:
    return job_visible_to(instansi=request.instansi, user=request.user, roles=request_roles(request))  # type: ignore[arg-type,attr-defined]


@tenant_view()
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible(request).filter(pk=pk).first()
    if job is None:
        raise Http404()
    job_requeue_waiting(job=job)  # started while the queue was down: send it now that it may be back
    running = job.status in (JobStatus.ANTRI, JobStatus.BERJALAN)
    return render(request, "kinerja/_job_progress.html", {"job": job, "running": running})


@tenant_view()
def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The job's result file, access-checked (never a public URL)."""
    from django.http import FileResponse

    job = _visible(request).filter(pk=pk, status=JobStatus.SELESAI).first()
    if job is None or not job.hasil:
        raise Http404()
    filename = (job.hasil.name or "hasil").rsplit("/", 1)[-1]
    return FileResponse(job.hasil.open("rb"), as_attachment=True, filename=filename)
