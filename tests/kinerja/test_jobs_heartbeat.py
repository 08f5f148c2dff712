"""A job whose worker died (killed as a whole, out of memory) does not stay "berjalan" forever.

Every progress write of a running job refreshes its heartbeat; beat's ``job_mati_sweep_task`` fails the
running jobs silent for longer than ``KINERJA_JOB_HEARTBEAT_TIMEOUT`` with a message the admin can act on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.conf import settings
from django.utils import timezone
from django_scopes import scope

from kinerja.models import Job, JobStatus
from kinerja.services.jobs import (
    PESAN_WORKER_MATI,
    job_advance,
    job_create,
    job_finish,
    job_start,
)
from kinerja.tasks import job_mati_sweep_task
from tests.conftest import Org


def _job(org: Org) -> Job:
    with scope(instansi=org.instansi.pk):
        return job_create(actor=None, instansi=org.instansi, jenis="uji_heartbeat")


def _in(job: Job, fn: Any, **kw: Any) -> None:
    """Run a progress call as the job's task does: inside its instansi scope."""
    with scope(instansi=job.instansi_id):
        fn(job_id=job.pk, **kw)


def _status(job: Job) -> tuple[str, str]:
    row = Job._base_manager.get(pk=job.pk)
    return row.status, row.pesan


def test_sweep_fails_only_running_jobs_without_a_heartbeat(org_a: Org, org_b: Org) -> None:
    # the sweep is on beat's schedule, every minute
    beat = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert beat["kinerja.tasks.job_mati_sweep_task"] == 60
    timeout = dt.timedelta(seconds=settings.KINERJA_JOB_HEARTBEAT_TIMEOUT)
    t0 = timezone.now()
    # given, in two instansi: a job whose worker died mid-run (A), one still advancing (B),
    # one queued and never started (A), one finished (B)
    mati, hidup, antri, selesai = _job(org_a), _job(org_b), _job(org_a), _job(org_b)
    with time_machine.travel(t0, tick=False):
        _in(mati, job_start, total=10)
        _in(mati, job_advance, by=1)
        _in(hidup, job_start, total=10)
        _in(selesai, job_start, total=1)
        _in(selesai, job_finish)
    with time_machine.travel(t0 + timeout - dt.timedelta(seconds=30), tick=False):
        _in(hidup, job_advance, by=1)  # the live worker writes progress
        assert job_mati_sweep_task() == 0  # nobody is late yet
    # when the sweep runs after the timeout
    with time_machine.travel(t0 + timeout + dt.timedelta(seconds=1), tick=False):
        assert job_mati_sweep_task() == 1
    # then only the silent running job failed, with a message saying what to do
    assert _status(mati) == (JobStatus.GAGAL, PESAN_WORKER_MATI)
    assert "Jalankan ulang" in PESAN_WORKER_MATI
    assert _status(hidup) == (JobStatus.BERJALAN, "")
    assert _status(antri)[0] == JobStatus.ANTRI
    assert _status(selesai)[0] == JobStatus.SELESAI
    # a second sweep finds nothing more
    with time_machine.travel(t0 + timeout + dt.timedelta(seconds=2), tick=False):
        assert job_mati_sweep_task() == 0


def test_running_rows_from_before_the_heartbeat_column_are_swept_by_start_time(org_a: Org) -> None:
    job = _job(org_a)
    Job._base_manager.filter(pk=job.pk).update(
        status=JobStatus.BERJALAN, started_at=timezone.now() - dt.timedelta(hours=2), heartbeat_at=None
    )
    assert job_mati_sweep_task() == 1
    assert _status(job)[0] == JobStatus.GAGAL


def test_a_slow_job_wrongly_failed_still_finishes(org_a: Org, settings: Any) -> None:
    settings.KINERJA_JOB_HEARTBEAT_TIMEOUT = 1
    job = _job(org_a)
    t0 = timezone.now()
    with time_machine.travel(t0, tick=False):
        _in(job, job_start, total=2)
    with time_machine.travel(t0 + dt.timedelta(seconds=5), tick=False):
        assert job_mati_sweep_task() == 1
        _in(job, job_advance, by=1)  # the task was only slow
        _in(job, job_finish)
    assert Job._base_manager.get(pk=job.pk).status == JobStatus.SELESAI
