# ruff: noqa: RUF001  (the IPK ranges are checked with the en dash of the source)
"""Submission, return with a note, approval (single and bulk), revision, ekspektasi, history, tugas belajar."""

import pytest
from django.urls import reverse
from django_scopes import scope

from kinerja.models import Pegawai
from skp.models import Skp, SkpStatus
from tests.conftest import Org
from tests.factories import PegawaiFactory
from tests.skp.conftest import (
    TAHUN,
    Rencana,
    add_rhk,
    approve,
    client_for,
    draft,
    htmx,
    reload,
    submit,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def siap(org_a: Org, rencana_a: Rencana) -> Skp:
    """The pegawai's draft with one result linked to the leader: ready to submit."""
    skp = draft(org_a.pegawai)
    add_rhk(skp, "Tersusunnya arsip surat masuk yang tertib", pimpinan=rencana_a.atasan_rhk[0])
    return reload(skp)


@pytest.fixture
def diajukan(siap: Skp) -> Skp:
    submit(siap)
    return reload(siap)


# ---------------------------------------------------------------- submit


def test_ajukan_moves_to_diajukan_and_reloads_the_page(org_a: Org, siap: Skp) -> None:
    client = client_for(org_a.pegawai.user)
    resp = htmx(client, "post", reverse("skp:ajukan", args=[siap.pk]), {"versi": siap.versi})
    assert resp["HX-Redirect"] == reverse("skp:detail", args=[siap.pk])
    assert reload(siap).status == SkpStatus.DIAJUKAN
    body = text(client.get(reverse("skp:detail", args=[siap.pk])))
    assert "SKP diajukan ke Pejabat Penilai Kinerja." in body
    assert "menunggu persetujuan" in body


def test_ajukan_button_asks_for_confirmation(org_a: Org, siap: Skp) -> None:
    body = text(client_for(org_a.pegawai.user).get(reverse("skp:detail", args=[siap.pk])))
    assert "data-confirm=" in body.split('data-testid="ajukan"', 1)[1].split(">", 1)[0]


def test_ajukan_with_an_unlinked_main_result_lists_what_to_fix(org_a: Org, rencana_a: Rencana) -> None:
    # given a JA draft whose second main result is not linked to a leader result
    skp = draft(org_a.pegawai)
    add_rhk(skp, "Terkait", pimpinan=rencana_a.atasan_rhk[0])
    add_rhk(skp, "Belum terkait")
    # when the pegawai submits
    resp = htmx(client_for(org_a.pegawai.user), "post", reverse("skp:ajukan", args=[skp.pk]), {})
    # then the page's message area explains it; nothing changes
    body = text(resp)
    assert 'data-testid="pesan-galat"' in body
    assert "SKP belum dapat diajukan." in body
    assert "harus dikaitkan" in body
    assert "1 belum dikaitkan" in body
    assert reload(skp).status == SkpStatus.DRAFT
    page = text(client_for(org_a.pegawai.user).get(reverse("skp:detail", args=[skp.pk])))
    assert 'data-testid="peringatan-terkait"' in page


def test_ajukan_empty_draft_says_add_a_result(org_a: Org) -> None:
    skp = draft(org_a.pegawai)
    body = text(htmx(client_for(org_a.pegawai.user), "post", reverse("skp:ajukan", args=[skp.pk]), {}))
    assert "minimal satu rencana hasil kerja utama" in body


def test_ajukan_from_a_stale_page_is_a_conflict(org_a: Org, siap: Skp) -> None:
    stale = siap.versi
    add_rhk(siap, "Tambahan dari tab lain", jenis="tambahan")
    body = text(
        htmx(client_for(org_a.pegawai.user), "post", reverse("skp:ajukan", args=[siap.pk]), {"versi": stale})
    )
    assert 'data-testid="pesan-konflik"' in body
    assert reload(siap).status == SkpStatus.DRAFT


def test_ajukan_without_htmx_redirects_with_the_reasons(org_a: Org) -> None:
    skp = draft(org_a.pegawai)
    resp = client_for(org_a.pegawai.user).post(reverse("skp:ajukan", args=[skp.pk]), follow=True)
    assert "SKP belum dapat diajukan." in text(resp)


# ---------------------------------------------------------------- return and approve


def test_penilai_sees_decision_buttons_only_while_diajukan(org_a: Org, siap: Skp) -> None:
    client = client_for(org_a.atasan.user)
    assert 'data-testid="setujui"' not in text(client.get(reverse("skp:detail", args=[siap.pk])))
    submit(siap)
    body = text(client.get(reverse("skp:detail", args=[siap.pk])))
    assert 'data-testid="setujui"' in body
    assert 'data-testid="kembalikan"' in body
    assert 'data-testid="setujui"' not in text(
        client_for(org_a.pegawai.user).get(reverse("skp:detail", args=[siap.pk]))
    )
    assert 'data-testid="setujui"' not in text(
        client_for(org_a.hr.user).get(reverse("skp:detail", args=[siap.pk]))
    )


@pytest.mark.parametrize("as_htmx", [True, False])
def test_kembalikan_without_a_note_shows_the_field_error(org_a: Org, diajukan: Skp, as_htmx: bool) -> None:
    client = client_for(org_a.atasan.user)
    url = reverse("skp:kembalikan", args=[diajukan.pk])
    resp = htmx(client, "post", url, {"catatan": "   "}) if as_htmx else client.post(url, {"catatan": ""})
    body = text(resp)
    assert 'data-testid="galat-catatan"' in body
    assert "Tuliskan apa yang perlu diperbaiki." in body
    if as_htmx:
        assert resp["HX-Retarget"] == "this"
    assert reload(diajukan).status == SkpStatus.DIAJUKAN


def test_kembalikan_with_a_note_shows_it_to_the_owner_and_reopens_editing(org_a: Org, diajukan: Skp) -> None:
    # when the leader returns it with a note
    resp = htmx(
        client_for(org_a.atasan.user), "post", reverse("skp:kembalikan", args=[diajukan.pk]),
        {"catatan": "Target waktu perlu lebih terukur."},
    )  # fmt: skip
    assert resp["HX-Redirect"] == reverse("skp:detail", args=[diajukan.pk])
    # then the pegawai sees the note and can edit and resubmit
    assert reload(diajukan).status == SkpStatus.DIKEMBALIKAN
    body = text(client_for(org_a.pegawai.user).get(reverse("skp:detail", args=[diajukan.pk])))
    assert 'data-testid="catatan-pengembalian"' in body
    assert "Target waktu perlu lebih terukur." in body
    assert 'data-testid="ajukan"' in body
    assert 'data-testid="tambah-rhk-utama"' in body
    resp = htmx(client_for(org_a.pegawai.user), "post", reverse("skp:ajukan", args=[diajukan.pk]), {})
    assert reload(diajukan).status == SkpStatus.DIAJUKAN


def test_kembalikan_and_setujui_are_404_for_a_peer(org_a: Org, diajukan: Skp) -> None:
    for name in ("skp:kembalikan", "skp:setujui"):
        assert (
            client_for(org_a.rekan.user).post(reverse(name, args=[diajukan.pk]), {"catatan": "x"}).status_code
            == 404
        )
    assert reload(diajukan).status == SkpStatus.DIAJUKAN


def test_owner_cannot_approve_own_skp(org_a: Org, diajukan: Skp) -> None:
    resp = client_for(org_a.pegawai.user).post(reverse("skp:setujui", args=[diajukan.pk]))
    assert resp.status_code == 404
    assert reload(diajukan).status == SkpStatus.DIAJUKAN


def test_setujui_freezes_the_document_with_snapshot_identities(org_a: Org, diajukan: Skp) -> None:
    # when the leader approves
    resp = client_for(org_a.atasan.user).post(reverse("skp:setujui", args=[diajukan.pk]))
    assert resp.status_code == 302
    assert reload(diajukan).status == SkpStatus.DISETUJUI
    # and the pegawai is later renamed and promoted
    lama = org_a.pegawai.nama
    Pegawai._base_manager.filter(pk=org_a.pegawai.pk).update(nama="Nama Baru Setelah Persetujuan")
    # then the approved SKP still shows the identities of the day it was approved
    body = text(client_for(org_a.pegawai.user).get(reverse("skp:detail", args=[diajukan.pk])))
    assert 'data-testid="info-disetujui"' in body
    assert lama in body.split('data-testid="identitas-pegawai"', 1)[1].split("</table>", 1)[0]
    assert org_a.atasan.nama in body.split('data-testid="identitas-penilai"', 1)[1].split("</table>", 1)[0]
    assert 'data-testid="revisi"' in body


def test_setujui_twice_says_it_is_already_done(org_a: Org, diajukan: Skp) -> None:
    client = client_for(org_a.atasan.user)
    client.post(reverse("skp:setujui", args=[diajukan.pk]))
    resp = client.post(reverse("skp:setujui", args=[diajukan.pk]), follow=True)
    assert "tidak dapat diubah menjadi" in text(resp)


def test_history_lists_every_transition_with_actor_and_note(org_a: Org, diajukan: Skp) -> None:
    htmx(
        client_for(org_a.atasan.user),
        "post",
        reverse("skp:kembalikan", args=[diajukan.pk]),
        {"catatan": "Perbaiki."},
    )
    submit(diajukan)
    approve(diajukan, org_a.atasan)
    body = text(client_for(org_a.pegawai.user).get(reverse("skp:detail", args=[diajukan.pk])))
    riwayat = body.split('data-testid="riwayat"', 1)[1]
    assert riwayat.count('data-testid="riwayat-baris"') == 4
    assert "“Perbaiki.”" in riwayat
    assert org_a.atasan.nama in riwayat
    assert org_a.pegawai.nama in riwayat


# ---------------------------------------------------------------- ekspektasi khusus


def test_penilai_writes_ekspektasi_khusus_before_approval(org_a: Org, diajukan: Skp) -> None:
    client = client_for(org_a.atasan.user)
    body = text(client.get(reverse("skp:detail", args=[diajukan.pk])))
    assert 'data-testid="ekspektasi-form"' in body
    resp = htmx(
        client, "post", reverse("skp:ekspektasi", args=[diajukan.pk]),
        {"versi": diajukan.versi, "akuntabel": "Laporan keuangan tanpa temuan", "loyal": ""},
    )  # fmt: skip
    assert 'data-testid="tersimpan"' in text(resp)
    assert "Laporan keuangan tanpa temuan" in text(
        client_for(org_a.pegawai.user).get(reverse("skp:detail", args=[diajukan.pk]))
    )
    # the pegawai has no such form and may not post it
    assert 'data-testid="ekspektasi-form"' not in text(
        client_for(org_a.pegawai.user).get(reverse("skp:detail", args=[diajukan.pk]))
    )
    assert (
        client_for(org_a.pegawai.user)
        .post(reverse("skp:ekspektasi", args=[diajukan.pk]), {"akuntabel": "x"})
        .status_code
        == 403
    )


def test_ekspektasi_stale_versi_keeps_input(org_a: Org, siap: Skp) -> None:
    stale = siap.versi
    add_rhk(siap, "Perubahan pegawai", jenis="tambahan")
    body = text(
        htmx(client_for(org_a.atasan.user), "post", reverse("skp:ekspektasi", args=[siap.pk]),
             {"versi": stale, "kompeten": "Ikut pelatihan arsip digital"})
    )  # fmt: skip
    assert 'data-testid="pesan-konflik"' in body
    assert "Ikut pelatihan arsip digital" in body


def test_ekspektasi_form_is_gone_after_approval(org_a: Org, diajukan: Skp) -> None:
    approve(diajukan, org_a.atasan)
    assert 'data-testid="ekspektasi-form"' not in text(
        client_for(org_a.atasan.user).get(reverse("skp:detail", args=[diajukan.pk]))
    )


# ---------------------------------------------------------------- revision


def test_revisi_makes_a_new_draft_and_the_old_stays_readable(org_a: Org, diajukan: Skp) -> None:
    approve(diajukan, org_a.atasan)
    client = client_for(org_a.pegawai.user)
    resp = client.post(reverse("skp:revisi", args=[diajukan.pk]))
    with scope(instansi=org_a.instansi.pk):
        new = Skp.objects.get(revisi_dari=diajukan)
    assert resp["Location"] == reverse("skp:detail", args=[new.pk])
    assert new.status == SkpStatus.DRAFT
    assert new.revisi == 1
    new_page = text(client.get(reverse("skp:detail", args=[new.pk])))
    assert "Revisi ke-1 dari" in new_page
    assert "Tersusunnya arsip surat masuk yang tertib" in new_page
    old_page = text(client.get(reverse("skp:detail", args=[diajukan.pk])))
    assert "Buka revisi yang sedang disusun" in old_page
    # once the revision is approved the old one is archived but still readable
    submit(new)
    approve(new, org_a.atasan)
    old_page = text(client.get(reverse("skp:detail", args=[diajukan.pk])))
    assert reload(diajukan).status == SkpStatus.DIGANTI
    assert "telah diganti oleh revisi" in old_page
    assert reverse("skp:detail", args=[new.pk]) in old_page


def test_revisi_of_a_draft_is_refused_with_a_message(org_a: Org, siap: Skp) -> None:
    resp = client_for(org_a.pegawai.user).post(reverse("skp:revisi", args=[siap.pk]), follow=True)
    assert "Hanya SKP yang sudah disetujui yang dapat direvisi." in text(resp)


# ---------------------------------------------------------------- inbox


def test_inbox_lists_pending_with_links_and_empty_state(org_a: Org, diajukan: Skp) -> None:
    body = text(client_for(org_a.atasan.user).get(reverse("skp:inbox")))
    assert body.count('data-testid="inbox-baris"') == 1
    assert reverse("skp:detail", args=[diajukan.pk]) in body
    assert "Setujui yang dipilih" in body
    assert "data-confirm=" in body.split("data-pilih-form", 1)[1].split(">", 1)[0]
    empty = text(client_for(org_a.pegawai.user).get(reverse("skp:inbox")))
    assert 'data-testid="kosong"' in empty
    assert "Tidak ada SKP yang menunggu persetujuan Anda." in empty


def test_inbox_bulk_approves_the_selected_only(org_a: Org, rencana_a: Rencana, diajukan: Skp) -> None:
    # given two submitted SKPs of the atasan's team and one of another team
    rekan = draft(org_a.rekan)
    add_rhk(rekan, "Hasil rekan", pimpinan=rencana_a.atasan_rhk[1])
    submit(rekan)
    other = draft(org_a.hr, tahun=TAHUN)  # appraised by the kepala, not the atasan
    # when the atasan approves the pegawai's and (tampering) the other team's
    resp = client_for(org_a.atasan.user).post(
        reverse("skp:inbox-setujui"), {"pilih": [diajukan.pk, other.pk, "abc"]}, follow=True
    )
    body = text(resp)
    # then only their own pending SKP is approved, and the rest is reported
    assert "1 SKP disetujui." in body
    assert "1 SKP tidak dapat disetujui" in body
    assert reload(diajukan).status == SkpStatus.DISETUJUI
    assert reload(rekan).status == SkpStatus.DIAJUKAN
    assert reload(other).status == SkpStatus.DRAFT
    assert body.count('data-testid="inbox-baris"') == 1


def test_inbox_bulk_without_selection_warns(org_a: Org) -> None:
    resp = client_for(org_a.atasan.user).post(reverse("skp:inbox-setujui"), {}, follow=True)
    assert "Pilih minimal satu SKP" in text(resp)


# ---------------------------------------------------------------- tugas belajar


def test_tugas_belajar_skp_shows_the_ipk_tables_to_the_leader(org_a: Org) -> None:
    # given a pegawai on study leave
    Pegawai._base_manager.filter(pk=org_a.rekan.pk).update(tugas_belajar=True)
    org_a.rekan.refresh_from_db()
    skp = draft(org_a.rekan)
    assert skp.tugas_belajar
    # when the Pejabat Penilai opens the SKP
    body = text(client_for(org_a.atasan.user).get(reverse("skp:detail", args=[skp.pk])))
    # then the §9 guidance tables are there, as the source writes them
    assert 'data-testid="panduan-ipk"' in body
    for kode in ("dn_s1", "dn_pasca", "ln_s1", "ln_pasca"):
        assert f'data-testid="tabel-ipk-{kode}"' in body
    for value in (
        "3,61 – 4,0",
        "3,10 – 3,60",
        "2,76 – 3,09",
        "3,30 – 3,70",
        "3,00 – 3,29",
        "&lt; 3,00",
        "Minimal B",
    ):
        assert value in body, value
    assert "bukan penetapan predikat otomatis" in body
    # and a study-leave SKP may be submitted without leader links (the expectation is academic)
    add_rhk(skp, "IPK semester 1 di atas 3,75")
    submit(skp)
    assert reload(skp).status == SkpStatus.DIAJUKAN


def test_ordinary_skp_has_no_ipk_tables(org_a: Org, siap: Skp) -> None:
    assert 'data-testid="panduan-ipk"' not in text(
        client_for(org_a.atasan.user).get(reverse("skp:detail", args=[siap.pk]))
    )


def test_skp_without_pejabat_penilai_says_so(org_a: Org) -> None:
    loner = PegawaiFactory(
        instansi=org_a.instansi, unit_kerja=org_a.pegawai.unit_kerja, jabatan=org_a.pegawai.jabatan
    )
    skp = draft(loner)
    body = text(client_for(loner.user).get(reverse("skp:detail", args=[skp.pk])))
    assert "belum memiliki Pejabat Penilai Kinerja" in body
