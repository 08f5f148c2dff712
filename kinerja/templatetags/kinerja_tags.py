"""Presentation helpers for the HTML templates. No queries, no business rules."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.forms import BoundField
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

from kinerja.validators import format_nip

register = template.Library()


@register.simple_tag
def url_or_none(name: str, *args: Any, **kwargs: Any) -> str | None:
    """``{% url_or_none "skp:saya" as u %}``: the URL, or None while that app has no such page yet."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@register.filter(name="nip")
def nip_filter(value: Any, status: Any = None) -> str:
    """``{{ p|nip }}`` (a pegawai: its own status decides the grouping), ``{{ p.nip|nip:p.status }}``, or
    ``{{ x.nip|nip }}`` (PNS grouping) → ``19860926 201505 1 001``; a PPPK → ``19900101 2023 21 2 001``."""
    if value is None or value == "":
        return ""
    if hasattr(value, "nip"):  # a Pegawai (or anything with nip and status)
        status = status or getattr(value, "status", None)
        value = value.nip
    return format_nip(str(value), str(status) if status else None) if value else ""


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some keys replaced (None/"" drops a key): ``?{% query_with hal=2 %}``."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return params.urlencode()


@register.simple_tag
def field_widget(bound: BoundField, css: str = "form-control") -> SafeString:
    """Render a form field's widget with Bootstrap classes and the ARIA links to its help and errors."""
    classes = [css]
    described = []
    attrs: dict[str, Any] = {}
    if bound.help_text:
        described.append(f"{bound.auto_id}_help")
    if bound.errors:
        classes.append("is-invalid")
        described.append(f"{bound.auto_id}_error")
        attrs["aria-invalid"] = "true"
    existing = bound.field.widget.attrs.get("class", "")
    attrs["class"] = " ".join(c for c in [existing, *classes] if c)
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound.as_widget(attrs=attrs)


@register.simple_tag
def error_list(errors: Iterable[str]) -> SafeString:
    return format_html_join("", "<div>{}</div>", ((e,) for e in errors))


@dataclass
class TreeNode:
    unit: Any
    children: list["TreeNode"] = field(default_factory=list)
    total_pegawai: int = 0


@register.filter
def unit_tree(units: Iterable[Any]) -> list[TreeNode]:
    """Nest a flat list of units ordered by ``path`` into root nodes; sums ``jumlah_pegawai`` per subtree.

    Orphans (parent not in the list) become roots, so a partial list still renders.
    """
    nodes: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    for unit in units:
        node = TreeNode(unit=unit)
        nodes[unit.pk] = node
        parent = nodes.get(unit.induk_id) if unit.induk_id else None
        (parent.children if parent is not None else roots).append(node)

    def total(node: TreeNode) -> int:
        node.total_pegawai = (getattr(node.unit, "jumlah_pegawai", 0) or 0) + sum(
            total(c) for c in node.children
        )
        return node.total_pegawai

    for root in roots:
        total(root)
    return roots


# Stage labels that long jobs write into ``Job.detail["tahap"]`` (Indonesian, as the API shows them;
# evaluasi/batch.py and kinerja/services/dokumen.py). The page shows them in the user's language.
_TAHAP_TEKS = {
    gettext_noop("Rekap kelengkapan & predikat"),
    gettext_noop("Cek pola distribusi"),
    gettext_noop("Finalisasi & tindak lanjut"),
    gettext_noop("Uji coba: tidak ada yang disimpan"),
    gettext_noop("Serah dokumen & notifikasi"),
}
_TAHAP = re.compile(r"^(?P<nomor>\d+/\d+ )?(?P<teks>.+?)(?P<ekor> \(\d+/\d+\))?$")
_TAHAP_DOKUMEN = re.compile(r"^(?P<n>\d+) dokumen$")


@register.filter
def tahap_label(value: Any) -> str:
    """A job's stage label in the active language: "4/6 Finalisasi & tindak lanjut" -> "4/6 Finalisation
    & follow-up", "120 dokumen" -> "120 documents". Unknown labels are shown as written."""
    if not value:
        return ""
    text = str(value)
    if text == "selesai":
        return pgettext("tahap job", "selesai")
    dokumen = _TAHAP_DOKUMEN.match(text)
    if dokumen:
        n = int(dokumen["n"])
        return ngettext("%(n)d dokumen", "%(n)d dokumen", n) % {"n": n}
    m = _TAHAP.match(text)
    if m is None or m["teks"] not in _TAHAP_TEKS:
        return text
    return f"{m['nomor'] or ''}{gettext(m['teks'])}{m['ekor'] or ''}"
