"""Account security pages: "keluar dari semua perangkat" for oneself, and by an admin for a pegawai."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja.access import access_pegawai
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import Role
from kinerja.services.auth import akun_keluar_semua
from kinerja.web import tenant_view

# Who may log another pegawai out everywhere: the instansi's admin (and a platform admin acting
# in the instansi, audited on every use). HR viewers read only.
ROLES_KELUARKAN = (Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN)


@tenant_view()
@require_POST
def akun_keluar_semua_view(request: HttpRequest) -> HttpResponse:
    """The user ends every session (this one included) and revokes every API token of their account."""
    user: Any = request.user
    akun_keluar_semua(actor=user, user=user, instansi=request.instansi)  # type: ignore[attr-defined]
    logout(request)
    messages.success(
        request,
        _("Anda telah keluar dari semua perangkat dan semua token API dicabut. Silakan masuk kembali."),
    )
    return redirect("login")


@tenant_view(*ROLES_KELUARKAN)
@require_POST
def pegawai_keluarkan_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin logs a pegawai of their instansi out of every device (sessions and API tokens)."""
    instansi = request.instansi  # type: ignore[attr-defined]
    try:
        pegawai = access_pegawai(instansi=instansi, pegawai_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    actor: Any = request.user
    # Logging oneself out from the admin page keeps the admin's current session.
    keep = request if pegawai.user_id == actor.pk else None
    jumlah = akun_keluar_semua(actor=actor, user=pegawai.user, instansi=instansi, keep=keep)
    messages.success(
        request,
        _(
            "%(nama)s telah dikeluarkan dari semua perangkat: semua sesi diakhiri dan %(jumlah)s token API dicabut."
        )
        % {"nama": pegawai.nama, "jumlah": jumlah},
    )
    return redirect("pegawai-detail", pk=pegawai.pk)
