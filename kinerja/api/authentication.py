"""API token authentication: django-rest-knox tokens (digest stored, sliding expiry), looked up once per request.

``TenantMiddleware`` needs the token's user before the view (to activate the instansi), and DRF
authenticates again inside the view. Both go through ``token_authenticate``, which caches its
answer on the Django request: one lookup, one sliding-expiry write at most, one answer.
"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox import auth as knox_auth
from rest_framework import exceptions
from rest_framework.request import Request

_CACHE_ATTR = "_kinerja_token_auth"
TOKEN_INVALID_MESSAGE = _(
    "Token tidak valid, sudah kedaluwarsa, atau sudah dicabut. Masuk lagi untuk mendapatkan token baru."
)


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's ``Authorization: Token <token>``, with the per-request cache and a cheaper expiry check.

    knox scans every token of the user on each request to delete expired ones; here only the
    presented token is checked (an expired one is refused and left for the daily purge,
    ``kinerja.services.auth.token_purge_expired``), so an authenticated request costs one query.
    """

    def authenticate(self, request: Request | HttpRequest) -> tuple[Any, Any] | None:
        django_request = getattr(request, "_request", request)
        cached = getattr(django_request, _CACHE_ATTR, None)
        if cached is None:
            try:
                cached = super().authenticate(django_request)
            except exceptions.AuthenticationFailed:  # one answer for every failure (no user enumeration)
                cached = exceptions.AuthenticationFailed(TOKEN_INVALID_MESSAGE)
            setattr(django_request, _CACHE_ATTR, cached if cached is not None else False)
        if isinstance(cached, exceptions.AuthenticationFailed):
            raise cached
        return cached or None

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID_MESSAGE) from None
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token: Any) -> bool:
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


def token_authenticate(request: HttpRequest) -> Any:
    """The active user of the request's API token, or None (no token, unknown, expired, revoked)."""
    try:
        result = TokenAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed:
        return None
    return result[0] if result is not None else None


class TokenScheme(OpenApiAuthenticationExtension):
    """The token in /api/schema/ (the knox extension of drf-spectacular matches knox's class only)."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token dari POST /api/v1/auth/token/, dikirim sebagai "Token <token>".',
        }
