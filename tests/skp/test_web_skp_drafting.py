"""Drafting in the browser pages: create, results with indicators (htmx), lampiran, field errors, conflicts."""

import json
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope

from skp.core_values import BERAKHLAK_V1
from skp.models import Rhk, Skp
from tests.conftest import Org
from tests.skp.conftest import TAHUN, Rencana, add_rhk, approve, client_for, draft, htmx, reload, submit, text

pytestmark = pytest.mark.django_db


def rhk_post(**over: Any) -> dict[str, Any]:
    data = {
        "versi": "",
        "jenis": "utama",
        "rencana_hasil_kerja": "Tersusunnya arsip surat masuk yang tertib",
        "rhk_pimpinan": "",
        "cascading_tipe": "",
        "indikator-0-aspek": "kuantitas",
        "indikator-0-iki": "Persentase surat yang diarsipkan",
        "indikator-0-target": "90 - 95 %",
    }
    data.update({k: str(v) for k, v in over.items()})
    return data


def rhk_of(skp: Skp) -> list[Rhk]:
    with scope(instansi=skp.instansi_id):
        return list(Rhk.objects.filter(skp=skp).prefetch_related("indikator").order_by("id"))


# ---------------------------------------------------------------- my SKPs page


def test_saya_empty_state_says_what_to_do(org_a: Org) -> None:
    body = text(client_for(org_a.pegawai.user).get(reverse("skp:saya")))
    assert "Anda belum memiliki SKP" in body
    assert f'value="{TAHUN}"' in body  # the form defaults to this year


def test_saya_creates_a_draft_with_the_seven_core_values(org_a: Org) -> None:
    # when the pegawai submits the create form with the defaults
    resp = client_for(org_a.pegawai.user).post(
        reverse("skp:saya"), {"tahun": TAHUN, "pendekatan": "kuantitatif"}
    )
    # then they land on the new draft
    with scope(instansi=org_a.instansi.pk):
        skp = Skp.objects.get(pegawai=org_a.pegawai)
        assert skp.perilaku.count() == 7
    assert resp.status_code == 302
    assert resp["Location"] == reverse("skp:detail", args=[skp.pk])
    assert skp.status == "draft"
    assert skp.pejabat_penilai_id == org_a.atasan.pk


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"tahun": "dua ribu", "pendekatan": "kuantitatif"}, "tahun", "angka"),
        ({"tahun": "1990", "pendekatan": "kuantitatif"}, "tahun", "2000"),
        ({"tahun": TAHUN, "pendekatan": "campuran"}, "pendekatan", "Pilih"),
        (
            {"tahun": TAHUN, "pendekatan": "kuantitatif", "periode_mulai": f"{TAHUN}-06-01",
             "periode_selesai": f"{TAHUN}-02-01"},
            "periode_selesai", "tidak boleh sebelum",
        ),
        (
            {"tahun": TAHUN, "pendekatan": "kuantitatif", "periode_mulai": f"{TAHUN - 1}-06-01"},
            "periode_mulai", "tahun yang sama",
        ),
        ({"tahun": TAHUN, "pendekatan": "kuantitatif", "periode_mulai": "31-31-2020"}, "periode_mulai", "tanggal"),
    ],
)  # fmt: skip
def test_saya_shows_errors_under_fields_and_keeps_input(
    org_a: Org, data: dict, field: str, message: str
) -> None:
    resp = client_for(org_a.pegawai.user).post(reverse("skp:saya"), data)
    body = text(resp)
    assert resp.status_code == 200
    assert f'data-testid="galat-{field}"' in body
    error = body.split(f'data-testid="galat-{field}"', 1)[1].split("</div>", 1)[0]
    assert message.lower() in error.lower()
    if field == "tahun":
        assert f'value="{data["tahun"]}"' in body
    with scope(instansi=org_a.instansi.pk):
        assert not Skp.objects.filter(pegawai=org_a.pegawai).exists()


def test_saya_overlapping_period_is_refused_with_a_message(org_a: Org) -> None:
    draft(org_a.pegawai)
    body = text(
        client_for(org_a.pegawai.user).post(reverse("skp:saya"), {"tahun": TAHUN, "pendekatan": "kualitatif"})
    )
    assert "Sudah ada SKP Anda untuk periode ini" in body
    assert 'data-testid="galat-periode_mulai"' in body


def test_saya_lists_by_year_with_status_badges(org_a: Org) -> None:
    old = draft(org_a.pegawai, tahun=TAHUN - 1)
    add_rhk(old, "Hasil lama")
    draft(org_a.pegawai)
    body = text(client_for(org_a.pegawai.user).get(reverse("skp:saya")))
    assert f"Tahun {TAHUN}" in body
    assert f"Tahun {TAHUN - 1}" in body
    assert body.count('data-testid="status-skp"') == 2
    assert body.index(f"Tahun {TAHUN}") < body.index(f"Tahun {TAHUN - 1}")


def test_saya_copies_last_years_skp_into_the_new_draft(org_a: Org, rencana_a: Rencana) -> None:
    # given last year's SKP with a linked result and a lampiran
    old = draft(org_a.pegawai, tahun=TAHUN - 1)
    add_rhk(old, "Tersusunnya arsip tahun lalu")
    # when the pegawai creates this year's draft copying it
    resp = client_for(org_a.pegawai.user).post(
        reverse("skp:saya"), {"tahun": TAHUN, "pendekatan": "kuantitatif", "salin_dari": old.pk}
    )
    assert resp.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        new = Skp.objects.get(pegawai=org_a.pegawai, tahun=TAHUN)
    # then the results are there, to be linked again to this year's leader plan
    [copied] = rhk_of(new)
    assert copied.rencana_hasil_kerja == "Tersusunnya arsip tahun lalu"
    assert copied.rhk_pimpinan_id is None
    assert len(copied.indikator.all()) == 1


def test_saya_copy_from_someone_elses_skp_is_refused(org_a: Org) -> None:
    other = draft(org_a.rekan, tahun=TAHUN - 1)
    resp = client_for(org_a.pegawai.user).post(
        reverse("skp:saya"), {"tahun": TAHUN, "pendekatan": "kuantitatif", "salin_dari": other.pk}
    )
    assert resp.status_code == 200
    assert 'data-testid="galat-salin_dari"' in text(resp)
    with scope(instansi=org_a.instansi.pk):
        assert not Skp.objects.filter(pegawai=org_a.pegawai).exists()


def test_detail_copy_from_previous_for_an_empty_draft(org_a: Org) -> None:
    old = draft(org_a.pegawai, tahun=TAHUN - 1)
    add_rhk(old, "Hasil tahun lalu")
    skp = draft(org_a.pegawai)
    client = client_for(org_a.pegawai.user)
    assert 'data-testid="salin"' in text(client.get(reverse("skp:detail", args=[skp.pk])))
    resp = client.post(reverse("skp:salin", args=[skp.pk]), {"dari": old.pk})
    assert resp.status_code == 302
    assert [r.rencana_hasil_kerja for r in rhk_of(skp)] == ["Hasil tahun lalu"]


# ---------------------------------------------------------------- the SKP layout


def test_detail_ja_layout_has_leader_column_all_core_values_and_lampiran(
    org_a: Org, rencana_a: Rencana
) -> None:
    skp = draft(org_a.pegawai)
    add_rhk(skp, "Tersusunnya arsip", pimpinan=rencana_a.atasan_rhk[0])
    body = text(client_for(org_a.pegawai.user).get(reverse("skp:detail", args=[skp.pk])))
    for heading in (
        "SASARAN KINERJA PEGAWAI", "PENDEKATAN HASIL KERJA KUANTITATIF", "PEGAWAI YANG DINILAI",
        "PEJABAT PENILAI KINERJA", "A. UTAMA", "B. TAMBAHAN", "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI",
        "ASPEK", "INDIKATOR KINERJA INDIVIDU", "TARGET", "PERILAKU KERJA", "EKSPEKTASI KHUSUS PIMPINAN",
        "LAMPIRAN SASARAN KINERJA PEGAWAI", "DUKUNGAN SUMBER DAYA", "SKEMA PERTANGGUNGJAWABAN", "KONSEKUENSI",
    ):  # fmt: skip
        assert heading.lower() in body.lower(), heading
    assert "PERSPEKTIF" not in body
    assert rencana_a.atasan_rhk[0].rencana_hasil_kerja in body
    assert body.count('data-testid="core-value"') == 7
    for _kode, nama, panduan, _tagline in BERAKHLAK_V1:
        assert nama in body
        for item in panduan:
            assert item in body, item
    assert org_a.atasan.nama in body  # the Pejabat Penilai box


def test_detail_jpt_layout_has_perspektif_and_no_leader_column(org_a: Org) -> None:
    skp = draft(org_a.kepala)
    client = client_for(org_a.kepala.user)
    body = text(client.get(reverse("skp:detail", args=[skp.pk])))
    assert "PERSPEKTIF" in body
    assert "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI" not in body
    form = text(htmx(client, "get", reverse("skp:rhk-tambah", args=[skp.pk]) + "?jenis=utama"))
    assert 'name="perspektif"' in form
    assert 'name="rhk_pimpinan"' not in form
    resp = htmx(
        client, "post", reverse("skp:rhk-tambah", args=[skp.pk]), rhk_post(perspektif="Penerima layanan")
    )
    assert "Penerima layanan" in text(resp)
    assert rhk_of(skp)[0].perspektif == "Penerima layanan"


def test_detail_kualitatif_layout_and_penugasan(org_a: Org) -> None:
    skp = draft(org_a.pegawai, pendekatan="kualitatif")
    client = client_for(org_a.pegawai.user)
    body = text(client.get(reverse("skp:detail", args=[skp.pk])))
    assert "PENDEKATAN HASIL KERJA KUALITATIF" in body
    assert "UKURAN KEBERHASILAN / INDIKATOR KINERJA INDIVIDU DAN TARGET" in body
    # a qualitative indicator needs no separate target; the assigning leader is recorded
    data = rhk_post(**{"indikator-0-target": "", "penugasan_dari": "Ketua Tim Kerja Perencanaan"})
    resp = htmx(client, "post", reverse("skp:rhk-tambah", args=[skp.pk]), data)
    assert resp.status_code == 200
    assert "Penugasan dari:" in text(resp)
    [rhk] = rhk_of(skp)
    assert rhk.penugasan_dari == "Ketua Tim Kerja Perencanaan"
    # editing keeps and changes it
    data = rhk_post(
        **{"indikator-0-target": "", "penugasan_dari": "Kepala Bidang", "versi": reload(skp).versi}
    )
    htmx(client, "post", reverse("skp:rhk-ubah", args=[rhk.pk]), data)
    assert rhk_of(skp)[0].penugasan_dari == "Kepala Bidang"


# ---------------------------------------------------------------- results (htmx)


def test_rhk_form_lists_the_leader_results(org_a: Org, rencana_a: Rencana) -> None:
    skp = draft(org_a.pegawai)
    body = text(
        htmx(client_for(org_a.pegawai.user), "get", reverse("skp:rhk-tambah", args=[skp.pk]) + "?jenis=utama")
    )
    for r in rencana_a.atasan_rhk:
        assert f'<option value="{r.pk}"' in body
    assert rencana_a.kepala_rhk.rencana_hasil_kerja not in body  # not the leader two levels up
    assert "belum menyusun SKP" not in body


def test_rhk_form_says_when_the_leader_has_no_plan_and_saving_still_works(org_a: Org) -> None:
    skp = draft(org_a.pegawai)
    client = client_for(org_a.pegawai.user)
    message = "Pejabat Penilai belum menyusun SKP; Anda tetap dapat menyimpan dan mengaitkannya nanti"
    assert message in text(client.get(reverse("skp:detail", args=[skp.pk])))
    assert message in text(htmx(client, "get", reverse("skp:rhk-tambah", args=[skp.pk]) + "?jenis=utama"))
    resp = htmx(client, "post", reverse("skp:rhk-tambah", args=[skp.pk]), rhk_post())
    assert resp.status_code == 200
    assert 'data-testid="belum-terkait"' in text(resp)
    assert len(rhk_of(skp)) == 1


def test_rhk_add_with_two_indicators_updates_the_section_and_the_versi(
    org_a: Org, rencana_a: Rencana
) -> None:
    # given a draft
    skp = draft(org_a.pegawai)
    # when the pegawai adds a linked result with two indicator rows (with a gap left by a removed row)
    data = rhk_post(
        versi=skp.versi, rhk_pimpinan=rencana_a.atasan_rhk[0].pk, cascading_tipe="direct",
        **{"indikator-3-aspek": "waktu", "indikator-3-iki": "Ketepatan waktu", "indikator-3-target": "5 hari kerja"},
    )  # fmt: skip
    resp = htmx(client_for(org_a.pegawai.user), "post", reverse("skp:rhk-tambah", args=[skp.pk]), data)
    # then the section comes back with it, and the page learns the new versi
    body = text(resp)
    assert resp.status_code == 200
    assert 'id="hasil-kerja"' in body
    assert "Tersusunnya arsip surat masuk yang tertib" in body
    assert "Ketepatan waktu" in body
    assert json.loads(resp["HX-Trigger"]) == {"skpVersi": {"skp": skp.pk, "versi": skp.versi + 1}}
    [rhk] = rhk_of(skp)
    assert [(i.aspek, i.target) for i in rhk.indikator.all()] == [
        ("kuantitas", "90 - 95 %"),
        ("waktu", "5 hari kerja"),
    ]
    assert rhk.rhk_pimpinan_id == rencana_a.atasan_rhk[0].pk
    assert rhk.cascading_tipe == "direct"


def test_rhk_errors_render_under_each_field_and_keep_the_input(org_a: Org) -> None:
    # given a draft
    skp = draft(org_a.pegawai)
    # when the pegawai saves a result without its text, a second row without IKI and a repeated aspek
    data = rhk_post(
        rencana_hasil_kerja="",
        **{
            "indikator-1-aspek": "kuantitas",
            "indikator-1-iki": "",
            "indikator-1-target": "Target yang diketik",
        },
    )
    resp = htmx(client_for(org_a.pegawai.user), "post", reverse("skp:rhk-tambah", args=[skp.pk]), data)
    body = text(resp)
    # then the form comes back in place of itself with a message under every bad field
    assert resp.status_code == 200
    assert resp["HX-Retarget"] == "this"
    assert resp["HX-Reswap"] == "outerHTML"
    assert 'data-testid="galat-rencana_hasil_kerja"' in body
    assert "Rencana hasil kerja wajib diisi." in body
    assert 'data-testid="galat-indikator-1-iki"' in body
    assert "Indikator kinerja individu wajib diisi." in body
    assert 'data-testid="galat-indikator-1-aspek"' in body
    assert "hanya boleh dipakai sekali" in body
    assert 'data-testid="galat-indikator-0-iki"' not in body
    # and what was typed is still there
    assert "Persentase surat yang diarsipkan" in body
    assert 'value="Target yang diketik"' in body
    assert 'class="form-control is-invalid" name="rencana_hasil_kerja"' in body
    assert rhk_of(skp) == []


def test_rhk_more_than_four_indicators_is_refused(org_a: Org) -> None:
    skp = draft(org_a.pegawai)
    extra: dict[str, Any] = {}
    for n, aspek in enumerate(["kualitas", "waktu", "biaya", "kuantitas"], start=1):
        extra.update(
            {f"indikator-{n}-aspek": aspek, f"indikator-{n}-iki": f"IKI {n}", f"indikator-{n}-target": "1"}
        )
    resp = htmx(
        client_for(org_a.pegawai.user), "post", reverse("skp:rhk-tambah", args=[skp.pk]), rhk_post(**extra)
    )
    assert 'data-testid="galat-indikator"' in text(resp)
    assert "Paling banyak 4 indikator" in text(resp)
    assert rhk_of(skp) == []


def test_rhk_leader_result_from_elsewhere_is_an_error_under_the_field(org_a: Org, rencana_a: Rencana) -> None:
    skp = draft(org_a.pegawai)
    foreign = rencana_a.kepala_rhk  # not the Pejabat Penilai's result
    data = rhk_post(rhk_pimpinan=foreign.pk)
    body = text(htmx(client_for(org_a.pegawai.user), "post", reverse("skp:rhk-tambah", args=[skp.pk]), data))
    assert 'data-testid="galat-rhk_pimpinan"' in body
    assert "SKP Pejabat Penilai Anda" in body


@pytest.mark.parametrize(
    "over",
    [
        {"rhk_pimpinan": "abc"},
        {"versi": "x"},
        {"jenis": "bonus"},
        {"cascading_tipe": "miring"},
        {"indikator-0-aspek": "x" * 500},
        {"indikator-999999999-iki": "x"},
        {"penugasan_dari": "p" * 400},
    ],
)
def test_rhk_bad_input_is_a_form_error_never_a_500(org_a: Org, over: dict) -> None:
    skp = draft(org_a.pegawai)
    resp = htmx(
        client_for(org_a.pegawai.user), "post", reverse("skp:rhk-tambah", args=[skp.pk]), rhk_post(**over)
    )
    assert resp.status_code == 200
    assert 'data-testid="rhk-form"' in text(resp) or 'id="hasil-kerja"' in text(resp)


def test_rhk_stale_versi_shows_the_conflict_with_a_reload_link_and_keeps_input(org_a: Org) -> None:
    # given the page was loaded at versi N, then another tab added a result (versi N+1)
    skp = draft(org_a.pegawai)
    stale = skp.versi
    add_rhk(skp, "Dari tab lain")
    # when this tab saves its form with the old versi
    data = rhk_post(versi=stale, rencana_hasil_kerja="Isian tab ini")
    resp = htmx(client_for(org_a.pegawai.user), "post", reverse("skp:rhk-tambah", args=[skp.pk]), data)
    body = text(resp)
    # then nothing is overwritten: the form says so, links to a reload, and keeps what was typed
    assert 'data-testid="pesan-konflik"' in body
    assert "telah diubah di tab atau perangkat lain" in body
    assert f'href="{reverse("skp:detail", args=[skp.pk])}" data-testid="muat-ulang"' in body
    assert "Isian tab ini" in body
    assert f'name="versi" value="{stale}"' in body
    assert "HX-Trigger" not in resp
    assert [r.rencana_hasil_kerja for r in rhk_of(skp)] == ["Dari tab lain"]


def test_rhk_edit_form_and_cancel_and_save(org_a: Org, rencana_a: Rencana) -> None:
    skp = draft(org_a.pegawai)
    rhk = add_rhk(skp, "Teks lama")
    client = client_for(org_a.pegawai.user)
    form = text(htmx(client, "get", reverse("skp:rhk-ubah", args=[rhk.pk]) + f"?versi={reload(skp).versi}"))
    assert f'<tbody id="rhk-{rhk.pk}"' in form
    assert "Teks lama" in form
    row = text(htmx(client, "get", reverse("skp:rhk-baris", args=[rhk.pk])))
    assert f'<tbody id="rhk-{rhk.pk}"' in row
    assert 'data-testid="ubah-rhk"' in row
    data = rhk_post(
        versi=reload(skp).versi, rencana_hasil_kerja="Teks baru", rhk_pimpinan=rencana_a.atasan_rhk[1].pk
    )
    resp = htmx(client, "post", reverse("skp:rhk-ubah", args=[rhk.pk]), data)
    assert "Teks baru" in text(resp)
    [saved] = rhk_of(skp)
    assert saved.rencana_hasil_kerja == "Teks baru"
    assert saved.rhk_pimpinan_id == rencana_a.atasan_rhk[1].pk


def test_rhk_delete_removes_the_row_and_a_stale_delete_says_conflict(org_a: Org) -> None:
    skp = draft(org_a.pegawai)
    keep = add_rhk(skp, "Tetap ada")
    gone = add_rhk(skp, "Akan dihapus")
    client = client_for(org_a.pegawai.user)
    # a delete from a stale page is refused into the page's message area
    resp = htmx(client, "post", reverse("skp:rhk-hapus", args=[gone.pk]), {"versi": skp.versi})
    assert resp["HX-Retarget"] == "#skp-pesan"
    assert 'data-testid="pesan-konflik"' in text(resp)
    assert len(rhk_of(skp)) == 2
    # with the current versi it goes
    resp = htmx(client, "post", reverse("skp:rhk-hapus", args=[gone.pk]), {"versi": reload(skp).versi})
    assert "Akan dihapus" not in text(resp)
    assert [r.pk for r in rhk_of(skp)] == [keep.pk]


def test_delete_button_asks_for_confirmation(org_a: Org) -> None:
    skp = draft(org_a.pegawai)
    add_rhk(skp, "Satu")
    body = text(client_for(org_a.pegawai.user).get(reverse("skp:detail", args=[skp.pk])))
    delete = body.split('data-testid="hapus-rhk"', 1)[1].split(">", 1)[0]
    assert "data-confirm=" in delete


def test_plain_post_without_htmx_ends_on_the_skp_page(org_a: Org) -> None:
    skp = draft(org_a.pegawai)
    client = client_for(org_a.pegawai.user)
    resp = client.post(reverse("skp:rhk-tambah", args=[skp.pk]), rhk_post())
    assert resp.status_code == 302
    resp = client.post(
        reverse("skp:rhk-tambah", args=[skp.pk]), rhk_post(rencana_hasil_kerja=""), follow=True
    )
    assert "belum lengkap" in text(resp)


def test_approved_skp_is_read_only(org_a: Org, rencana_a: Rencana) -> None:
    skp = draft(org_a.pegawai)
    add_rhk(skp, "Hasil", pimpinan=rencana_a.atasan_rhk[0])
    submit(skp)
    approve(skp, org_a.atasan)
    client = client_for(org_a.pegawai.user)
    body = text(client.get(reverse("skp:detail", args=[skp.pk])))
    for control in ("tambah-rhk-utama", "ubah-rhk", "hapus-rhk", "ubah-lampiran", "ajukan"):
        assert f'data-testid="{control}"' not in body, control
    resp = htmx(client, "post", reverse("skp:rhk-tambah", args=[skp.pk]), rhk_post(versi=reload(skp).versi))
    assert "hanya dapat diubah selama berstatus draf" in text(resp)
    assert len(rhk_of(skp)) == 1


# ---------------------------------------------------------------- lampiran, pendekatan


def test_lampiran_edit_saves_one_item_per_line(org_a: Org) -> None:
    skp = draft(org_a.pegawai)
    client = client_for(org_a.pegawai.user)
    form = text(htmx(client, "get", reverse("skp:lampiran", args=[skp.pk]) + "?ubah=1"))
    assert 'data-testid="lampiran-form"' in form
    data = {
        "versi": skp.versi,
        "dukungan_sumber_daya": "Laptop\n\n  Akses aplikasi persuratan  ",
        "skema_pertanggungjawaban": "Laporan bulanan",
        "konsekuensi": "Teguran bila terlambat",
    }
    resp = htmx(client, "post", reverse("skp:lampiran", args=[skp.pk]), data)
    assert 'data-testid="tersimpan"' in text(resp)
    saved = reload(skp)
    assert saved.dukungan_sumber_daya == ["Laptop", "Akses aplikasi persuratan"]
    assert saved.skema_pertanggungjawaban == ["Laporan bulanan"]
    assert saved.konsekuensi == ["Teguran bila terlambat"]
    assert "Akses aplikasi persuratan" in text(client.get(reverse("skp:detail", args=[skp.pk])))


def test_lampiran_stale_versi_keeps_input_and_offers_reload(org_a: Org) -> None:
    skp = draft(org_a.pegawai)
    add_rhk(skp, "Perubahan dari tab lain")
    data = {
        "versi": skp.versi,
        "dukungan_sumber_daya": "Ketikan saya",
        "skema_pertanggungjawaban": "",
        "konsekuensi": "",
    }
    body = text(htmx(client_for(org_a.pegawai.user), "post", reverse("skp:lampiran", args=[skp.pk]), data))
    assert 'data-testid="pesan-konflik"' in body
    assert "Ketikan saya" in body
    assert reload(skp).dukungan_sumber_daya == []


def test_lampiran_too_long_item_is_an_error_under_the_field(org_a: Org) -> None:
    skp = draft(org_a.pegawai)
    data = {
        "versi": skp.versi,
        "dukungan_sumber_daya": "",
        "skema_pertanggungjawaban": "",
        "konsekuensi": "k" * 2100,
    }
    body = text(htmx(client_for(org_a.pegawai.user), "post", reverse("skp:lampiran", args=[skp.pk]), data))
    assert 'data-testid="galat-konsekuensi"' in body
    assert reload(skp).konsekuensi == []


def test_pendekatan_change_refreshes_the_page(org_a: Org) -> None:
    skp = draft(org_a.pegawai)
    resp = htmx(
        client_for(org_a.pegawai.user), "post", reverse("skp:pendekatan", args=[skp.pk]),
        {"versi": skp.versi, "pendekatan": "kualitatif"},
    )  # fmt: skip
    assert resp["HX-Refresh"] == "true"
    assert reload(skp).pendekatan == "kualitatif"
