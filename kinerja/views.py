"""HTML pages of the core app: login, dashboard, organisation tree, people, import."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kinerja.access import access_pegawai, access_unit_kerja
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.forms import LoginForm
from kinerja.models import Instansi, Pegawai, Role, UnitKerja
from kinerja.selectors.org import unit_kerja_ancestors, unit_kerja_list
from kinerja.selectors.people import pegawai_bawahan, pegawai_dinilai_oleh, pegawai_list, penempatan_list
from kinerja.tenancy import PLATFORM_INSTANSI_SESSION_KEY, pegawai_of
from kinerja.web import paginate, request_roles, tenant_view

ADMIN_ROLES = (Role.ADMIN_INSTANSI, Role.HR_VIEWER, Role.PLATFORM_ADMIN)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


@tenant_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    instansi: Instansi = request.instansi  # type: ignore[attr-defined]
    roles = request_roles(request)
    own = pegawai_of(request.user)
    ctx: dict[str, Any] = {"roles": roles, "pegawai": own if own and own.instansi_id == instansi.pk else None}
    if Role.PEJABAT_PENILAI in roles:
        ctx["dinilai"] = list(pegawai_dinilai_oleh(user=request.user, instansi=instansi)[:50])  # type: ignore[arg-type]
    if set(ADMIN_ROLES) & set(roles):
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
            messages.success(request, _("Anda sekarang bertindak di instansi %(kode)s. Setiap akses dicatat.") % {"kode": kode})
            return redirect("dashboard")
        messages.error(request, _("Instansi tidak ditemukan."))
    return render(request, "kinerja/platform_instansi.html", {"daftar_instansi": Instansi.objects.order_by("nama")})


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
        {"unit": unit, "ancestors": list(unit_kerja_ancestors(unit=unit)), "page": page,
         "anak": list(UnitKerja.objects.filter(instansi=instansi, induk=unit).order_by("nama"))},
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
    template = "kinerja/_pegawai_rows.html" if request.htmx else "kinerja/pegawai_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"page": page, "q": q, "unit": unit})


@tenant_view()
def pegawai_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    instansi = request.instansi  # type: ignore[attr-defined]
    try:
        pegawai = access_pegawai(instansi=instansi, pegawai_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    roles = request_roles(request)
    own = pegawai_of(request.user)
    allowed = bool(set(ADMIN_ROLES) & set(roles)) or (own is not None and own.pk in (pegawai.pk, pegawai.atasan_id))
    if not allowed:
        raise Http404()
    return render(
        request,
        "kinerja/pegawai_detail.html",
        {"p": pegawai, "riwayat": list(penempatan_list(pegawai=pegawai)), "bawahan": list(pegawai_bawahan(atasan=pegawai))},
    )


@tenant_view(Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN)
def impor_view(request: HttpRequest) -> HttpResponse:
    from kinerja.views_impor import impor_page

    return impor_page(request)
