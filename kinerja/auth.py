"""Lockout answer for django-axes: JSON for the API, a page for the web."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

LOCKOUT_MESSAGE = _("Terlalu banyak percobaan gagal. Akun dikunci sementara; coba lagi nanti.")


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(LOCKOUT_MESSAGE)}, status=401)
    return render(request, "registration/lockout.html", {"pesan": LOCKOUT_MESSAGE}, status=429)
