"""Requests that can only be mistakes or attacks are answered before any view, and never with a 500.

* ``BodySizeLimitMiddleware``: a body announced (``Content-Length``) larger than
  ``KINERJA_MAX_REQUEST_BYTES`` is refused with 413 before a byte of it is read, so a 100 MB POST
  neither fills memory/temp files nor ties a worker up while it streams in. The per-purpose limits
  (evidence 10 MB, imports 20 MB, ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for form/JSON bodies) stay where they
  are; this is the outer wall above all of them.
* ``NulByteMiddleware``: a NUL character in the path, the query string or a header value is refused
  with 400. PostgreSQL text cannot hold NUL, so such a value reaching any query (a filter parameter,
  a token, a public code in the path) used to be a psycopg ``ValueError`` and a 500.

Both answer JSON ``{"detail": ...}`` under ``/api/`` (the API's one error shape) and a short page
elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

DEFAULT_MAX_REQUEST_BYTES = 25 * 1024 * 1024


def max_request_bytes() -> int:
    return int(getattr(settings, "KINERJA_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES))


def _answer(request: HttpRequest, status: int, pesan: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        resp: HttpResponse = JsonResponse({"detail": pesan}, status=status)
    else:
        resp = HttpResponse(
            f'<!doctype html><html lang="id"><meta charset="utf-8"><title>{status}</title>'
            f"<p>{escape(pesan)}</p></html>",
            status=status,
            content_type="text/html; charset=utf-8",
        )
    return resp


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or ""
        try:
            length = int(raw) if raw else 0
        except ValueError:
            return _answer(request, 400, _("Panjang isi permintaan (Content-Length) tidak valid."))
        limit = max_request_bytes()
        if length < 0:
            return _answer(request, 400, _("Panjang isi permintaan (Content-Length) tidak valid."))
        if length > limit:
            return _answer(
                request,
                413,
                _("Permintaan terlalu besar (%(ukuran)s MB). Batasnya %(batas)s MB.")
                % {"ukuran": f"{length / 1024 / 1024:.1f}", "batas": f"{limit / 1024 / 1024:.0f}"},
            )
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or "\x00" in request.path_info:
        return True
    qs = request.META.get("QUERY_STRING", "")
    if "\x00" in qs or "%00" in qs:
        return True
    return any(
        isinstance(value, str) and "\x00" in value
        for key, value in request.META.items()
        if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")
    )


class NulByteMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return _answer(request, 400, _("Permintaan berisi karakter NUL yang tidak diizinkan."))
        return self.get_response(request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: an unknown URL under ``/api/`` (e.g. ``/api/v1/skp/abc/``) answers the API's JSON
    error shape, as its OpenAPI schema says; pages keep Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Data tidak ditemukan.")}, status=404)
    from django.views.defaults import page_not_found as django_page_not_found

    return django_page_not_found(request, exception)
