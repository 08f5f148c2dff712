"""Contract: token login, me/, periode/ (api-contract.md §3)."""

from typing import Any

import pytest
from django.urls import reverse

from kinerja.services.tenancy import periode_ensure_year
from tests.conftest import PASSWORD, Org

pytestmark = pytest.mark.django_db


def test_token_login_with_nip_then_me(org_a: Org, api: Any) -> None:
    # given a pegawai with a password
    client = api(None)
    # when they ask for a token with their NIP
    resp = client.post(
        "/api/v1/auth/token/", {"username": org_a.atasan.nip, "password": PASSWORD}, format="json"
    )
    # then they get one, and me/ describes them
    assert resp.status_code == 200, resp.content
    token = resp.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert me["nip"] == org_a.atasan.nip
    assert me["nama"] == org_a.atasan.nama
    assert me["instansi"] == {"id": org_a.instansi.pk, "kode": "A", "nama": org_a.instansi.nama}
    assert me["roles"] == ["pegawai", "pejabat_penilai"]
    assert me["pegawai_id"] == org_a.atasan.pk


def test_roles_in_me(org_a: Org, api: Any) -> None:
    assert api(org_a.pegawai.user).get("/api/v1/me/").json()["roles"] == ["pegawai"]
    assert api(org_a.admin.user).get("/api/v1/me/").json()["roles"] == ["pegawai", "admin_instansi"]
    assert api(org_a.hr.user).get("/api/v1/me/").json()["roles"] == ["pegawai", "hr_viewer"]


@pytest.mark.parametrize("body", [{"username": "x", "password": "y"}, {"username": "", "password": ""}, {}])
def test_wrong_credentials_are_400_or_401_with_message(org_a: Org, api: Any, body: dict[str, str]) -> None:
    resp = api(None).post("/api/v1/auth/token/", body, format="json")
    assert resp.status_code in (400, 401)
    assert resp.json()["detail"]


def test_lockout_after_repeated_failures(org_a: Org, api: Any, settings: Any) -> None:
    client = api(None)
    for _ in range(settings.KINERJA_LOGIN_NIP_FREE):
        client.post(
            "/api/v1/auth/token/", {"username": org_a.pegawai.nip, "password": "salah"}, format="json"
        )
    # even the right password is refused while locked
    resp = client.post(
        "/api/v1/auth/token/", {"username": org_a.pegawai.nip, "password": PASSWORD}, format="json"
    )
    assert resp.status_code == 401
    assert "dikunci" in resp.json()["detail"]


def test_anonymous_me_is_401(db: Any, api: Any) -> None:
    resp = api(None).get("/api/v1/me/")
    assert resp.status_code == 401
    assert set(resp.json()) == {"detail"}


def test_periode_list_only_own_instansi(org_a: Org, org_b: Org, api: Any, scope_a: None) -> None:
    periode_ensure_year(instansi=org_a.instansi, tahun=2026)
    from django_scopes import scope

    with scope(instansi=org_b.instansi.pk):
        periode_ensure_year(instansi=org_b.instansi, tahun=2026)
    rows = api(org_a.pegawai.user).get("/api/v1/periode/?tahun=2026").json()
    assert [(r["tahun"], r["siklus"], r["mulai"], r["selesai"]) for r in rows] == [
        (2026, "triwulanan", "2026-01-01", "2026-03-31"),
        (2026, "triwulanan", "2026-04-01", "2026-06-30"),
        (2026, "triwulanan", "2026-07-01", "2026-09-30"),
        (2026, "triwulanan", "2026-10-01", "2026-12-31"),
    ]
    assert set(rows[0]) >= {"id", "tahun", "mulai", "selesai", "siklus"}


def test_schema_and_docs_are_served(db: Any, client: Any) -> None:
    assert client.get(reverse("api-schema")).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200
