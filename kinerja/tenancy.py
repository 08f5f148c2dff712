"""Where a tenant scope is activated: request middleware and the Celery base task.

Management commands enter ``tenant_context`` through ``kinerja.management.tenant.command_tenant``
(or use ``scopes_disabled`` explicitly for platform work). Business code never activates or
disables a scope (grep for ``scopes_disabled`` to audit the exceptions).

Both places also set the database side of the tenant (``kinerja.rls``): the request or task runs
as the ``kinerja_app`` role with ``kinerja.instansi`` set, so PostgreSQL row-level security hides
every other instansi's rows even from a query that forgot its filter.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from typing import Any

from celery import Task
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django_scopes import scope

from kinerja.models import Instansi, User
from kinerja.rls import rls_tenant

PLATFORM_INSTANSI_SESSION_KEY = "platform_instansi_id"


def _user_from_token(request: HttpRequest) -> User | None:
    """The API token's user (knox: digest lookup, expiry, sliding refresh); cached for DRF's own check."""
    from kinerja.api.authentication import token_authenticate

    return token_authenticate(request)


def pegawai_of(user: Any) -> Any:
    """The user's pegawai row or None (reverse one-to-one uses the unscoped base manager)."""
    try:
        return user.pegawai
    except (AttributeError, ObjectDoesNotExist):
        return None


def non_asn_of(user: Any) -> Any:
    """The user's Pejabat Penilai non-ASN row (issue #16: a login without a pegawai row) or None.

    A pegawai's account is never one (the service refuses it): no query for them, so the many
    permission checks that ask this cost a pegawai nothing (``pegawai_of`` is cached on the user)."""
    if pegawai_of(user) is not None:
        return None
    try:
        return user.pejabat_non_asn
    except (AttributeError, ObjectDoesNotExist):
        return None


def resolve_instansi(request: HttpRequest, user: User) -> Instansi | None:
    """The instansi a user acts in: their pegawai's (or, for a non-ASN Pejabat Penilai, the one it is
    bound to), or, for a platform admin, the one they chose."""
    pegawai = pegawai_of(user) or non_asn_of(user)
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


@contextmanager
def tenant_context(
    instansi_id: int | None, *, user_id: int | None = None, session_key: str | None = None
) -> Iterator[None]:
    """The django-scopes scope and the database tenant (RLS) for ``instansi_id``.

    ``None``: no scope, and the database role with no instansi (no tenant row visible).
    ``user_id``/``session_key``: the request's own account, tokens and session row (``kinerja.rls``).
    """
    with ExitStack() as stack:
        stack.enter_context(rls_tenant(instansi_id, user_id=user_id, session_key=session_key))
        if instansi_id is not None:
            stack.enter_context(scope(instansi=instansi_id))
        yield


def _streamed_in_context(content: Iterable[Any], instansi_id: int | None, **identity: Any) -> Iterator[Any]:
    """Streaming bodies are produced after the view returned: produce them in the same tenant context."""
    with tenant_context(instansi_id, **identity):
        yield from content


class TenantMiddleware:
    """Activates the instansi scope (and the database tenant, see ``kinerja.rls``) for the whole request.

    Session users come from ``AuthenticationMiddleware``; token users are resolved here because
    DRF authenticates only inside the view. Requests without a tenant run with no scope at all,
    so any tenant-owned query raises instead of leaking (fail closed); in the database they run as
    the application role with no instansi, so even unscoped queries see no tenant rows.
    The user, instansi and the platform-admin audit row are resolved before, as the owner.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            user = _user_from_token(request)
        instansi = resolve_instansi(request, user) if user is not None else None
        request.instansi = instansi  # type: ignore[attr-defined]
        session = getattr(request, "session", None)
        identity = {
            "user_id": user.pk if user is not None else None,
            "session_key": session.session_key if session is not None else None,
        }
        if instansi is None:
            return self._respond(request, None, identity)
        own = pegawai_of(user)
        if user.is_platform_admin and (own is None or own.instansi_id != instansi.pk):
            from kinerja.services.audit import audit_platform_access

            audit_platform_access(
                actor=user, instansi=instansi, path=request.path, method=request.method or ""
            )
        return self._respond(request, instansi.pk, identity)

    def _respond(
        self, request: HttpRequest, instansi_id: int | None, identity: dict[str, Any]
    ) -> HttpResponse:
        with tenant_context(instansi_id, **identity):
            response = self.get_response(request)
        if (
            isinstance(response, StreamingHttpResponse)
            and not response.is_async
            and not (isinstance(response, FileResponse) and response.file_to_stream is not None)
        ):
            response.streaming_content = _streamed_in_context(
                response.streaming_content, instansi_id, **identity
            )
        return response


class TenantTask(Task):
    """Celery base task for tenant work: the first argument (or ``tenant_id``) is the instansi id.

    Queuing while the broker (or the result store) is unreachable raises
    ``kinerja.resilience.TaskQueueUnavailable`` (an ApplicationError: 503 with a message) instead of
    a bare connection error; ``kinerja.tasks.enqueue_safely`` turns it into a logged, retryable no-op.
    """

    abstract = True

    def apply_async(self, *args: Any, **kwargs: Any) -> Any:
        from kinerja.base_url import HEADER, current_base_url
        from kinerja.resilience import TaskQueueUnavailable, is_queue_down

        base = current_base_url()
        if base:  # the address the user came in on, for links in what the task renders
            kwargs["headers"] = {HEADER: base, **(kwargs.get("headers") or {})}
        try:
            return super().apply_async(*args, **kwargs)
        except Exception as exc:
            if is_queue_down(exc):
                raise TaskQueueUnavailable() from exc
            raise

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tenant_id = kwargs.get("tenant_id", args[0] if args else None)
        if tenant_id is None:
            raise ValueError(f"{self.name}: tenant_id is required")
        from kinerja.base_url import HEADER, base_url_context

        headers = getattr(self.request, "headers", None) or {}
        base = getattr(self.request, HEADER, None) or headers.get(HEADER)
        with tenant_context(int(tenant_id)), base_url_context(base) if base else nullcontext():
            return super().__call__(*args, **kwargs)
