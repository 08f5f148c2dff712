"""Perjanjian Kinerja API (api-contract.md §5): create, list, revisions, isolation, bad input."""

from typing import Any

import pytest
from django_scopes import scope

from perjanjian.models import IndikatorKinerjaUtama, PerjanjianKinerja
from tests.conftest import Org
from tests.perjanjian.conftest import SASARAN

pytestmark = pytest.mark.django_db
URL = "/api/v1/perjanjian-kinerja/"


def body(org: Org, **kw: Any) -> dict[str, Any]:
    return {"unit_kerja": org.kepala.unit_kerja_id, "tahun": 2026, "sasaran": SASARAN, **kw}


def test_admin_creates_pk_with_every_id(org_a: Org, api: Any) -> None:
    resp = api(org_a.admin.user).post(URL, body(org_a), format="json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["unit_kerja"] == org_a.kepala.unit_kerja_id
    assert data["tahun"] == 2026
    assert data["versi"] == 1
    assert [s["uraian"] for s in data["sasaran"]] == [s["uraian"] for s in SASARAN]
    ids = [i["id"] for s in data["sasaran"] for i in s["indikator"]]
    assert len(ids) == 3
    assert all(isinstance(x, int) for x in ids)
    assert all(isinstance(s["id"], int) for s in data["sasaran"])
    first = data["sasaran"][0]["indikator"][0]
    assert first["target"] == "85"
    assert first["sumber_data"] == "Survei kepuasan masyarakat triwulanan"


def test_unit_leader_may_enter_own_unit_only(org_a: Org, api: Any) -> None:
    # the kepala heads the top unit; the atasan heads the bidang
    assert api(org_a.kepala.user).post(URL, body(org_a), format="json").status_code == 201
    resp = api(org_a.atasan.user).post(URL, body(org_a), format="json")
    assert resp.status_code == 403
    resp = api(org_a.atasan.user).post(URL, body(org_a, unit_kerja=org_a.atasan.unit_kerja_id), format="json")
    assert resp.status_code == 201
    # a staff member is no leader
    resp = api(org_a.pegawai.user).post(
        URL, body(org_a, unit_kerja=org_a.pegawai.unit_kerja_id), format="json"
    )
    assert resp.status_code == 403


def test_everyone_of_the_instansi_reads_it_others_see_nothing(
    org_a: Org, org_b: Org, outsider: Any, api: Any
) -> None:
    api(org_a.admin.user).post(URL, body(org_a), format="json")
    resp = api(org_a.pegawai.user).get(URL, {"tahun": 2026, "unit_kerja": org_a.kepala.unit_kerja_id})
    assert resp.status_code == 200
    rows = resp.json()["results"] if isinstance(resp.json(), dict) else resp.json()
    assert len(rows) == 1
    assert rows[0]["sasaran"][1]["indikator"][0]["uraian"] == "Nilai SAKIP"
    assert api(org_a.pegawai.user).get(URL, {"tahun": 2025}).json()["results"] == []
    resp = api(outsider.user).get(URL, {"tahun": 2026})
    assert resp.status_code == 200
    assert resp.json()["results"] == []
    pk_id = rows[0]["id"]
    assert api(outsider.user).get(f"{URL}{pk_id}/").status_code == 404
    assert api(None).get(URL).status_code in (401, 403)


def test_unit_of_another_instansi_is_a_field_error_and_writes_nothing(
    org_a: Org, org_b: Org, outsider: Any, api: Any
) -> None:
    resp = api(outsider.user).post(URL, body(org_b, unit_kerja=org_a.kepala.unit_kerja_id), format="json")
    assert resp.status_code == 400
    assert "unit_kerja" in resp.json()["errors"]
    with scope(instansi=org_a.instansi.pk):
        assert not PerjanjianKinerja.objects.exists()


@pytest.mark.parametrize(
    ("sasaran", "field"),
    [
        ([], "sasaran"),
        ([{"uraian": "", "indikator": [{"uraian": "x", "target": "1"}]}], "sasaran.0.uraian"),
        ([{"uraian": "S", "indikator": []}], "sasaran.0.indikator"),
        ([{"uraian": "S", "indikator": [{"uraian": "x", "target": ""}]}], "sasaran.0.indikator.0.target"),
        ([{"uraian": "S", "indikator": [{"uraian": "", "target": "1"}]}], "sasaran.0.indikator.0.uraian"),
    ],
)
def test_bad_body_is_400_with_field_and_nothing_written(
    org_a: Org, api: Any, sasaran: Any, field: str
) -> None:
    resp = api(org_a.admin.user).post(URL, body(org_a, sasaran=sasaran), format="json")
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["errors"]
    with scope(instansi=org_a.instansi.pk):
        assert not PerjanjianKinerja.objects.exists()


def test_bad_year_is_400(org_a: Org, api: Any) -> None:
    resp = api(org_a.admin.user).post(URL, body(org_a, tahun=1990), format="json")
    assert resp.status_code == 400
    assert "tahun" in resp.json()["errors"]


def test_revision_is_a_new_version_and_the_old_stays_readable(org_a: Org, api: Any) -> None:
    c = api(org_a.admin.user)
    v1 = c.post(URL, body(org_a), format="json").json()
    revised = [
        {
            "uraian": SASARAN[0]["uraian"],
            "indikator": [{"uraian": "Indeks kepuasan masyarakat", "target": "88"}],
        }
    ]
    v2 = c.post(URL, body(org_a, sasaran=revised, catatan="Target IKM naik"), format="json").json()
    assert v2["versi"] == 2
    assert v2["aktif"]
    old = c.get(f"{URL}{v1['id']}/").json()
    assert old["aktif"] is False
    assert old["sasaran"][0]["indikator"][0]["target"] == "85"
    assert [r["versi"] for r in old["riwayat"]] == [2, 1]
    rows = c.get(URL, {"tahun": 2026}).json()["results"]
    assert [r["versi"] for r in rows] == [2]
    with scope(instansi=org_a.instansi.pk):
        new_iku = IndikatorKinerjaUtama.objects.get(perjanjian_id=v2["id"])
        assert new_iku.asal_id == v1["sasaran"][0]["indikator"][0]["id"]


def test_list_query_count_is_constant(org_a: Org, api: Any, django_assert_max_num_queries: Any) -> None:
    from kinerja.models import UnitKerja

    c = api(org_a.admin.user)
    with scope(instansi=org_a.instansi.pk):
        units = list(UnitKerja.objects.all())
    for u in units:
        assert (
            c.post(URL, {"unit_kerja": u.pk, "tahun": 2026, "sasaran": SASARAN}, format="json").status_code
            == 201
        )
    assert len(units) >= 2
    with django_assert_max_num_queries(12):
        resp = c.get(URL, {"tahun": 2026})
    assert len(resp.json()["results"]) == len(units)
