"""``OPTIONS`` on any API path: name, description, what it renders and parses, and the ``Allow``
header, never a 500.

DRF's ``SimpleMetadata`` also describes the request body of POST/PUT by calling the view's
``get_serializer()``; our API classes nest their serializers (conventions rule 2) and have no
``serializer_class``, so that introspection asserted (500 on every OPTIONS of a writable endpoint).
The body schema of every operation is in ``/api/schema/`` instead.
"""

from typing import Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request


class KinerjaMetadata(SimpleMetadata):
    def determine_metadata(self, request: Request, view: Any) -> dict[str, Any]:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [r.media_type for r in view.renderer_classes],
            "parses": [p.media_type for p in view.parser_classes],
        }
