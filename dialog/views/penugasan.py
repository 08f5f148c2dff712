"""Penugasan pages within one instansi (across instansi: ``dialog.views.penugasan_lintas``)."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialog import access, forms, selectors, services
from dialog.models import Penugasan, StatusPenugasan
from dialog.services.penugasan_lintas import boleh_usul_lintas
from dialog.views._common import _access_error, _env, _int, _user, dialog_view
from kinerja.exceptions import ApplicationError
from kinerja.models import Pegawai
from kinerja.tenancy import pegawai_of

# ---------------------------------------------------------------- penugasan


@dialog_view()
@require_GET
def penugasan_daftar(request: HttpRequest) -> HttpResponse:
    instansi, roles, user = _env(request)
    own = pegawai_of(user)
    return render(
        request,
        "dialog/penugasan_daftar.html",
        {
            "diputuskan": list(selectors.penugasan_untuk_diputuskan(user=user, instansi=instansi)),
            "saya": list(selectors.penugasan_saya(user=user, instansi=instansi)[:50]),
            "diberikan": list(selectors.penugasan_diberikan(user=user, instansi=instansi)[:50]),
            "terbuka": list(selectors.penugasan_terbuka(instansi=instansi)[:50]),
            "own": own,
            "boleh_lintas": boleh_usul_lintas(user=user, own=own, roles=roles),
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
