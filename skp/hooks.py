"""Side effects after an SKP approval, queued on commit, and the signed-PDF answer of the API."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.http import FileResponse
from django.http.response import HttpResponseBase

from skp.models import Skp

logger = logging.getLogger(__name__)

# While the PDF is not ready, a GET re-queues the (idempotent) render at most this often, so a
# task lost before the documents feature existed or during a broker outage still completes.
REQUEUE_SECONDS = 120


def on_skp_approved(*, skp: Skp) -> None:
    """Queue the signed PDF rendering once the approval has committed (never inside the request)."""
    from skp.tasks import skp_document_render_task

    tenant_id, skp_id = skp.instansi_id, skp.pk

    def enqueue() -> None:
        # The approval has committed; a broker outage must not turn it into an error page. The
        # document endpoint re-queues while the PDF is missing, so the task is not lost for good.
        try:
            skp_document_render_task.delay(tenant_id, skp_id)
        except Exception:
            logger.exception("Tidak dapat mengantrikan PDF SKP %s", skp_id)

    transaction.on_commit(enqueue)


def document_response(*, skp: Skp) -> HttpResponseBase:
    """The signed PDF of this SKP version (attachment), or 202 with a message while the task runs.

    The caller has already checked access and that the SKP is approved (409 otherwise).
    """
    from rest_framework import status
    from rest_framework.response import Response

    from kinerja.models import JenisDokumen
    from kinerja.selectors.dokumen import dokumen_for_source
    from kinerja.services.dokumen import DokumenRusak, dokumen_read_verified
    from skp.documents import SKP_SUMBER, skp_document_filename

    # An approved SKP row never changes (a revision is a new row), so its newest document is it.
    dok = dokumen_for_source(
        instansi_id=skp.instansi_id, jenis=JenisDokumen.SKP, sumber_type=SKP_SUMBER, sumber_id=skp.pk
    )
    if dok is None:
        if cache.add(f"skp-dokumen-antri:{skp.pk}", 1, timeout=REQUEUE_SECONDS):
            on_skp_approved(skp=skp)
        resp = Response(
            {
                "detail": "Dokumen SKP sedang disiapkan dan ditandatangani. Coba lagi beberapa saat lagi.",
                "status": "diproses",
            },
            status=status.HTTP_202_ACCEPTED,
        )
        resp["Retry-After"] = "5"
        return resp
    try:
        data = dokumen_read_verified(dokumen=dok)
    except DokumenRusak:
        return Response(
            {"detail": "Berkas dokumen tidak cocok dengan catatan SHA-256-nya. Hubungi admin."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    import io

    pdf = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=skp_document_filename(skp=skp, kode=dok.kode),
        content_type="application/pdf",
    )
    pdf["X-Dokumen-Kode"] = dok.kode
    pdf["X-Dokumen-SHA256"] = dok.sha256
    pdf["Cache-Control"] = "private, no-store"
    return pdf
