"""Where a tenant scope is activated: request middleware and the Celery base task.

Management commands use ``django_scopes.scope``/``scopes_disabled`` explicitly. Business code
never activates or disables a scope (grep for ``scopes_disabled`` to audit the exceptions).
"""

from collections.abc import Callable
from typing import Any

from celery import Task
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django_scopes import scope

from kinerja.models import Instansi, User

PLATFORM_INSTANSI_SESSION_KEY = "platform_instansi_id"


def _user_from_token(request: HttpRequest) -> User | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    parts = header.split()
    if len(parts) != 2 or parts[0] != "Token":
        return None
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=parts[1]).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


def pegawai_of(user: Any) -> Any:
    """The user's pegawai row or None (reverse one-to-one uses the unscoped base manager)."""
    try:
        return user.pegawai
    except (AttributeError, ObjectDoesNotExist):
        return None


def resolve_instansi(request: HttpRequest, user: User) -> Instansi | None:
    """The instansi a user acts in: their pegawai's, or, for a platform admin, the one they chose."""
    pegawai = pegawai_of(user)
    if user.is_platform_admin:
        chosen = request.session.get(PLATFORM_INSTANSI_SESSION_KEY) if hasattr(request, "session") else None
        chosen = request.headers.get("X-Instansi") or chosen
        if chosen:
            return Instansi.objects.filter(kode=chosen).first() or (
                Instansi.objects.filter(pk=chosen).first() if str(chosen).isdigit() else None
            )
    if pegawai is not None:
        return Instansi.objects.filter(pk=pegawai.instansi_id).first()
    return None


class TenantMiddleware:
    """Activates the instansi scope for the whole request.

    Session users come from ``AuthenticationMiddleware``; token users are resolved here because
    DRF authenticates only inside the view. Requests without a tenant run with no scope at all,
    so any tenant-owned query raises instead of leaking (fail closed).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            user = _user_from_token(request)
        instansi = resolve_instansi(request, user) if user is not None else None
        request.instansi = instansi  # type: ignore[attr-defined]
        if instansi is None:
            return self.get_response(request)
        own = pegawai_of(user)
        if user.is_platform_admin and (own is None or own.instansi_id != instansi.pk):
            from kinerja.services.audit import audit_platform_access

            audit_platform_access(
                actor=user, instansi=instansi, path=request.path, method=request.method or ""
            )
        with scope(instansi=instansi.pk):
            return self.get_response(request)


class TenantTask(Task):
    """Celery base task for tenant work: the first argument (or ``tenant_id``) is the instansi id."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tenant_id = kwargs.get("tenant_id", args[0] if args else None)
        if tenant_id is None:
            raise ValueError(f"{self.name}: tenant_id is required")
        with scope(instansi=int(tenant_id)):
            return super().__call__(*args, **kwargs)
