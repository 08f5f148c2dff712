"""End-to-end import page in Chromium: a bad file lists the row error, then dry run → confirm → saved.

Data is created in the test body (``transactional_db``) so the live server thread can see it.
"""

from pathlib import Path
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Dialog, Page, expect

from kinerja.models import Pegawai
from tests.conftest import PASSWORD, build_org
from tests.kinerja.data.impor_util import CONTOH_CSV, csv_bytes, nip, row

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """The texts asserted below are the Indonesian ones: ask for Indonesian whatever the machine's locale."""
    return {**browser_context_args, "locale": "id-ID"}


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/masuk/")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).to_have_url(f"{base}/")


def test_admin_sees_row_errors_then_dry_runs_and_confirms(
    live_server: Any, page: Page, tmp_path: Path
) -> None:
    org = build_org("A")
    bad = tmp_path / "salah.csv"
    bad.write_bytes(csv_bytes([row(nip=nip(1), jenis_jabatan="jpt_pratama"), row(nip=nip(2)[:17])]))
    dialogs: list[str] = []

    def accept(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    login(page, live_server.url, org.admin.nip)
    page.goto(f"{live_server.url}/impor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Impor pegawai")
    expect(page.get_by_label("Uji coba saja", exact=False)).to_be_checked()
    page.evaluate("window.__tanpaReload = true")  # htmx swaps the panel; the page itself is not reloaded

    # a file with one bad row: the row's error is listed, nothing imported
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("#impor-gagal")).to_contain_text("Tidak ada data yang diimpor.")
    errors = page.locator("#impor-kesalahan tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("3")
    expect(errors.first).to_contain_text("nip")
    expect(errors.first).to_contain_text("NIP harus 18 digit (tertulis 17 digit).")

    # a good file as a dry run: counts, nothing saved yet
    page.locator("input[type=file]").set_input_files(str(CONTOH_CSV))
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("#impor-uji-coba")).to_contain_text("Uji coba berhasil")
    expect(page.locator('[data-hitung="pegawai_dibuat"]')).to_have_text("7")
    with scopes_disabled():
        assert not Pegawai._base_manager.filter(
            nip=CONTOH_CSV.read_text().splitlines()[1].split(",")[0]
        ).exists()

    # confirm the real import (the browser asks first)
    page.get_by_role("button", name="Jalankan impor sekarang").click()
    expect(page.locator("#impor-berhasil")).to_contain_text("Impor berhasil.")
    expect(page.locator('[data-hitung="pegawai_dibuat"]')).to_have_text("7")
    expect(page.locator('[data-hitung="unit_dibuat"]')).to_have_text("5")
    assert dialogs
    assert "tidak dapat dibatalkan" in dialogs[-1]
    assert page.evaluate("window.__tanpaReload") is True
    with scopes_disabled():
        assert Pegawai._base_manager.filter(instansi=org.instansi).count() == 6 + 7


def test_dismissing_the_confirmation_saves_nothing(live_server: Any, page: Page) -> None:
    org = build_org("A")
    page.on("dialog", lambda dialog: dialog.dismiss())
    login(page, live_server.url, org.admin.nip)
    page.goto(f"{live_server.url}/impor/")
    # with "uji coba" unchecked the browser asks before saving; saying no sends nothing
    page.get_by_label("Uji coba saja", exact=False).uncheck()
    page.locator("input[type=file]").set_input_files(str(CONTOH_CSV))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_timeout(500)
    expect(page.locator("#impor-ringkasan")).to_have_count(0)
    with scopes_disabled():
        assert Pegawai._base_manager.filter(instansi=org.instansi).count() == 6
