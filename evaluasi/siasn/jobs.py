"""The SIASN send run as a background job (admin page): start, run with progress, per-pegawai results."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from evaluasi.models import LogSiasn
from evaluasi.siasn.client import SiasnAuthError
from evaluasi.siasn.config import SiasnBelumDiatur, siasn_config_for
from evaluasi.siasn.kirim import SEMUA_JENIS, HasilKirim, siasn_kirim
from kinerja.exceptions import ApplicationError, InvalidTransition
from kinerja.models import Instansi, Job, JobStatus, User
from kinerja.services.jobs import job_advance, job_create, job_fail, job_finish, job_start

logger = logging.getLogger(__name__)

JOB_SIASN = "siasn_kirim"


def siasn_kirim_start(
    *, actor: User, instansi: Instansi, tahun: int, jenis: tuple[str, ...] = SEMUA_JENIS
) -> Job:
    """admin_instansi: queue a send run of ``tahun`` (400 without settings, 409 while one runs)."""
    try:
        siasn_config_for(instansi.kode)
    except SiasnBelumDiatur as exc:
        raise ApplicationError(str(exc), errors={"tahun": [str(exc)]}) from None
    if Job.objects.filter(
        instansi=instansi, jenis=JOB_SIASN, status__in=[JobStatus.ANTRI, JobStatus.BERJALAN]
    ).exists():
        raise InvalidTransition(_("Pengiriman ke SIASN sedang berjalan; tunggu sampai selesai."))
    job = job_create(
        actor=actor, instansi=instansi, jenis=JOB_SIASN, params={"tahun": tahun, "jenis": list(jenis)}
    )
    from evaluasi.tasks import siasn_kirim_task
    from kinerja.tasks import enqueue_safely

    instansi_id, job_id = instansi.pk, job.pk
    transaction.on_commit(lambda: enqueue_safely(siasn_kirim_task, instansi_id, job_id, job_id=job_id))
    return job


def siasn_kirim_job_run(*, job_id: int) -> dict[str, Any]:
    """Run (or resume) the job: the service is idempotent, a redelivered task sends only what is left."""
    job = Job.objects.select_related("instansi", "dibuat_oleh").get(pk=job_id, jenis=JOB_SIASN)
    if job.status == JobStatus.SELESAI:
        return dict(job.detail or {})
    state = {"done": 0, "mulai": False}

    def progres(done: int, hasil: HasilKirim) -> None:
        if not state["mulai"]:
            job_start(job_id=job_id, total=hasil.total)
            state["mulai"] = True
        job_advance(job_id=job_id, by=done - state["done"], detail=hasil.ringkas())
        state["done"] = done

    try:
        hasil = siasn_kirim(
            instansi=job.instansi,
            tahun=int(job.params["tahun"]),
            jenis=tuple(job.params.get("jenis") or SEMUA_JENIS),
            job_id=job_id,
            actor=job.dibuat_oleh,
            progres=progres,
        )
    except (SiasnAuthError, SiasnBelumDiatur, InvalidTransition) as exc:
        job_fail(job_id=job_id, pesan=getattr(exc, "pesan", None) or str(exc))
        return {"gagal": str(exc)}
    if not state["mulai"]:
        job_start(job_id=job_id, total=hasil.total)
    detail = hasil.ringkas()
    job_finish(job_id=job_id, detail=detail)
    return detail


def siasn_log_job(*, instansi: Instansi, job: Job, hasil: str | None = None) -> Any:
    """The per-pegawai rows of one run (sent / failed), failures first; for the result table."""
    qs = LogSiasn.objects.filter(instansi=instansi, job=job).order_by(
        "hasil", "nip", "id"
    )  # gagal < terkirim
    if hasil:
        qs = qs.filter(hasil=hasil)
    return qs.only("id", "nip", "jenis", "hasil", "http_status", "pesan", "siasn_id", "created_at")
