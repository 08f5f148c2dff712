"""Notification pages: list, unread count badge, open, mark all read, e-mail preference."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialog import access, forms, selectors, services
from dialog.models import PreferensiNotifikasi
from dialog.services.notifikasi import _email_of
from dialog.views._common import PER_HALAMAN, _env, dialog_view
from kinerja.web import paginate

# ---------------------------------------------------------------- notifications


@dialog_view()
@require_GET
def notifikasi_daftar(request: HttpRequest) -> HttpResponse:
    instansi, _roles, user = _env(request)
    hanya = request.GET.get("belum") == "1"
    page = paginate(
        request,
        selectors.notifikasi_list(user=user, instansi=instansi, hanya_belum_dibaca=hanya),
        PER_HALAMAN,
    )
    return render(
        request,
        "dialog/notifikasi.html",
        {
            "page": page,
            "hanya": hanya,
            "belum_dibaca": selectors.notifikasi_belum_dibaca_count(user=user, instansi=instansi),
        },
    )


@dialog_view()
@require_GET
def notifikasi_jumlah(request: HttpRequest) -> HttpResponse:
    """A tiny fragment for the navbar badge (htmx polls it)."""
    instansi, _roles, user = _env(request)
    n = selectors.notifikasi_belum_dibaca_count(user=user, instansi=instansi)
    return render(request, "dialog/_notifikasi_jumlah.html", {"n": n})


@dialog_view()
@require_POST
def notifikasi_buka(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, _roles, user = _env(request)
    n = access.notifikasi_access(user=user, instansi=instansi, notifikasi_id=pk)
    services.notifikasi_mark_read(actor=user, notifikasi=n)
    if n.tautan and url_has_allowed_host_and_scheme(n.tautan, allowed_hosts=None):
        return redirect(n.tautan)
    return redirect("dialog:notifikasi")


@dialog_view()
@require_POST
def notifikasi_baca_semua(request: HttpRequest) -> HttpResponse:
    instansi, _roles, user = _env(request)
    n = services.notifikasi_mark_all_read(actor=user, instansi=instansi)
    messages.success(request, _("%(n)d pemberitahuan ditandai sudah dibaca.") % {"n": n})
    return redirect("dialog:notifikasi")


@dialog_view()
@require_http_methods(["GET", "POST"])
def preferensi(request: HttpRequest) -> HttpResponse:
    instansi, _roles, user = _env(request)
    current = PreferensiNotifikasi.objects.filter(instansi=instansi, user=user).first()
    form = forms.PreferensiForm(
        request.POST or None, initial={"mode_email": getattr(current, "mode_email", "segera")}
    )
    if request.method == "POST" and form.is_valid():
        services.preferensi_set(actor=user, instansi=instansi, mode_email=form.cleaned_data["mode_email"])
        messages.success(request, _("Pengaturan email tersimpan."))
        return redirect("dialog:notifikasi")
    return render(request, "dialog/preferensi.html", {"form": form, "punya_email": bool(_email_of(user))})
