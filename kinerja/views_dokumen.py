"""Document pages: public verification (no login) and the HR export / document-job pages.

Views stay thin: parse → authorise (registry ``authorize`` hooks, 404 for "not yours") → call one
service or selector → render. Nothing here renders a PDF: PDFs come from Celery jobs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kinerja.client_ip import client_ip, rate_key
from kinerja.documents import (
    ExportRequest,
    all_exports,
    all_jobs,
    format_public_code,
    get_export,
    get_job,
    normalize_public_code,
    write_csv,
    write_xlsx,
)
from kinerja.exceptions import ApplicationError, NotFoundOrForbidden
from kinerja.models import Job, JobStatus
from kinerja.replica import read_replica
from kinerja.selectors.dokumen import (
    DokumenPublik,
    dokumen_by_public_code_dangerously_unscoped,
    dokumen_by_sha256_dangerously_unscoped,
)
from kinerja.selectors.jobs import job_visible_to
from kinerja.selectors.org import unit_kerja_list
from kinerja.services.dokumen import (
    HasilVerifikasi,
    StatusVerifikasi,
    dokumen_ekspor_catat,
    dokumen_job_start,
    dokumen_verify_upload,
)
from kinerja.web import ROLES_ORGANISASI, has_any_role, request_roles, tenant_view

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _limit(name: str, default: tuple[int, int]) -> tuple[int, int]:
    value = getattr(settings, name, None)
    return (int(value[0]), int(value[1])) if value else default


def _rate_limited(request: HttpRequest, bucket: str, limit: tuple[int, int]) -> bool:
    """Fixed-window counter per client address (``client_ip``: proxy-aware) in the cache (Redis in production)."""
    count, window = limit
    key = f"kinerja:rl:{bucket}:{rate_key(client_ip(request))}"
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key) > count
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return False


# ---------------------------------------------------------------- public verification


class UnggahForm(forms.Form):
    berkas = forms.FileField(
        label=gettext_lazy("Berkas PDF"),
        help_text=gettext_lazy("PDF yang ingin diperiksa, paling besar 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_berkas(self) -> bytes:
        f = self.cleaned_data["berkas"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (paling besar 20 MB)."))
        data = f.read()
        if not data.startswith(b"%PDF"):
            raise forms.ValidationError(_("Berkas ini bukan PDF."))
        return bytes(data)


def _public_headers(resp: HttpResponse) -> HttpResponse:
    resp["X-Robots-Tag"] = "noindex, nofollow"
    resp["Referrer-Policy"] = "same-origin"  # no-referrer would make browsers send Origin: null (CSRF)
    return resp


def _too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES + 64 * 1024
    except ValueError:
        return True


def _upload(
    request: HttpRequest, form: UnggahForm, dokumen: DokumenPublik | None
) -> tuple[HasilVerifikasi | None, DokumenPublik | None, int]:
    """Validate the upload and check it; returns (result, matched document, HTTP status)."""
    if _too_large(request):
        form.add_error("berkas", _("Berkas terlalu besar (paling besar 20 MB)."))
        return None, dokumen, 413
    if _rate_limited(request, "verifikasi-unggah", _limit("KINERJA_VERIFIKASI_UPLOAD_RATE", (10, 600))):
        form.add_error(None, _("Terlalu banyak pemeriksaan dari alamat ini. Coba lagi dalam beberapa menit."))
        return None, dokumen, 429
    if not form.is_valid():
        return None, dokumen, 400
    data: bytes = form.cleaned_data["berkas"]
    if dokumen is None:  # no code given: find the document by the file's exact hash
        import hashlib

        dokumen = dokumen_by_sha256_dangerously_unscoped(sha256=hashlib.sha256(data).hexdigest())
        if dokumen is None:
            return (
                HasilVerifikasi(
                    StatusVerifikasi.TIDAK_DIKENAL,
                    "Berkas ini tidak ada dalam arsip. Masukkan kode verifikasi yang tercetak pada dokumen "
                    "untuk pemeriksaan tanda tangan yang lengkap.",
                    hashlib.sha256(data).hexdigest(),
                ),
                None,
                200,
            )
    return dokumen_verify_upload(dokumen=dokumen, data=data), dokumen, 200


@never_cache
@require_http_methods(["GET", "POST"])
def verifikasi_index(request: HttpRequest) -> HttpResponse:
    """Enter a code (GET ?kode=) or upload a PDF to find it by its exact hash."""
    raw = request.GET.get("kode", "")
    if raw:
        kode = normalize_public_code(raw)
        if kode:
            return redirect("dokumen-verifikasi", kode=kode)
        messages.error(request, _("Kode verifikasi terdiri dari 10 huruf/angka, misalnya ABCDE-23456."))
    form = UnggahForm(request.POST or None, request.FILES or None)
    hasil, dokumen, code = (None, None, 200)
    if request.method == "POST":
        hasil, dokumen, code = _upload(request, form, None)
    resp = render(
        request,
        "dokumen/verifikasi.html",
        {"form": form, "hasil": hasil, "dokumen": dokumen, "mode": "index", "kode": raw},
        status=code,
    )
    return _public_headers(resp)


@never_cache
@require_http_methods(["GET", "POST"])
def verifikasi_detail(request: HttpRequest, kode: str) -> HttpResponse:
    """Public page of one signed document, and the upload check against it. No login."""
    if _rate_limited(request, "verifikasi-kode", _limit("KINERJA_VERIFIKASI_LOOKUP_RATE", (120, 60))):
        return _public_headers(render(request, "dokumen/verifikasi_batas.html", status=429))
    normal = normalize_public_code(kode)
    if normal and normal != kode:
        return redirect("dokumen-verifikasi", kode=normal)
    dokumen = dokumen_by_public_code_dangerously_unscoped(kode=normal)
    if dokumen is None:  # a friendly page that says so, still a 404 (no different answer for a bad format)
        tampil = format_public_code(normal) if normal else kode[:40]
        resp = render(request, "dokumen/verifikasi_tidak_terdaftar.html", {"kode_tampil": tampil}, status=404)
        return _public_headers(resp)
    form = UnggahForm(request.POST or None, request.FILES or None)
    hasil, code = None, 200
    if request.method == "POST":
        hasil, _d, code = _upload(request, form, dokumen)
    resp = render(
        request,
        "dokumen/verifikasi.html",
        {"form": form, "hasil": hasil, "dokumen": dokumen, "mode": "detail"},
        status=code,
    )
    return _public_headers(resp)


# ---------------------------------------------------------------- exports and document jobs


def _export_request(request: HttpRequest, params: dict[str, Any]) -> ExportRequest:
    return ExportRequest(
        instansi=request.instansi,  # type: ignore[attr-defined]
        actor=request.user,
        roles=request_roles(request),
        params=params,
    )


def _allowed(spec_roles: tuple[str, ...], roles: list[str]) -> bool:
    return not spec_roles or has_any_role(roles, spec_roles)


def _params_label(params: dict[str, Any], nama_unit: dict[int, str]) -> str:
    """A job's parameters for people: "Tahun 2026 · Seluruh instansi" (not ``tahun=2026, unit=None``)."""
    parts = []
    if "tahun" in params:
        parts.append(_("Tahun %(tahun)s") % {"tahun": params["tahun"]})
    if "unit" in params:
        unit = params["unit"]
        parts.append(
            nama_unit.get(unit, _("Unit kerja #%(id)s") % {"id": unit}) if unit else _("Seluruh instansi")
        )
    if params.get("skp"):
        parts.append(_("SKP #%(id)s") % {"id": params["skp"]})
    return " · ".join(parts)


@tenant_view(*ROLES_ORGANISASI)
def ekspor_index(request: HttpRequest) -> HttpResponse:
    """HR page: tabular exports (XLSX/CSV) and document jobs (PDF/ZIP) with their recent runs."""
    roles = request_roles(request)
    exports = [e for e in all_exports() if e.hr_page and _allowed(e.roles, roles)]
    jobs = [j for j in all_jobs() if j.hr_page and _allowed(j.roles, roles)]
    labels = {j.key: j.label for j in all_jobs()}
    recent = list(
        Job.objects.filter(instansi=request.instansi, jenis__in=list(labels))  # type: ignore[attr-defined]
        .select_related("dibuat_oleh")
        .order_by("-created_at", "-id")[:15]
    )
    units = list(unit_kerja_list(instansi=request.instansi))  # type: ignore[attr-defined]
    nama_unit = {u.pk: u.nama for u in units}
    for job in recent:
        job.label = _(labels.get(job.jenis, job.jenis))  # type: ignore[attr-defined]
        job.keterangan = _params_label(job.params, nama_unit)  # type: ignore[attr-defined]
        job.running = job.status in (JobStatus.ANTRI, JobStatus.BERJALAN)  # type: ignore[attr-defined]
    this_year = timezone.localdate().year
    return render(
        request,
        "dokumen/ekspor.html",
        {
            "exports": exports,
            "jobs": jobs,
            "recent": recent,
            "units": units,
            "tahun_pilihan": list(range(this_year + 1, this_year - 5, -1)),
            "tahun": this_year,
        },
    )


@tenant_view()
def ekspor_unduh(request: HttpRequest, key: str) -> HttpResponse:
    """One tabular export as XLSX (default) or CSV (``?format=csv``), access-checked by its spec."""
    spec = get_export(key)
    roles = request_roles(request)
    if spec is None or not _allowed(spec.roles, roles):
        raise Http404()
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404()
    raw = {p: request.GET.get(p) for p in spec.params}
    try:
        params = spec.authorize(_export_request(request, raw))
        req = _export_request(request, params)
        with read_replica():  # exports are lag-tolerant reads (kinerja/replica.py)
            headers, rows = spec.rows(req)
    except NotFoundOrForbidden:
        raise Http404() from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("dokumen-ekspor") if has_any_role(roles, ROLES_ORGANISASI) else redirect("dashboard")
    dokumen_ekspor_catat(
        actor=request.user,  # type: ignore[arg-type]
        instansi=request.instansi,  # type: ignore[attr-defined]
        key=spec.key,
        params=params,
        fmt=fmt,
        baris=len(rows),
    )
    name = spec.filename(req)
    if fmt == "csv":
        resp = HttpResponse(write_csv(headers, rows), content_type="text/csv; charset=utf-8")
    else:
        resp = HttpResponse(
            write_xlsx(
                headers,
                rows,
                title=spec.label,
                subtitle=f"{spec.label} - {request.instansi.nama}",  # type: ignore[attr-defined]
                widths=spec.widths,
            ),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    resp["Cache-Control"] = "private, no-store"
    return resp


@tenant_view()
@require_POST
def job_mulai(request: HttpRequest, key: str) -> HttpResponse:
    """Start a document job (PDF or ZIP in Celery) and go to its progress page."""
    spec = get_job(key)
    roles = request_roles(request)
    if spec is None or not _allowed(spec.roles, roles):
        raise Http404()
    raw = {p: request.POST.get(p) for p in spec.params}
    try:
        params = spec.authorize(_export_request(request, raw))
    except NotFoundOrForbidden:
        raise Http404() from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("dokumen-ekspor") if has_any_role(roles, ROLES_ORGANISASI) else redirect("dashboard")
    job = dokumen_job_start(
        actor=request.user,  # type: ignore[arg-type]
        instansi=request.instansi,  # type: ignore[attr-defined]
        spec=spec,
        params=params,
    )
    return redirect("dokumen-job", pk=job.pk)


@tenant_view()
def job_halaman(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress page of a document job (same visibility as ``job-progress``: HR sees the instansi's
    jobs, everyone else only their own; other instansi → 404)."""
    roles = request_roles(request)
    visible = job_visible_to(instansi=request.instansi, user=request.user, roles=roles)  # type: ignore[arg-type,attr-defined]
    job = visible.filter(pk=pk).first()
    spec = get_job(job.jenis) if job is not None else None
    if job is None or spec is None:
        raise Http404()
    return render(
        request,
        "dokumen/job.html",
        {
            "job": job,
            "spec": spec,
            "running": job.status in (JobStatus.ANTRI, JobStatus.BERJALAN),
            "hr": has_any_role(roles, ROLES_ORGANISASI),
        },
    )
