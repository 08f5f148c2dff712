"""Pages of the penugasan across instansi (``dialog.services.penugasan_lintas``). Thin: parse →
access (404) → one service → render. Each side reads only its own instansi's record."""

from __future__ import annotations

from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from dialog import access, forms
from dialog.models import PenugasanKeluar, PenugasanLintas, StatusLintas, UmpanBalikLintas
from dialog.selectors import is_pimpinan_of
from dialog.services.penugasan_lintas import (
    boleh_usul_lintas,
    penugasan_keluar_cancel,
    penugasan_lintas_decide,
    penugasan_lintas_propose,
    pesan_bukan_pimpinan,
    umpan_balik_lintas_give,
)
from dialog.views._common import _access_error, _env, dialog_view
from kinerja.exceptions import ApplicationError, NotFoundOrForbidden, TooManyRequests
from kinerja.models import Instansi, User
from kinerja.tenancy import pegawai_of
from skp.models import Aspek

DATE = djforms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PenugasanLintasForm(djforms.Form):
    instansi = djforms.CharField(label=_("Kode instansi pegawai"), max_length=32)
    nip = djforms.CharField(label=_("NIP / NI PPPK pegawai"), max_length=32)
    hasil_kerja = djforms.CharField(
        label=_("Hasil kerja yang diharapkan"), max_length=4000, widget=djforms.Textarea(attrs={"rows": 3})
    )
    aspek = djforms.ChoiceField(label=_("Aspek"), choices=Aspek.choices)
    iki = djforms.CharField(label=_("Indikator kinerja"), max_length=4000)
    target = djforms.CharField(label=_("Target"), max_length=255, required=False)
    mulai = djforms.DateField(label=_("Mulai"), widget=DATE)
    selesai = djforms.DateField(label=_("Selesai"), widget=DATE)
    pesan = djforms.CharField(
        label=_("Pesan untuk Pejabat Penilai"),
        required=False,
        max_length=4000,
        widget=djforms.Textarea(attrs={"rows": 2}),
    )


class KeputusanLintasForm(djforms.Form):
    keputusan = djforms.ChoiceField(choices=[("terima", _("Terima")), ("tolak", _("Tolak"))])
    catatan = djforms.CharField(
        label=_("Catatan / alasan penolakan"),
        required=False,
        max_length=4000,
        widget=djforms.Textarea(attrs={"rows": 2}),
    )


class UmpanBalikLintasForm(djforms.Form):
    isi = djforms.CharField(
        label=_("Umpan balik atas hasil kerja penugasan"),
        max_length=4000,
        widget=djforms.Textarea(attrs={"rows": 3}),
    )


def _masuk_access(*, user: User, instansi: Instansi, roles: list[str], pk: Any) -> PenugasanLintas:
    """B's record: the pegawai, their Pejabat Penilai (or leader line) and admins; else 404."""
    return access.penugasan_lintas_access(user=user, instansi=instansi, roles=roles, penugasan_id=pk)


def _keluar_access(*, user: User, instansi: Instansi, roles: list[str], pk: Any) -> PenugasanKeluar:
    """A's record: the assigner (and admins, read-only); else 404."""
    return access.penugasan_keluar_access(user=user, instansi=instansi, roles=roles, penugasan_id=pk)


@dialog_view()
@require_http_methods(["GET", "POST"])
def penugasan_lintas_baru(request: HttpRequest) -> HttpResponse:
    _instansi, roles, user = _env(request)
    own = pegawai_of(user)
    if own is None:
        raise NotFoundOrForbidden()
    if not boleh_usul_lintas(user=user, own=own, roles=roles):
        # only leaders propose across instansi (the list page hides the button): 403 with the reason
        ctx = {"ditolak": pesan_bukan_pimpinan()}
        return render(request, "dialog/penugasan_lintas_baru.html", ctx, status=403)
    form = PenugasanLintasForm(request.POST or None, initial={"mulai": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            keluar = penugasan_lintas_propose(
                actor=user,
                instansi_kode=d["instansi"],
                nip=d["nip"],
                hasil_kerja=d["hasil_kerja"],
                indikator=[{"aspek": d["aspek"], "iki": d["iki"], "target": d["target"]}],
                mulai=d["mulai"],
                selesai=d["selesai"],
                pesan=d["pesan"],
            )
            messages.success(request, _("Usulan penugasan dikirim ke Pejabat Penilai pegawai tersebut."))
            return redirect("dialog:penugasan-keluar-detail", pk=keluar.pk)
        except TooManyRequests as exc:
            form.add_error(None, exc.message)
            resp = render(request, "dialog/penugasan_lintas_baru.html", {"form": form}, status=429)
            resp["Retry-After"] = str(exc.retry_after)
            return resp
        except ApplicationError as exc:
            _access_error(exc)
            mapping = {f"indikator.0.{k}": k for k in ("aspek", "iki", "target")} | {"indikator": "iki"}
            forms.apply_errors(form, exc, mapping)
    status = 422 if request.method == "POST" else 200
    return render(request, "dialog/penugasan_lintas_baru.html", {"form": form}, status=status)


@dialog_view()
@require_http_methods(["GET", "POST"])
def penugasan_lintas_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    p = _masuk_access(user=user, instansi=instansi, roles=roles, pk=pk)
    own = pegawai_of(user)
    boleh = (
        p.status == StatusLintas.DIUSULKAN
        and own is not None
        and (own.pk == p.penilai_id or is_pimpinan_of(user=user, pegawai=p.pegawai))
    )
    form = KeputusanLintasForm(request.POST or None)
    if request.method == "POST":
        if not boleh:
            raise NotFoundOrForbidden()
        if form.is_valid():
            try:
                penugasan_lintas_decide(
                    actor=user,
                    penugasan=p,
                    terima=form.cleaned_data["keputusan"] == "terima",
                    catatan=form.cleaned_data["catatan"],
                )
                messages.success(request, _("Keputusan penugasan tersimpan."))
                return redirect("dialog:penugasan-lintas-detail", pk=p.pk)
            except ApplicationError as exc:
                _access_error(exc)
                forms.apply_errors(form, exc, {"skp": "__all__"})
    ctx = {
        "p": p,
        "boleh_putuskan": boleh,
        "form": form,
        "umpan_balik": list(
            UmpanBalikLintas.objects.filter(instansi=instansi, penugasan=p).order_by("created_at")
        ),
    }
    return render(request, "dialog/penugasan_lintas_detail.html", ctx, status=422 if form.errors else 200)


@dialog_view()
@require_http_methods(["GET", "POST"])
def penugasan_keluar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _env(request)
    p = _keluar_access(user=user, instansi=instansi, roles=roles, pk=pk)
    own = pegawai_of(user)
    pemberi = own is not None and own.pk == p.pemberi_id
    form = (
        UmpanBalikLintasForm(request.POST or None)
        if request.POST.get("aksi") != "batal"
        else UmpanBalikLintasForm()
    )
    if request.method == "POST":
        if not pemberi:
            raise NotFoundOrForbidden()
        try:
            if request.POST.get("aksi") == "batal":
                penugasan_keluar_cancel(actor=user, keluar=p)
                messages.success(request, _("Usulan penugasan dibatalkan."))
                return redirect("dialog:penugasan-keluar-detail", pk=p.pk)
            if form.is_valid():
                umpan_balik_lintas_give(actor=user, keluar=p, isi=form.cleaned_data["isi"])
                messages.success(request, _("Umpan balik terkirim."))
                return redirect("dialog:penugasan-keluar-detail", pk=p.pk)
        except ApplicationError as exc:
            _access_error(exc)
            forms.apply_errors(form, exc)
    ctx = {"p": p, "pemberi": pemberi, "berlaku": p.berlaku(timezone.localdate()), "form": form}
    return render(request, "dialog/penugasan_keluar_detail.html", ctx, status=422 if form.errors else 200)
