"""Probe views for the row-level-security tests: raw SQL with no WHERE, behind the real middleware."""

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import path

from kinerja.rls import rls_unrestricted


def _state() -> dict[str, object]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT current_user, current_setting('kinerja.instansi', true), "
            "(SELECT count(*) FROM kinerja_pegawai), "
            "(SELECT array_agg(DISTINCT instansi_id) FROM kinerja_pegawai)"
        )
        user, setting, count, ids = cur.fetchone()
    return {"user": user, "setting": setting, "count": count, "instansi_ids": sorted(ids or [])}


def probe(request: HttpRequest) -> HttpResponse:
    return HttpResponse(json.dumps(_state()), content_type="application/json")


def probe_unrestricted(request: HttpRequest) -> HttpResponse:
    with rls_unrestricted():
        inside = _state()
    return HttpResponse(json.dumps({"inside": inside, "after": _state()}), content_type="application/json")


def probe_reconnect(request: HttpRequest) -> HttpResponse:
    """The connection dies in the middle of the request; the new one must not run as the owner."""
    before = _state()
    connection.close()
    return HttpResponse(json.dumps({"before": before, "after": _state()}), content_type="application/json")


def probe_stream(request: HttpRequest) -> StreamingHttpResponse:
    def body():  # runs after the view (and the middleware) returned
        yield json.dumps(_state())

    return StreamingHttpResponse(body(), content_type="application/json")


def probe_identity(request: HttpRequest) -> HttpResponse:
    """What a "forgotten filter" sees of the identity tables: raw SQL with no WHERE."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT coalesce(array_agg(nip ORDER BY nip), '{}') FROM kinerja_user), "
            "(SELECT count(password) FROM kinerja_user), "
            "(SELECT count(*) FROM django_session), "
            "(SELECT count(*) FROM knox_authtoken), "
            "(SELECT count(*) FROM guardian_userobjectpermission), "
            "(SELECT count(*) FROM axes_accessattempt) + (SELECT count(*) FROM axes_accesslog), "
            "current_setting('kinerja.user', true)"
        )
        nips, hashes, sessions, tokens, perms, axes, user = cur.fetchone()
    body = {
        "nips": list(nips),
        "hashes": hashes,
        "sessions": sessions,
        "tokens": tokens,
        "perms": perms,
        "axes": axes,
        "user": user,
    }
    return HttpResponse(json.dumps(body), content_type="application/json")


urlpatterns = [
    path("probe/", probe),
    path("probe/identitas/", probe_identity),
    path("probe/semua/", probe_unrestricted),
    path("probe/reconnect/", probe_reconnect),
    path("probe/stream/", probe_stream),
]
