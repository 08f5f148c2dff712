"""PostgreSQL row-level security: the second wall behind the fail-closed tenant managers.

What the database enforces (``ensure_rls``, run by migration ``kinerja.0005`` and after every
``migrate`` through ``post_migrate``, so tables added later by any app are covered too):

* a role ``kinerja_app`` (NOLOGIN, no BYPASSRLS) with DML on every table and sequence of the schema
  (and default privileges for future tables), except ``kinerja_auditlog``: SELECT and INSERT only;
* on every table with an ``instansi_id`` column: ``ENABLE`` + ``FORCE ROW LEVEL SECURITY`` and one
  policy ``kinerja_instansi`` (USING and WITH CHECK) that admits a row only when its ``instansi_id``
  equals the session setting ``kinerja.instansi``, or when that setting is ``'semua'``. Rows with a
  NULL ``instansi_id`` (platform events in the audit log) are visible only under ``'semua'``.

* on the identity tables (accounts, sessions, tokens, guardian permissions, django-axes, Django's
  permission tables), which have no ``instansi_id``: their own privileges and policies
  (``IDENTITY_POLICIES``, ``_ensure_identity``), driven by three more settings: ``kinerja.user``
  (the request's user), ``kinerja.sesi`` (digest of its session key) and ``kinerja.auth`` (the
  authentication step, ``rls_authentication``; see ``kinerja/identity.py``).

What the application does (``rls_tenant`` / ``rls_unrestricted``): requests (``TenantMiddleware``)
and tenant tasks (``TenantTask``) ``SET ROLE kinerja_app`` and set ``kinerja.instansi`` to their
instansi id ('' when the request has no instansi: then no tenant row is visible at all), and put
both back on exit. ``rls_unrestricted()`` sets ``'semua'`` for the few audited cross-tenant reads
inside a request (public document verification). Management commands do their per-instansi work
through ``kinerja.management.tenant.command_tenant`` (the same tenant state); their platform steps,
migrations, Celery coordinator tasks and test set-up run as the connecting (owner) role.

The state lives in a per-thread stack (Django connections are per thread); a connection opened
lazily, or re-opened after an error in the middle of a request, gets the current state from the
``connection_created`` signal, so there is no window in which a request runs as the owner.
Session-control statements go through the raw psycopg connection: they are not application
queries and must not change the query counts that tests pin.

``settings.KINERJA_RLS = False`` (env ``DJANGO_KINERJA_RLS=false``) stops the ``SET ROLE`` (an
emergency switch: the policies stay, but the owner bypasses them). SET ROLE is a guard against
application bugs (a forgotten filter, a wrong manager), not against SQL injection: code that can
run arbitrary SQL can also ``RESET ROLE``. See docs/security.md.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)

ROLE = "kinerja_app"
SETTING = "kinerja.instansi"
USER_SETTING = "kinerja.user"
SESI_SETTING = "kinerja.sesi"
AUTH_SETTING = "kinerja.auth"
SEMUA = "semua"
POLICY = "kinerja_instansi"
OWNER_POLICY = "kinerja_owner"
TENANT_COLUMN = "instansi_id"
#: Tables the application role may read and append to, but never change or delete from.
APPEND_ONLY_TABLES = ("kinerja_auditlog",)

FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION kinerja_rls_instansi() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN pg_catalog.current_setting('{SETTING}', true) ~ '^[0-9]{{1,18}}$'
                THEN pg_catalog.current_setting('{SETTING}', true)::bigint END
$$;
CREATE OR REPLACE FUNCTION kinerja_rls_semua() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(pg_catalog.current_setting('{SETTING}', true) = '{SEMUA}', false)
$$;
"""
POLICY_EXPR = f"(kinerja_rls_semua() OR {TENANT_COLUMN} = kinerja_rls_instansi())"

# ------------------------------------------------------------------------------ identity tables
# Accounts, sessions, tokens, object permissions and the login-attempt tables carry no instansi_id:
# their own rules below (``_ensure_identity``, docs/security.md "What the database wall covers").

USER_TABLE = "kinerja_user"
#: The only account columns the application role may UPDATE (the password goes through
#: ``kinerja_akun_set_password``; privilege flags, NIP and id only through the owner).
#: ``sesi_versi`` is raised to log an account out everywhere (kinerja.services.auth.sesi_revoke_all).
USER_UPDATABLE_COLUMNS = ("last_login", "nama", "email", "is_active", "sesi_versi")
#: Read by the application, written only by migrations and management commands (the owner).
READ_ONLY_TABLES = (
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
    "django_content_type",
    "kinerja_user_groups",
    "kinerja_user_user_permissions",
)
#: Tables whose rows belong to one user (``user_id``): a request sees and writes only its own.
OWN_ROW_TABLES = ("knox_authtoken", "django_admin_log")
SESSION_TABLE = "django_session"
AXES_PREFIX = "axes_"

IDENTITY_FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION kinerja_rls_user() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN pg_catalog.current_setting('{USER_SETTING}', true) ~ '^[0-9]{{1,18}}$'
                THEN pg_catalog.current_setting('{USER_SETTING}', true)::bigint END
$$;
CREATE OR REPLACE FUNCTION kinerja_rls_sesi() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN pg_catalog.current_setting('{SESI_SETTING}', true) ~ '^[0-9a-f]{{64}}$'
                THEN pg_catalog.current_setting('{SESI_SETTING}', true) END
$$;
CREATE OR REPLACE FUNCTION kinerja_rls_auth() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(pg_catalog.current_setting('{AUTH_SETTING}', true) = 'on', false)
$$;
CREATE OR REPLACE FUNCTION kinerja_rls_akun_bebas(akun bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {{schema}}, pg_catalog AS $$
    SELECT NOT EXISTS (SELECT 1 FROM kinerja_pegawai WHERE user_id = akun){{bebas_non_asn}}
$$;
CREATE OR REPLACE FUNCTION kinerja_akun_set_password(akun bigint, sandi text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {{schema}}, pg_catalog AS $$
BEGIN
    IF akun IS NULL OR sandi IS NULL OR NOT (kinerja_rls_auth() OR akun = kinerja_rls_user(){{sandi_non_asn}}) THEN
        RAISE EXCEPTION 'kinerja: the password of account % cannot be set in this context', akun
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE {USER_TABLE} SET password = sandi WHERE id = akun;
END
$$;
REVOKE ALL ON FUNCTION kinerja_rls_akun_bebas(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION kinerja_akun_set_password(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kinerja_rls_akun_bebas(bigint) TO {ROLE};
GRANT EXECUTE ON FUNCTION kinerja_akun_set_password(bigint, text) TO {ROLE};
"""  # noqa: S608  (module constants only)

#: The table of the Pejabat Penilai non-ASN (issue #16): accounts without a pegawai row, each bound to
#: one instansi. Once it exists (kinerja 0010), the identity rules treat its accounts like pegawai
#: accounts of that instansi: visible and writable only from it, never "free" (``kinerja_rls_akun_bebas``).
NON_ASN_TABLE = "kinerja_pejabatnonasn"
_BEBAS_NON_ASN_SQL = "\n      AND NOT EXISTS (SELECT 1 FROM kinerja_pejabatnonasn WHERE user_id = akun)"
#: The instansi's admin sets the password of its own non-ASN officials (``pejabat_non_asn_simpan``).
_SANDI_NON_ASN_SQL = (
    "\n        OR (EXISTS (SELECT 1 FROM kinerja_pejabatnonasn n WHERE n.user_id = akun"
    " AND n.instansi_id = kinerja_rls_instansi())"
    " AND EXISTS (SELECT 1 FROM kinerja_peraninstansi r WHERE r.user_id = kinerja_rls_user()"
    " AND r.instansi_id = kinerja_rls_instansi() AND r.role = 'admin_instansi'))"
)

_PEGAWAI_OF_INSTANSI = "EXISTS (SELECT 1 FROM kinerja_pegawai p WHERE p.user_id = {col} AND p.instansi_id = kinerja_rls_instansi())"
_NON_ASN_OF_INSTANSI = "EXISTS (SELECT 1 FROM kinerja_pejabatnonasn n WHERE n.user_id = {col} AND n.instansi_id = kinerja_rls_instansi())"
_UNPRIVILEGED = "NOT (is_superuser OR is_staff OR is_platform_admin)"
#: An account a request may change: its own, one of its instansi's pegawai, or a fresh unprivileged
#: account not attached to any pegawai yet (pegawai creation and import insert the account first).
USER_WRITABLE = (
    f"(id = kinerja_rls_user() OR {_PEGAWAI_OF_INSTANSI.format(col=USER_TABLE + '.id')} "
    f"OR ({_UNPRIVILEGED} AND kinerja_rls_akun_bebas(id)))"
)
USER_READABLE = f"(kinerja_rls_semua() OR kinerja_rls_auth() OR {USER_WRITABLE})"
_SESSION_OWN = (
    "(kinerja_rls_sesi() IS NOT NULL AND "
    "pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(session_key, 'UTF8')), 'hex') = kinerja_rls_sesi())"
)
_PERM_OWN_INSTANSI = _PEGAWAI_OF_INSTANSI.format(col="guardian_userobjectpermission.user_id")

#: table -> [(policy, command, USING, WITH CHECK)]; a command without a policy is refused.
IDENTITY_POLICIES: dict[str, list[tuple[str, str, str | None, str | None]]] = {
    USER_TABLE: [
        ("kinerja_akun_baca", "SELECT", USER_READABLE, None),
        ("kinerja_akun_tambah", "INSERT", None, _UNPRIVILEGED),
        ("kinerja_akun_ubah", "UPDATE", USER_WRITABLE, USER_WRITABLE),
    ],
    SESSION_TABLE: [
        ("kinerja_sesi", "ALL", _SESSION_OWN, _SESSION_OWN),
        ("kinerja_sesi_baru", "INSERT", None, "true"),
    ],
    "guardian_userobjectpermission": [
        ("kinerja_izin_baca", "SELECT", "(kinerja_rls_semua() OR user_id = kinerja_rls_user())", None),
        ("kinerja_izin", "ALL", _PERM_OWN_INSTANSI, _PERM_OWN_INSTANSI),
    ],
    "guardian_groupobjectpermission": [
        ("kinerja_izin_grup_baca", "SELECT", "kinerja_rls_semua()", None),
    ],
    **{
        t: [("kinerja_milik", "ALL", "user_id = kinerja_rls_user()", "user_id = kinerja_rls_user()")]
        for t in OWN_ROW_TABLES
    },
}
# The instansi's admin logs one of its pegawai out everywhere (kinerja.services.auth.akun_keluar_semua):
# the tokens of the instansi's pegawai are visible (digests only: no token is readable) and deletable,
# but never written: a token row is inserted or updated only for the request's own account
# (``kinerja_milik``), so nobody can plant a token (a digest they know) on a colleague's account.
# DELETE ... WHERE needs the row visible (SELECT policy) and deletable (DELETE policy): two policies.
_TOKEN_OF_INSTANSI = _PEGAWAI_OF_INSTANSI.format(col="knox_authtoken.user_id")
IDENTITY_POLICIES["knox_authtoken"] += [
    ("kinerja_token_instansi_baca", "SELECT", _TOKEN_OF_INSTANSI, None),
    ("kinerja_token_instansi_hapus", "DELETE", _TOKEN_OF_INSTANSI, None),
]
#: Policies of earlier versions, dropped by the next ensure (permissive policies add up: an old, wider
#: one left in place would keep what its replacement takes away).
RETIRED_POLICIES: dict[str, tuple[str, ...]] = {
    # FOR ALL with a WITH CHECK: let a request insert a token for any pegawai of its instansi
    "knox_authtoken": ("kinerja_token_instansi",),
}
AXES_POLICY = ("kinerja_autentikasi", "ALL", "kinerja_rls_auth()", "kinerja_rls_auth()")

#: Suffix of the policies that also admit the instansi's non-ASN officials (``NON_ASN_TABLE``).
NON_ASN_SUFFIX = "_na"
_ACCOUNT_COLUMNS = (f"{USER_TABLE}.id", "guardian_userobjectpermission.user_id", "knox_authtoken.user_id")


def _with_non_asn(expr: str | None) -> str | None:
    """``expr`` where "a pegawai of the instansi" also means "a non-ASN official of the instansi"."""
    if expr is None:
        return None
    for col in _ACCOUNT_COLUMNS:
        pegawai = _PEGAWAI_OF_INSTANSI.format(col=col)
        expr = expr.replace(pegawai, f"({pegawai} OR {_NON_ASN_OF_INSTANSI.format(col=col)})")
    return expr


def identity_policies(
    *, non_asn: bool
) -> tuple[dict[str, list[tuple[str, str, str | None, str | None]]], dict[str, tuple[str, ...]]]:
    """The identity policies to have and the ones to drop. ``non_asn`` (the table exists): every policy
    that admits "the accounts of the instansi's pegawai" is replaced by one (``*_na``) that admits its
    non-ASN officials too; before that table exists (migrations 0005..0009) the original ones."""
    if not non_asn:
        return IDENTITY_POLICIES, RETIRED_POLICIES
    policies: dict[str, list[tuple[str, str, str | None, str | None]]] = {}
    retired = {t: list(names) for t, names in RETIRED_POLICIES.items()}
    for table, rules in IDENTITY_POLICIES.items():
        policies[table] = []
        for name, command, using, check in rules:
            using2, check2 = _with_non_asn(using), _with_non_asn(check)
            if (using2, check2) != (using, check):
                retired.setdefault(table, []).append(name)
                name = name + NON_ASN_SUFFIX
            policies[table].append((name, command, using2, check2))
    return policies, {t: tuple(names) for t, names in retired.items()}


class RlsSetupError(RuntimeError):
    """The database user cannot create or assume the application role."""


# ---------------------------------------------------------------------------------------------- switch


def rls_enabled(using: str = DEFAULT_DB_ALIAS) -> bool:
    return bool(getattr(settings, "KINERJA_RLS", True)) and connections[using].vendor == "postgresql"


# ---------------------------------------------------------------------------------------------- schema


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fetch(cursor: Any, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    cursor.execute(sql, params)
    return list(cursor.fetchall())


def _ensure_role(cursor: Any, *, using: str) -> None:
    exists = _fetch(cursor, "SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE])
    if not exists:
        try:
            with transaction.atomic(using=using):
                # Roles are cluster-wide: parallel test databases may race to create it.
                cursor.execute(
                    f"DO $$ BEGIN CREATE ROLE {ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT; "
                    "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
                )
        except Exception as exc:
            raise RlsSetupError(
                f"Cannot create the database role {ROLE!r} ({exc}). Ask a DBA to run "
                f"`CREATE ROLE {ROLE} NOLOGIN; GRANT {ROLE} TO <this user>;`, "
                "or set DJANGO_KINERJA_RLS=false (see docs/operations.md)."
            ) from exc
    member = _fetch(cursor, "SELECT pg_has_role(current_user, %s, 'MEMBER')", [ROLE])[0][0]
    if not member:
        try:
            with transaction.atomic(using=using):
                cursor.execute(f"GRANT {ROLE} TO CURRENT_USER")
        except Exception as exc:
            raise RlsSetupError(
                f"The database user cannot SET ROLE {ROLE} ({exc}). Run `GRANT {ROLE} TO <this user>;` as a "
                "superuser, or set DJANGO_KINERJA_RLS=false."
            ) from exc


def _ensure_grants(cursor: Any) -> int:
    """Grant DML where missing (one catalogue query when nothing is missing). Returns tables changed."""
    missing = _fetch(
        cursor,
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
          AND NOT has_table_privilege(%s, c.oid, CASE WHEN c.relname = ANY(%s) THEN 'SELECT' ELSE 'INSERT' END)
        """,
        [ROLE, list(READ_ONLY_TABLES)],
    )
    seqs = _fetch(
        cursor,
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema()
          AND CASE WHEN c.relkind = 'S' THEN NOT has_sequence_privilege(%s, c.oid, 'USAGE') ELSE false END
        """,
        [ROLE],
    )
    if missing or seqs:
        cursor.execute(f"GRANT USAGE ON SCHEMA {_q(_schema(cursor))} TO {ROLE}")
        for (table,) in missing:
            if table in READ_ONLY_TABLES:
                privileges = "SELECT"
            elif table in APPEND_ONLY_TABLES:
                privileges = "SELECT, INSERT"
            else:
                privileges = "SELECT, INSERT, UPDATE, DELETE"
            cursor.execute(f"GRANT {privileges} ON TABLE {_q(table)} TO {ROLE}")
        for (seq,) in seqs:
            cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON SEQUENCE {_q(seq)} TO {ROLE}")
        schema = _q(_schema(cursor))
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {ROLE}"
        )
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {ROLE}"
        )
    # Append-only tables: taken back every time, in case a broad GRANT (default privileges, a DBA's
    # GRANT ... ON ALL TABLES) gave them back.
    for table in APPEND_ONLY_TABLES:
        leaked = _fetch(
            cursor,
            """
            SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relname = %s
              AND has_table_privilege(%s, c.oid, 'UPDATE,DELETE,TRUNCATE')
            """,
            [table, ROLE],
        )
        if leaked:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON TABLE {_q(table)} FROM {ROLE}")
    return len(missing)


def _schema(cursor: Any) -> str:
    return str(_fetch(cursor, "SELECT current_schema()")[0][0])


def _ensure_policies(cursor: Any) -> list[str]:
    """ENABLE + FORCE RLS and the policy on every table with ``instansi_id`` that lacks them."""
    if not _fetch(cursor, "SELECT 1 FROM pg_proc WHERE proname = 'kinerja_rls_semua'"):
        cursor.execute(FUNCTIONS_SQL)
    superuser = _fetch(cursor, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0][0]
    rows = _fetch(
        cursor,
        f"""
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
               EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s),
               EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s)
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = '{TENANT_COLUMN}' AND NOT a.attisdropped
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
        ORDER BY c.relname
        """,  # noqa: S608  (only the constant column name is interpolated)
        [POLICY, OWNER_POLICY],
    )
    changed = []
    for table, enabled, forced, has_policy, has_owner_policy in rows:
        t = _q(table)
        if not has_policy:
            cursor.execute(f"CREATE POLICY {POLICY} ON {t} USING {POLICY_EXPR} WITH CHECK {POLICY_EXPR}")
        if not superuser and not has_owner_policy:
            # FORCE applies to the owner too: a non-superuser owner (managed PostgreSQL) keeps full
            # access for migrations and commands through this explicit, visible policy. Superusers
            # bypass RLS anyway. After SET ROLE kinerja_app it no longer applies.
            cursor.execute(
                f"CREATE POLICY {OWNER_POLICY} ON {t} TO CURRENT_USER USING (true) WITH CHECK (true)"
            )
        if not enabled:
            cursor.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        if not forced:
            cursor.execute(f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY")
        if not (has_policy and enabled and forced):
            changed.append(table)
    return changed


def _existing_tables(cursor: Any) -> set[str]:
    return {
        r[0]
        for r in _fetch(
            cursor,
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
            """,
        )
    }


def _ensure_identity(cursor: Any) -> list[str]:
    """Privileges and row-level security of the identity tables that exist (idempotent).

    Tables that appear later (django-rest-knox's ``knox_authtoken``) are covered by the next
    ``migrate``. Returns the tables whose policies or RLS flags it changed.
    """
    tables = _existing_tables(cursor)
    if "kinerja_pegawai" not in tables or USER_TABLE not in tables:
        return []  # before kinerja's first migration: nothing to protect yet
    non_asn = NON_ASN_TABLE in tables
    cursor.execute(
        IDENTITY_FUNCTIONS_SQL.replace("{schema}", _q(_schema(cursor)))
        .replace("{bebas_non_asn}", _BEBAS_NON_ASN_SQL if non_asn else "")
        .replace("{sandi_non_asn}", _SANDI_NON_ASN_SQL if non_asn else "")
    )

    # Privileges: tables taken back every time, as for the audit log (a DBA's broad GRANT, default
    # privileges of a table created later).
    for table in READ_ONLY_TABLES:
        if (
            table in tables
            and _fetch(
                cursor,
                "SELECT has_table_privilege(%s, %s, 'INSERT,UPDATE,DELETE,TRUNCATE')",
                [ROLE, f"{_schema(cursor)}.{table}"],
            )[0][0]
        ):
            cursor.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLE {_q(table)} FROM {ROLE}")
    present: dict[str, bool] = {
        r[0]: r[1]
        for r in _fetch(
            cursor,
            "SELECT attname::text, has_column_privilege(%s, attrelid, attnum, 'UPDATE') FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [ROLE, USER_TABLE],
        )
    }
    updatable = {c for c, granted in present.items() if granted}
    # a column added by a later migration (the account table grows) is granted when it exists
    wanted_columns = [c for c in USER_UPDATABLE_COLUMNS if c in present]
    if (
        updatable != set(wanted_columns)
        or _fetch(cursor, "SELECT has_table_privilege(%s, %s, 'UPDATE,DELETE,TRUNCATE')", [ROLE, USER_TABLE])[
            0
        ][0]
    ):
        # Revoking the table privilege takes every column privilege with it; then grant the few back.
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON TABLE {USER_TABLE} FROM {ROLE}")
        columns = ", ".join(_q(c) for c in wanted_columns)
        cursor.execute(f"GRANT UPDATE ({columns}) ON TABLE {USER_TABLE} TO {ROLE}")

    policies, retired = identity_policies(non_asn=non_asn)
    wanted: dict[str, list[tuple[str, str, str | None, str | None]]] = {
        t: p for t, p in policies.items() if t in tables
    }
    for table in sorted(tables):
        if table.startswith(AXES_PREFIX):
            wanted[table] = [AXES_POLICY]
    return _ensure_table_policies(cursor, wanted, retired)


def _ensure_table_policies(
    cursor: Any,
    wanted: dict[str, list[tuple[str, str, str | None, str | None]]],
    retired: dict[str, tuple[str, ...]] = RETIRED_POLICIES,
) -> list[str]:
    if not wanted:
        return []
    superuser = _fetch(cursor, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0][0]
    rows = _fetch(
        cursor,
        """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
               ARRAY(SELECT p.polname::text FROM pg_policy p WHERE p.polrelid = c.oid)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relname = ANY(%s)
        """,
        [list(wanted)],
    )
    changed = []
    for table, enabled, forced, existing in rows:
        t = _q(table)
        dirty = False
        for name in retired.get(table, ()):
            if name in existing:
                cursor.execute(f"DROP POLICY {_q(name)} ON {t}")
                dirty = True
        for name, command, using, check in wanted[table]:
            if name in existing:
                continue
            sql = f"CREATE POLICY {name} ON {t} FOR {command} TO {ROLE}"
            if using is not None:
                sql += f" USING ({using})"
            if check is not None:
                sql += f" WITH CHECK ({check})"
            cursor.execute(sql)
            dirty = True
        if not superuser and OWNER_POLICY not in existing:
            cursor.execute(
                f"CREATE POLICY {OWNER_POLICY} ON {t} TO CURRENT_USER USING (true) WITH CHECK (true)"
            )
        if not enabled:
            cursor.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        if not forced:
            cursor.execute(f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY")
        if dirty or not (enabled and forced):
            changed.append(table)
    return changed


def ensure_rls(using: str = DEFAULT_DB_ALIAS, *, verbosity: int = 1) -> list[str]:
    """Idempotent: role, grants, and RLS + policy on every tenant table. Returns the tables it changed.

    Safe to run any number of times and concurrently with other databases of the same cluster.
    With ``KINERJA_RLS`` off, a missing role is reported instead of raised.
    """
    conn = connections[using]
    if conn.vendor != "postgresql":
        return []
    with conn.cursor() as cursor:
        try:
            _ensure_role(cursor, using=using)
        except RlsSetupError:
            if getattr(settings, "KINERJA_RLS", True):
                raise
            logger.warning("RLS: role %s unavailable and KINERJA_RLS is off; policies not installed", ROLE)
            return []
        _ensure_grants(cursor)
        changed = _ensure_policies(cursor)
        identity = _ensure_identity(cursor)
    if changed and verbosity >= 1:
        logger.info("RLS enabled on %d table(s): %s", len(changed), ", ".join(changed))
    if identity and verbosity >= 1:
        logger.info("RLS on identity table(s): %s", ", ".join(identity))
    return changed


def disable_rls(using: str = DEFAULT_DB_ALIAS) -> None:
    """Reverse of ``ensure_rls`` for the migration's backwards step (the role is kept: it is cluster-wide)."""
    conn = connections[using]
    with conn.cursor() as cursor:
        rows = _fetch(
            cursor,
            """
            SELECT DISTINCT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND p.polname IN (%s, %s)
            """,
            [POLICY, OWNER_POLICY],
        )
        for (table,) in rows:
            t = _q(table)
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {t}")
            cursor.execute(f"DROP POLICY IF EXISTS {OWNER_POLICY} ON {t}")
            cursor.execute(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")
        identity = _fetch(
            cursor,
            """
            SELECT c.relname, array_agg(p.polname::text) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND p.polname LIKE %s
            GROUP BY c.relname
            """,
            ["kinerja\\_%"],
        )
        for table, names in identity:
            t = _q(table)
            for name in names:
                cursor.execute(f"DROP POLICY IF EXISTS {_q(name)} ON {t}")
            cursor.execute(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")
        for function in (
            "kinerja_akun_set_password(bigint, text)",
            "kinerja_rls_akun_bebas(bigint)",
            "kinerja_rls_auth()",
            "kinerja_rls_sesi()",
            "kinerja_rls_user()",
        ):
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
        cursor.execute("DROP FUNCTION IF EXISTS kinerja_rls_semua()")
        cursor.execute("DROP FUNCTION IF EXISTS kinerja_rls_instansi()")


def _on_post_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    # Sent once per app after the whole plan has run: tables of every app exist by now.
    if getattr(sender, "name", None) != "kinerja":
        return
    ensure_rls(using, verbosity=int(kwargs.get("verbosity", 1)))


# ---------------------------------------------------------------------------------------------- runtime

_local = threading.local()


@dataclass(frozen=True)
class _State:
    """What the connection runs as: ``instansi`` ('' none, an id, or ``'semua'``), the request's user id
    (''), the SHA-256 of its session key (''), and whether an authentication step is running."""

    instansi: str
    user: str = ""
    sesi: str = ""
    auth: bool = False


def _stack(using: str) -> list[_State]:
    stacks: dict[str, list[_State]] = _local.__dict__.setdefault("stacks", {})
    return stacks.setdefault(using, [])


def _current(using: str = DEFAULT_DB_ALIAS) -> _State | None:
    stack = _stack(using)
    if stack:
        return stack[-1]
    if using != DEFAULT_DB_ALIAS and using in getattr(settings, "KINERJA_READ_REPLICAS", ()):
        # A read replica runs as whatever the primary's connection runs as in this thread: a report
        # read there inside a request sees exactly that request's instansi (kinerja/replica.py).
        stack = _stack(DEFAULT_DB_ALIAS)
        return stack[-1] if stack else None
    return None


def transaction_local() -> bool:
    """Transaction pooling (PgBouncer ``pool_mode = transaction``): the state is set with
    ``set_config(..., true)`` at the start of every transaction that needs it, never for the session
    (``settings.KINERJA_RLS_TRANSACTION_LOCAL``, env ``DJANGO_DB_TRANSACTION_POOLING``)."""
    return bool(getattr(settings, "KINERJA_RLS_TRANSACTION_LOCAL", False))


_UNKNOWN = object()  # after ROLLBACK TO SAVEPOINT: the transaction's settings are not known any more


def _set_local(raw: Any, state: _State | None) -> None:
    if state is None:
        raw.execute(
            "SELECT pg_catalog.set_config(%s, '', true), pg_catalog.set_config(%s, '', true), "
            "pg_catalog.set_config(%s, '', true), pg_catalog.set_config(%s, '', true), "
            "pg_catalog.set_config('role', 'none', true)",
            [SETTING, USER_SETTING, SESI_SETTING, AUTH_SETTING],
        )
    else:
        raw.execute(
            "SELECT pg_catalog.set_config('role', %s, true), pg_catalog.set_config(%s, %s, true), "
            "pg_catalog.set_config(%s, %s, true), pg_catalog.set_config(%s, %s, true), "
            "pg_catalog.set_config(%s, %s, true)",
            [
                ROLE, SETTING, state.instansi, USER_SETTING, state.user, SESI_SETTING, state.sesi,
                AUTH_SETTING, "on" if state.auth else "",
            ],
        )  # fmt: skip


def transaction_state_reset(conn: Any, *, known: bool = True) -> None:
    """A transaction ended or began (``known``: the server is back at the session's owner state), or
    was rolled back to a savepoint (not known). Called by ``kinerja.db.base.DatabaseWrapper``."""
    conn.kinerja_rls_applied = None if known else _UNKNOWN


def execute_wrapper(execute: Any, sql: Any, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """Under transaction pooling, give every statement the tenant state of this thread, per transaction.

    Inside a transaction: ``set_config(..., true)`` once, before its first statement, and again
    whenever the state changes (``rls_unrestricted`` inside a service) or after a rollback to a
    savepoint. In autocommit: a statement that needs a tenant state runs in a transaction of its own
    with it (owner statements run as they are). The settings never outlive the transaction, so the
    next client of the same server connection starts as the owner with nothing set.
    """
    conn = context["connection"]
    if not transaction_local() or conn.vendor != "postgresql":
        return execute(sql, params, many, context)
    want = _current(conn.alias) if rls_enabled(conn.alias) else None
    if conn.get_autocommit():
        if want is None:
            return execute(sql, params, many, context)
        with transaction.atomic(using=conn.alias):
            with conn.wrap_database_errors:
                _set_local(conn.connection, want)
            conn.kinerja_rls_applied = want
            return execute(sql, params, many, context)
    applied = getattr(conn, "kinerja_rls_applied", _UNKNOWN)
    if applied is _UNKNOWN or applied != want:
        with conn.wrap_database_errors:
            _set_local(conn.connection, want)
        conn.kinerja_rls_applied = want
    return execute(sql, params, many, context)


def sync_alias(using: str) -> None:
    """Put the connection of ``using`` (a read replica) in this thread's current state now."""
    if rls_enabled(using) and not transaction_local():
        _apply(connections[using], _current(using))


def current_value(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """The ``kinerja.instansi`` value this thread runs under ('' = no instansi), or None (owner)."""
    state = _current(using)
    return state.instansi if state is not None else None


def _apply(conn: Any, state: _State | None) -> None:
    """Put the open connection in ``state`` (None = owner, no settings)."""
    raw = conn.connection
    if raw is None:
        return  # not connected: connection_created applies the state when it connects
    if transaction_local():
        return  # execute_wrapper sets it inside each transaction
    with conn.wrap_database_errors:
        if state is None:
            raw.execute(
                "SELECT pg_catalog.set_config(%s, '', false), pg_catalog.set_config(%s, '', false), "
                "pg_catalog.set_config(%s, '', false), pg_catalog.set_config(%s, '', false), "
                "pg_catalog.set_config('role', 'none', false)",
                [SETTING, USER_SETTING, SESI_SETTING, AUTH_SETTING],
            )
        else:
            raw.execute(
                "SELECT pg_catalog.set_config('role', %s, false), pg_catalog.set_config(%s, %s, false), "
                "pg_catalog.set_config(%s, %s, false), pg_catalog.set_config(%s, %s, false), "
                "pg_catalog.set_config(%s, %s, false)",
                [
                    ROLE,
                    SETTING,
                    state.instansi,
                    USER_SETTING,
                    state.user,
                    SESI_SETTING,
                    state.sesi,
                    AUTH_SETTING,
                    "on" if state.auth else "",
                ],
            )


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    state = _current(connection.alias)
    if state is not None and connection.vendor == "postgresql":
        _apply(connection, state)


@contextmanager
def _push(state: _State, using: str) -> Iterator[None]:
    conn = connections[using]
    stack = _stack(using)
    stack.append(state)
    try:
        _apply(conn, state)
    except BaseException:
        stack.pop()
        raise
    try:
        yield
    finally:
        stack.pop()
        previous = stack[-1] if stack else None
        try:
            _apply(conn, previous)
        except Exception:
            # The connection is broken (or its transaction aborted). Outside a transaction, drop it:
            # the next one starts clean (and gets ``previous`` from connection_created).
            logger.warning("RLS: could not restore the connection state; closing it", exc_info=True)
            if not conn.in_atomic_block:
                conn.close()


def session_digest(session_key: str | None) -> str:
    """What ``kinerja.sesi`` holds for a session key: its SHA-256 (the key itself never reaches the
    database's settings, statement logs or ``pg_stat_activity``)."""
    return hashlib.sha256(session_key.encode()).hexdigest() if session_key else ""


@contextmanager
def rls_tenant(
    instansi_id: int | None,
    using: str = DEFAULT_DB_ALIAS,
    *,
    user_id: int | None = None,
    session_key: str | None = None,
) -> Iterator[None]:
    """Run the body as ``kinerja_app`` seeing only ``instansi_id``'s rows (None: no tenant rows at all).

    ``user_id``/``session_key``: the request's authenticated user and session. The identity tables
    (``IDENTITY_POLICIES``) show a request its own account, tokens and session row besides the
    accounts of its instansi's pegawai; without them, only the latter.
    """
    if not rls_enabled(using):
        yield
        return
    value = "" if instansi_id is None else str(int(instansi_id))
    user = "" if user_id is None else str(int(user_id))
    with _push(_State(value, user, session_digest(session_key)), using):
        yield


@contextmanager
def rls_unrestricted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Every instansi's rows, for the audited unscoped (scope-disabled) reads inside a request or task.

    A no-op outside ``rls_tenant`` (owner code already sees everything). Keep the body to the one
    query that needs it, and never return model instances from it. Identity rows stay as narrow as
    before except that every account becomes readable (``semua`` never writes them).
    """
    state = _current(using)
    if not rls_enabled(using) or state is None:
        yield
        return
    with _push(replace(state, instansi=SEMUA), using):
        yield


@contextmanager
def rls_authentication(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """The authentication step of a request (``kinerja.identity``): accounts readable by NIP, the
    django-axes tables readable and writable; tenant rows, sessions and tokens stay as they were.

    Only the authentication backend and the axes handler enter it. A no-op outside ``rls_tenant``.
    """
    state = _current(using)
    if not rls_enabled(using) or state is None:
        yield
        return
    with _push(replace(state, auth=True), using):
        yield


def rls_identify(user_id: int, using: str = DEFAULT_DB_ALIAS, *, session_key: str | None = None) -> None:
    """The request has just authenticated ``user_id`` (login): from now on it runs as that user in the
    identity tables (its own account row, its tokens; with ``session_key``, the new session row).

    Changes the current (innermost) state in place; it ends with the request. A no-op for the owner.
    """
    stack = _stack(using)
    if not rls_enabled(using) or not stack:
        return
    state = replace(stack[-1], user=str(int(user_id)))
    if session_key is not None:
        state = replace(state, sesi=session_digest(session_key))
    stack[-1] = state
    _apply(connections[using], state)


def connect_signals() -> None:
    post_migrate.connect(_on_post_migrate, dispatch_uid="kinerja.rls.post_migrate")
    connection_created.connect(_on_connection_created, dispatch_uid="kinerja.rls.connection_created")


connect_signals()
