"""Plumbing shared by the dialog pages: the ``dialog_view`` decorator, request helpers and period
choices.

Pages are thin: parse → access (404) → service → render. On bad input a page is re-rendered with
what the user typed and the reason (nothing is lost); htmx requests get the changed fragment only,
plain form posts the whole page (or a redirect on success)."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from dialog import selectors
from dialog.models import CORE_VALUE_KODES, CORE_VALUE_NAMA
from kinerja.exceptions import ApplicationError, NotFoundOrForbidden, ReadOnly
from kinerja.models import Instansi, Periode, User
from kinerja.services.tenancy import periode_ensure_year
from kinerja.web import request_roles, tenant_view
from skp.models import Rhk, Skp

PER_HALAMAN = 20


# ---------------------------------------------------------------- plumbing


def dialog_view(*roles: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """``tenant_view`` plus the mapping of access errors: 404 for missing/not yours, 403 for read-only."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @tenant_view(*roles)
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                return view(request, *args, **kwargs)
            except NotFoundOrForbidden:
                raise Http404() from None
            except ReadOnly as exc:
                raise PermissionDenied(exc.message) from None

        return wrapped

    return decorator


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _access_error(exc: ApplicationError) -> None:
    """Access failures are not form errors: 404 / 403 through ``dialog_view``."""
    if isinstance(exc, NotFoundOrForbidden | ReadOnly):
        raise exc


def _env(request: HttpRequest) -> tuple[Instansi, list[str], User]:
    return request.instansi, request_roles(request), _user(request)  # type: ignore[attr-defined]


def _htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _periods(skp: Skp) -> list[Periode]:
    periods = list(selectors.periode_for_skp(skp=skp))
    if not periods:  # the instansi's periods of that year were never generated: idempotent service
        periode_ensure_year(instansi=skp.instansi, tahun=skp.tahun)
        periods = list(selectors.periode_for_skp(skp=skp))
    return periods


def _pilih_periode(request: HttpRequest, periods: list[Periode]) -> Periode | None:
    wanted = _int(request.POST.get("periode") or request.GET.get("periode"))
    for p in periods:
        if p.pk == wanted:
            return p
    return selectors.periode_default(periods)


def _periode_choices(periods: list[Periode]) -> list[tuple[int, str]]:
    return [(p.pk, str(p)) for p in periods]


def _sasaran_choices(rhks: list[Rhk]) -> list[tuple[str, Any]]:
    return [
        ("", _("Umum (seluruh kinerja)")),
        (_("Hasil kerja"), [(f"rhk:{r.pk}", r.rencana_hasil_kerja[:90]) for r in rhks]),
        (_("Perilaku kerja (BerAKHLAK)"), [(f"cv:{k}", CORE_VALUE_NAMA[k]) for k in CORE_VALUE_KODES]),
    ]
