"""PostgreSQL row-level security (kinerja/rls.py): the database hides other instansi's rows even from
raw SQL with no WHERE, inside requests and tenant tasks; it refuses writes into another instansi;
the audit log cannot be changed by the application role.

The probe views (tests/security/rls_urls.py) run behind the real middleware stack.
"""

import json
from typing import Any

import pytest
from celery import shared_task
from django.db import DatabaseError, connection, transaction
from django.test import Client

from kinerja import rls
from kinerja.models import AuditLog, Pegawai
from kinerja.tenancy import TenantTask
from tests.conftest import Org

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.rls_urls")]


def _get(client: Client, url: str, **extra: Any) -> dict[str, Any]:
    resp = client.get(url, **extra)
    assert resp.status_code == 200, resp.content[:300]
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return json.loads(body)


def _owner_state() -> tuple[str, str | None]:
    with connection.cursor() as cur:
        cur.execute("SELECT current_user = session_user, current_setting('kinerja.instansi', true)")
        return cur.fetchone()


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two(org_a: Org, org_b: Org) -> tuple[Org, Org]:
    return org_a, org_b


# ---------------------------------------------------------------- the policies are installed


def test_every_tenant_table_has_forced_rls_and_the_policy() -> None:
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'instansi_id' AND NOT a.attisdropped
            WHERE n.nspname = current_schema() AND c.relkind = 'r'
            """,
            [rls.POLICY],
        )
        rows = cur.fetchall()
    tables = {r[0] for r in rows}
    # tables of every app, including the ones migrated after kinerja's RLS migration (post_migrate)
    assert {"kinerja_pegawai", "kinerja_auditlog", "skp_skp"} <= tables
    assert any(t.startswith("evaluasi_") for t in tables)
    missing = [r[0] for r in rows if not (r[1] and r[2] and r[3])]
    assert not missing, f"tables with instansi_id but without forced RLS + policy: {missing}"


def test_ensure_rls_is_idempotent_and_covers_tables_created_later() -> None:
    assert rls.ensure_rls() == []  # nothing left to do after migrate
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE uji_rls_baru (id bigserial PRIMARY KEY, instansi_id bigint NULL)")
    assert rls.ensure_rls() == ["uji_rls_baru"]
    assert rls.ensure_rls() == []
    with connection.cursor() as cur:
        cur.execute("INSERT INTO uji_rls_baru (instansi_id) VALUES (1), (2), (NULL)")
    with rls.rls_tenant(1), connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM uji_rls_baru")
        assert cur.fetchone()[0] == 1  # nullable instansi: NULL rows are not A's
        with rls.rls_unrestricted():
            cur.execute("SELECT count(*) FROM uji_rls_baru")
            assert cur.fetchone()[0] == 3  # ... visible only under 'semua'


# ---------------------------------------------------------------- requests


def test_request_of_instansi_a_sees_only_a_with_raw_sql(two: tuple[Org, Org]) -> None:
    org_a, _org_b = two
    assert Pegawai._base_manager.count() == 12  # the owner (test set-up) sees both
    state = _get(_login(org_a.pegawai.user), "/probe/")
    assert state == {
        "user": rls.ROLE,
        "setting": str(org_a.instansi.pk),
        "count": 6,
        "instansi_ids": [org_a.instansi.pk],
    }
    # and the connection is the owner's again after the request
    assert _owner_state() == (True, "")


def test_token_request_and_platform_admin_choice(two: tuple[Org, Org], platform_admin: Any, api: Any) -> None:
    org_a, org_b = two
    resp = api(org_b.admin.user).get("/probe/")
    assert json.loads(resp.content)["instansi_ids"] == [org_b.instansi.pk]
    resp = api(platform_admin).get("/probe/", HTTP_X_INSTANSI=org_a.instansi.kode)
    assert json.loads(resp.content)["instansi_ids"] == [org_a.instansi.pk]


def test_request_without_instansi_sees_no_tenant_row(two: tuple[Org, Org], platform_admin: Any) -> None:
    # anonymous, and a platform admin who has not chosen an instansi: role set, no instansi
    for client in (Client(), _login(platform_admin)):
        state = _get(client, "/probe/")
        assert (state["user"], state["setting"], state["count"]) == (rls.ROLE, "", 0)


def test_streamed_body_is_produced_under_the_same_tenant(two: tuple[Org, Org]) -> None:
    org_a, _ = two
    state = _get(_login(org_a.admin.user), "/probe/stream/")
    assert (state["user"], state["instansi_ids"]) == (rls.ROLE, [org_a.instansi.pk])
    assert _owner_state() == (True, "")


def test_unrestricted_inside_a_request_sees_all_then_returns_to_the_tenant(two: tuple[Org, Org]) -> None:
    org_a, org_b = two
    state = _get(_login(org_a.pegawai.user), "/probe/semua/")
    assert state["inside"]["setting"] == "semua"
    assert state["inside"]["instansi_ids"] == sorted([org_a.instansi.pk, org_b.instansi.pk])
    assert state["after"]["instansi_ids"] == [org_a.instansi.pk]


@pytest.mark.django_db(transaction=True)
def test_connection_reopened_mid_request_keeps_the_tenant(two: tuple[Org, Org]) -> None:
    org_a, _ = two
    state = _get(_login(org_a.pegawai.user), "/probe/reconnect/")
    assert state["before"]["instansi_ids"] == [org_a.instansi.pk]
    assert (state["after"]["user"], state["after"]["instansi_ids"]) == (rls.ROLE, [org_a.instansi.pk])
    assert _owner_state() == (True, "")


def test_switch_off_runs_as_owner(two: tuple[Org, Org], settings: Any) -> None:
    settings.KINERJA_RLS = False
    org_a, _ = two
    state = _get(_login(org_a.pegawai.user), "/probe/")
    assert state["user"] != rls.ROLE
    assert state["count"] == 12  # the scoped managers are then the only wall


# ---------------------------------------------------------------- writes into another instansi


def _refused(sql: str, params: list[Any]) -> str:
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    return str(exc.value)


def test_insert_or_move_into_another_instansi_is_refused(two: tuple[Org, Org]) -> None:
    org_a, org_b = two
    with rls.rls_tenant(org_a.instansi.pk):
        msg = _refused(
            "INSERT INTO kinerja_jabatan (instansi_id, nama, jenis, jenjang, created_at, updated_at) "
            "VALUES (%s, 'Titipan', 'pelaksana', '', now(), now())",
            [org_b.instansi.pk],
        )
        assert "row-level security" in msg
        msg = _refused(
            "UPDATE kinerja_jabatan SET instansi_id = %s WHERE id = %s",
            [org_b.instansi.pk, org_a.pegawai.jabatan_id],
        )
        assert "row-level security" in msg
        # B's rows cannot be touched either: they are invisible, so nothing is updated
        with connection.cursor() as cur:
            cur.execute("UPDATE kinerja_pegawai SET nama = 'x' WHERE instansi_id = %s", [org_b.instansi.pk])
            assert cur.rowcount == 0
            # while A's own rows can be written
            cur.execute(
                "INSERT INTO kinerja_jabatan (instansi_id, nama, jenis, jenjang, created_at, updated_at) "
                "VALUES (%s, 'Milik A', 'pelaksana', '', now(), now())",
                [org_a.instansi.pk],
            )
    with rls.rls_tenant(None):
        _refused(
            "INSERT INTO kinerja_jabatan (instansi_id, nama, jenis, jenjang, created_at, updated_at) "
            "VALUES (%s, 'Tanpa instansi', 'pelaksana', '', now(), now())",
            [org_a.instansi.pk],
        )


# ---------------------------------------------------------------- tasks


@shared_task(base=TenantTask, name="tests.security.rls_probe_task")
def rls_probe_task(tenant_id: int) -> dict[str, Any]:
    return {"state": rls.current_value(), "pegawai": _raw_count()}


def _raw_count() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM kinerja_pegawai")
        return int(cur.fetchone()[0])


def test_tenant_task_sees_only_its_instansi(two: tuple[Org, Org]) -> None:
    _org_a, org_b = two
    assert rls_probe_task(org_b.instansi.pk) == {"state": str(org_b.instansi.pk), "pegawai": 6}
    assert _owner_state() == (True, "")
    assert rls.current_value() is None


def test_task_run_eagerly_inside_a_request_restores_the_request_tenant(two: tuple[Org, Org]) -> None:
    org_a, _ = two
    with rls.rls_tenant(org_a.instansi.pk):
        assert rls_probe_task.apply(args=[org_a.instansi.pk]).get()["pegawai"] == 6
        # nested exit restored the outer state instead of resetting to the owner
        assert _raw_count() == 6
        assert rls.current_value() == str(org_a.instansi.pk)
    assert _raw_count() == 12


# ---------------------------------------------------------------- the audit log (item 6)


def test_application_role_cannot_change_or_delete_audit_rows(two: tuple[Org, Org]) -> None:
    org_a, _ = two
    row = AuditLog._base_manager.create(instansi=org_a.instansi, action="uji.audit")
    with rls.rls_tenant(org_a.instansi.pk):
        for sql in (
            "UPDATE kinerja_auditlog SET action = 'diubah' WHERE id = %s",
            "DELETE FROM kinerja_auditlog WHERE id = %s",
        ):
            msg = _refused(sql, [row.pk])
            assert "permission denied" in msg  # the privilege check, before the trigger
        _refused("TRUNCATE kinerja_auditlog", [])
        with rls.rls_unrestricted():
            _refused("DELETE FROM kinerja_auditlog WHERE id = %s", [row.pk])
        # appending is allowed (services write the log from requests)
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO kinerja_auditlog (instansi_id, action, object_type, object_id, object_repr, created_at) "
                "VALUES (%s, 'uji.tambah', '', '', '', now())",
                [org_a.instansi.pk],
            )
    with connection.cursor() as cur:
        cur.execute("SELECT has_table_privilege(%s, 'kinerja_auditlog', 'UPDATE'),"
                    " has_table_privilege(%s, 'kinerja_auditlog', 'DELETE')", [rls.ROLE, rls.ROLE])  # fmt: skip
        assert cur.fetchone() == (False, False)
    # and even the owner is stopped by the trigger of migration 0004
    msg = _refused("DELETE FROM kinerja_auditlog WHERE id = %s", [row.pk])
    assert "append-only" in msg


def test_platform_audit_rows_without_instansi_are_hidden_from_tenants(two: tuple[Org, Org]) -> None:
    org_a, _ = two
    AuditLog._base_manager.create(instansi=None, action="uji.platform")
    with rls.rls_tenant(org_a.instansi.pk), connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM kinerja_auditlog WHERE action = 'uji.platform'")
        assert cur.fetchone()[0] == 0


# ---------------------------------------------------------------- rls_unrestricted is grep-audited

RLS_UNRESTRICTED_ALLOWED = {
    "kinerja/rls.py": "defines it",
    "kinerja/selectors/dokumen.py": "public /verifikasi/ lookups by capability code (masked value objects)",
    "kinerja/services/impor.py": "which NIPs of an import file belong to another instansi (existence only)",
    "kinerja/management/tenant.py": "command_semua(): cross-tenant read-only management commands (demo_logins)",
    "kinerja/selectors/audit.py": "NIP and name of audit actors outside the tenant (platform admins), values only",
    "kinerja/services/people.py": "whether a new pegawai's NIP already has an account in any instansi (existence only)",
}


def test_rls_unrestricted_only_in_allowed_places() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for app in ("kinerja", "skp", "dialog", "evaluasi"):
        for path in (root / app).rglob("*.py"):
            rel = path.relative_to(root).as_posix()
            if rel in RLS_UNRESTRICTED_ALLOWED or "/migrations/" in rel or "/management/commands/" in rel:
                continue
            if "rls_unrestricted" in path.read_text(encoding="utf-8"):
                offenders.append(rel)
    assert not offenders, (
        "rls_unrestricted() outside the reviewed places (add the file to RLS_UNRESTRICTED_ALLOWED in "
        f"tests/security/test_rls.py with the reason, and to docs/security.md): {offenders}"
    )
