"""Rencana aksi pages: add, remove and correct planned actions."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dialog import access, forms, services
from dialog.views._common import _access_error, _env, _int, _periods, _pilih_periode, dialog_view
from dialog.views.dokumentasi import _realisasi_context
from kinerja.exceptions import ApplicationError


@dialog_view()
@require_POST
def rencana_aksi_tambah(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    skp = access.dokumentasi_skp_access(user=user, instansi=instansi, roles=roles, skp_id=pk)
    periods = _periods(skp)
    periode = _pilih_periode(request, periods)
    rhk_id = _int(request.POST.get("rhk"))
    form = forms.RencanaAksiForm(request.POST, prefix=f"ra{rhk_id}")
    url = f"{reverse('dialog:realisasi', args=[skp.pk])}?periode={getattr(periode, 'pk', '')}#rhk-{rhk_id}"
    if form.is_valid():
        try:
            services.rencana_aksi_add(
                actor=user,
                skp=skp,
                rhk_id=form.cleaned_data["rhk"],
                periode_id=getattr(periode, "pk", None),
                uraian=form.cleaned_data["uraian"],
                target=form.cleaned_data["target"],
            )
            messages.success(request, _("Rencana aksi ditambahkan."))
            return redirect(url)
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(form, exc)
    ctx = _realisasi_context(request, skp, periode, periods)
    for b in ctx["baris"]:
        if b.rhk.pk == rhk_id:
            b.aksi_form = form
    return render(request, "dialog/realisasi.html", ctx, status=422)


@dialog_view()
@require_POST
def rencana_aksi_hapus(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    aksi = access.rencana_aksi_access(user=user, instansi=instansi, roles=roles, rencana_aksi_id=pk)
    try:
        services.rencana_aksi_remove(actor=user, rencana_aksi=aksi)
        messages.success(request, _("Rencana aksi dihapus."))
    except ApplicationError as exc:
        _access_error(exc)
        messages.error(request, exc.message)
    return redirect(
        f"{reverse('dialog:realisasi', args=[aksi.skp_id])}?periode={aksi.periode_id}#rhk-{aksi.rhk_id}"
    )


@dialog_view()
@require_POST
def rencana_aksi_ubah(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a planned step in place. A mistake: the page again (422) with this step's form open."""
    instansi, roles, user = _env(request)
    aksi = access.rencana_aksi_access(user=user, instansi=instansi, roles=roles, rencana_aksi_id=pk)
    form = forms.RencanaAksiUbahForm(request.POST, prefix=f"ubah{aksi.pk}")
    url = f"{reverse('dialog:realisasi', args=[aksi.skp_id])}?periode={aksi.periode_id}#aksi-{aksi.pk}"
    if form.is_valid():
        try:
            services.rencana_aksi_update(
                actor=user,
                rencana_aksi=aksi,
                uraian=form.cleaned_data["uraian"],
                target=form.cleaned_data["target"],
            )
            messages.success(request, _("Rencana aksi diperbarui."))
            return redirect(url)
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(form, exc)
    skp = access.dokumentasi_skp_access(user=user, instansi=instansi, roles=roles, skp_id=aksi.skp_id)
    periods = _periods(skp)
    periode = next((p for p in periods if p.pk == aksi.periode_id), None)
    ctx = _realisasi_context(request, skp, periode, periods)
    for b in ctx["baris"]:
        for a in b.rencana_aksi:
            if a.pk == aksi.pk:  # this step's form with its errors, open
                setattr(a, "ubah_form", form)  # noqa: B010
                setattr(a, "ubah_buka", True)  # noqa: B010
    return render(request, "dialog/realisasi.html", ctx, status=422)
