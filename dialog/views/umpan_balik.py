"""Umpan balik pages: threads per SKP, replies, read marks and feedback requests."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dialog import access, forms, selectors, services
from dialog.models import PeranPemberi, UmpanBalik
from dialog.views._common import (
    PER_HALAMAN,
    _access_error,
    _env,
    _htmx,
    _int,
    _periode_choices,
    _periods,
    _sasaran_choices,
    _user,
    dialog_view,
)
from kinerja.exceptions import ApplicationError
from kinerja.models import Periode
from kinerja.tenancy import non_asn_of, pegawai_of
from kinerja.web import paginate
from skp.models import Rhk

# ---------------------------------------------------------------- umpan balik


def _mark_boleh_balas(threads: Any, user: Any, pimpinan: bool) -> None:
    """Receiver, giver and the receiver's Pejabat Penilai may reply (the service checks it again)."""
    own = pegawai_of(user)
    official = non_asn_of(user) if own is None else None
    for t in threads:
        if official is not None:  # a non-ASN official: threads it gave, or any as the Pejabat Penilai
            t.boleh_balas = pimpinan or official.pk == t.pemberi_non_asn_id
        else:
            t.boleh_balas = own is not None and (pimpinan or own.pk in (t.penerima_id, t.pemberi_id))


def _thread_page(request: HttpRequest, hak: access.AksesUmpanBalik, periode_filter: Periode | None) -> Any:
    qs = selectors.umpan_balik_threads(
        skp=hak.skp,
        viewer=_user(request),
        lihat_semua=hak.lihat_semua,
        periode=periode_filter,
    )
    page = paginate(request, qs, PER_HALAMAN)
    _mark_boleh_balas(page.object_list, _user(request), hak.peran == PeranPemberi.PEJABAT_PENILAI)
    return page


def _diminta_choices(skp: Any) -> list[tuple[Any, str]]:
    """Whom the SKP owner may ask: the non-ASN Pejabat Penilai first (issue #16), then the pegawai."""
    return [
        *(
            (f"{forms.NON_ASN}{o.pk}", f"{o.nama} — {o.jabatan} ({_('Pejabat Penilai')})")
            for o in selectors.kandidat_pemberi_non_asn(skp=skp)
        ),
        *((p.pk, f"{p.nama} — {p.jabatan.nama}") for p in selectors.kandidat_pemberi(skp=skp)),
    ]


def _umpan_balik_context(
    request: HttpRequest,
    hak: access.AksesUmpanBalik,
    *,
    form: forms.UmpanBalikForm | None = None,
    minta_form: forms.PermintaanForm | None = None,
) -> dict[str, Any]:
    skp = hak.skp
    periods = _periods(skp)
    rhks = list(Rhk.objects.filter(instansi_id=skp.instansi_id, skp=skp).order_by("jenis", "urutan", "id"))
    default = selectors.periode_default(periods)
    filter_periode = next((p for p in periods if p.pk == _int(request.GET.get("periode"))), None)
    periode_choices = _periode_choices(periods)
    sasaran = _sasaran_choices(rhks)
    if form is None and hak.peran:
        initial: dict[str, Any] = {"periode": getattr(filter_periode or default, "pk", None)}
        if request.GET.get("rhk"):
            initial["sasaran"] = f"rhk:{_int(request.GET['rhk'])}"
        if request.GET.get("realisasi"):
            initial["realisasi"] = _int(request.GET["realisasi"])
        if request.GET.get("permintaan"):
            initial["permintaan"] = _int(request.GET["permintaan"])
        form = forms.UmpanBalikForm(initial=initial, sasaran=sasaran, periode=periode_choices)
    if minta_form is None and hak.pemilik:
        minta_form = forms.PermintaanForm(
            initial={"periode": getattr(default, "pk", None)},
            diminta=_diminta_choices(skp),
            sasaran=sasaran,
            periode=periode_choices,
        )
    own = pegawai_of(_user(request))
    permintaan_saya = [
        r
        for r in selectors.permintaan_masuk(user=_user(request), instansi=_env(request)[0])
        if r.skp_id == skp.pk
    ]
    page = _thread_page(request, hak, filter_periode)
    return {
        "skp": skp,
        "hak": hak,
        "periods": periods,
        "filter_periode": filter_periode,
        "form": form,
        "minta_form": minta_form,
        "page": page,
        "balas_form": forms.BalasanForm(),
        "pimpinan_per_periode": (
            selectors.umpan_balik_pimpinan_per_periode(skp=skp, periods=periods) if hak.lihat_semua else {}
        ),
        "permintaan_skp": list(selectors.permintaan_untuk_skp(skp=skp)[:10]) if hak.pemilik else [],
        "permintaan_saya": permintaan_saya,
        "own": own,
        "belum_dibaca": sum(1 for t in page if not getattr(t, "sudah_dibaca", True)),
        "peran_label": dict(PeranPemberi.choices),
    }


@dialog_view()
@require_http_methods(["GET", "POST"])
def umpan_balik_skp(request: HttpRequest, pk: int) -> HttpResponse:
    """The feedback thread of one SKP: give (leader, assigner, peers, subordinates), reply, read, request."""
    instansi, roles, user = _env(request)
    hak = access.umpan_balik_skp_access(user=user, instansi=instansi, roles=roles, skp_id=pk)
    if request.method == "GET":
        return render(request, "dialog/umpan_balik.html", _umpan_balik_context(request, hak))
    if hak.peran is None:
        raise Http404()
    periods = _periods(hak.skp)
    rhks = list(
        Rhk.objects.filter(instansi_id=hak.skp.instansi_id, skp=hak.skp).order_by("jenis", "urutan", "id")
    )
    form = forms.UmpanBalikForm(
        request.POST, sasaran=_sasaran_choices(rhks), periode=_periode_choices(periods)
    )
    if form.is_valid():
        try:
            ub = services.umpan_balik_give(
                actor=user,
                skp=hak.skp,
                periode_id=form.cleaned_data["periode"],
                isi=form.cleaned_data["isi"],
                sifat=form.cleaned_data["sifat"],
                realisasi_id=form.cleaned_data.get("realisasi"),
                permintaan_id=form.cleaned_data.get("permintaan"),
                **form.target(),
            )
            messages.success(request, _("Umpan balik terkirim."))
            return redirect(f"{reverse('dialog:umpan-balik-skp', args=[hak.skp.pk])}#ub-{ub.pk}")
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(form, exc, forms.UMPAN_BALIK_ERRORS)
    return render(
        request, "dialog/umpan_balik.html", _umpan_balik_context(request, hak, form=form), status=422
    )


def _thread_response(
    request: HttpRequest, ub: UmpanBalik, balas_form: forms.BalasanForm | None = None
) -> HttpResponse:
    thread = selectors._with_unread(UmpanBalik.objects.filter(pk=ub.pk), _user(request)).get()
    pimpinan = selectors.is_pimpinan_of(user=_user(request), pegawai=thread.penerima) or (
        selectors.non_asn_penilai_of(user=_user(request), pegawai=thread.penerima) is not None
    )
    _mark_boleh_balas([thread], _user(request), pimpinan)
    return render(
        request,
        "dialog/_thread.html",
        {
            "t": thread,
            "balas_form": balas_form or forms.BalasanForm(),
            "own": pegawai_of(_user(request)),
            "peran_label": dict(PeranPemberi.choices),
        },
    )


@dialog_view()
@require_POST
def umpan_balik_balas(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    ub = access.umpan_balik_access(user=user, instansi=instansi, roles=roles, umpan_balik_id=pk)
    form = forms.BalasanForm(request.POST)
    url = f"{reverse('dialog:umpan-balik-skp', args=[ub.skp_id])}#ub-{ub.pk}"
    if form.is_valid():
        try:
            services.umpan_balik_reply(actor=user, umpan_balik=ub, isi=form.cleaned_data["isi"])
            if _htmx(request):
                return _thread_response(request, ub)
            messages.success(request, _("Balasan terkirim."))
            return redirect(url)
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(form, exc)
    if _htmx(request):
        return _thread_response(request, ub, form)  # 200: htmx swaps only 2xx
    messages.error(
        request,
        "; ".join(str(e) for errs in form.errors.values() for e in errs) or _("Balasan belum terkirim."),
    )
    return redirect(url)


@dialog_view()
@require_POST
def umpan_balik_dibaca(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    ub = access.umpan_balik_access(user=user, instansi=instansi, roles=roles, umpan_balik_id=pk)
    services.umpan_balik_mark_read(actor=user, umpan_balik=ub)
    if _htmx(request):
        return _thread_response(request, ub)
    return redirect(f"{reverse('dialog:umpan-balik-skp', args=[ub.skp_id])}#ub-{ub.pk}")


@dialog_view()
@require_POST
def umpan_balik_baca_semua(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    hak = access.umpan_balik_skp_access(user=user, instansi=instansi, roles=roles, skp_id=pk)
    threads = list(selectors.umpan_balik_threads(skp=hak.skp, viewer=user, lihat_semua=hak.lihat_semua))
    n = services.umpan_balik_mark_all_read(
        actor=user, threads=[t for t in threads if not getattr(t, "sudah_dibaca", True)]
    )
    messages.success(request, _("%(n)d utas ditandai sudah dibaca.") % {"n": n})
    return redirect("dialog:umpan-balik-skp", pk=hak.skp.pk)


@dialog_view()
@require_POST
def permintaan_buat(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    hak = access.umpan_balik_skp_access(user=user, instansi=instansi, roles=roles, skp_id=pk)
    if not hak.pemilik:
        raise Http404()
    periods = _periods(hak.skp)
    rhks = list(
        Rhk.objects.filter(instansi_id=hak.skp.instansi_id, skp=hak.skp).order_by("jenis", "urutan", "id")
    )
    form = forms.PermintaanForm(
        request.POST,
        diminta=_diminta_choices(hak.skp),
        sasaran=_sasaran_choices(rhks),
        periode=_periode_choices(periods),
    )
    if form.is_valid():
        try:
            target = form.target()
            services.permintaan_create(
                actor=user,
                skp=hak.skp,
                **form.tujuan(),
                periode_id=form.cleaned_data["periode"],
                pesan=form.cleaned_data["pesan"],
                rhk_id=target["rhk_id"],
                core_value=target["core_value"],
            )
            messages.success(request, _("Permintaan umpan balik terkirim."))
            return redirect("dialog:umpan-balik-skp", pk=hak.skp.pk)
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(
                form, exc, {"rhk": "sasaran", "core_value": "sasaran", "diminta_non_asn": "diminta"}
            )
    return render(
        request, "dialog/umpan_balik.html", _umpan_balik_context(request, hak, minta_form=form), status=422
    )


@dialog_view()
@require_POST
def permintaan_batal(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, _roles, user = _env(request)
    req = access.permintaan_access(user=user, instansi=instansi, permintaan_id=pk)
    try:
        services.permintaan_cancel(actor=user, permintaan=req)
        messages.success(request, _("Permintaan dibatalkan."))
    except ApplicationError as exc:
        _access_error(exc)
        messages.error(request, exc.message)
    return redirect("dialog:umpan-balik-skp", pk=req.skp_id)
