"""API twins of "keluar dari semua perangkat" and of an admin logging a pegawai out everywhere."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import Org, token_for

pytestmark = pytest.mark.django_db


def _client(token: str) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return c


def test_sign_out_everywhere_revokes_every_token_of_the_caller(org_a: Org) -> None:
    t1, t2 = token_for(org_a.pegawai.user), token_for(org_a.pegawai.user)
    other = token_for(org_a.rekan.user)
    resp = _client(t1).post("/api/v1/auth/keluar-semua/")
    assert resp.status_code == 200
    assert resp.json()["token_dicabut"] == 2
    assert _client(t1).get("/api/v1/me/").status_code == 401
    assert _client(t2).get("/api/v1/me/").status_code == 401
    assert _client(other).get("/api/v1/me/").status_code == 200


def test_admin_signs_a_pegawai_out_everywhere(org_a: Org, outsider: Any, api: Any) -> None:
    victim = token_for(org_a.pegawai.user)
    url = f"/api/v1/pegawai/{org_a.pegawai.pk}/keluarkan/"
    # HR, a leader and the outsider (admin of B): 404
    for user in (org_a.hr.user, org_a.atasan.user, outsider.user):
        assert api(user).post(url).status_code == 404
    assert _client(victim).get("/api/v1/me/").status_code == 200
    resp = api(org_a.admin.user).post(url)
    assert resp.status_code == 200
    assert resp.json()["token_dicabut"] == 1
    assert _client(victim).get("/api/v1/me/").status_code == 401
