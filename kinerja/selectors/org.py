"""Org-structure reads. Tenant filter is explicit even though the manager also scopes."""

from django.db.models import Count, QuerySet

from kinerja.models import Instansi, UnitKerja


def unit_kerja_list(*, instansi: Instansi) -> QuerySet[UnitKerja]:
    """All units of the instansi in tree order (path), with direct pegawai counts. One query."""
    return (
        UnitKerja.objects.filter(instansi=instansi).annotate(jumlah_pegawai=Count("pegawai")).order_by("path")
    )


def unit_kerja_subtree(*, unit: UnitKerja, include_self: bool = True) -> QuerySet[UnitKerja]:
    """The whole subtree below ``unit`` in one indexed query (materialised path prefix)."""
    qs = UnitKerja.objects.filter(instansi_id=unit.instansi_id, path__startswith=unit.path)
    if not include_self:
        qs = qs.exclude(pk=unit.pk)
    return qs.order_by("path")


def unit_kerja_ancestors(*, unit: UnitKerja) -> QuerySet[UnitKerja]:
    """The chain from the top unit down to ``unit`` in one query."""
    ids = [int(x) for x in unit.path.split(".") if x]
    return UnitKerja.objects.filter(instansi_id=unit.instansi_id, pk__in=ids).order_by("depth")
