"""API twins of the dialog-record pages (dialog kinerja, bimbingan, konseling, follow-ups, Format B.1.8
and B.1.9 (issue #17)) and of the penugasan pages, including penugasan across instansi through the
receiving pegawai's Pejabat Penilai (issue #17). Same services, same access rules: the outsider and
peers get 404; bad input 400 with field paths; decided/filled states 409."""

from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from dialog.models import KompetensiB19, PenugasanKeluar, PenugasanLintas, PernyataanBimbingan
from skp.models import Rhk, Skp
from tests.conftest import Org
from tests.dialog.conftest import make_skp

pytestmark = pytest.mark.django_db


def _bimbingan(api: Any, org: Org, **extra: Any) -> Any:
    body = {
        "jenis": "bimbingan_kinerja",
        "pegawai": org.pegawai.pk,
        "tanggal": "2026-05-12",
        "agenda": "Penyusunan laporan keuangan",
        "catatan": "Disepakati pendampingan mingguan",
        "tindak_lanjut": [{"uraian": "Draf laporan ke Kabid", "tenggat": "2026-05-29"}],
        **extra,
    }
    return api(org.atasan.user).post("/api/v1/catatan/", body, format="json")


def test_catatan_create_read_and_isolation(org_a: Org, org_b: Org, outsider: Any, api: Any) -> None:
    resp = _bimbingan(api, org_a)
    assert resp.status_code == 201, resp.content
    rec = resp.json()
    assert rec["jenis"] == "bimbingan_kinerja"
    assert rec["pegawai"]["id"] == org_a.pegawai.pk
    assert rec["pimpinan"]["id"] == org_a.atasan.pk
    assert [t["uraian"] for t in rec["tindak_lanjut"]] == ["Draf laporan ke Kabid"]
    # the pegawai sees it; a peer, HR and the outsider do not
    assert api(org_a.pegawai.user).get(f"/api/v1/catatan/{rec['id']}/").status_code == 200
    for user in (org_a.rekan.user, org_a.hr.user, outsider.user):
        assert api(user).get(f"/api/v1/catatan/{rec['id']}/").status_code == 404
    # a pegawai records a dialog with themself; may not record a bimbingan (404: not their subordinate)
    own = api(org_a.rekan.user).post(
        "/api/v1/catatan/",
        {
            "jenis": "dialog_kinerja",
            "pegawai": org_a.rekan.pk,
            "tanggal": "2026-05-11",
            "agenda": "Target TW2",
        },
        format="json",
    )
    assert own.status_code == 201, own.content
    bad = api(org_a.rekan.user).post(
        "/api/v1/catatan/",
        {"jenis": "bimbingan_kinerja", "pegawai": org_a.pegawai.pk, "tanggal": "2026-05-11", "agenda": "x"},
        format="json",
    )
    assert bad.status_code == 404
    # the outsider cannot write about A's pegawai
    resp = api(outsider.user).post(
        "/api/v1/catatan/",
        {"jenis": "dialog_kinerja", "pegawai": org_a.pegawai.pk, "tanggal": "2026-05-11", "agenda": "x"},
        format="json",
    )
    assert resp.status_code == 404


def test_catatan_field_errors(org_a: Org, api: Any) -> None:
    resp = _bimbingan(api, org_a, tanggal="2026-06-30", agenda="", catatan="", periode=999999)
    assert resp.status_code == 400
    assert {"tanggal", "periode"} <= set(resp.json()["errors"])
    resp = _bimbingan(api, org_a, tindak_lanjut=[{"uraian": "x", "tenggat": "2026-05-01"}])
    assert resp.status_code == 400
    assert "tindak_lanjut.0.tenggat" in resp.json()["errors"]


def test_tindak_lanjut_add_and_status(org_a: Org, outsider: Any, api: Any) -> None:
    rec = _bimbingan(api, org_a).json()
    leader = api(org_a.atasan.user)
    resp = leader.post(
        f"/api/v1/catatan/{rec['id']}/tindak-lanjut/", {"uraian": "Ikut diklat", "tenggat": "2026-06-30"}
    )
    assert resp.status_code == 201, resp.content
    tl = resp.json()
    assert (
        api(outsider.user).post(f"/api/v1/tindak-lanjut/{tl['id']}/status/", {"selesai": True}).status_code
        == 404
    )
    resp = api(org_a.pegawai.user).post(f"/api/v1/tindak-lanjut/{tl['id']}/status/", {"selesai": True})
    assert resp.status_code == 200
    assert resp.json()["status"] == "selesai"
    # done twice: the state does not allow it → 409
    assert (
        api(org_a.pegawai.user)
        .post(f"/api/v1/tindak-lanjut/{tl['id']}/status/", {"selesai": True})
        .status_code
        == 409
    )
    resp = leader.post(f"/api/v1/catatan/{rec['id']}/tindak-lanjut/", {"uraian": "", "tenggat": "2026-06-30"})
    assert resp.status_code == 400
    assert "uraian" in resp.json()["errors"]


def test_b18_by_the_pegawai_and_b19_by_the_leader(org_a: Org, outsider: Any, api: Any) -> None:
    """PMK6 Lampiran p.83-84 (domain.md §5): B.1.8 answered by the pegawai, B.1.9 (kompetensi, nilai 1-5,
    alasan) by the Pejabat Penilai after a bimbingan; each once."""
    rec = _bimbingan(api, org_a).json()
    pegawai, leader = api(org_a.pegawai.user), api(org_a.atasan.user)
    statements = pegawai.get(f"/api/v1/catatan/{rec['id']}/b18/").json()
    with scope(instansi=org_a.instansi.pk):
        assert (
            len(statements)
            == PernyataanBimbingan.objects.filter(aktif=True).values("kode").distinct().count()
        )
    # a missing answer → 400 naming the statement
    partial = [{"pernyataan": s["id"], "jawaban": "ya"} for s in statements[1:]]
    resp = pegawai.post(f"/api/v1/catatan/{rec['id']}/b18/", {"jawaban": partial}, format="json")
    assert resp.status_code == 400
    assert f"jawaban.{statements[0]['id']}" in resp.json()["errors"]
    # the leader may not answer B.1.8 (403: visible, read-only); the outsider: 404
    answers = [{"pernyataan": s["id"], "jawaban": "ya", "keterangan": ""} for s in statements]
    assert (
        leader.post(f"/api/v1/catatan/{rec['id']}/b18/", {"jawaban": answers}, format="json").status_code
        == 403
    )
    assert (
        api(outsider.user)
        .post(f"/api/v1/catatan/{rec['id']}/b18/", {"jawaban": answers}, format="json")
        .status_code
        == 404
    )
    resp = pegawai.post(f"/api/v1/catatan/{rec['id']}/b18/", {"jawaban": answers}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["b18_diisi_at"]
    assert len(resp.json()["b18"]) == len(statements)
    assert (
        pegawai.post(f"/api/v1/catatan/{rec['id']}/b18/", {"jawaban": answers}, format="json").status_code
        == 409
    )
    # B.1.9
    kompetensi = leader.get(f"/api/v1/catatan/{rec['id']}/b19/").json()
    with scope(instansi=org_a.instansi.pk):
        assert {k["id"] for k in kompetensi} <= set(KompetensiB19.objects.values_list("pk", flat=True))
    k1, k2 = kompetensi[0]["id"], kompetensi[1]["id"]
    resp = leader.post(
        f"/api/v1/catatan/{rec['id']}/b19/",
        {"penilaian": [{"kompetensi": k1, "nilai": 6, "alasan": "x"}]},
        format="json",
    )
    assert resp.status_code == 400
    assert "penilaian.0.nilai" in resp.json()["errors"]
    resp = leader.post(
        f"/api/v1/catatan/{rec['id']}/b19/",
        {"penilaian": [{"kompetensi": 999999, "nilai": 3, "alasan": "x"}]},
        format="json",
    )
    assert resp.status_code == 400
    body = {
        "penilaian": [
            {"kompetensi": k1, "nilai": 4, "alasan": "Menguasai SOP"},
            {"kompetensi": k2, "nilai": 3, "alasan": "Perlu latihan"},
        ]
    }
    assert pegawai.post(f"/api/v1/catatan/{rec['id']}/b19/", body, format="json").status_code == 403
    assert (
        api(outsider.user).post(f"/api/v1/catatan/{rec['id']}/b19/", body, format="json").status_code == 404
    )
    resp = leader.post(f"/api/v1/catatan/{rec['id']}/b19/", body, format="json")
    assert resp.status_code == 200, resp.content
    assert sorted((n["kompetensi"], n["nilai"]) for n in resp.json()["b19"]) == sorted([(k1, 4), (k2, 3)])
    assert leader.post(f"/api/v1/catatan/{rec['id']}/b19/", body, format="json").status_code == 409
    # B.1.9 only on a bimbingan record: a dialog → 409
    dialog = _bimbingan(api, org_a, jenis="dialog_kinerja").json()
    assert leader.post(f"/api/v1/catatan/{dialog['id']}/b19/", body, format="json").status_code == 409


def test_catatan_list_query_count(org_a: Org, api: Any, django_assert_max_num_queries: Any) -> None:
    """The list costs the same with 1 record as with 4 (no query per row)."""
    leader = api(org_a.atasan.user)
    assert _bimbingan(api, org_a).status_code == 201
    with django_assert_max_num_queries(14) as one:
        leader.get("/api/v1/catatan/", {"pegawai": org_a.pegawai.pk})
    for _ in range(3):
        assert _bimbingan(api, org_a).status_code == 201
    with django_assert_max_num_queries(14) as four:
        resp = leader.get("/api/v1/catatan/", {"pegawai": org_a.pegawai.pk})
    assert len(resp.json()["results"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


# ---------------------------------------------------------------- penugasan


def _penugasan_body(pegawai_id: int | None, **extra: Any) -> dict[str, Any]:
    return {
        "pegawai": pegawai_id,
        "hasil_kerja": "Tersusunnya kajian perencanaan lintas bidang",
        "indikator": [{"aspek": "kuantitas", "iki": "Jumlah kajian", "target": "1 kajian"}],
        "mulai": "2026-05-20",
        "selesai": "2026-06-30",
        "pesan": "Mohon persetujuan",
        **extra,
    }


def test_penugasan_propose_accept_reject(
    org_a: Org, outsider: Any, pejabat_lain: Any, skp_pegawai: Skp, api: Any
) -> None:
    make_skp(org_a, org_a.rekan)
    other = api(pejabat_lain.user)
    # an official outside the leader line proposes: it waits for the pegawai's Pejabat Penilai
    resp = other.post("/api/v1/penugasan/", _penugasan_body(org_a.pegawai.pk), format="json")
    assert resp.status_code == 201, resp.content
    p = resp.json()
    assert p["status"] == "diusulkan"
    assert p["penilai"]["id"] == org_a.atasan.pk
    leader = api(org_a.atasan.user)
    assert [
        x["id"] for x in leader.get("/api/v1/penugasan/", {"daftar": "diputuskan"}).json()["results"]
    ] == [p["id"]]
    # the assigner may not decide it; the outsider never sees it
    assert other.post(f"/api/v1/penugasan/{p['id']}/terima/").status_code in (403, 404)
    assert api(outsider.user).get(f"/api/v1/penugasan/{p['id']}/").status_code == 404
    assert api(outsider.user).post(f"/api/v1/penugasan/{p['id']}/terima/").status_code == 404
    resp = leader.post(f"/api/v1/penugasan/{p['id']}/terima/", {"jenis": "tambahan"}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "diterima"
    with scope(instansi=org_a.instansi.pk):
        rhk = Rhk.objects.get(pk=resp.json()["rhk"])
        assert rhk.skp_id == skp_pegawai.pk
    assert leader.post(f"/api/v1/penugasan/{p['id']}/tolak/", {"catatan": "x"}).status_code == 409
    # a second proposal is rejected: a reason is required
    p2 = other.post("/api/v1/penugasan/", _penugasan_body(org_a.rekan.pk), format="json").json()
    resp = leader.post(f"/api/v1/penugasan/{p2['id']}/tolak/", {"catatan": ""}, format="json")
    assert resp.status_code == 400
    assert "catatan" in resp.json()["errors"]
    resp = leader.post(
        f"/api/v1/penugasan/{p2['id']}/tolak/", {"catatan": "Beban kerja penuh"}, format="json"
    )
    assert resp.json()["status"] == "ditolak"
    # bad input: unknown pegawai, end before start, no indikator → 400 with fields
    resp = other.post(
        "/api/v1/penugasan/",
        _penugasan_body(outsider.pk, selesai="2026-05-01", indikator=[]),
        format="json",
    )
    assert resp.status_code == 400
    assert "indikator" in resp.json()["errors"]
    resp = other.post("/api/v1/penugasan/", _penugasan_body(outsider.pk), format="json")
    assert resp.status_code == 400
    assert "pegawai" in resp.json()["errors"]


def test_penugasan_open_call_volunteer_and_cancel(org_a: Org, pejabat_lain: Any, api: Any) -> None:
    other = api(pejabat_lain.user)
    resp = other.post("/api/v1/penugasan/", _penugasan_body(None, terbuka=True), format="json")
    assert resp.status_code == 201, resp.content
    call = resp.json()
    assert call["status"] == "terbuka"
    resp = api(org_a.rekan.user).post(f"/api/v1/penugasan/{call['id']}/relawan/", {"pesan": "Saya bersedia"})
    assert resp.status_code == 201, resp.content
    assert resp.json()["lowongan"] == call["id"]
    assert resp.json()["status"] == "diusulkan"
    assert api(org_a.rekan.user).post(f"/api/v1/penugasan/{call['id']}/batal/").status_code in (403, 404)
    assert other.post(f"/api/v1/penugasan/{call['id']}/batal/").json()["status"] == "ditutup"
    assert other.post(f"/api/v1/penugasan/{call['id']}/batal/").status_code == 409


def test_penugasan_across_instansi_through_the_receivers_pejabat_penilai(
    org_a: Org, org_b: Org, api: Any
) -> None:
    """Issue #17 / domain.md "Penugasan across instansi": the proposal waits for B's Pejabat Penilai;
    each side reads only its own record; the assigner may give feedback while it runs."""
    make_skp(org_b, org_b.pegawai)
    assigner = api(org_a.atasan.user)
    body = _penugasan_body(None, instansi=org_b.instansi.kode, nip=org_b.pegawai.nip)
    body.pop("pegawai")
    resp = assigner.post("/api/v1/penugasan-keluar/", body, format="json")
    assert resp.status_code == 201, resp.content
    keluar = resp.json()
    assert keluar["status"] == "diusulkan"
    assert keluar["tujuan_instansi"] == org_b.instansi.kode
    with scopes_disabled():
        masuk = PenugasanLintas.objects.get()
    # B's Pejabat Penilai sees it; A's users never see B's record, B's users never A's
    penilai_b = api(org_b.atasan.user)
    assert [x["id"] for x in penilai_b.get("/api/v1/penugasan-lintas/").json()["results"]] == [masuk.pk]
    assert assigner.get(f"/api/v1/penugasan-lintas/{masuk.pk}/").status_code == 404
    assert penilai_b.get(f"/api/v1/penugasan-keluar/{keluar['id']}/").status_code == 404
    # the pegawai of B may read, not decide
    assert api(org_b.pegawai.user).get(f"/api/v1/penugasan-lintas/{masuk.pk}/").status_code == 200
    assert (
        api(org_b.pegawai.user)
        .post(f"/api/v1/penugasan-lintas/{masuk.pk}/putuskan/", {"keputusan": "terima"})
        .status_code
        == 404
    )
    # feedback before acceptance → 409
    assert (
        assigner.post(f"/api/v1/penugasan-keluar/{keluar['id']}/umpan-balik/", {"isi": "Bagus"}).status_code
        == 409
    )
    resp = penilai_b.post(
        f"/api/v1/penugasan-lintas/{masuk.pk}/putuskan/", {"keputusan": "terima"}, format="json"
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "diterima"
    assert resp.json()["rhk"]
    assert (
        penilai_b.post(
            f"/api/v1/penugasan-lintas/{masuk.pk}/putuskan/", {"keputusan": "tolak", "catatan": "x"}
        ).status_code
        == 409
    )
    # the decision is mirrored to A's record; feedback while it runs (today 15 May < mulai 20 May → 409)
    assert assigner.get(f"/api/v1/penugasan-keluar/{keluar['id']}/").json()["status"] == "diterima"
    assert assigner.post(f"/api/v1/penugasan-keluar/{keluar['id']}/batal/").status_code == 409
    # an unknown NIP or instansi → 400 naming the field (the same message whether unknown or without PPK)
    resp = assigner.post("/api/v1/penugasan-keluar/", body | {"nip": "199001012015011999"}, format="json")
    assert resp.status_code == 400
    assert "nip" in resp.json()["errors"]
    resp = assigner.post("/api/v1/penugasan-keluar/", body | {"instansi": "TIDAKADA"}, format="json")
    assert resp.status_code == 400
    assert "instansi" in resp.json()["errors"]
    with scopes_disabled():
        assert PenugasanKeluar.objects.count() == 1
