"""Language: Indonesian unless the user picked English with the switcher (cookie or session)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class IndonesianFirstMiddleware:
    """Ignore the browser's Accept-Language so the UI is Indonesian by default; runs before
    LocaleMiddleware, which still honours the language cookie set by ``set_language``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
