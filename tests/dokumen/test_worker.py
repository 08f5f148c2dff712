"""End to end through a REAL Celery worker and the real Redis broker: approve → task → signed PDF."""

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django_scopes import scope

from kinerja.celery import app
from kinerja.models import Dokumen
from tests.conftest import Org
from tests.dokumen.conftest import full_plan

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _redis_up() -> bool:
    import redis
    from django.conf import settings

    try:
        return bool(redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def worker() -> Iterator[None]:
    """A worker thread on a queue of its own, so no other worker on this Redis takes our tasks."""
    if not _redis_up():
        pytest.skip("Redis tidak tersedia")
    import skp.tasks  # noqa: F401 - register the tasks with the app

    queue = f"test-dokumen-{os.getpid()}"
    old_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with start_worker(
            app, perform_ping_check=False, queues=[queue], loglevel="WARNING", shutdown_timeout=30
        ):
            yield
    finally:
        app.conf.task_default_queue = old_queue


def test_approval_produces_signed_pdf_through_worker(org_a: Org, api: Any, worker: None) -> None:
    # when SKPs are approved (each approval commits, then queues the render task)
    plan = full_plan(api, org_a)
    skp_id = plan["pegawai"]["id"]
    client = api(org_a.pegawai.user)
    # then the API answers 202 until the worker has signed the PDF, and 200 afterwards
    deadline = time.monotonic() + 90
    resp = client.get(f"/api/v1/skp/{skp_id}/dokumen/")
    while resp.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.3)
        resp = client.get(f"/api/v1/skp/{skp_id}/dokumen/")
    assert resp.status_code == 200, resp.status_code
    body = b"".join(resp.streaming_content)
    assert body.startswith(b"%PDF")
    assert b"/ETSI.CAdES.detached" in body
    # all three approvals were rendered by the worker, exactly once each
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with scope(instansi=org_a.instansi.pk):
            n = Dokumen.objects.filter(jenis="skp").count()
        if n >= 3:
            break
        time.sleep(0.3)
    with scope(instansi=org_a.instansi.pk):
        ids = sorted(Dokumen.objects.filter(jenis="skp").values_list("sumber_id", flat=True))
    assert ids == sorted([plan["kepala"]["skp"]["id"], plan["atasan"]["skp"]["id"], skp_id])
