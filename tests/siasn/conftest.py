"""Fixtures of the SIASN tests: a fake SIASN per test, its settings in the environment, final results."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_scopes import scopes_disabled

from evaluasi.models import Evaluasi, JenisEvaluasi
from evaluasi.scoring import predikat
from kinerja.models import Pegawai
from tests.conftest import Org
from tests.evaluasi.conftest import TAHUN, ensure_all, make_skp
from tests.siasn.fake import FakeSiasn

__all__ = ["TAHUN", "finalise", "setup_year"]


@pytest.fixture
def fake_siasn(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSiasn]:
    fake = FakeSiasn().start()
    # fast faults in tests: tiny backoff, short timeout, no rate limit unless a test sets one
    for k, v in {
        "KINERJA_SIASN_BACKOFF": "0.01",
        "KINERJA_SIASN_TIMEOUT": "1",
        "KINERJA_SIASN_RPS": "0",
        "KINERJA_SIASN_MAX_RETRIES": "3",
        "KINERJA_SIASN_RETRY_AFTER_MAX": "0.2",
    }.items():
        monkeypatch.setenv(k, v)
    yield fake
    fake.stop()


@pytest.fixture
def siasn_a(fake_siasn: FakeSiasn, org_a: Org, monkeypatch: pytest.MonkeyPatch) -> FakeSiasn:
    """The fake configured for instansi A (and only A)."""
    for k, v in fake_siasn.env(org_a.instansi.kode).items():
        monkeypatch.setenv(k, v)
    return fake_siasn


def finalise(
    pegawai: Pegawai, hk: str, pk: str, *, tahun: int = TAHUN, jenis: str = JenisEvaluasi.TAHUNAN
) -> None:
    """Rate and finalise directly (the rating and batch services are tested elsewhere)."""
    with scopes_disabled():
        n = Evaluasi._base_manager.filter(
            instansi_id=pegawai.instansi_id, pegawai=pegawai, tahun=tahun, jenis=jenis
        ).update(
            rating_hasil_kerja=hk,
            rating_perilaku_kerja=pk,
            predikat=predikat(hk, pk),
            status="final" if jenis == JenisEvaluasi.TAHUNAN else "dinilai",
        )
    assert n >= 1


def setup_year(org: Org, tahun: int = TAHUN) -> list[Pegawai]:
    """SKPs for the three rated pegawai of ``org`` and their final annual evaluations."""
    rated = [org.pegawai, org.rekan, org.atasan]
    for p in rated:
        make_skp(p, tahun=tahun)
    ensure_all(org.instansi, tahun)
    finalise(org.pegawai, "di_atas_ekspektasi", "di_atas_ekspektasi", tahun=tahun)
    finalise(org.rekan, "sesuai_ekspektasi", "sesuai_ekspektasi", tahun=tahun)
    finalise(org.atasan, "di_bawah_ekspektasi", "sesuai_ekspektasi", tahun=tahun)
    return rated


@pytest.fixture
def year_a(org_a: Org) -> list[Pegawai]:
    return setup_year(org_a)


@pytest.fixture
def siasn_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A REAL Celery worker (thread, solo pool) on the real Redis broker, consuming a queue private to this
    test process; ``siasn_kirim_task.delay`` is routed there. Needs ``transactional_db``."""
    import os

    from celery.contrib.testing.worker import start_worker

    from evaluasi import tasks
    from kinerja.celery import app

    queue = f"test-siasn-{os.getpid()}"
    task = tasks.siasn_kirim_task
    monkeypatch.setattr(
        task, "delay", lambda *args, **kw: task.apply_async(args=args, kwargs=kw, queue=queue)
    )
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
        yield queue
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    except Exception:  # noqa: S110 - broker cleanup is best effort
        pass


def more_rated(org: Org, n: int, tahun: int = TAHUN) -> list[Pegawai]:
    """``n`` more pegawai under ``org.atasan`` with final annual results (for progress to show)."""
    from tests.factories import PegawaiFactory

    more = [
        PegawaiFactory(
            instansi=org.instansi,
            unit_kerja=org.pegawai.unit_kerja,
            jabatan=org.pegawai.jabatan,
            atasan=org.atasan,
        )
        for _ in range(n)
    ]
    for p in more:
        make_skp(p, tahun=tahun)
    ensure_all(org.instansi, tahun)
    for p in more:
        finalise(p, "sesuai_ekspektasi", "sesuai_ekspektasi", tahun=tahun)
    return more
