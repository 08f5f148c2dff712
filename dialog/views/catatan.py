"""Dialog record pages: catatan kinerja (dialog, bimbingan, konseling), tindak lanjut, B.1.8/B.1.9."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialog import access, forms, selectors, services
from dialog.models import CatatanKinerja, JenisCatatan
from dialog.views._common import PER_HALAMAN, _access_error, _env, _int, _periode_choices, _user, dialog_view
from kinerja.exceptions import ApplicationError
from kinerja.models import Instansi, Pegawai, Periode, User
from kinerja.selectors.people import pegawai_dinilai_oleh
from kinerja.tenancy import pegawai_of
from kinerja.web import paginate

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
    from dialog.models import TindakLanjut

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
