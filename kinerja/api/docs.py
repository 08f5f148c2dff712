"""The Swagger UI page of ``/api/docs/``."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.views import SpectacularSwaggerView


class KinerjaSwaggerView(SpectacularSwaggerView):
    """``OPTIONS`` answers the allowed methods without a body: the page's only renderer is an HTML
    template, which has nothing to render metadata with (it was a 500)."""

    def options(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        resp = HttpResponse(status=200)
        resp["Allow"] = ", ".join(self.allowed_methods)
        return resp
