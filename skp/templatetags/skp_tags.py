"""Presentation helpers for the SKP templates. No queries, no business rules."""

from typing import Any

from django import template

from kinerja.models.org import JenisJabatan
from skp.models import Aspek, CascadingTipe, SkpStatus

register = template.Library()

_STATUS_CLASS: dict[str, str] = {
    SkpStatus.DRAFT: "text-bg-secondary",
    SkpStatus.DIAJUKAN: "text-bg-primary",
    SkpStatus.DISETUJUI: "text-bg-success",
    SkpStatus.DIKEMBALIKAN: "text-bg-warning",
    SkpStatus.DIGANTI: "text-bg-light border",
}
_STATUS_ICON: dict[str, str] = {
    SkpStatus.DRAFT: "bi-pencil",
    SkpStatus.DIAJUKAN: "bi-send",
    SkpStatus.DISETUJUI: "bi-check2-circle",
    SkpStatus.DIKEMBALIKAN: "bi-arrow-counterclockwise",
    SkpStatus.DIGANTI: "bi-archive",
}
# Labels stay lazy: they are translated when a page renders, in the page's language.
_STATUS_LABEL: dict[str, Any] = dict(SkpStatus.choices)
_ASPEK_LABEL: dict[str, Any] = dict(Aspek.choices)
_CASCADING_LABEL: dict[str, Any] = dict(CascadingTipe.choices)


@register.inclusion_tag("skp/_status_badge.html")
def status_badge(status: str) -> dict[str, Any]:
    """``{% status_badge skp.status %}``: a coloured badge with an icon and the Indonesian label."""
    return {
        "status": status,
        "label": _STATUS_LABEL.get(status, status),
        "css": _STATUS_CLASS.get(status, "text-bg-secondary"),
        "icon": _STATUS_ICON.get(status, "bi-circle"),
    }


@register.filter
def status_label(status: str) -> str:
    return str(_STATUS_LABEL.get(status, status or "—"))


@register.filter
def aspek_label(aspek: str) -> str:
    return str(_ASPEK_LABEL.get(aspek, aspek))


@register.filter
def cascading_label(value: str) -> str:
    return str(_CASCADING_LABEL.get(value, value))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ d|get_item:k }}``: a dict value or a form's bound field named by a variable."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def jenis_jabatan_label(value: str) -> str:
    """A jenis jabatan code (``jpt_pratama``) as its label; a label passes through (old snapshots)."""
    return str(dict(JenisJabatan.choices).get(value, value or ""))
