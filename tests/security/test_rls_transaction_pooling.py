"""The row-level-security tests of test_rls.py again, under transaction pooling (PgBouncer
``pool_mode = transaction``): the tenant state is set per transaction (``set_config(..., true)``),
never for the session, and nothing of it is left on the server connection for the next client."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from kinerja import rls
from tests.conftest import Org
from tests.security.test_rls import *  # noqa: F403 - the same tests, in this mode
from tests.security.test_rls import _get, _login

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.rls_urls")]


@pytest.fixture(autouse=True)
def _transaction_pooling(settings: Any) -> None:
    settings.KINERJA_RLS_TRANSACTION_LOCAL = True


def _session_state() -> tuple[str, str, str]:
    """What the server connection carries outside any transaction (psycopg, bypassing Django)."""
    raw = connection.connection
    row = raw.execute(
        "SELECT current_user::text, session_user::text, coalesce(current_setting('kinerja.instansi', true), '')"
    ).fetchone()
    return row


@pytest.mark.django_db(transaction=True)
def test_autocommit_requests_leave_no_session_state_on_the_connection(two: tuple[Org, Org]) -> None:
    """In autocommit (a real web worker), each tenant statement runs in its own transaction with the
    state; the server connection is the owner's with nothing set afterwards, so a pooler may hand it to
    any other client."""
    org_a, org_b = two
    for org in (org_a, org_b):
        state = _get(_login(org.pegawai.user), "/probe/")
        assert (state["user"], state["instansi_ids"]) == (rls.ROLE, [org.instansi.pk])
        assert connection.get_autocommit()
        user, session_user, setting = _session_state()
        assert user == session_user
        assert setting == ""
    state = _get(Client(), "/probe/")  # anonymous: the role, no instansi
    assert (state["user"], state["count"]) == (rls.ROLE, 0)
    state = _get(_login(org_a.pegawai.user), "/probe/semua/")
    assert state["inside"]["instansi_ids"] == sorted([org_a.instansi.pk, org_b.instansi.pk])
    assert state["after"]["instansi_ids"] == [org_a.instansi.pk]
    assert _session_state()[2] == ""


def test_rollback_to_a_savepoint_reapplies_the_state(two: tuple[Org, Org]) -> None:
    """ROLLBACK TO SAVEPOINT undoes a set_config(..., true) made after the savepoint; the next
    statement must get the tenant state again, not run as the owner."""
    from django.db import transaction

    from kinerja.tenancy import tenant_context

    org_a, _ = two
    with tenant_context(org_a.instansi.pk):
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SELECT 1")
                raise RuntimeError
        except RuntimeError:
            pass
        with connection.cursor() as cur:
            cur.execute("SELECT current_user::text, array_agg(DISTINCT instansi_id) FROM kinerja_pegawai")
            user, ids = cur.fetchone()
    assert (user, ids) == (rls.ROLE, [org_a.instansi.pk])
