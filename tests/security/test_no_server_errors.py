"""No 500 for inputs that can only be mistakes or attacks (issue #15), on every URL of the URL conf:

* ``OPTIONS`` on every API path (DRF's default metadata introspected ``get_serializer()`` of views
  that have no ``serializer_class``: an AssertionError, 500);
* a JSON body nested 10,000 levels deep on every write method of every API path (``json`` raised
  ``RecursionError``, which DRF's parser did not catch: 500), and one nested just past the limit;
* a NUL byte in query parameters on every page and API path, in a path segment and in a header
  (PostgreSQL text cannot hold NUL: psycopg raised ``ValueError`` when the value reached a query: 500).

Each request names itself in the failure message, so a new URL that 500s is found here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from tests.conftest import Org, api_client_for
from tests.test_tenant_isolation import AObjects, Route, Values, _methods, _walk

pytestmark = pytest.mark.django_db

ALL_ROUTES = [
    r
    for r in _walk(get_resolver().url_patterns)
    if not r.route.startswith((settings.ADMIN_URL, settings.STATIC_URL.lstrip("/")))
]
API_ROUTES = [r for r in ALL_ROUTES if r.is_api]
FILTERS = ("status", "tahun", "periode", "pegawai", "q", "jenis", "unit_kerja", "dari", "sampai", "cek")


def _url(route: Route, objs: AObjects) -> str:
    kwargs: dict[str, Any] = {}
    for kwarg in route.kwargs:
        target = route.target(kwarg)
        if isinstance(target, Values):
            kwargs[kwarg] = target.get()[0]
        elif target is not None:
            kwargs[kwarg] = objs.get(target).pk
        else:
            kwargs[kwarg] = "ABC123" if "kode" in kwarg else 1
    return route.url(**kwargs)


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_the_walk_covers_the_api(org_a: Org) -> None:
    names = {r.name for r in API_ROUTES}
    assert {"api-evaluasi-detail", "api-skp-list", "api-auth-token"} <= names
    assert len(API_ROUTES) >= 30


def test_options_on_every_api_path_is_never_a_server_error(org_a: Org) -> None:
    objs = AObjects(org_a)
    admin = api_client_for(org_a.admin.user)
    anonymous = api_client_for(None)
    ok = 0
    failures = []
    for route in API_ROUTES:
        url = _url(route, objs)
        for who, client in (("admin", admin), ("anonymous", anonymous)):
            resp = client.options(url)
            if resp.status_code >= 500:
                failures.append(f"OPTIONS {url} as {who}: {resp.status_code} {resp.content[:200]!r}")
            elif resp.status_code == 200:
                ok += 1
                assert "Allow" in resp, url
    assert not failures, "\n".join(failures)
    # not vacuous: most paths describe themselves to the admin
    assert ok >= len(API_ROUTES) // 2, ok


@pytest.mark.parametrize("levels", [10_000, 40])
def test_deeply_nested_json_is_a_400_on_every_write(org_a: Org, levels: int) -> None:
    objs = AObjects(org_a)
    admin = api_client_for(org_a.admin.user)
    body = _deep(levels)
    failures = []
    statuses: dict[int, int] = {}
    for route in API_ROUTES:
        url = _url(route, objs)
        for method in _methods(route):
            if method == "get" or (url == "/api/v1/auth/token/" and method == "delete"):
                continue  # DELETE auth/token/ would log the admin out (the login POST is checked below)
            if route.name in ("api-auth-keluar-semua", "api-pegawai-keluarkan"):
                continue  # no body; they revoke tokens (tests/kinerja/test_api_akun.py)
            resp = getattr(admin, method)(url, data=body, content_type="application/json")
            statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
            if resp.status_code >= 500:
                failures.append(f"{method.upper()} {url}: {resp.status_code} {resp.content[:200]!r}")
    assert not failures, "\n".join(failures)
    assert statuses.get(400, 0) >= 10, statuses  # the body really was parsed and refused
    # the login endpoint too, anonymous
    resp = api_client_for(None).post("/api/v1/auth/token/", data=body, content_type="application/json")
    assert resp.status_code == 400
    assert "detail" in resp.json()


def test_a_nul_string_inside_json_is_a_400(org_a: Org) -> None:
    resp = api_client_for(org_a.pegawai.user).post(
        "/api/v1/skp/",
        data='{"tahun": 2026, "pendekatan": "kuantitatif\\u0000"}',
        content_type="application/json",
    )
    assert resp.status_code == 400


def test_nul_in_query_parameters_is_a_400_on_every_page_and_api_path(org_a: Org) -> None:
    objs = AObjects(org_a)
    web = Client()
    web.force_login(org_a.admin.user)
    api = api_client_for(org_a.admin.user)
    query = "&".join(f"{name}=%00" for name in FILTERS)
    failures = []
    for route in ALL_ROUTES:
        url = _url(route, objs)
        sep = "&" if "?" in url else "?"
        client = api if route.is_api else web
        resp = client.get(f"{url}{sep}{query}")
        if resp.status_code != 400:
            failures.append(f"GET {url}{sep}{query}: {resp.status_code}")
        if route.is_api:
            assert "NUL" in resp.json()["detail"]
    assert not failures, "\n".join(failures[:30])


def test_nul_in_a_path_segment_or_a_header_is_a_400(org_a: Org) -> None:
    # the public verification page takes a free-text code from the path
    assert Client().get("/verifikasi/AB%00CD/").status_code == 400
    # a token with a NUL (it used to reach the token lookup)
    resp = Client().get("/api/v1/me/", HTTP_AUTHORIZATION="Token abc\x00def")
    assert resp.status_code == 400
    # a platform admin's instansi header
    resp = api_client_for(org_a.admin.user).get("/api/v1/me/", HTTP_X_INSTANSI="A\x00")
    assert resp.status_code == 400


def test_an_ordinary_request_passes_the_guards(org_a: Org) -> None:
    resp = api_client_for(org_a.admin.user).get("/api/v1/evaluasi/", {"tahun": 2026, "status": "dinilai"})
    assert resp.status_code == 200


def test_the_schema_declares_errors_versions_and_list_shapes(org_a: Org) -> None:
    """Fast companion of the schemathesis conformance run (tests/security/test_fuzz_api.py)."""
    schema = api_client_for(org_a.admin.user).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    patch = paths["/api/v1/evaluasi/{id}/"]["patch"]
    assert {"200", "400", "401", "403", "404", "409", "413", "503"} <= set(patch["responses"])
    body = schema["components"]["schemas"]["PatchedEvaluasiDetailApiEvaluasiNilaiRequest"]
    assert body["properties"]["versi"]["type"] == "integer"
    assert "versi" in schema["components"]["schemas"]["EvaluasiDetailOutput"]["required"]
    assert "409" not in paths["/api/v1/evaluasi/"]["get"]["responses"]  # reads cannot meet a state conflict
    assert "429" in paths["/api/v1/auth/token/"]["post"]["responses"]

    def shape(path: str) -> dict[str, Any]:
        return paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert shape("/api/v1/evaluasi/")["$ref"].endswith("/PaginatedEvaluasiOutputList")
    assert shape("/api/v1/skp/{id}/rhk-pimpinan/")["type"] == "array"
    assert shape("/api/v1/skp/{id}/riwayat/")["type"] == "array"
    for plain in ("/api/v1/catatan/{id}/b18/", "/api/v1/catatan/{id}/b19/", "/api/v1/ekspor/"):
        assert shape(plain)["type"] == "array", plain  # reference lists answer unpaginated
    assert shape("/api/v1/skp/{id}/realisasi/")["$ref"].endswith("/PaginatedRealisasiOutputList")
    assert schema["components"]["schemas"]["Galat"]["required"] == ["detail"]


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", "%FF%FE"])
def test_odd_query_values_on_every_page_and_api_path_are_never_a_server_error(org_a: Org, value: str) -> None:
    objs = AObjects(org_a)
    web = Client()
    web.force_login(org_a.admin.user)
    api = api_client_for(org_a.admin.user)
    query = "&".join(f"{name}={value}" for name in (*FILTERS, "limit", "offset", "page", "unit", "kode"))
    failures = []
    for route in ALL_ROUTES:
        url = _url(route, objs)
        sep = "&" if "?" in url else "?"
        resp = (api if route.is_api else web).get(f"{url}{sep}{query}")
        if resp.status_code >= 500:
            failures.append(f"GET {url}{sep}{query}: {resp.status_code}")
    assert not failures, "\n".join(failures[:30])
