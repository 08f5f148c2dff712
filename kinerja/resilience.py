"""Degrading gracefully when a backing service is down (docs/operations.md, "Gangguan").

* Redis as a cache (``FailSoftRedisCache``): a cache that cannot be reached behaves like an empty
  cache that stores nothing, so pages keep working; throttles and rate limits then fail open (the
  database-backed django-axes lockout still protects logins).
* Redis as the Celery broker (``TaskQueueUnavailable``): ``TenantTask.apply_async`` turns a broker
  or result-store connection failure into this error: the API answers 503 with a clear message,
  pages get a 503 page (``ServiceUnavailableMiddleware``); ``kinerja.tasks.enqueue_safely`` logs,
  leaves the job queued with a message, and lets the request succeed.
* PostgreSQL (``ServiceUnavailableMiddleware``): ``OperationalError``/``InterfaceError`` (server
  restarting, connection killed) become a 503 page or JSON with ``Retry-After`` instead of a 500;
  Django drops the broken connection at the end of the request, so the next request reconnects
  without restarting the app.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from kinerja.exceptions import ApplicationError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


# ---------------------------------------------------------------------------------------------- cache


def _redis_down_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ConnectionError)


class FailSoftRedisCache(RedisCache):
    """Django's RedisCache, except that an unreachable Redis is a cache miss, not an exception.

    Only connection errors are swallowed (a wrong command still raises). Logged at most once per
    ``LOG_EVERY`` seconds per process so an outage does not flood the log.
    """

    LOG_EVERY = 30.0
    _last_log = 0.0

    def _down(self, op: str, exc: BaseException) -> None:
        now = time.monotonic()
        if now - FailSoftRedisCache._last_log > self.LOG_EVERY:
            FailSoftRedisCache._last_log = now
            logger.warning("cache unavailable (%s: %s); serving without cache", op, exc)

    def _safe(self, op: str, default: Any, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except _redis_down_errors() as exc:
            self._down(op, exc)
            return default

    def add(self, key: Any, value: Any, timeout: Any = ..., version: Any = None) -> bool:
        kw = {} if timeout is ... else {"timeout": timeout}
        return bool(
            self._safe(
                "add", False, lambda: super(FailSoftRedisCache, self).add(key, value, version=version, **kw)
            )
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._safe("get", default, lambda: super(FailSoftRedisCache, self).get(key, default, version))

    def set(self, key: Any, value: Any, timeout: Any = ..., version: Any = None) -> None:
        kw = {} if timeout is ... else {"timeout": timeout}
        self._safe(
            "set", None, lambda: super(FailSoftRedisCache, self).set(key, value, version=version, **kw)
        )

    def touch(self, key: Any, timeout: Any = ..., version: Any = None) -> bool:
        kw = {} if timeout is ... else {"timeout": timeout}
        return bool(
            self._safe(
                "touch", False, lambda: super(FailSoftRedisCache, self).touch(key, version=version, **kw)
            )
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return bool(self._safe("delete", False, lambda: super(FailSoftRedisCache, self).delete(key, version)))

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return dict(
            self._safe("get_many", {}, lambda: super(FailSoftRedisCache, self).get_many(keys, version))
        )

    def has_key(self, key: Any, version: Any = None) -> bool:
        return bool(
            self._safe("has_key", False, lambda: super(FailSoftRedisCache, self).has_key(key, version))
        )

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        # Unreachable: as if the counter had just been created (rate limits fail open).
        return int(
            self._safe("incr", delta, lambda: super(FailSoftRedisCache, self).incr(key, delta, version))
        )

    def set_many(self, data: Any, timeout: Any = ..., version: Any = None) -> list[Any]:
        kw = {} if timeout is ... else {"timeout": timeout}
        return list(
            self._safe(
                "set_many",
                list(data),
                lambda: super(FailSoftRedisCache, self).set_many(data, version=version, **kw),
            )
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._safe("delete_many", None, lambda: super(FailSoftRedisCache, self).delete_many(keys, version))

    def clear(self) -> None:
        self._safe("clear", None, lambda: super(FailSoftRedisCache, self).clear())


# ---------------------------------------------------------------------------------------------- task queue


class TaskQueueUnavailable(ApplicationError):
    """The task could not be queued (broker or result store unreachable): 503 with a message."""

    status_code = 503

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "Antrean tugas latar belakang sedang tidak tersedia. Perubahan Anda sudah tersimpan; "
            "pemrosesan lanjutan akan dicoba lagi. Silakan coba beberapa saat lagi."
        )


def is_queue_down(exc: BaseException) -> bool:
    """A failure to reach the Celery broker or result store (not a bug in the task call)."""
    import redis
    from kombu.exceptions import OperationalError as KombuOperationalError

    if isinstance(
        exc, KombuOperationalError | redis.exceptions.ConnectionError | redis.exceptions.TimeoutError
    ):
        return True
    if isinstance(exc, ConnectionError):
        return True
    # celery.backends.redis gives up reconnecting the result consumer with a bare RuntimeError.
    return isinstance(exc, RuntimeError) and "result store" in str(exc)


# ---------------------------------------------------------------------------------------------- 503s


def _database_down(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """503 without touching the database (no templates with context processors, no session)."""
    if isinstance(exc, TaskQueueUnavailable):
        message = exc.message
    else:
        message = (
            "Layanan sedang tidak tersedia sementara (basis data). Silakan coba lagi beberapa saat lagi."
        )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        from django.utils.html import escape

        response = HttpResponse(
            '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Layanan tidak tersedia</title>'
            "</head><body><main><h1>Layanan sedang tidak tersedia</h1>"
            f"<p>{escape(message)}</p></main></body></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _flag_request_exception(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Uncaught exceptions from inner middleware never reach ``process_exception``; remember them."""
    exc = sys.exc_info()[1]
    if request is not None and (_database_down(exc) or isinstance(exc, TaskQueueUnavailable)):
        request._kinerja_unavailable = exc  # type: ignore[attr-defined]


got_request_exception.connect(_flag_request_exception, dispatch_uid="kinerja.resilience.unavailable")


class ServiceUnavailableMiddleware:
    """Outermost middleware: database outages and an unreachable task queue answer 503, not 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exc = getattr(request, "_kinerja_unavailable", None)
        if exc is not None and response.status_code == 500:
            logger.warning("503 for %s %s: %s", request.method, request.path, exc)
            return unavailable_response(request, exc)
        if response.status_code == 503 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(
                RETRY_AFTER_SECONDS
            )  # e.g. TaskQueueUnavailable via the API handler
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if _database_down(exception) or isinstance(exception, TaskQueueUnavailable):
            logger.warning("503 for %s %s: %s", request.method, request.path, exception)
            return unavailable_response(request, exception)
        return None
