"""Chromium: an admin enters a Perjanjian Kinerja and the JPT cascades from it (issue #16 "Done when").

The admin fills the PK of the top unit (two sasaran, Manual IKU), the JPT drafts their SKP, is refused
(409) while a main result links to nothing, picks the PK indikator, submits; the pohon kinerja starts at
the PK with its coverage. axe-core on the new pages at desktop and 390 px; screenshots in /tmp/screens/."""

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Page, expect

from perjanjian.models import IndikatorKinerjaUtama
from tests.axe import assert_accessible
from tests.conftest import PASSWORD, Org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(os.environ.get("KINERJA_SCREENS", Path(tempfile.gettempdir()) / "screens"))
TIMEOUT = 60_000  # the shared 2-core machine can be slow to serve the first page
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TAHUN = timezone.localdate().year


@pytest.fixture(autouse=True)
def _timeouts(page: Page) -> None:
    page.set_default_timeout(TIMEOUT)
    expect.set_options(timeout=TIMEOUT)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "id-ID", "viewport": DESKTOP}


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def login(page: Page, base: str, nip: str) -> None:
    page.goto(f"{base}/masuk/")
    page.locator("#id_username").fill(nip)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_test_id("nama-pengguna")).to_be_visible()


def both_widths(page: Page, name: str) -> None:
    """axe at desktop and phone width, a screenshot of each, no horizontal scroll on the phone."""
    assert_accessible(page, f"{name}, desktop")
    shot(page, f"pk_{name}_desktop")
    page.set_viewport_size(PHONE)
    assert_accessible(page, f"{name}, phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than the phone"
    shot(page, f"pk_{name}_phone")
    page.set_viewport_size(DESKTOP)


def test_admin_enters_a_pk_and_the_jpt_cascades_from_it(page: Page, live_server: Any, org_a: Org) -> None:
    base = live_server.url
    unit = org_a.kepala.unit_kerja
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions (once per page)

    # --- the admin opens Perjanjian Kinerja: an empty year says what to do
    login(page, base, org_a.admin.nip)
    page.get_by_test_id("nav-tim-pk").click()
    page.get_by_role("link", name="Perjanjian Kinerja").first.click()
    expect(page.get_by_test_id("kosong")).to_be_visible()
    both_widths(page, "daftar_kosong")
    page.locator(f"tr[data-unit='{unit.pk}']").get_by_role("link", name=re.compile("Isi")).click()

    # --- fills two sasaran; a missing target is refused under its field, the input stays
    form = page.get_by_test_id("pk-form")
    form.locator("#s-0-uraian").fill("Meningkatnya kualitas pelayanan publik")
    form.locator("#s-0-0-uraian").fill("Indeks kepuasan masyarakat")
    form.locator("#s-0-0-target").fill("")
    page.locator("details summary").first.click()
    form.locator("#s-0-0-definisi").fill("Tingkat kepuasan penerima layanan")
    form.locator("#s-0-0-formula").fill("Rata-rata nilai survei x 25")
    form.locator("#s-0-0-sumber_data").fill("Survei kepuasan masyarakat")
    form.locator("#s-0-0-periode_pelaporan").fill("Semesteran")
    form.locator("#s-1-uraian").fill("Meningkatnya akuntabilitas kinerja")
    form.locator("#s-1-0-uraian").fill("Nilai evaluasi SAKIP")
    form.locator("#s-1-0-target").fill("BB")
    page.get_by_test_id("pk-simpan").click()
    expect(page.locator("#s-0-0-target-galat")).to_contain_text("Target wajib diisi")
    expect(page.locator("#s-0-0-uraian")).to_have_value("Indeks kepuasan masyarakat")
    both_widths(page, "ubah_galat")
    page.locator("#s-0-0-target").fill("85")
    page.get_by_test_id("pk-simpan").click()

    # --- the PK page shows both sasaran with the Manual IKU and version 1
    expect(page.get_by_test_id("pk-sasaran")).to_have_count(2)
    expect(page.get_by_test_id("pk-versi")).to_contain_text("Versi 1")
    expect(page.get_by_test_id("pk-indikator").first).to_contain_text("Survei kepuasan masyarakat")
    both_widths(page, "unit")
    # on a phone the Manual IKU columns are cards (no sideways-scrolling table); desktop keeps the table
    page.set_viewport_size(PHONE)
    expect(page.get_by_test_id("pk-indikator").first).to_be_hidden()
    kartu = page.get_by_test_id("pk-indikator-kartu").first
    expect(kartu).to_be_visible()
    expect(kartu).to_contain_text("Survei kepuasan masyarakat")
    expect(kartu.locator("dt")).to_have_text(
        ["Target", "Definisi", "Formula", "Sumber data", "Periode pelaporan"]
    )
    page.set_viewport_size(DESKTOP)
    expect(page.get_by_test_id("pk-indikator-kartu").first).to_be_hidden()
    page.goto(f"{base}/perjanjian-kinerja/impor/")
    both_widths(page, "impor")
    page.goto(f"{base}/perjanjian-kinerja/?tahun={TAHUN}")
    both_widths(page, "daftar")

    # --- the JPT drafts their SKP; a main result without a PK indikator blocks the submission
    page.context.clear_cookies()
    login(page, base, org_a.kepala.nip)
    page.get_by_role("link", name="SKP Saya").first.click()
    page.get_by_test_id("buat-skp").click()
    page.get_by_test_id("tambah-rhk-utama").click()
    form = page.get_by_test_id("rhk-form")
    form.locator("textarea[name=rencana_hasil_kerja]").fill("Meningkatnya kepuasan penerima layanan")
    form.locator("textarea[name='indikator-0-iki']").fill("Nilai IKM unit")
    form.locator("input[name='indikator-0-target']").fill("85")
    form.get_by_test_id("simpan-rhk").click()
    expect(page.get_by_test_id("rhk")).to_have_count(1)
    expect(page.get_by_test_id("rhk-tanpa-iku")).to_be_visible()
    page.get_by_test_id("ajukan").click()
    expect(page.get_by_test_id("pesan-galat")).to_contain_text("perjanjian kinerja")
    shot(page, "pk_jpt_409_desktop")

    # --- picks the indikator of the unit's PK and submits
    page.get_by_test_id("ubah-rhk").click()
    form = page.get_by_test_id("rhk-form")
    with scope(instansi=org_a.instansi.pk):
        ikm = IndikatorKinerjaUtama.objects.get(uraian="Indeks kepuasan masyarakat", perjanjian__aktif=True)
    form.get_by_test_id("pilih-iku").select_option(str(ikm.pk))
    form.get_by_test_id("simpan-rhk").click()
    expect(page.get_by_test_id("rhk-iku")).to_contain_text("Indeks kepuasan masyarakat")
    expect(page.get_by_test_id("manual-iku")).to_contain_text("Rata-rata nilai survei x 25")
    expect(page.get_by_test_id("sumber-data").first).to_have_text("Survei kepuasan masyarakat")
    shot(page, "pk_jpt_skp_desktop")
    page.get_by_test_id("ajukan").click()
    expect(page.get_by_test_id("status-skp").first).to_have_text(re.compile("Diajukan"))

    # --- the pohon starts at the PK: one indikator supported, the SAKIP sasaran not yet
    page.goto(f"{base}/skp/pohon/?tahun={TAHUN}&unit={unit.pk}")
    expect(page.get_by_test_id("pohon-pk")).to_be_visible()
    expect(page.get_by_test_id("iku-didukung")).to_have_count(1)
    expect(page.get_by_test_id("sasaran-kosong")).to_contain_text("Meningkatnya akuntabilitas kinerja")
    both_widths(page, "pohon")
