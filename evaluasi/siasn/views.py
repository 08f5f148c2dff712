"""Admin pages of the SIASN integration (admin_instansi / platform_admin; 404 for everyone else).

* ``siasn`` — send a year as a background job: progress bar, per-pegawai results, history, audit export.
* ``siasn-tarik`` — compare pegawai with SIASN's data-utama, then apply on confirmation.
* ``siasn-audit`` — every payload sent and SIASN's answer (CSV or XLSX) for inspectors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from evaluasi.models import JenisKirimanSiasn, StatusKirimanSiasn
from evaluasi.siasn.audit import siasn_audit_response
from evaluasi.siasn.client import SiasnClient, SiasnError
from evaluasi.siasn.config import WAJIB, SiasnBelumDiatur, env_prefix, siasn_config_for, siasn_diatur
from evaluasi.siasn.forms import SiasnKirimForm, SiasnTarikForm
from evaluasi.siasn.jobs import JOB_SIASN, siasn_kirim_start, siasn_log_job
from evaluasi.siasn.kode import KODE_SIASN
from evaluasi.siasn.tarik import (
    LABEL,
    MAX_NIP_HALAMAN,
    parse_nip,
    perbandingan_hash,
    siasn_tarik_bandingkan,
    siasn_tarik_terapkan,
)
from kinerja.exceptions import ApplicationError
from kinerja.models import Instansi, Job, JobStatus, User
from kinerja.web import ROLES_IMPOR, tenant_view

HASIL_PER_HALAMAN = 50


def _req(request: HttpRequest) -> tuple[Instansi, User]:
    return request.instansi, request.user  # type: ignore[attr-defined,return-value]


def _pengaturan(instansi: Instansi) -> dict[str, Any]:
    """Whether SIASN is configured, and the variable names (never the values)."""
    return {"diatur": siasn_diatur(instansi.kode), "prefix": env_prefix(instansi.kode), "wajib": WAJIB}


@tenant_view(*ROLES_IMPOR)
@require_http_methods(["GET", "POST"])
def siasn(request: HttpRequest) -> HttpResponse:
    instansi, user = _req(request)
    form = SiasnKirimForm(
        initial={"tahun": timezone.localdate().year, "jenis": [c for c, _l in JenisKirimanSiasn.choices]}
    )
    status = 200
    if request.method == "POST":
        form = SiasnKirimForm(request.POST)
        if form.is_valid():
            try:
                started = siasn_kirim_start(
                    actor=user,
                    instansi=instansi,
                    tahun=form.cleaned_data["tahun"],
                    jenis=tuple(form.cleaned_data["jenis"]),
                )
            except ApplicationError as exc:
                for field, errs in exc.errors.items():
                    for e in errs:
                        form.add_error(field if field in form.fields else None, e)
                if not exc.errors:
                    form.add_error(None, exc.message)
                status = exc.status_code
            else:
                return redirect(f"{reverse('evaluasi:siasn')}?job={started.pk}")
        else:
            status = 400
    jobs = list(Job.objects.filter(instansi=instansi, jenis=JOB_SIASN).order_by("-created_at", "-id")[:10])
    job = _job_dipilih(request, instansi, jobs)
    ctx = {
        "form": form,
        "jobs": jobs,
        "tahun_audit": timezone.localdate().year,
        "kode": KODE_SIASN,
        **_pengaturan(instansi),
        **_hasil_context(request, instansi, job),
    }
    if request.GET.get("bagian") == "hasil" and job is not None:
        resp = render(request, "evaluasi/siasn/_hasil.html", ctx)
        if not ctx["running"] and request.headers.get("HX-Request"):
            resp["HX-Refresh"] = "true"  # the run ended: reload once so the history shows its outcome
        return resp
    return render(request, "evaluasi/siasn/kirim.html", ctx, status=status)


def _job_dipilih(request: HttpRequest, instansi: Instansi, jobs: list[Job]) -> Job | None:
    raw = request.GET.get("job", "")
    if raw.isascii() and raw.isdigit():
        job = Job.objects.filter(instansi=instansi, jenis=JOB_SIASN, pk=int(raw)).first()
        if job is None:
            raise Http404()
        return job
    return jobs[0] if jobs else None


def _hasil_context(request: HttpRequest, instansi: Instansi, job: Job | None) -> dict[str, Any]:
    if job is None:
        return {"job": None}
    saring = request.GET.get("hasil", "")
    if saring not in StatusKirimanSiasn.values:
        saring = ""
    page = Paginator(
        siasn_log_job(instansi=instansi, job=job, hasil=saring or None), HASIL_PER_HALAMAN
    ).get_page(request.GET.get("hal"))
    return {
        "job": job,
        "running": job.status in (JobStatus.ANTRI, JobStatus.BERJALAN),
        "d": job.detail or {},
        "baris": page,
        "saring": saring,
        "label_jenis": dict(JenisKirimanSiasn.choices),
    }


@tenant_view(*ROLES_IMPOR)
@require_http_methods(["GET", "POST"])
def siasn_tarik(request: HttpRequest) -> HttpResponse:
    """Compare pegawai with SIASN (POST ``aksi=bandingkan``), apply what was shown (``aksi=terapkan``)."""
    instansi, user = _req(request)
    form = SiasnTarikForm(request.POST or None)
    ctx: dict[str, Any] = {"form": form, "label": LABEL, **_pengaturan(instansi)}
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "evaluasi/siasn/tarik.html", ctx, status=400)
        try:
            nips = parse_nip(form.cleaned_data["nip"], maks=MAX_NIP_HALAMAN)
        except ValueError as exc:
            form.add_error("nip", str(exc))
            return render(request, "evaluasi/siasn/tarik.html", ctx, status=400)
        try:
            with SiasnClient(siasn_config_for(instansi.kode)) as client:
                rows = siasn_tarik_bandingkan(instansi=instansi, nips=nips, client=client)
        except (SiasnBelumDiatur, SiasnError) as exc:
            form.add_error(None, getattr(exc, "pesan", None) or str(exc))
            return render(
                request,
                "evaluasi/siasn/tarik.html",
                ctx,
                status=400 if isinstance(exc, SiasnBelumDiatur) else 502,
            )
        sidik = perbandingan_hash(rows)
        if request.POST.get("aksi") == "terapkan":
            if request.POST.get("sidik") != sidik:
                messages.warning(
                    request,
                    _(
                        "Data di SIASN atau di aplikasi berubah sejak perbedaan ditampilkan; periksa lagi lalu terapkan."
                    ),
                )
                status = 409
            else:
                n, catatan = siasn_tarik_terapkan(actor=user, instansi=instansi, rows=rows)
                messages.success(request, _("%(n)d pegawai diperbarui dari SIASN.") % {"n": n})
                for c in catatan:
                    messages.warning(request, c)
                return redirect("evaluasi:siasn-tarik")
        ctx.update(rows=rows, sidik=sidik, ada_beda=any(r.beda for r in rows))
    return render(request, "evaluasi/siasn/tarik.html", ctx, status=status)


@tenant_view(*ROLES_IMPOR)
def siasn_audit(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every payload sent to SIASN and its answer for a year, as CSV (streamed) or XLSX."""
    instansi, _user = _req(request)
    raw = request.GET.get("tahun", "")
    if not (raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100):  # "²".isdigit(): int() fails
        raise Http404()
    return siasn_audit_response(
        instansi=instansi, tahun=int(raw), format="xlsx" if request.GET.get("format") == "xlsx" else "csv"
    )
