"""The database wall covers identity (issue #15): accounts, sessions, tokens, object permissions,
Django's permission tables and django-axes, as the application role ``kinerja_app``.

Each attack runs as a request of instansi B would (``rls_tenant`` with B's instansi, B's user and
session), with raw SQL or the ORM and no WHERE on the tenant: it sees nothing of A and cannot write
into A, and nobody can be made platform admin or superuser. Then the legitimate flows (login page,
token login, password change with a hash upgrade, lockout, grant_role, Plt/Plh delegation through
guardian, pegawai creation with a NIP taken elsewhere) still work behind the wall. The token and
session flows of django-rest-knox (``kinerja.services.auth``) are checked row by row afterwards, with
their writes recorded as the database saw them (``current_user`` and ``kinerja.user``): login, token
requests and the sliding expiry, logout, password change, "keluar dari semua perangkat" of oneself
and of a pegawai by the instansi's admin, the expired-token purge, the login guard and axes' backstop.
"""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm
from knox.models import AuthToken

from kinerja import rls
from kinerja.exceptions import ApplicationError
from kinerja.identity import account_set_password
from kinerja.models import AuditLog, Pegawai, User
from kinerja.selectors.people import PERM_NILAI
from kinerja.services.auth import token_create
from kinerja.services.delegasi import delegasi_create, delegasi_revoke
from kinerja.services.people import pegawai_create
from tests.conftest import PASSWORD, Org

pytestmark = [pytest.mark.django_db]


# ---------------------------------------------------------------------------------------- helpers


def _session_of(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.session.session_key


@contextmanager
def as_request_of(org: Org, *, session_key: str | None = None, user: User | None = None) -> Iterator[None]:
    """The database state of a request by the instansi's admin, or ``user`` (``TenantMiddleware``), with scope."""
    user = user or org.admin.user
    with (
        rls.rls_tenant(org.instansi.pk, user_id=user.pk, session_key=session_key),
        scope(instansi=org.instansi.pk),
    ):
        yield


def _rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return list(cur.fetchall())


def _rowcount(sql: str, params: list[Any]) -> int:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def _refused(sql: str, params: list[Any]) -> str:
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    return str(exc.value)


def _users(org: Org) -> set[int]:
    return {p.user_id for p in Pegawai._base_manager.filter(instansi=org.instansi)}


@pytest.fixture
def two(org_a: Org, org_b: Org) -> tuple[Org, Org]:
    return org_a, org_b


# ------------------------------------------------------------------------------ the wall is there


IDENTITY_TABLES = [
    "kinerja_user",
    "django_session",
    "knox_authtoken",
    "guardian_userobjectpermission",
    "guardian_groupobjectpermission",
    "django_admin_log",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
]


def test_identity_tables_have_forced_rls_and_their_policies() -> None:
    rows = _rows(
        """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
               (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname LIKE 'kinerja%%')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relname = ANY(%s)
        """,
        [IDENTITY_TABLES],
    )
    found = {r[0]: r[1:] for r in rows}
    assert set(found) == set(IDENTITY_TABLES)
    unprotected = [
        t for t, (enabled, forced, policies) in found.items() if not (enabled and forced and policies)
    ]
    assert not unprotected


def test_read_only_tables_and_account_columns_for_the_application_role() -> None:
    for table in rls.READ_ONLY_TABLES:
        assert _rows(
            "SELECT has_table_privilege(%s, %s, 'SELECT'), has_table_privilege(%s, %s, 'INSERT,UPDATE,DELETE,TRUNCATE')",
            [rls.ROLE, table, rls.ROLE, table],
        ) == [(True, False)], table
    updatable = {
        r[0]
        for r in _rows(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'kinerja_user'::regclass AND attnum > 0 "
            "AND NOT attisdropped AND has_column_privilege(%s, 'kinerja_user', attname, 'UPDATE')",
            [rls.ROLE],
        )
    }
    assert updatable == set(rls.USER_UPDATABLE_COLUMNS)
    assert _rows("SELECT has_table_privilege(%s, 'kinerja_user', 'DELETE,TRUNCATE')", [rls.ROLE]) == [
        (False,)
    ]


def test_the_token_table_stripped_of_its_wall_gets_it_back_from_the_next_ensure(two: tuple[Org, Org]) -> None:
    # django-rest-knox's table (migration kinerja.0006 dropped DRF's plain-text authtoken_token):
    # a DBA or a restore that lost its policies is repaired by the next migrate (ensure_rls)
    org_a, org_b = two
    assert not _rows("SELECT 1 FROM pg_class WHERE relname = 'authtoken_token'")
    with connection.cursor() as cur:
        cur.execute("DROP POLICY kinerja_milik ON knox_authtoken")
        cur.execute("ALTER TABLE knox_authtoken NO FORCE ROW LEVEL SECURITY")
        cur.execute("ALTER TABLE knox_authtoken DISABLE ROW LEVEL SECURITY")
    assert "knox_authtoken" in rls._ensure_identity(connection.cursor())
    assert rls._ensure_identity(connection.cursor()) == []  # idempotent
    token_create(user=org_a.admin.user)
    token_create(user=org_b.pegawai.user)
    with rls.rls_tenant(None, user_id=org_b.pegawai.user_id):  # a request without an instansi
        assert _rows("SELECT user_id FROM knox_authtoken") == [(org_b.pegawai.user_id,)]
        assert "row-level security" in _refused(
            "INSERT INTO knox_authtoken (digest, token_key, user_id, created) VALUES ('x', 'x', %s, now())",
            [org_a.admin.user_id],
        )


def test_an_earlier_wider_token_policy_is_dropped_by_the_next_ensure() -> None:
    # main had ``kinerja_token_instansi`` FOR ALL (insert too); permissive policies add up, so it must go
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE POLICY kinerja_token_instansi ON knox_authtoken FOR ALL TO {rls.ROLE} "
            "USING (true) WITH CHECK (true)"
        )
    assert "knox_authtoken" in rls._ensure_identity(connection.cursor())
    policies = {
        r[0]: r[1]
        for r in _rows(
            "SELECT polname, polcmd FROM pg_policy WHERE polrelid = 'knox_authtoken'::regclass "
            "AND polname LIKE 'kinerja%%'"
        )
    }
    # r = SELECT, d = DELETE, * = ALL: the instansi's tokens are readable and deletable, only one's own writable
    # (the ``_na`` versions also cover the instansi's non-ASN officials, issue #16)
    na = rls.NON_ASN_SUFFIX
    assert policies == {
        "kinerja_milik": "*",
        f"kinerja_token_instansi_baca{na}": "r",
        f"kinerja_token_instansi_hapus{na}": "d",
        **({rls.OWNER_POLICY: "*"} if rls.OWNER_POLICY in policies else {}),
    }


# ---------------------------------------------------------------------------------- the attacks


def test_request_of_b_sees_no_account_or_password_hash_of_a(
    two: tuple[Org, Org], platform_admin: User
) -> None:
    org_a, org_b = two
    with as_request_of(org_b):
        visible = {r[0] for r in _rows("SELECT id FROM kinerja_user WHERE password <> ''")}
        assert visible == _users(org_b)  # B's pegawai (its admin included), nobody of A, no platform admin
        assert not User.objects.filter(pk=org_a.pegawai.user_id).exists()
        assert not User._base_manager.filter(is_platform_admin=True).exists()
        assert _rows("SELECT count(*) FROM kinerja_user WHERE nip = %s", [org_a.admin.nip]) == [(0,)]
    with rls.rls_tenant(None):  # anonymous request (login page, public verification): no account at all
        assert _rows("SELECT count(*) FROM kinerja_user") == [(0,)]


def test_through_the_middleware_a_forgotten_filter_sees_only_its_own(
    two: tuple[Org, Org], settings: Any, api: Any
) -> None:
    settings.ROOT_URLCONF = "tests.security.rls_urls"
    org_a, org_b = two
    AccessAttempt.objects.create(username=org_a.admin.nip, ip_address="10.0.0.1", failures_since_start=3)
    assign_perm(PERM_NILAI, org_a.rekan.user, org_a.pegawai)
    token_create(user=org_a.admin.user)
    _session_of(org_a.admin.user)
    client = Client()
    client.force_login(org_b.pegawai.user)
    body = json.loads(client.get("/probe/identitas/").content)
    assert set(body["nips"]) == {p.nip for p in Pegawai._base_manager.filter(instansi=org_b.instansi)}
    assert body["hashes"] == 6
    assert (body["sessions"], body["tokens"], body["perms"], body["axes"]) == (1, 0, 0, 0)  # its own session
    assert body["user"] == str(org_b.pegawai.user_id)
    # a token request: no session row, its own token only
    body = json.loads(api(org_b.admin.user).get("/probe/identitas/").content)
    assert (body["sessions"], body["tokens"], body["axes"]) == (0, 1, 0)
    # anonymous: nothing at all
    body = json.loads(Client().get("/probe/identitas/").content)
    assert (body["nips"], body["hashes"], body["sessions"], body["tokens"]) == ([], 0, 0, 0)


def test_nobody_can_be_made_platform_admin_superuser_or_staff(two: tuple[Org, Org]) -> None:
    org_a, org_b = two
    with as_request_of(org_b):
        for column in ("is_platform_admin", "is_superuser", "is_staff"):
            for user in (org_b.admin.user, org_a.admin.user):  # own instansi (even oneself) and another
                msg = _refused(f"UPDATE kinerja_user SET {column} = true WHERE id = %s", [user.pk])  # noqa: S608
                assert "permission denied" in msg
        with pytest.raises(DatabaseError), transaction.atomic():
            User.objects.filter(pk=org_b.admin.user_id).update(is_platform_admin=True)
        for column in ("is_platform_admin", "is_superuser", "is_staff"):
            flags = [column == c for c in ("is_staff", "is_superuser", "is_platform_admin")]
            msg = _refused(
                "INSERT INTO kinerja_user (password, nip, nama, email, is_active, is_staff, is_superuser, "
                "is_platform_admin, date_joined) VALUES ('', %s, '', '', true, %s, %s, %s, now())",
                [f"baru-{column}", *flags],
            )
            assert "row-level security" in msg
        with pytest.raises(DatabaseError), transaction.atomic():
            User.objects.create_user(nip="penyusup", is_platform_admin=True)
        assert "permission denied" in _refused(
            "DELETE FROM kinerja_user WHERE id = %s", [org_b.pegawai.user_id]
        )
        # privilege tables: read-only
        assert "permission denied" in _refused(
            "INSERT INTO kinerja_user_user_permissions (user_id, permission_id) "
            "SELECT %s, id FROM auth_permission LIMIT 1",
            [org_b.admin.user_id],
        )
        assert "permission denied" in _refused("UPDATE auth_permission SET codename = codename", [])
        assert "permission denied" in _refused("DELETE FROM django_content_type", [])
    for user in (org_a.admin.user, org_b.admin.user):
        user.refresh_from_db()
        assert (user.is_platform_admin, user.is_superuser, user.is_staff) == (False, False, False)


def test_passwords_are_written_only_through_the_own_account_path(two: tuple[Org, Org]) -> None:
    org_a, org_b = two
    before_a = User.objects.get(pk=org_a.admin.user_id).password
    with as_request_of(org_b):
        # not by a plain UPDATE, not even of one's own instansi or oneself
        for user in (org_b.pegawai.user, org_b.admin.user):
            assert "permission denied" in _refused(
                "UPDATE kinerja_user SET password = 'x' WHERE id = %s", [user.pk]
            )
        # not through the function for anybody else
        for user in (org_b.pegawai.user, org_a.admin.user):
            assert "cannot be set" in _refused("SELECT kinerja_akun_set_password(%s, 'x')", [user.pk])
        # A's accounts cannot even be renamed: invisible, nothing updated
        assert _rowcount("UPDATE kinerja_user SET nama = 'x' WHERE id = %s", [org_a.admin.user_id]) == 0
        # one's own password, through the one path
        me = User.objects.get(pk=org_b.admin.user_id)
        account_set_password(me, "kata-sandi-baru-9")
    assert User.objects.get(pk=org_a.admin.user_id).password == before_a
    assert User.objects.get(pk=org_b.admin.user_id).check_password("kata-sandi-baru-9")


def test_sessions_of_others_are_invisible_and_cannot_be_touched(two: tuple[Org, Org]) -> None:
    org_a, org_b = two
    key_a = _session_of(org_a.admin.user)
    key_b_other = _session_of(org_b.pegawai.user)  # same instansi, another person
    key_b = _session_of(org_b.admin.user)
    with as_request_of(org_b, session_key=key_b):
        assert _rows("SELECT session_key FROM django_session") == [(key_b,)]
        assert not Session.objects.filter(session_key=key_a).exists()
        assert _rowcount("UPDATE django_session SET expire_date = now() + interval '1 year'", []) == 1
        assert (
            _rowcount("DELETE FROM django_session WHERE session_key IN (%s, %s)", [key_a, key_b_other]) == 0
        )
        # a new session row may be written (login creates one), but it is not readable afterwards
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO django_session (session_key, session_data, expire_date) "
                "VALUES ('titipan-sesi-baru', 'x', now() + interval '1 day')"
            )
        assert _rows("SELECT count(*) FROM django_session WHERE session_key = 'titipan-sesi-baru'") == [(0,)]
    with as_request_of(org_b):  # a token request: no session at all
        assert _rows("SELECT count(*) FROM django_session") == [(0,)]
    assert Session.objects.filter(session_key__in=[key_a, key_b_other, key_b]).count() == 3


def _digest(raw: str) -> str:
    return AuthToken.objects.get(token_key=raw[:15]).digest


def test_tokens_of_others_are_invisible_and_cannot_be_forged(two: tuple[Org, Org]) -> None:
    org_a, org_b = two
    token_a = _digest(token_create(user=org_a.admin.user)[0])
    token_b_other = _digest(token_create(user=org_b.pegawai.user)[0])
    token_b = _digest(token_create(user=org_b.admin.user)[0])
    forge = "INSERT INTO knox_authtoken (digest, token_key, user_id, created, expiry) VALUES (%s, 'palsu', %s, now(), NULL)"
    with as_request_of(org_b, user=org_b.pegawai.user):  # a plain pegawai of B
        # the instansi's digests are readable (for the admin's revocation; a digest is no token), A's are not
        assert {r[0] for r in _rows("SELECT digest FROM knox_authtoken")} == {token_b, token_b_other}
        assert not AuthToken.objects.filter(user_id=org_a.admin.user_id).exists()
        for victim in (org_a.admin.user_id, org_b.admin.user_id):  # another instansi's admin, its own admin
            assert "row-level security" in _refused(forge, ["b" * 128, victim])
        assert "row-level security" in _refused(
            "UPDATE knox_authtoken SET user_id = %s WHERE digest = %s", [org_b.admin.user_id, token_b_other]
        )
        # nobody else's token can be kept alive (the sliding expiry of one's own token only)
        assert (
            _rowcount("UPDATE knox_authtoken SET expiry = NULL WHERE digest IN (%s, %s)", [token_a, token_b])
            == 0
        )
        assert _rowcount("DELETE FROM knox_authtoken WHERE digest = %s", [token_a]) == 0
    with as_request_of(org_b):  # B's admin: B's pegawai's tokens (revocation), never A's
        assert {r[0] for r in _rows("SELECT digest FROM knox_authtoken")} == {token_b, token_b_other}
        assert "row-level security" in _refused(forge, ["a" * 128, org_a.admin.user_id])
        # a token planted on one of its pegawai (a digest the admin knows): refused
        assert "row-level security" in _refused(forge, ["c" * 128, org_b.pegawai.user_id])
        assert _rowcount("UPDATE knox_authtoken SET expiry = NULL WHERE digest = %s", [token_b_other]) == 0
        assert "row-level security" in _refused(
            "UPDATE knox_authtoken SET user_id = %s WHERE digest = %s", [org_a.admin.user_id, token_b]
        )
        assert _rowcount("DELETE FROM knox_authtoken WHERE digest = %s", [token_a]) == 0
    assert AuthToken.objects.filter(digest=token_a).exists()
    assert AuthToken.objects.get(digest=token_b_other).expiry is not None


def test_object_permissions_of_another_instansi_are_invisible_and_cannot_be_granted(
    two: tuple[Org, Org],
) -> None:
    org_a, org_b = two
    assign_perm(PERM_NILAI, org_a.rekan.user, org_a.pegawai)
    assign_perm(PERM_NILAI, org_b.rekan.user, org_b.pegawai)
    with as_request_of(org_b):
        assert {r[0] for r in _rows("SELECT user_id FROM guardian_userobjectpermission")} == {
            org_b.rekan.user_id
        }
        assert (
            _rowcount("DELETE FROM guardian_userobjectpermission WHERE user_id = %s", [org_a.rekan.user_id])
            == 0
        )
        perm_id = _rows("SELECT permission_id FROM guardian_userobjectpermission LIMIT 1")[0][0]
        assert "row-level security" in _refused(
            "INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, permission_id, user_id) "
            "SELECT %s, content_type_id, permission_id, %s FROM guardian_userobjectpermission LIMIT 1",
            [str(org_a.admin.pk), org_a.admin.user_id],
        )
        assert "row-level security" in _refused(
            "UPDATE guardian_userobjectpermission SET user_id = %s", [org_a.admin.user_id]
        )
        assert "row-level security" in _refused(
            "INSERT INTO guardian_groupobjectpermission (object_pk, content_type_id, permission_id, group_id) "
            "SELECT '1', content_type_id, %s, 1 FROM guardian_userobjectpermission LIMIT 1",
            [perm_id],
        )
    assert UserObjectPermission.objects.filter(user=org_a.rekan.user).count() == 1


def test_login_attempts_are_out_of_reach_outside_authentication(two: tuple[Org, Org]) -> None:
    org_a, org_b = two
    AccessAttempt.objects.create(username=org_a.admin.nip, ip_address="10.0.0.1", failures_since_start=4)
    AccessLog.objects.create(username=org_a.admin.nip, ip_address="10.0.0.1")
    with as_request_of(org_b):
        assert _rows("SELECT count(*) FROM axes_accessattempt") == [(0,)]
        assert _rows("SELECT count(*) FROM axes_accesslog") == [(0,)]
        assert _rowcount("DELETE FROM axes_accessattempt", []) == 0  # nobody's lockout can be lifted
        assert "row-level security" in _refused(
            "INSERT INTO axes_accessattempt (username, ip_address, user_agent, http_accept, path_info, "
            "attempt_time, get_data, post_data, failures_since_start) "
            "VALUES ('x', '10.0.0.2', '', '', '', now(), '', '', 99)",
            [],
        )
        with rls.rls_authentication():  # the axes handler's state
            assert _rows("SELECT count(*) FROM axes_accessattempt") == [(1,)]
            assert _rows("SELECT count(*) FROM django_session") == [(0,)]  # sessions stay out of it
            assert _rows("SELECT count(*) FROM kinerja_pegawai") == [(6,)]  # tenant rows as before
    assert AccessAttempt.objects.count() == 1


# ------------------------------------------------------------------------- the legitimate flows


def test_login_page_then_pages_then_password_change(org_a: Org) -> None:
    user = org_a.pegawai.user
    client = Client()
    resp = client.post(reverse("login"), {"username": user.nip, "password": PASSWORD})
    assert resp.status_code == 302, resp.content[:300]
    user.refresh_from_db()
    assert user.last_login is not None  # written by login() as the user's own row
    assert AccessLog.objects.filter(username=user.nip).count() == 1  # axes, in the authentication state
    assert client.get(reverse("dashboard")).status_code == 200
    old_key = client.session.session_key
    new = "Sandi-Baru-2026!"
    resp = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert resp.status_code == 302
    assert client.get(reverse("password_change_done")).status_code == 200  # the rotated session still works
    assert client.session.session_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    user.refresh_from_db()
    assert user.check_password(new)
    again = Client().post(reverse("login"), {"username": user.nip, "password": new})
    assert again.status_code == 302


def test_login_upgrades_an_old_hash_through_the_authentication_path(org_a: Org, settings: Any) -> None:
    settings.PASSWORD_HASHERS = [
        *settings.PASSWORD_HASHERS,
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = org_a.pegawai.user
    old = PBKDF2PasswordHasher().encode(PASSWORD, "garam-lama", iterations=1000)  # an older hash format
    User.objects.filter(pk=user.pk).update(password=old)
    resp = Client().post(reverse("login"), {"username": user.nip, "password": PASSWORD})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("md5$")  # the test settings' preferred hasher


def test_wrong_passwords_make_the_nip_wait_and_axes_records_them(org_a: Org, settings: Any) -> None:
    # the login guard (kinerja/auth.py): after KINERJA_LOGIN_NIP_FREE failures the NIP waits, even
    # with the right password; axes, behind the wall, has recorded every failure that was checked
    user = org_a.pegawai.user
    client = Client()
    for _ in range(settings.KINERJA_LOGIN_NIP_FREE):
        assert client.post(reverse("login"), {"username": user.nip, "password": "salah"}).status_code == 200
    assert (
        AccessAttempt.objects.get(username=user.nip).failures_since_start == settings.KINERJA_LOGIN_NIP_FREE
    )
    resp = client.post(reverse("login"), {"username": user.nip, "password": PASSWORD})
    assert resp.status_code == 429
    assert int(resp["Retry-After"]) > 0
    api_resp = client.post("/api/v1/auth/token/", {"username": user.nip, "password": PASSWORD})
    assert api_resp.status_code == 401
    assert "Retry-After" in api_resp
    assert not AuthToken.objects.filter(user=user).exists()


def test_axes_backstop_locks_out_behind_the_wall_when_the_guard_lets_everything_through(
    org_a: Org, settings: Any
) -> None:
    # the guard's counters live in Redis; with them gone (simulated: no free-attempt limit), axes'
    # database counters (written in the authentication state) still lock the NIP at AXES_FAILURE_LIMIT
    settings.KINERJA_LOGIN_NIP_FREE = settings.AXES_FAILURE_LIMIT + 10
    settings.KINERJA_LOGIN_IP_LIMIT = (settings.AXES_FAILURE_LIMIT + 10, 600)
    user = org_a.pegawai.user
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.nip, "password": "salah"})
    assert AccessAttempt.objects.get(username=user.nip).failures_since_start == settings.AXES_FAILURE_LIMIT
    resp = client.post(reverse("login"), {"username": user.nip, "password": PASSWORD})
    assert resp.status_code == 429
    api_resp = client.post("/api/v1/auth/token/", {"username": user.nip, "password": PASSWORD})
    assert api_resp.status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()
    # and the lockout is not visible (nor liftable) from a request of the instansi
    with as_request_of(org_a):
        assert _rows("SELECT count(*) FROM axes_accessattempt") == [(0,)]
        assert _rowcount("DELETE FROM axes_accessattempt", []) == 0
    assert AccessAttempt.objects.filter(username=user.nip).exists()


# ------------------------------------------------------- token and session flows, as the database saw them

_WRITE = re.compile(
    r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(knox_authtoken|kinerja_user|django_session)"?', re.I
)


@contextmanager
def identity_writes() -> Iterator[list[tuple[str, str, str, str]]]:
    """Every INSERT/UPDATE/DELETE on tokens, accounts and sessions, with the role and ``kinerja.user``
    the database had when it ran: (verb, table, current_user, kinerja.user)."""
    seen: list[tuple[str, str, str, str]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        match = _WRITE.match(sql)
        if match:
            with context["connection"].connection.cursor() as raw:
                raw.execute("SELECT current_user, coalesce(current_setting('kinerja.user', true), '')")
                role, who = raw.fetchone()
            seen.append((match.group(1).split()[0].upper(), match.group(2), role, who))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def _tokens(user: User) -> int:
    return AuthToken.objects.filter(user_id=user.pk).count()


def test_token_login_requests_sliding_expiry_and_logout(two: tuple[Org, Org], time_machine: Any) -> None:
    org_a, _ = two
    time_machine.move_to(timezone.now(), tick=False)
    client = Client()
    with identity_writes() as writes:
        resp = client.post("/api/v1/auth/token/", {"username": org_a.admin.nip, "password": PASSWORD})
    assert resp.status_code == 200, resp.content
    token = resp.json()["token"]
    row = AuthToken.objects.get(token_key=token[:15])
    assert row.user_id == org_a.admin.user_id
    # the token row was written by the application role as the user who just authenticated
    assert ("INSERT", "knox_authtoken", rls.ROLE, str(org_a.admin.user_id)) in writes
    assert {w[2] for w in writes} == {rls.ROLE}
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["nip"] == org_a.admin.nip
    # a second login: a new token, both work (knox)
    login = {"username": org_a.admin.nip, "password": PASSWORD}
    again = client.post("/api/v1/auth/token/", login).json()["token"]
    assert again != token
    assert _tokens(org_a.admin.user) == 2
    # sliding expiry: a use 10 days later moves the row's expiry (the lookup runs before the tenant)
    time_machine.shift(timedelta(days=10))
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert AuthToken.objects.get(pk=row.pk).expiry == row.expiry + timedelta(days=10)
    # logout: DELETE as the application role and the user, that token's row only
    with identity_writes() as writes:
        assert client.delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 204
    assert writes == [("DELETE", "knox_authtoken", rls.ROLE, str(org_a.admin.user_id))]
    assert not AuthToken.objects.filter(pk=row.pk).exists()
    assert _tokens(org_a.admin.user) == 1
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {again}").status_code == 200
    bad = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token bukan-token")
    assert bad.status_code == 401


def test_password_change_on_the_web_revokes_tokens_and_sessions_behind_the_wall(org_a: Org) -> None:
    user = org_a.pegawai.user
    raw = [token_create(user=user)[0] for _ in range(2)]
    colleague = token_create(user=org_a.rekan.user)[0]
    here, elsewhere = Client(), Client()
    here.force_login(user)
    elsewhere.force_login(user)
    elsewhere_key = elsewhere.session.session_key
    new = "Sandi-Baru-2026!"
    with identity_writes() as writes:
        resp = here.post(
            reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        )
    assert resp.status_code == 302
    # the view's writes as the user (the hash through kinerja_akun_set_password, a function call);
    # only SessionMiddleware's save at the end of the response runs after the switch back (owner)
    in_view = [w for w in writes if w[:2] != ("UPDATE", "django_session")]
    assert {w[2:] for w in in_view} == {(rls.ROLE, str(user.pk))}, writes
    assert ("DELETE", "knox_authtoken", rls.ROLE, str(user.pk)) in writes
    assert _tokens(user) == 0  # the rows, not just the answers
    assert _tokens(org_a.rekan.user) == 1
    for token in raw:
        assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {colleague}").status_code == 200
    # the other browser: its next request ends the session (the row is flushed), this one goes on
    assert elsewhere.get(reverse("dashboard")).status_code == 302
    assert not Session.objects.filter(session_key=elsewhere_key).exists()
    assert here.get(reverse("dashboard")).status_code == 200


def test_keluar_dari_semua_perangkat_of_oneself_behind_the_wall(org_a: Org) -> None:
    user = org_a.rekan.user
    token_create(user=user)
    here, elsewhere = Client(), Client()
    here.force_login(user)
    elsewhere.force_login(user)
    keys = [here.session.session_key, elsewhere.session.session_key]
    with identity_writes() as writes:
        assert here.post(reverse("akun-keluar-semua")).status_code == 302
    in_view = [w for w in writes if w[:2] != ("UPDATE", "django_session")]
    assert {w[2] for w in in_view} == {rls.ROLE}, writes
    assert ("DELETE", "knox_authtoken", rls.ROLE, str(user.pk)) in writes
    assert ("UPDATE", "kinerja_user", rls.ROLE, str(user.pk)) in writes  # sesi_versi
    assert _tokens(user) == 0
    assert User.objects.get(pk=user.pk).sesi_versi == 1
    assert elsewhere.get(reverse("dashboard")).status_code == 302
    assert not Session.objects.filter(session_key__in=keys).exists()


def test_admin_logs_a_pegawai_out_everywhere_behind_the_wall(two: tuple[Org, Org]) -> None:
    org_a, org_b = two
    target = org_a.pegawai
    for _ in range(2):
        token_create(user=target.user)
    token_create(user=org_a.rekan.user)
    token_create(user=org_b.pegawai.user)
    browser = Client()
    browser.force_login(target.user)
    browser_key = browser.session.session_key
    admin = Client()
    admin.force_login(org_a.admin.user)
    with identity_writes() as writes:
        resp = admin.post(reverse("pegawai-keluarkan", args=[target.pk]))
    assert resp.status_code == 302
    # the revocation ran as the application role, as the admin (not as the owner, not as the target)
    assert [w for w in writes if w[:2] != ("UPDATE", "django_session")] == [
        ("DELETE", "knox_authtoken", rls.ROLE, str(org_a.admin.user_id)),
        ("UPDATE", "kinerja_user", rls.ROLE, str(org_a.admin.user_id)),
    ]
    # the rows: the target's tokens are gone, nobody else's; its sesi_versi moved
    assert _tokens(target.user) == 0
    assert (_tokens(org_a.rekan.user), _tokens(org_b.pegawai.user)) == (1, 1)
    assert User.objects.get(pk=target.user_id).sesi_versi == 1
    assert User.objects.get(pk=org_a.admin.user_id).sesi_versi == 0
    audit = AuditLog._base_manager.get(action="akun.keluar_semua")
    assert audit.after == {"token_dicabut": 2, "sendiri": False}
    # the pegawai's browser: its next request is logged out and its session row deleted
    assert Session.objects.filter(session_key=browser_key).exists()
    assert browser.get(reverse("dashboard")).status_code == 302
    assert not Session.objects.filter(session_key=browser_key).exists()
    assert admin.get(reverse("dashboard")).status_code == 200
    # B's pegawai through A's admin: 404, nothing deleted
    assert admin.post(reverse("pegawai-keluarkan", args=[org_b.pegawai.pk])).status_code == 404
    assert _tokens(org_b.pegawai.user) == 1


def test_platform_admin_logs_out_a_pegawai_of_the_instansi_it_acts_in(
    two: tuple[Org, Org], platform_admin: User
) -> None:
    org_a, _ = two
    token_create(user=org_a.pegawai.user)
    platform = Client()
    platform.force_login(platform_admin)
    resp = platform.post(
        reverse("pegawai-keluarkan", args=[org_a.pegawai.pk]), HTTP_X_INSTANSI=org_a.instansi.kode
    )
    assert resp.status_code == 302
    assert _tokens(org_a.pegawai.user) == 0
    assert User.objects.get(pk=org_a.pegawai.user_id).sesi_versi == 1


def test_the_expired_token_purge_task_reaches_every_instansi(two: tuple[Org, Org], time_machine: Any) -> None:
    from kinerja.tasks import token_purge_expired_task

    org_a, org_b = two
    time_machine.move_to(timezone.now(), tick=False)
    token_create(user=org_a.pegawai.user)
    token_create(user=org_b.pegawai.user)
    time_machine.shift(timedelta(days=20))
    fresh = token_create(user=org_a.rekan.user)[0]
    time_machine.shift(timedelta(days=15))
    # a platform task (owner), not a tenant one: under kinerja_app it would silently delete nothing
    assert token_purge_expired_task.apply().get() == 2
    assert list(AuthToken.objects.values_list("user_id", flat=True)) == [org_a.rekan.user_id]
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {fresh}").status_code == 200


def test_platform_admin_logs_in_and_acts_in_an_instansi(two: tuple[Org, Org], platform_admin: User) -> None:
    org_a, _ = two
    client = Client()
    resp = client.post(reverse("login"), {"username": platform_admin.nip, "password": PASSWORD})
    assert resp.status_code == 302
    resp = client.get(reverse("audit"), HTTP_X_INSTANSI=org_a.instansi.kode)
    assert resp.status_code == 200
    platform_admin.refresh_from_db()
    assert platform_admin.last_login is not None


def test_grant_role_through_the_command(two: tuple[Org, Org]) -> None:
    org_a, org_b = two
    out = StringIO()
    call_command(
        "grant_role", "--instansi", "A", "--nip", org_a.pegawai.nip, "--role", "hr_viewer", stdout=out
    )
    assert "diberikan" in out.getvalue()
    call_command("grant_role", "--nip", org_a.pegawai.nip, "--role", "platform_admin", stdout=out)
    assert User.objects.get(pk=org_a.pegawai.user_id).is_platform_admin
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="bukan pegawai instansi A"):  # still told apart from "unknown"
        call_command("grant_role", "--instansi", "A", "--nip", org_b.pegawai.nip, "--role", "hr_viewer")


def test_plt_plh_delegation_inside_the_tenant(org_a: Org) -> None:
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    with as_request_of(org_a):
        delegasi = delegasi_create(
            actor=org_a.admin.user, instansi=org_a.instansi, pemberi=org_a.atasan, penerima=org_a.rekan,
            jenis="plh", mulai=today, selesai=today + dt.timedelta(days=3),
        )  # fmt: skip
        penerima = User.objects.get(pk=org_a.rekan.user_id)
        assert penerima.has_perm(PERM_NILAI, org_a.pegawai)
        delegasi_revoke(actor=org_a.admin.user, delegasi=delegasi)
        assert not User.objects.get(pk=org_a.rekan.user_id).has_perm(PERM_NILAI, org_a.pegawai)
    assert AuditLog._base_manager.filter(action__startswith="delegasi.").count() == 2


def test_new_pegawai_with_a_nip_taken_in_another_instansi_is_a_field_error(two: tuple[Org, Org]) -> None:
    org_a, org_b = two
    with as_request_of(org_a):
        with pytest.raises(ApplicationError) as exc:
            pegawai_create(
                actor=org_a.admin.user, instansi=org_a.instansi, nip=org_b.pegawai.nip, nama="Ganda",
                status="pns", unit_kerja=org_a.pegawai.unit_kerja, jabatan=org_a.pegawai.jabatan,
            )  # fmt: skip
        assert exc.value.errors == {"nip": ["NIP sudah terdaftar."]}
        # and a new account is created and attached under the wall
        baru = pegawai_create(
            actor=org_a.admin.user, instansi=org_a.instansi, nip="199001012020121001", nama="Pegawai Baru",
            status="pns", unit_kerja=org_a.pegawai.unit_kerja, jabatan=org_a.pegawai.jabatan,
        )  # fmt: skip
        assert not baru.user.has_usable_password()
    assert User.objects.filter(nip="199001012020121001").exists()


def test_audit_shows_the_platform_admin_who_acted_although_the_account_is_outside_the_tenant(
    two: tuple[Org, Org], platform_admin: User
) -> None:
    org_a, _ = two
    platform = Client()
    platform.force_login(platform_admin)
    assert platform.get(reverse("dashboard"), HTTP_X_INSTANSI=org_a.instansi.kode).status_code == 200
    assert AuditLog._base_manager.filter(instansi=org_a.instansi, actor=platform_admin).exists()
    admin = Client()
    admin.force_login(org_a.admin.user)
    page = admin.get(reverse("audit"))
    assert page.status_code == 200
    assert platform_admin.nama in page.content.decode()
    csv_body = b"".join(admin.get(reverse("audit-csv")).streaming_content).decode()
    assert f"{platform_admin.nip},{platform_admin.nama}" in csv_body
    with as_request_of(org_a):  # while the account itself stays out of reach
        assert not User.objects.filter(pk=platform_admin.pk).exists()


IDENTITY_ESCAPES = {
    "rls_authentication": {"kinerja/rls.py", "kinerja/identity.py"},
    "rls_identify": {"kinerja/rls.py", "kinerja/identity.py"},
    "kinerja_akun_set_password": {"kinerja/rls.py", "kinerja/identity.py"},
}


def test_the_identity_escapes_are_used_only_where_reviewed() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found: dict[str, set[str]] = {name: set() for name in IDENTITY_ESCAPES}
    for app in ("kinerja", "skp", "dialog", "evaluasi"):
        for path in (root / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for name in IDENTITY_ESCAPES:
                if name in text:
                    found[name].add(path.relative_to(root).as_posix())
    assert found == IDENTITY_ESCAPES


def test_a_broad_grant_on_the_account_table_is_taken_back_by_the_next_ensure() -> None:
    with connection.cursor() as cur:
        cur.execute(f"GRANT UPDATE ON kinerja_user TO {rls.ROLE}")
        cur.execute(f"GRANT UPDATE (is_platform_admin) ON kinerja_user TO {rls.ROLE}")
        cur.execute(f"GRANT INSERT, DELETE ON auth_permission TO {rls.ROLE}")
    rls.ensure_rls()
    test_read_only_tables_and_account_columns_for_the_application_role()
