"""Domain exceptions, mapped to HTTP in ``kinerja.api.exceptions``."""

from typing import Any


class ApplicationError(Exception):
    """A user mistake or a rule violation: 400 with a message (and optional field errors)."""

    status_code = 400

    def __init__(
        self, message: str, errors: dict[str, list[str]] | None = None, extra: dict[str, Any] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.extra = extra or {}


class NotFoundOrForbidden(ApplicationError):
    """Missing, in another instansi, or not visible to the actor: always 404."""

    status_code = 404

    def __init__(self, message: str = "Data tidak ditemukan."):
        super().__init__(message)


class ReadOnly(ApplicationError):
    """Visible but the actor may not change it."""

    status_code = 403


class InvalidTransition(ApplicationError):
    """A state change that is not allowed from the current state: 409."""

    status_code = 409


class Conflict(ApplicationError):
    """Concurrent modification (stale version): 409."""

    status_code = 409


class TooManyRequests(ApplicationError):
    """A per-user rate limit was reached: 429 with a message; ``retry_after`` seconds go to the
    ``Retry-After`` header (API: ``kinerja.api.exceptions``; pages set it themselves)."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, extra={"retry_after": retry_after})
        self.retry_after = retry_after
