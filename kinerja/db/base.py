"""``ENGINE = "kinerja.db"``: Django's PostgreSQL backend with the transaction hooks of ``kinerja.rls``.

Under PgBouncer transaction pooling a session-level ``SET`` would stay on a server connection that the
next client gets; ``kinerja.rls`` then sets the tenant state per transaction (``set_config(..., true)``)
and needs to know where transactions begin and end. Without ``KINERJA_RLS_TRANSACTION_LOCAL`` the
wrapper passes every statement through unchanged.
"""

from typing import Any

from django.db.backends.postgresql import base

from kinerja import rls


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinerja_rls_applied: Any = None
        self.execute_wrappers.append(rls.execute_wrapper)

    def connect(self) -> None:
        rls.transaction_state_reset(self)
        super().connect()

    def _set_autocommit(self, autocommit: bool) -> None:
        rls.transaction_state_reset(self)
        super()._set_autocommit(autocommit)  # type: ignore[misc]

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            rls.transaction_state_reset(self)

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            rls.transaction_state_reset(self)

    def _savepoint_rollback(self, sid: str) -> None:
        try:
            super()._savepoint_rollback(sid)  # type: ignore[misc]
        finally:
            rls.transaction_state_reset(self, known=False)
