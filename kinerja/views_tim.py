"""Tim kerja pages (issue #16): the list (with the create form for an admin or a Pejabat Penilai) and a
team's page (anggota with their history, add anggota, remove one after a confirmation page).

Thin: parse the form → resolve the team through the visible queryset (404 for another instansi or a
team the caller may not see) → call one service → redirect or re-render with field errors."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kinerja.exceptions import ApplicationError, Conflict, NotFoundOrForbidden
from kinerja.forms_tim import (
    AnggotaKeluarForm,
    AnggotaTambahForm,
    TimForm,
    TimUbahForm,
    apply_errors,
    nip_daftar,
)
from kinerja.models import TimKerja
from kinerja.selectors.tim import (
    tim_boleh_buat,
    tim_boleh_kelola,
    tim_detail_queryset,
    tim_list,
    tim_visible_to,
)
from kinerja.services import tim as tim_services
from kinerja.web import paginate, request_roles, tenant_view

PER_HALAMAN = 25


def _tim(request: HttpRequest, pk: Any) -> TimKerja:
    instansi = request.instansi  # type: ignore[attr-defined]
    visible = tim_visible_to(user=request.user, instansi=instansi, roles=request_roles(request))  # type: ignore[arg-type]
    tim = tim_detail_queryset(instansi=instansi).filter(pk=pk, pk__in=visible.values("pk")).first()
    if tim is None:
        raise Http404()
    return tim


def _tahun(request: HttpRequest) -> int | None:
    raw = request.GET.get("tahun", "")
    if raw == "semua":
        return None
    try:
        tahun = int(raw)
    except ValueError:
        return timezone.localdate().year
    return tahun if 2000 <= tahun <= 2100 else timezone.localdate().year


@tenant_view()
@require_http_methods(["GET", "POST"])
def tim_list_view(request: HttpRequest) -> HttpResponse:
    instansi = request.instansi  # type: ignore[attr-defined]
    roles = request_roles(request)
    boleh_buat = tim_boleh_buat(roles=roles)
    form = TimForm(request.POST or None) if boleh_buat else None
    pesan, sisa = "", []
    if request.method == "POST":
        if form is None:
            raise Http404()
        if form.is_valid():
            cd = form.cleaned_data
            try:
                tim = tim_services.tim_create(
                    actor=request.user,  # type: ignore[arg-type]
                    instansi=instansi,
                    nama=cd["nama"],
                    tahun=cd["tahun"],
                    ketua=cd["ketua"],
                    anggota=nip_daftar(cd["anggota"]),
                )
            except NotFoundOrForbidden:
                raise Http404() from None
            except ApplicationError as exc:
                pesan, sisa = exc.message, apply_errors(form, exc)
            else:
                messages.success(request, _("Tim kerja %(nama)s dibentuk.") % {"nama": tim.nama})
                return redirect("tim-detail", tim.pk)
        else:
            pesan = _("Periksa kembali isian yang ditandai.")
    tahun = _tahun(request)
    page = paginate(
        request,
        tim_list(user=request.user, instansi=instansi, roles=roles, tahun=tahun),  # type: ignore[arg-type]
        per_page=PER_HALAMAN,
    )
    ctx = {
        "page": page,
        "tahun": tahun,
        "tahun_ini": timezone.localdate().year,
        "form": form,
        "pesan": pesan,
        "sisa": sisa,
        "boleh_buat": boleh_buat,
    }
    return render(request, "kinerja/tim_list.html", ctx, status=422 if pesan else 200)


def _detail_ctx(request: HttpRequest, tim: TimKerja, **extra: Any) -> dict[str, Any]:
    roles = request_roles(request)
    boleh = tim_boleh_kelola(user=request.user, tim=tim, roles=roles)  # type: ignore[arg-type]
    ctx: dict[str, Any] = {
        "tim": tim,
        "anggota": tim.anggota_aktif,  # type: ignore[attr-defined]
        "riwayat": [a for a in tim.riwayat_anggota if a.selesai is not None],  # type: ignore[attr-defined]
        "boleh_kelola": boleh,
    }
    if boleh:
        ctx["tambah_form"] = AnggotaTambahForm(initial={"versi": tim.versi})
        ctx["ubah_form"] = TimUbahForm(initial={"versi": tim.versi, "nama": tim.nama, "ketua": tim.ketua.nip})
    ctx.update(extra)
    return ctx


@tenant_view()
@require_http_methods(["GET"])
def tim_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    tim = _tim(request, pk)
    return render(request, "kinerja/tim_detail.html", _detail_ctx(request, tim))


def _refused(request: HttpRequest, tim: TimKerja, exc: ApplicationError, **forms: Any) -> HttpResponse:
    if isinstance(exc, NotFoundOrForbidden):
        raise Http404() from exc
    ctx = _detail_ctx(request, tim, pesan=exc.message, konflik=isinstance(exc, Conflict), **forms)
    return render(request, "kinerja/tim_detail.html", ctx, status=409 if isinstance(exc, Conflict) else 422)


@tenant_view()
@require_http_methods(["POST"])
def tim_ubah_view(request: HttpRequest, pk: int) -> HttpResponse:
    tim = _tim(request, pk)
    form = TimUbahForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, tim, ApplicationError(_("Periksa kembali isian yang ditandai.")), ubah_form=form
        )
    try:
        tim_services.tim_update(
            actor=request.user,  # type: ignore[arg-type]
            tim=tim,
            nama=form.cleaned_data["nama"],
            ketua=form.cleaned_data["ketua"],
            versi=form.cleaned_data["versi"],
        )
    except ApplicationError as exc:
        if not isinstance(exc, NotFoundOrForbidden):
            apply_errors(form, exc)
        return _refused(request, tim, exc, ubah_form=form)
    messages.success(request, _("Data tim disimpan."))
    return redirect("tim-detail", tim.pk)


@tenant_view()
@require_http_methods(["POST"])
def tim_anggota_tambah_view(request: HttpRequest, pk: int) -> HttpResponse:
    tim = _tim(request, pk)
    form = AnggotaTambahForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, tim, ApplicationError(_("Periksa kembali isian yang ditandai.")), tambah_form=form
        )
    try:
        rows = tim_services.tim_anggota_add(
            actor=request.user,  # type: ignore[arg-type]
            tim=tim,
            anggota=nip_daftar(form.cleaned_data["anggota"]),
            versi=form.cleaned_data["versi"],
        )
    except ApplicationError as exc:
        if not isinstance(exc, NotFoundOrForbidden):
            apply_errors(form, exc)
        return _refused(request, tim, exc, tambah_form=form)
    messages.success(request, _("%(n)d anggota ditambahkan.") % {"n": len(rows)})
    return redirect("tim-detail", tim.pk)


@tenant_view()
@require_http_methods(["GET", "POST"])
def tim_anggota_keluar_view(request: HttpRequest, pk: int, anggota_pk: int) -> HttpResponse:
    """GET: the confirmation page; POST: end the membership today (the row stays as history)."""
    tim = _tim(request, pk)
    if not tim_boleh_kelola(user=request.user, tim=tim, roles=request_roles(request)):  # type: ignore[arg-type]
        raise Http404()
    row = next((a for a in tim.anggota_aktif if a.pk == anggota_pk), None)  # type: ignore[attr-defined]
    if row is None:
        raise Http404()
    if request.method == "GET":
        return render(
            request,
            "kinerja/tim_anggota_keluar.html",
            {"tim": tim, "row": row, "form": AnggotaKeluarForm(initial={"versi": tim.versi})},
        )
    form = AnggotaKeluarForm(request.POST)
    form.is_valid()
    try:
        tim_services.tim_anggota_remove(
            actor=request.user,  # type: ignore[arg-type]
            tim=tim,
            nip=row.pegawai.nip,
            versi=form.cleaned_data.get("versi"),
        )
    except ApplicationError as exc:
        return _refused(request, tim, exc)
    messages.success(
        request,
        _("%(nama)s tidak lagi menjadi anggota %(tim)s; riwayat keanggotaannya tetap tersimpan.")
        % {"nama": row.pegawai.nama, "tim": tim.nama},
    )
    return redirect("tim-detail", tim.pk)


__all__ = ["tim_anggota_keluar_view", "tim_anggota_tambah_view", "tim_detail_view", "tim_list_view"]
