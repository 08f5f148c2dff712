from typing import Any

from django.http import HttpRequest

from kinerja.models import Role
from kinerja.tenancy import pegawai_of
from kinerja.web import ROLES_IMPOR, ROLES_ORGANISASI, has_any_role, request_roles


def kinerja(request: HttpRequest) -> dict[str, Any]:
    """Current instansi, roles and pegawai for the base layout (computed once per request)."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = request_roles(request)
    instansi = getattr(request, "instansi", None)
    nav_organisasi = instansi is not None and has_any_role(roles, ROLES_ORGANISASI)
    # a pegawai or a Pejabat Penilai (incl. non-ASN): Evaluasi, Umpan balik and Tim Kerja in the menu
    nav_kinerja = has_any_role(roles, (Role.PEGAWAI, Role.PEJABAT_PENILAI))
    return {
        "current_instansi": instansi,
        "current_roles": roles,
        "current_pegawai": pegawai_of(user),
        "nav_organisasi": nav_organisasi,
        "nav_impor": instansi is not None and has_any_role(roles, ROLES_IMPOR),
        "nav_kinerja": nav_kinerja,
        "nav_tim": nav_kinerja or nav_organisasi,
    }
