"""Optimistic locking on a ``versi`` column, shared by every app whose rows are edited from pages and
API clients that may be stale (SKP drafting, ratings): a stale version is a 409 ``Conflict`` carrying the
current ``versi``, never a lost update. ``None`` means the caller sent no version (old API clients):
the write is not checked, but it still bumps the version so every *other* stale writer is caught.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from kinerja.exceptions import Conflict


def versi_cek(*, sekarang: int, diharapkan: int | None, pesan: str) -> None:
    """For a row already locked (``select_for_update``): 409 when ``diharapkan`` is not ``sekarang``."""
    if diharapkan is not None and diharapkan != sekarang:
        raise Conflict(pesan, extra={"versi": sekarang})


def versi_cas(qs: QuerySet[Any], *, pk: int, versi: int | None, pesan: str) -> None:
    """Compare-and-swap without a lock: ``versi += 1`` on row ``pk`` of ``qs`` (which may carry extra
    conditions, e.g. an editable status) only while it still has ``versi``; one UPDATE. 409 with the
    current version when the row moved on (or no longer matches ``qs``)."""
    cond = qs.filter(pk=pk)
    if versi is not None:
        cond = cond.filter(versi=versi)
    if cond.update(versi=F("versi") + 1, updated_at=timezone.now()) != 1:
        sekarang = qs.model.objects.filter(pk=pk).values_list("versi", flat=True).first()
        raise Conflict(pesan, extra={"versi": sekarang})
