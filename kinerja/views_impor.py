from django.http import HttpRequest, HttpResponse


def impor_page(request: HttpRequest) -> HttpResponse:  # replaced by the import work
    raise NotImplementedError
