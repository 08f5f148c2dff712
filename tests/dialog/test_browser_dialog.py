"""End-to-end in Chromium: realisasi with a file (a bad file is refused and the text kept), the leader's
feedback and the pegawai's reply, a peer's feedback, an assignment from another unit accepted by the leader.

Data is created in the test body through the real services (``transactional_db``: the live server thread
sees it). The SKP is approved first: realisasi is recorded against an established plan.
Set ``KINERJA_SCREENSHOT_DIR`` to keep desktop and phone screenshots of the feedback and realisasi pages.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Browser, BrowserContext, Page, expect

from kinerja.models.org import JenisJabatan
from tests.conftest import PASSWORD, build_org
from tests.dialog.conftest import indikator_of, make_skp, periods
from tests.factories import JabatanFactory, PegawaiFactory, UnitKerjaFactory
from tests.factories.berkas import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PDF = pdf_bytes()


def context(browser: Browser, viewport: dict[str, int] = DESKTOP) -> BrowserContext:
    return browser.new_context(locale="id-ID", viewport=viewport)  # type: ignore[arg-type]


def login(browser: Browser, base: str, nip: str, viewport: dict[str, int] = DESKTOP) -> Page:
    page = context(browser, viewport).new_page()
    page.goto(f"{base}/masuk/")
    page.get_by_label("NIP / NI PPPK").fill(nip)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).to_have_url(f"{base}/")
    return page


def screenshot(page: Page, name: str) -> None:
    target = os.environ.get("KINERJA_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the viewport"


def setup_plan() -> tuple[Any, Any]:
    org = build_org("A")
    year = timezone.localdate().year
    periods(org, year)
    return org, make_skp(org, org.pegawai, tahun=year)


def test_realisasi_with_file_leader_feedback_pegawai_reply(
    live_server: Any, browser: Browser, tmp_path: Path
) -> None:
    org, skp = setup_plan()
    ind = indikator_of(org, skp)[0]
    base = live_server.url
    exe = tmp_path / "laporan.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 300)
    pdf = tmp_path / "laporan-april.pdf"
    pdf.write_bytes(PDF)

    # the pegawai records a realisasi; an .exe called .pdf is refused with the reason, the text stays
    pegawai = login(browser, base, org.pegawai.nip)
    pegawai.goto(f"{base}/dialog/")
    pegawai.get_by_test_id(f"buka-realisasi-{skp.pk}").click()
    card = pegawai.get_by_test_id(f"indikator-{ind.pk}")
    card.locator(f"#id_i{ind.pk}-realisasi").fill("Empat laporan selesai tepat waktu")
    card.locator(f"#id_i{ind.pk}-berkas").set_input_files(str(exe))
    card.get_by_test_id("simpan-realisasi").click()
    card = pegawai.get_by_test_id(f"indikator-{ind.pk}")
    expect(card.get_by_test_id("galat-berkas")).to_contain_text("Berkas program (executable) tidak diterima")
    expect(card.locator(f"#id_i{ind.pk}-realisasi")).to_have_value("Empat laporan selesai tepat waktu")
    # with a real PDF it is saved, and the file is downloadable through the checked view
    card.locator(f"#id_i{ind.pk}-berkas").set_input_files(str(pdf))
    card.get_by_test_id("simpan-realisasi").click()
    card = pegawai.get_by_test_id(f"indikator-{ind.pk}")
    expect(card).to_contain_text("Realisasi tersimpan.")
    expect(card.get_by_test_id("realisasi-teks")).to_have_text("Empat laporan selesai tepat waktu")
    expect(card.get_by_test_id("unduh-bukti")).to_have_text("laporan-april.pdf")
    with pegawai.expect_download() as download:
        card.get_by_test_id("unduh-bukti").click()
    assert Path(download.value.path()).read_bytes() == PDF
    pegawai.reload()
    screenshot(pegawai, "realisasi-desktop")

    # the leader gives feedback on that result
    leader = login(browser, base, org.atasan.nip)
    leader.goto(f"{base}/dialog/skp/{skp.pk}/umpan-balik/")
    form = leader.get_by_test_id("form-umpan-balik")
    form.get_by_label("Tentang").select_option(label=ind.rhk.rencana_hasil_kerja[:90])
    form.get_by_label("Perlu perbaikan").check()
    form.get_by_label("Umpan balik", exact=True).fill("Laporan bagus; lampirkan rekap per bidang.")
    form.get_by_test_id("kirim-umpan-balik").click()
    expect(leader.get_by_test_id("utas").first).to_contain_text("Laporan bagus; lampirkan rekap per bidang.")
    expect(leader.get_by_test_id("status-pimpinan")).to_be_visible()
    screenshot(leader, "umpan-balik-pimpinan-desktop")

    # the pegawai sees it as new and replies in the thread (htmx)
    pegawai.goto(f"{base}/dialog/skp/{skp.pk}/umpan-balik/")
    thread = pegawai.get_by_test_id("utas").first
    expect(thread.get_by_test_id("baru")).to_be_visible()
    thread.get_by_placeholder("Tulis balasan…").fill("Siap, rekap menyusul Jumat.")
    thread.get_by_test_id("kirim-balasan").click()
    expect(pegawai.get_by_test_id("balasan").first).to_contain_text("Siap, rekap menyusul Jumat.")
    expect(pegawai.get_by_test_id("baru")).to_have_count(0)  # replying marks the thread read for the replier
    screenshot(pegawai, "umpan-balik-desktop")

    # the same pages on a phone: no sideways scrolling
    phone = login(browser, base, org.pegawai.nip, PHONE)
    phone.goto(f"{base}/dialog/skp/{skp.pk}/umpan-balik/")
    no_horizontal_scroll(phone)
    screenshot(phone, "umpan-balik-phone")
    phone.goto(f"{base}/dialog/skp/{skp.pk}/realisasi/")
    no_horizontal_scroll(phone)
    screenshot(phone, "realisasi-phone")
    expect(leader.get_by_test_id("utas").first).to_be_visible()
    leader.reload()
    expect(leader.get_by_test_id("balasan").first).to_contain_text("Siap, rekap menyusul Jumat.")


def test_peer_gives_feedback(live_server: Any, browser: Browser) -> None:
    org, _skp = setup_plan()
    base = live_server.url
    peer = login(browser, base, org.rekan.nip)
    peer.goto(f"{base}/dialog/")
    screenshot(peer, "dialog-beranda-desktop")
    peer.get_by_test_id(f"beri-{org.pegawai.pk}").click()
    form = peer.get_by_test_id("form-umpan-balik")
    form.get_by_label("Tentang").select_option(label="Kolaboratif")
    form.get_by_label("Umpan balik", exact=True).fill("Selalu sigap membantu rapat koordinasi.")
    form.get_by_test_id("kirim-umpan-balik").click()
    thread = peer.get_by_test_id("utas").first
    expect(thread).to_contain_text("Rekan kerja")
    expect(thread).to_contain_text("Kolaboratif")
    pegawai = login(browser, base, org.pegawai.nip)
    # the SKP approval during set-up notified the pegawai too; the peer's feedback is one more: the bell in
    # the main navbar shows both on the home page, and leads to the list
    bell = pegawai.get_by_test_id("nav-notifikasi")
    expect(bell.get_by_test_id("notifikasi-jumlah")).to_have_text("2 belum dibaca")
    bell.click()
    expect(pegawai).to_have_url(f"{base}/dialog/notifikasi/")
    expect(pegawai.get_by_test_id("belum-dibaca")).to_have_text("2")
    pegawai.get_by_text(f"Umpan balik baru dari {org.rekan.nama}").click()
    expect(pegawai.get_by_test_id("isi-umpan-balik").first).to_have_text(
        "Selalu sigap membantu rapat koordinasi."
    )
    # on a phone the bell stays in view with the menu closed; one left unread
    phone = login(browser, base, org.pegawai.nip, PHONE)
    expect(phone.get_by_test_id("nav-notifikasi").get_by_test_id("notifikasi-jumlah")).to_have_text(
        "1 belum dibaca"
    )
    expect(phone.get_by_role("button", name="Buka/tutup menu")).to_be_visible()
    no_horizontal_scroll(phone)
    screenshot(phone, "lonceng-phone")


def test_rencana_aksi_added_corrected_and_removed(live_server: Any, browser: Browser) -> None:
    org, skp = setup_plan()
    rhk = indikator_of(org, skp)[0].rhk
    base = live_server.url
    page = login(browser, base, org.pegawai.nip, PHONE)
    page.goto(f"{base}/dialog/skp/{skp.pk}/realisasi/")
    card = page.locator(f"#rhk-{rhk.pk}")
    expect(card).to_contain_text("Belum ada rencana aksi untuk periode ini.")
    card.get_by_label("Rencana aksi", exact=True).fill("Menyusn draf kajian")
    card.get_by_label("Target").fill("Mei")
    card.get_by_role("button", name="Tambah").click()
    expect(page.get_by_text("Rencana aksi ditambahkan.")).to_be_visible()
    step = page.locator(f"#rhk-{rhk.pk} [data-testid^='aksi-']").first
    expect(step.get_by_test_id("aksi-uraian")).to_have_text("Menyusn draf kajian")
    # a typo: corrected in place; an empty text first is refused under the field, the form stays open
    step.get_by_test_id("ubah-aksi").click()
    step.get_by_label("Rencana aksi", exact=True).fill("")
    step.get_by_test_id("simpan-aksi").click()
    step = page.locator(f"#rhk-{rhk.pk} [data-testid^='aksi-']").first
    expect(step.get_by_test_id("galat-uraian")).to_be_visible()
    no_horizontal_scroll(page)
    step.get_by_label("Rencana aksi", exact=True).fill("Menyusun draf kajian")
    step.get_by_test_id("simpan-aksi").click()
    expect(page.get_by_text("Rencana aksi diperbarui.")).to_be_visible()
    step = page.locator(f"#rhk-{rhk.pk} [data-testid^='aksi-']").first
    expect(step.get_by_test_id("aksi-uraian")).to_have_text("Menyusun draf kajian")
    expect(step).to_contain_text("Mei")
    screenshot(page, "rencana-aksi-phone")
    # removing asks first; dismissing keeps it, accepting removes it
    page.once("dialog", lambda d: d.dismiss())
    step.get_by_role("button", name="Hapus rencana aksi").click()
    expect(step.get_by_test_id("aksi-uraian")).to_have_text("Menyusun draf kajian")
    page.once("dialog", lambda d: d.accept())
    step.get_by_role("button", name="Hapus rencana aksi").click()
    expect(page.get_by_text("Rencana aksi dihapus.")).to_be_visible()
    expect(page.locator(f"#rhk-{rhk.pk}")).to_contain_text("Belum ada rencana aksi untuk periode ini.")


def test_assignment_from_another_unit_accepted_by_leader(live_server: Any, browser: Browser) -> None:
    org, skp = setup_plan()
    with scope(instansi=org.instansi.pk):
        top = org.kepala.unit_kerja
    unit = UnitKerjaFactory(instansi=org.instansi, nama="Bidang Perencanaan", induk=top)
    jab = JabatanFactory(
        instansi=org.instansi, nama="Kepala Bidang Perencanaan", jenis=JenisJabatan.ADMINISTRATOR
    )
    other = PegawaiFactory(instansi=org.instansi, unit_kerja=unit, jabatan=jab, atasan=org.kepala)
    base = live_server.url
    today = timezone.localdate()

    official = login(browser, base, other.nip)
    official.goto(f"{base}/dialog/penugasan/")
    official.get_by_test_id("penugasan-baru").click()
    official.get_by_label("Pegawai yang ditugaskan").fill(f"{org.pegawai.nip} {org.pegawai.nama}")
    official.get_by_label("Hasil kerja yang diharapkan").fill(
        "Tersusunnya kajian kebutuhan data lintas bidang"
    )
    official.locator("#id_mulai").fill(today.isoformat())
    official.locator("#id_selesai").fill((today + dt.timedelta(days=30)).isoformat())
    official.locator("#id_ind-0-aspek").select_option("kuantitas")
    official.locator("#id_ind-0-iki").fill("Jumlah dokumen kajian")
    official.locator("#id_ind-0-target").fill("1 dokumen")
    official.get_by_test_id("kirim-penugasan").click()
    expect(official.get_by_test_id("status-penugasan")).to_have_text("Menunggu Pejabat Penilai")

    leader = login(browser, base, org.atasan.nip)
    leader.goto(f"{base}/dialog/penugasan/")
    leader.get_by_test_id("perlu-keputusan").get_by_role("link").first.click()
    leader.get_by_test_id("terima-penugasan").click()
    expect(leader.get_by_test_id("status-penugasan")).to_have_text("Diterima")
    screenshot(leader, "penugasan-detail-desktop")
    leader.goto(f"{base}/dialog/tim/")
    expect(leader.get_by_test_id("tabel-tim")).to_contain_text(org.pegawai.nama)
    screenshot(leader, "tim-desktop")

    # the result is in the pegawai's SKP, marked with who assigned it; the official may now give feedback on it
    pegawai = login(browser, base, org.pegawai.nip)
    pegawai.goto(f"{base}/dialog/skp/{skp.pk}/realisasi/")
    expect(pegawai.get_by_text("Tersusunnya kajian kebutuhan data lintas bidang")).to_be_visible()
    expect(pegawai.get_by_text(f"Penugasan dari Kepala Bidang Perencanaan ({other.nama})")).to_be_visible()
    official.reload()
    official.get_by_test_id("beri-umpan-balik-penugasan").click()
    form = official.get_by_test_id("form-umpan-balik")
    form.get_by_label("Umpan balik", exact=True).fill("Draf kajian awal sudah sesuai kebutuhan.")
    form.get_by_test_id("kirim-umpan-balik").click()
    expect(official.get_by_test_id("utas").first).to_contain_text("Pimpinan pemberi penugasan")
