"""Exports and imports as background jobs: the API twins of the export page and the import page
(api-contract.md §7: ``POST ekspor/`` and ``POST impor/`` → 202 ``{"job"}``).

- Exports: the same registry the HR export page uses (``kinerja.documents``). A document job (PDF, ZIP)
  starts exactly as from the page (``dokumen_job_start``); a tabular export (XLSX/CSV, served directly
  by the page) runs as an ``ekspor_tabel`` job whose file is the job's result.
- Imports: the same ``impor_parse`` + ``pegawai_import`` as the import page and the command. The file is
  read at once (an unreadable file is a 400 before any job); the rows are validated and written by the
  job, which lists every bad row (line, column, reason) in ``detail.kesalahan`` and imports nothing then.
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from kinerja.documents import ExportRequest, get_export, get_job, write_csv, write_xlsx
from kinerja.exceptions import ApplicationError, NotFoundOrForbidden
from kinerja.models import Instansi, Job, JobStatus, User
from kinerja.services.dokumen import dokumen_ekspor_catat, dokumen_job_start
from kinerja.services.impor import ImporTidakValid, impor_parse, pegawai_import
from kinerja.services.jobs import job_create, job_fail, job_finish, job_set_detail, job_start

logger = logging.getLogger(__name__)

JENIS_EKSPOR_TABEL = "ekspor_tabel"
JENIS_IMPOR = "impor_pegawai"
FORMAT_TABEL = ("xlsx", "csv")


def _allowed(spec_roles: tuple[str, ...], roles: list[str]) -> bool:
    return not spec_roles or bool(set(spec_roles) & set(roles))


def _enqueue_on_commit(task_path: str, tenant_id: int, job_id: int) -> None:
    from django.utils.module_loading import import_string

    from kinerja.tasks import enqueue_safely

    task = import_string(task_path)
    transaction.on_commit(lambda: enqueue_safely(task, tenant_id, job_id, job_id=job_id))


# ---------------------------------------------------------------- exports


@transaction.atomic
def ekspor_job_start(
    *,
    actor: User,
    instansi: Instansi,
    roles: list[str],
    jenis: str,
    format: str | None,
    params: dict[str, Any],
) -> Job:
    """Start an export named by its registry key with the page's own authorisation (an unknown key, a
    role that may not run it, or a unit/SKP the actor may not see: 404). Audited through the job."""
    raw = {k: v for k, v in params.items() if v is not None}
    doc = get_job(jenis)
    if doc is not None:
        if not _allowed(doc.roles, roles):
            raise NotFoundOrForbidden()
        if format not in (None, "", "pdf", "zip"):
            raise ApplicationError(
                _("Format tidak tersedia untuk ekspor ini."),
                errors={"format": [_("Ekspor ini menghasilkan berkas PDF/ZIP; kosongkan format.")]},
            )
        cleaned = doc.authorize(ExportRequest(instansi=instansi, actor=actor, roles=roles, params=raw))
        return dokumen_job_start(actor=actor, instansi=instansi, spec=doc, params=cleaned)
    spec = get_export(jenis)
    if spec is None or not _allowed(spec.roles, roles):
        raise NotFoundOrForbidden()
    fmt = format or "xlsx"
    if fmt not in FORMAT_TABEL:
        raise ApplicationError(
            _("Format tidak tersedia untuk ekspor ini."),
            errors={"format": [_("Pilih xlsx atau csv.")]},
        )
    cleaned = spec.authorize(ExportRequest(instansi=instansi, actor=actor, roles=roles, params=raw))
    job = job_create(
        actor=actor,
        instansi=instansi,
        jenis=JENIS_EKSPOR_TABEL,
        params={"jenis": spec.key, "format": fmt, "params": cleaned, "roles": sorted(roles)},
    )
    _enqueue_on_commit("kinerja.tasks.ekspor_tabel_task", instansi.pk, job.pk)
    return job


def ekspor_tabel_run(*, job_id: int) -> Job | None:
    """Job body of a tabular export: the rows of the export with the params and roles checked when it
    was started, written as XLSX/CSV, attached as the job's result. Idempotent (a finished job is left)."""
    job = Job.objects.select_related("instansi", "dibuat_oleh").filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.SELESAI, JobStatus.GAGAL):
        return job
    spec = get_export(str(job.params.get("jenis", "")))
    if spec is None:
        job_fail(job_id=job_id, pesan=_("Jenis ekspor tidak dikenal."))
        return job
    job_start(job_id=job_id, total=1)
    fmt = job.params.get("format", "xlsx")
    req = ExportRequest(
        instansi=job.instansi,
        actor=job.dibuat_oleh,
        roles=list(job.params.get("roles", [])),
        params=dict(job.params.get("params", {})),
    )
    try:
        headers, rows = spec.rows(req)
        if fmt == "csv":
            data = write_csv(headers, rows)
        else:
            data = write_xlsx(
                headers,
                rows,
                title=spec.label,
                subtitle=f"{spec.label} - {job.instansi.nama}",
                widths=spec.widths,
            )
        name = f"{spec.filename(req)}.{fmt}"
        job.hasil.save(name, File(io.BytesIO(data)), save=False)
        Job.objects.filter(pk=job.pk).update(hasil=job.hasil.name)
    except Exception as exc:
        logger.exception("Job ekspor %s gagal", job_id)
        job_fail(job_id=job_id, pesan=_("Ekspor gagal dibuat: %(e)s") % {"e": exc})
        raise
    if job.dibuat_oleh is not None:
        dokumen_ekspor_catat(
            actor=job.dibuat_oleh,
            instansi=job.instansi,
            key=spec.key,
            params=req.params,
            fmt=fmt,
            baris=len(rows),
        )
    job_finish(
        job_id=job_id, detail={"tahap": "selesai", "jenis": spec.key, "baris": len(rows), "berkas": name}
    )
    return job


# ---------------------------------------------------------------- imports


def _impor_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "impor-api"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _impor_path(token: str) -> Path:
    if not token.replace("-", "").replace("_", "").isalnum():
        raise ValueError("bad token")
    return _impor_dir() / f"{token}.bin"


@transaction.atomic
def impor_job_start(
    *, actor: User, instansi: Instansi, content: bytes, nama_berkas: str, dry_run: bool = False
) -> Job:
    """Check that the file can be read at all (``ImporBerkasError``: 400 now), keep its bytes in a
    private file and queue the import. The rows are validated by the job, as on the page."""
    if len(content) > settings.KINERJA_IMPORT_MAX_BYTES:
        raise ApplicationError(
            _("Berkas terlalu besar."),
            errors={"berkas": [_("Berkas melebihi batas ukuran impor.")]},
        )
    try:
        impor_parse(content=content, nama_berkas=nama_berkas)
    except ApplicationError as exc:
        raise ApplicationError(exc.message, errors={"berkas": [exc.message]}) from None
    token = secrets.token_urlsafe(24)
    _impor_path(token).write_bytes(content)
    job = job_create(
        actor=actor,
        instansi=instansi,
        jenis=JENIS_IMPOR,
        params={
            "nama_berkas": nama_berkas[:255],
            "dry_run": dry_run,
            "sha256": hashlib.sha256(content).hexdigest(),
            "token": token,
        },
    )
    _enqueue_on_commit("kinerja.tasks.impor_pegawai_task", instansi.pk, job.pk)
    return job


def impor_job_run(*, job_id: int) -> Job | None:
    """Job body of an API import: ``pegawai_import`` on the kept bytes. Every bad row → the job fails
    with ``detail.kesalahan`` = [{baris, kolom, alasan}] and nothing imported; success → the counts.
    Idempotent: a finished job is left alone, and the kept file is removed once it is done."""
    job = Job.objects.select_related("instansi", "dibuat_oleh").filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.SELESAI, JobStatus.GAGAL):
        return job
    params = job.params
    path = _impor_path(str(params.get("token", "")))
    try:
        content = path.read_bytes()
    except OSError:
        job_fail(job_id=job_id, pesan=_("Berkas impor tidak ditemukan lagi. Kirim ulang berkasnya."))
        return job
    if hashlib.sha256(content).hexdigest() != params.get("sha256"):
        job_fail(job_id=job_id, pesan=_("Berkas impor berubah sejak dikirim. Kirim ulang berkasnya."))
        return job
    job_start(job_id=job_id, total=1)
    try:
        berkas = impor_parse(content=content, nama_berkas=str(params.get("nama_berkas", "")))
        hasil = pegawai_import(
            actor=job.dibuat_oleh, instansi=job.instansi, berkas=berkas, dry_run=bool(params.get("dry_run"))
        )
    except ImporTidakValid as exc:
        job_set_detail(
            job_id=job_id,
            detail={
                "tahap": "tidak_valid",
                "jumlah_kesalahan": len(exc.kesalahan),
                "kesalahan": [
                    {"baris": k.baris, "kolom": k.kolom, "alasan": k.alasan} for k in exc.kesalahan
                ],
            },
        )
        job_fail(job_id=job_id, pesan=exc.message)
    except ApplicationError as exc:
        job_fail(job_id=job_id, pesan=exc.message)
    else:
        job_finish(
            job_id=job_id,
            detail={
                "tahap": "selesai",
                "dry_run": hasil.dry_run,
                "baris": hasil.baris,
                "unit_dibuat": hasil.unit_dibuat,
                "jabatan_dibuat": hasil.jabatan_dibuat,
                "pegawai_dibuat": hasil.pegawai_dibuat,
                "pegawai_diperbarui": hasil.pegawai_diperbarui,
                "mutasi": hasil.mutasi,
                "tidak_berubah": hasil.tidak_berubah,
                "ringkasan": hasil.ringkasan(),
                "kesalahan": [],
            },
        )
    path.unlink(missing_ok=True)
    return job
