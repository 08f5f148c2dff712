"""Abstract bases: timestamps and the tenant-owned model whose default manager fails closed."""

from typing import Any

from django.db import models
from django_scopes import ScopeError
from django_scopes.state import get_scope

SCOPE_DIMENSION = "instansi"


class TenantManager(models.Manager):
    """Default manager of every tenant-owned model.

    Stricter than ``django_scopes.ScopedManager``: it raises on *every* query (including
    ``exists()``/``create()``) when no scope is active, and also when the active scope value
    is ``None`` (django-scopes would silently return every tenant's rows for ``None``).
    """

    def get_queryset(self) -> models.QuerySet[Any]:
        state = get_scope()
        if not state.get("_enabled", True):
            return super().get_queryset()
        if SCOPE_DIMENSION not in state or state[SCOPE_DIMENSION] is None:
            raise ScopeError(f"Tidak ada cakupan instansi aktif untuk {self.model.__name__}.")
        value = state[SCOPE_DIMENSION]
        if isinstance(value, list | tuple | set | frozenset):
            return super().get_queryset().filter(instansi__in=value)
        return super().get_queryset().filter(instansi=value)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def instansi_fk_tanpa_indeks(*, db_constraint: bool = True) -> models.ForeignKey:
    """``TenantOwnedModel.instansi`` without its own one-column index, for the big, write-heavy tables
    whose composite indexes and unique constraints all start with ``instansi_id``: there the single
    index is never the better plan, yet every insert and every non-HOT update maintains it (the year-end
    batch writes ~2 million such rows per million pegawai; docs/performance.md). ``db_constraint=False``
    where a composite tenant foreign key in a migration covers ``instansi_id`` (evaluasi/0007)."""
    return models.ForeignKey(
        "kinerja.Instansi",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=db_constraint,
    )


class TenantOwnedModel(TimeStampedModel):
    """Every row belongs to one instansi; child rows carry it too (no JOIN to scope)."""

    instansi = models.ForeignKey(
        "kinerja.Instansi", on_delete=models.PROTECT, related_name="+", db_index=True
    )

    objects = TenantManager()

    class Meta:
        abstract = True
