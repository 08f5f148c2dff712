"""Live progress of a background job: an htmx partial that polls itself until the job ends."""

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from kinerja.models import Job, JobStatus, Role
from kinerja.web import request_roles, tenant_view


@tenant_view()
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Job.objects.filter(instansi=request.instansi)  # type: ignore[attr-defined]
    if not {Role.ADMIN_INSTANSI, Role.HR_VIEWER, Role.PLATFORM_ADMIN} & set(request_roles(request)):
        qs = qs.filter(dibuat_oleh_id=request.user.pk)
    job = qs.filter(pk=pk).first()
    if job is None:
        raise Http404()
    running = job.status in (JobStatus.ANTRI, JobStatus.BERJALAN)
    return render(request, "kinerja/_job_progress.html", {"job": job, "running": running})


@tenant_view()
def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The job's result file, access-checked (never a public URL)."""
    from django.http import FileResponse

    qs = Job.objects.filter(instansi=request.instansi, status=JobStatus.SELESAI)  # type: ignore[attr-defined]
    if not {Role.ADMIN_INSTANSI, Role.HR_VIEWER, Role.PLATFORM_ADMIN} & set(request_roles(request)):
        qs = qs.filter(dibuat_oleh_id=request.user.pk)
    job = qs.filter(pk=pk).first()
    if job is None or not job.hasil:
        raise Http404()
    filename = (job.hasil.name or "hasil").rsplit("/", 1)[-1]
    return FileResponse(job.hasil.open("rb"), as_attachment=True, filename=filename)
