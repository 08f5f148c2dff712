"""HTML pages of the core app: login, dashboard, organisation tree, people, import."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kinerja.access import access_pegawai, access_unit_kerja
from kinerja.auth import lockout_page, set_device_cookie
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.forms import KataSandiGantiForm, LoginForm
from kinerja.models import Instansi, Pegawai, Role, UnitKerja
from kinerja.selectors.org import unit_kerja_ancestors, unit_kerja_list
from kinerja.selectors.people import (
    can_nilai,
    pegawai_bawahan,
    pegawai_dinilai_oleh,
    pegawai_list,
    penempatan_list,
)
from kinerja.tenancy import PLATFORM_INSTANSI_SESSION_KEY, pegawai_of
from kinerja.web import ROLES_IMPOR, ROLES_ORGANISASI, has_any_role, paginate, request_roles, tenant_view

ADMIN_ROLES = ROLES_ORGANISASI
DASHBOARD_DINILAI_MAX = 50


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        # this browser becomes a known device of the NIP: the owner is not kept waiting by an attacker
        set_device_cookie(self.request, response, form.cleaned_data["username"])
        return response

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        if form.penolakan is not None:  # the login guard: a friendly page that says when to try again
            return lockout_page(self.request, form.penolakan)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = KataSandiGantiForm
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


@tenant_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    instansi: Instansi = request.instansi  # type: ignore[attr-defined]
    roles = request_roles(request)
    own = pegawai_of(request.user)
    if own is not None and own.instansi_id == instansi.pk:
        own = access_pegawai(instansi=instansi, pegawai_id=own.pk)  # with unit, jabatan, atasan in one query
    else:
        own = None
    ctx: dict[str, Any] = {"roles": roles, "pegawai": own, "boleh_impor": has_any_role(roles, ROLES_IMPOR)}
    from kinerja.beranda import BerandaInput, beranda_context  # the apps' sections (kinerja/beranda.py)

    user_: Any = request.user
    ctx.update(
        beranda_context(
            BerandaInput(user=user_, instansi=instansi, roles=roles, pegawai=own, today=timezone.localdate())
        )
    )
    if Role.PEJABAT_PENILAI in roles:
        user: Any = request.user
        dinilai = list(pegawai_dinilai_oleh(user=user, instansi=instansi)[: DASHBOARD_DINILAI_MAX + 1])
        ctx["dinilai"] = dinilai[:DASHBOARD_DINILAI_MAX]
        ctx["dinilai_lebih"] = len(dinilai) > DASHBOARD_DINILAI_MAX
    if has_any_role(roles, ADMIN_ROLES):
        ctx["jumlah_pegawai"] = Pegawai.objects.filter(instansi=instansi).count()
        ctx["jumlah_unit"] = UnitKerja.objects.filter(instansi=instansi).count()
    return render(request, "kinerja/dashboard.html", ctx)


@require_http_methods(["GET", "POST"])
def platform_instansi_pilih(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.is_authenticated or not user.is_platform_admin:
        raise Http404()
    if request.method == "POST":
        kode = request.POST.get("kode", "")
        if Instansi.objects.filter(kode=kode).exists():
            request.session[PLATFORM_INSTANSI_SESSION_KEY] = kode
            messages.success(
                request,
                _("Anda sekarang bertindak di instansi %(kode)s. Setiap akses dicatat.") % {"kode": kode},
            )
            return redirect("dashboard")
        messages.error(request, _("Instansi tidak ditemukan."))
    return render(
        request, "kinerja/platform_instansi.html", {"daftar_instansi": Instansi.objects.order_by("nama")}
    )


@tenant_view(*ADMIN_ROLES)
def org_tree(request: HttpRequest) -> HttpResponse:
    units = list(unit_kerja_list(instansi=request.instansi))  # type: ignore[attr-defined]
    return render(request, "kinerja/org_tree.html", {"units": units})


@tenant_view(*ADMIN_ROLES)
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instansi = request.instansi  # type: ignore[attr-defined]
    try:
        unit = access_unit_kerja(instansi=instansi, unit_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    page = paginate(request, pegawai_list(instansi=instansi, unit=unit))
    return render(
        request,
        "kinerja/unit_detail.html",
        {
            "unit": unit,
            "ancestors": list(unit_kerja_ancestors(unit=unit)),
            "page": page,
            "anak": list(UnitKerja.objects.filter(instansi=instansi, induk=unit).order_by("nama")),
        },
    )


@tenant_view(*ADMIN_ROLES)
def pegawai_list_view(request: HttpRequest) -> HttpResponse:
    instansi = request.instansi  # type: ignore[attr-defined]
    q = request.GET.get("q", "")[:100]
    unit = None
    if request.GET.get("unit"):
        try:
            unit = access_unit_kerja(instansi=instansi, unit_id=request.GET["unit"])
        except NotFoundOrForbidden:
            raise Http404() from None
    page = paginate(request, pegawai_list(instansi=instansi, q=q, unit=unit))
    htmx = request.htmx  # type: ignore[attr-defined]
    # A history restore (back button after the cache was evicted) needs the whole page, not the fragment.
    partial = bool(htmx) and not htmx.history_restore_request
    template = "kinerja/_pegawai_rows.html" if partial else "kinerja/pegawai_list.html"
    response = render(request, template, {"page": page, "q": q, "unit": unit})
    patch_vary_headers(response, ["HX-Request"])  # same URL, two bodies: keep caches apart
    return response


@tenant_view()
def pegawai_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    instansi = request.instansi  # type: ignore[attr-defined]
    try:
        pegawai = access_pegawai(instansi=instansi, pegawai_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    roles = request_roles(request)
    own = pegawai_of(request.user)
    own_id = own.pk if own is not None and own.instansi_id == instansi.pk else None
    is_admin = has_any_role(roles, ADMIN_ROLES)
    # Admins see everyone; a pegawai sees themself; an appraiser (direct or delegated) sees whom they appraise.
    allowed = is_admin or (own_id is not None and own_id in (pegawai.pk, pegawai.atasan_id))
    if not allowed and own_id is not None:
        allowed = can_nilai(user=request.user, pegawai=pegawai)  # type: ignore[arg-type]
    if not allowed:
        raise Http404()
    return render(
        request,
        "kinerja/pegawai_detail.html",
        {
            "p": pegawai,
            "riwayat": list(penempatan_list(pegawai=pegawai)),
            "bawahan": list(pegawai_bawahan(atasan=pegawai)),
            # Link only to pages the viewer may open (the detail rule above, seen from the linked person).
            "tautan_atasan": is_admin or (own_id is not None and own_id == pegawai.atasan_id),
            "tautan_bawahan": is_admin or own_id == pegawai.pk,
            "boleh_keluarkan": has_any_role(roles, (Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN)),
        },
    )


@tenant_view(*ROLES_IMPOR)
def impor_view(request: HttpRequest) -> HttpResponse:
    from kinerja.views_impor import impor_page

    return impor_page(request)
