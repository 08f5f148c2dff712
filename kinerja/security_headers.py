"""Content-Security-Policy (with a per-request nonce) and Permissions-Policy headers.

The app vendors every asset (Bootstrap, htmx, icons) under /static/, so the policy is
``default-src 'self'``. Scripts: ``'self'`` plus a per-request nonce (``request.csp_nonce``,
``<script nonce="{{ request.csp_nonce }}">`` in templates) and the hashes of the few reviewed
inline event handlers in ``KINERJA_CSP_SCRIPT_HASHES``; no ``'unsafe-inline'``/``'unsafe-eval'``
(htmx needs neither). Styles allow ``'unsafe-inline'``: templates use ``style=""`` attributes and
htmx injects its indicator style (docs/security.md lists them). Paths in ``KINERJA_CSP_EXEMPT``
(the Swagger UI, which loads its assets from a CDN) get no CSP.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def build_policy(nonce: str) -> str:
    policy = {k: list(v) for k, v in getattr(settings, "KINERJA_CSP", DEFAULT_POLICY).items()}
    hashes = list(getattr(settings, "KINERJA_CSP_SCRIPT_HASHES", []))
    script = policy.setdefault("script-src", ["'self'"])
    script.append(f"'nonce-{nonce}'")
    if hashes:
        script += ["'unsafe-hashes'", *(f"'{h}'" for h in hashes)]
    return "; ".join(f"{k} {' '.join(v)}" for k, v in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        exempt = tuple(getattr(settings, "KINERJA_CSP_EXEMPT", ()))
        header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "KINERJA_CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        if not request.path.startswith(exempt) and header not in response:
            response[header] = build_policy(nonce)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
