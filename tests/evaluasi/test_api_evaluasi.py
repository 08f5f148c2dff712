"""API contract of api-contract.md §3 for evaluations: list, PATCH rating, predikat, 404/409/400."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from evaluasi.models import Evaluasi
from kinerja.models import AuditLog
from tests.conftest import Org
from tests.evaluasi.conftest import TAHUN, make_skp, periode
from tests.skp.test_api_skp import approved_skp, atasan_plan, create_skp

pytestmark = pytest.mark.django_db

DA, SE, DB = "di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"
Q3 = dt.datetime(2026, 9, 15, 9, 0, tzinfo=dt.UTC)
# annual ratings only inside the annual window (domain.md "Annual window": 1 Dec .. 31 Jan)
JENDELA = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)


def give_feedback(org: Org, penerima: Any, skp_id: int, periode_id: int) -> None:
    """Feedback through dialog's service (the real thing evaluasi reads)."""
    from dialog.services.umpan_balik import umpan_balik_give
    from skp.models import Skp

    with scope(instansi=org.instansi.pk):
        skp = Skp.objects.get(pk=skp_id)
        umpan_balik_give(
            actor=org.atasan.user, skp=skp, periode_id=periode_id, isi="Laporan rapi dan tepat waktu."
        )


def list_eval(client: Any, **params: Any) -> list[dict[str, Any]]:
    resp = client.get("/api/v1/evaluasi/", params)
    assert resp.status_code == 200, resp.content
    return resp.json()["results"]


def test_list_contract_and_visibility(org_a: Org, org_b: Org, api: Any, time_machine: Any) -> None:
    time_machine.move_to(Q3)
    for p in (org_a.atasan, org_a.pegawai, org_a.rekan):
        make_skp(p)
    make_skp(org_b.pegawai)
    q3 = periode(org_a.instansi, 3)

    mine = list_eval(api(org_a.pegawai.user), tahun=TAHUN)
    # own rows only: 4 quarters + the annual one, with the jenis field
    assert {e["pegawai"]["id"] for e in mine} == {org_a.pegawai.pk}
    assert sorted(e["jenis"] for e in mine) == ["periodik"] * 4 + ["tahunan"]
    row = next(e for e in mine if e["periode"] and e["periode"]["id"] == q3.pk)
    assert {"id", "jenis", "tahun", "periode", "pegawai", "pejabat_penilai", "rating_hasil_kerja",
            "rating_perilaku_kerja", "predikat", "status", "justifikasi"} <= set(row)  # fmt: skip
    assert row["pejabat_penilai"]["id"] == org_a.atasan.pk
    assert row["predikat"] == ""
    assert row["status"] == "belum_dinilai"

    # the pejabat penilai sees the people they rate (and their own)
    rated = list_eval(api(org_a.atasan.user), tahun=TAHUN, periode=q3.pk)
    assert {e["pegawai"]["id"] for e in rated} == {org_a.atasan.pk, org_a.pegawai.pk, org_a.rekan.pk}
    # admin and hr see everyone of the instansi, never B
    for who in (org_a.admin, org_a.hr):
        everyone = list_eval(api(who.user), tahun=TAHUN, jenis="tahunan")
        assert {e["pegawai"]["id"] for e in everyone} == {org_a.atasan.pk, org_a.pegawai.pk, org_a.rekan.pk}
    # B's admin sees nothing of A and a period id of A is 404 for B
    assert org_a.pegawai.pk not in {
        e["pegawai"]["id"] for e in list_eval(api(org_b.atasan.user), tahun=TAHUN)
    }
    assert api(org_b.admin.user).get("/api/v1/evaluasi/", {"periode": q3.pk}).status_code == 404


def test_leader_rates_a_quarter_end_to_end_through_the_api(org_a: Org, api: Any, time_machine: Any) -> None:
    """SKPs planned and approved through the API; feedback given through dialog; PATCH → predikat."""
    time_machine.move_to(Q3)
    lead = atasan_plan(api, org_a)
    own = approved_skp(api, org_a.pegawai, org_a.atasan, ["Laporan keuangan"], [lead["rhk"][0]["id"]])
    q3 = periode(org_a.instansi, 3)
    give_feedback(org_a, org_a.pegawai, own["skp"]["id"], q3.pk)

    leader = api(org_a.atasan.user)
    ev = next(e for e in list_eval(leader, periode=q3.pk) if e["pegawai"]["id"] == org_a.pegawai.pk)
    resp = leader.patch(
        f"/api/v1/evaluasi/{ev['id']}/",
        {"rating_hasil_kerja": DA, "rating_perilaku_kerja": DA},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["predikat"] == "sangat_baik"
    assert body["status"] == "dinilai"
    assert body["jumlah_umpan_balik"] == 1
    # re-rating before finalisation is allowed and audited with before/after
    resp = leader.patch(
        f"/api/v1/evaluasi/{ev['id']}/",
        {"rating_hasil_kerja": DB, "rating_perilaku_kerja": DB},
        format="json",
    )
    assert resp.json()["predikat"] == "sangat_kurang"
    with scopes_disabled():
        logs = list(
            AuditLog.objects.filter(object_type="evaluasi.evaluasi", object_id=str(ev["id"])).order_by("id")
        )
    assert [log.after["predikat"] for log in logs] == ["sangat_baik", "sangat_kurang"]
    assert logs[1].before["predikat"] == "sangat_baik"
    # the pegawai sees the result and its basis
    mine = api(org_a.pegawai.user).get(f"/api/v1/evaluasi/{ev['id']}/").json()
    assert mine["predikat"] == "sangat_kurang"
    assert mine["rating_hasil_kerja"] == DB


@pytest.mark.parametrize(
    ("hk", "pk", "expected"),
    [
        (DA, DA, "sangat_baik"),
        (SE, DA, "baik"),
        (DB, SE, "butuh_perbaikan"),
        (SE, DB, "kurang_misconduct"),
        (DB, DB, "sangat_kurang"),
    ],
)
def test_patch_returns_matrix_predikat(
    org_a: Org, api: Any, time_machine: Any, hk: str, pk: str, expected: str
) -> None:
    time_machine.move_to(JENDELA)
    make_skp(org_a.pegawai)
    ev = next(
        e
        for e in list_eval(api(org_a.atasan.user), tahun=TAHUN, jenis="tahunan")
        if e["pegawai"]["id"] == org_a.pegawai.pk
    )
    resp = api(org_a.atasan.user).patch(
        f"/api/v1/evaluasi/{ev['id']}/",
        {"rating_hasil_kerja": hk, "rating_perilaku_kerja": pk, "justifikasi": "Observasi langsung."},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["predikat"] == expected


def test_rating_without_feedback_needs_justifikasi(org_a: Org, api: Any, time_machine: Any) -> None:
    time_machine.move_to(Q3)
    make_skp(org_a.pegawai)
    q3 = periode(org_a.instansi, 3)
    leader = api(org_a.atasan.user)
    ev = next(e for e in list_eval(leader, periode=q3.pk) if e["pegawai"]["id"] == org_a.pegawai.pk)
    url = f"/api/v1/evaluasi/{ev['id']}/"
    resp = leader.patch(url, {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE}, format="json")
    assert resp.status_code == 400
    assert "justifikasi" in resp.json()["errors"]
    resp = leader.patch(
        url, {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "  "}, format="json"
    )
    assert resp.status_code == 400
    resp = leader.patch(
        url,
        {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "Dibahas dalam rapat tim."},
        format="json",
    )
    assert resp.status_code == 200
    assert resp.json()["justifikasi"] == "Dibahas dalam rapat tim."


def test_invalid_rating_is_400(org_a: Org, api: Any, time_machine: Any) -> None:
    time_machine.move_to(Q3)
    make_skp(org_a.pegawai)
    ev = next(
        e
        for e in list_eval(api(org_a.atasan.user), tahun=TAHUN, jenis="tahunan")
        if e["pegawai"]["id"] == org_a.pegawai.pk
    )
    resp = api(org_a.atasan.user).patch(
        f"/api/v1/evaluasi/{ev['id']}/",
        {"rating_hasil_kerja": "luar_biasa", "rating_perilaku_kerja": SE},
        format="json",
    )
    assert resp.status_code == 400
    assert "rating_hasil_kerja" in resp.json()["errors"]


def test_only_the_pejabat_penilai_may_patch(
    org_a: Org, org_b: Org, outsider: Any, api: Any, platform_admin: Any, time_machine: Any
) -> None:
    time_machine.move_to(Q3)
    make_skp(org_a.pegawai)
    ev = next(
        e
        for e in list_eval(api(org_a.atasan.user), tahun=TAHUN, jenis="tahunan")
        if e["pegawai"]["id"] == org_a.pegawai.pk
    )
    url = f"/api/v1/evaluasi/{ev['id']}/"
    body = {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "x"}
    for who in (org_a.pegawai, org_a.rekan, org_a.kepala, org_a.admin, org_a.hr, outsider, org_b.admin):
        assert api(who.user).patch(url, body, format="json").status_code == 404, who
    assert api(None).patch(url, body, format="json").status_code in (401, 403)
    with scopes_disabled():
        assert Evaluasi.objects.get(pk=ev["id"]).predikat == ""


def test_delegated_penilai_may_patch(org_a: Org, api: Any, time_machine: Any) -> None:
    from kinerja.services.delegasi import delegasi_create

    time_machine.move_to(JENDELA)
    make_skp(org_a.pegawai)
    with scope(instansi=org_a.instansi.pk):
        delegasi_create(
            actor=org_a.admin.user, instansi=org_a.instansi, pemberi=org_a.atasan, penerima=org_a.kepala,
            jenis="plh", mulai=dt.date(2026, 12, 1), selesai=dt.date(2026, 12, 31),
        )  # fmt: skip
    evs = list_eval(api(org_a.kepala.user), tahun=TAHUN, jenis="tahunan")
    ev = next(e for e in evs if e["pegawai"]["id"] == org_a.pegawai.pk)
    resp = api(org_a.kepala.user).patch(
        f"/api/v1/evaluasi/{ev['id']}/",
        {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "Plh."},
        format="json",
    )
    assert resp.status_code == 200, resp.content


def test_future_period_is_409(org_a: Org, api: Any, time_machine: Any) -> None:
    time_machine.move_to(Q3)
    make_skp(org_a.pegawai)
    q4 = periode(org_a.instansi, 4)
    ev = next(
        e for e in list_eval(api(org_a.atasan.user), periode=q4.pk) if e["pegawai"]["id"] == org_a.pegawai.pk
    )
    resp = api(org_a.atasan.user).patch(
        f"/api/v1/evaluasi/{ev['id']}/",
        {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "x"},
        format="json",
    )
    assert resp.status_code == 409


def test_annual_belongs_to_penilai_of_stint_covering_31_december(
    org_a: Org, api: Any, time_machine: Any
) -> None:
    """Mutasi in May: the old leader rates Q1-Q2 of the first stint; the annual one is the new leader's."""
    time_machine.move_to(dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC))
    make_skp(org_a.pegawai, mulai=dt.date(TAHUN, 1, 1), selesai=dt.date(TAHUN, 5, 14), penilai=org_a.kepala)
    make_skp(org_a.pegawai, mulai=dt.date(TAHUN, 5, 15), selesai=dt.date(TAHUN, 12, 31))
    old = list_eval(api(org_a.kepala.user), tahun=TAHUN)
    assert {
        (e["jenis"], e["periode"]["nomor"] if e["periode"] else None)
        for e in old
        if e["pegawai"]["id"] == org_a.pegawai.pk
    } >= {("periodik", 1), ("periodik", 2)}
    assert not [e for e in old if e["pegawai"]["id"] == org_a.pegawai.pk and e["jenis"] == "tahunan"]
    new = list_eval(api(org_a.atasan.user), tahun=TAHUN, jenis="tahunan")
    annual = next(e for e in new if e["pegawai"]["id"] == org_a.pegawai.pk)
    assert annual["pejabat_penilai"]["id"] == org_a.atasan.pk
    detail = api(org_a.atasan.user).get(f"/api/v1/evaluasi/{annual['id']}/").json()
    assert len(detail["periodik"]) == 5  # Q1, Q2 of the first stint; Q2, Q3, Q4 of the second
    # the old leader may not rate the annual one
    resp = api(org_a.kepala.user).patch(
        f"/api/v1/evaluasi/{annual['id']}/",
        {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "x"},
        format="json",
    )
    assert resp.status_code == 404


def test_list_query_count_is_constant(
    org_a: Org, api: Any, django_assert_max_num_queries: Any, time_machine: Any
) -> None:
    time_machine.move_to(Q3)
    for p in (org_a.pegawai, org_a.rekan, org_a.admin, org_a.hr):
        make_skp(p, penilai=org_a.atasan)
    client = api(org_a.admin.user)
    list_eval(client, tahun=TAHUN)  # materialise rows first
    with django_assert_max_num_queries(22) as ctx:
        rows = list_eval(client, tahun=TAHUN)
    assert len(rows) == 20
    n = len(ctx.captured_queries)
    from tests.factories import PegawaiFactory

    for _ in range(5):
        make_skp(
            PegawaiFactory(
                instansi=org_a.instansi,
                unit_kerja=org_a.pegawai.unit_kerja,
                jabatan=org_a.pegawai.jabatan,
                atasan=org_a.atasan,
            )
        )
    list_eval(client, tahun=TAHUN)
    with django_assert_max_num_queries(n):
        assert len(list_eval(client, tahun=TAHUN)) == 45


def test_api_draft_skp_has_no_evaluation(org_a: Org, api: Any) -> None:
    create_skp(api(org_a.pegawai.user))
    assert list_eval(api(org_a.pegawai.user), tahun=TAHUN) == []


def test_admin_list_materialises_newly_approved_skp(org_a: Org, api: Any, time_machine: Any) -> None:
    """The whole-instansi ensure is skipped while nothing changed, and runs again when an SKP is approved."""
    from tests.factories import PegawaiFactory

    time_machine.move_to(Q3)
    make_skp(org_a.pegawai)
    admin = api(org_a.admin.user)
    assert {e["pegawai"]["id"] for e in list_eval(admin, tahun=TAHUN, jenis="tahunan")} == {org_a.pegawai.pk}
    time_machine.move_to(Q3 + dt.timedelta(minutes=5))
    baru = PegawaiFactory(
        instansi=org_a.instansi,
        unit_kerja=org_a.pegawai.unit_kerja,
        jabatan=org_a.pegawai.jabatan,
        atasan=org_a.atasan,
    )
    make_skp(baru)
    assert {e["pegawai"]["id"] for e in list_eval(admin, tahun=TAHUN, jenis="tahunan")} == {
        org_a.pegawai.pk,
        baru.pk,
    }
