"""Tim kerja API (api-contract.md §5): the contract shapes, 400 field errors, 404 across instansi and
for those who may not see a team, the permission matrix of the new URLs, the list's query count,
``rhk_pimpinan`` from the ketua's SKP and the Matriks Peran Hasil ``?tim=``."""

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Org
from tests.kinerja.tim_data import TimWorld, build_tim_world, draft_with, make_tim

TAHUN = 2026
HARI_INI = dt.datetime(2026, 5, 15, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.fixture(autouse=True)
def _waktu() -> Iterator[None]:
    with time_machine.travel(HARI_INI, tick=True):
        yield


@pytest.fixture
def w(org_a: Org) -> TimWorld:
    return build_tim_world(org_a, TAHUN)


def test_create_answers_the_contract_shape(w: TimWorld, api: Any) -> None:
    resp = api(w.org.admin.user).post(
        "/api/v1/tim-kerja/",
        {"nama": "Tim Transformasi Digital", "tahun": TAHUN, "ketua": w.ketua.nip,
         "anggota": [w.anggota1.nip, w.anggota2.nip]},
        format="json",
    )  # fmt: skip
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert {k: body[k] for k in ("nama", "tahun")} == {"nama": "Tim Transformasi Digital", "tahun": TAHUN}
    assert body["ketua"] == {"nip": w.ketua.nip, "nama": w.ketua.nama}
    assert sorted((a["nip"], a["nama"]) for a in body["anggota"]) == sorted(
        [(w.anggota1.nip, w.anggota1.nama), (w.anggota2.nip, w.anggota2.nama)]
    )
    assert isinstance(body["id"], int)


def test_bad_nips_are_400_with_field_errors(w: TimWorld, org_b: Org, api: Any) -> None:
    client = api(w.org.atasan.user)  # a Pejabat Penilai may create
    resp = client.post(
        "/api/v1/tim-kerja/",
        {"nama": "Tim X", "tahun": TAHUN, "ketua": org_b.kepala.nip, "anggota": [org_b.pegawai.nip]},
        format="json",
    )
    assert resp.status_code == 400
    errors = resp.json()["errors"]
    assert org_b.kepala.nip in errors["ketua"][0]
    assert org_b.pegawai.nip in errors["anggota"][0]
    resp = client.post(
        "/api/v1/tim-kerja/",
        {"nama": "Tim X", "tahun": TAHUN, "ketua": w.ketua.nip, "anggota": [w.anggota1.nip, w.anggota1.nip]},
        format="json",
    )
    assert resp.status_code == 400
    assert "lebih dari sekali" in resp.json()["errors"]["anggota"][0]
    resp = client.post(
        "/api/v1/tim-kerja/", {"nama": "Tim X", "tahun": 2030, "ketua": w.ketua.nip}, format="json"
    )
    assert resp.status_code == 400
    assert "2030" in resp.json()["errors"]["tahun"][0]
    # a plain pegawai may not create: as if the endpoint did not exist for them
    resp = api(w.org.rekan.user).post(
        "/api/v1/tim-kerja/", {"nama": "Tim Y", "tahun": TAHUN, "ketua": w.ketua.nip}, format="json"
    )
    assert resp.status_code == 404


def test_list_visibility_and_isolation(w: TimWorld, outsider: Any, api: Any) -> None:
    tim = make_tim(w, anggota=[w.anggota1])
    make_tim(w, nama="Tim Data", anggota=[w.anggota2])

    def names(user: Any, query: str = "") -> list[str]:
        resp = api(user).get(f"/api/v1/tim-kerja/{query}")
        assert resp.status_code == 200
        return sorted(t["nama"] for t in resp.json()["results"])

    assert names(w.org.admin.user, f"?tahun={TAHUN}") == ["Tim Data", "Tim Transformasi Digital"]
    assert names(w.org.admin.user, "?tahun=2025") == []
    assert names(w.ketua.user) == ["Tim Data", "Tim Transformasi Digital"]
    assert names(w.anggota1.user) == ["Tim Transformasi Digital"]
    assert names(w.org.rekan.user) == []
    assert names(outsider.user) == []
    for user in (outsider.user, w.org.rekan.user):
        assert api(user).get(f"/api/v1/tim-kerja/{tim.pk}/").status_code == 404
        assert (
            api(user).patch(f"/api/v1/tim-kerja/{tim.pk}/", {"nama": "X"}, format="json").status_code == 404
        )
        assert (
            api(user).post(
                f"/api/v1/tim-kerja/{tim.pk}/anggota/", {"anggota": [w.anggota2.nip]}, format="json"
            )
        ).status_code == 404
        assert api(user).delete(f"/api/v1/tim-kerja/{tim.pk}/anggota/{w.anggota1.nip}/").status_code == 404
    # an anggota sees the team but may not manage it
    assert api(w.anggota1.user).get(f"/api/v1/tim-kerja/{tim.pk}/").status_code == 200
    assert (
        api(w.anggota1.user).patch(f"/api/v1/tim-kerja/{tim.pk}/", {"nama": "X"}, format="json").status_code
        == 404
    )


def test_add_and_remove_anggota_keep_history(w: TimWorld, api: Any) -> None:
    tim = make_tim(w, anggota=[w.anggota1])
    client = api(w.org.admin.user)
    resp = client.post(f"/api/v1/tim-kerja/{tim.pk}/anggota/", {"anggota": [w.anggota2.nip]}, format="json")
    assert resp.status_code == 201
    assert {a["nip"] for a in resp.json()["anggota"]} == {w.anggota1.nip, w.anggota2.nip}
    resp = client.post(f"/api/v1/tim-kerja/{tim.pk}/anggota/", {"anggota": [w.anggota2.nip]}, format="json")
    assert resp.status_code == 400
    assert "sudah menjadi anggota" in resp.json()["errors"]["anggota"][0]
    resp = client.delete(
        f"/api/v1/tim-kerja/{tim.pk}/anggota/{w.anggota1.nip}/", {"selesai": "2026-01-02"}, format="json"
    )
    assert resp.status_code == 400  # before the membership began
    assert "selesai" in resp.json()["errors"]
    resp = client.delete(f"/api/v1/tim-kerja/{tim.pk}/anggota/{w.anggota1.nip}/")
    assert resp.status_code == 200
    body = resp.json()
    assert [a["nip"] for a in body["anggota"]] == [w.anggota2.nip]
    assert [(r["nip"], r["selesai"]) for r in body["riwayat_anggota"] if r["selesai"]] == [
        (w.anggota1.nip, "2026-05-15")
    ]
    resp = client.patch(f"/api/v1/tim-kerja/{tim.pk}/", {"nama": "Tim SPBE", "versi": 1}, format="json")
    assert resp.status_code == 409  # versi moved with each change: a stale page is told so
    resp = client.patch(
        f"/api/v1/tim-kerja/{tim.pk}/", {"nama": "Tim SPBE", "versi": body["versi"]}, format="json"
    )
    assert resp.status_code == 200
    assert resp.json()["nama"] == "Tim SPBE"


def test_list_query_count_does_not_grow_with_teams(w: TimWorld, api: Any) -> None:
    make_tim(w)
    client = api(w.org.admin.user)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/tim-kerja/").status_code == 200
    make_tim(w, nama="Tim Data")
    make_tim(w, nama="Tim Statistik")
    with CaptureQueriesContext(connection) as three:
        resp = client.get("/api/v1/tim-kerja/")
    assert len(resp.json()["results"]) == 3
    assert len(three) == len(one)
    assert len(three) <= 12


def test_rhk_from_the_ketua_and_matriks_per_team(w: TimWorld, api: Any, outsider: Any) -> None:
    tim = make_tim(w)
    ketua_skp, (kolom,) = draft_with(w.ketua, TAHUN, ["Aplikasi layanan terpadu berjalan"])
    skp1, _ = draft_with(w.anggota1, TAHUN, [])
    resp = api(w.anggota1.user).post(
        f"/api/v1/skp/{skp1.pk}/rhk/",
        {"jenis": "utama", "rencana_hasil_kerja": "Modul pengaduan selesai", "rhk_pimpinan": kolom.pk,
         "indikator": [{"aspek": "kuantitas", "iki": "Modul selesai", "target": "1 modul"}]},
        format="json",
    )  # fmt: skip
    assert resp.status_code == 201, resp.json()
    assert resp.json()["tim_kerja"] == tim.pk
    assert resp.json()["tim_kerja_teks"] == f"Tim: Tim Transformasi Digital (ketua {w.ketua.nama})"
    detail = api(w.anggota1.user).get(f"/api/v1/skp/{skp1.pk}/").json()
    assert detail["rhk"][0]["tim_kerja_teks"].startswith("Tim: Tim Transformasi Digital")
    # the rekan is not an anggota: 400 on rhk_pimpinan
    skp_r, _ = draft_with(w.org.rekan, TAHUN, [])
    resp = api(w.org.rekan.user).post(
        f"/api/v1/skp/{skp_r.pk}/rhk/",
        {"jenis": "utama", "rencana_hasil_kerja": "X", "rhk_pimpinan": kolom.pk,
         "indikator": [{"aspek": "kuantitas", "iki": "Y", "target": "1"}]},
        format="json",
    )  # fmt: skip
    assert resp.status_code == 400
    assert "rhk_pimpinan" in resp.json()["errors"]

    m = api(w.ketua.user).get(f"/api/v1/skp/{ketua_skp.pk}/matriks/?tim={tim.pk}")
    assert m.status_code == 200
    body = m.json()
    assert body["tim"]["id"] == tim.pk
    assert sorted(b["pegawai"]["nip"] for b in body["baris"]) == sorted([w.anggota1.nip, w.anggota2.nip])
    row1 = next(b for b in body["baris"] if b["pegawai"]["nip"] == w.anggota1.nip)
    assert [[x["rencana_hasil_kerja"] for x in cell] for cell in row1["sel"]] == [["Modul pengaduan selesai"]]
    # a team that is not this ketua's, junk, another instansi: 404 / 400
    assert api(w.ketua.user).get(f"/api/v1/skp/{ketua_skp.pk}/matriks/?tim=999999").status_code == 404
    assert api(w.ketua.user).get(f"/api/v1/skp/{ketua_skp.pk}/matriks/?tim=abc").status_code == 400
    assert api(outsider.user).get(f"/api/v1/skp/{ketua_skp.pk}/matriks/?tim={tim.pk}").status_code == 404


PERMISSION_MATRIX = [
    # (role, list GET, create POST, detail GET, PATCH)
    ("admin", 200, 201, 200, 200),
    ("penilai", 200, 201, 404, 404),  # a Pejabat Penilai creates; another's team is not theirs
    ("ketua", 200, 404, 200, 404),
    ("anggota", 200, 404, 200, 404),
    ("rekan", 200, 404, 404, 404),
    ("hr", 200, 404, 200, 404),
    ("outsider", 200, 400, 404, 404),  # admin of instansi B: creates only there (B has no 2026 periods)
]


@pytest.mark.parametrize(("role", "lst", "create", "detail", "patch"), PERMISSION_MATRIX)
def test_permission_matrix(
    w: TimWorld, outsider: Any, api: Any, role: str, lst: int, create: int, detail: int, patch: int
) -> None:
    tim = make_tim(w, anggota=[w.anggota1])
    user = {
        "admin": w.org.admin.user,
        "penilai": w.kabid_ti.user,
        "ketua": w.ketua.user,
        "anggota": w.anggota1.user,
        "rekan": w.org.rekan.user,
        "hr": w.org.hr.user,
        "outsider": outsider.user,
    }[role]
    client = api(user)
    assert client.get("/api/v1/tim-kerja/").status_code == lst
    body = {"nama": f"Tim {role}", "tahun": TAHUN, "ketua": w.ketua.nip}
    if role == "outsider":
        body["ketua"] = outsider.nip
    assert client.post("/api/v1/tim-kerja/", body, format="json").status_code == create
    assert client.get(f"/api/v1/tim-kerja/{tim.pk}/").status_code == detail
    assert (
        client.patch(f"/api/v1/tim-kerja/{tim.pk}/", {"nama": f"Tim {role} baru"}, format="json").status_code
        == patch
    )
