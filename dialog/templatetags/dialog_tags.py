"""Presentation helpers for the dialog templates. No queries, no business rules."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ d|get_item:key }}`` for dicts keyed by ids or codes."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
