"""Issue #14: a leader's edit never changes what a subordinate already submitted or had approved.

The leader (org.atasan) keeps a DRAFT SKP whose results two subordinates link to: the pegawai's SKP
is approved, the rekan's is still a draft. Service, API, page and data-migration level; the PDF is in
tests/dokumen/test_integrity_pdf.py, the Chromium journey in test_browser_integrity.py.
"""

import html
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from dialog.models import JenisNotifikasi, Notifikasi
from kinerja.models import Instansi, Jabatan, Pegawai, UnitKerja
from skp import services
from skp.models import CoreValue, Rhk, Skp
from tests.conftest import Org
from tests.skp.conftest import add_rhk, approve, client_for, draft, htmx, reload, submit
from tests.skp.conftest import text as raw_text

pytestmark = pytest.mark.django_db

LAMA_A = "Terselenggaranya layanan kepegawaian yang tertib"
LAMA_B = "Tersusunnya laporan keuangan bidang"
BARU_A = "Terselenggaranya layanan kepegawaian digital tanpa antrean"


@dataclass
class Cascade:
    leader_skp: Skp
    leader_a: Rhk
    leader_b: Rhk
    approved: Skp  # the pegawai's, linked to leader_a
    approved_rhk: Rhk
    rekan_draft: Skp  # the rekan's, linked to leader_a and leader_b
    rekan_rhk: list[Rhk]


def build_cascade(org: Org) -> Cascade:
    leader_skp = draft(org.atasan)
    leader_a = add_rhk(leader_skp, LAMA_A)
    leader_b = add_rhk(leader_skp, LAMA_B)
    approved = draft(org.pegawai)
    approved_rhk = add_rhk(approved, "Terverifikasinya berkas kenaikan pangkat", pimpinan=leader_a)
    submit(approved)
    approve(approved, org.atasan)
    rekan = draft(org.rekan)
    rekan_rhk = [
        add_rhk(rekan, "Terarsipnya berkas kepegawaian", pimpinan=leader_a),
        add_rhk(rekan, "Terekapnya belanja bulanan", pimpinan=leader_b),
    ]
    return Cascade(
        reload(leader_skp), leader_a, leader_b, reload(approved), approved_rhk, reload(rekan), rekan_rhk
    )


@pytest.fixture
def cascade(org_a: Org) -> Cascade:
    return build_cascade(org_a)


def _rhk(pk: int, instansi_id: int) -> Rhk:
    with scope(instansi=instansi_id):
        return Rhk.objects.select_related("skp__pegawai__jabatan", "rhk_pimpinan").get(pk=pk)


def _exists(pk: int, instansi_id: int) -> bool:
    with scope(instansi=instansi_id):
        return Rhk.objects.filter(pk=pk).exists()


def remove(org: Org, rhk: Rhk) -> None:
    with scope(instansi=org.instansi.pk):
        services.skp_rhk_remove(actor=org.atasan.user, rhk=_rhk(rhk.pk, org.instansi.pk))


def reword(org: Org, rhk: Rhk, teks: str) -> None:
    with scope(instansi=org.instansi.pk):
        services.skp_rhk_update(
            actor=org.atasan.user, rhk=_rhk(rhk.pk, org.instansi.pk), data={"rencana_hasil_kerja": teks}
        )


def text(resp: Any) -> str:
    """The page as a reader sees it (entities decoded: names may contain an apostrophe)."""
    return html.unescape(raw_text(resp))


# ---------------------------------------------------------------- service


def test_approval_freezes_leader_text_instansi_and_core_values(org_a: Org, cascade: Cascade) -> None:
    # given the approved SKP of the cascade, when we read what approval wrote
    skp = cascade.approved
    row = _rhk(cascade.approved_rhk.pk, org_a.instansi.pk)
    # then the leader's text, the instansi block and the seven BerAKHLAK values are frozen on it
    assert row.rhk_pimpinan_teks == LAMA_A
    assert skp.snapshot_instansi == {
        "nama": org_a.instansi.nama,
        "kode": org_a.instansi.kode,
        "tempat": org_a.instansi.tempat,
    }
    assert [v["kode"] for v in skp.snapshot_perilaku] == [
        "berorientasi_pelayanan",
        "akuntabel",
        "kompeten",
        "harmonis",
        "loyal",
        "adaptif",
        "kolaboratif",
    ]
    assert all(len(v["panduan"]) == 3 for v in skp.snapshot_perilaku)
    # and drafts are not frozen
    assert _rhk(cascade.rekan_rhk[0].pk, org_a.instansi.pk).rhk_pimpinan_teks is None


def test_delete_refused_while_an_approved_skp_links_to_it(org_a: Org, cascade: Cascade) -> None:
    # when the leader deletes the result the approved SKP cascades from
    with pytest.raises(services.RhkMasihDiacu) as err:
        remove(org_a, cascade.leader_a)
    # then 409 naming the dependant (owner and status); nothing changed
    assert err.value.status_code == 409
    assert org_a.pegawai.nama in err.value.message
    assert "Disetujui" in err.value.message
    assert err.value.errors["rhk_bawahan"] == [f"{org_a.pegawai.nama} (Disetujui)"]
    assert org_a.rekan.nama not in err.value.message  # a draft does not block
    assert _exists(cascade.leader_a.pk, org_a.instansi.pk)
    assert _rhk(cascade.approved_rhk.pk, org_a.instansi.pk).rhk_pimpinan_id == cascade.leader_a.pk
    assert _rhk(cascade.rekan_rhk[0].pk, org_a.instansi.pk).rhk_pimpinan_id == cascade.leader_a.pk
    assert reload(cascade.leader_skp).versi == cascade.leader_skp.versi  # no version bump either


def test_delete_refused_while_submitted_and_allowed_once_returned(org_a: Org, cascade: Cascade) -> None:
    # given the rekan submits the SKP that links to leader result B
    submit(cascade.rekan_draft)
    # then deleting B is refused, naming the rekan's submitted SKP
    with pytest.raises(services.RhkMasihDiacu) as err:
        remove(org_a, cascade.leader_b)
    assert f"{org_a.rekan.nama} (Diajukan)" in err.value.message
    # when the leader returns it, the delete goes ahead and the rekan's (editable again) link is cleared
    with scope(instansi=org_a.instansi.pk):
        services.skp_return(
            actor=org_a.atasan.user, skp=reload(cascade.rekan_draft), catatan="Perbaiki target"
        )
    remove(org_a, cascade.leader_b)
    assert not _exists(cascade.leader_b.pk, org_a.instansi.pk)
    assert _rhk(cascade.rekan_rhk[1].pk, org_a.instansi.pk).rhk_pimpinan_id is None


def test_delete_with_only_draft_dependants_clears_their_links(org_a: Org, cascade: Cascade) -> None:
    # when the leader deletes result B (only the rekan's draft links to it)
    remove(org_a, cascade.leader_b)
    # then it is gone and the draft's link is empty, as before issue #14
    assert not _exists(cascade.leader_b.pk, org_a.instansi.pk)
    assert _rhk(cascade.rekan_rhk[1].pk, org_a.instansi.pk).rhk_pimpinan_id is None


def test_reword_keeps_approved_text_and_notifies_only_locked_dependants(org_a: Org, cascade: Cascade) -> None:
    # when the leader rewords result A
    reword(org_a, cascade.leader_a, BARU_A)
    # then the approved SKP still shows the text it was approved with; the draft follows the leader
    assert _rhk(cascade.approved_rhk.pk, org_a.instansi.pk).rhk_pimpinan_tampil == LAMA_A
    assert _rhk(cascade.rekan_rhk[0].pk, org_a.instansi.pk).rhk_pimpinan_tampil == BARU_A
    # and the approved SKP's owner is told (old and new text, a link to their SKP); the draft's owner is not
    with scope(instansi=org_a.instansi.pk):
        notifs = list(Notifikasi.objects.filter(jenis=JenisNotifikasi.RHK_PIMPINAN_DIUBAH))
    assert [n.penerima_id for n in notifs] == [org_a.pegawai.user_id]
    n = notifs[0]
    assert org_a.atasan.nama in n.judul
    assert LAMA_A in n.pesan
    assert BARU_A in n.pesan
    assert "tetap memuat rumusan saat disetujui" in n.pesan
    assert n.tautan == reverse("skp:detail", args=[cascade.approved.pk])
    # and saving the same words again tells nobody anything new
    reword(org_a, cascade.leader_a, BARU_A)
    with scope(instansi=org_a.instansi.pk):
        assert Notifikasi.objects.filter(jenis=JenisNotifikasi.RHK_PIMPINAN_DIUBAH).count() == 1


def test_reword_tells_a_submitted_dependant_it_will_be_approved_with_the_new_text(
    org_a: Org, cascade: Cascade
) -> None:
    submit(cascade.rekan_draft)
    reword(org_a, cascade.leader_b, "Tersusunnya laporan keuangan bidang setiap bulan")
    with scope(instansi=org_a.instansi.pk):
        n = Notifikasi.objects.get(jenis=JenisNotifikasi.RHK_PIMPINAN_DIUBAH)
    assert n.penerima_id == org_a.rekan.user_id
    assert "akan disetujui dengan rumusan baru" in n.pesan
    # approving it now freezes the new wording
    approve(cascade.rekan_draft, org_a.atasan)
    frozen = _rhk(cascade.rekan_rhk[1].pk, org_a.instansi.pk)
    assert frozen.rhk_pimpinan_teks == "Tersusunnya laporan keuangan bidang setiap bulan"


def _rename_everything(org: Org) -> None:
    """Someone else's edits after the approval: instansi, unit, jabatan, names, a BerAKHLAK text."""
    with scopes_disabled():
        Instansi.objects.filter(pk=org.instansi.pk).update(nama="Instansi Baru Setelah Pemekaran")
        UnitKerja.objects.filter(pk=org.pegawai.unit_kerja_id).update(nama="Unit Hasil Restrukturisasi")
        Jabatan.objects.filter(pk=org.pegawai.jabatan_id).update(nama="Jabatan Nomenklatur Baru")
        Jabatan.objects.filter(pk=org.atasan.jabatan_id).update(nama="Kepala Nomenklatur Baru")
        Pegawai.objects.filter(pk=org.pegawai.pk).update(nama="Nama Pegawai Sesudah Ganti")
        Pegawai.objects.filter(pk=org.atasan.pk).update(nama="Nama Atasan Sesudah Ganti")
        CoreValue.objects.filter(kode="akuntabel").update(
            panduan=["Panduan baru satu", "Panduan baru dua", "Panduan baru tiga"]
        )


# ---------------------------------------------------------------- API


def test_api_delete_is_409_with_the_error_shape(org_a: Org, cascade: Cascade, api: Any) -> None:
    resp = api(org_a.atasan.user).delete(f"/api/v1/rhk/{cascade.leader_a.pk}/")
    assert resp.status_code == 409, resp.content
    body = resp.json()
    assert org_a.pegawai.nama in body["detail"]
    assert body["errors"] == {"rhk_bawahan": [f"{org_a.pegawai.nama} (Disetujui)"]}
    assert body["dependan"] == [
        {"skp": cascade.approved.pk, "pegawai": org_a.pegawai.nama, "status": "disetujui"}
    ]
    assert _exists(cascade.leader_a.pk, org_a.instansi.pk)
    # result B (only a draft links to it) can go
    assert api(org_a.atasan.user).delete(f"/api/v1/rhk/{cascade.leader_b.pk}/").status_code == 204


def test_api_other_instansi_and_outsider_get_404(
    org_a: Org, org_b: Org, cascade: Cascade, api: Any, outsider: Pegawai
) -> None:
    for user in (org_b.atasan.user, outsider.user):
        c = api(user)
        assert c.delete(f"/api/v1/rhk/{cascade.leader_b.pk}/").status_code == 404
        assert (
            c.patch(
                f"/api/v1/rhk/{cascade.leader_a.pk}/", {"rencana_hasil_kerja": "x"}, format="json"
            ).status_code
            == 404
        )
        assert c.get(f"/api/v1/skp/{cascade.approved.pk}/").status_code == 404
    assert _exists(cascade.leader_b.pk, org_a.instansi.pk)
    assert _rhk(cascade.leader_a.pk, org_a.instansi.pk).rencana_hasil_kerja == LAMA_A
    # and org_b's own leader can still delete their own results (the rule is per link, not global)
    b = build_cascade(org_b)
    assert api(org_b.atasan.user).delete(f"/api/v1/rhk/{b.leader_a.pk}/").status_code == 409
    assert api(org_b.atasan.user).delete(f"/api/v1/rhk/{b.leader_b.pk}/").status_code == 204


def test_api_approved_skp_keeps_leader_text_and_identity(org_a: Org, cascade: Cascade, api: Any) -> None:
    # given the leader rewords via the API and others rename what the SKP printed
    resp = api(org_a.atasan.user).patch(
        f"/api/v1/rhk/{cascade.leader_a.pk}/", {"rencana_hasil_kerja": BARU_A}, format="json"
    )
    assert resp.status_code == 200, resp.content
    nama_lama = org_a.pegawai.nama
    _rename_everything(org_a)
    # when the pegawai reads their approved SKP
    body = api(org_a.pegawai.user).get(f"/api/v1/skp/{cascade.approved.pk}/").json()
    # then the link id stays and the text is the approved one
    (row,) = body["rhk"]
    assert row["rhk_pimpinan"] == cascade.leader_a.pk
    assert row["rhk_pimpinan_teks"] == LAMA_A
    assert body["snapshot_pegawai"]["nama"] == nama_lama
    assert body["snapshot_instansi"]["nama"] == org_a.instansi.nama
    # while the rekan's draft follows the leader
    rekan = api(org_a.rekan.user).get(f"/api/v1/skp/{cascade.rekan_draft.pk}/").json()
    assert rekan["rhk"][0]["rhk_pimpinan_teks"] == BARU_A
    assert rekan["snapshot_instansi"] is None


# ---------------------------------------------------------------- page


def test_page_delete_shows_the_409_message_and_keeps_the_row(org_a: Org, cascade: Cascade) -> None:
    client = client_for(org_a.atasan.user)
    resp = htmx(
        client,
        "post",
        reverse("skp:rhk-hapus", args=[cascade.leader_a.pk]),
        {"versi": cascade.leader_skp.versi},
    )
    assert resp.status_code == 200
    assert resp["HX-Retarget"] == "#skp-pesan"
    body = text(resp)
    assert 'data-testid="pesan-galat"' in body
    assert 'data-testid="pesan-konflik"' not in body  # not "reload the page": reloading does not help
    assert "tidak dapat dihapus" in body
    assert f"<li>{org_a.pegawai.nama} (Disetujui)</li>" in body
    assert _exists(cascade.leader_a.pk, org_a.instansi.pk)
    # a plain (no-htmx) post ends on the page with the message
    resp = client.post(
        reverse("skp:rhk-hapus", args=[cascade.leader_a.pk]), {"versi": cascade.leader_skp.versi}, follow=True
    )
    assert "tidak dapat dihapus" in text(resp)
    assert _exists(cascade.leader_a.pk, org_a.instansi.pk)


def _confirm_of(body: str, rhk_pk: int) -> str:
    row = body.split(f'id="rhk-{rhk_pk}"', 1)[1]
    button = row.split('data-testid="hapus-rhk"', 1)[1].split(">", 1)[0]
    return html.unescape(button.split('data-confirm="', 1)[1].split('"', 1)[0])


def test_page_confirm_names_who_depends_on_each_result(org_a: Org, cascade: Cascade) -> None:
    body = raw_text(client_for(org_a.atasan.user).get(reverse("skp:detail", args=[cascade.leader_skp.pk])))
    confirm_a = _confirm_of(body, cascade.leader_a.pk)
    assert f"{org_a.pegawai.nama} (Disetujui)" in confirm_a
    assert "akan ditolak" in confirm_a
    assert f"draf SKP milik {org_a.rekan.nama}" in confirm_a
    confirm_b = _confirm_of(body, cascade.leader_b.pk)
    assert org_a.pegawai.nama not in confirm_b
    assert "akan ditolak" not in confirm_b
    assert f"draf SKP milik {org_a.rekan.nama} akan dikosongkan" in confirm_b


def test_page_of_approved_skp_shows_what_was_approved(org_a: Org, cascade: Cascade) -> None:
    # given the leader rewords result A and others rename what the page prints
    reword(org_a, cascade.leader_a, BARU_A)
    nama_lama, instansi_lama = org_a.pegawai.nama, org_a.instansi.nama
    _rename_everything(org_a)
    # when the admin opens the approved SKP (the navbar of the pegawai or atasan shows their own, current name)
    body = text(client_for(org_a.admin.user).get(reverse("skp:detail", args=[cascade.approved.pk])))
    # then it shows the approved leader text, identity, instansi and BerAKHLAK texts
    assert LAMA_A in body
    assert BARU_A not in body
    assert 'data-testid="belum-terkait"' not in body
    assert nama_lama in body
    assert "Nama Pegawai Sesudah Ganti" not in body
    assert "Nama Atasan Sesudah Ganti" not in body
    assert "Jabatan Nomenklatur Baru" not in body
    assert "Unit Hasil Restrukturisasi" not in body
    assert instansi_lama.upper() in body.upper()
    assert "Panduan baru satu" not in body
    # while the rekan's draft page shows the leader's current text and current BerAKHLAK texts
    draft_body = text(client_for(org_a.rekan.user).get(reverse("skp:detail", args=[cascade.rekan_draft.pk])))
    assert BARU_A in draft_body
    assert "Panduan baru satu" in draft_body


def test_pohon_shows_the_approved_leader_text(org_a: Org, cascade: Cascade) -> None:
    reword(org_a, cascade.leader_a, BARU_A)
    body = text(client_for(org_a.admin.user).get(reverse("skp:pohon") + f"?tahun={cascade.approved.tahun}"))
    node = body.split(f'id="pohon-rhk-{cascade.approved_rhk.pk}"', 1)[1][:1500]
    assert LAMA_A[:60] in node


# ---------------------------------------------------------------- data migration


def test_data_migration_freezes_already_approved_skps(org_a: Org, cascade: Cascade) -> None:
    import importlib

    fill = importlib.import_module("skp.migrations.0005_integrity_fill_snapshots").fill
    # given an SKP approved before issue #14 (no snapshots) and a draft
    with scopes_disabled():
        Skp.objects.filter(pk=cascade.approved.pk).update(
            snapshot_instansi=None, snapshot_perilaku=None, snapshot_pegawai=None, snapshot_penilai=None
        )
        Rhk.objects.filter(skp=cascade.approved).update(rhk_pimpinan_teks=None)
    # when the migration runs (twice: re-running is harmless)
    fill(global_apps, None)
    fill(global_apps, None)
    # then the approved one is frozen with what it shows now, the draft is left alone
    skp = reload(cascade.approved)
    assert skp.snapshot_instansi["nama"] == org_a.instansi.nama
    assert len(skp.snapshot_perilaku) == 7
    assert skp.snapshot_pegawai["nama"] == org_a.pegawai.nama
    assert skp.snapshot_penilai["nama"] == org_a.atasan.nama
    assert _rhk(cascade.approved_rhk.pk, org_a.instansi.pk).rhk_pimpinan_teks == LAMA_A
    assert reload(cascade.rekan_draft).snapshot_instansi is None
    assert _rhk(cascade.rekan_rhk[0].pk, org_a.instansi.pk).rhk_pimpinan_teks is None
    # and from then on it no longer follows the leader
    reword(org_a, cascade.leader_a, BARU_A)
    assert _rhk(cascade.approved_rhk.pk, org_a.instansi.pk).rhk_pimpinan_tampil == LAMA_A


def test_leader_page_with_dependants_costs_the_same_for_1_and_4_results(org_a: Org) -> None:
    """The confirmation texts come from one query, whatever the number of results and dependants."""
    from tests.skp.test_web_skp_queries import queries, subordinates

    leader_skp = draft(org_a.atasan)
    first = add_rhk(leader_skp, "Hasil pimpinan 1")
    for p in subordinates(org_a, 2):
        add_rhk(draft(p), f"Hasil {p.nama}", pimpinan=first)
    client = client_for(org_a.atasan.user)
    url = reverse("skp:detail", args=[leader_skp.pk])
    small = queries(client, url)
    for i in range(2, 5):
        leader_rhk = add_rhk(leader_skp, f"Hasil pimpinan {i}")
        for p in subordinates(org_a, 3):
            own = draft(p)
            add_rhk(own, f"Hasil {p.nama}", pimpinan=leader_rhk)
            if i >= 3:
                submit(own)
    body = text(client.get(url))
    assert body.count("akan ditolak") == 2  # the two results with submitted dependants
    assert queries(client, url) == small
