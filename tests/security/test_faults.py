"""Fault drills: Redis down, PostgreSQL connections dying under load, 20 simultaneous approvals.

The Redis and PostgreSQL drills run the real app in a gunicorn subprocess on a free port against
this test run's (committed) database, so nothing in-process is mocked: the cache backend, the
Celery publisher, the middleware and Django's connection handling are the production code paths.
The Celery-worker-killed-mid-batch drill is covered by the evaluasi team's
tests/evaluasi/test_tasks_celery.py::test_api_batch_runs_on_a_real_worker_and_resumes_after_a_dead_chunk
(and test_batch.py::test_resume_after_a_chunk_dies_equals_a_clean_run); docs/operations.md has
the manual version of every drill.
"""

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.db import connection
from django_scopes import scope

from kinerja.models import Job, JobStatus
from tests.conftest import PASSWORD, Org, database_url
from tests.factories.perjanjian import iku_bawaan

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def _token(user: Any) -> str:
    """A new API token of ``user`` (raw value; only its digest is stored)."""
    from kinerja.services.auth import token_create

    return token_create(user=user)[0]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _admin_connect() -> psycopg.Connection[Any]:
    """A connection to the server's maintenance database (ALTER DATABASE needs another database)."""
    return psycopg.connect(database_url("postgres"), autocommit=True)


@contextmanager
def app_server(**env: str) -> Iterator[str]:
    """gunicorn serving this checkout against the test database; yields its base URL."""
    port = _free_port()
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinerja.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    full_env.pop("KINERJA_TEST_DB_NAME", None)
    log = open(os.devnull, "wb")  # noqa: SIM115
    proc = subprocess.Popen(  # noqa: S603 - fixed argv, this interpreter
        [sys.executable, "-m", "gunicorn", "kinerja.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", "1", "--threads", "8", "--timeout", "60", "--graceful-timeout", "2"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not come up (exit code {proc.poll()})")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _web_login(url: str, nip: str) -> requests.Session:
    s = requests.Session()
    page = s.get(f"{url}/masuk/", timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    resp = s.post(
        f"{url}/masuk/",
        data={"username": nip, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{url}/masuk/"},
        allow_redirects=False,
        timeout=10,
    )
    assert resp.status_code == 302, resp.text[:500]
    return s


# ---------------------------------------------------------------------------------------------- Redis down


def _submitted_skp(org: Org) -> int:
    """An SKP of A's pegawai, submitted to the atasan (their own plan approved above them)."""
    from rest_framework.test import APIClient

    def client(p: Any) -> APIClient:
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Token {_token(p.user)}")
        return c

    ind = [{"aspek": "kuantitas", "iki": "Jumlah laporan", "target": "4 laporan"}]
    plan: dict[str, Any] = {}
    for owner, approver in ((org.kepala, org.admin), (org.atasan, org.kepala), (org.pegawai, org.atasan)):
        c = client(owner)
        skp = c.post("/api/v1/skp/", {"tahun": 2026, "pendekatan": "kuantitatif"}, format="json").json()
        lead = plan.get("rhk")
        body = {
            "jenis": "utama",
            "rencana_hasil_kerja": f"Hasil {owner.nama}",
            "rhk_pimpinan": lead,
            "indikator": ind,
            # the kepala (JPT) derives from the unit's Perjanjian Kinerja (issue #16)
            "indikator_pk": iku_bawaan(owner.pk, 2026) if lead is None else None,
        }
        rhk = c.post(f"/api/v1/skp/{skp['id']}/rhk/", body, format="json")
        assert rhk.status_code == 201, rhk.content
        assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200
        if owner is org.pegawai:
            return int(skp["id"])
        assert client(approver).post(f"/api/v1/skp/{skp['id']}/setujui/").status_code == 200
        plan["rhk"] = rhk.json()["id"]
    raise AssertionError("unreachable")


def _fast(resp: requests.Response, t0: float, *expected: int) -> None:
    """A request that queues a task while the broker is down: fast, never a 500 nor a 503."""
    assert time.monotonic() - t0 < 10, "publishing must fail fast, not hang the request"
    assert resp.status_code in expected, (resp.status_code, resp.text[:300])


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def _assert_waiting(job_id: int) -> Job:
    job = Job._base_manager.get(pk=job_id)
    assert job.status == JobStatus.ANTRI
    assert "Menunggu antrean tugas" in job.pesan
    assert job.detail["antrean"]["args"] == [job.instansi_id, job.pk]
    return job


@contextmanager
def _own_queue() -> Iterator[str]:
    """Celery publishes to a queue of this test only (no worker of anyone else takes the task)."""
    import uuid

    import redis

    from kinerja.celery import app

    queue = f"kinerja-test-{uuid.uuid4().hex[:12]}"
    saved = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = saved
        with redis.Redis.from_url(str(app.conf.broker_url), socket_timeout=2) as conn:
            conn.delete(queue)


def _queued_job_ids(queue: str) -> list[int]:
    """Job ids of the tasks waiting in ``queue`` on the real broker (args are ``(tenant_id, job_id)``)."""
    import base64
    import json

    import redis

    from kinerja.celery import app

    with redis.Redis.from_url(str(app.conf.broker_url), socket_timeout=2) as conn:
        messages = [json.loads(m) for m in conn.lrange(queue, 0, -1)]
    return [int(json.loads(base64.b64decode(m["body"]))[0][1]) for m in messages]


def test_redis_down_pages_work_and_queued_work_waits_then_starts(org_a: Org) -> None:
    # given an SKP waiting for approval, and the app started with Redis on a closed port
    from django.core.cache import cache
    from django.test import Client
    from rest_framework.test import APIClient

    skp_id = _submitted_skp(org_a)
    closed = f"redis://127.0.0.1:{_free_port()}/0"
    penilai = _token(org_a.atasan.user)
    admin = _token(org_a.admin.user)
    with app_server(REDIS_URL=closed, CELERY_BROKER_URL=closed, CELERY_RESULT_BACKEND=closed) as url:
        # then login (session in the database, cache unreachable) and the dashboard work
        web = _web_login(url, org_a.pegawai.nip)
        dash = web.get(f"{url}/", timeout=10)
        assert dash.status_code == 200
        assert org_a.pegawai.nip[:8] in dash.text
        assert web.get(f"{url}/skp/", timeout=10).status_code == 200
        # the token login (its throttle counts in the cache) too
        resp = requests.post(
            f"{url}/api/v1/auth/token/", json={"username": org_a.atasan.nip, "password": PASSWORD}, timeout=10
        )
        assert resp.status_code == 200, resp.text
        # an approval (queues the signed PDF on commit) is kept: 200, the PDF is re-queued later
        t0 = time.monotonic()
        resp = requests.post(
            f"{url}/api/v1/skp/{skp_id}/setujui/", headers={"Authorization": f"Token {penilai}"}, timeout=30
        )
        _fast(resp, t0, 200)
        # starting the year-end batch: 202 with the job, which waits for the queue (no 503)
        t0 = time.monotonic()
        resp = requests.post(
            f"{url}/api/v1/tahunan/",
            json={"tahun": 2026, "dry_run": True},
            headers={"Authorization": f"Token {admin}"},
            timeout=30,
        )
        _fast(resp, t0, 202)
        batch = _assert_waiting(resp.json()["job"])
        status = requests.get(
            f"{url}/api/v1/jobs/{batch.pk}/", headers={"Authorization": f"Token {admin}"}, timeout=10
        ).json()
        assert (status["status"], status["pesan"][:22]) == ("antri", "Menunggu antrean tugas")
        # a document job from the HR page: redirect to its page, which shows the waiting state
        hr = _web_login(url, org_a.hr.nip)
        token = _csrf(hr, f"{url}/dokumen/ekspor/")
        t0 = time.monotonic()
        resp = hr.post(
            f"{url}/dokumen/jobs/skp_rekap_pdf/mulai/",
            data={"tahun": 2026, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{url}/dokumen/ekspor/"},
            allow_redirects=False,
            timeout=30,
        )
        _fast(resp, t0, 302)
        page = hr.get(url + resp.headers["Location"], timeout=10)
        assert page.status_code == 200
        assert 'data-testid="job-menunggu-antrean"' in page.text
        dokumen_job = _assert_waiting(int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1]))
        # polling while Redis is still down changes nothing
        assert hr.get(f"{url}/jobs/{dokumen_job.pk}/kemajuan/", timeout=10).status_code == 200
        _assert_waiting(dokumen_job.pk)
    with scope(instansi=org_a.instansi.pk):
        from skp.models import Skp

        assert Skp.objects.get(pk=skp_id).status == "disetujui"  # the change itself committed

    # when Redis is back (this process talks to the real one), the next poll of each job queues it
    for job in (batch, dokumen_job):
        cache.delete(f"job-antri:{job.pk}")
    with _own_queue() as queue:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {admin}")
        resp = client.get(f"/api/v1/jobs/{batch.pk}/")
        assert resp.status_code == 200
        assert resp.json()["pesan"] == ""
        web_client = Client()
        web_client.force_login(org_a.hr.user)
        progress = web_client.get(f"/jobs/{dokumen_job.pk}/kemajuan/")
        assert progress.status_code == 200
        assert "job-menunggu-antrean" not in progress.content.decode()
        assert sorted(_queued_job_ids(queue)) == sorted([batch.pk, dokumen_job.pk])
        for job in (batch, dokumen_job):
            job.refresh_from_db()
            assert (job.status, job.pesan, "antrean" in job.detail) == (JobStatus.ANTRI, "", False)
        # further polls do not queue it again
        client.get(f"/api/v1/jobs/{batch.pk}/")
        assert len(_queued_job_ids(queue)) == 2


def _broker_down(*args: Any, **kwargs: Any) -> Any:
    from kombu.exceptions import OperationalError

    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_enqueue_safely_logs_and_marks_the_job_waiting(org_a: Org, monkeypatch: Any) -> None:
    from celery.app.task import Task

    from kinerja.resilience import TaskQueueUnavailable
    from kinerja.services.jobs import job_create
    from kinerja.tasks import delegasi_sync_task, enqueue_safely

    with scope(instansi=org_a.instansi.pk):
        job = job_create(actor=org_a.admin.user, instansi=org_a.instansi, jenis="uji_antrean")

    monkeypatch.setattr(Task, "apply_async", _broker_down)
    # a tenant task turns the broker error into the 503-mapped domain error ...
    with pytest.raises(TaskQueueUnavailable):
        delegasi_sync_task.delay(org_a.instansi.pk)
    # ... which enqueue_safely logs and records on the job instead of raising
    assert enqueue_safely(delegasi_sync_task, org_a.instansi.pk, job_id=job.pk) is False
    job = Job._base_manager.get(pk=job.pk)
    assert job.status == JobStatus.ANTRI
    assert "antrean" in job.pesan
    # with what to send once the queue is back
    assert job.detail["antrean"] == {
        "task": delegasi_sync_task.name,
        "args": [org_a.instansi.pk],
        "kwargs": {},
    }


def test_batch_and_document_jobs_wait_for_the_queue_and_are_requeued_on_poll(
    org_a: Org, monkeypatch: Any, api: Any
) -> None:
    """In-process version of the drill: the broker is down (patched), then back (a recorder)."""
    from celery.app.task import Task
    from django.core.cache import cache
    from django.test import Client

    monkeypatch.setattr(Task, "apply_async", _broker_down)
    admin = api(org_a.admin.user)
    # the batch start answers 202 (not 503) and the job waits, visibly
    resp = admin.post("/api/v1/tahunan/", {"tahun": 2026, "dry_run": True}, format="json")
    assert resp.status_code == 202, resp.content
    batch = _assert_waiting(resp.json()["job"])
    # the document job start redirects to its page, which says it is waiting for the queue
    hr = Client()
    hr.force_login(org_a.hr.user)
    resp = hr.post("/dokumen/jobs/skp_rekap_pdf/mulai/", {"tahun": 2026})
    assert resp.status_code == 302, resp.content
    dokumen_job = _assert_waiting(int(resp["Location"].rstrip("/").rsplit("/", 1)[-1]))
    page = hr.get(resp["Location"]).content.decode()
    assert "Menunggu antrean tugas" in page
    # the admin sees the state in the API too; a poll while the broker is still down keeps it waiting
    for job in (batch, dokumen_job):
        cache.delete(f"job-antri:{job.pk}")
    body = admin.get(f"/api/v1/jobs/{batch.pk}/").json()
    assert body["status"] == "antri"
    assert body["pesan"].startswith("Menunggu antrean tugas")
    _assert_waiting(batch.pk)
    # the re-send is throttled: a second poll within REQUEUE_SECONDS does not even try
    sent: list[tuple[str, tuple[Any, ...]]] = []

    def record(self: Any, args: Any = None, kwargs: Any = None, **options: Any) -> None:
        sent.append((self.name, tuple(args or ())))

    monkeypatch.setattr(Task, "apply_async", record)
    admin.get(f"/api/v1/jobs/{batch.pk}/")
    assert sent == []
    # once the throttle has passed and the broker is back, the next poll of each job sends its task once
    for job in (batch, dokumen_job):
        cache.delete(f"job-antri:{job.pk}")
    assert admin.get(f"/api/v1/jobs/{batch.pk}/").json()["pesan"] == ""
    assert hr.get(f"/jobs/{dokumen_job.pk}/kemajuan/").status_code == 200
    assert sent == [
        ("evaluasi.tasks.tahunan_batch_task", (org_a.instansi.pk, batch.pk)),
        ("skp.tasks.skp_rekap_pdf_task", (org_a.instansi.pk, dokumen_job.pk)),
    ]
    for job in (batch, dokumen_job):
        cache.delete(f"job-antri:{job.pk}")
        job.refresh_from_db()
        assert (job.status, job.pesan, "antrean" in job.detail) == (JobStatus.ANTRI, "", False)
    admin.get(f"/api/v1/jobs/{batch.pk}/")
    hr.get(f"/jobs/{dokumen_job.pk}/kemajuan/")
    assert len(sent) == 2  # not waiting any more: never sent twice


# ---------------------------------------------------------------------------------------------- PostgreSQL


def test_database_connections_killed_under_load_give_503_then_recover(org_a: Org) -> None:
    token = _token(org_a.pegawai.user)
    db = connection.settings_dict["NAME"]
    own_pid = connection.cursor().connection.info.backend_pid
    with app_server(DJANGO_CONN_MAX_AGE="60") as url, _admin_connect() as admin:
        statuses: list[int] = []
        bad: list[str] = []
        stop = threading.Event()

        def hammer() -> None:
            s = requests.Session()
            while not stop.is_set():
                try:
                    r = s.get(f"{url}/api/v1/me/", headers={"Authorization": f"Token {token}"}, timeout=15)
                except requests.RequestException as exc:  # the app itself must stay up
                    bad.append(repr(exc))
                    continue
                statuses.append(r.status_code)
                if r.status_code == 503 and not (r.headers.get("Retry-After") and "detail" in r.json()):
                    bad.append(f"503 without Retry-After/detail: {r.text[:200]}")

        threads = [threading.Thread(target=hammer, daemon=True) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.5)
            # when: the server "restarts": every backend is killed, new connections refused for a
            # moment, then accepted again
            for _ in range(3):
                admin.execute(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS false')
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid NOT IN (pg_backend_pid(), %s)",
                    [db, own_pid],
                )
                time.sleep(0.6)
                admin.execute(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS true')
                time.sleep(0.6)
        finally:
            stop.set()  # first: the clients must stop even if the statements below fail
            admin.execute(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS true')
            for t in threads:
                t.join(30)
        # then: only clean answers, some of them 503 ...
        assert not bad, bad[:5]
        assert set(statuses) <= {200, 503}, sorted(set(statuses))
        assert 503 in statuses, "the drill did not hit the database outage"
        # ... and the app recovered by itself (same process, no restart)
        after = [
            requests.get(
                f"{url}/api/v1/me/", headers={"Authorization": f"Token {token}"}, timeout=10
            ).status_code
            for _ in range(10)
        ]
        assert after == [200] * 10, after


# ---------------------------------------------------------------------------------------------- concurrency


def test_twenty_simultaneous_approvals_make_one_transition(org_a: Org) -> None:
    from rest_framework.test import APIClient

    from skp.models import SkpStatusChange

    skp_id = _submitted_skp(org_a)
    token = _token(org_a.atasan.user)
    codes: list[int] = []
    barrier = threading.Barrier(20)

    def approve() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            barrier.wait(timeout=30)
            codes.append(client.post(f"/api/v1/skp/{skp_id}/setujui/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [200] + [409] * 19, sorted(codes)
    with scope(instansi=org_a.instansi.pk):
        assert SkpStatusChange.objects.filter(skp_id=skp_id, ke="disetujui").count() == 1


def test_waiting_jobs_nobody_polls_are_requeued_by_the_periodic_sweep(
    org_a: Org, org_b: Org, monkeypatch: Any
) -> None:
    """A job started during an outage whose page was closed: beat's sweep sends it once Redis is back."""
    import datetime as dt

    from celery.app.task import Task
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import timezone

    from kinerja.services.jobs import SWEEP_MAX_AGE, job_create
    from kinerja.tasks import delegasi_sync_task, enqueue_safely, job_antri_sweep_task

    # the sweep is on beat's schedule
    beat = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert beat["kinerja.tasks.job_antri_sweep_task"] == 60
    # given a waiting job in each of two instansi, one too old for the sweep, and one job not waiting
    monkeypatch.setattr(Task, "apply_async", _broker_down)
    jobs = {}
    for name, org in (("a", org_a), ("b", org_b), ("lama", org_a), ("jalan", org_b)):
        with scope(instansi=org.instansi.pk):
            jobs[name] = job_create(actor=None, instansi=org.instansi, jenis="uji_antrean")
        if name != "jalan":
            assert enqueue_safely(delegasi_sync_task, org.instansi.pk, job_id=jobs[name].pk) is False
    Job._base_manager.filter(pk=jobs["lama"].pk).update(
        created_at=timezone.now() - SWEEP_MAX_AGE - dt.timedelta(hours=1)
    )
    # a sweep while the broker is still down sends nothing and keeps them waiting
    assert job_antri_sweep_task() == 0
    for name in ("a", "b", "lama"):
        assert "antrean" in Job._base_manager.get(pk=jobs[name].pk).detail
    # once it is back (a recorder) and the per-job throttle has passed, one sweep sends each recent one once
    sent: list[tuple[str, tuple[Any, ...]]] = []
    monkeypatch.setattr(
        Task,
        "apply_async",
        lambda self, args=None, kwargs=None, **o: sent.append((self.name, tuple(args or ()))),
    )
    for job in jobs.values():
        cache.delete(f"job-antri:{job.pk}")
    assert job_antri_sweep_task() == 2
    assert sorted(sent) == sorted(
        [(delegasi_sync_task.name, (org_a.instansi.pk,)), (delegasi_sync_task.name, (org_b.instansi.pk,))]
    )
    for name in ("a", "b"):
        job = Job._base_manager.get(pk=jobs[name].pk)
        assert (job.status, job.pesan, "antrean" in job.detail) == (JobStatus.ANTRI, "", False)
    assert "antrean" in Job._base_manager.get(pk=jobs["lama"].pk).detail  # older than a week: left alone
    # the next sweep has nothing to send
    for job in jobs.values():
        cache.delete(f"job-antri:{job.pk}")
    assert job_antri_sweep_task() == 0
    assert len(sent) == 2


def test_requeue_sends_only_our_own_tenant_task(org_a: Org, org_b: Org, monkeypatch: Any) -> None:
    from celery.app.task import Task
    from django.core.cache import cache

    from kinerja.services.jobs import job_create, job_requeue_waiting

    with scope(instansi=org_a.instansi.pk):
        job = job_create(actor=org_a.admin.user, instansi=org_a.instansi, jenis="uji_antrean")
    sent: list[Any] = []
    monkeypatch.setattr(Task, "apply_async", lambda self, *a, **kw: sent.append((self.name, a, kw)))
    for marker in (
        {"task": "evaluasi.tasks.tahunan_batch_task", "args": [org_b.instansi.pk, job.pk], "kwargs": {}},
        {"task": "tidak.ada.tugas_ini", "args": [org_a.instansi.pk, job.pk], "kwargs": {}},
        {"task": "", "args": [], "kwargs": {}},
    ):
        Job._base_manager.filter(pk=job.pk).update(pesan="Menunggu antrean tugas", detail={"antrean": marker})
        cache.delete(f"job-antri:{job.pk}")
        assert job_requeue_waiting(job=Job._base_manager.get(pk=job.pk)) is False
    assert sent == []
