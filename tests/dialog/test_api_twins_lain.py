"""API twins of the smaller page POSTs: mark a SKP's feedback threads read, withdraw a request for feedback,
mark all notifications read, the email preference; the leader's matrix proposal (skp:matriks-usul)."""

from typing import Any

import pytest
from django_scopes import scope

from dialog.models import Notifikasi, PreferensiNotifikasi
from kinerja.models import Periode
from skp.models import Rhk, Skp
from tests.conftest import Org
from tests.dialog.conftest import make_skp, rhk_of

pytestmark = pytest.mark.django_db


def _feedback(api: Any, org: Org, skp: Skp, periode: Periode, isi: str) -> dict[str, Any]:
    resp = api(org.atasan.user).post(
        "/api/v1/umpan-balik/", {"skp": skp.pk, "periode": periode.pk, "isi": isi}, format="json"
    )
    assert resp.status_code == 201, resp.content
    return dict(resp.json())


def test_mark_all_threads_of_an_skp_read(
    org_a: Org, outsider: Any, skp_pegawai: Skp, tw: list[Periode], api: Any
) -> None:
    for i in range(3):
        _feedback(api, org_a, skp_pegawai, tw[1], f"Masukan {i}")
    owner = api(org_a.pegawai.user)
    unread = [t for t in owner.get("/api/v1/umpan-balik/").json()["results"] if not t["sudah_dibaca"]]
    assert len(unread) == 3
    resp = owner.post(f"/api/v1/skp/{skp_pegawai.pk}/umpan-balik/baca-semua/")
    assert resp.status_code == 200
    assert resp.json() == {"ditandai": 3}
    assert all(t["sudah_dibaca"] for t in owner.get("/api/v1/umpan-balik/").json()["results"])
    assert owner.post(f"/api/v1/skp/{skp_pegawai.pk}/umpan-balik/baca-semua/").json() == {"ditandai": 0}
    assert api(outsider.user).post(f"/api/v1/skp/{skp_pegawai.pk}/umpan-balik/baca-semua/").status_code == 404


def test_withdraw_a_request_for_feedback(
    org_a: Org, outsider: Any, skp_pegawai: Skp, tw: list[Periode], api: Any
) -> None:
    owner = api(org_a.pegawai.user)
    resp = owner.post(
        "/api/v1/permintaan-umpan-balik/",
        {"skp": skp_pegawai.pk, "diminta": org_a.atasan.pk, "periode": tw[1].pk},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    req = resp.json()
    # the one asked may not withdraw it (only the asker); the outsider: 404
    assert api(outsider.user).post(f"/api/v1/permintaan-umpan-balik/{req['id']}/batal/").status_code == 404
    assert api(org_a.rekan.user).post(f"/api/v1/permintaan-umpan-balik/{req['id']}/batal/").status_code == 404
    resp = owner.post(f"/api/v1/permintaan-umpan-balik/{req['id']}/batal/")
    assert resp.status_code == 200
    assert resp.json()["status"] == "dibatalkan"
    assert owner.post(f"/api/v1/permintaan-umpan-balik/{req['id']}/batal/").status_code == 409


def test_notifications_all_read_and_email_preference(
    org_a: Org, outsider: Any, skp_pegawai: Skp, tw: list[Periode], api: Any
) -> None:
    for i in range(2):
        _feedback(api, org_a, skp_pegawai, tw[1], f"Masukan {i}")
    owner = api(org_a.pegawai.user)
    assert owner.get("/api/v1/notifikasi/").json()["belum_dibaca"] >= 2
    resp = owner.post("/api/v1/notifikasi/baca-semua/")
    assert resp.status_code == 200
    assert resp.json()["ditandai"] >= 2
    assert owner.get("/api/v1/notifikasi/").json()["belum_dibaca"] == 0
    with scope(instansi=org_a.instansi.pk):  # only the caller's own notifications
        assert Notifikasi.objects.filter(penerima=org_a.atasan.user, dibaca_at__isnull=False).count() == 0
    # email preference
    assert owner.get("/api/v1/notifikasi/preferensi/").json() == {"mode_email": "segera"}
    resp = owner.put("/api/v1/notifikasi/preferensi/", {"mode_email": "harian"}, format="json")
    assert resp.status_code == 200
    assert resp.json() == {"mode_email": "harian"}
    resp = owner.put("/api/v1/notifikasi/preferensi/", {"mode_email": "kadang"}, format="json")
    assert resp.status_code == 400
    assert "mode_email" in resp.json()["errors"]
    with scope(instansi=org_a.instansi.pk):
        assert PreferensiNotifikasi.objects.get(user=org_a.pegawai.user).mode_email == "harian"
    assert api(outsider.user).get("/api/v1/notifikasi/preferensi/").json() == {"mode_email": "segera"}


def test_leader_proposes_a_result_from_the_matrix(
    org_a: Org, outsider: Any, tw: list[Periode], api: Any
) -> None:
    leader_skp = make_skp(org_a, org_a.atasan)
    sub = make_skp(org_a, org_a.pegawai, approve=False)
    kolom = rhk_of(org_a, leader_skp)[0]
    body = {
        "bawahan_skp": sub.pk,
        "kolom": kolom.pk,
        "rencana_hasil_kerja": "Tersusunnya draf SOP loket",
        "indikator": [{"aspek": "kuantitas", "iki": "Jumlah draf", "target": "1 draf"}],
    }
    url = f"/api/v1/skp/{leader_skp.pk}/matriks/usul/"
    # the subordinate and the outsider may not use the leader's matrix
    assert api(org_a.pegawai.user).post(url, body, format="json").status_code == 404
    assert api(outsider.user).post(url, body, format="json").status_code == 404
    resp = api(org_a.atasan.user).post(url, body | {"rencana_hasil_kerja": ""}, format="json")
    assert resp.status_code == 400
    assert "rencana_hasil_kerja" in resp.json()["errors"]
    resp = api(org_a.atasan.user).post(url, body, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["rhk_pimpinan"] == kolom.pk
    with scope(instansi=org_a.instansi.pk):
        assert (
            Rhk.objects.filter(
                skp=sub, rhk_pimpinan=kolom, rencana_hasil_kerja="Tersusunnya draf SOP loket"
            ).count()
            == 1
        )
    # a column that is not the leader's own result → 400 on "kolom"
    resp = api(org_a.atasan.user).post(url, body | {"kolom": rhk_of(org_a, sub)[0].pk}, format="json")
    assert resp.status_code == 400
    assert "kolom" in resp.json()["errors"]
