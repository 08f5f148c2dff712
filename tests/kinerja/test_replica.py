"""Read replica (kinerja/replica.py): only marked reads go there, never inside a transaction; the
replica connection runs under the same tenant (row-level security) as the primary's; a replica that
does not answer falls back to the primary; the admin health page shows the lag.

In the suite the ``replica`` alias is a second connection to the test database (a test mirror), which
is all the router and the tenant state need; streaming replication itself runs in `make cluster`.
"""

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinerja import replica, rls
from kinerja.models import Pegawai
from kinerja.tenancy import tenant_context
from tests.conftest import Org

REPLICA_DB = pytest.mark.django_db(databases=["default", "replica"], transaction=True)


@pytest.fixture
def with_replica(settings: Any) -> Iterator[None]:
    settings.KINERJA_REPLICA_CONFIGURED = True
    replica._down_until.clear()
    yield
    connections["replica"].close()
    replica._down_until.clear()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.django_db
def test_without_a_replica_marked_reads_use_the_primary_connection(org_a: Org) -> None:
    with replica.read_replica() as alias:
        assert alias == "default"
        assert Pegawai._base_manager.all().db == "default"
    assert replica.replica_lag() == {"configured": False, "up": False, "lag_seconds": None}


def test_router_writes_and_migrations_only_on_the_primary() -> None:
    router = replica.ReplicaRouter()
    assert router.db_for_write(Pegawai) == "default"
    assert router.allow_migrate("default", "kinerja") is True
    assert router.allow_migrate("replica", "kinerja") is False
    assert router.db_for_read(Pegawai) == "default"  # unmarked reads


@REPLICA_DB
def test_marked_reads_go_to_the_replica_under_the_primarys_tenant(
    org_a: Org, org_b: Org, with_replica: None, client: Any
) -> None:
    """One transactional test (they cost seconds each): routing, tenant state, lag on the health page."""

    def probe() -> tuple[str, str, list[int]]:
        with connections["replica"].cursor() as cur:
            cur.execute(
                "SELECT current_user::text, coalesce(current_setting('kinerja.instansi', true), ''), "
                "coalesce(array_agg(DISTINCT instansi_id ORDER BY instansi_id), '{}') FROM kinerja_pegawai"
            )
            return cur.fetchone()

    # only marked reads, never inside a transaction (read-your-writes)
    with replica.read_replica() as alias:
        assert alias == "replica"
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            assert Pegawai._base_manager.count() == 12
        assert len(on_replica) == 1
        with transaction.atomic():
            assert Pegawai._base_manager.all().db == "default"
    assert Pegawai._base_manager.all().db == "default"

    # the replica connection runs as the primary's does in this thread (row-level security)
    for org in (org_a, org_b, org_a):
        with tenant_context(org.instansi.pk), replica.read_replica() as alias:
            assert alias == "replica"
            assert probe() == (rls.ROLE, str(org.instansi.pk), [org.instansi.pk])
            assert set(Pegawai._base_manager.values_list("instansi_id", flat=True)) == {org.instansi.pk}
    with replica.read_replica():  # the owner (a migration, a platform command) again
        user, setting, ids = probe()
    assert (setting, sorted(ids)) == ("", sorted([org_a.instansi.pk, org_b.instansi.pk]))
    assert user != rls.ROLE

    # the HR report is served from it, and the health page shows the lag (the test "replica" is the
    # primary itself: not in recovery, nothing to replay -> 0 s)
    client.force_login(org_a.admin.user)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get(reverse("evaluasi:laporan")).status_code == 200
    assert any("kinerja_pegawai" in q["sql"] for q in on_replica.captured_queries)
    html = client.get(reverse("status")).content.decode()
    assert 'id="replika-lag"' in html
    assert "Jeda replikasi 0" in html
    info = replica.replica_lag()
    assert info["up"] is True
    assert info["lag_seconds"] == 0


@pytest.mark.django_db(databases=["default", "replica"])
def test_replica_down_falls_back_to_the_primary_and_the_report_is_served(
    org_a: Org, with_replica: None, client: Any, settings: Any
) -> None:
    conn = connections["replica"]
    saved = conn.settings_dict
    conn.close()
    conn.settings_dict = {**saved, "HOST": "127.0.0.1", "PORT": str(_closed_port())}
    try:
        with replica.read_replica() as alias:
            assert alias == "default"
            assert Pegawai._base_manager.count() == 6
        assert replica.replica_lag()["up"] is False
        client.force_login(org_a.admin.user)
        assert client.get(reverse("evaluasi:laporan")).status_code == 200
        resp = client.get(reverse("status"))
        assert resp.status_code == 200
        assert "Tidak terhubung" in resp.content.decode()
    finally:
        conn.close()
        conn.settings_dict = saved


@pytest.mark.django_db
def test_health_page_roles_and_query_count(
    org_a: Org, org_b: Org, outsider: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    url = reverse("status")
    client.force_login(org_a.admin.user)
    with django_assert_max_num_queries(12):
        resp = client.get(url)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Tidak dipakai" in html  # no replica configured in the suite
    for queue in ("interactive", "documents", "batch", "periodic", "bulk_email"):
        assert f"<code>{queue}</code>" in html
    assert resp["X-Kinerja-Node"]
    for user in (org_a.pegawai.user, org_a.atasan.user, org_a.hr.user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(outsider.user)  # admin of B: B's page (nothing on it belongs to an instansi)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_every_response_names_its_node(client: Any, settings: Any) -> None:
    from kinerja.middleware import NodeHeaderMiddleware

    assert client.get("/healthz/")["X-Kinerja-Node"] == settings.KINERJA_NODE_NAME
    assert client.get("/tidak-ada/")["X-Kinerja-Node"] == settings.KINERJA_NODE_NAME  # 404 too
    settings.KINERJA_NODE_NAME = "web9"
    mw = NodeHeaderMiddleware(lambda request: HttpResponse("x"))
    assert mw(HttpRequest())["X-Kinerja-Node"] == "web9"
