"""SKP API contract (api-contract.md §3) and the planning rules of issue #3."""

import threading
from typing import Any

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from kinerja.models import AuditLog
from skp.models import Skp, SkpStatus, SkpStatusChange
from tests.conftest import Org
from tests.factories.perjanjian import iku_bawaan

pytestmark = pytest.mark.django_db

IND = [
    {"aspek": "kuantitas", "iki": "Jumlah laporan yang diselesaikan", "target": "12 laporan"},
    {"aspek": "waktu", "iki": "Ketepatan waktu", "target": "90 - 95 %"},
]


def create_skp(client: Any, tahun: int = 2026) -> dict[str, Any]:
    resp = client.post("/api/v1/skp/", {"tahun": tahun, "pendekatan": "kuantitatif"}, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def add_rhk(
    client: Any, skp_id: int, text: str, pimpinan: int | None = None, jenis: str = "utama"
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "jenis": jenis,
        "rencana_hasil_kerja": text,
        "rhk_pimpinan": pimpinan,
        "indikator": IND,
    }
    if jenis == "utama" and pimpinan is None:
        # a JPT's utama result derives from the unit's Perjanjian Kinerja (issue #16)
        with scopes_disabled():
            skp = Skp.objects.get(pk=skp_id)
        body["indikator_pk"] = iku_bawaan(skp.pegawai_id, skp.tahun)
    resp = client.post(f"/api/v1/skp/{skp_id}/rhk/", body, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def approved_skp(
    api: Any, owner: Any, approver: Any, texts: list[str], pimpinan: list[int | None] | None = None
) -> dict[str, Any]:
    c = api(owner.user)
    skp = create_skp(c)
    rhk = [add_rhk(c, skp["id"], t, (pimpinan or [None] * len(texts))[i]) for i, t in enumerate(texts)]
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200
    resp = api(approver.user).post(f"/api/v1/skp/{skp['id']}/setujui/")
    assert resp.status_code == 200, resp.content
    return {"skp": resp.json(), "rhk": rhk}


def atasan_plan(api: Any, org: Org, texts: list[str] | None = None) -> dict[str, Any]:
    """The kepala's SKP approved by the admin, then the atasan's SKP linked to it and approved by the kepala."""
    top = approved_skp(api, org.kepala, org.admin, ["Meningkatnya kualitas pelayanan publik"])
    texts = texts or ["Hasil pimpinan"]
    return approved_skp(api, org.atasan, org.kepala, texts, [top["rhk"][0]["id"]] * len(texts))


def test_create_draft_has_contract_shape_and_seven_core_values(org_a: Org, api: Any) -> None:
    skp = create_skp(api(org_a.pegawai.user))
    assert skp["status"] == "draft"
    assert skp["pendekatan"] == "kuantitatif"
    assert skp["periode_mulai"] == "2026-01-01"
    assert skp["periode_selesai"] == "2026-12-31"
    assert skp["pegawai"]["nip"] == org_a.pegawai.nip
    assert skp["pejabat_penilai"]["id"] == org_a.atasan.pk
    assert [p["core_value"] for p in skp["perilaku"]] == [
        "berorientasi_pelayanan",
        "akuntabel",
        "kompeten",
        "harmonis",
        "loyal",
        "adaptif",
        "kolaboratif",
    ]
    assert set(skp["lampiran"]) == {"dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi"}
    assert {
        "id",
        "status",
        "pegawai",
        "pejabat_penilai",
        "pendekatan",
        "periode_mulai",
        "periode_selesai",
        "rhk",
        "perilaku",
        "lampiran",
        "versi",
    } <= set(skp)


def test_three_level_plan_from_nothing_to_approved(org_a: Org, api: Any) -> None:
    """kepala (JPT) → atasan → pegawai plan a year through the API, with cascading links."""
    # the top leader (JPT, no atasan in the instansi) is approved by the admin
    top = approved_skp(api, org_a.kepala, org_a.admin, ["Meningkatnya kualitas pelayanan publik"])
    assert top["skp"]["status"] == "disetujui"
    # the middle leader links to the top leader's result
    mid = approved_skp(api, org_a.atasan, org_a.kepala, ["Tersusunnya SOP pelayanan"], [top["rhk"][0]["id"]])
    assert mid["rhk"][0]["rhk_pimpinan"] == top["rhk"][0]["id"]
    # the pegawai drafts, sees the leader's results as choices, links, submits; the leader approves
    c = api(org_a.pegawai.user)
    skp = create_skp(c)
    choices = c.get(f"/api/v1/skp/{skp['id']}/rhk-pimpinan/").json()
    assert [x["id"] for x in choices] == [mid["rhk"][0]["id"]]
    add_rhk(c, skp["id"], "Draf SOP loket", choices[0]["id"])
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").json()["status"] == "diajukan"
    inbox = api(org_a.atasan.user).get("/api/v1/skp/inbox/").json()["results"]
    assert [s["id"] for s in inbox] == [skp["id"]]
    done = api(org_a.atasan.user).post(f"/api/v1/skp/{skp['id']}/setujui/").json()
    assert done["status"] == "disetujui"
    assert done["snapshot_pegawai"]["nama"] == org_a.pegawai.nama
    assert done["snapshot_penilai"]["nama"] == org_a.atasan.nama


def test_draft_before_leader_plans_and_link_later(org_a: Org, api: Any) -> None:
    c = api(org_a.pegawai.user)
    skp = create_skp(c)
    assert c.get(f"/api/v1/skp/{skp['id']}/rhk-pimpinan/").json() == []
    rhk = add_rhk(c, skp["id"], "Hasil sebelum pimpinan menyusun")
    # submission requires every hasil kerja utama of JA/JF to be linked
    resp = c.post(f"/api/v1/skp/{skp['id']}/ajukan/")
    assert resp.status_code == 400
    assert "rhk_pimpinan" in resp.json()["errors"]
    # the leader plans; the pegawai links later and submits
    lead_c = api(org_a.atasan.user)
    lead = create_skp(lead_c)
    lead_rhk = add_rhk(lead_c, lead["id"], "Hasil pimpinan")
    resp = c.patch(f"/api/v1/rhk/{rhk['id']}/", {"rhk_pimpinan": lead_rhk["id"]}, format="json")
    assert resp.status_code == 200, resp.content
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200


def test_return_requires_note_then_resubmit(org_a: Org, api: Any) -> None:
    lead = atasan_plan(api, org_a)
    c = api(org_a.pegawai.user)
    skp = create_skp(c)
    add_rhk(c, skp["id"], "Hasil saya", lead["rhk"][0]["id"])
    c.post(f"/api/v1/skp/{skp['id']}/ajukan/")
    leader = api(org_a.atasan.user)
    resp = leader.post(f"/api/v1/skp/{skp['id']}/kembalikan/", {"catatan": "  "}, format="json")
    assert resp.status_code == 400
    assert "catatan" in resp.json()["errors"]
    resp = leader.post(
        f"/api/v1/skp/{skp['id']}/kembalikan/", {"catatan": "Target terlalu rendah"}, format="json"
    )
    assert resp.json()["status"] == "dikembalikan"
    assert resp.json()["catatan_pengembalian"] == "Target terlalu rendah"
    # only the owner edits, and may edit while dikembalikan
    rhk_id = resp.json()["rhk"][0]["id"]
    assert (
        leader.patch(f"/api/v1/rhk/{rhk_id}/", {"rencana_hasil_kerja": "x"}, format="json").status_code == 403
    )
    assert (
        c.patch(
            f"/api/v1/rhk/{rhk_id}/", {"rencana_hasil_kerja": "Hasil saya (diperbaiki)"}, format="json"
        ).status_code
        == 200
    )
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").json()["status"] == "diajukan"
    assert leader.post(f"/api/v1/skp/{skp['id']}/setujui/").json()["status"] == "disetujui"
    with scope(instansi=org_a.instansi.pk):
        history = list(SkpStatusChange.objects.filter(skp_id=skp["id"]).values_list("dari", "ke"))
        assert history == [
            ("draft", "diajukan"),
            ("diajukan", "dikembalikan"),
            ("dikembalikan", "diajukan"),
            ("diajukan", "disetujui"),
        ]
        actions = set(
            AuditLog.objects.filter(object_type="skp.skp", object_id=str(skp["id"])).values_list(
                "action", flat=True
            )
        )
        assert {"skp.diajukan", "skp.dikembalikan", "skp.disetujui"} <= actions


def test_approved_skp_never_changes(org_a: Org, api: Any) -> None:
    lead = atasan_plan(api, org_a)
    rhk_id = lead["rhk"][0]["id"]
    c = api(org_a.atasan.user)
    assert (
        c.patch(f"/api/v1/rhk/{rhk_id}/", {"rencana_hasil_kerja": "ubah"}, format="json").status_code == 409
    )
    assert c.delete(f"/api/v1/rhk/{rhk_id}/").status_code == 409
    assert (
        c.post(
            f"/api/v1/skp/{lead['skp']['id']}/rhk/",
            {"jenis": "utama", "rencana_hasil_kerja": "x", "indikator": IND},
            format="json",
        ).status_code
        == 409
    )
    assert c.post(f"/api/v1/skp/{lead['skp']['id']}/ajukan/").status_code == 409


def test_revision_supersedes_on_approval_and_old_stays_readable(org_a: Org, api: Any) -> None:
    lead = atasan_plan(api, org_a)
    c = api(org_a.atasan.user)
    resp = c.post(f"/api/v1/skp/{lead['skp']['id']}/revisi/")
    assert resp.status_code == 201
    rev = resp.json()
    assert rev["status"] == "draft"
    assert rev["revisi"] == 1
    assert rev["revisi_dari"] == lead["skp"]["id"]
    assert [r["rencana_hasil_kerja"] for r in rev["rhk"]] == ["Hasil pimpinan"]
    c.post(f"/api/v1/skp/{rev['id']}/ajukan/")
    api(org_a.kepala.user).post(f"/api/v1/skp/{rev['id']}/setujui/")
    old = c.get(f"/api/v1/skp/{lead['skp']['id']}/").json()
    assert old["status"] == "diganti"
    assert old["rhk"][0]["rencana_hasil_kerja"] == "Hasil pimpinan"


def test_stale_version_is_409_not_a_lost_update(org_a: Org, api: Any) -> None:
    c = api(org_a.pegawai.user)
    skp = create_skp(c)
    v = skp["versi"]
    # tab 1 adds a result with the version it loaded
    add_payload = {"jenis": "utama", "rencana_hasil_kerja": "Tab 1", "indikator": IND, "versi": v}
    assert c.post(f"/api/v1/skp/{skp['id']}/rhk/", add_payload, format="json").status_code == 201
    # tab 2 still holds the old version
    resp = c.post(
        f"/api/v1/skp/{skp['id']}/rhk/", {**add_payload, "rencana_hasil_kerja": "Tab 2"}, format="json"
    )
    assert resp.status_code == 409
    assert "tab" in resp.json()["detail"]
    assert [r["rencana_hasil_kerja"] for r in c.get(f"/api/v1/skp/{skp['id']}/").json()["rhk"]] == ["Tab 1"]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_make_one_transition(org_a: Org, api: Any) -> None:
    lead = atasan_plan(api, org_a)
    c = api(org_a.pegawai.user)
    skp = create_skp(c)
    add_rhk(c, skp["id"], "Hasil saya", lead["rhk"][0]["id"])
    c.post(f"/api/v1/skp/{skp['id']}/ajukan/")
    codes: list[int] = []
    barrier = threading.Barrier(2)

    def approve() -> None:
        client = api(org_a.atasan.user)
        barrier.wait()
        codes.append(client.post(f"/api/v1/skp/{skp['id']}/setujui/").status_code)
        connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]
    with scope(instansi=org_a.instansi.pk):
        assert SkpStatusChange.objects.filter(skp_id=skp["id"], ke="disetujui").count() == 1


def test_indikator_validation_messages(org_a: Org, api: Any) -> None:
    c = api(org_a.pegawai.user)
    skp = create_skp(c)
    resp = c.post(
        f"/api/v1/skp/{skp['id']}/rhk/",
        {
            "jenis": "utama",
            "rencana_hasil_kerja": "x",
            "indikator": [
                {"aspek": "kuantitas", "iki": "a", "target": ""},
                {"aspek": "kuantitas", "iki": "b", "target": "1"},
            ],
        },
        format="json",
    )
    assert resp.status_code == 400
    errors = resp.json()["errors"]
    assert "indikator.0.target" in errors
    assert "indikator.1.aspek" in errors
    too_many = [
        {"aspek": a, "iki": "i", "target": "t"} for a in ["kuantitas", "kualitas", "waktu", "biaya", "biaya"]
    ]
    resp = c.post(
        f"/api/v1/skp/{skp['id']}/rhk/",
        {"jenis": "utama", "rencana_hasil_kerja": "x", "indikator": too_many},
        format="json",
    )
    assert resp.status_code == 400


def test_jpt_has_no_leader_column(org_a: Org, api: Any) -> None:
    other_c = api(org_a.atasan.user)
    lead = {"rhk": [add_rhk(other_c, create_skp(other_c)["id"], "Hasil lain")]}
    c = api(org_a.kepala.user)
    skp = create_skp(c)
    resp = c.post(
        f"/api/v1/skp/{skp['id']}/rhk/",
        {
            "jenis": "utama",
            "rencana_hasil_kerja": "x",
            "rhk_pimpinan": lead["rhk"][0]["id"],
            "indikator": IND,
        },
        format="json",
    )
    assert resp.status_code == 400
    assert "rhk_pimpinan" in resp.json()["errors"]


def test_leader_choices_exclude_other_people(org_a: Org, api: Any) -> None:
    """A pegawai cannot link to a result that is not their Pejabat Penilai's."""
    kepala_c = api(org_a.kepala.user)
    kepala_skp = create_skp(kepala_c)
    foreign = add_rhk(kepala_c, kepala_skp["id"], "Hasil kepala (bukan atasan langsung)")
    c = api(org_a.pegawai.user)
    skp = create_skp(c)
    resp = c.post(
        f"/api/v1/skp/{skp['id']}/rhk/",
        {"jenis": "utama", "rencana_hasil_kerja": "x", "rhk_pimpinan": foreign["id"], "indikator": IND},
        format="json",
    )
    assert resp.status_code == 400
    assert "rhk_pimpinan" in resp.json()["errors"]


def test_copy_from_last_year(org_a: Org, api: Any) -> None:
    c = api(org_a.kepala.user)
    old = create_skp(c, 2025)
    add_rhk(c, old["id"], "Hasil tahun lalu")
    c.patch(f"/api/v1/skp/{old['id']}/", {"lampiran": {"konsekuensi": ["Teguran"]}}, format="json")
    new = create_skp(c, 2026)
    resp = c.post(f"/api/v1/skp/{new['id']}/salin/", {"dari": old["id"]}, format="json")
    assert resp.status_code == 200
    body = resp.json()
    assert [r["rencana_hasil_kerja"] for r in body["rhk"]] == ["Hasil tahun lalu"]
    assert body["lampiran"]["konsekuensi"] == ["Teguran"]


def test_peer_and_outsider_get_404(org_a: Org, org_b: Org, outsider: Any, api: Any) -> None:
    c = api(org_a.pegawai.user)
    skp = create_skp(c)
    rhk = add_rhk(c, skp["id"], "Hasil")
    for user in (org_a.rekan.user, outsider.user):
        other = api(user)
        for method, url in [
            ("get", f"/api/v1/skp/{skp['id']}/"),
            ("post", f"/api/v1/skp/{skp['id']}/setujui/"),
            ("post", f"/api/v1/skp/{skp['id']}/kembalikan/"),
            ("post", f"/api/v1/skp/{skp['id']}/ajukan/"),
            ("patch", f"/api/v1/rhk/{rhk['id']}/"),
            ("delete", f"/api/v1/rhk/{rhk['id']}/"),
            ("get", f"/api/v1/skp/{skp['id']}/dokumen/"),
        ]:
            resp = (
                getattr(other, method)(url, {"catatan": "x"}, format="json")
                if method != "get"
                else other.get(url)
            )
            assert resp.status_code == 404, (user, method, url, resp.status_code)
    assert api(outsider.user).get("/api/v1/skp/").json()["results"] == []
    # a pegawai can't approve their own SKP, and the rekan's list doesn't include it
    c.post(f"/api/v1/skp/{skp['id']}/ajukan/")
    assert c.post(f"/api/v1/skp/{skp['id']}/setujui/").status_code == 404


def test_filters_and_list(org_a: Org, api: Any) -> None:
    c = api(org_a.pegawai.user)
    create_skp(c, 2025)
    s26 = create_skp(c, 2026)
    rows = c.get("/api/v1/skp/?tahun=2026").json()["results"]
    assert [r["id"] for r in rows] == [s26["id"]]
    leader_rows = (
        api(org_a.atasan.user).get(f"/api/v1/skp/?pegawai={org_a.pegawai.pk}&status=draft").json()["results"]
    )
    assert len(leader_rows) == 2
    assert api(org_a.atasan.user).get("/api/v1/skp/?status=bogus").status_code == 400


def test_dokumen_is_409_before_approval(org_a: Org, api: Any) -> None:
    c = api(org_a.pegawai.user)
    skp = create_skp(c)
    resp = c.get(f"/api/v1/skp/{skp['id']}/dokumen/")
    assert resp.status_code == 409
    assert resp.json()["detail"]


def test_skp_list_query_count_constant(org_a: Org, api: Any, django_assert_max_num_queries: Any) -> None:
    from django.test.utils import CaptureQueriesContext

    admin = api(org_a.admin.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get("/api/v1/skp/?limit=500").status_code == 200
        return len(ctx.captured_queries)

    for p in (org_a.pegawai, org_a.rekan, org_a.atasan):
        create_skp(api(p.user))
    small = count()
    from tests.factories import PegawaiFactory

    with scope(instansi=org_a.instansi.pk):
        extra = [
            PegawaiFactory(
                instansi=org_a.instansi,
                unit_kerja=org_a.pegawai.unit_kerja,
                jabatan=org_a.pegawai.jabatan,
                atasan=org_a.atasan,
            )
            for _ in range(30)
        ]
    for p in extra:
        create_skp(api(p.user))
    assert count() == small
    with scope(instansi=org_a.instansi.pk):
        assert Skp.objects.filter(status=SkpStatus.DRAFT).count() == 33


def test_mutasi_mid_year_gives_a_new_skp_for_the_new_stint(org_a: Org, api: Any) -> None:
    import datetime as dt

    from kinerja.services.people import pegawai_mutasi

    # given an approved SKP for the whole year under the old atasan
    lead = atasan_plan(api, org_a)
    c = api(org_a.pegawai.user)
    old = create_skp(c)
    add_rhk(c, old["id"], "Hasil stint pertama", lead["rhk"][0]["id"])
    c.post(f"/api/v1/skp/{old['id']}/ajukan/")
    assert api(org_a.atasan.user).post(f"/api/v1/skp/{old['id']}/setujui/").status_code == 200
    # when the pegawai moves under the kepala on 1 July
    with scope(instansi=org_a.instansi.pk):
        pegawai_mutasi(actor=org_a.admin.user, pegawai=org_a.pegawai, unit_kerja=org_a.pegawai.unit_kerja,
                       jabatan=org_a.pegawai.jabatan, atasan=org_a.kepala, tanggal=dt.date(2026, 7, 1))  # fmt: skip
    # then a new SKP for the new stint starts on 1 July with the new Pejabat Penilai
    new = create_skp(c)
    assert (new["periode_mulai"], new["periode_selesai"]) == ("2026-07-01", "2026-12-31")
    assert new["pejabat_penilai"]["id"] == org_a.kepala.pk
    # and the first stint's SKP is still readable and unchanged
    first = c.get(f"/api/v1/skp/{old['id']}/").json()
    assert first["status"] == "disetujui"
    assert first["snapshot_penilai"]["nama"] == org_a.atasan.nama
    # a second SKP for the same new stint is still refused
    resp = c.post("/api/v1/skp/", {"tahun": 2026, "pendekatan": "kuantitatif"}, format="json")
    assert resp.status_code == 400
