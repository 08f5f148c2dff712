"""Audit log: append-only in the database, export per instansi for an inspector."""

import csv
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django_scopes import scope

from kinerja.models import AuditLog
from kinerja.services.audit import audit_log
from tests.conftest import Org

pytestmark = pytest.mark.django_db


def test_audit_rows_cannot_be_changed_or_deleted(org_a: Org) -> None:
    row = audit_log(actor=org_a.admin.user, instansi=org_a.instansi, action="uji.aksi", object_repr="x")
    for sql in (
        "UPDATE kinerja_auditlog SET action = 'palsu' WHERE id = %s",
        "DELETE FROM kinerja_auditlog WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [row.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog._base_manager.filter(pk=row.pk).update(action="palsu")
    assert AuditLog._base_manager.get(pk=row.pk).action == "uji.aksi"


def test_export_command_only_that_instansi(org_a: Org, org_b: Org, tmp_path: Any) -> None:
    audit_log(actor=org_a.admin.user, instansi=org_a.instansi, action="uji.a", object_repr="milik A")
    audit_log(actor=org_b.admin.user, instansi=org_b.instansi, action="uji.b", object_repr="milik B")
    out = tmp_path / "audit.csv"
    call_command("export_audit", "--instansi", "A", "--output", str(out))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0][:4] == ["waktu", "aktor_nip", "aktor_nama", "aksi"]
    actions = {r[3] for r in rows[1:]}
    assert "uji.a" in actions
    assert "uji.b" not in actions
    assert all("milik B" not in ",".join(r) for r in rows)


def test_audit_page_and_csv_for_admin_only(org_a: Org, org_b: Org, outsider: Any, client: Any) -> None:
    audit_log(actor=org_a.admin.user, instansi=org_a.instansi, action="uji.halaman", object_repr="rahasia A")
    client.force_login(org_a.admin.user)
    page = client.get("/audit/")
    assert page.status_code == 200
    assert "uji.halaman" in page.content.decode()
    body = b"".join(client.get("/audit/csv/?aksi=uji.").streaming_content).decode()
    assert "rahasia A" in body
    for user in (org_a.pegawai.user, org_a.hr.user, outsider.user):
        client.force_login(user)
        resp = client.get("/audit/")
        assert resp.status_code == 404 or "rahasia A" not in resp.content.decode()
        resp = client.get("/audit/csv/")
        assert resp.status_code == 404 or "rahasia A" not in b"".join(resp.streaming_content).decode()
    client.force_login(org_a.pegawai.user)
    assert client.get("/audit/").status_code == 404
    # B's admin sees B's log page, which never holds A's rows
    client.force_login(outsider.user)
    resp = client.get("/audit/")
    assert resp.status_code == 200
    assert "rahasia A" not in resp.content.decode()


def test_audit_page_query_count_constant(org_a: Org, client: Any, django_assert_max_num_queries: Any) -> None:
    from django.test.utils import CaptureQueriesContext

    client.force_login(org_a.admin.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/audit/").status_code == 200
        return len(ctx.captured_queries)

    with scope(instansi=org_a.instansi.pk):
        for i in range(3):
            audit_log(actor=org_a.admin.user, instansi=org_a.instansi, action="uji.n", object_repr=str(i))
        small = count()
        for i in range(47):
            audit_log(actor=org_a.pegawai.user, instansi=org_a.instansi, action="uji.n", object_repr=str(i))
    assert count() == small
