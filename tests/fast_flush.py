"""A transactional test (``transaction=True``, ``live_server``, the browser tests) empties every table
afterwards through Django's ``flush``: one ``TRUNCATE`` of all ~150 tables. PostgreSQL gives each
truncated table (and each of its indexes) new files, so that statement took 1.5-2.5 s after every such
test, however few rows the test wrote. ``DELETE FROM`` each table leaves the same state (no rows;
sequences go on, as Django's ``TRUNCATE`` without ``reset_sequences`` does) in milliseconds; a
``VACUUM`` of just the tables that had rows then clears the dead rows, which would otherwise pile up
over a run (thousands per table) and slow every later test's queries.

The deletes run in the flush's transaction with ``session_replication_role = replica``, so neither the
foreign keys (everything goes) nor the append-only trigger of the audit log (a TRUNCATE does not fire
it either) get in the way. That setting needs a superuser (the test databases are reached as the
cluster's ``postgres``); as any other role the flush stays Django's ``TRUNCATE``. A flush that resets
sequences or cascades (``reset_sequences``, ``available_apps``) also stays as Django makes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

_REPLICA = "SET LOCAL session_replication_role = replica;"


@pytest.fixture(scope="session", autouse=True)
def _fast_flush() -> Iterator[None]:
    from django.db import transaction
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    execute = DatabaseOperations.execute_sql_flush

    def sql_flush(
        self: Any, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if not tables or reset_sequences or allow_cascade or not _superuser(self.connection):
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [_REPLICA, *(f"DELETE FROM {self.quote_name(table)};" for table in tables)]  # noqa: S608 - table names from Django, quoted

    def execute_sql_flush(self: Any, sql_list: list[str]) -> None:
        if not sql_list or sql_list[0] != _REPLICA:
            return execute(self, sql_list)
        emptied = []
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            for sql in sql_list:
                cursor.execute(sql)
                if sql.startswith("DELETE") and cursor.rowcount:
                    emptied.append(sql.removeprefix("DELETE FROM ").rstrip(";"))
        if emptied and not self.connection.in_atomic_block:  # VACUUM cannot run inside a transaction
            with self.connection.cursor() as cursor:
                cursor.execute(f"VACUUM {', '.join(emptied)}")
        return None

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    try:
        yield
    finally:
        DatabaseOperations.sql_flush = truncate  # type: ignore[method-assign]
        DatabaseOperations.execute_sql_flush = execute  # type: ignore[method-assign]


def _superuser(connection: Any) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])
