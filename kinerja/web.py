"""Helpers shared by the HTML views of every app: role checks that answer 404, pagination."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from kinerja.models import Role
from kinerja.selectors.people import roles_of

# Who sees which part of the HTML app. Views use them in ``tenant_view``; the layout uses them for the navbar.
ROLES_ORGANISASI = (Role.ADMIN_INSTANSI, Role.HR_VIEWER, Role.PLATFORM_ADMIN)
ROLES_IMPOR = (Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN)


def has_any_role(roles: list[str], allowed: tuple[str, ...]) -> bool:
    return bool(set(roles) & set(allowed))


def request_roles(request: HttpRequest) -> list[str]:
    if not hasattr(request, "_kinerja_roles"):
        request._kinerja_roles = roles_of(user=request.user, instansi=getattr(request, "instansi", None))  # type: ignore[arg-type,attr-defined]
    return request._kinerja_roles  # type: ignore[attr-defined]


def tenant_view(*roles: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Login required, an active instansi required, and (if given) one of ``roles``; else 404."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if getattr(request, "instansi", None) is None:
                if getattr(request.user, "is_platform_admin", False):
                    return redirect("platform-instansi")
                raise Http404("Akun tidak terhubung ke instansi.")
            if roles and not set(roles) & set(request_roles(request)):
                raise Http404()
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def paginate(request: HttpRequest, queryset: Any, per_page: int = 25) -> Page:
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("hal"))
