"""Dialog HTML pages (htmx + Bootstrap). Thin: parse → access (404) → service → render.

On bad input a page is re-rendered with what the user typed and the reason (nothing is lost); htmx
requests get the changed fragment only, plain form posts the whole page (or a redirect on success).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden, ReadOnly
from kinerja.models import Instansi, Pegawai, Periode, Role, User
from kinerja.selectors.people import pegawai_dinilai_oleh
from kinerja.services.tenancy import periode_ensure_year
from kinerja.tenancy import pegawai_of
from kinerja.web import paginate, request_roles, tenant_view
from skp.models import Rhk, Skp, SkpStatus

from . import access, forms, selectors, services
from .bukti import INLINE_MIMES
from .models import (
    CORE_VALUE_KODES,
    CORE_VALUE_NAMA,
    CatatanKinerja,
    JenisCatatan,
    Penugasan,
    PeranPemberi,
    PreferensiNotifikasi,
    StatusPenugasan,
    UmpanBalik,
)

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


# ---------------------------------------------------------------- hub


@dialog_view()
@require_GET
def beranda(request: HttpRequest) -> HttpResponse:
    instansi, roles, user = _env(request)
    own = pegawai_of(user)
    skps = (
        list(
            Skp.objects.filter(instansi=instansi, pegawai=own)
            .exclude(status=SkpStatus.DIGANTI)
            .order_by("-tahun", "-periode_mulai")[:6]
        )
        if own is not None
        else []
    )
    return render(
        request,
        "dialog/beranda.html",
        {
            "skps": skps,
            "diterima": list(selectors.umpan_balik_diterima(user=user, instansi=instansi)[:5]),
            "permintaan": list(selectors.permintaan_masuk(user=user, instansi=instansi)[:10]),
            "target": selectors.target_umpan_balik(user=user, instansi=instansi),
            "pimpinan": Role.PEJABAT_PENILAI in roles,
            "own": own,
        },
    )


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


# ---------------------------------------------------------------- umpan balik


def _mark_boleh_balas(threads: Any, user: Any, pimpinan: bool) -> None:
    """Receiver, giver and the receiver's Pejabat Penilai may reply (the service checks it again)."""
    own = pegawai_of(user)
    for t in threads:
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
    kandidat = selectors.kandidat_pemberi(skp=skp) if hak.pemilik else []
    if minta_form is None and hak.pemilik:
        minta_form = forms.PermintaanForm(
            initial={"periode": getattr(default, "pk", None)},
            diminta=[(p.pk, f"{p.nama} — {p.jabatan.nama}") for p in kandidat],
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
    pimpinan = selectors.is_pimpinan_of(user=_user(request), pegawai=thread.penerima)
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
    kandidat = selectors.kandidat_pemberi(skp=hak.skp)
    form = forms.PermintaanForm(
        request.POST,
        diminta=[(p.pk, f"{p.nama} — {p.jabatan.nama}") for p in kandidat],
        sasaran=_sasaran_choices(rhks),
        periode=_periode_choices(periods),
    )
    if form.is_valid():
        try:
            target = form.target()
            services.permintaan_create(
                actor=user,
                skp=hak.skp,
                diminta_id=form.cleaned_data["diminta"],
                periode_id=form.cleaned_data["periode"],
                pesan=form.cleaned_data["pesan"],
                rhk_id=target["rhk_id"],
                core_value=target["core_value"],
            )
            messages.success(request, _("Permintaan umpan balik terkirim."))
            return redirect("dialog:umpan-balik-skp", pk=hak.skp.pk)
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(form, exc, {"rhk": "sasaran", "core_value": "sasaran"})
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


# ---------------------------------------------------------------- dialog / bimbingan / konseling


@dialog_view()
@require_GET
def catatan_daftar(request: HttpRequest) -> HttpResponse:
    instansi, roles, user = _env(request)
    pegawai = None
    if request.GET.get("pegawai"):
        pegawai = access.pegawai_linimasa_access(
            user=user, instansi=instansi, roles=roles, pegawai_id=request.GET["pegawai"]
        )
    jenis = request.GET.get("jenis", "")
    jenis = jenis if jenis in JenisCatatan.values else ""
    page = paginate(
        request,
        selectors.catatan_list(user=user, instansi=instansi, roles=roles, pegawai=pegawai, jenis=jenis),
        PER_HALAMAN,
    )
    return render(
        request,
        "dialog/catatan_daftar.html",
        {
            "page": page,
            "pegawai": pegawai,
            "jenis": jenis,
            "jenis_choices": JenisCatatan.choices,
            "boleh_catat": pegawai_of(user) is not None,
        },
    )


def _catatan_targets(user: User, instansi: Instansi) -> tuple[list[Pegawai], bool]:
    own = pegawai_of(user)
    team = list(pegawai_dinilai_oleh(user=user, instansi=instansi))
    people = ([own] if own is not None and own.instansi_id == instansi.pk else []) + team
    return people, bool(team)


@dialog_view()
@require_http_methods(["GET", "POST"])
def catatan_baru(request: HttpRequest) -> HttpResponse:
    instansi, _roles, user = _env(request)
    people, leader = _catatan_targets(user, instansi)
    if not people:
        raise Http404()
    periods = list(
        Periode.objects.filter(instansi=instansi, tahun=timezone.localdate().year).order_by("mulai")
    )
    jenis_choices = (
        JenisCatatan.choices if leader else [(JenisCatatan.DIALOG.value, JenisCatatan.DIALOG.label)]
    )
    kwargs: dict[str, Any] = {
        "pegawai": [
            (p.pk, f"{p.nama}{' (' + _('saya') + ')' if p.user_id == user.pk else ''}") for p in people
        ],
        "periode": _periode_choices(periods),
        "jenis": jenis_choices,
    }
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {
        "tanggal": timezone.localdate(),
        "jenis": request.GET.get("jenis") or JenisCatatan.DIALOG,
        "pegawai": _int(request.GET.get("pegawai"))
        or (people[1].pk if leader and len(people) > 1 else people[0].pk),
        "periode": getattr(selectors.periode_default(periods), "pk", None),
    }
    form = forms.CatatanForm(data, initial=initial, **kwargs)
    formset = forms.TindakLanjutFormSet(data, prefix="tl")
    chosen = _int(request.POST.get("pegawai") if data is not None else initial["pegawai"])
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            pegawai = access.pegawai_catatan_target(
                user=user, instansi=instansi, pegawai_id=form.cleaned_data["pegawai"]
            )
            rec = services.catatan_create(
                actor=user,
                jenis=form.cleaned_data["jenis"],
                pegawai=pegawai,
                tanggal=form.cleaned_data["tanggal"],
                agenda=form.cleaned_data["agenda"],
                catatan=form.cleaned_data["catatan"],
                periode_id=form.cleaned_data["periode"],
                tindak_lanjut=[f.cleaned_data for f in formset.forms if f.cleaned_data],
            )
            messages.success(request, _("Catatan tersimpan."))
            return redirect("dialog:catatan-detail", pk=rec.pk)
        except ApplicationError as exc:
            _access_error(exc)
            tl_errors = {k: v for k, v in exc.errors.items() if k.startswith("tindak_lanjut.")}
            for key, msgs in tl_errors.items():
                _prefix, idx, field = key.split(".")
                if int(idx) < len(formset.forms):
                    for m in msgs:
                        formset.forms[int(idx)].add_error(field, m)
            forms.apply_errors(
                form,
                ApplicationError(exc.message, {k: v for k, v in exc.errors.items() if k not in tl_errors}),
            )
    terbuka = []
    target = next((p for p in people if p.pk == chosen), None)
    if target is not None:
        terbuka = list(selectors.tindak_lanjut_terbuka(pegawai=target))
    return render(
        request,
        "dialog/catatan_baru.html",
        {"form": form, "formset": formset, "terbuka": terbuka, "target": target},
        status=422 if request.method == "POST" else 200,
    )


def _catatan_ctx(request: HttpRequest, rec: CatatanKinerja, **extra: Any) -> dict[str, Any]:
    own = pegawai_of(_user(request))
    detail = selectors.catatan_detail(catatan=rec)
    pernyataan = selectors.pernyataan_b18_current() if rec.jenis == JenisCatatan.BIMBINGAN else []
    peserta = own is not None and (
        own.pk in (rec.pegawai_id, rec.pimpinan_id)
        or selectors.is_pimpinan_of(user=_user(request), pegawai=rec.pegawai)
    )
    ctx = {
        "c": rec,
        "tindak_lanjut": detail["tindak_lanjut"],
        "jawaban_rows": [(p, detail["jawaban"].get(p.pk)) for p in pernyataan],
        "isi_b18": rec.jenis == JenisCatatan.BIMBINGAN
        and own is not None
        and own.pk == rec.pegawai_id
        and rec.b18_diisi_at is None,
        "peserta": peserta,
        "tl_form": forms.TindakLanjutForm(),
    }
    if ctx["isi_b18"] and "b18_form" not in extra:
        ctx["b18_form"] = forms.B18Form(pernyataan=pernyataan)
    if rec.jenis == JenisCatatan.BIMBINGAN:
        ctx["isi_b19"] = (
            rec.b19_diisi_at is None
            and own is not None
            and own.pk != rec.pegawai_id
            and (
                own.pk == rec.pimpinan_id
                or selectors.is_pimpinan_of(user=_user(request), pegawai=rec.pegawai)
            )
        )
        if rec.b19_diisi_at is not None:
            ctx["penilaian_b19_rows"] = [
                (k, detail["penilaian_b19"][k.pk]) for k in selectors.kompetensi_b19_dinilai(catatan=rec)
            ]
        elif ctx["isi_b19"] and "b19_form" not in extra:
            ctx["b19_form"] = forms.B19Form(kompetensi=selectors.kompetensi_b19_current())
    ctx.update(extra)
    return ctx


@dialog_view()
@require_GET
def catatan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    rec = access.catatan_access(user=user, instansi=instansi, roles=roles, catatan_id=pk)
    return render(request, "dialog/catatan_detail.html", _catatan_ctx(request, rec))


@dialog_view()
@require_POST
def tindak_lanjut_tambah(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    rec = access.catatan_access(user=user, instansi=instansi, roles=roles, catatan_id=pk)
    form = forms.TindakLanjutForm(request.POST)
    if form.is_valid():
        try:
            services.tindak_lanjut_add(
                actor=user,
                catatan=rec,
                uraian=form.cleaned_data["uraian"],
                tenggat=form.cleaned_data["tenggat"],
            )
            messages.success(request, _("Tindak lanjut ditambahkan."))
            return redirect("dialog:catatan-detail", pk=rec.pk)
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(form, exc)
    return render(request, "dialog/catatan_detail.html", _catatan_ctx(request, rec, tl_form=form), status=422)


@dialog_view()
@require_POST
def tindak_lanjut_status(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    from .models import TindakLanjut

    t = TindakLanjut.objects.filter(instansi=instansi, pk=pk).first()
    if t is None:
        raise Http404()
    rec = access.catatan_access(user=user, instansi=instansi, roles=roles, catatan_id=t.catatan_id)
    try:
        services.tindak_lanjut_set_status(
            actor=user, tindak_lanjut=t, selesai=request.POST.get("selesai") == "1"
        )
    except ApplicationError as exc:
        _access_error(exc)
        messages.error(request, exc.message)
    return redirect(f"{reverse('dialog:catatan-detail', args=[rec.pk])}#tl-{t.pk}")


@dialog_view()
@require_POST
def bimbingan_b18(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    rec = access.catatan_access(user=user, instansi=instansi, roles=roles, catatan_id=pk)
    form = forms.B18Form(request.POST, pernyataan=selectors.pernyataan_b18_current())
    if form.is_valid():
        try:
            services.bimbingan_jawab(actor=user, catatan=rec, jawaban=form.jawaban())
            messages.success(request, _("Umpan balik pelaksanaan bimbingan (Format B.1.8) tersimpan."))
            return redirect("dialog:catatan-detail", pk=rec.pk)
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(form, exc)
    return render(
        request, "dialog/catatan_detail.html", _catatan_ctx(request, rec, b18_form=form), status=422
    )


@dialog_view()
@require_POST
def bimbingan_b19(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader's Format B.1.9 (competence evaluation after a bimbingan)."""
    instansi, roles, user = _env(request)
    rec = access.catatan_access(user=user, instansi=instansi, roles=roles, catatan_id=pk)
    form = forms.B19Form(request.POST, kompetensi=selectors.kompetensi_b19_current())
    if form.is_valid():
        try:
            services.bimbingan_kompetensi_nilai(actor=user, catatan=rec, penilaian=form.penilaian())
            messages.success(request, _("Evaluasi kompetensi pegawai (Format B.1.9) tersimpan."))
            return redirect("dialog:catatan-detail", pk=rec.pk)
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(form, exc)
    return render(
        request, "dialog/catatan_detail.html", _catatan_ctx(request, rec, b19_form=form), status=422
    )


# ---------------------------------------------------------------- penugasan


@dialog_view()
@require_GET
def penugasan_daftar(request: HttpRequest) -> HttpResponse:
    instansi, _roles, user = _env(request)
    return render(
        request,
        "dialog/penugasan_daftar.html",
        {
            "diputuskan": list(selectors.penugasan_untuk_diputuskan(user=user, instansi=instansi)),
            "saya": list(selectors.penugasan_saya(user=user, instansi=instansi)[:50]),
            "diberikan": list(selectors.penugasan_diberikan(user=user, instansi=instansi)[:50]),
            "terbuka": list(selectors.penugasan_terbuka(instansi=instansi)[:50]),
            "own": pegawai_of(user),
            "lintas_masuk": list(selectors.penugasan_lintas_untuk(user=user, instansi=instansi)[:50]),
            "lintas_keluar": list(selectors.penugasan_keluar_saya(user=user, instansi=instansi)[:50]),
        },
    )


@dialog_view()
@require_http_methods(["GET", "POST"])
def penugasan_baru(request: HttpRequest) -> HttpResponse:
    instansi, _roles, user = _env(request)
    own = pegawai_of(user)
    if own is None:
        raise Http404()
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {"mulai": timezone.localdate()}
    target_id = _int(request.GET.get("pegawai"))
    if target_id is not None:
        target = Pegawai.objects.filter(instansi=instansi, pk=target_id).first()
        if target is not None:
            initial["pegawai"] = f"{target.nip} {target.nama}"
    form = forms.PenugasanForm(data, initial=initial)
    formset = forms.IndikatorFormSet(data, prefix="ind")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        indikator = [f.cleaned_data for f in formset.forms if f.cleaned_data]
        args = {
            "actor": user,
            "hasil_kerja": form.cleaned_data["hasil_kerja"],
            "indikator": indikator,
            "mulai": form.cleaned_data["mulai"],
            "selesai": form.cleaned_data["selesai"],
            "pesan": form.cleaned_data["pesan"],
        }
        try:
            if form.cleaned_data["terbuka"]:
                p = services.penugasan_open(**args)
                messages.success(
                    request, _("Penugasan terbuka diumumkan; relawan memerlukan persetujuan pimpinannya.")
                )
            else:
                pegawai = Pegawai.objects.filter(instansi=instansi, aktif=True, nip=form.nip()).first()
                if pegawai is None:
                    raise ApplicationError(
                        _("Pegawai tidak ditemukan."),
                        errors={"pegawai": [_("Pilih pegawai dari daftar (NIP dan nama).")]},
                    )
                p = services.penugasan_propose(pegawai=pegawai, **args)
                if p.status == StatusPenugasan.DITERIMA:
                    messages.success(request, _("Penugasan diterima dan ditambahkan ke SKP pegawai."))
                else:
                    messages.success(
                        request, _("Penugasan dikirim ke Pejabat Penilai pegawai untuk diputuskan.")
                    )
            return redirect("dialog:penugasan-detail", pk=p.pk)
        except ApplicationError as exc:
            _access_error(exc)
            for key, msgs in exc.errors.items():
                if key.startswith("indikator.") and key.count(".") == 2:
                    _p, idx, field = key.split(".")
                    if int(idx) < len(formset.forms):
                        for m in msgs:
                            formset.forms[int(idx)].add_error(field, m)
                    continue
                for m in msgs:
                    form.add_error(key if key in form.fields else None, m)
            if not exc.errors:
                form.add_error(None, exc.message)
    daftar = (
        Pegawai.objects.filter(instansi=instansi, aktif=True)
        .exclude(pk=own.pk)
        .order_by("nama")
        .values_list("nip", "nama")[:2000]
    )
    return render(
        request,
        "dialog/penugasan_baru.html",
        {"form": form, "formset": formset, "daftar_pegawai": list(daftar)},
        status=422 if request.method == "POST" else 200,
    )


def _penugasan_ctx(request: HttpRequest, p: Penugasan, **extra: Any) -> dict[str, Any]:
    own = pegawai_of(_user(request))
    boleh_putus = (
        p.status == StatusPenugasan.DIUSULKAN
        and p.pegawai is not None
        and own is not None
        and (own.pk == p.penilai_id or selectors.is_pimpinan_of(user=_user(request), pegawai=p.pegawai))
    )
    ctx = {
        "p": p,
        "own": own,
        "boleh_putus": boleh_putus,
        "boleh_batal": own is not None
        and own.pk == p.pemberi_id
        and p.status in (StatusPenugasan.DIUSULKAN, StatusPenugasan.TERBUKA),
        "boleh_relawan": own is not None and p.status == StatusPenugasan.TERBUKA and own.pk != p.pemberi_id,
        "relawan": list(p.relawan.select_related("pegawai__jabatan").order_by("created_at"))
        if own is not None and own.pk == p.pemberi_id
        else [],
        "terima_form": forms.KeputusanForm(),
        "tolak_form": forms.TolakForm(),
    }
    ctx.update(extra)
    return ctx


@dialog_view()
@require_GET
def penugasan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    p = access.penugasan_access(user=user, instansi=instansi, roles=roles, penugasan_id=pk)
    return render(request, "dialog/penugasan_detail.html", _penugasan_ctx(request, p))


@dialog_view()
@require_POST
def penugasan_terima(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    p = access.penugasan_access(user=user, instansi=instansi, roles=roles, penugasan_id=pk)
    form = forms.KeputusanForm(request.POST)
    if form.is_valid():
        try:
            services.penugasan_accept(
                actor=user,
                penugasan=p,
                jenis=form.cleaned_data["jenis"],
                catatan=form.cleaned_data["catatan"],
            )
            messages.success(request, _("Penugasan diterima dan ditambahkan ke SKP pegawai."))
            return redirect("dialog:penugasan-detail", pk=p.pk)
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(form, exc, {"skp": "__all__"})
    return render(
        request, "dialog/penugasan_detail.html", _penugasan_ctx(request, p, terima_form=form), status=422
    )


@dialog_view()
@require_POST
def penugasan_tolak(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    p = access.penugasan_access(user=user, instansi=instansi, roles=roles, penugasan_id=pk)
    form = forms.TolakForm(request.POST)
    if form.is_valid():
        try:
            services.penugasan_reject(actor=user, penugasan=p, catatan=form.cleaned_data["catatan"])
            messages.success(request, _("Penugasan ditolak; pemberi tugas diberi tahu."))
            return redirect("dialog:penugasan-detail", pk=p.pk)
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(form, exc)
    return render(
        request, "dialog/penugasan_detail.html", _penugasan_ctx(request, p, tolak_form=form), status=422
    )


@dialog_view()
@require_POST
def penugasan_batal(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    p = access.penugasan_access(user=user, instansi=instansi, roles=roles, penugasan_id=pk)
    try:
        services.penugasan_cancel(actor=user, penugasan=p)
        messages.success(request, _("Penugasan dibatalkan."))
    except ApplicationError as exc:
        _access_error(exc)
        messages.error(request, exc.message)
    return redirect("dialog:penugasan-detail", pk=p.pk)


@dialog_view()
@require_POST
def penugasan_relawan(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    p = access.penugasan_access(user=user, instansi=instansi, roles=roles, penugasan_id=pk)
    try:
        mine = services.penugasan_volunteer(actor=user, lowongan=p, pesan=request.POST.get("pesan", ""))
        messages.success(request, _("Pendaftaran terkirim ke Pejabat Penilai Anda untuk disetujui."))
        return redirect("dialog:penugasan-detail", pk=mine.pk)
    except ApplicationError as exc:
        _access_error(exc)
        messages.error(request, "; ".join(m for msgs in exc.errors.values() for m in msgs) or exc.message)
    return redirect("dialog:penugasan-detail", pk=p.pk)


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
    return render(
        request, "dialog/preferensi.html", {"form": form, "punya_email": bool(services._email_of(user))}
    )


# ---------------------------------------------------------------- timeline and team feed

_IKON = {
    "umpan_balik": "bi-chat-quote",
    "realisasi": "bi-clipboard-check",
    "rencana_aksi": "bi-list-check",
    "catatan": "bi-journal-text",
    "penugasan": "bi-briefcase",
    "skp": "bi-file-earmark-text",
}
_LABEL = {
    "umpan_balik.diberikan": _("Umpan balik diberikan"),
    "umpan_balik.dibalas": _("Balasan umpan balik"),
    "umpan_balik.diminta": _("Meminta umpan balik"),
    "realisasi.diisi": _("Realisasi diisi"),
    "realisasi.diubah": _("Realisasi diperbarui"),
    "rencana_aksi.ditambah": _("Rencana aksi ditambahkan"),
    "rencana_aksi.diubah": _("Rencana aksi diperbarui"),
    "catatan.dialog_kinerja": _("Dialog kinerja"),
    "catatan.bimbingan_kinerja": _("Bimbingan kinerja"),
    "catatan.konseling_kinerja": _("Konseling kinerja"),
    "penugasan.diusulkan": _("Penugasan diusulkan"),
    "penugasan.relawan": _("Mendaftar penugasan (relawan)"),
    "penugasan.diterima": _("Penugasan diterima"),
    "penugasan.ditolak": _("Penugasan ditolak"),
    "skp.diajukan": _("SKP diajukan"),
    "skp.disetujui": _("SKP disetujui"),
    "skp.dikembalikan": _("SKP dikembalikan"),
    "skp.diganti": _("SKP diganti versi baru"),
    "skp.draft": _("SKP kembali menjadi draf"),
}


def _row_url(row: dict[str, Any]) -> str:
    tipe, obj, skp_id = row["t_objek_tipe"], row["t_objek_id"], row["t_skp_id"]
    if tipe == "skp":
        return reverse("skp:detail", args=[obj])
    if tipe == "umpanbalik" and skp_id:
        return f"{reverse('dialog:umpan-balik-skp', args=[skp_id])}#ub-{obj}"
    if tipe == "permintaanumpanbalik" and skp_id:
        return reverse("dialog:umpan-balik-skp", args=[skp_id])
    if tipe in ("realisasi", "rencanaaksi") and skp_id:
        return reverse("dialog:realisasi", args=[skp_id])
    if tipe == "catatankinerja":
        return reverse("dialog:catatan-detail", args=[obj])
    if tipe == "penugasan":
        return reverse("dialog:penugasan-detail", args=[obj])
    return ""


def _decorate(page: Any) -> Any:
    """Icon, label and link per row, computed in Python: no query per row."""
    for row in page.object_list:
        group = row["t_jenis"].split(".", 1)[0]
        row["ikon"] = _IKON.get(group, "bi-dot")
        row["label"] = _LABEL.get(row["t_jenis"], row["t_jenis"])
        row["url"] = _row_url(row)
    return page


@dialog_view()
@require_GET
def linimasa(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    p = access.pegawai_linimasa_access(user=user, instansi=instansi, roles=roles, pegawai_id=pk)
    page = _decorate(paginate(request, selectors.linimasa_pegawai(instansi=instansi, pegawai=p), PER_HALAMAN))
    template = "dialog/_linimasa_rows.html" if _htmx(request) else "dialog/linimasa.html"
    return render(request, template, {"p": p, "page": page, "tampil_nama": False})


@dialog_view(Role.PEJABAT_PENILAI)
@require_GET
def tim(request: HttpRequest) -> HttpResponse:
    instansi, _roles, user = _env(request)
    periods = list(
        Periode.objects.filter(instansi=instansi, tahun=timezone.localdate().year).order_by("mulai")
    )
    if not periods:
        periods = periode_ensure_year(instansi=instansi, tahun=timezone.localdate().year)
    periode = _pilih_periode(request, periods)
    page = _decorate(paginate(request, selectors.feed_tim(user=user, instansi=instansi), PER_HALAMAN))
    if _htmx(request) and request.GET.get("hal"):
        return render(request, "dialog/_linimasa_rows.html", {"page": page, "tampil_nama": True})
    status = selectors.tim_status_periode(user=user, instansi=instansi, periode=periode) if periode else []
    return render(
        request,
        "dialog/tim.html",
        {"periods": periods, "periode": periode, "status": status, "page": page, "tampil_nama": True},
    )
