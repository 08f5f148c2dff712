"""Read replica: explicitly marked, lag-tolerant reads go to the ``replica`` database alias.

Only reads inside ``with read_replica():`` go there (HR reports, exports, the batch's dry run,
document rendering): never a read-your-writes path. The router sends every write, and every read
outside the block, to the primary; inside a transaction the block reads from the primary too (the
transaction must see what it wrote).

* No ``REPLICA_DATABASE_URL``: the block uses the primary's connection itself (``"default"``), so a
  one-machine install and the test suite open no second connection.
* Replica down (connection refused, timeout): the block falls back to the primary, logs it, and does
  not try the replica again for ``KINERJA_REPLICA_RETRY_SECONDS``.
* Row-level security: the replica's connection runs as the primary's does in this thread (the request's
  or task's instansi; ``kinerja.rls`` with ``KINERJA_READ_REPLICAS``), set when the block starts.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from kinerja import rls

logger = logging.getLogger(__name__)

REPLICA = "replica"

_active: contextvars.ContextVar[str | None] = contextvars.ContextVar("kinerja_replica", default=None)
_down_until: dict[str, float] = {}
_lock = threading.Lock()


def replica_configured() -> bool:
    return bool(getattr(settings, "KINERJA_REPLICA_CONFIGURED", False)) and REPLICA in settings.DATABASES


def _mark_down(alias: str, exc: BaseException) -> None:
    retry = float(getattr(settings, "KINERJA_REPLICA_RETRY_SECONDS", 30))
    with _lock:
        _down_until[alias] = time.monotonic() + retry
    logger.warning("read replica %r unavailable (%s); reading from the primary for %.0fs", alias, exc, retry)
    with suppress(DatabaseError):
        connections[alias].close()


def replica_alias() -> str:
    """The alias marked reads use now: the replica if configured and answering, else the primary."""
    if not replica_configured():
        return DEFAULT_DB_ALIAS
    if time.monotonic() < _down_until.get(REPLICA, 0.0):
        return DEFAULT_DB_ALIAS
    conn = connections[REPLICA]
    try:
        if conn.connection is not None and not conn.is_usable():
            conn.close()
        conn.ensure_connection()
    except DatabaseError as exc:
        _mark_down(REPLICA, exc)
        return DEFAULT_DB_ALIAS
    return REPLICA


@contextmanager
def read_replica() -> Iterator[str]:
    """Reads of the ORM inside go to the replica (or the primary, see the module docstring).

    Yields the alias in use, for raw SQL: ``connections[alias].cursor()``.
    """
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        yield DEFAULT_DB_ALIAS  # read-your-writes: a transaction reads what it wrote
        return
    alias = replica_alias()
    if alias != DEFAULT_DB_ALIAS:
        try:
            rls.sync_alias(alias)
        except DatabaseError as exc:
            _mark_down(alias, exc)
            alias = DEFAULT_DB_ALIAS
    token = _active.set(alias)
    try:
        yield alias
    finally:
        _active.reset(token)


def current_read_alias() -> str:
    """Where a marked read goes right now (``"default"`` outside ``read_replica``)."""
    alias = _active.get()
    if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return alias


class ReplicaRouter:
    """Django database router: the replica only for reads inside ``read_replica``; migrations only on
    the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return current_read_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def replica_lag() -> dict[str, Any]:
    """Replication state for the admin health page: ``configured``, ``up``, ``lag_seconds`` (seconds
    since the last replayed transaction, 0 when the replica has replayed everything the primary sent),
    ``replay_at`` and ``error``. Reads ``pg_last_xact_replay_timestamp()`` on the replica."""
    info: dict[str, Any] = {"configured": replica_configured(), "up": False, "lag_seconds": None}
    if not info["configured"]:
        return info
    if replica_alias() != REPLICA:
        info["error"] = "tidak terhubung"
        return info
    try:
        with connections[REPLICA].cursor() as cur:
            cur.execute(
                "SELECT pg_is_in_recovery(), pg_last_xact_replay_timestamp(), "
                "CASE WHEN NOT pg_is_in_recovery() THEN 0 "  # not a replica (misconfigured): nothing to replay
                "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            in_recovery, replay_at, lag = cur.fetchone()
    except DatabaseError as exc:
        _mark_down(REPLICA, exc)
        info["error"] = str(exc).splitlines()[0][:200]
        return info
    info.update(
        up=True,
        in_recovery=bool(in_recovery),
        replay_at=replay_at,
        lag_seconds=float(lag) if lag is not None else None,
    )
    return info
