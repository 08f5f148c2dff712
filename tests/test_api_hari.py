"""A pegawai's whole day and a leader's whole day through the API alone (issue #19 "Done when").

Each day starts with ``POST auth/token/`` (NIP + password) and then uses nothing but that token: no
session, no service call, no direct database write. The plans were approved earlier (also through the
API). Time: Friday 15 May 2026, in Triwulan II.

Log harian (branch ``log``): the lead adds the daily-log steps in ``_log_harian_pegawai`` (POST
log-harian/) and ``_log_harian_pimpinan`` (POST log-harian/verifikasi/, GET log-harian/rekap/) when that
branch lands; both are called at the right moment of each day already.
"""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, Org
from tests.factories import JabatanFactory, PegawaiFactory, UnitKerjaFactory
from tests.factories.berkas import pdf_bytes
from tests.skp.test_api_skp import add_rhk, approved_skp, create_skp

pytestmark = pytest.mark.django_db

HARI = dt.datetime(2026, 5, 15, 8, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


def masuk(nip: str) -> APIClient:
    """A client that has only what ``POST auth/token/`` gave it."""
    c = APIClient()
    resp = c.post("/api/v1/auth/token/", {"username": nip, "password": PASSWORD}, format="json")
    assert resp.status_code == 200, resp.content
    c.credentials(HTTP_AUTHORIZATION=f"Token {resp.json()['token']}")
    return c


def ok(resp: Any, code: int = 200) -> Any:
    assert resp.status_code == code, (resp.status_code, getattr(resp, "content", b"")[:800])
    return resp.json() if resp.get("Content-Type", "").startswith("application/json") else resp


def _log_harian_pegawai(c: APIClient, hari: dict[str, Any]) -> None:
    """Hook for the lead (branch ``log``): the pegawai logs today's work, e.g.
    ``ok(c.post("/api/v1/log-harian/", {"tanggal": "2026-05-15", "rhk": hari["rhk"], "rencana_aksi":
    hari["rencana_aksi"], "uraian": ..., "durasi_menit": 90, "tautan": None}, format="json"), 201)``
    and keeps the id in ``hari["log"]``."""


def _log_harian_pimpinan(c: APIClient, hari: dict[str, Any]) -> None:
    """Hook for the lead (branch ``log``): the Pejabat Penilai verifies the pegawai's logs of the week
    (``POST log-harian/verifikasi/`` with ``hari["log"]``) and reads the month's recap."""


@pytest.fixture
def rencana(org_a: Org, api: Any, time_machine: Any) -> dict[str, Any]:
    """Earlier this year (through the API): kepala → atasan → pegawai plans approved; the rekan's plan
    waits for the leader; an official of another unit who will assign work."""
    time_machine.move_to(dt.datetime(2026, 1, 20, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")))
    kepala = approved_skp(api, org_a.kepala, org_a.admin, ["Meningkatnya kualitas pelayanan publik"])
    atasan = approved_skp(
        api, org_a.atasan, org_a.kepala, ["Tersusunnya SOP pelayanan"], [kepala["rhk"][0]["id"]]
    )
    pegawai = approved_skp(
        api, org_a.pegawai, org_a.atasan, ["Terselesaikannya draf SOP loket"], [atasan["rhk"][0]["id"]]
    )
    rekan = create_skp(api(org_a.rekan.user))
    add_rhk(api(org_a.rekan.user), rekan["id"], "Tersusunnya arsip digital", atasan["rhk"][0]["id"])
    assert api(org_a.rekan.user).post(f"/api/v1/skp/{rekan['id']}/ajukan/").status_code == 200
    unit = UnitKerjaFactory(
        instansi=org_a.instansi, nama="Bidang Perencanaan A", induk=org_a.kepala.unit_kerja
    )
    jab = JabatanFactory(instansi=org_a.instansi, nama="Kepala Bidang Perencanaan", jenis="administrator")
    lain = PegawaiFactory(instansi=org_a.instansi, unit_kerja=unit, jabatan=jab, atasan=org_a.kepala)
    time_machine.move_to(HARI)
    return {"pegawai": pegawai["skp"], "rekan": rekan, "lain": lain}


def test_a_pegawai_day_and_a_leader_day_with_tokens_only(
    org_a: Org, org_b: Org, rencana: dict[str, Any]
) -> None:
    hari: dict[str, Any] = {}
    # ================================================================ the pegawai's morning
    c = masuk(org_a.pegawai.nip)
    me = ok(c.get("/api/v1/me/"))
    assert me["pegawai_id"] == org_a.pegawai.pk
    tw2 = next(p for p in ok(c.get("/api/v1/periode/")) if p["mulai"] <= "2026-05-15" <= p["selesai"])
    skp = next(
        s
        for s in ok(c.get("/api/v1/skp/", {"tahun": 2026}))["results"]
        if s["pegawai"]["id"] == me["pegawai_id"]
    )
    assert skp["status"] == "disetujui"
    detail = ok(c.get(f"/api/v1/skp/{skp['id']}/"))
    rhk = detail["rhk"][0]
    hari["rhk"] = rhk["id"]
    # plan this quarter's steps, correct one
    aksi = ok(
        c.post(
            f"/api/v1/skp/{skp['id']}/rencana-aksi/",
            {"rhk": rhk["id"], "periode": tw2["id"], "uraian": "Menyusun draf SOP loket", "target": "1 draf"},
            format="json",
        ),
        201,
    )
    ok(c.patch(f"/api/v1/rencana-aksi/{aksi['id']}/", {"target": "1 draf final"}, format="json"))
    hari["rencana_aksi"] = aksi["id"]
    _log_harian_pegawai(c, hari)
    # record the realisasi of each indicator, a link and a scanned PDF as evidence
    for ind in rhk["indikator"]:
        real = ok(
            c.put(
                f"/api/v1/skp/{skp['id']}/realisasi/",
                {
                    "indikator": ind["id"],
                    "periode": tw2["id"],
                    "realisasi": "Draf SOP selesai 80%",
                    "tautan": None,
                },
                format="json",
            )
        )
    real = ok(
        c.put(
            f"/api/v1/skp/{skp['id']}/realisasi/",
            {
                "indikator": rhk["indikator"][0]["id"],
                "periode": tw2["id"],
                "realisasi": "Draf SOP selesai 90%",
                "tautan": "https://drive.example.go.id/sop-loket",
            },
            format="json",
        )
    )
    bukti = ok(
        c.post(
            f"/api/v1/realisasi/{real['id']}/bukti/",
            {"berkas": SimpleUploadedFile("draf-sop.pdf", pdf_bytes(), content_type="application/pdf")},
            format="multipart",
        ),
        201,
    )
    assert {b["jenis"] for b in bukti["bukti"]} == {"tautan", "berkas"}
    # ask the leader for feedback on this result
    minta = ok(
        c.post(
            "/api/v1/permintaan-umpan-balik/",
            {
                "skp": skp["id"],
                "diminta": org_a.atasan.pk,
                "periode": tw2["id"],
                "rhk": rhk["id"],
                "pesan": "Mohon masukan atas draf SOP.",
            },
            format="json",
        ),
        201,
    )
    # a short dialog note with themself about the week's plan
    ok(
        c.post(
            "/api/v1/catatan/",
            {
                "jenis": "dialog_kinerja",
                "pegawai": me["pegawai_id"],
                "tanggal": "2026-05-15",
                "agenda": "Rencana minggu depan",
            },
            format="json",
        ),
        201,
    )

    # ================================================================ the leader's day
    L = masuk(org_a.atasan.nip)
    assert "pejabat_penilai" in ok(L.get("/api/v1/me/"))["roles"]
    notif = ok(L.get("/api/v1/notifikasi/", {"belum_dibaca": True}))
    assert notif["belum_dibaca"] >= 1
    # approve one plan, after reading the inbox
    inbox = ok(L.get("/api/v1/skp/inbox/"))
    rows = inbox["results"] if isinstance(inbox, dict) else inbox
    assert rencana["rekan"]["id"] in {r["id"] for r in rows}
    ok(L.post(f"/api/v1/skp/{rencana['rekan']['id']}/setujui/"))
    # review the pegawai's documentation and answer the request for feedback
    dok = ok(L.get(f"/api/v1/skp/{skp['id']}/realisasi/", {"periode": tw2["id"]}))
    assert {r["id"] for r in dok["results"]} >= {real["id"]}
    ub = ok(
        L.post(
            "/api/v1/umpan-balik/",
            {
                "skp": skp["id"],
                "rhk": rhk["id"],
                "core_value": None,
                "periode": tw2["id"],
                "isi": "Draf rapi; tambahkan alur pengaduan.",
                "permintaan": minta["id"],
            },
            format="json",
        ),
        201,
    )
    # a bimbingan with a follow-up, then the B.1.9 competence evaluation
    rec = ok(
        L.post(
            "/api/v1/catatan/",
            {
                "jenis": "bimbingan_kinerja",
                "pegawai": org_a.pegawai.pk,
                "tanggal": "2026-05-15",
                "agenda": "Penyusunan SOP",
                "tindak_lanjut": [{"uraian": "Lengkapi alur pengaduan", "tenggat": "2026-05-29"}],
            },
            format="json",
        ),
        201,
    )
    komp = ok(L.get(f"/api/v1/catatan/{rec['id']}/b19/"))
    ok(
        L.post(
            f"/api/v1/catatan/{rec['id']}/b19/",
            {
                "penilaian": [
                    {"kompetensi": komp[0]["id"], "nilai": 4, "alasan": "Memahami standar pelayanan"}
                ]
            },
            format="json",
        )
    )
    # a penugasan proposed by another unit's official is accepted into the pegawai's SKP
    lain = masuk(rencana["lain"].nip)
    p = ok(
        lain.post(
            "/api/v1/penugasan/",
            {
                "pegawai": org_a.pegawai.pk,
                "hasil_kerja": "Tersusunnya kajian lintas bidang",
                "indikator": [{"aspek": "kuantitas", "iki": "Jumlah kajian", "target": "1 kajian"}],
                "mulai": "2026-05-18",
                "selesai": "2026-06-30",
            },
            format="json",
        ),
        201,
    )
    assert p["id"] in {x["id"] for x in ok(L.get("/api/v1/penugasan/", {"daftar": "diputuskan"}))["results"]}
    terima = ok(L.post(f"/api/v1/penugasan/{p['id']}/terima/", {"jenis": "tambahan"}, format="json"))
    assert terima["status"] == "diterima"
    _log_harian_pimpinan(L, hari)
    # rate the quarter
    ev = next(
        e
        for e in ok(L.get("/api/v1/evaluasi/", {"periode": tw2["id"]}))["results"]
        if e["pegawai"]["id"] == org_a.pegawai.pk
    )
    rated = ok(
        L.patch(
            f"/api/v1/evaluasi/{ev['id']}/",
            {
                "rating_hasil_kerja": "sesuai_ekspektasi",
                "rating_perilaku_kerja": "di_atas_ekspektasi",
                "versi": ev.get("versi"),
            },
            format="json",
        )
    )
    assert rated["predikat"] == "baik"
    ok(L.post("/api/v1/notifikasi/baca-semua/"))

    # ================================================================ the pegawai's afternoon
    diterima = ok(c.get("/api/v1/umpan-balik/", {"arah": "diterima"}))["results"]
    assert ub["id"] in {t["id"] for t in diterima}
    assert c.post(f"/api/v1/umpan-balik/{ub['id']}/dibaca/").status_code == 204
    ok(
        c.post(
            f"/api/v1/umpan-balik/{ub['id']}/balasan/",
            {"isi": "Terima kasih, segera saya lengkapi."},
            format="json",
        ),
        201,
    )
    detail = ok(c.get(f"/api/v1/skp/{skp['id']}/"))
    assert any(r["penugasan_dari"] for r in detail["rhk"])  # the accepted assignment is in the plan
    tl = ok(c.get(f"/api/v1/catatan/{rec['id']}/"))["tindak_lanjut"][0]
    assert (
        ok(c.post(f"/api/v1/tindak-lanjut/{tl['id']}/status/", {"selesai": True}, format="json"))["status"]
        == "selesai"
    )
    assert ok(c.get(f"/api/v1/evaluasi/{ev['id']}/"))["predikat"] == "baik"
    # and nobody of instansi B sees any of it
    b = masuk(org_b.atasan.nip)
    for url in (
        f"/api/v1/skp/{skp['id']}/realisasi/",
        f"/api/v1/catatan/{rec['id']}/",
        f"/api/v1/penugasan/{p['id']}/",
        f"/api/v1/evaluasi/{ev['id']}/",
    ):
        assert b.get(url).status_code == 404, url
