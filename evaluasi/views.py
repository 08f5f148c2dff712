"""HTML pages of the evaluation app. Thin: parse → access (404) → one service → render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluasi import scoring, services
from evaluasi.access import evaluasi_access, keberatan_access, periode_access, unit_evaluasi_access
from evaluasi.charts import grafik_distribusi
from evaluasi.forms import (
    AlasanDeviasiForm,
    AturanDistribusiForm,
    BatchTahunanForm,
    JendelaTahunanForm,
    KeberatanForm,
    KeputusanKeberatanForm,
    KinerjaOrganisasiForm,
    PenilaianForm,
)
from evaluasi.forms_tindak_lanjut import LangkahTindakLanjutForm
from evaluasi.models import Evaluasi, JenisEvaluasi, StatusEvaluasi, StatusKeberatan
from evaluasi.selectors import (
    ROLES_ADMIN,
    ROLES_SEMUA,
    _dialog,
    aturan_distribusi_for,
    aturan_distribusi_pilihan,
    boleh_tetapkan_predikat_organisasi,
    distribusi_unit,
    evaluasi_diterima,
    evaluasi_list,
    evaluasi_periodik_tahun,
    is_penilai,
    jendela_tahunan_for,
    keberatan_terbuka_count,
    keberatan_untuk_pemutus,
    kesiapan_batch,
    laporan_per_unit,
    laporan_total,
    laporan_unit_pegawai,
    laporan_unit_pegawai_ids,
    laporan_unit_tanpa_evaluasi,
    organisasi_per_unit,
    pegawai_ids_visible,
    periode_tahun,
    realisasi_evaluasi,
    tindak_lanjut_evaluasi,
    umpan_balik_evaluasi,
    umpan_balik_jumlah,
    umpan_balik_jumlah_bulk,
    unit_subtree_ids,
    unit_terlihat,
)
from kinerja.exceptions import ApplicationError, Conflict, InvalidTransition, NotFoundOrForbidden
from kinerja.models import Instansi, Job, JobStatus, Pegawai, Periode, UnitKerja, User
from kinerja.replica import read_replica
from kinerja.selectors.org import unit_kerja_ancestors
from kinerja.tenancy import pegawai_of
from kinerja.web import ROLES_IMPOR, ROLES_ORGANISASI, has_any_role, paginate, request_roles, tenant_view
from skp.models import Skp, SkpStatus
from skp.selectors import skp_detail_queryset, skp_visible_to

# ---------------------------------------------------------------------------------------------- helpers


def _req(request: HttpRequest) -> tuple[Instansi, list[str], User]:
    return request.instansi, request_roles(request), request.user  # type: ignore[attr-defined,return-value]


def _tahun(request: HttpRequest) -> int:
    raw = request.GET.get("tahun") or request.POST.get("tahun") or ""
    if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100:  # "²".isdigit(): int() fails
        return int(raw)
    return timezone.localdate().year


def _periode(request: HttpRequest, instansi: Instansi, periods: list[Periode]) -> Periode | None:
    """``?periode=<id>`` (a period of this year) or ``?periode=tahunan``; default = the current period."""
    raw = request.GET.get("periode") or request.POST.get("periode") or ""
    if raw == "tahunan":
        return None
    if raw:
        try:
            p = periode_access(instansi=instansi, periode_id=raw)
        except NotFoundOrForbidden:
            raise Http404() from None
        if p.pk not in {x.pk for x in periods}:
            raise Http404()
        return p
    today = timezone.localdate()
    for p in periods:
        if p.mulai <= today <= p.selesai:
            return p
    return None


def _apply_errors(form: Form, exc: ApplicationError) -> None:
    """Put a service's field errors on the form (unknown fields become form errors)."""
    for field, msgs in exc.errors.items():
        for m in msgs:
            form.add_error(field if field in form.fields else None, m)
    if not exc.errors:
        form.add_error(None, exc.message)


def _label_periode(periode: Periode | None, tahun: int) -> str:
    return str(periode) if periode is not None else _("Tahunan %(tahun)s") % {"tahun": tahun}


LABEL = {
    "predikat": dict(scoring.Predikat.choices),
    "rating": dict(scoring.Rating.choices),
    "organisasi": dict(scoring.PredikatOrganisasi.choices),
}

# ---------------------------------------------------------------------------------------------- list


@tenant_view()
def daftar(request: HttpRequest) -> HttpResponse:
    """Own results of the year, and (for a Pejabat Penilai) the people to rate in the chosen period."""
    instansi, roles, user = _req(request)
    tahun = _tahun(request)
    pribadi = [r for r in roles if r not in ROLES_SEMUA]  # admins use the reports for everyone
    services.evaluasi_ensure(
        instansi=instansi,
        tahun=tahun,
        pegawai_ids=pegawai_ids_visible(user=user, instansi=instansi, roles=pribadi),
    )
    periods = list(periode_tahun(instansi=instansi, tahun=tahun))
    periode = _periode(request, instansi, periods)
    own = pegawai_of(user)
    own_id = own.pk if own is not None and own.instansi_id == instansi.pk else None
    milik = list(
        evaluasi_list(user=user, instansi=instansi, roles=pribadi, tahun=tahun).filter(
            pegawai_id=own_id or -1
        )
    )
    dinilai_qs = evaluasi_list(
        user=user,
        instansi=instansi,
        roles=pribadi,
        tahun=tahun,
        periode=periode,
        jenis=JenisEvaluasi.PERIODIK if periode is not None else JenisEvaluasi.TAHUNAN,
    ).exclude(pegawai_id=own_id or -1)
    page = paginate(request, dinilai_qs, per_page=50)
    rows = list(page.object_list)
    mulai, selesai = (
        (periode.mulai, periode.selesai) if periode else (dt.date(tahun, 1, 1), dt.date(tahun, 12, 31))
    )
    ub = umpan_balik_jumlah_bulk(
        instansi=instansi, pegawai_ids=[e.pegawai_id for e in rows], mulai=mulai, selesai=selesai
    )
    return render(
        request,
        "evaluasi/daftar.html",
        {
            "tahun": tahun,
            "periods": periods,
            "periode": periode,
            "label_periode": _label_periode(periode, tahun),
            "milik": milik,
            "page": page,
            "rows": [
                {
                    "e": e,
                    "umpan_balik": ub.get(e.pegawai_id, 0),
                    "boleh_nilai": e.status != StatusEvaluasi.FINAL,
                }
                for e in rows
            ],
            "is_admin": has_any_role(roles, ROLES_IMPOR),
            "is_org": has_any_role(roles, ROLES_ORGANISASI),
            "keberatan_terbuka": keberatan_terbuka_count(user=user, instansi=instansi, roles=roles),
            # the annual list (no period chosen) shows the annual window
            **(_jendela_context(instansi, tahun) if periode is None else {}),
            "unit_pimpinan": unit_terlihat(user=user, instansi=instansi, roles=pribadi).order_by("path")[:50],
        },
    )


# ---------------------------------------------------------------------------------------------- detail / rating


def _detail_context(ev: Evaluasi, user: User) -> dict[str, Any]:
    skp = skp_detail_queryset(instansi=ev.instansi).get(pk=ev.skp_id)
    realisasi = {r.indikator_id: r for r in (realisasi_evaluasi(evaluasi=ev) or [])}
    hasil_kerja = [
        {
            "rhk": rhk,
            "indikator": [{"ind": ind, "realisasi": realisasi.get(ind.pk)} for ind in rhk.indikator.all()],
        }
        for rhk in skp.rhk.all()
    ]
    own = pegawai_of(user)
    penilai = is_penilai(user=user, evaluasi=ev)
    keberatan = ev.keberatan.select_related("pemutus").first()
    batas = services.keberatan_batas(evaluasi=ev)
    jendela = _jendela_context(ev.instansi, ev.tahun) if ev.jenis == JenisEvaluasi.TAHUNAN else {}
    d = distribusi_unit(instansi=ev.instansi, unit=ev.unit_kerja, tahun=ev.tahun, periode=ev.periode)
    return {
        "ev": ev,
        "skp": skp,
        "hasil_kerja": hasil_kerja,
        "umpan_balik": umpan_balik_evaluasi(evaluasi=ev),
        "jumlah_umpan_balik": umpan_balik_jumlah(evaluasi=ev),
        "periodik": list(evaluasi_periodik_tahun(evaluasi=ev)) if ev.jenis == JenisEvaluasi.TAHUNAN else [],
        "matriks": scoring.matriks_baris(),
        "matriks_json": {f"{hk}|{pk}": p for (hk, pk), p in scoring.MATRIKS_PREDIKAT.items()},
        "label_predikat": {k: str(v) for k, v in LABEL["predikat"].items()},
        "panduan": [{"rating": r, "label": LABEL["rating"][r], **scoring.PANDUAN_RATING[r]} for r in scoring.RATING_ORDER],
        "is_penilai": penilai,
        "boleh_nilai": (
            penilai and ev.status != StatusEvaluasi.FINAL and keberatan is None
            and jendela.get("jendela_status", "buka") == "buka"
        ),
        **jendela,
        "diterima": evaluasi_diterima(evaluasi=ev),
        "is_pemilik": own is not None and own.pk == ev.pegawai_id,
        "keberatan": keberatan,
        "batas_keberatan": batas,
        "boleh_keberatan": (
            own is not None and own.pk == ev.pegawai_id and ev.status != StatusEvaluasi.BELUM_DINILAI
            and keberatan is None and batas is not None and timezone.localdate() <= batas
        ),
        "organisasi": d["organisasi"],
        "distribusi": d,
        **tindak_lanjut_evaluasi(evaluasi=ev),
        **_dokumen_context(ev),
        "label_periode": _label_periode(ev.periode, ev.tahun),
    }  # fmt: skip


def _dokumen_context(ev: Evaluasi) -> dict[str, Any]:
    """The signed document of the evaluation's current version, or why there is none yet."""
    from evaluasi.documents import evaluasi_dokumen_alasan, evaluasi_dokumen_terkini

    alasan = evaluasi_dokumen_alasan(ev)
    return {"dokumen_alasan": alasan, "dokumen": None if alasan else evaluasi_dokumen_terkini(ev)}


@tenant_view()
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The rating page for the Pejabat Penilai; the result and its basis for the pegawai (and admins)."""
    instansi, roles, user = _req(request)
    try:
        ev = evaluasi_access(user=user, instansi=instansi, roles=roles, evaluasi_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    initial = {
        "rating_hasil_kerja": ev.rating_hasil_kerja,
        "rating_perilaku_kerja": ev.rating_perilaku_kerja,
        "justifikasi": ev.justifikasi,
        "versi": ev.versi,
    }
    form = PenilaianForm(initial=initial)
    status = 200
    konflik = ""
    if request.method == "POST":
        if not is_penilai(user=user, evaluasi=ev):
            raise Http404()
        form = PenilaianForm(request.POST)
        if form.is_valid():
            try:
                services.evaluasi_nilai(actor=user, evaluasi=ev, **form.cleaned_data)
            except Conflict as exc:
                konflik, status = exc.message, exc.status_code
            except InvalidTransition as exc:
                # not a field mistake (final, period not started, outside the annual window, keberatan):
                # shown once, in the page's message area (the form is hidden in most of these states)
                messages.error(request, exc.message)
                status = exc.status_code
            except ApplicationError as exc:
                _apply_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Penilaian %(nama)s disimpan.") % {"nama": ev.pegawai.nama})
                return redirect("evaluasi:detail", pk=ev.pk)
        else:
            status = 400
    ctx = _detail_context(ev, user)
    ctx["form"] = form
    ctx["konflik"] = konflik
    ctx["keberatan_form"] = KeberatanForm()
    ctx["boleh_langkah"] = bool(set(roles) & ROLES_ADMIN)
    ctx["langkah_form"] = LangkahTindakLanjutForm()
    return render(request, "evaluasi/detail.html", ctx, status=status)


@tenant_view()
@require_http_methods(["GET", "POST"])
def tindak_lanjut_langkah(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """POST: an admin records a step after the improvement window (domain §8.2). GET ``?berkas=<id>``: the
    step's document for whoever may see the evaluation (never a public media URL); plain GET → the page."""
    from evaluasi.models import LangkahTindakLanjut
    from kinerja.access import id_or_404

    instansi, roles, user = _req(request)
    try:
        ev = evaluasi_access(user=user, instansi=instansi, roles=roles, evaluasi_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    if request.method == "GET":
        if "berkas" not in request.GET:
            return redirect("evaluasi:detail", pk=ev.pk)
        try:
            langkah_id = id_or_404(request.GET["berkas"])
        except NotFoundOrForbidden:
            raise Http404() from None
        if not 0 < langkah_id < 2**63:
            raise Http404()
        langkah = LangkahTindakLanjut.objects.filter(
            instansi=instansi, tindak_lanjut__evaluasi=ev, pk=langkah_id
        ).first()
        if langkah is None or not langkah.berkas:
            raise Http404()
        try:
            handle = langkah.berkas.open("rb")
        except FileNotFoundError:
            raise Http404() from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=langkah.nama_berkas or "dokumen.pdf",
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
    form = LangkahTindakLanjutForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            services.tindak_lanjut_langkah_catat(actor=user, roles=roles, evaluasi=ev, **form.cleaned_data)
        except NotFoundOrForbidden:
            raise Http404() from None
        except ApplicationError as exc:
            _apply_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("Langkah tindak lanjut dicatat."))
            return redirect(reverse("evaluasi:detail", args=[ev.pk]) + "#judul-tindak-lanjut")
    ctx = _detail_context(ev, user)
    ctx["form"] = PenilaianForm(
        initial={
            "rating_hasil_kerja": ev.rating_hasil_kerja,
            "rating_perilaku_kerja": ev.rating_perilaku_kerja,
            "justifikasi": ev.justifikasi,
            "versi": ev.versi,
        }
    )
    ctx["konflik"] = ""
    ctx["keberatan_form"] = KeberatanForm()
    ctx["boleh_langkah"] = bool(set(roles) & ROLES_ADMIN)
    ctx["langkah_form"] = form
    return render(request, "evaluasi/detail.html", ctx, status=status)


@tenant_view()
@require_POST
def keberatan_ajukan(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _req(request)
    try:
        ev = evaluasi_access(user=user, instansi=instansi, roles=roles, evaluasi_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    form = KeberatanForm(request.POST)
    if form.is_valid():
        try:
            services.keberatan_ajukan(actor=user, evaluasi=ev, alasan=form.cleaned_data["alasan"])
        except NotFoundOrForbidden:
            raise Http404() from None
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Keberatan diajukan kepada atasan Pejabat Penilai."))
    else:
        messages.error(request, _("Tuliskan alasan keberatan."))
    return redirect("evaluasi:detail", pk=ev.pk)


# ---------------------------------------------------------------------------------------------- keberatan (decider)


@tenant_view()
def keberatan_daftar(request: HttpRequest) -> HttpResponse:
    instansi, roles, user = _req(request)
    page = paginate(request, keberatan_untuk_pemutus(user=user, instansi=instansi, roles=roles))
    return render(request, "evaluasi/keberatan_daftar.html", {"page": page})


@tenant_view()
@require_http_methods(["GET", "POST"])
def keberatan_putus(request: HttpRequest, pk: int) -> HttpResponse:
    instansi, roles, user = _req(request)
    try:
        kb = keberatan_access(user=user, instansi=instansi, roles=roles, keberatan_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    form = KeputusanKeberatanForm()
    status = 200
    if request.method == "POST":
        form = KeputusanKeberatanForm(request.POST)
        if form.is_valid():
            try:
                services.keberatan_putus(actor=user, keberatan=kb, **form.cleaned_data)
            except ApplicationError as exc:
                _apply_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Keputusan keberatan disimpan."))
                return redirect("evaluasi:keberatan-putus", pk=kb.pk)
        else:
            status = 400
    ev = kb.evaluasi
    return render(
        request,
        "evaluasi/keberatan_putus.html",
        {
            "kb": kb,
            "ev": ev,
            "form": form,
            "terbuka": kb.status == StatusKeberatan.DIAJUKAN,
            "label_periode": _label_periode(ev.periode, ev.tahun),
        },
        status=status,
    )


# ---------------------------------------------------------------------------------------------- unit performance


@tenant_view()
@require_http_methods(["GET", "POST"])
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's predikat kinerja organisasi, actual vs guideline distribution (SVG chart) and the
    deviations, each needing a written reason (never a block)."""
    instansi, roles, user = _req(request)
    try:
        u = unit_evaluasi_access(user=user, instansi=instansi, roles=roles, unit_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    tahun = _tahun(request)
    services.evaluasi_ensure(
        instansi=instansi,
        tahun=tahun,
        pegawai_ids=list(
            Pegawai.objects.filter(instansi=instansi, unit_kerja=u).values_list("pk", flat=True)
        ),
    )
    periods = list(periode_tahun(instansi=instansi, tahun=tahun))
    periode = (
        _periode(request, instansi, periods)
        if request.GET.get("periode") or request.POST.get("periode")
        else None
    )
    boleh = boleh_tetapkan_predikat_organisasi(user=user, roles=roles, unit=u)
    org_form = KinerjaOrganisasiForm()
    alasan_forms: dict[str, AlasanDeviasiForm] = {}
    status = 200
    if request.method == "POST":
        if not boleh:
            raise Http404()
        aksi = request.POST.get("aksi")
        try:
            if aksi == "predikat":
                org_form = KinerjaOrganisasiForm(request.POST)
                if org_form.is_valid():
                    services.kinerja_organisasi_set(
                        actor=user,
                        roles=roles,
                        instansi=instansi,
                        unit=u,
                        tahun=tahun,
                        periode=periode,
                        **org_form.cleaned_data,
                    )
                    messages.success(request, _("Predikat kinerja organisasi disimpan."))
                    return redirect(_unit_url(u.pk, tahun, periode))
                status = 400
            elif aksi == "alasan":
                af = AlasanDeviasiForm(request.POST)
                if af.is_valid():
                    services.alasan_deviasi_set(
                        actor=user,
                        roles=roles,
                        instansi=instansi,
                        unit=u,
                        tahun=tahun,
                        periode=periode,
                        **af.cleaned_data,
                    )
                    messages.success(request, _("Alasan penyimpangan disimpan."))
                    return redirect(_unit_url(u.pk, tahun, periode) + "#peringatan")
                alasan_forms[request.POST.get("kode", "")] = af
                status = 400
            else:
                status = 400
        except ApplicationError as exc:
            target = (
                org_form
                if aksi == "predikat"
                else alasan_forms.setdefault(request.POST.get("kode", ""), AlasanDeviasiForm(request.POST))
            )
            _apply_errors(target, exc)
            status = exc.status_code
    d = distribusi_unit(instansi=instansi, unit=u, tahun=tahun, periode=periode)
    if d["organisasi"] is not None and request.method == "GET":
        org_form = KinerjaOrganisasiForm(
            initial={"predikat": d["organisasi"].predikat, "justifikasi": d["organisasi"].justifikasi}
        )
    peringatan = []
    for w in d["peringatan"]:
        p, alasan = w["p"], w["alasan"]
        form = alasan_forms.get(p.kode) or AlasanDeviasiForm(
            initial={"kode": p.kode, "alasan": alasan.alasan if alasan else ""}
        )
        peringatan.append({"p": p, "alasan": alasan, "form": form})
    return render(
        request,
        "evaluasi/unit.html",
        {
            "unit": u,
            "ancestors": list(unit_kerja_ancestors(unit=u)),
            "tahun": tahun,
            "periods": periods,
            "periode": periode,
            "label_periode": _label_periode(periode, tahun),
            "d": d,
            "grafik": grafik_distribusi(persen=d["persen"], jumlah=d["jumlah"], pita=d["pita"]),
            "peringatan": peringatan,
            "boleh": boleh,
            "org_form": org_form,
            "label_organisasi": LABEL["organisasi"],
            "is_org": has_any_role(roles, ROLES_ORGANISASI),
        },
        status=status,
    )


def _unit_url(pk: int, tahun: int, periode: Periode | None) -> str:
    return (
        f"{reverse('evaluasi:unit', args=[pk])}?tahun={tahun}&periode={periode.pk if periode else 'tahunan'}"
    )


# ---------------------------------------------------------------------------------------------- reports


@tenant_view(*ROLES_ORGANISASI)
def laporan(request: HttpRequest) -> HttpResponse:
    """Completion and predikat distribution per unit for a period or the year (constant query count),
    ``LAPORAN_UNIT_PER_HAL`` units per page in tree order (the totals are the whole instansi's).

    No ``evaluasi_ensure`` here: the counts do not depend on the evaluation rows being materialised (a
    pegawai without a row counts as not rated, as a row without a predikat does), and at 100,000 pegawai
    the ensure (0.5-5 s, a write on the primary) cost more than the report itself. Only the year's
    periods are made (a few rows)."""
    instansi, _roles, _user = _req(request)
    tahun = _tahun(request)
    periods = services.periode_siapkan(instansi=instansi, tahun=tahun)
    periode = _periode(request, instansi, periods) if request.GET.get("periode") else None
    with read_replica():  # an HR report: lag-tolerant, read from the replica (kinerja/replica.py)
        rows = laporan_per_unit(instansi=instansi, tahun=tahun, periode=periode, organisasi=False)
        total = laporan_total(rows)
        page = Paginator(rows, LAPORAN_UNIT_PER_HAL).get_page(request.GET.get("hal"))
        org = organisasi_per_unit(
            instansi=instansi, tahun=tahun, periode=periode, unit_ids=[r["unit"].pk for r in page.object_list]
        )
    for r in page.object_list:
        r["organisasi"] = org.get(r["unit"].pk)
    return render(
        request,
        "evaluasi/laporan.html",
        {
            "tahun": tahun,
            "periods": periods,
            "periode": periode,
            "label_periode": _label_periode(periode, tahun),
            "rows": page.object_list,
            "page": page,
            "total": total,
            "predikat_order": scoring.PREDIKAT_ORDER,
            "label_predikat": LABEL["predikat"],
        },
    )


def unit_tahun_periode(
    request: HttpRequest, pk: int
) -> tuple[Instansi, UnitKerja, int, list[Periode], Periode | None]:
    """A unit the user may see (404 otherwise), ``?tahun=``, that year's periods and ``?periode=<id>``
    (absent = the year)."""
    instansi, roles, user = _req(request)
    try:
        unit = unit_evaluasi_access(user=user, instansi=instansi, roles=roles, unit_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    tahun = _tahun(request)
    periods = list(periode_tahun(instansi=instansi, tahun=tahun))
    periode = _periode(request, instansi, periods) if request.GET.get("periode") else None
    return instansi, unit, tahun, periods, periode


#: Units per page of the HR report (an instansi of 100,000 pegawai has ~4,400 units).
LAPORAN_UNIT_PER_HAL = 100


@dataclass
class HalamanTanpaHitung:
    """A page that knows whether there is a next one without counting the whole list (``LIMIT n + 1``):
    at the root of a 100,000-pegawai instansi the COUNT of the drill-down cost more than the page."""

    number: int
    object_list: list[Any]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _nomor_hal(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("hal", "1")), 100_000))
    except ValueError:
        return 1


#: Pegawai per page of the drill-down (each with their evaluation rows of the period/year).
LAPORAN_PEGAWAI_PER_HAL = 50


@tenant_view(*ROLES_ORGANISASI)
def laporan_unit(request: HttpRequest, pk: int) -> HttpResponse:
    """Drill-down: the people of one unit and its sub-units with their evaluation, ``LAPORAN_PEGAWAI_PER_HAL``
    pegawai per page in name order, and the two side lists (first ``TANPA_TAMPIL``). A constant number of
    queries whatever the size of the subtree.

    No ``evaluasi_ensure`` of the whole instansi (at 100,000 pegawai its fingerprint alone was 0.7-1.3 s on
    every view): the page's pegawai are chosen so that the list is the same with and without the rows
    materialised (``laporan_unit_pegawai_ids``), then only that page's pegawai get their rows
    (``evaluasi_ensure(pegawai_ids=...)``, a no-op when they exist), read from the primary that wrote them.
    No COUNT of the subtree: the page only knows whether there is a next one (``HalamanTanpaHitung``)."""
    instansi, u, tahun, periods, periode = unit_tahun_periode(request, pk)
    status = request.GET.get("status")
    if status not in StatusEvaluasi.values:
        status = None
    nomor = _nomor_hal(request)
    per_hal = LAPORAN_PEGAWAI_PER_HAL
    with read_replica():  # an HR report: lag-tolerant, read from the replica (kinerja/replica.py)
        ids = list(
            laporan_unit_pegawai_ids(instansi=instansi, unit=u, tahun=tahun, periode=periode, status=status)[
                (nomor - 1) * per_hal : nomor * per_hal + 1
            ]
        )
        tanpa = list(
            laporan_unit_tanpa_evaluasi(instansi=instansi, unit=u, tahun=tahun, periode=periode)[
                : TANPA_TAMPIL + 1
            ]
        )
        semester = _pemantauan_semester(instansi=instansi, unit=u, tahun=tahun)
    ids, lebih = ids[:per_hal], len(ids) > per_hal
    services.evaluasi_ensure(instansi=instansi, tahun=tahun, pegawai_ids=ids)
    qs = laporan_unit_pegawai(instansi=instansi, unit=u, tahun=tahun, periode=periode).filter(
        pegawai_id__in=ids
    )
    if status:
        qs = qs.filter(status=status)
    page = HalamanTanpaHitung(number=nomor, object_list=list(qs), has_next=lebih)
    return render(
        request,
        "evaluasi/laporan_unit.html",
        {
            "unit": u,
            "tahun": tahun,
            "periods": periods,
            "periode": periode,
            "label_periode": _label_periode(periode, tahun),
            "page": page,
            "status": status or "",
            "statuses": StatusEvaluasi.choices,
            "tanpa": tanpa[:TANPA_TAMPIL],
            "tanpa_lebih": len(tanpa) > TANPA_TAMPIL,
            **semester,
        },
    )


def _pemantauan_semester(*, instansi: Instansi, unit: UnitKerja, tahun: int) -> dict[str, Any]:
    """The semester monitoring check of the unit (domain.md "Periodic cycle options"): pegawai without a
    dialog or feedback from their Pejabat Penilai per semester (first ``TANPA_TAMPIL``). Two queries: the
    ids first (an ordered scan of ``pegawai_nama_idx`` with LIMIT), then the rows of those ids with their
    per-semester flags; in one query the flags of the SELECT list were computed by hashing every feedback
    of the semester in the instansi (200,000 rows at 100,000 pegawai)."""
    tanpa_dialog = _dialog("pemantauan_semester_tanpa_dialog")
    dimulai = _dialog("semester_dimulai")
    if tanpa_dialog is None or dimulai is None:
        return {}
    qs = tanpa_dialog(instansi=instansi, unit_ids=unit_subtree_ids(instansi=instansi, unit=unit), tahun=tahun)
    ids = list(qs.values_list("pk", flat=True)[: TANPA_TAMPIL + 1])
    rows = list(qs.filter(pk__in=ids)) if ids else []
    return {
        "semesters": dimulai(tahun=tahun),
        "tanpa_dialog": rows[:TANPA_TAMPIL],
        "tanpa_dialog_lebih": len(rows) > TANPA_TAMPIL,
    }


#: Pegawai without an evaluation listed on the drill-down page (the report row has the count).
TANPA_TAMPIL = 200


# ---------------------------------------------------------------------------------------------- year-end batch


@tenant_view(*ROLES_IMPOR)
@require_http_methods(["GET", "POST"])
def tahunan(request: HttpRequest) -> HttpResponse:
    """admin_instansi: the December batch (start, live progress, history) and the rule-set choice."""
    instansi, roles, user = _req(request)
    # dry run ticked by default: a real run locks every rated evaluation (final), so it must be a choice
    form = BatchTahunanForm(initial={"tahun": timezone.localdate().year, "dry_run": True})
    aturan_form = AturanDistribusiForm(queryset=aturan_distribusi_pilihan())
    jendela_form = None
    status = 200
    if request.method == "POST":
        if request.POST.get("aksi") == "jendela":
            jendela_form = JendelaTahunanForm(request.POST)
            if jendela_form.is_valid():
                try:
                    services.pengaturan_jendela_set(
                        actor=user, roles=roles, instansi=instansi, **jendela_form.cleaned_data
                    )
                except ApplicationError as exc:
                    _apply_errors(jendela_form, exc)
                    status = exc.status_code
                else:
                    messages.success(request, _("Jendela penilaian tahunan disimpan."))
                    return redirect("evaluasi:tahunan")
            else:
                status = 400
        elif request.POST.get("aksi") == "aturan":
            aturan_form = AturanDistribusiForm(request.POST, queryset=aturan_distribusi_pilihan())
            if aturan_form.is_valid():
                services.pengaturan_aturan_set(
                    actor=user, roles=roles, instansi=instansi, aturan=aturan_form.cleaned_data["aturan"]
                )
                messages.success(request, _("Aturan pola distribusi disimpan."))
                return redirect("evaluasi:tahunan")
            status = 400
        else:
            form = BatchTahunanForm(request.POST)
            if form.is_valid():
                try:
                    started = services.tahunan_batch_start(
                        actor=user, roles=roles, instansi=instansi, **form.cleaned_data
                    )
                except ApplicationError as exc:
                    _apply_errors(form, exc)
                    status = exc.status_code
                else:
                    return redirect(f"{reverse('evaluasi:tahunan')}?job={started.pk}")
            else:
                status = 400
    jobs = list(
        Job.objects.filter(instansi=instansi, jenis=services.JOB_TAHUNAN).order_by("-created_at", "-id")[:10]
    )
    job: Job | None = None
    if request.GET.get("job", "").isascii() and request.GET.get("job", "").isdigit():
        job = (
            next((j for j in jobs if j.pk == int(request.GET["job"])), None)
            or Job.objects.filter(
                instansi=instansi, jenis=services.JOB_TAHUNAN, pk=int(request.GET["job"])
            ).first()
        )
    if job is None:
        job = next((j for j in jobs if j.status in (JobStatus.ANTRI, JobStatus.BERJALAN)), None)
    aturan = aturan_distribusi_for(instansi=instansi)
    if request.method == "GET":
        aturan_form = AturanDistribusiForm(
            initial={"aturan": aturan.pk if not aturan.bawaan else None}, queryset=aturan_distribusi_pilihan()
        )
    return render(
        request,
        "evaluasi/tahunan.html",
        {
            "form": form,
            "aturan_form": aturan_form,
            "aturan": aturan,
            "jobs": jobs,
            "job": job,
            "running": job is not None and job.status in (JobStatus.ANTRI, JobStatus.BERJALAN),
            "kesiapan": kesiapan_batch(instansi=instansi, tahun=_tahun_batch(form)),
            **_jendela_context(instansi, _tahun_batch(form)),
            "jendela_form": jendela_form or _jendela_form_awal(instansi),
        },
        status=status,
    )


def _jendela_form_awal(instansi: Instansi) -> JendelaTahunanForm:
    """The window form filled with the instansi's current setting (the default when none)."""
    j = jendela_tahunan_for(instansi=instansi, tahun=2024)  # a leap year: 29 February stays itself
    return JendelaTahunanForm(
        initial={
            "buka_tanggal": j.buka.day, "buka_bulan": j.buka.month,
            "tutup_tanggal": j.tutup.day, "tutup_bulan": j.tutup.month,
        }
    )  # fmt: skip


def _jendela_context(instansi: Instansi, tahun: int) -> dict[str, Any]:
    """The annual window of ``tahun`` and where today falls in it (domain.md "Annual window")."""
    j = jendela_tahunan_for(instansi=instansi, tahun=tahun)
    return {"jendela": j, "jendela_status": str(j.status(timezone.localdate()))}


def _tahun_batch(form: BatchTahunanForm) -> int:
    """The year the batch form shows (the typed one when valid), for the readiness box."""
    raw = str(form["tahun"].value() or "")
    return (
        int(raw)
        if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100
        else timezone.localdate().year
    )


@tenant_view(*ROLES_ORGANISASI)
def tahunan_hasil(request: HttpRequest, pk: int) -> HttpResponse:
    """The result of one batch run: summary, completeness per unit (missing ratings) and distribution."""
    instansi, _roles, _user = _req(request)
    job = Job.objects.filter(instansi=instansi, jenis=services.JOB_TAHUNAN, pk=pk).first()
    if job is None:
        raise Http404()
    detail = job.detail or {}
    kelengkapan = detail.get("kelengkapan", [])
    paginator = Paginator(kelengkapan, 50)
    dokumen = None
    if job.status == JobStatus.SELESAI and not (job.params or {}).get("dry_run"):
        from evaluasi.services_dokumen import dokumen_tahunan_status

        dokumen = dokumen_tahunan_status(instansi=instansi, tahun=int(job.params["tahun"]))
        dokumen["persen"] = round(100 * dokumen["dokumen"] / dokumen["final"]) if dokumen["final"] else 100
    return render(
        request,
        "evaluasi/tahunan_hasil.html",
        {
            "job": job,
            "d": detail,
            "running": job.status in (JobStatus.ANTRI, JobStatus.BERJALAN),
            "kelengkapan": paginator.get_page(request.GET.get("hal")),
            "distribusi": [x for x in detail.get("distribusi", []) if x.get("peringatan")],
            "label_predikat": LABEL["predikat"],
            "label_organisasi": LABEL["organisasi"],
            "predikat_order": scoring.PREDIKAT_ORDER,
            "dokumen": dokumen,
        },
    )


# ---------------------------------------------------------------------------------------------- "Nilai" links


def _periode_untuk_skp(request: HttpRequest, instansi: Instansi, skp: Skp) -> Periode | None:
    """``?periode=<id>`` among the periods overlapping the SKP's stint (404 otherwise); default the one
    containing today, else the last one already started, else the first."""
    periods = [
        p
        for p in periode_tahun(instansi=instansi, tahun=skp.tahun)
        if p.mulai <= skp.periode_selesai and p.selesai >= skp.periode_mulai
    ]
    raw = request.GET.get("periode", "")
    if raw:
        chosen = next((p for p in periods if str(p.pk) == raw), None)
        if chosen is None:
            raise Http404()
        return chosen
    today = timezone.localdate()
    started = [p for p in periods if p.mulai <= today]
    current = next((p for p in started if today <= p.selesai), None)
    return current or (started[-1] if started else (periods[0] if periods else None))


@tenant_view()
@require_GET
def nilai_skp(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Nilai" link of the home page, Tim Saya and a subordinate's SKP and realisasi pages: opens
    the periodic evaluation of SKP ``pk`` for ``?periode=`` (default: the current period), making the
    row if it is missing. 404 for an SKP the user may not see; the evaluation page itself decides
    whether the user may rate (else read-only, or 404 via ``evaluasi_access``)."""
    instansi, roles, user = _req(request)
    skp = skp_visible_to(user=user, instansi=instansi, roles=roles).filter(pk=pk).first()
    if skp is None:
        raise Http404()
    if skp.status != SkpStatus.DISETUJUI:
        messages.info(request, _("Penilaian dimulai setelah SKP disetujui."))
        return redirect("skp:detail", skp.pk)
    services.evaluasi_ensure(instansi=instansi, tahun=skp.tahun, pegawai_ids=[skp.pegawai_id])
    periode = _periode_untuk_skp(request, instansi, skp)
    ev = (
        Evaluasi.objects.filter(
            instansi=instansi, skp=skp, periode=periode, jenis=JenisEvaluasi.PERIODIK
        ).first()
        if periode is not None
        else None
    )
    if ev is None:  # an inactive pegawai, or a stint outside every period of the cycle
        messages.info(request, _("Belum ada evaluasi periodik untuk SKP ini."))
        return redirect("evaluasi:daftar")
    try:
        evaluasi_access(user=user, instansi=instansi, roles=roles, evaluasi_id=ev.pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    return redirect("evaluasi:detail", pk=ev.pk)
