"""Language: Indonesian unless the user picked English with the switcher (cookie or session)."""

from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

from kinerja.base_url import base_url_context


class IndonesianFirstMiddleware:
    """Ignore the browser's Accept-Language so the UI is Indonesian by default; runs before
    LocaleMiddleware, which still honours the language cookie set by ``set_language``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class PublicBaseUrlMiddleware:
    """Remember ``scheme://host:port/`` of the request while it is served (``kinerja.base_url``), so the
    documents and e-mails it causes, even when a Celery task renders them, link back to that address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            base = request.build_absolute_uri("/")
        except DisallowedHost:
            base = ""
        with base_url_context(base):
            return self.get_response(request)


class NodeHeaderMiddleware:
    """``X-Kinerja-Node``: the web node that answered (``settings.KINERJA_NODE_NAME``), on every
    response, errors included (outermost middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.node = str(settings.KINERJA_NODE_NAME)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["X-Kinerja-Node"] = self.node
        return response
