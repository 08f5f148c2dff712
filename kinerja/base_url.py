"""The address a request reached the server at, for links printed in documents and e-mails.

``PublicBaseUrlMiddleware`` sets it for the duration of a request; ``TenantTask.apply_async`` passes it
with every task queued meanwhile (a message header, so task signatures stay ``(tenant_id, ids)``) and
the task sets it again while it runs, so a PDF rendered by the worker links to where its user came from.
``kinerja.documents.public_base_url`` prefers ``KINERJA_PUBLIC_BASE_URL`` when that is configured.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

HEADER = "kinerja_base_url"
_CURRENT: ContextVar[str] = ContextVar(HEADER, default="")


def current_base_url() -> str:
    """``scheme://host[:port]/`` of the request (or task) being served, or ``""`` outside one."""
    return _CURRENT.get()


@contextmanager
def base_url_context(value: str) -> Iterator[None]:
    token = _CURRENT.set(value or "")
    try:
        yield
    finally:
        _CURRENT.reset(token)
