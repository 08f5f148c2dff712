"""Presentation helpers for the evaluation templates. No queries, no business rules."""

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from evaluasi.scoring import Predikat, PredikatOrganisasi, Rating, peringatan_teks

register = template.Library()

_PREDIKAT = dict(Predikat.choices)
_RATING = dict(Rating.choices)
_ORGANISASI = dict(PredikatOrganisasi.choices)


@register.filter
def predikat_label(value: str) -> str:
    return str(_PREDIKAT.get(value, value or "—"))


@register.filter
def predikat_label_wbr(value: str) -> SafeString:
    """The label with a line-break opportunity after "/" (Kurang/<wbr>Misconduct) for narrow cells."""
    return mark_safe(conditional_escape(predikat_label(value)).replace("/", "/<wbr>"))  # label escaped first


@register.filter
def predikat_singkat(value: str) -> str:
    """SB, B, BP, K/M, SK: for narrow cells (the full label goes in ``title``)."""
    from evaluasi.charts import SINGKAT

    return SINGKAT.get(value, value)


@register.filter
def rating_label(value: str) -> str:
    return str(_RATING.get(value, value or "—"))


@register.filter
def organisasi_label(value: str) -> str:
    return str(_ORGANISASI.get(value, value or "—"))


@register.filter
def item(mapping: Any, key: Any) -> Any:
    """``{{ d|item:key }}`` for dicts whose keys are variables."""
    try:
        return mapping.get(key) if hasattr(mapping, "get") else mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.inclusion_tag("evaluasi/_predikat.html")
def predikat_badge(value: str, kosong: str = "") -> dict[str, Any]:
    return {"value": value, "label": predikat_label(value) if value else kosong}


@register.filter(name="peringatan_teks")
def peringatan_teks_filter(value: Any) -> str:
    """A distribution warning stored by the year-end batch, in the reader's language."""
    return peringatan_teks(value) if isinstance(value, dict) else str(value)
