"""Side effects after an SKP approval, queued on commit, and the signed-PDF answer of the API."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http.response import HttpResponseBase

from skp.models import Rhk, Skp

if TYPE_CHECKING:
    from kinerja.models import User
    from skp.selectors import Dependan

logger = logging.getLogger(__name__)

RhkPimpinanListener = Callable[..., Any]
_rhk_pimpinan_listeners: list[RhkPimpinanListener] = []


def register_rhk_pimpinan_listener(fn: RhkPimpinanListener) -> None:
    """Apps above skp (dialog) subscribe at start-up to "a leader reworded a result that submitted or
    approved SKPs link to"; called inside the edit's transaction as
    ``fn(actor=, rhk=, teks_lama=, dependan=[Dependan, ...])``."""
    if fn not in _rhk_pimpinan_listeners:
        _rhk_pimpinan_listeners.append(fn)


def rhk_pimpinan_diubah(*, actor: User, rhk: Rhk, teks_lama: str, dependan: list[Dependan]) -> None:
    for listener in _rhk_pimpinan_listeners:
        listener(actor=actor, rhk=rhk, teks_lama=teks_lama, dependan=dependan)


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
    from kinerja.dokumen_http import antrikan_sekali, api_diproses, api_rusak, pdf_response
    from kinerja.models import JenisDokumen
    from kinerja.selectors.dokumen import dokumen_for_source
    from skp.documents import SKP_SUMBER, skp_document_filename

    # An approved SKP row never changes (a revision is a new row), so its newest document is it.
    dok = dokumen_for_source(
        instansi_id=skp.instansi_id, jenis=JenisDokumen.SKP, sumber_type=SKP_SUMBER, sumber_id=skp.pk
    )
    if dok is None:
        antrikan_sekali(f"skp:{skp.pk}", lambda: on_skp_approved(skp=skp))
        return api_diproses()
    resp = pdf_response(dokumen=dok, filename=skp_document_filename(skp=skp, kode=dok.kode))
    return resp if resp is not None else api_rusak()
