"""Documentation pages: realisasi per indikator and periode, bukti dukung download and removal."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialog import access, forms, selectors, services
from dialog.bukti import INLINE_MIMES
from dialog.views._common import _access_error, _env, _htmx, _periods, _pilih_periode, _user, dialog_view
from kinerja.exceptions import ApplicationError, InvalidTransition
from kinerja.models import Periode
from kinerja.tenancy import pegawai_of
from skp.models import Skp, SkpStatus

# ---------------------------------------------------------------- documentation


def _realisasi_context(
    request: HttpRequest, skp: Skp, periode: Periode | None, periods: list[Periode]
) -> dict[str, Any]:
    own = pegawai_of(_user(request))
    pemilik = own is not None and own.pk == skp.pegawai_id
    baris = selectors.dokumentasi_periode(skp=skp, periode=periode) if periode else []
    boleh_isi = pemilik and skp.status == SkpStatus.DISETUJUI
    for b in baris:
        for i in b.indikator:
            i.form = forms.RealisasiForm(
                prefix=f"i{i.indikator.pk}",
                initial={
                    "realisasi": getattr(i.realisasi, "realisasi", ""),
                    "keterangan": getattr(i.realisasi, "keterangan", ""),
                },
            )
        b.aksi_form = forms.RencanaAksiForm(prefix=f"ra{b.rhk.pk}", initial={"rhk": b.rhk.pk})
        if boleh_isi:
            for a in b.rencana_aksi:  # the template's per-step correction form
                form = forms.RencanaAksiUbahForm(
                    prefix=f"ubah{a.pk}", initial={"uraian": a.uraian, "target": a.target}
                )
                setattr(a, "ubah_form", form)  # noqa: B010 - an attribute for the template, not a model field
    terisi = sum(1 for b in baris for i in b.indikator if i.realisasi)
    total = sum(len(b.indikator) for b in baris)
    return {
        "skp": skp,
        "periode": periode,
        "periods": periods,
        "baris": baris,
        "pemilik": pemilik,
        "boleh_isi": boleh_isi,
        "terisi": terisi,
        "total": total,
        "inline_mimes": INLINE_MIMES,
        "boleh_umpan_balik": selectors.peran_pemberi_untuk(user=_user(request), skp=skp) is not None,
        # the "Nilai" link for the Pejabat Penilai (the evaluation page decides the rest)
        "boleh_nilai": not pemilik
        and skp.status == SkpStatus.DISETUJUI
        and selectors.is_pimpinan_of(user=_user(request), pegawai=skp.pegawai, skp=skp),
    }


@dialog_view()
@require_GET
def realisasi(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    skp = access.dokumentasi_skp_access(user=user, instansi=instansi, roles=roles, skp_id=pk)
    periods = _periods(skp)
    periode = _pilih_periode(request, periods)
    return render(request, "dialog/realisasi.html", _realisasi_context(request, skp, periode, periods))


@dialog_view()
@require_POST
def realisasi_simpan(request: HttpRequest, pk: int, indikator_pk: int) -> HttpResponse:
    """Save one indikator's realisasi (+ optional file/link). A rejected file: the form comes back with
    the typed text kept and the reason under the file field."""
    instansi, roles, user = _env(request)
    skp = access.dokumentasi_skp_access(user=user, instansi=instansi, roles=roles, skp_id=pk)
    periods = _periods(skp)
    periode = _pilih_periode(request, periods)
    form = forms.RealisasiForm(request.POST, request.FILES, prefix=f"i{indikator_pk}")
    ok = False
    if form.is_valid() and periode is not None:
        try:
            services.realisasi_save(
                actor=user,
                skp=skp,
                indikator_id=indikator_pk,
                periode_id=periode.pk,
                realisasi=form.cleaned_data["realisasi"],
                keterangan=form.cleaned_data["keterangan"],
                berkas=form.cleaned_data.get("berkas"),
                tautan=form.cleaned_data["tautan"],
                judul_bukti=form.cleaned_data["judul_bukti"],
            )
            ok = True
        except InvalidTransition as exc:
            form.add_error(None, exc.message)
        except ApplicationError as exc:
            _access_error(exc)
            if "indikator" in exc.errors:
                raise Http404() from None
            forms.apply_errors(form, exc)
    ctx = _realisasi_context(request, skp, periode, periods)
    target = next((i for b in ctx["baris"] for i in b.indikator if i.indikator.pk == indikator_pk), None)
    if target is None:
        raise Http404()
    if not ok:
        target.form = form
    elif not _htmx(request):
        messages.success(request, _("Realisasi tersimpan."))
        return redirect(
            f"{reverse('dialog:realisasi', args=[skp.pk])}?periode={getattr(periode, 'pk', '')}#ind-{indikator_pk}"
        )
    if _htmx(request):
        # 200 even when rejected: htmx swaps only 2xx; the fragment carries the errors and the typed values.
        # The indicator's card, plus the page's "n of m filled" counter swapped out of band.
        return render(request, "dialog/_indikator_simpan.html", {**ctx, "i": target, "tersimpan": ok})
    return render(request, "dialog/realisasi.html", ctx, status=422)


@dialog_view()
@require_GET
def bukti_unduh(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence files are served only here, after the access check (never a public media URL)."""
    instansi, roles, user = _env(request)
    bukti = access.bukti_access(user=user, instansi=instansi, roles=roles, bukti_id=pk)
    if not bukti.berkas:
        raise Http404()
    try:
        handle = bukti.berkas.open("rb")
    except FileNotFoundError:
        raise Http404() from None
    inline = request.GET.get("lihat") == "1" and bukti.tipe_konten in INLINE_MIMES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=bukti.nama_berkas or "bukti",
        content_type=bukti.tipe_konten,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@dialog_view()
@require_POST
def bukti_hapus(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    bukti = access.bukti_access(user=user, instansi=instansi, roles=roles, bukti_id=pk)
    realisasi = bukti.realisasi
    try:
        services.bukti_remove(actor=user, bukti=bukti)
        messages.success(request, _("Bukti dukung dihapus."))
    except ApplicationError as exc:
        _access_error(exc)
        messages.error(request, exc.message)
    return redirect(
        f"{reverse('dialog:realisasi', args=[realisasi.skp_id])}?periode={realisasi.periode_id}#ind-{realisasi.indikator_id}"
    )
