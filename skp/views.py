"""HTML pages of SKP drafting and approval, Matriks Peran Hasil and pohon kinerja.

Thin, like ``kinerja.views``: parse the form → resolve objects through ``skp.access`` (404 for missing,
other instansi or not visible) → call one service → render. Edits are htmx partials; each successful edit
tells the page the new SKP ``versi`` (event ``skpVersi``) so the other forms of the same tab stay current,
while a stale form from another tab gets the service's ``Conflict`` with a reload link and keeps its input.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import (
    HttpResponseClientRedirect,
    HttpResponseClientRefresh,
    reswap,
    retarget,
    trigger_client_event,
)
from django_htmx.middleware import HtmxDetails

from kinerja.exceptions import ApplicationError, Conflict, NotFoundOrForbidden, ReadOnly
from kinerja.models import Instansi, Pegawai, TimKerja, UnitKerja, User
from kinerja.models.org import JPT
from kinerja.selectors.people import identitas_pegawai, identitas_penilai_of, non_asn_in
from kinerja.selectors.tim import tim_dipimpin
from kinerja.tenancy import pegawai_of
from kinerja.web import ROLES_ORGANISASI, has_any_role, paginate, request_roles, tenant_view
from perjanjian.selectors import iku_untuk_skp, pk_cakupan, unit_pimpinan_ids
from skp import services
from skp.access import rhk_access, skp_access, tim_matriks_access
from skp.forms import (
    BarisIndikator,
    EkspektasiForm,
    KembalikanForm,
    LampiranForm,
    PendekatanForm,
    RhkForm,
    SalinForm,
    SisaGalat,
    SkpCreateForm,
    UsulMatriksForm,
    apply_service_errors,
    indikator_dari_post,
    indikator_dari_rhk,
    indikator_input,
)
from skp.models import Aspek, JenisRhk, Pendekatan, Rhk, Skp, SkpStatus
from skp.selectors import (
    matriks_peran_hasil,
    pegawai_subtree_ids,
    pohon_kinerja,
    rhk_dependan,
    rhk_pimpinan_pilihan,
    skp_inbox,
    skp_inbox_count,
    skp_list,
    skp_previous_of,
    skp_revisi_of,
    skp_riwayat,
    skp_visible_to,
)
from skp.snapshots import skp_instansi, skp_perilaku
from skp.tugas_belajar import panduan_ipk

INBOX_PER_HALAMAN = 50
EKSPEKTASI_STATUSES = {SkpStatus.DRAFT, SkpStatus.DIAJUKAN, SkpStatus.DIKEMBALIKAN}


class TenantRequest(HttpRequest):
    """A request inside ``tenant_view``: logged-in user, the active instansi, and django-htmx's details."""

    user: User
    instansi: Instansi
    htmx: HtmxDetails


# ---------------------------------------------------------------- helpers


def _own(request: TenantRequest) -> Pegawai | None:
    own = pegawai_of(request.user)
    return own if own is not None and own.instansi_id == request.instansi.pk else None


def _skp(request: TenantRequest, pk: Any, *, detail: bool = False) -> Skp:
    try:
        return skp_access(
            user=request.user,
            instansi=request.instansi,
            roles=request_roles(request),
            skp_id=pk,
            detail=detail,
        )
    except NotFoundOrForbidden:
        raise Http404() from None


def _rhk(request: TenantRequest, pk: Any) -> Rhk:
    try:
        return rhk_access(
            user=request.user, instansi=request.instansi, roles=request_roles(request), rhk_id=pk
        )
    except NotFoundOrForbidden:
        raise Http404() from None


def _http_error(exc: ApplicationError) -> None:
    """Errors that are not a form mistake: hidden (404) or visible but not the caller's to change (403)."""
    if isinstance(exc, NotFoundOrForbidden):
        raise Http404() from exc
    if isinstance(exc, ReadOnly):
        raise PermissionDenied(exc.message) from exc


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _jenis(value: str | None) -> str:
    """A valid result kind from input (it also names the add form's container), else utama."""
    return value if value in JenisRhk.values else JenisRhk.UTAMA


def _page_versi(request: TenantRequest, skp: Skp) -> int:
    """The versi the page was rendered with (sent by htmx from ``#skp-versi``), else the current one."""
    versi = _int(request.GET.get("versi"))
    return versi if versi is not None and versi >= 0 else skp.versi


def _with_versi(response: HttpResponse, skp: Skp) -> HttpResponse:
    """Tell the page the SKP's new versi so every other form of this tab sends it."""
    return trigger_client_event(response, "skpVersi", {"skp": skp.pk, "versi": skp.versi})


def _form_error(response: HttpResponse) -> HttpResponse:
    """A form that comes back with errors replaces itself, wherever the success target was."""
    return reswap(retarget(response, "this"), "outerHTML")


def _to_detail(request: TenantRequest, skp_pk: int) -> HttpResponse:
    url = reverse("skp:detail", args=[skp_pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _alert(request: TenantRequest, exc: ApplicationError, skp: Skp) -> HttpResponse:
    """A service refusal for the page's message area (``#skp-pesan``)."""
    ctx = {"exc": exc, "skp": skp, "konflik": isinstance(exc, Conflict), "galat": _flat(exc.errors)}
    return render(request, "skp/_alert.html", ctx)


def _flat(errors: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for msgs in errors.values():
        out.extend(str(m) for m in (msgs if isinstance(msgs, list | tuple) else [msgs]))
    return out


def _kolom(skp: Skp) -> int:
    """Columns of the results table: NO, leader result (JA/JF) or perspektif (JPT), result, then
    aspek/IKI/target (kuantitatif) or one "ukuran keberhasilan" narrative (kualitatif)."""
    base = 4 if skp.pendekatan == Pendekatan.KUALITATIF else 6
    return base + (1 if skp.pegawai.jabatan.jenis in JPT else 0)  # JPT: + sumber data


def _manual_iku(rhk: list[Rhk]) -> list[dict[str, str]]:
    """The Manual IKU annex of a JPT's SKP: each PK indikator its results derive from, once, as approved
    (snapshot) or as it is now."""
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for r in rhk:
        iku = r.indikator_pk_tampil
        if iku:
            seen.setdefault((iku.get("sasaran", ""), iku.get("uraian", "")), iku)
    return list(seen.values())


def _detail_context(request: TenantRequest, skp: Skp) -> dict[str, Any]:
    """Everything the SKP page and its sections need; a fixed number of queries for any SKP size."""
    user = request.user
    roles = request_roles(request)
    own = _own(request)
    is_owner = own is not None and own.pk == skp.pegawai_id
    can_edit = is_owner and skp.is_editable
    is_penilai = not is_owner and services.is_penilai_of(actor=user, skp=skp)
    is_admin = has_any_role(roles, ROLES_ORGANISASI)
    is_jpt = skp.pegawai.jabatan.jenis in JPT
    rhk = list(skp.rhk.all())
    # An approved SKP shows the BerAKHLAK texts and the instansi it was approved with (issue #14).
    core_values = {cv.kode: cv for cv in skp_perilaku(skp)}
    ctx: dict[str, Any] = {
        "skp": skp,
        "is_owner": is_owner,
        "can_edit": can_edit,
        "is_penilai": is_penilai,
        "is_jpt": is_jpt,
        "kualitatif": skp.pendekatan == Pendekatan.KUALITATIF,
        "kolom": _kolom(skp),
        "rhk_utama": [r for r in rhk if r.jenis == JenisRhk.UTAMA],
        "rhk_tambahan": [r for r in rhk if r.jenis == JenisRhk.TAMBAHAN],
        "perilaku": [(p, core_values.get(p.core_value)) for p in skp.perilaku.all()],
        "riwayat": list(skp_riwayat(skp=skp)),
        "revisi_baru": skp_revisi_of(skp=skp).first(),
        "can_decide": skp.status == SkpStatus.DIAJUKAN
        and not is_owner
        and services._can_approve(actor=user, skp=skp),
        "can_ekspektasi": is_penilai and skp.status in EKSPEKTASI_STATUSES,
        "can_revise": is_owner and skp.status == SkpStatus.DISETUJUI,
        "ident_pegawai": skp.snapshot_pegawai or identitas_pegawai(skp.pegawai),
        "ident_penilai": skp.snapshot_penilai
        if skp.snapshot_pegawai
        else identitas_penilai_of(skp, instansi_nama=request.instansi.nama),
        "kop_instansi": skp_instansi(skp, request.instansi),
        "tampil_panduan_ipk": skp.tugas_belajar and (is_penilai or is_admin or is_owner),
        "wajib_terkait": not is_jpt and not skp.tugas_belajar,
        "tim_dipimpin": list(
            tim_dipimpin(ketua_id=skp.pegawai_id, instansi_id=skp.instansi_id, tahun=skp.tahun)
        )
        if is_owner
        else [],
        "manual_iku": _manual_iku(rhk) if is_jpt else [],
    }
    if skp.status in (SkpStatus.DISETUJUI, SkpStatus.DIGANTI):
        ctx.update(_dokumen_context(skp))
    if ctx["wajib_terkait"]:
        ctx["belum_terkait"] = sum(1 for r in ctx["rhk_utama"] if not r.rhk_pimpinan_tampil)
    if can_edit:
        ctx["pimpinan_choices"] = [] if is_jpt else rhk_pimpinan_pilihan(skp=skp)
        # Who links to each of this SKP's results: the delete confirmation names them.
        dependan = rhk_dependan(instansi_id=skp.instansi_id, rhk_ids=[r.pk for r in rhk])
        for r in rhk:
            r.dependan_terkunci = [d.label() for d in dependan.get(r.pk, []) if d.terkunci]  # type: ignore[attr-defined]
            r.dependan_draf = [d.pegawai_nama for d in dependan.get(r.pk, []) if not d.terkunci]  # type: ignore[attr-defined]
        ctx["sumber_salin"] = [] if rhk else list(skp_previous_of(skp=skp))
        ctx["pendekatan_form"] = PendekatanForm(initial={"versi": skp.versi, "pendekatan": skp.pendekatan})
    if ctx["can_ekspektasi"]:
        ctx["ekspektasi_form"] = EkspektasiForm(
            core_values=list(core_values.values()),
            initial={"versi": skp.versi, **{p.core_value: p.ekspektasi_khusus for p in skp.perilaku.all()}},
        )
    if ctx["can_decide"]:
        ctx["kembalikan_form"] = KembalikanForm()
    if ctx["tampil_panduan_ipk"]:
        ctx["panduan_ipk"] = panduan_ipk()
    return ctx


def _section(request: TenantRequest, skp: Skp, template: str, **extra: Any) -> HttpResponse:
    """Re-render one section of the SKP page from fresh data, announcing the new versi."""
    fresh = _skp(request, skp.pk, detail=True)
    response = render(request, template, {**_detail_context(request, fresh), **extra})
    return _with_versi(response, fresh)


# ---------------------------------------------------------------- my SKPs


@tenant_view()
@require_http_methods(["GET", "POST"])
def saya(request: TenantRequest) -> HttpResponse:
    """The pegawai's own SKPs by year, and the form that starts a draft (optionally copying an earlier SKP)."""
    own = _own(request)
    daftar = (
        list(
            skp_list(user=request.user, instansi=request.instansi, roles=request_roles(request)).filter(
                pegawai=own
            )
        )
        if own is not None
        else []
    )
    form = SkpCreateForm(request.POST or None, sumber=daftar)
    ctx: dict[str, Any] = {"own": own, "daftar": daftar, "form": form}
    if request.method == "POST" and own is not None and form.is_valid():
        cd = form.cleaned_data
        sumber = next((s for s in daftar if s.pk == cd["salin_dari"]), None)
        try:
            # The draft and the copied content appear together or not at all.
            with transaction.atomic():
                skp = services.skp_create_draft(
                    actor=request.user,
                    tahun=cd["tahun"],
                    pendekatan=cd["pendekatan"],
                    periode_mulai=cd["periode_mulai"],
                    periode_selesai=cd["periode_selesai"],
                )
                if sumber is not None:
                    services.skp_copy_from_previous(actor=request.user, skp=skp, source=sumber)
        except ApplicationError as exc:
            _http_error(exc)
            ctx["pesan"] = exc.message
            ctx["sisa"] = apply_service_errors(form, exc).umum
        else:
            messages.success(
                request,
                _("Draf SKP %(tahun)s dibuat. Tambahkan rencana hasil kerja Anda.") % {"tahun": skp.tahun},
            )
            return redirect("skp:detail", skp.pk)
    non_asn = non_asn_in(user=request.user, instansi=request.instansi) if own is None else None
    ctx["non_asn"] = non_asn
    # a non-ASN Pejabat Penilai (issue #16) has no SKP of its own: a clear refusal, with its way on
    return render(request, "skp/saya.html", ctx, status=403 if non_asn is not None else 200)


# ---------------------------------------------------------------- SKP page


def _dokumen_context(skp: Skp) -> dict[str, Any]:
    """The signed PDF of an approved SKP (None while the worker is still rendering it)."""
    from kinerja.models import JenisDokumen
    from kinerja.selectors.dokumen import dokumen_for_source
    from skp.documents import SKP_SUMBER

    dokumen = dokumen_for_source(
        instansi_id=skp.instansi_id, jenis=JenisDokumen.SKP, sumber_type=SKP_SUMBER, sumber_id=skp.pk
    )
    return {
        "dokumen": dokumen,
        "dokumen_tampil": True,
        "unduh_url": reverse("api-skp-dokumen", args=[skp.pk]),
        # "being prepared" polls this page's document fragment until the PDF exists, then stops
        "status_url": None if dokumen else f"{reverse('skp:detail', args=[skp.pk])}?bagian=dokumen",
    }


@tenant_view()
@require_GET
def detail(request: TenantRequest, pk: int) -> HttpResponse:
    if request.htmx and request.GET.get("bagian") == "dokumen":
        # The "PDF being prepared" block asks every few seconds; only the document lookup runs.
        skp = _skp(request, pk)
        if skp.status not in (SkpStatus.DISETUJUI, SkpStatus.DIGANTI):
            raise Http404()
        return render(request, "dokumen/_dokumen_status.html", _dokumen_context(skp))
    skp = _skp(request, pk, detail=True)
    return render(request, "skp/detail.html", _detail_context(request, skp))


@tenant_view()
@require_POST
def pendekatan(request: TenantRequest, pk: int) -> HttpResponse:
    skp = _skp(request, pk)
    form = PendekatanForm(request.POST)
    if not form.is_valid():
        return _alert(request, ApplicationError(_("Pilih pendekatan kuantitatif atau kualitatif.")), skp)
    try:
        services.skp_update(
            actor=request.user,
            skp=skp,
            versi=form.cleaned_data["versi"],
            pendekatan=form.cleaned_data["pendekatan"],
        )
    except ApplicationError as exc:
        _http_error(exc)
        return _alert(request, exc, skp)
    messages.success(request, _("Pendekatan hasil kerja diubah."))
    return HttpResponseClientRefresh() if request.htmx else redirect("skp:detail", skp.pk)


@tenant_view()
@require_POST
def salin(request: TenantRequest, pk: int) -> HttpResponse:
    """Copy an earlier own SKP's content into this draft."""
    skp = _skp(request, pk)
    form = SalinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih SKP yang akan disalin."))
        return redirect("skp:detail", skp.pk)
    source = _skp(request, form.cleaned_data["dari"])
    try:
        services.skp_copy_from_previous(actor=request.user, skp=skp, source=source)
    except ApplicationError as exc:
        _http_error(exc)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Isi SKP %(tahun)s disalin. Periksa dan kaitkan kembali ke hasil kerja pimpinan.")
            % {"tahun": source.tahun},
        )
    return redirect("skp:detail", skp.pk)


# ---------------------------------------------------------------- results (RHK)


def _rhk_form_ctx(
    request: TenantRequest,
    skp: Skp,
    form: RhkForm,
    rows: list[BarisIndikator],
    *,
    rhk: Rhk | None,
    jenis_awal: str = JenisRhk.UTAMA,
    pesan: str = "",
    sisa: SisaGalat | None = None,
    konflik: bool = False,
) -> dict[str, Any]:
    is_jpt = skp.pegawai.jabatan.jenis in JPT
    return {
        "skp": skp,
        "form": form,
        "rows": rows,
        "rhk": rhk,
        "jenis_awal": jenis_awal,
        "is_jpt": is_jpt,
        "kualitatif": skp.pendekatan == Pendekatan.KUALITATIF,
        "kolom": _kolom(skp),
        "pimpinan_choices": [] if is_jpt else rhk_pimpinan_pilihan(skp=skp),
        "iku_choices": list(
            iku_untuk_skp(
                instansi_id=skp.instansi_id, unit_kerja_id=skp.pegawai.unit_kerja_id, tahun=skp.tahun
            )
        ),
        "aspek_choices": Aspek.choices,
        "pesan": pesan,
        "sisa": sisa or SisaGalat(),
        "konflik": konflik,
        "maks_indikator": services.MAX_INDIKATOR,
    }


def _rhk_save(request: TenantRequest, skp: Skp, rhk: Rhk | None) -> HttpResponse:
    """Add (``rhk`` None) or update a result from the posted form; errors come back in the form."""
    form = RhkForm(request.POST)
    rows = indikator_dari_post(request.POST)
    jenis_awal = _jenis(request.POST.get("jenis_awal"))
    if form.is_valid():
        cd = form.cleaned_data
        try:
            if rhk is None:
                services.skp_rhk_add(
                    actor=request.user,
                    skp=skp,
                    jenis=cd["jenis"],
                    rencana_hasil_kerja=cd["rencana_hasil_kerja"],
                    indikator=indikator_input(rows),
                    rhk_pimpinan_id=cd["rhk_pimpinan"],
                    indikator_pk_id=cd["indikator_pk"],
                    cascading_tipe=cd["cascading_tipe"],
                    perspektif=cd["perspektif"],
                    penugasan_dari=cd["penugasan_dari"],
                    versi=cd["versi"],
                )
            else:
                services.skp_rhk_update(
                    actor=request.user,
                    rhk=rhk,
                    versi=cd["versi"],
                    data={
                        "jenis": cd["jenis"],
                        "rencana_hasil_kerja": cd["rencana_hasil_kerja"],
                        "rhk_pimpinan": cd["rhk_pimpinan"],
                        "indikator_pk": cd["indikator_pk"],
                        "cascading_tipe": cd["cascading_tipe"],
                        "perspektif": cd["perspektif"],
                        "penugasan_dari": cd["penugasan_dari"],
                        "indikator": indikator_input(rows),
                    },
                )
        except ApplicationError as exc:
            _http_error(exc)
            if not request.htmx:
                messages.error(request, exc.message)
                return redirect("skp:detail", skp.pk)
            sisa = apply_service_errors(form, exc, rows=rows)
            ctx = _rhk_form_ctx(
                request,
                skp,
                form,
                rows,
                rhk=rhk,
                jenis_awal=jenis_awal,
                pesan=exc.message,
                sisa=sisa,
                konflik=isinstance(exc, Conflict),
            )
            return _form_error(render(request, "skp/_rhk_form.html", ctx))
        if not request.htmx:
            return redirect("skp:detail", skp.pk)
        return _section(request, skp, "skp/_hasil_kerja.html", disimpan=True, oob_manual_iku=True)
    if not request.htmx:
        messages.error(request, _("Periksa kembali isian rencana hasil kerja."))
        return redirect("skp:detail", skp.pk)
    ctx = _rhk_form_ctx(
        request,
        skp,
        form,
        rows,
        rhk=rhk,
        jenis_awal=jenis_awal,
        pesan=_("Periksa kembali isian yang ditandai."),
    )
    return _form_error(render(request, "skp/_rhk_form.html", ctx))


@tenant_view()
@require_http_methods(["GET", "POST"])
def rhk_tambah(request: TenantRequest, pk: int) -> HttpResponse:
    """GET (htmx): the empty form for a new result of ``?jenis=``; POST: add it."""
    skp = _skp(request, pk)
    if request.method == "POST":
        return _rhk_save(request, skp, None)
    if not request.htmx:
        return redirect("skp:detail", skp.pk)
    jenis = _jenis(request.GET.get("jenis"))
    own = _own(request)
    if own is None or own.pk != skp.pegawai_id or not skp.is_editable:
        raise Http404()
    if request.GET.get("batal"):
        return render(request, "skp/_rhk_tambah_tombol.html", {"skp": skp, "jenis": jenis})
    form = RhkForm(initial={"versi": _page_versi(request, skp), "jenis": jenis})
    rows = [BarisIndikator(i=0, aspek=Aspek.KUANTITAS)]
    return render(
        request, "skp/_rhk_form.html", _rhk_form_ctx(request, skp, form, rows, rhk=None, jenis_awal=jenis)
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def rhk_ubah(request: TenantRequest, pk: int) -> HttpResponse:
    """GET (htmx): the result's row turned into its edit form; POST: save it."""
    rhk = _rhk(request, pk)
    skp = rhk.skp
    if request.method == "POST":
        return _rhk_save(request, skp, rhk)
    if not request.htmx:
        return redirect("skp:detail", skp.pk)
    own = _own(request)
    if own is None or own.pk != skp.pegawai_id or not skp.is_editable:
        raise Http404()
    rhk = Rhk.objects.filter(instansi_id=skp.instansi_id, pk=rhk.pk).prefetch_related("indikator").get()
    form = RhkForm(
        initial={
            "versi": _page_versi(request, skp),
            "jenis": rhk.jenis,
            "rencana_hasil_kerja": rhk.rencana_hasil_kerja,
            "rhk_pimpinan": rhk.rhk_pimpinan_id,
            "indikator_pk": rhk.indikator_pk_id,
            "cascading_tipe": rhk.cascading_tipe,
            "perspektif": rhk.perspektif,
            "penugasan_dari": rhk.penugasan_dari,
        }
    )
    rows = indikator_dari_rhk(rhk) or [BarisIndikator(i=0, aspek=Aspek.KUANTITAS)]
    ctx = _rhk_form_ctx(request, skp, form, rows, rhk=rhk, jenis_awal=rhk.jenis)
    return render(request, "skp/_rhk_edit.html", ctx)


@tenant_view()
@require_GET
def rhk_baris(request: TenantRequest, pk: int) -> HttpResponse:
    """One result row (used to cancel an edit)."""
    rhk = _rhk(request, pk)
    if not request.htmx:
        return redirect("skp:detail", rhk.skp_id)
    skp = _skp(request, rhk.skp_id, detail=True)
    ctx = _detail_context(request, skp)
    for no, r in enumerate(ctx["rhk_utama"] if rhk.jenis == JenisRhk.UTAMA else ctx["rhk_tambahan"], start=1):
        if r.pk == rhk.pk:
            return render(request, "skp/_rhk_tbody.html", {**ctx, "r": r, "no": no})
    raise Http404()


@tenant_view()
@require_POST
def rhk_hapus(request: TenantRequest, pk: int) -> HttpResponse:
    rhk = _rhk(request, pk)
    skp = rhk.skp
    try:
        services.skp_rhk_remove(actor=request.user, rhk=rhk, versi=_int(request.POST.get("versi")))
    except ApplicationError as exc:
        _http_error(exc)
        if not request.htmx:
            messages.error(request, exc.message)
            return redirect("skp:detail", skp.pk)
        return reswap(retarget(_alert(request, exc, skp), "#skp-pesan"), "innerHTML")
    if not request.htmx:
        messages.success(request, _("Rencana hasil kerja dihapus."))
        return redirect("skp:detail", skp.pk)
    return _section(request, skp, "skp/_hasil_kerja.html", oob_manual_iku=True)


# ---------------------------------------------------------------- lampiran, ekspektasi


@tenant_view()
@require_http_methods(["GET", "POST"])
def lampiran(request: TenantRequest, pk: int) -> HttpResponse:
    """The lampiran section: GET ``?ubah=1`` shows the owner's form, plain GET the lists; POST saves."""
    skp = _skp(request, pk, detail=True)
    if request.method == "GET":
        if not request.htmx:
            return redirect("skp:detail", skp.pk)
        ctx = _detail_context(request, skp)
        if request.GET.get("ubah") and ctx["can_edit"]:
            ctx["lampiran_form"] = LampiranForm(
                initial={**LampiranForm.initial_dari(skp), "versi": _page_versi(request, skp)}
            )
        return render(request, "skp/_lampiran.html", ctx)
    form = LampiranForm(request.POST)
    pesan = _("Periksa kembali isian yang ditandai.")
    konflik = False
    if form.is_valid():
        try:
            services.skp_update(
                actor=request.user, skp=skp, versi=form.cleaned_data["versi"], lampiran=form.lampiran()
            )
        except ApplicationError as exc:
            _http_error(exc)
            apply_service_errors(form, exc, aliases={f"lampiran.{k}": k for k in form.fields})
            pesan, konflik = exc.message, isinstance(exc, Conflict)
        else:
            if not request.htmx:
                return redirect("skp:detail", skp.pk)
            return _section(request, skp, "skp/_lampiran.html", disimpan=True)
    if not request.htmx:
        messages.error(request, pesan)
        return redirect("skp:detail", skp.pk)
    ctx = {**_detail_context(request, skp), "lampiran_form": form, "pesan": pesan, "konflik": konflik}
    return render(request, "skp/_lampiran.html", ctx)


@tenant_view()
@require_POST
def ekspektasi(request: TenantRequest, pk: int) -> HttpResponse:
    """The Pejabat Penilai saves the ekspektasi khusus of the 7 core values."""
    skp = _skp(request, pk, detail=True)
    core_values = services.core_values_current()
    form = EkspektasiForm(request.POST, core_values=core_values)
    pesan, konflik = _("Periksa kembali isian yang ditandai."), False
    if form.is_valid():
        data = {cv.kode: form.cleaned_data[cv.kode] for cv in core_values}
        try:
            services.skp_ekspektasi_set(
                actor=request.user, skp=skp, ekspektasi=data, versi=form.cleaned_data["versi"]
            )
        except ApplicationError as exc:
            _http_error(exc)
            apply_service_errors(form, exc)
            pesan, konflik = exc.message, isinstance(exc, Conflict)
        else:
            if not request.htmx:
                messages.success(request, _("Ekspektasi khusus pimpinan disimpan."))
                return redirect("skp:detail", skp.pk)
            return _section(request, skp, "skp/_perilaku.html", disimpan=True)
    if not request.htmx:
        messages.error(request, pesan)
        return redirect("skp:detail", skp.pk)
    ctx = {**_detail_context(request, skp), "ekspektasi_form": form, "pesan": pesan, "konflik": konflik}
    return render(request, "skp/_perilaku.html", ctx)


# ---------------------------------------------------------------- workflow


@tenant_view()
@require_POST
def ajukan(request: TenantRequest, pk: int) -> HttpResponse:
    skp = _skp(request, pk)
    try:
        services.skp_submit(actor=request.user, skp=skp, versi=_int(request.POST.get("versi")))
    except ApplicationError as exc:
        _http_error(exc)
        if not request.htmx:
            messages.error(request, " ".join([exc.message, *_flat(exc.errors)]))
            return redirect("skp:detail", skp.pk)
        return _alert(request, exc, skp)
    messages.success(request, _("SKP diajukan ke Pejabat Penilai Kinerja."))
    return _to_detail(request, skp.pk)


@tenant_view()
@require_POST
def setujui(request: TenantRequest, pk: int) -> HttpResponse:
    skp = _skp(request, pk)
    try:
        services.skp_approve(actor=request.user, skp=skp)
    except ApplicationError as exc:
        _http_error(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("SKP %(nama)s disetujui.") % {"nama": skp.pegawai.nama})
    return _to_detail(request, skp.pk)


@tenant_view()
@require_POST
def kembalikan(request: TenantRequest, pk: int) -> HttpResponse:
    skp = _skp(request, pk, detail=True)
    form = KembalikanForm(request.POST)
    form.is_valid()
    try:
        services.skp_return(actor=request.user, skp=skp, catatan=form.cleaned_data.get("catatan", ""))
    except ApplicationError as exc:
        _http_error(exc)
        sisa = apply_service_errors(form, exc)
        ctx = {
            **_detail_context(request, skp),
            "kembalikan_form": form,
            "pesan": exc.message,
            "sisa": sisa.umum,
        }
        if request.htmx:
            return _form_error(render(request, "skp/_kembalikan_form.html", ctx))
        return render(request, "skp/detail.html", ctx, status=422)
    messages.success(
        request, _("SKP dikembalikan kepada %(nama)s dengan catatan.") % {"nama": skp.pegawai.nama}
    )
    return _to_detail(request, skp.pk)


@tenant_view()
@require_POST
def revisi(request: TenantRequest, pk: int) -> HttpResponse:
    skp = _skp(request, pk)
    try:
        new = services.skp_revise(actor=request.user, skp=skp)
    except ApplicationError as exc:
        _http_error(exc)
        messages.error(request, exc.message)
        return _to_detail(request, skp.pk)
    messages.success(
        request,
        _("Revisi SKP dibuat sebagai draf baru. SKP yang disetujui tetap berlaku sampai revisi disetujui."),
    )
    return _to_detail(request, new.pk)


# ---------------------------------------------------------------- inbox


@tenant_view()
@require_GET
def inbox(request: TenantRequest) -> HttpResponse:
    """Submitted SKPs waiting for the caller as Pejabat Penilai (direct or delegated)."""
    page = paginate(
        request, skp_inbox(user=request.user, instansi=request.instansi), per_page=INBOX_PER_HALAMAN
    )
    return render(request, "skp/inbox.html", {"page": page})


@tenant_view()
@require_GET
def inbox_jumlah(request: TenantRequest) -> HttpResponse:
    """The count badge of the "Persetujuan SKP" menu (htmx fetches it after the page is shown)."""
    n = skp_inbox_count(user=request.user, instansi=request.instansi)
    return render(request, "skp/_inbox_jumlah.html", {"n": n})


@tenant_view()
@require_POST
def inbox_setujui(request: TenantRequest) -> HttpResponse:
    """Bulk approval of the selected inbox rows; each SKP succeeds or fails on its own."""
    ids = sorted({int(x) for x in request.POST.getlist("pilih") if x.isdigit() and len(x) < 12})[:500]
    if not ids:
        messages.warning(request, _("Pilih minimal satu SKP yang akan disetujui."))
        return redirect("skp:inbox")
    skps = list(skp_inbox(user=request.user, instansi=request.instansi).filter(pk__in=ids))
    done, failed = services.skp_approve_bulk(actor=request.user, skps=skps)
    if done:
        messages.success(
            request, ngettext("%(n)d SKP disetujui.", "%(n)d SKP disetujui.", len(done)) % {"n": len(done)}
        )
    gagal = len(failed) + len(ids) - len(skps)
    if gagal:
        messages.error(
            request,
            _("%(n)d SKP tidak dapat disetujui (sudah diproses atau tidak lagi menunggu persetujuan Anda).")
            % {"n": gagal},
        )
    return redirect("skp:inbox")


# ---------------------------------------------------------------- Matriks Peran Hasil


def _matriks_ctx(request: TenantRequest, skp: Skp, tim: TimKerja | None = None) -> dict[str, Any]:
    """The matrix as rows of cells for the template; a cell offers "usulkan" only to the leader, on an
    empty cell of a subordinate whose SKP is an editable draft appraised by that leader (never in a
    team's matrix: the ketua tim does not appraise the anggota)."""
    own = _own(request)
    is_owner = own is not None and own.pk == skp.pegawai_id
    m = matriks_peran_hasil(leader_skp=skp, tahun=skp.tahun, tim=tim)
    uncovered = {c.pk for c in m["uncovered"]}
    baris = []
    for row in m["rows"]:
        sub = row["skp"]
        boleh_usul = (
            tim is None
            and is_owner
            and sub is not None
            and sub.is_editable
            and sub.pejabat_penilai_id == skp.pegawai_id
        )
        baris.append(
            {
                **row,
                "boleh_usul": boleh_usul,
                "sel": [
                    {"kolom": c, "hasil": hasil} for c, hasil in zip(m["columns"], row["cells"], strict=True)
                ],
            }
        )
    return {
        "skp": skp,
        "kolom": m["columns"],
        "baris": baris,
        "uncovered": m["uncovered"],
        "uncovered_ids": uncovered,
        "is_owner": is_owner,
        "tim": tim,
        "tim_dipimpin": list(
            tim_dipimpin(ketua_id=skp.pegawai_id, instansi_id=skp.instansi_id, tahun=skp.tahun)
        ),
    }


@tenant_view()
@require_GET
def matriks(request: TenantRequest, pk: int) -> HttpResponse:
    """Matriks Peran Hasil of a leader's SKP: columns = the leader's results, rows = direct subordinates;
    with ``?tim=`` (a team the SKP's owner leads that year) rows = the team's current anggota."""
    skp = _skp(request, pk, detail=True)
    tim = None
    if "tim" in request.GET:
        try:
            tim = tim_matriks_access(skp=skp, tim_id=request.GET.get("tim"))
        except NotFoundOrForbidden:
            raise Http404() from None
    return render(request, "skp/matriks.html", _matriks_ctx(request, skp, tim))


@tenant_view()
@require_http_methods(["GET", "POST"])
def matriks_usul(request: TenantRequest, pk: int, bawahan_pk: int, kolom_pk: int) -> HttpResponse:
    """A cell of the matrix: GET the small form (htmx), POST propose a result into the subordinate's draft
    linked to the column (``skp_rhk_add(by_penilai=True)``)."""
    leader_skp = _skp(request, pk)
    own = _own(request)
    kolom = _rhk(request, kolom_pk)
    sub = _skp(request, bawahan_pk)
    if (
        own is None
        or own.pk != leader_skp.pegawai_id
        or kolom.skp_id != leader_skp.pk
        or sub.pk == leader_skp.pk
    ):
        raise Http404()
    cell = {"skp": leader_skp, "kolom": kolom, "sub": sub, "fid": f"{sub.pk}-{kolom.pk}"}
    if request.method == "GET":
        if not request.htmx:
            return redirect("skp:matriks", leader_skp.pk)
        if request.GET.get("batal"):
            return render(request, "skp/_matriks_sel_kosong.html", {**cell, "boleh_usul": True})
        form = UsulMatriksForm(initial={"versi": sub.versi, "aspek": Aspek.KUANTITAS})
        return render(request, "skp/_matriks_usul_form.html", {**cell, "form": form})
    form = UsulMatriksForm(request.POST)
    pesan, konflik, sisa = _("Periksa kembali isian yang ditandai."), False, SisaGalat()
    if form.is_valid():
        cd = form.cleaned_data
        try:
            services.skp_rhk_add(
                actor=request.user,
                skp=sub,
                jenis=JenisRhk.UTAMA,
                rencana_hasil_kerja=cd["rencana_hasil_kerja"],
                indikator=[{"aspek": cd["aspek"], "iki": cd["iki"], "target": cd["target"]}],
                rhk_pimpinan_id=kolom.pk,
                cascading_tipe=cd["cascading_tipe"],
                versi=cd["versi"],
                by_penilai=True,
            )
        except ApplicationError as exc:
            _http_error(exc)
            sisa = apply_service_errors(
                form,
                exc,
                aliases={
                    "indikator.0.aspek": "aspek",
                    "indikator.0.iki": "iki",
                    "indikator.0.target": "target",
                },
            )
            pesan, konflik = exc.message, isinstance(exc, Conflict)
        else:
            if not request.htmx:
                messages.success(
                    request, _("Hasil kerja diusulkan ke draf SKP %(nama)s.") % {"nama": sub.pegawai.nama}
                )
                return redirect("skp:matriks", leader_skp.pk)
            fresh = _skp(request, leader_skp.pk, detail=True)
            return render(
                request, "skp/_matriks_tabel.html", {**_matriks_ctx(request, fresh), "diusulkan": sub.pegawai}
            )
    if not request.htmx:
        messages.error(request, pesan)
        return redirect("skp:matriks", leader_skp.pk)
    ctx = {**cell, "form": form, "pesan": pesan, "konflik": konflik, "sisa": sisa.umum}
    return _form_error(render(request, "skp/_matriks_usul_form.html", ctx))


# ---------------------------------------------------------------- pohon kinerja


@tenant_view()
@require_GET
def pohon(request: TenantRequest) -> HttpResponse:
    """Pohon kinerja of a year: admins/HR from the top leaders, everyone else from themselves down;
    ``?akar=`` narrows to a subtree the caller may see."""
    instansi = request.instansi
    roles = request_roles(request)
    own = _own(request)
    tahun = _int(request.GET.get("tahun")) or timezone.localdate().year
    if not 2000 <= tahun <= 2100:
        tahun = timezone.localdate().year
    is_admin = has_any_role(roles, ROLES_ORGANISASI)
    akar_ids: list[int] | None = None if is_admin else ([own.pk] if own is not None else [])
    akar = _int(request.GET.get("akar"))
    if "akar" in request.GET:
        if akar is None:
            raise Http404()
        allowed = (
            Pegawai.objects.filter(instansi=instansi, pk=akar).exists()
            if is_admin
            else akar in pegawai_subtree_ids(instansi=instansi, akar_ids=akar_ids or [])
        )
        if not allowed:
            raise Http404()
        akar_ids = [akar]
    # ?unit=: the pohon of one unit: from its Perjanjian Kinerja and its head down (issue #16).
    unit = None
    if "unit" in request.GET:
        unit = UnitKerja.objects.filter(instansi=instansi, pk=_int(request.GET.get("unit")) or 0).first()
        if unit is None:
            raise Http404()
        kepala = unit_pimpinan_ids(instansi=instansi, unit_ids=[unit.pk]).get(unit.pk)
        if kepala is None or (
            not is_admin and kepala not in pegawai_subtree_ids(instansi=instansi, akar_ids=akar_ids or [])
        ):
            raise Http404()
        akar_ids = [kepala]
    tree = pohon_kinerja(instansi=instansi, tahun=tahun, akar_ids=akar_ids)
    nodes = tree.semua
    cakupan_pk = pk_cakupan(
        instansi=instansi,
        tahun=tahun,
        pendukung=[(n, r) for n in nodes for r in n.rhk],
        unit_ids={unit.pk}
        if unit
        else (None if is_admin and not akar else {n.pegawai.unit_kerja_id for n in nodes}),
    )
    skp_ids = [n.skp.pk for n in nodes if n.skp is not None]
    visible = set(
        skp_visible_to(user=request.user, instansi=instansi, roles=roles)
        .filter(pk__in=skp_ids)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "skp/pohon.html",
        {
            "tree": tree,
            "tahun": tahun,
            "visible": visible,
            "akar": akar,
            "is_admin": is_admin,
            "own": own,
            "pk": cakupan_pk,
            "unit": unit,
        },
    )
