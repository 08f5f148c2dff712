"""PostgreSQL row-level security: the second wall behind the fail-closed tenant managers.

What the database enforces (``ensure_rls``, run by migration ``kinerja.0005`` and after every
``migrate`` through ``post_migrate``, so tables added later by any app are covered too):

* a role ``kinerja_app`` (NOLOGIN, no BYPASSRLS) with DML on every table and sequence of the schema
  (and default privileges for future tables), except ``kinerja_auditlog``: SELECT and INSERT only;
* on every table with an ``instansi_id`` column: ``ENABLE`` + ``FORCE ROW LEVEL SECURITY`` and one
  policy ``kinerja_instansi`` (USING and WITH CHECK) that admits a row only when its ``instansi_id``
  equals the session setting ``kinerja.instansi``, or when that setting is ``'semua'``. Rows with a
  NULL ``instansi_id`` (platform events in the audit log) are visible only under ``'semua'``.

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

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)

ROLE = "kinerja_app"
SETTING = "kinerja.instansi"
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
          AND NOT has_table_privilege(%s, c.oid, 'INSERT')
        """,
        [ROLE],
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
            privileges = "SELECT, INSERT" if table in APPEND_ONLY_TABLES else "SELECT, INSERT, UPDATE, DELETE"
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
    if changed and verbosity >= 1:
        logger.info("RLS enabled on %d table(s): %s", len(changed), ", ".join(changed))
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
        cursor.execute("DROP FUNCTION IF EXISTS kinerja_rls_semua()")
        cursor.execute("DROP FUNCTION IF EXISTS kinerja_rls_instansi()")


def _on_post_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    # Sent once per app after the whole plan has run: tables of every app exist by now.
    if getattr(sender, "name", None) != "kinerja":
        return
    ensure_rls(using, verbosity=int(kwargs.get("verbosity", 1)))


# ---------------------------------------------------------------------------------------------- runtime

_local = threading.local()


def _stack(using: str) -> list[str]:
    stacks: dict[str, list[str]] = _local.__dict__.setdefault("stacks", {})
    return stacks.setdefault(using, [])


def current_value(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """The ``kinerja.instansi`` value this thread runs under ('' = no instansi), or None (owner)."""
    stack = _stack(using)
    return stack[-1] if stack else None


def _apply(conn: Any, value: str | None) -> None:
    """Put the open connection in state ``value`` (None = owner, no setting)."""
    raw = conn.connection
    if raw is None:
        return  # not connected: connection_created applies the state when it connects
    with conn.wrap_database_errors:
        if value is None:
            raw.execute(
                "SELECT pg_catalog.set_config(%s, '', false), pg_catalog.set_config('role', 'none', false)",
                [SETTING],
            )
        else:
            raw.execute(
                "SELECT pg_catalog.set_config('role', %s, false), pg_catalog.set_config(%s, %s, false)",
                [ROLE, SETTING, value],
            )


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    value = current_value(connection.alias)
    if value is not None and connection.vendor == "postgresql":
        _apply(connection, value)


@contextmanager
def _push(value: str, using: str) -> Iterator[None]:
    conn = connections[using]
    stack = _stack(using)
    stack.append(value)
    try:
        _apply(conn, value)
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


@contextmanager
def rls_tenant(instansi_id: int | None, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the body as ``kinerja_app`` seeing only ``instansi_id``'s rows (None: no tenant rows at all)."""
    if not rls_enabled(using):
        yield
        return
    value = "" if instansi_id is None else str(int(instansi_id))
    with _push(value, using):
        yield


@contextmanager
def rls_unrestricted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Every instansi's rows, for the audited unscoped (scope-disabled) reads inside a request or task.

    A no-op outside ``rls_tenant`` (owner code already sees everything). Keep the body to the one
    query that needs it, and never return model instances from it.
    """
    if not rls_enabled(using) or current_value(using) is None:
        yield
        return
    with _push(SEMUA, using):
        yield


def connect_signals() -> None:
    post_migrate.connect(_on_post_migrate, dispatch_uid="kinerja.rls.post_migrate")
    connection_created.connect(_on_connection_created, dispatch_uid="kinerja.rls.connection_created")


connect_signals()
