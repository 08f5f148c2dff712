"""Signed evaluation documents on the web: the Dokumen Evaluasi Kinerja of one evaluation and the
Penetapan Predikat of a unit. Rendering happens in Celery; these views serve, queue or wait."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from evaluasi.access import evaluasi_access
from evaluasi.documents import (
    PENETAPAN_KOSONG,
    UNIT_SUMBER,
    evaluasi_document_title,
    evaluasi_dokumen_alasan,
    evaluasi_dokumen_filename,
    evaluasi_dokumen_terkini,
    evaluasi_dokumen_versi,
    penetapan_document_kwargs,
    penetapan_filename,
)
from evaluasi.services_dokumen import evaluasi_dokumen_antrikan, penetapan_dokumen_antrikan
from evaluasi.views import _req, _unit_url, unit_tahun_periode
from kinerja.dokumen_http import web_dokumen
from kinerja.exceptions import NotFoundOrForbidden
from kinerja.models import JenisDokumen
from kinerja.selectors.dokumen import dokumen_for_source
from kinerja.web import tenant_view


@tenant_view()
@require_GET
def evaluasi_dokumen(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The signed Dokumen Evaluasi Kinerja (anyone who may see the evaluation)."""
    instansi, roles, user = _req(request)
    try:
        ev = evaluasi_access(user=user, instansi=instansi, roles=roles, evaluasi_id=pk)
    except NotFoundOrForbidden:
        raise Http404() from None
    kembali = reverse("evaluasi:detail", args=[ev.pk])
    alasan = evaluasi_dokumen_alasan(ev)
    if alasan:
        messages.error(request, alasan)
        return redirect(kembali)
    versi = evaluasi_dokumen_versi(ev)
    dok = evaluasi_dokumen_terkini(ev, versi)
    return web_dokumen(
        request,
        dokumen=dok,
        filename=evaluasi_dokumen_filename(ev=ev, kode=dok.kode if dok else ""),
        judul=evaluasi_document_title(ev=ev, nama=ev.pegawai.nama),
        kembali=kembali,
        antrikan=lambda: evaluasi_dokumen_antrikan(evaluasi=ev, versi=versi),
    )


@tenant_view()
@require_GET
def penetapan_dokumen(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The signed Penetapan Predikat of a unit for ``?tahun=`` and ``?periode=<id>|tahunan``
    (anyone who may open the unit's performance page)."""
    instansi, unit, tahun, _periods, periode = unit_tahun_periode(request, pk)
    kwargs = penetapan_document_kwargs(instansi=instansi, unit=unit, tahun=tahun, periode=periode)
    kembali = _unit_url(unit.pk, tahun, periode)
    if not kwargs["context"]["distribusi"]["dinilai"]:
        messages.error(request, PENETAPAN_KOSONG)
        return redirect(kembali)
    versi = kwargs["sumber_versi"]
    dok = dokumen_for_source(
        instansi_id=instansi.pk,
        jenis=JenisDokumen.PENETAPAN_PREDIKAT,
        sumber_type=UNIT_SUMBER,
        sumber_id=unit.pk,
        sumber_versi=versi,
    )
    return web_dokumen(
        request,
        dokumen=dok,
        filename=penetapan_filename(unit=unit, tahun=tahun, periode=periode, kode=dok.kode if dok else ""),
        judul=kwargs["judul"],
        kembali=kembali,
        antrikan=lambda: penetapan_dokumen_antrikan(unit=unit, tahun=tahun, periode=periode, versi=versi),
    )
