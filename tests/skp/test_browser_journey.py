"""End to end in Chromium: a pegawai drafts and submits, the leader returns it with a note, the pegawai
fixes and resubmits, the leader approves; and the leader's Matriks Peran Hasil.

Screenshots of the SKP page (desktop and a 390 px phone) and of the matrix go to /tmp/screens/.
"""

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from skp.models import Rhk, Skp, SkpStatus
from tests.conftest import PASSWORD, Org
from tests.skp.conftest import Rencana, add_rhk, build_rencana, draft, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(os.environ.get("KINERJA_SCREENS", Path(tempfile.gettempdir()) / "screens"))
TIMEOUT = 15_000
LOCALE = "id-ID"  # LocaleMiddleware follows Accept-Language; our users' browsers say Indonesian
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _timeouts(page: Page) -> None:
    page.set_default_timeout(TIMEOUT)
    expect.set_options(timeout=TIMEOUT)


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": LOCALE, "viewport": DESKTOP}


def assert_no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the viewport"


def login(page: Page, base: str, nip: str) -> None:
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    page.goto(f"{base}/masuk/")
    page.locator("#id_username").fill(nip)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_test_id("nama-pengguna")).to_be_visible()


@pytest.fixture
def rencana(org_a: Org) -> Rencana:
    return build_rencana(org_a)


def test_pegawai_drafts_leader_returns_pegawai_fixes_leader_approves(
    page: Page, browser: Browser, live_server: Any, org_a: Org, rencana: Rencana
) -> None:
    base = live_server.url
    leader_rhk = rencana.atasan_rhk[0]

    # --- the pegawai creates a draft for this year
    login(page, base, org_a.pegawai.nip)
    page.get_by_role("link", name="SKP Saya").first.click()
    expect(page.get_by_test_id("kosong")).to_be_visible()
    page.get_by_test_id("buat-skp").click()
    expect(page.get_by_test_id("status-skp").first).to_have_text(re.compile("Draf"))

    # --- adds a result linked to the leader's result, with two indicator rows, the second IKI empty
    page.get_by_test_id("tambah-rhk-utama").click()
    form = page.get_by_test_id("rhk-form")
    expect(form).to_be_visible()
    form.locator("textarea[name=rencana_hasil_kerja]").fill("Tersusunnya arsip surat masuk yang tertib")
    form.locator("select[name=rhk_pimpinan]").select_option(str(leader_rhk.pk))
    form.locator("textarea[name='indikator-0-iki']").fill("Persentase surat yang diarsipkan")
    form.locator("input[name='indikator-0-target']").fill("90 - 95 %")
    form.get_by_test_id("tambah-indikator").click()
    expect(form.locator("[data-indikator-row]")).to_have_count(2)
    expect(form.locator("select[name='indikator-1-aspek']")).to_have_value("kualitas")  # first unused aspek
    form.locator("input[name='indikator-1-target']").fill("Tanpa kesalahan")
    form.get_by_test_id("simpan-rhk").click()

    # --- the empty IKI is refused under its field; the input stays
    error = page.get_by_test_id("galat-indikator-1-iki")
    expect(error).to_have_text(re.compile("wajib diisi"))
    shot(page, "skp_form_error_desktop")
    form = page.get_by_test_id("rhk-form")
    expect(form.locator("textarea[name=rencana_hasil_kerja]")).to_have_value(
        "Tersusunnya arsip surat masuk yang tertib"
    )
    expect(form.locator("select[name=rhk_pimpinan]")).to_have_value(str(leader_rhk.pk))
    form.locator("[data-indikator-row]").nth(1).locator("textarea").fill(
        "Tingkat ketepatan klasifikasi arsip"
    )
    form.get_by_test_id("simpan-rhk").click()

    row = page.get_by_test_id("rhk")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("iki")).to_have_count(2)
    expect(row.get_by_test_id("rhk-pimpinan")).to_have_text(leader_rhk.rencana_hasil_kerja)
    shot(page, "skp_detail_draft_desktop")

    # --- submits
    page.get_by_test_id("ajukan").click()
    expect(page.get_by_test_id("status-skp").first).to_have_text(re.compile("Diajukan"))
    skp = _skp_of(org_a)
    assert skp.status == SkpStatus.DIAJUKAN

    # --- the leader opens the inbox and returns it; an empty note is refused under the field
    leader_ctx = browser.new_context(locale=LOCALE, viewport=DESKTOP)
    leader = leader_ctx.new_page()
    leader.set_default_timeout(TIMEOUT)
    login(leader, base, org_a.atasan.nip)
    leader.get_by_role("link", name="Persetujuan SKP").first.click()
    expect(leader.get_by_test_id("inbox-baris")).to_have_count(1)
    leader.get_by_role("link", name=org_a.pegawai.nama).click()
    leader.get_by_test_id("kembalikan").click()
    expect(leader.get_by_test_id("galat-catatan")).to_have_text(
        re.compile("Tuliskan apa yang perlu diperbaiki")
    )
    leader.fill("#kembalikan-catatan", "Target waktu perlu lebih terukur.")
    leader.get_by_test_id("kembalikan").click()
    expect(leader.get_by_test_id("status-skp").first).to_have_text(re.compile("Dikembalikan"))

    # --- the pegawai sees the note, fixes the result on their phone and resubmits
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_test_id("catatan-pengembalian")).to_contain_text("Target waktu perlu lebih terukur.")
    page.get_by_test_id("ubah-rhk").click()
    form = page.get_by_test_id("rhk-form")
    expect(form).to_be_visible()
    assert_no_horizontal_scroll(page)
    shot(page, "skp_form_phone")
    form.locator("input[name='indikator-1-target']").fill("Paling lambat 3 hari kerja")
    form.get_by_test_id("simpan-rhk").click()
    expect(page.get_by_test_id("rhk").locator("td.target").nth(1)).to_have_text("Paling lambat 3 hari kerja")
    page.get_by_test_id("ajukan").click()
    expect(page.get_by_test_id("status-skp").first).to_have_text(re.compile("Diajukan"))
    page.set_viewport_size(DESKTOP)

    # --- the leader approves from the inbox page of the SKP
    leader.goto(f"{base}/skp/persetujuan/")
    leader.get_by_role("link", name=org_a.pegawai.nama).click()
    leader.get_by_test_id("setujui").click()
    expect(leader.get_by_test_id("status-skp").first).to_have_text(re.compile("Disetujui"))
    leader_ctx.close()

    # --- the pegawai sees the approved, read-only SKP with the snapshot identities and the history
    page.reload()
    expect(page.get_by_test_id("status-skp").first).to_have_text(re.compile("Disetujui"))
    expect(page.get_by_test_id("info-disetujui")).to_be_visible()
    expect(page.get_by_test_id("identitas-pegawai").get_by_test_id("ident-nama")).to_have_text(
        org_a.pegawai.nama
    )
    expect(page.get_by_test_id("identitas-penilai").get_by_test_id("ident-nama")).to_have_text(
        org_a.atasan.nama
    )
    expect(page.get_by_test_id("ubah-rhk")).to_have_count(0)
    expect(page.get_by_test_id("riwayat-baris")).to_have_count(
        4
    )  # diajukan, dikembalikan, diajukan, disetujui
    shot(page, "skp_detail_desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    assert_no_horizontal_scroll(page)
    shot(page, "skp_detail_phone")
    skp = _skp_of(org_a)
    assert skp.status == SkpStatus.DISETUJUI
    assert skp.snapshot_pegawai["nama"] == org_a.pegawai.nama


def _skp_of(org: Org) -> Skp:
    with scope(instansi=org.instansi.pk):
        return Skp.objects.get(pegawai=org.pegawai)


def test_matriks_peran_hasil_shows_links_and_proposes_into_a_draft(
    page: Page, live_server: Any, org_a: Org, rencana: Rencana
) -> None:
    # given the pegawai's draft linked to the leader's first result, and the rekan's empty draft
    pegawai_skp = draft(org_a.pegawai)
    add_rhk(pegawai_skp, "Tersusunnya arsip surat masuk yang tertib", pimpinan=rencana.atasan_rhk[0])
    rekan_skp = draft(org_a.rekan)
    kol0, kol1 = rencana.atasan_rhk

    # when the leader opens the matrix of their approved SKP
    login(page, live_server.url, org_a.atasan.nip)
    page.goto(f"{live_server.url}/skp/{rencana.atasan_skp.pk}/matriks/")
    pegawai_row = page.locator(f"[data-testid=mph-baris][data-pegawai='{org_a.pegawai.pk}']")
    rekan_row = page.locator(f"[data-testid=mph-baris][data-pegawai='{org_a.rekan.pk}']")

    # then the pegawai's result sits in the first column and N/A elsewhere
    expect(pegawai_row.locator(f"td[data-kolom='{kol0.pk}']")).to_contain_text(
        "Tersusunnya arsip surat masuk"
    )
    expect(pegawai_row.locator(f"td[data-kolom='{kol1.pk}']").get_by_test_id("mph-na")).to_be_visible()
    expect(rekan_row.get_by_test_id("mph-na")).to_have_count(2)
    expect(page.locator(f"th[data-rhk='{kol1.pk}']")).to_have_class(re.compile("mph-tidak-didukung"))
    shot(page, "mph_desktop")

    # when the leader proposes a result into the rekan's draft from the second column's cell
    cell = rekan_row.locator(f"td[data-kolom='{kol1.pk}']")
    cell.get_by_test_id("mph-usul").click()
    form = cell.get_by_test_id("mph-usul-form")
    form.locator("textarea[name=rencana_hasil_kerja]").fill("Tersusunnya bahan laporan kinerja bidang")
    form.get_by_test_id("mph-usul-simpan").click()
    expect(cell.get_by_test_id("galat-iki")).to_have_text(re.compile("wajib diisi"))
    form.locator("input[name=iki]").fill("Jumlah bahan laporan yang disusun")
    form.locator("input[name=target]").fill("4 dokumen")
    form.get_by_test_id("mph-usul-simpan").click()

    # then it appears in that cell, the column is no longer unsupported, and the rekan's draft has it
    rekan_row = page.locator(f"[data-testid=mph-baris][data-pegawai='{org_a.rekan.pk}']")
    expect(rekan_row.locator(f"td[data-kolom='{kol1.pk}']")).to_contain_text(
        "Tersusunnya bahan laporan kinerja bidang"
    )
    expect(page.locator(f"th[data-rhk='{kol1.pk}']")).not_to_have_class(re.compile("mph-tidak-didukung"))
    shot(page, "mph_after_usul")
    page.set_viewport_size(PHONE)
    shot(page, "mph_phone")
    with scope(instansi=org_a.instansi.pk):
        added = Rhk.objects.get(skp=rekan_skp)
    assert added.rhk_pimpinan_id == kol1.pk
    assert added.jenis == "utama"


def test_leader_bulk_approves_from_the_inbox_and_sees_the_pohon(
    page: Page, live_server: Any, org_a: Org, rencana: Rencana
) -> None:
    # given two subordinates who submitted linked SKPs
    for p, kolom in ((org_a.pegawai, 0), (org_a.rekan, 0)):
        skp = draft(p)
        add_rhk(skp, f"Hasil kerja {p.nama}", pimpinan=rencana.atasan_rhk[kolom])
        submit(skp)
    login(page, live_server.url, org_a.atasan.nip)
    page.goto(f"{live_server.url}/skp/persetujuan/")
    button = page.get_by_test_id("setujui-dipilih")
    expect(page.get_by_test_id("inbox-baris")).to_have_count(2)
    expect(button).to_be_disabled()
    shot(page, "inbox_desktop")
    # when the leader selects all and approves
    page.get_by_label("Pilih semua di halaman ini").check()
    expect(button).to_be_enabled()
    expect(button).to_contain_text("(2)")
    button.click()
    # then both are approved and the inbox says there is nothing left
    expect(page.get_by_text("2 SKP disetujui.")).to_be_visible()
    expect(page.get_by_test_id("kosong")).to_be_visible()
    with scope(instansi=org_a.instansi.pk):
        assert set(Skp.objects.filter(pejabat_penilai=org_a.atasan).values_list("status", flat=True)) == {
            SkpStatus.DISETUJUI
        }
    # and the pohon kinerja shows the team under the leader, with the unsupported second result
    page.goto(f"{live_server.url}/skp/pohon/")
    expect(page.get_by_test_id("pohon-node")).to_have_count(3)
    expect(page.get_by_test_id("cakupan-tidak-didukung")).to_contain_text(
        rencana.atasan_rhk[1].rencana_hasil_kerja
    )
    shot(page, "pohon_desktop")
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page)
    shot(page, "pohon_phone")
