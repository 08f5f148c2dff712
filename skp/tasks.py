"""SKP Celery tasks: thin, take ids, idempotent (TenantTask activates the instansi scope)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from kinerja.models import Dokumen, Instansi, Job
from kinerja.replica import read_replica
from kinerja.services.dokumen import ZipEntry, dokumen_create_signed, dokumen_job_pdf, dokumen_zip_build
from kinerja.tenancy import TenantTask
from skp.documents import (
    SKP_SUMBER,
    matriks_document_kwargs,
    skp_document_filename,
    skp_document_kwargs,
    skp_for_bulk_zip,
    skp_rekap_document_kwargs,
)
from skp.models import SkpStatus
from skp.selectors import skp_detail_queryset

logger = logging.getLogger(__name__)

DOCUMENT_STATUSES = (SkpStatus.DISETUJUI, SkpStatus.DIGANTI)
RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_kwargs": {"max_retries": 5},
    "acks_late": True,  # every task below is idempotent (tests run them twice)
}


def _ensure_skp_documents(instansi: Instansi, skp_ids: list[int]) -> dict[int, Dokumen]:
    """Render and sign the documents of approved SKPs that have none yet (idempotent)."""
    out: dict[int, Dokumen] = {}
    for skp in skp_detail_queryset(instansi=instansi).filter(pk__in=skp_ids, status__in=DOCUMENT_STATUSES):
        out[skp.pk] = dokumen_create_signed(**skp_document_kwargs(skp=skp, instansi=instansi))
    return out


@shared_task(base=TenantTask, name="skp.tasks.skp_document_render_task", **RETRY)
def skp_document_render_task(tenant_id: int, skp_id: int) -> int | None:
    """Render + sign the PDF of an approved SKP. A no-op when the signed document of this SKP
    version exists, or when the SKP is missing or not approved. Returns the Dokumen id."""
    instansi = Instansi.objects.get(pk=tenant_id)
    docs = _ensure_skp_documents(instansi, [skp_id])
    dok = docs.get(skp_id)
    return dok.pk if dok else None


def _job_params(job_id: int) -> tuple[Job | None, dict[str, Any]]:
    job = Job.objects.filter(pk=job_id).first()
    return job, (job.params if job else {})


@shared_task(base=TenantTask, name="skp.tasks.skp_bulk_zip_task", **RETRY)
def skp_bulk_zip_task(tenant_id: int, job_id: int) -> int | None:
    """ZIP of the signed PDFs of all approved SKPs of a year (unit subtree or whole instansi)."""
    instansi = Instansi.objects.get(pk=tenant_id)
    job, params = _job_params(job_id)
    if job is None:
        return None
    tahun, unit_id = int(params["tahun"]), params.get("unit")
    skps = list(skp_for_bulk_zip(instansi=instansi, tahun=tahun, unit_id=unit_id))
    entries = [
        ZipEntry(
            sumber_id=s.pk,
            arcname=f"{_safe(s.pegawai.unit_kerja.nama)}/{skp_document_filename(skp=s)}",
            manifest={"nip": s.pegawai.nip, "nama": s.pegawai.nama, "unit_kerja": s.pegawai.unit_kerja.nama},
        )
        for s in skps
    ]
    scope = f"unit{unit_id}" if unit_id else instansi.kode
    dokumen_zip_build(
        job_id=job_id,
        instansi_id=instansi.pk,
        jenis="skp",
        sumber_type=SKP_SUMBER,
        entries=entries,
        ensure=lambda ids: _ensure_skp_documents(instansi, ids),
        filename=f"SKP-{tahun}-{_safe(scope)}-{job_id}.zip",
    )
    return job_id


def _rekap_signed(*, instansi: Instansi, tahun: int, unit_id: int | None) -> Dokumen:
    """The rekap is a report: its data is read from the read replica (kinerja/replica.py)."""
    with read_replica():
        kwargs = skp_rekap_document_kwargs(instansi=instansi, tahun=tahun, unit_id=unit_id)
        ctx = kwargs.get("context")
        if callable(ctx):
            kwargs["context"] = ctx()
    return dokumen_create_signed(**kwargs)


@shared_task(base=TenantTask, name="skp.tasks.skp_rekap_pdf_task", **RETRY)
def skp_rekap_pdf_task(tenant_id: int, job_id: int) -> int | None:
    """Signed PDF rekap of SKP completion per unit (with each unit's pegawai)."""
    instansi = Instansi.objects.get(pk=tenant_id)
    job, params = _job_params(job_id)
    if job is None:
        return None
    tahun, unit_id = int(params["tahun"]), params.get("unit")
    dokumen_job_pdf(
        job_id=job_id,
        build=lambda: _rekap_signed(instansi=instansi, tahun=tahun, unit_id=unit_id),
        filename=f"rekap-skp-{tahun}-{job_id}.pdf",
    )
    return job_id


@shared_task(base=TenantTask, name="skp.tasks.skp_matriks_pdf_task", **RETRY)
def skp_matriks_pdf_task(tenant_id: int, job_id: int) -> int | None:
    """Signed PDF of the Matriks Peran Hasil of a leader's SKP."""
    instansi = Instansi.objects.get(pk=tenant_id)
    job, params = _job_params(job_id)
    if job is None:
        return None
    skp = skp_detail_queryset(instansi=instansi).filter(pk=params["skp"]).first()
    if skp is None:
        from kinerja.services.jobs import job_fail

        job_fail(job_id=job_id, pesan="SKP tidak ditemukan.")
        return None
    tim = None
    if params.get("tim"):
        from kinerja.models import TimKerja

        tim = TimKerja.objects.filter(instansi=instansi, pk=params["tim"]).select_related("ketua").first()
    dokumen_job_pdf(
        job_id=job_id,
        build=lambda: dokumen_create_signed(
            **matriks_document_kwargs(leader_skp=skp, instansi=instansi, tim=tim)
        ),
        filename=f"matriks-peran-hasil-{skp.tahun}-{skp.pegawai.nip}-{job_id}.pdf",
    )
    return job_id


def _safe(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in " -_." else "_" for ch in name).strip()
    return keep[:80] or "tanpa-nama"
