"""A REAL Celery worker (in a thread) on the real Redis broker and result backend from settings.

The worker thread has its own database connection, so the data must be committed: the tests use
``transactional_db``. Each run uses its own queue, so another worker on the same Redis (a parallel
test run, a dev worker) cannot take our tasks. Without Redis the tests fail at once with a message
instead of waiting for the broker.
"""

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from kinerja.celery import app
from kinerja.models import DelegasiPenilai, User
from kinerja.models.tenancy import JenisDelegasi
from kinerja.selectors.people import PERM_NILAI
from kinerja.tasks import delegasi_sync_task, ping
from tests.conftest import Org

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20


def _require_redis(url: str, what: str) -> None:
    if not url.startswith(("redis://", "rediss://", "unix://")):
        pytest.fail(f"{what} is {url!r}; this test drives a real worker and needs Redis (set REDIS_URL).")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        pytest.fail(
            f"Redis is not reachable at {url} ({what}): {str(exc).rstrip('.')}. Start Redis or set REDIS_URL "
            "(`make test` starts an embedded one when none is running)."
        )


@pytest.fixture(scope="module")
def running_worker(django_db_blocker: Any) -> Iterator[Any]:
    """One worker thread for the module, on a queue of its own."""
    _require_redis(str(app.conf.broker_url), "broker")
    _require_redis(str(app.conf.result_backend), "result backend")
    queue = f"kinerja-test-{uuid.uuid4().hex[:12]}"
    saved = {k: app.conf[k] for k in ("task_default_queue", "task_always_eager", "broker_connection_timeout")}
    app.conf.update(task_default_queue=queue, task_always_eager=False, broker_connection_timeout=5)
    with ExitStack() as stack:
        stack.callback(app.conf.update, saved)
        with django_db_blocker.unblock():  # the worker's Django fixup runs the system checks on start-up
            w = stack.enter_context(
                start_worker(app, perform_ping_check=False, queues=[queue], shutdown_timeout=TIMEOUT)
            )
        yield w
    with redis.Redis.from_url(str(app.conf.broker_url), socket_timeout=2) as conn:
        conn.delete(queue)


@pytest.fixture
def worker(running_worker: Any, transactional_db: Any) -> Any:
    """The worker, with committed test data it can read from its own connection."""
    return running_worker


def test_ping_round_trip(worker: Any) -> None:
    assert ping.delay(41).get(timeout=TIMEOUT) == 42


def test_tenant_task_grants_a_delegation(worker: Any, org_a: Org) -> None:
    # given a delegation starting today that nobody has granted yet (inserted directly, berlaku=False)
    today = timezone.localdate()
    delegasi = DelegasiPenilai._base_manager.create(
        instansi=org_a.instansi, pemberi=org_a.atasan, penerima=org_a.rekan, jenis=JenisDelegasi.PLH,
        mulai=today, selesai=today + dt.timedelta(days=3), berlaku=False,
    )  # fmt: skip
    user = User.objects.get(pk=org_a.rekan.user_id)
    assert not user.has_perm(PERM_NILAI, org_a.pegawai)
    # when the worker runs the tenant task (TenantTask activates the instansi scope in the worker thread)
    result = delegasi_sync_task.delay(org_a.instansi.pk).get(timeout=TIMEOUT)
    # then the permission is granted on the delegator's subordinate
    assert result == {"granted": 1, "revoked": 0}
    user = User.objects.get(pk=org_a.rekan.user_id)
    assert user.has_perm(PERM_NILAI, org_a.pegawai)
    delegasi.refresh_from_db()
    assert delegasi.berlaku
    # and running it again is a no-op
    assert delegasi_sync_task.delay(org_a.instansi.pk).get(timeout=TIMEOUT) == {"granted": 0, "revoked": 0}


def test_tenant_task_without_tenant_fails(worker: Any) -> None:
    with pytest.raises(ValueError, match="tenant_id is required"):
        delegasi_sync_task.delay(None).get(timeout=TIMEOUT)
