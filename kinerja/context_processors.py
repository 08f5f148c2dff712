from typing import Any

from django.http import HttpRequest

from kinerja.selectors.people import roles_of
from kinerja.tenancy import pegawai_of


def kinerja(request: HttpRequest) -> dict[str, Any]:
    """Current instansi, roles and pegawai for the base layout (computed once per request)."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    instansi = getattr(request, "instansi", None)
    if not hasattr(request, "_kinerja_roles"):
        request._kinerja_roles = roles_of(user=user, instansi=instansi)  # type: ignore[attr-defined]
    return {
        "current_instansi": instansi,
        "current_roles": request._kinerja_roles,  # type: ignore[attr-defined]
        "current_pegawai": pegawai_of(user),
    }
