"""The web pages for a Pejabat Penilai non-ASN login (issue #16): its pages work, pegawai-only pages
answer a clear 403/404, never a 500; the inbox query count is pinned; another instansi's objects 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from kinerja.models import Pegawai, PejabatNonAsn
from skp.models import Skp
from tests.a11y.test_axe_pages import pages_without_arguments
from tests.conftest import Org
from tests.nonasn.test_pejabat_non_asn import add_bupati, submitted_kepala_skp
from tests.skp.test_api_skp import create_skp

pytestmark = pytest.mark.django_db


def bupati_client(official: PejabatNonAsn) -> Client:
    client = Client()
    client.force_login(official.user)
    return client


def test_every_get_page_answers_without_500(org_a: Org, api: Any) -> None:
    official = add_bupati(org_a)
    submitted_kepala_skp(api, org_a)
    client = bupati_client(official)
    bad = []
    for name, path in pages_without_arguments():
        resp = client.get(path)
        if resp.status_code >= 500:
            bad.append((name, path, resp.status_code))
    assert bad == []


def test_home_inbox_and_team_pages_show_the_sekda(org_a: Org, api: Any) -> None:
    official = add_bupati(org_a)
    skp = submitted_kepala_skp(api, org_a)
    client = bupati_client(official)
    home = client.get("/")
    assert home.status_code == 200
    assert official.nama in home.content.decode()
    # the Pejabat Penilai card counts the SKP waiting for it (issue #16: no pegawai row needed)
    assert 'data-testid="jumlah-skp-persetujuan">1<' in home.content.decode()
    inbox = client.get("/skp/persetujuan/")
    assert inbox.status_code == 200
    assert org_a.kepala.nama in inbox.content.decode()
    detail = client.get(f"/skp/{skp['id']}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Bupati Sukamaju" in body


def test_pegawai_only_pages_are_clear_refusals(org_a: Org, api: Any) -> None:
    official = add_bupati(org_a)
    client = bupati_client(official)
    for path in ("/skp/",):
        resp = client.get(path)
        assert resp.status_code == 403, (path, resp.status_code)
        assert "Pejabat Penilai non-ASN" in resp.content.decode()
    resp = client.post("/skp/", {"tahun": 2026, "pendekatan": "kuantitatif"})
    assert resp.status_code in (302, 400, 403, 404)
    with scopes_disabled():
        assert not Skp.objects.filter(pegawai__user=official.user).exists()


def test_other_instansi_skp_is_404_on_the_web(org_a: Org, org_b: Org, api: Any) -> None:
    official = add_bupati(org_a)
    other = create_skp(api(org_b.kepala.user))
    client = bupati_client(official)
    assert client.get(f"/skp/{other['id']}/").status_code == 404


def test_inbox_query_count_does_not_grow(org_a: Org, api: Any, django_assert_max_num_queries: Any) -> None:
    from tests.factories import PegawaiFactory

    extra = [
        PegawaiFactory(
            instansi=org_a.instansi, unit_kerja=org_a.kepala.unit_kerja, jabatan=org_a.kepala.jabatan
        )
        for _ in range(3)
    ]
    official = add_bupati(org_a, menilai=[org_a.kepala, *extra])
    for p in [org_a.kepala, *extra]:
        c = api(p.user)
        s = create_skp(c)
        from tests.skp.test_api_skp import add_rhk

        add_rhk(c, s["id"], f"Hasil {p.nama}")
        assert c.post(f"/api/v1/skp/{s['id']}/ajukan/").status_code == 200
    client = bupati_client(official)
    client.get("/skp/persetujuan/")  # warm caches (sessions, content types)
    with django_assert_max_num_queries(25):
        resp = client.get("/skp/persetujuan/")
    assert resp.status_code == 200
    assert all(p.nama in resp.content.decode() for p in extra)
    with scopes_disabled():
        assert Pegawai.objects.filter(penilai_non_asn=official).count() == 4


def test_admin_list_and_form_query_counts(org_a: Org, django_assert_max_num_queries: Any) -> None:
    from django_scopes import scope

    from evaluasi.services_non_asn import pejabat_non_asn_tetapkan

    with scope(instansi=org_a.instansi.pk):
        for i in range(4):
            pejabat_non_asn_tetapkan(
                actor=org_a.admin.user,
                instansi=org_a.instansi,
                username=f"pejabat.{i}",
                nama=f"Pejabat {i}",
                jabatan=f"Jabatan {i}",
                menilai=[org_a.kepala.nip] if i == 0 else [],
            )
    client = Client()
    client.force_login(org_a.admin.user)
    client.get("/evaluasi/pejabat-non-asn/")
    with django_assert_max_num_queries(20):
        resp = client.get("/evaluasi/pejabat-non-asn/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert all(f"Pejabat {i}" in body for i in range(4))
    with scopes_disabled():
        first = PejabatNonAsn.objects.get(user__nip="pejabat.0")
    with django_assert_max_num_queries(20):
        resp = client.get(f"/evaluasi/pejabat-non-asn/{first.pk}/")
    assert resp.status_code == 200
    assert "checked" in resp.content.decode()
    # the hr_viewer and the pegawai do not see the admin pages; another instansi's official is 404
    hr = Client()
    hr.force_login(org_a.hr.user)
    assert hr.get("/evaluasi/pejabat-non-asn/").status_code == 404
