"""Serving signed documents over HTTP, shared by every app (SKP, evaluasi): the verified file as an
attachment, the "being prepared" answers (API 202, web page that refreshes itself), and the
throttled re-queue of the idempotent render task while a document is missing."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kinerja.models import Dokumen

# While a PDF is not ready, a poll re-queues its (idempotent) render at most this often, so a task
# lost during a broker outage (or queued before a worker existed) still completes.
REQUEUE_SECONDS = 120


def _cache_key(kunci: str) -> str:
    return f"dokumen-antri:{kunci}"


def antrikan_sekali(kunci: str, enqueue: Callable[[], Any], *, detik: int = REQUEUE_SECONDS) -> bool:
    """Call ``enqueue`` unless it was called for ``kunci`` in the last ``detik`` seconds."""
    if cache.add(_cache_key(kunci), 1, timeout=detik):
        enqueue()
        return True
    return False


def lupakan_antrian(kunci: str) -> None:
    """The enqueue failed (broker down): let the next poll try again at once."""
    cache.delete(_cache_key(kunci))


def pdf_response(*, dokumen: Dokumen, filename: str) -> HttpResponse | FileResponse | None:
    """The stored file as an attachment after checking its SHA-256; None when it no longer matches
    (the caller answers 503: storage corruption is not the user's mistake)."""
    from kinerja.services.dokumen import DokumenRusak, dokumen_read_verified

    try:
        data = dokumen_read_verified(dokumen=dokumen)
    except DokumenRusak:
        return None
    resp = FileResponse(
        io.BytesIO(data), as_attachment=True, filename=filename, content_type="application/pdf"
    )
    resp["X-Dokumen-Kode"] = dokumen.kode
    resp["X-Dokumen-SHA256"] = dokumen.sha256
    resp["Cache-Control"] = "private, no-store"
    return resp


PESAN_DIPROSES = _("Dokumen sedang disiapkan dan ditandatangani. Coba lagi beberapa saat lagi.")
PESAN_RUSAK = _("Berkas dokumen tidak cocok dengan catatan SHA-256-nya. Hubungi admin.")


def api_diproses(pesan: Any = PESAN_DIPROSES) -> Any:
    """202 with ``Retry-After`` for API clients."""
    from rest_framework import status
    from rest_framework.response import Response

    resp = Response({"detail": str(pesan), "status": "diproses"}, status=status.HTTP_202_ACCEPTED)
    resp["Retry-After"] = "5"
    return resp


def api_rusak() -> Any:
    from rest_framework import status
    from rest_framework.response import Response

    return Response({"detail": str(PESAN_RUSAK)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)


def web_dokumen(
    request: HttpRequest,
    *,
    dokumen: Dokumen | None,
    filename: str,
    judul: str,
    kembali: str,
    antrikan: Callable[[], Any],
) -> HttpResponse | FileResponse:
    """The web side of a signed document: the PDF when signed; otherwise queue its render and show a
    page that polls (htmx, ``?cek=1``) until a download link can be offered."""
    cek = request.GET.get("cek") == "1"
    if dokumen is None:
        antrikan()
        if cek:
            return render(request, "dokumen/_menunggu_status.html", {"dokumen": None}, status=202)
        return render(
            request,
            "dokumen/menunggu.html",
            {"judul": judul, "kembali": kembali, "pesan": PESAN_DIPROSES},
            status=202,
        )
    if cek:
        return render(request, "dokumen/_menunggu_status.html", {"dokumen": dokumen, "unduh": request.path})
    resp = pdf_response(dokumen=dokumen, filename=filename)
    if resp is None:
        return render(
            request,
            "dokumen/menunggu.html",
            {"judul": judul, "kembali": kembali, "pesan": PESAN_RUSAK, "rusak": True},
            status=503,
        )
    return resp
