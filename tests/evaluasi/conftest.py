"""Fixtures for the evaluation tests: approved SKPs written directly (set-up only), ratings, batch runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from evaluasi.models import Evaluasi, JenisEvaluasi
from kinerja.models import Instansi, Jabatan, Pegawai, Periode
from kinerja.models.org import JenisJabatan
from kinerja.services.tenancy import periode_ensure_year
from skp.models import Skp, SkpStatus
from tests.conftest import Org
from tests.factories import JabatanFactory, PegawaiFactory

TAHUN = 2026


def make_skp(
    pegawai: Pegawai,
    *,
    tahun: int = TAHUN,
    mulai: dt.date | None = None,
    selesai: dt.date | None = None,
    penilai: Pegawai | str | None = "atasan",
    status: str = SkpStatus.DISETUJUI,
) -> Skp:
    """An approved SKP stint written directly (the SKP workflow itself is tested in tests/skp)."""
    with scopes_disabled():
        return Skp._base_manager.create(
            instansi_id=pegawai.instansi_id,
            pegawai=pegawai,
            pejabat_penilai_id=pegawai.atasan_id
            if penilai == "atasan"
            else (penilai.pk if penilai else None),  # type: ignore[union-attr]
            tahun=tahun,
            periode_mulai=mulai or dt.date(tahun, 1, 1),
            periode_selesai=selesai or dt.date(tahun, 12, 31),
            status=status,
            disetujui_at=timezone.now() if status == SkpStatus.DISETUJUI else None,
        )


def set_rating(
    pegawai: Pegawai,
    hk: str,
    pk: str,
    *,
    tahun: int = TAHUN,
    jenis: str = JenisEvaluasi.TAHUNAN,
    **extra: Any,
) -> None:
    """Write ratings directly (the rating service is tested through the API)."""
    from evaluasi.scoring import predikat

    with scopes_disabled():
        n = Evaluasi._base_manager.filter(
            instansi_id=pegawai.instansi_id, pegawai=pegawai, tahun=tahun, jenis=jenis
        ).update(
            rating_hasil_kerja=hk,
            rating_perilaku_kerja=pk,
            predikat=predikat(hk, pk),
            status="dinilai",
            **extra,
        )
    assert n >= 1, "no evaluation row to rate"


def ensure_all(instansi: Instansi, tahun: int = TAHUN) -> None:
    from evaluasi.services import evaluasi_ensure

    with scope(instansi=instansi.pk):
        evaluasi_ensure(instansi=instansi, tahun=tahun)


def periode(instansi: Instansi, nomor: int, tahun: int = TAHUN) -> Periode:
    with scope(instansi=instansi.pk):
        return periode_ensure_year(instansi=instansi, tahun=tahun)[nomor - 1]


@pytest.fixture
def a_scope(org_a: Org) -> Iterator[None]:
    with scope(instansi=org_a.instansi.pk):
        yield


@pytest.fixture
def run_batch(settings: Any) -> Callable[..., Any]:
    """Start the batch like the API does and run it in-process (the task body), returning the job."""

    def run(org: Org, *, tahun: int = TAHUN, dry_run: bool = False, expect_fail: bool = False) -> Any:
        from evaluasi.batch import tahunan_batch_run
        from evaluasi.services import tahunan_batch_start
        from kinerja.models import Job

        settings.CELERY_TASK_ALWAYS_EAGER = False
        with scope(instansi=org.instansi.pk):
            job = tahunan_batch_start(
                actor=org.admin.user,
                roles=["admin_instansi"],
                instansi=org.instansi,
                tahun=tahun,
                dry_run=dry_run,
            )
            if expect_fail:
                with pytest.raises(Exception):  # noqa: B017, PT011 - any failure of the injected kind
                    tahunan_batch_run(job_id=job.pk)
            else:
                tahunan_batch_run(job_id=job.pk)
            return Job.objects.get(pk=job.pk)

    return run


@pytest.fixture(autouse=True)
def _aturan_distribusi(request: pytest.FixtureRequest) -> None:
    """Seeded platform data (rule sets) is wiped by the TRUNCATE after any transactional test of the
    run; put it back for every DB test here (idempotent)."""
    if not (
        request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    from evaluasi.models import AturanDistribusi
    from evaluasi.rules import aturan_seed

    aturan_seed(AturanDistribusi)


@pytest.fixture(autouse=True)
def _no_task_enqueue(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Unit tests run the batch in-process; only the Celery/browser tests let the task reach a broker."""
    if request.node.get_closest_marker("celery") or request.node.get_closest_marker("browser"):
        return
    from evaluasi import tasks

    monkeypatch.setattr(tasks.tahunan_batch_task, "delay", lambda *a, **k: None)


def jf_pegawai(org: Org, jenjang: str = "ahli_muda") -> Pegawai:
    jab = JabatanFactory(
        instansi=org.instansi, nama=f"Analis {jenjang}", jenis=JenisJabatan.FUNGSIONAL, jenjang=jenjang
    )
    return PegawaiFactory(
        instansi=org.instansi, unit_kerja=org.pegawai.unit_kerja, jabatan=jab, atasan=org.atasan
    )


def rows_snapshot(instansi: Instansi, tahun: int = TAHUN) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the batch writes, without ids/timestamps, for run-vs-run comparisons."""
    from evaluasi.models import AngkaKredit, TindakLanjut

    with scopes_disabled():
        ev = sorted(
            Evaluasi._base_manager.filter(instansi=instansi, tahun=tahun).values_list(
                "jenis", "pegawai_id", "periode_id", "skp_id", "pejabat_penilai_id", "unit_kerja_id",
                "rating_hasil_kerja", "rating_perilaku_kerja", "predikat", "status",
            ),
            key=repr,
        )  # fmt: skip
        tl = sorted(
            TindakLanjut._base_manager.filter(instansi=instansi, tahun=tahun).values_list(
                "pegawai_id", "jenis", "evaluasi__pegawai_id"
            )
        )
        ak = sorted(
            AngkaKredit._base_manager.filter(instansi=instansi, tahun=tahun).values_list(
                "pegawai_id", "jenjang", "predikat", "persentase", "koefisien", "bulan", "nilai"
            )
        )
    return {"evaluasi": ev, "tindak_lanjut": tl, "angka_kredit": ak}


__all__ = [
    "TAHUN",
    "Jabatan",
    "ensure_all",
    "jf_pegawai",
    "make_skp",
    "periode",
    "rows_snapshot",
    "set_rating",
]


@pytest.fixture
def celery_worker_evaluasi(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A REAL Celery worker (thread, solo pool) on the real Redis broker, consuming a queue private to
    this test process so a developer's running worker never picks these tasks up (nor vice versa).
    Needs ``transactional_db``: the worker thread has its own database connection."""
    import os

    from celery.contrib.testing.worker import start_worker

    from evaluasi import tasks
    from kinerja.celery import app

    queue = f"test-evaluasi-{os.getpid()}"
    task = tasks.tahunan_batch_task
    monkeypatch.setattr(
        task, "delay", lambda *args, **kw: task.apply_async(args=args, kwargs=kw, queue=queue)
    )
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
        yield queue


def wait_for_job(job_id: int, timeout: float = 60) -> Any:
    """Poll the Job row (as the UI/API does) until it leaves antri/berjalan."""
    import time

    from kinerja.models import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with scopes_disabled():
            job = Job._base_manager.get(pk=job_id)
        if job.status in ("selesai", "gagal"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} after {timeout}s")
