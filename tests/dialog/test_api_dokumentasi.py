"""API twins of the realisasi page (contract §7): rencana aksi, realisasi, bukti dukung.

Given an approved SKP of the pegawai (tests/dialog/conftest.py, 15 May 2026, Triwulan 2), the owner
writes through the API; the Pejabat Penilai reads (403 on writes: visible but read-only); a peer, the
outsider of instansi B and anonymous callers get 404 / 401.
"""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from dialog.models import BuktiDukung, Realisasi, RencanaAksi
from kinerja.models import Periode
from skp.models import Skp
from tests.conftest import Org
from tests.dialog.conftest import indikator_of, make_skp, rhk_of
from tests.factories.berkas import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00" + b"\x00" * 200


def _tw2(tw: list[Periode]) -> Periode:
    return tw[1]


def _aksi(c: Any, skp: Skp, rhk: int, periode: int, **extra: Any) -> Any:
    body = {"rhk": rhk, "periode": periode, "uraian": "Menyusun draf SOP loket", "target": "1 draf", **extra}
    return c.post(f"/api/v1/skp/{skp.pk}/rencana-aksi/", body, format="json")


def test_rencana_aksi_owner_creates_edits_deletes(
    org_a: Org, org_b: Org, outsider: Any, skp_pegawai: Skp, tw: list[Periode], api: Any
) -> None:
    owner = api(org_a.pegawai.user)
    rhk = rhk_of(org_a, skp_pegawai)[0]
    # when the owner plans a step
    resp = _aksi(owner, skp_pegawai, rhk.pk, _tw2(tw).pk)
    # then 201 with its id, stored for the SKP's result and periode
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["rhk"] == rhk.pk
    assert body["periode"] == _tw2(tw).pk
    assert body["uraian"] == "Menyusun draf SOP loket"
    # the owner corrects it and removes it
    resp = owner.patch(f"/api/v1/rencana-aksi/{body['id']}/", {"target": "2 draf"}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["target"] == "2 draf"
    assert resp.json()["uraian"] == "Menyusun draf SOP loket"
    # the leader sees it; may not change it (403, read-only); peer and outsider: 404
    assert api(org_a.atasan.user).get(f"/api/v1/rencana-aksi/{body['id']}/").status_code == 200
    assert api(org_a.atasan.user).delete(f"/api/v1/rencana-aksi/{body['id']}/").status_code == 403
    for user in (org_a.rekan.user, outsider.user):
        assert api(user).patch(f"/api/v1/rencana-aksi/{body['id']}/", {"target": "x"}).status_code == 404
        assert api(user).delete(f"/api/v1/rencana-aksi/{body['id']}/").status_code == 404
        assert _aksi(api(user), skp_pegawai, rhk.pk, _tw2(tw).pk).status_code == 404
    assert owner.delete(f"/api/v1/rencana-aksi/{body['id']}/").status_code == 204
    with scope(instansi=org_a.instansi.pk):
        assert not RencanaAksi.objects.filter(pk=body["id"]).exists()


def test_rencana_aksi_field_errors_and_state(
    org_a: Org, skp_pegawai: Skp, tw: list[Periode], api: Any
) -> None:
    owner = api(org_a.pegawai.user)
    rhk = rhk_of(org_a, skp_pegawai)[0]
    # a missing text → 400 with the field named
    resp = _aksi(owner, skp_pegawai, rhk.pk, _tw2(tw).pk, uraian="")
    assert resp.status_code == 400
    assert "uraian" in resp.json()["errors"]
    # a result of someone else's SKP and an unknown periode → 400 on those fields
    other = make_skp(org_a, org_a.rekan)
    resp = _aksi(owner, skp_pegawai, rhk_of(org_a, other)[0].pk, 999999)
    assert resp.status_code == 400
    errors = resp.json()["errors"]
    assert set(errors) >= {"rhk", "periode"}
    assert all(isinstance(m, str) for msgs in errors.values() for m in msgs)
    # an SKP not yet approved → 409
    draft = make_skp(org_a, org_a.atasan, approve=False)
    resp = _aksi(api(org_a.atasan.user), draft, rhk_of(org_a, draft)[0].pk, _tw2(tw).pk)
    assert resp.status_code == 409
    assert resp.json()["detail"]


def test_realisasi_put_is_an_upsert_with_id(
    org_a: Org, outsider: Any, skp_pegawai: Skp, tw: list[Periode], api: Any
) -> None:
    owner = api(org_a.pegawai.user)
    ind = indikator_of(org_a, skp_pegawai)[0]
    body = {"indikator": ind.pk, "periode": _tw2(tw).pk, "realisasi": "4 laporan", "tautan": None}
    resp = owner.put(f"/api/v1/skp/{skp_pegawai.pk}/realisasi/", body, format="json")
    assert resp.status_code == 200, resp.content
    first = resp.json()
    assert first["id"]
    assert first["realisasi"] == "4 laporan"
    assert first["bukti"] == []
    # again, with a link: same realisasi, the link as bukti
    body |= {"realisasi": "5 laporan", "tautan": "https://drive.example.go.id/tw2"}
    resp = owner.put(f"/api/v1/skp/{skp_pegawai.pk}/realisasi/", body, format="json")
    assert resp.status_code == 200
    assert resp.json()["id"] == first["id"]
    assert resp.json()["realisasi"] == "5 laporan"
    assert [b["tautan"] for b in resp.json()["bukti"]] == ["https://drive.example.go.id/tw2"]
    # bad link / indikator of another SKP → 400 per field; nothing changed
    bad = body | {
        "tautan": "javascript:alert(1)",
        "indikator": indikator_of(org_a, make_skp(org_a, org_a.rekan))[0].pk,
    }
    resp = owner.put(f"/api/v1/skp/{skp_pegawai.pk}/realisasi/", bad, format="json")
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) >= {"tautan", "indikator"}
    # the leader reads the list; writes are refused; peer/outsider 404
    resp = api(org_a.atasan.user).get(f"/api/v1/skp/{skp_pegawai.pk}/realisasi/", {"periode": _tw2(tw).pk})
    assert resp.status_code == 200
    assert [r["id"] for r in resp.json()["results"]] == [first["id"]]
    assert (
        api(org_a.atasan.user)
        .put(f"/api/v1/skp/{skp_pegawai.pk}/realisasi/", body, format="json")
        .status_code
        == 403
    )
    for user in (org_a.rekan.user, outsider.user):
        assert api(user).get(f"/api/v1/skp/{skp_pegawai.pk}/realisasi/").status_code == 404
        assert (
            api(user).put(f"/api/v1/skp/{skp_pegawai.pk}/realisasi/", body, format="json").status_code == 404
        )
    assert api(None).get(f"/api/v1/skp/{skp_pegawai.pk}/realisasi/").status_code == 401


def _realisasi(org: Org, skp: Skp, tw: list[Periode], api: Any) -> int:
    ind = indikator_of(org, skp)[0]
    resp = api(org.pegawai.user).put(
        f"/api/v1/skp/{skp.pk}/realisasi/",
        {"indikator": ind.pk, "periode": _tw2(tw).pk, "realisasi": "4 laporan"},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    return int(resp.json()["id"])


def _upload(c: Any, realisasi_id: int, name: str, data: bytes, ctype: str = "application/pdf") -> Any:
    return c.post(
        f"/api/v1/realisasi/{realisasi_id}/bukti/",
        {"berkas": SimpleUploadedFile(name, data, content_type=ctype), "judul": "Laporan TW II"},
        format="multipart",
    )


def test_bukti_content_is_checked_not_the_name(
    org_a: Org, outsider: Any, skp_pegawai: Skp, tw: list[Periode], api: Any, settings: Any
) -> None:
    rid = _realisasi(org_a, skp_pegawai, tw, api)
    owner = api(org_a.pegawai.user)
    # a real PDF → 201, listed with its hash
    resp = _upload(owner, rid, "laporan.pdf", pdf_bytes())
    assert resp.status_code == 201, resp.content
    (b1,) = resp.json()["bukti"]
    assert b1["tipe_konten"] == "application/pdf"
    assert len(b1["sha256"]) == 64
    # PNG bytes named .pdf: accepted as what it is (the existing rule), stored as .png
    resp = _upload(owner, rid, "foto.pdf", png_bytes())
    assert resp.status_code == 201
    png = resp.json()["bukti"][-1]
    assert png["tipe_konten"] == "image/png"
    assert png["nama_berkas"].endswith(".png")
    # an executable renamed .pdf, a text file, an Office file (the API takes PDF/JPEG/PNG): 400 on berkas
    for name, data in (
        ("laporan.pdf", EXE),
        ("catatan.pdf", b"hello world"),
        ("a.pdf", b"PK\x03\x04" + b"0" * 64),
    ):
        resp = _upload(owner, rid, name, data)
        assert resp.status_code == 400, name
        assert resp.json()["errors"]["berkas"]
    # over the 10 MB limit → 400 (limit lowered for the test)
    settings.DIALOG_BUKTI_MAX_BYTES = 1024
    resp = _upload(owner, rid, "besar.pdf", pdf_bytes() + b"%" + b"0" * 2048)
    assert resp.status_code == 400
    assert "berkas" in resp.json()["errors"]
    # nothing of the refused files stored
    with scope(instansi=org_a.instansi.pk):
        assert BuktiDukung.objects.filter(realisasi_id=rid).count() == 2
    # the leader downloads; peer/outsider 404 for upload, download and delete; the leader may not upload
    assert api(org_a.atasan.user).get(f"/api/v1/bukti/{b1['id']}/").status_code == 200
    assert _upload(api(org_a.atasan.user), rid, "x.pdf", pdf_bytes()).status_code == 403
    for user in (org_a.rekan.user, outsider.user):
        assert _upload(api(user), rid, "x.pdf", pdf_bytes()).status_code == 404
        assert api(user).get(f"/api/v1/bukti/{b1['id']}/").status_code == 404
        assert api(user).delete(f"/api/v1/bukti/{b1['id']}/").status_code == 404
    # the owner removes one
    assert owner.delete(f"/api/v1/bukti/{b1['id']}/").status_code == 204
    with scope(instansi=org_a.instansi.pk):
        assert list(BuktiDukung.objects.filter(realisasi_id=rid).values_list("pk", flat=True)) == [png["id"]]


def test_lists_have_constant_query_counts(
    org_a: Org, skp_pegawai: Skp, tw: list[Periode], api: Any, django_assert_max_num_queries: Any
) -> None:
    owner = api(org_a.pegawai.user)
    inds = indikator_of(org_a, skp_pegawai)
    rhks = rhk_of(org_a, skp_pegawai)
    for ind in inds:  # 4 indicators, each with a realisasi and 2 links
        for n in range(2):
            resp = owner.put(
                f"/api/v1/skp/{skp_pegawai.pk}/realisasi/",
                {
                    "indikator": ind.pk,
                    "periode": _tw2(tw).pk,
                    "realisasi": f"r{n}",
                    "tautan": f"https://x.go.id/{n}",
                },
                format="json",
            )
            assert resp.status_code == 200
    for rhk in rhks:
        for _ in range(3):
            assert _aksi(owner, skp_pegawai, rhk.pk, _tw2(tw).pk).status_code == 201
    with django_assert_max_num_queries(12):
        resp = owner.get(f"/api/v1/skp/{skp_pegawai.pk}/realisasi/")
    assert len(resp.json()["results"]) == len(inds)
    assert all(len(r["bukti"]) == 2 for r in resp.json()["results"])
    with django_assert_max_num_queries(12):
        resp = owner.get(f"/api/v1/skp/{skp_pegawai.pk}/rencana-aksi/", {"periode": _tw2(tw).pk})
    assert len(resp.json()["results"]) == 3 * len(rhks)
    with scope(instansi=org_a.instansi.pk):
        assert Realisasi.objects.filter(skp=skp_pegawai).count() == len(inds)
