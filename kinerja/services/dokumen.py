"""Signed documents: create (render → QR → sign → store once), verify uploads, document jobs.

Entry point for every app that produces a signed PDF (SKP now, evaluasi later)::

    from kinerja.models import JenisDokumen
    from kinerja.services.dokumen import dokumen_create_signed

    dok = dokumen_create_signed(
        instansi_id=ev.instansi_id,
        jenis=JenisDokumen.EVALUASI_KINERJA,
        judul="Evaluasi Kinerja Pegawai Triwulan I 2026 - Nama",
        template_name="evaluasi/pdf/evaluasi.html",   # {% extends "dokumen/_base.html" %}
        context=lambda: evaluasi_document_context(ev),  # dict or zero-arg callable
        signer_label="Pejabat Penilai Kinerja: Nama",
        pegawai_id=ev.pegawai_id, pegawai_nama=..., pegawai_nip=...,
        sumber_type="evaluasi.evaluasiperiodik", sumber_id=ev.pk, sumber_versi=str(ev.versi),
    )

Call it from a Celery task only: it renders with WeasyPrint (never inside a request).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from kinerja.documents import DocumentJob, html_to_pdf, new_public_code, render_html, verification_context
from kinerja.models import Dokumen, Instansi, Job, JobStatus, User
from kinerja.selectors.dokumen import DokumenPublik, dokumen_for_source, dokumen_for_sources
from kinerja.services.audit import audit_log
from kinerja.services.jobs import job_advance, job_create, job_fail, job_finish, job_start
from kinerja.signing import DEMO_LABEL, get_signer, load_trust_roots, outside_event_loop, signature_info

logger = logging.getLogger(__name__)

MAX_KODE_ATTEMPTS = 5


# ---------------------------------------------------------------- create


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _unused_code() -> str:
    """A fresh public code. Codes are unique across all instansi, so the check reads the whole
    table through the base manager (existence only, nothing is returned)."""
    for _ in range(MAX_KODE_ATTEMPTS):
        code = new_public_code()
        if not Dokumen._base_manager.filter(kode=code).exists():
            return code
    raise RuntimeError("Tidak dapat membuat kode verifikasi unik.")


def dokumen_create_signed(
    *,
    instansi_id: int,
    jenis: str,
    judul: str,
    template_name: str,
    context: dict[str, Any] | Callable[[], dict[str, Any]],
    signer_label: str,
    pegawai_id: int | None = None,
    pegawai_nama: str = "",
    pegawai_nip: str = "",
    sumber_type: str = "",
    sumber_id: int | None = None,
    sumber_versi: str = "",
    metadata: dict[str, Any] | None = None,
    reason: str = "",
    masih_berlaku: Callable[[], bool] | None = None,
) -> Dokumen:
    """Render ``template_name`` to PDF with a QR code and public code, sign it (PAdES, the
    instansi's certificate), and store it once with its SHA-256. Audited.

    Idempotent per source: with ``sumber_id`` set, an existing document for the same
    ``(jenis, sumber_type, sumber_id, sumber_versi)`` is returned without rendering; a concurrent
    duplicate loses on the unique constraint and returns the winner.

    ``masih_berlaku`` (optional) is called in the storing transaction, after the slow render and sign:
    it may lock the source row and answer whether the rendered state is still the current one; when it
    answers False nothing is stored and ``DokumenUsang`` is raised (a newer render will sign).
    """
    if sumber_id is not None:
        existing = dokumen_for_source(
            instansi_id=instansi_id,
            jenis=jenis,
            sumber_type=sumber_type,
            sumber_id=sumber_id,
            sumber_versi=sumber_versi,
        )
        if existing is not None:
            return existing
    instansi = Instansi.objects.get(pk=instansi_id)
    signer = get_signer()
    trust_roots = signer.trust_roots_pem(instansi=instansi)
    demo = _is_demo_roots(trust_roots)
    kode = _unused_code()
    with translation.override("id"):  # official documents are in Indonesian whatever the UI language
        ctx = dict(context() if callable(context) else context)
    ctx.setdefault("judul", judul)
    ctx.setdefault("instansi", {"nama": instansi.nama, "kode": instansi.kode, "tempat": instansi.tempat})
    ctx["verifikasi"] = verification_context(kode)
    ctx["demo"] = demo
    with translation.override("id"):
        pdf = html_to_pdf(render_html(template_name, ctx))
    signed = signer.sign(
        pdf, instansi=instansi, reason=reason or judul, location=instansi.tempat or instansi.nama
    )
    info = signature_info(signed)
    now = timezone.now()
    dok = Dokumen(
        instansi_id=instansi_id,
        jenis=jenis,
        kode=kode,
        judul=judul[:255],
        pegawai_id=pegawai_id,
        pegawai_nama=pegawai_nama[:255],
        pegawai_nip="".join(pegawai_nip.split())[:32],
        sumber_type=sumber_type,
        sumber_id=sumber_id,
        sumber_versi=sumber_versi,
        sha256=_sha256(signed),
        ukuran=len(signed),
        penandatangan=signer_label[:255],
        sertifikat_subjek=info.subjek[:500],
        sertifikat_penerbit=info.penerbit[:500],
        sertifikat_serial=info.serial[:80],
        sertifikat_sha256=info.sertifikat_sha256,
        akar_kepercayaan_pem=trust_roots,
        demo=demo,
        ditandatangani_at=info.waktu or now,
        metadata=metadata or {},
    )
    dok.berkas.save(f"{kode}.pdf", ContentFile(signed), save=False)
    _make_read_only(dok)
    try:
        with transaction.atomic():
            if masih_berlaku is not None and not masih_berlaku():
                raise DokumenUsang(f"{sumber_type}:{sumber_id}:{sumber_versi}")
            dok.save()
            audit_log(
                actor=None,
                instansi=instansi_id,
                action="dokumen.ditandatangani",
                obj=dok,
                after={
                    "jenis": jenis,
                    "kode": kode,
                    "sha256": dok.sha256,
                    "sumber": f"{sumber_type}:{sumber_id}:{sumber_versi}",
                },
            )
    except DokumenUsang:
        _remove_file(dok)
        raise
    except IntegrityError:
        _remove_file(dok)
        if sumber_id is None:
            raise
        winner = dokumen_for_source(
            instansi_id=instansi_id,
            jenis=jenis,
            sumber_type=sumber_type,
            sumber_id=sumber_id,
            sumber_versi=sumber_versi,
        )
        if winner is None:
            raise
        return winner
    return dok


class DokumenUsang(Exception):
    """The source changed while its document was rendered: the render was not stored."""


def _is_demo_roots(pem: str) -> bool:
    try:
        return any(DEMO_LABEL in c.subject.human_friendly for c in load_trust_roots(pem))
    except ValueError:
        return False


def _make_read_only(dok: Dokumen) -> None:
    # non-filesystem storage (no .path): the storage's own immutability policy applies
    with contextlib.suppress(NotImplementedError, OSError):
        os.chmod(dok.berkas.path, 0o444)


def _remove_file(dok: Dokumen) -> None:
    try:
        dok.berkas.storage.delete(dok.berkas.name or "")
    except OSError:
        logger.warning("Tidak dapat menghapus berkas yatim %s", dok.berkas.name)


class DokumenRusak(Exception):
    """The stored file no longer matches its recorded SHA-256 (storage corruption/tampering)."""


def dokumen_read_verified(*, dokumen: Dokumen) -> bytes:
    """The stored bytes, after checking them against the recorded SHA-256."""
    with dokumen.berkas.open("rb") as fh:
        data = fh.read()
    if _sha256(data) != dokumen.sha256:
        logger.error("Dokumen %s: SHA-256 berkas tidak cocok dengan catatan", dokumen.pk)
        raise DokumenRusak(dokumen.kode)
    return data


# ---------------------------------------------------------------- verify an uploaded PDF


class StatusVerifikasi(TextChoices):
    ASLI = "asli", "Asli dan utuh"
    TIDAK_VALID = "tidak_valid", "Tanda tangan tidak valid / dokumen diubah"
    DITANDATANGANI_ULANG = "ditandatangani_ulang", "Ditandatangani ulang oleh pihak lain"
    TIDAK_DIKENAL = "tidak_dikenal", "Tidak dikenal"


@dataclass(frozen=True)
class HasilVerifikasi:
    status: str
    keterangan: str
    sha256: str
    penandatangan: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(StatusVerifikasi(self.status).label)


@dataclass(frozen=True)
class _SigCheck:
    ours: bool
    intact: bool
    valid: bool
    trusted: bool
    entire_file: bool
    subject: str


def _check_signatures(data: bytes, dokumen: DokumenPublik) -> list[_SigCheck] | None:
    """Validate every embedded signature against the instansi's trust anchors (from the record,
    not from the file). ``None`` when the file cannot be read as a PDF."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        sigs = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception:
        return None
    vc = ValidationContext(
        trust_roots=load_trust_roots(dokumen.akar_kepercayaan_pem),
        allow_fetching=False,
        moment=dokumen.ditandatangani_at,
    )
    checks = []
    for sig in sigs:
        try:
            cert = sig.signer_cert
            subject, fingerprint = cert.subject.human_friendly, cert.sha256.hex()
        except Exception:
            checks.append(_SigCheck(False, False, False, False, False, "(tidak terbaca)"))
            continue
        try:
            st = outside_event_loop(validate_pdf_signature, sig, vc)
            intact, valid, trusted = bool(st.intact), bool(st.valid), bool(st.trusted)
            entire = st.coverage == SignatureCoverageLevel.ENTIRE_FILE
        except Exception as exc:
            logger.info("Validasi tanda tangan gagal: %s", exc)
            intact = valid = trusted = entire = False
        checks.append(
            _SigCheck(fingerprint == dokumen.sertifikat_sha256, intact, valid, trusted, entire, subject)
        )
    return checks


def dokumen_verify_upload(*, dokumen: DokumenPublik, data: bytes) -> HasilVerifikasi:
    """Is ``data`` the intact, validly signed original of ``dokumen``?

    1. Read every signature and validate it with pyHanko against the trust anchors recorded at
       signing time (the instansi CA), at the recorded signing time.
    2. Same SHA-256 as the stored file and our signature intact, trusted, covering the whole file
       → ``asli``.
    3. Our certificate but content not matching its signature, or bytes appended after it
       without another valid signature → ``tidak_valid``.
    4. A valid signature by someone else (another certificate, or appended after ours)
       → ``ditandatangani_ulang``.
    5. No signature, not a PDF, or another genuine document of ours → ``tidak_dikenal``.
    """
    sha = _sha256(data)
    checks = _check_signatures(data, dokumen)
    if checks is None:
        if b"/ByteRange" in data:
            return HasilVerifikasi(
                StatusVerifikasi.TIDAK_VALID,
                "Berkas rusak atau telah diubah sehingga tanda tangannya tidak dapat diperiksa.",
                sha,
            )
        return HasilVerifikasi(StatusVerifikasi.TIDAK_DIKENAL, "Berkas ini bukan PDF yang dapat dibaca.", sha)
    if not checks:
        return HasilVerifikasi(
            StatusVerifikasi.TIDAK_DIKENAL, "PDF ini tidak memuat tanda tangan elektronik.", sha
        )
    subjects = [c.subject for c in checks]
    ours = [c for c in checks if c.ours]
    others_valid = [c for c in checks if not c.ours and c.intact and c.valid]
    if ours:
        o = ours[0]
        if not (o.intact and o.valid):
            return HasilVerifikasi(
                StatusVerifikasi.TIDAK_VALID,
                "Isi berkas tidak cocok dengan tanda tangan elektronik instansi: dokumen telah diubah.",
                sha,
                subjects,
            )
        if not o.entire_file:
            if others_valid:
                return HasilVerifikasi(
                    StatusVerifikasi.DITANDATANGANI_ULANG,
                    "Setelah ditandatangani instansi, dokumen diubah dan ditandatangani lagi oleh "
                    + ", ".join(c.subject for c in others_valid)
                    + ".",
                    sha,
                    subjects,
                )
            return HasilVerifikasi(
                StatusVerifikasi.TIDAK_VALID,
                "Dokumen diubah setelah ditandatangani (ada tambahan setelah tanda tangan instansi).",
                sha,
                subjects,
            )
        if sha == dokumen.sha256 and o.trusted:
            return HasilVerifikasi(
                StatusVerifikasi.ASLI,
                "Berkas identik dengan arsip dan tanda tangan elektronik instansi sah.",
                sha,
                subjects,
            )
        if not o.trusted:
            return HasilVerifikasi(
                StatusVerifikasi.TIDAK_VALID,
                "Tanda tangan tidak dapat divalidasi terhadap sertifikat akar instansi.",
                sha,
                subjects,
            )
        return HasilVerifikasi(
            StatusVerifikasi.TIDAK_DIKENAL,
            "Berkas ditandatangani instansi, tetapi bukan dokumen dengan kode verifikasi ini.",
            sha,
            subjects,
        )
    if others_valid:
        return HasilVerifikasi(
            StatusVerifikasi.DITANDATANGANI_ULANG,
            "Tanda tangan utuh, tetapi dibuat oleh pihak lain ("
            + ", ".join(c.subject for c in others_valid)
            + "), bukan sertifikat instansi untuk dokumen ini.",
            sha,
            subjects,
        )
    return HasilVerifikasi(
        StatusVerifikasi.TIDAK_VALID, "Tanda tangan pada berkas ini tidak valid.", sha, subjects
    )


# ---------------------------------------------------------------- exports


def dokumen_ekspor_catat(
    *, actor: User, instansi: Instansi, key: str, params: dict[str, Any], fmt: str, baris: int
) -> None:
    """Audit who exported which personal data (exports are served directly, not stored)."""
    audit_log(
        actor=actor,
        instansi=instansi,
        action=f"ekspor.{key}",
        object_type="ekspor",
        object_id=key[:64],
        object_repr=f"{key} ({fmt})",
        after={**params, "format": fmt, "baris": baris},
    )


# ---------------------------------------------------------------- document jobs (PDF, ZIP)


@transaction.atomic
def dokumen_job_start(*, actor: User, instansi: Instansi, spec: DocumentJob, params: dict[str, Any]) -> Job:
    """Record a document job and queue its task on commit. An identical job of the same actor
    that is still queued or running is returned instead of starting a second one."""
    running = (
        Job.objects.filter(
            instansi=instansi,
            jenis=spec.key,
            params=params,
            dibuat_oleh=actor,
            status__in=[JobStatus.ANTRI, JobStatus.BERJALAN],
        )
        .order_by("-created_at")
        .first()
    )
    if running is not None:
        return running
    job = job_create(actor=actor, instansi=instansi, jenis=spec.key, params=params)
    task = import_string(spec.task)
    tenant_id, job_id = instansi.pk, job.pk
    # Queue down (Redis): the job stays ``antri`` "waiting for the queue" and the progress poll
    # re-queues it once the queue is back (kinerja.services.jobs.job_requeue_waiting); no 503.
    from kinerja.tasks import enqueue_safely

    transaction.on_commit(lambda: enqueue_safely(task, tenant_id, job_id, job_id=job_id))
    return job


def _attach_result(*, job: Job, filename: str, fh: Any) -> None:
    job.hasil.save(filename, File(fh), save=False)
    Job.objects.filter(pk=job.pk).update(hasil=job.hasil.name)


def dokumen_job_pdf(*, job_id: int, build: Callable[[], Dokumen], filename: str) -> Job | None:
    """Job body for one signed PDF: build (idempotent) and attach a copy as the job's result."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.SELESAI, JobStatus.GAGAL):
        return job
    job_start(job_id=job_id, total=1)
    try:
        dok = build()
        data = dokumen_read_verified(dokumen=dok)
        _attach_result(job=job, filename=filename, fh=io.BytesIO(data))
    except Exception as exc:
        logger.exception("Job dokumen %s gagal", job_id)
        job_fail(job_id=job_id, pesan=f"Dokumen gagal dibuat: {exc}")
        raise
    job_finish(job_id=job_id, detail={"tahap": "selesai", "kode": dok.kode, "dokumen": dok.pk})
    return job


@dataclass(frozen=True)
class ZipEntry:
    """One source document for a bulk ZIP (e.g. one approved SKP)."""

    sumber_id: int
    arcname: str
    manifest: dict[str, Any]


def dokumen_zip_build(
    *,
    job_id: int,
    instansi_id: int,
    jenis: str,
    sumber_type: str,
    entries: Sequence[ZipEntry],
    ensure: Callable[[list[int]], dict[int, Dokumen]],
    filename: str,
    chunk: int = 50,
) -> Job | None:
    """Job body for a bulk ZIP of signed PDFs with a manifest (CSV of codes and SHA-256).

    1. Start the job with ``total = len(entries)``.
    2. Per chunk: fetch the latest signed document of each source (one query); ``ensure`` renders
       the missing ones (idempotent), then each verified file is added to the ZIP.
    3. Attach the ZIP to the job and finish; on error the job fails with a message.
    Re-running a finished job is a no-op.
    """
    from kinerja.documents import write_csv

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.SELESAI, JobStatus.GAGAL):
        return job
    job_start(job_id=job_id, total=len(entries))
    manifest_rows: list[list[Any]] = []
    manifest_keys = list(entries[0].manifest) if entries else []
    gagal: list[str] = []
    try:
        with tempfile.TemporaryFile() as tmp:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
                for start in range(0, len(entries), chunk):
                    part = entries[start : start + chunk]
                    ids = [e.sumber_id for e in part]
                    docs = dokumen_for_sources(
                        instansi_id=instansi_id, jenis=jenis, sumber_type=sumber_type, sumber_ids=ids
                    )
                    missing = [i for i in ids if i not in docs]
                    if missing:
                        docs.update(ensure(missing))
                    for e in part:
                        dok = docs.get(e.sumber_id)
                        if dok is None:
                            gagal.append(e.arcname)
                            continue
                        try:
                            data = dokumen_read_verified(dokumen=dok)
                        except DokumenRusak:
                            gagal.append(e.arcname)
                            continue
                        zf.writestr(e.arcname, data)
                        manifest_rows.append(
                            [
                                *e.manifest.values(),
                                e.arcname,
                                dok.kode,
                                dok.sha256,
                                dok.ditandatangani_at.isoformat(),
                            ]
                        )
                    job_advance(job_id=job_id, by=len(part), detail={"tahap": f"{start + len(part)} dokumen"})
                zf.writestr(
                    zipfile.ZipInfo("MANIFEST.csv", date_time=timezone.localtime().timetuple()[:6]),
                    write_csv(
                        [*manifest_keys, "berkas", "kode_verifikasi", "sha256", "ditandatangani"],
                        manifest_rows,
                    ),
                    compress_type=zipfile.ZIP_DEFLATED,
                )
            tmp.seek(0)
            _attach_result(job=job, filename=filename, fh=tmp)
    except Exception as exc:
        logger.exception("Job ZIP %s gagal", job_id)
        job_fail(job_id=job_id, pesan=f"ZIP gagal dibuat: {exc}")
        raise
    job_finish(
        job_id=job_id,
        detail={
            "tahap": "selesai",
            "jumlah": len(manifest_rows),
            "gagal": gagal[:50],
            "jumlah_gagal": len(gagal),
        },
    )
    return job
