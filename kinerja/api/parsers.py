"""Request parsing that never turns a malformed body into a 500.

``JSONParser``: Python's ``json`` raises ``RecursionError`` (not ``ValueError``) on deeply nested input
(``[[[[...]]]]`` 10,000 levels deep), which DRF's parser lets through as a 500. Here it is a 400, and so
is nesting deeper than ``MAX_DEPTH`` (no request of the API nests more than a few levels) and a NUL
character in any string (PostgreSQL text and jsonb cannot store it).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _check(data: Any) -> None:
    """Iterative walk (no recursion of our own): depth and NUL characters."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if depth >= MAX_DEPTH:
                raise ParseError(_("JSON terlalu dalam bersarang."))
            for k, v in value.items():
                if "\x00" in k:
                    raise ParseError(_("JSON berisi karakter NUL yang tidak diizinkan."))
                stack.append((v, depth + 1))
        elif isinstance(value, list):
            if depth >= MAX_DEPTH:
                raise ParseError(_("JSON terlalu dalam bersarang."))
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, str) and "\x00" in value:
            raise ParseError(_("JSON berisi karakter NUL yang tidak diizinkan."))


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON terlalu dalam bersarang.")) from None
        _check(data)
        return data
