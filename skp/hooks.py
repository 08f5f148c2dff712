"""Side effects after an SKP approval, queued on commit. The documents work plugs in here."""

from django.db import transaction

from skp.models import Skp


def on_skp_approved(*, skp: Skp) -> None:
    """Queue the signed PDF rendering once the approval has committed (never inside the request)."""
    try:
        from skp.tasks import skp_document_render_task
    except ImportError:  # documents not installed yet
        return
    tenant_id, skp_id = skp.instansi_id, skp.pk
    transaction.on_commit(lambda: skp_document_render_task.delay(tenant_id, skp_id))


def document_response(*, skp: Skp):  # type: ignore[no-untyped-def]
    """The signed PDF, or 202 while it is being produced. Replaced by the documents work."""
    from rest_framework import status
    from rest_framework.response import Response

    return Response(
        {"detail": "Dokumen SKP sedang disiapkan. Coba lagi beberapa saat lagi."}, status=status.HTTP_202_ACCEPTED
    )
