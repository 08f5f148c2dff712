"""Perjanjian Kinerja at the root of the SKP (issue #16 part 3): a JPT's results derive from an indikator
of their unit's PK, the JPT cannot submit while a result links to nothing, an approval freezes the
indikator, the pohon starts at the PK, the SKP page and PDF show the Manual IKU and the sumber data."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from perjanjian.models import PerjanjianKinerja
from skp.models import Rhk
from tests.conftest import Org
from tests.perjanjian.conftest import SASARAN, buat_pk, iku

pytestmark = pytest.mark.django_db
TAHUN = 2026
IND = [{"aspek": "kuantitas", "iki": "Jumlah layanan terstandar", "target": "12 layanan"}]


def skp_baru(c: Any) -> dict[str, Any]:
    resp = c.post("/api/v1/skp/", {"tahun": TAHUN}, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def rhk(c: Any, skp_id: int, teks: str, **kw: Any) -> Any:
    return c.post(
        f"/api/v1/skp/{skp_id}/rhk/",
        {"jenis": "utama", "rencana_hasil_kerja": teks, "indikator": IND, **kw},
        format="json",
    )


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_jpt_result_names_an_indikator_of_the_unit_pk(org_a: Org, api: Any) -> None:
    pk = buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN)
    ikm = iku(pk)[0]
    c = api(org_a.kepala.user)
    skp = skp_baru(c)
    resp = rhk(c, skp["id"], "Meningkatnya kepuasan penerima layanan", indikator_pk=ikm.pk)
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["indikator_pk"] == ikm.pk
    assert data["indikator_pk_detail"]["uraian"] == "Indeks kepuasan masyarakat"
    assert data["indikator_pk_detail"]["sumber_data"] == "Survei kepuasan masyarakat triwulanan"
    # PATCH can move it to another indikator of the same PK
    other = iku(pk)[2]
    resp = c.patch(f"/api/v1/rhk/{data['id']}/", {"indikator_pk": other.pk}, format="json")
    assert resp.status_code == 200
    assert resp.json()["indikator_pk"] == other.pk


def test_indikator_of_another_unit_year_or_instansi_is_400(org_a: Org, org_b: Org, api: Any) -> None:
    lain_unit = iku(buat_pk(org_a.admin, org_a.atasan.unit_kerja, TAHUN))[0]
    lain_tahun = iku(buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN + 1))[0]
    lain_instansi = iku(buat_pk(org_b.admin, org_b.kepala.unit_kerja, TAHUN))[0]
    c = api(org_a.kepala.user)
    skp = skp_baru(c)
    for bad in (lain_unit.pk, lain_tahun.pk, lain_instansi.pk, 999999):
        resp = rhk(c, skp["id"], "Hasil", indikator_pk=bad)
        assert resp.status_code == 400, (bad, resp.content)
        assert "indikator_pk" in resp.json()["errors"]
    with scope(instansi=org_a.instansi.pk):
        assert not Rhk.objects.filter(skp_id=skp["id"]).exists()
    # PATCH too
    good = iku(buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN))[0]
    r = rhk(c, skp["id"], "Hasil", indikator_pk=good.pk).json()
    resp = c.patch(f"/api/v1/rhk/{r['id']}/", {"indikator_pk": lain_instansi.pk}, format="json")
    assert resp.status_code == 400
    assert "indikator_pk" in resp.json()["errors"]


def test_jpt_cannot_submit_while_a_main_result_links_to_nothing(org_a: Org, api: Any) -> None:
    ikm = iku(buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN))[0]
    c = api(org_a.kepala.user)
    skp = skp_baru(c)
    rhk(c, skp["id"], "Hasil yang diturunkan", indikator_pk=ikm.pk)
    lepas = rhk(c, skp["id"], "Hasil tanpa akar").json()
    resp = c.post(f"/api/v1/skp/{skp['id']}/ajukan/")
    assert resp.status_code == 409
    body = resp.json()
    assert "perjanjian kinerja" in body["detail"]
    assert "Hasil tanpa akar" in body["detail"]
    assert body["errors"]["indikator_pk"]
    assert c.get(f"/api/v1/skp/{skp['id']}/").json()["status"] == "draft"
    # the page shows the same message
    page = client_for(org_a.kepala.user).post(reverse("skp:ajukan", args=[skp["id"]]), follow=True)
    assert "Hasil tanpa akar" in page.content.decode()
    # a tambahan result needs no link; once linked the SKP goes
    c.patch(f"/api/v1/rhk/{lepas['id']}/", {"indikator_pk": ikm.pk}, format="json")
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200


def test_jpt_without_any_pk_is_refused_too(org_a: Org, api: Any) -> None:
    c = api(org_a.kepala.user)
    skp = skp_baru(c)
    rhk(c, skp["id"], "Hasil")
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 409


def test_approved_skp_keeps_the_indikator_text_when_the_pk_is_revised(org_a: Org, api: Any) -> None:
    pk = buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN)
    ikm = iku(pk)[0]
    c = api(org_a.kepala.user)
    skp = skp_baru(c)
    r = rhk(c, skp["id"], "Meningkatnya kepuasan", indikator_pk=ikm.pk).json()
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200
    assert api(org_a.admin.user).post(f"/api/v1/skp/{skp['id']}/setujui/").status_code == 200
    # the PK is revised: the indikator is reworded and its target raised
    revisi = [
        {
            "uraian": SASARAN[0]["uraian"],
            "indikator": [{"id": ikm.pk, "uraian": "Indeks kepuasan masyarakat (IKM)", "target": "90"}],
        }
    ]
    v2 = buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN, sasaran=revisi)
    new = iku(v2)[0]
    with scope(instansi=org_a.instansi.pk):
        row = Rhk.objects.get(pk=r["id"])
        assert row.indikator_pk_id == new.pk  # the link follows the indikator into the new version
        assert PerjanjianKinerja.objects.get(pk=pk.pk).aktif is False
    detail = c.get(f"/api/v1/skp/{skp['id']}/").json()
    frozen = detail["rhk"][0]["indikator_pk_detail"]
    assert frozen["uraian"] == "Indeks kepuasan masyarakat"
    assert frozen["target"] == "85"
    assert frozen["sasaran"] == SASARAN[0]["uraian"]
    page = client_for(org_a.kepala.user).get(reverse("skp:detail", args=[skp["id"]])).content.decode()
    assert "Indeks kepuasan masyarakat (IKM)" not in page
    assert "Survei kepuasan masyarakat triwulanan" in page


def test_draft_link_follows_revision_and_removed_indikator_blocks_submit(org_a: Org, api: Any) -> None:
    pk = buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN)
    sakip = iku(pk)[2]
    c = api(org_a.kepala.user)
    skp = skp_baru(c)
    rhk(c, skp["id"], "Akuntabilitas", indikator_pk=sakip.pk)
    # a revision without the SAKIP indikator: the draft's link stays on the old version
    buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN, sasaran=SASARAN[:1])
    resp = c.post(f"/api/v1/skp/{skp['id']}/ajukan/")
    assert resp.status_code == 409


def test_skp_page_shows_iku_choices_sumber_data_and_manual_iku(org_a: Org, api: Any) -> None:
    pk = buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN)
    ikm = iku(pk)[0]
    c = api(org_a.kepala.user)
    skp = skp_baru(c)
    rhk(c, skp["id"], "Meningkatnya kepuasan", indikator_pk=ikm.pk)
    web = client_for(org_a.kepala.user)
    page = web.get(reverse("skp:detail", args=[skp["id"]])).content.decode()
    assert 'data-testid="manual-iku"' in page
    assert "Rata-rata nilai survei x 25" in page  # formula
    assert "Triwulanan" in page  # periode pelaporan
    assert 'data-testid="sumber-data"' in page
    form = web.get(reverse("skp:rhk-tambah", args=[skp["id"]]) + "?jenis=utama", HTTP_HX_REQUEST="true")
    html = form.content.decode()
    assert 'name="indikator_pk"' in html
    assert "Nilai SAKIP" in html
    # the page form saves the link
    resp = web.post(
        reverse("skp:rhk-tambah", args=[skp["id"]]),
        {
            "jenis": "utama",
            "rencana_hasil_kerja": "Terwujudnya SAKIP A",
            "indikator_pk": str(iku(pk)[2].pk),
            "indikator-0-aspek": "kualitas",
            "indikator-0-iki": "Nilai SAKIP unit",
            "indikator-0-target": "A",
        },
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 200
    with scope(instansi=org_a.instansi.pk):
        assert (
            Rhk.objects.get(skp_id=skp["id"], rencana_hasil_kerja="Terwujudnya SAKIP A").indikator_pk_id
            == iku(pk)[2].pk
        )


def test_pohon_starts_at_the_pk_with_coverage(org_a: Org, api: Any) -> None:
    pk = buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN)
    ikm, tepat, sakip = iku(pk)
    c = api(org_a.kepala.user)
    skp = skp_baru(c)
    r = rhk(c, skp["id"], "Meningkatnya kepuasan", indikator_pk=ikm.pk).json()
    ca = api(org_a.atasan.user)
    skp_a = skp_baru(ca)
    rhk(ca, skp_a["id"], "Standar pelayanan bidang", rhk_pimpinan=r["id"])
    web = client_for(org_a.admin.user)
    html = web.get(reverse("skp:pohon") + f"?tahun={TAHUN}").content.decode()
    assert 'data-testid="pohon-pk"' in html
    assert f'data-iku="{ikm.pk}"' in html
    # coverage: the two unsupported indikator and the unsupported second sasaran are listed
    kosong = html.split('data-testid="cakupan-pk"')[1].split('data-testid="cakupan-tidak-didukung"')[0]
    assert f'data-iku="{tepat.pk}"' in kosong
    assert f'data-iku="{sakip.pk}"' in kosong
    assert f'data-iku="{ikm.pk}"' not in kosong
    assert SASARAN[1]["uraian"] in kosong
    assert "1 dari 3 indikator didukung" in html
    # per unit: the top unit from its head down; a unit without a head is 404, another instansi's too
    unit_html = web.get(reverse("skp:pohon") + f"?tahun={TAHUN}&unit={org_a.kepala.unit_kerja_id}")
    assert unit_html.status_code == 200
    assert "Standar pelayanan bidang" in unit_html.content.decode()


def test_pohon_unit_of_another_instansi_is_404(org_a: Org, org_b: Org) -> None:
    web = client_for(org_a.admin.user)
    assert web.get(reverse("skp:pohon") + f"?unit={org_b.kepala.unit_kerja_id}").status_code == 404
    assert web.get(reverse("skp:pohon") + "?unit=x").status_code == 404


def test_pohon_query_count_does_not_grow_with_the_pk(
    org_a: Org, org_b: Org, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    buat_pk(org_b.admin, org_b.kepala.unit_kerja, TAHUN, sasaran=SASARAN[:1])
    for unit in (org_a.kepala.unit_kerja, org_a.atasan.unit_kerja):
        buat_pk(org_a.admin, unit, TAHUN, sasaran=SASARAN * 5)
    counts = []
    for org in (org_b, org_a):
        web = client_for(org.admin.user)
        url = reverse("skp:pohon") + f"?tahun={TAHUN}"
        web.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert web.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
