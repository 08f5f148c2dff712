"""Helpers shared by ``scripts/bench.py`` (``make bench``) and ``scripts/bench_batch.py``."""

from __future__ import annotations

import contextlib
import os
import platform
import time
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    """The box the figures come from, with the load average (the machine is shared)."""
    mem_kb = 0
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
        cpu = next(
            (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")),
            cpu,
        )  # fmt: skip
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "loadavg_at_start": os.getloadavg(),
        "note": "shared machine: other engineers' test suites may run concurrently",
    }


def run_tahunan(*, instansi_id: int, tahun: int, dry_run: bool) -> tuple[float, dict[str, Any]]:
    """One year-end batch job for one instansi, in-process through ``tahunan_batch_run`` (what the Celery
    task calls). Returns (wall seconds of the run, the job's final detail). Django must be set up."""
    from django_scopes import scope

    from evaluasi.batch import tahunan_batch_run
    from evaluasi.services import JOB_TAHUNAN
    from kinerja.models import Instansi
    from kinerja.services.jobs import job_create

    instansi = Instansi.objects.get(pk=instansi_id)
    with scope(instansi=instansi_id):
        job = job_create(
            actor=None, instansi=instansi, jenis=JOB_TAHUNAN, params={"tahun": tahun, "dry_run": dry_run}
        )
        t0 = time.perf_counter()
        detail = tahunan_batch_run(job_id=job.pk)
        return time.perf_counter() - t0, detail
