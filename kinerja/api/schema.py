"""OpenAPI generation: unique component names for the nested Input/Output serializers.

Every API class nests its own ``InputSerializer``/``OutputSerializer`` (conventions rule 2), so
drf-spectacular's default names (the class name) collide and one component silently replaces the
others in ``/api/schema/``: clients generated from it get wrong request bodies. Names come from
the qualified name instead (``SkpReturnApi.InputSerializer`` -> ``SkpReturnApiInput``).
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema


class KinerjaAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        qualname = type(serializer).__qualname__
        if "." in qualname and "<locals>" not in qualname:
            return qualname.replace(".", "")
        return super().get_serializer_name(serializer, direction)
