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
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.db import connection
from django_scopes import scope
from rest_framework.authtoken.models import Token

from kinerja.models import Job, JobStatus
from tests.conftest import PASSWORD, Org

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _url(dbname: str) -> str:
    """DATABASE_URL of this run with another database name (TCP or pgserver's unix socket alike)."""
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/kinerja"
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(base)._replace(path="/" + dbname))


def _admin_connect() -> psycopg.Connection[Any]:
    """A connection to the server's maintenance database (ALTER DATABASE needs another database)."""
    return psycopg.connect(_url("postgres"), autocommit=True)


@contextmanager
def app_server(**env: str) -> Iterator[str]:
    """gunicorn serving this checkout against the test database; yields its base URL."""
    port = _free_port()
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinerja.settings.test",
        "DATABASE_URL": _url(connection.settings_dict["NAME"]),
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
        c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=p.user)[0].key}")
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
        }
        rhk = c.post(f"/api/v1/skp/{skp['id']}/rhk/", body, format="json")
        assert rhk.status_code == 201, rhk.content
        assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200
        if owner is org.pegawai:
            return int(skp["id"])
        assert client(approver).post(f"/api/v1/skp/{skp['id']}/setujui/").status_code == 200
        plan["rhk"] = rhk.json()["id"]
    raise AssertionError("unreachable")


def _queued_or_clear_503(resp: requests.Response, t0: float) -> None:
    """A request that queues a task while the broker is down: fast, never a 500; either the caller
    handled it (2xx, e.g. skp/hooks.py logs and re-queues later) or a 503 with the message."""
    assert time.monotonic() - t0 < 10, "publishing must fail fast, not hang the request"
    assert resp.status_code in (200, 201, 202, 503), (resp.status_code, resp.text[:300])
    if resp.status_code == 503:
        assert "Antrean tugas" in resp.json()["detail"]
        assert resp.headers.get("Retry-After")


def test_redis_down_pages_work_and_queueing_answers_cleanly(org_a: Org) -> None:
    # given an SKP waiting for approval, and the app started with Redis on a closed port
    skp_id = _submitted_skp(org_a)
    closed = f"redis://127.0.0.1:{_free_port()}/0"
    penilai = Token.objects.get_or_create(user=org_a.atasan.user)[0].key
    admin = Token.objects.get_or_create(user=org_a.admin.user)[0].key
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
        # an approval (queues the signed PDF on commit) is kept
        t0 = time.monotonic()
        resp = requests.post(
            f"{url}/api/v1/skp/{skp_id}/setujui/", headers={"Authorization": f"Token {penilai}"}, timeout=30
        )
        _queued_or_clear_503(resp, t0)
        # starting the year-end batch (queues the batch task on commit) answers cleanly
        t0 = time.monotonic()
        resp = requests.post(
            f"{url}/api/v1/tahunan/",
            json={"tahun": 2026, "dry_run": True},
            headers={"Authorization": f"Token {admin}"},
            timeout=30,
        )
        _queued_or_clear_503(resp, t0)
    with scope(instansi=org_a.instansi.pk):
        from skp.models import Skp

        assert Skp.objects.get(pk=skp_id).status == "disetujui"  # the change itself committed


def test_enqueue_safely_logs_and_marks_the_job_waiting(org_a: Org, monkeypatch: Any) -> None:
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    from kinerja.resilience import TaskQueueUnavailable
    from kinerja.services.jobs import job_create
    from kinerja.tasks import delegasi_sync_task, enqueue_safely

    with scope(instansi=org_a.instansi.pk):
        job = job_create(actor=org_a.admin.user, instansi=org_a.instansi, jenis="uji_antrean")

    def broker_down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", broker_down)
    # a tenant task turns the broker error into the 503-mapped domain error ...
    with pytest.raises(TaskQueueUnavailable):
        delegasi_sync_task.delay(org_a.instansi.pk)
    # ... which enqueue_safely logs and records on the job instead of raising
    assert enqueue_safely(delegasi_sync_task, org_a.instansi.pk, job_id=job.pk) is False
    job = Job._base_manager.get(pk=job.pk)
    assert job.status == JobStatus.ANTRI
    assert "antrean" in job.pesan


# ---------------------------------------------------------------------------------------------- PostgreSQL


def test_database_connections_killed_under_load_give_503_then_recover(org_a: Org) -> None:
    token = Token.objects.get_or_create(user=org_a.pegawai.user)[0].key
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
    token = Token.objects.get_or_create(user=org_a.atasan.user)[0].key
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
