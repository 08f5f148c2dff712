"""Chromium: the NIP typed as the app prints it signs in; five wrong passwords give the friendly
lockout page that says when to try again (phone size). Screenshots under /tmp/shots-bruteforce/
(or ``KINERJA_SCREENSHOT_DIR``)."""

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kinerja.validators import format_nip
from tests.conftest import PASSWORD, build_org

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("KINERJA_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "shots-bruteforce")


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "id-ID", "viewport": PHONE}


def _login(page: Page, base: str, nip: str, password: str) -> None:
    page.goto(f"{base}/masuk/")
    page.get_by_label("NIP / NI PPPK").fill(nip)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()


def test_nip_as_printed_signs_in_and_the_lockout_page_says_when(live_server: Any, page: Page) -> None:
    org = build_org("A")
    # the NIP typed with spaces, as on every page and document of the app, signs in
    _login(page, live_server.url, format_nip(org.pegawai.nip), PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("nama-pengguna")).to_have_text(org.pegawai.nama)
    # a colleague's NIP with five wrong passwords: the sixth try shows the lockout page
    nip = format_nip(org.rekan.nip)
    page.context.clear_cookies()
    for _ in range(5):
        _login(page, live_server.url, nip, "salah-sekali")
        expect(page.get_by_test_id("galat-form")).to_contain_text("NIP atau kata sandi salah")
    _login(page, live_server.url, nip, PASSWORD)
    pesan = page.get_by_test_id("pesan-kunci")
    expect(pesan).to_contain_text("Coba lagi dalam 1 menit")
    expect(pesan).to_contain_text(re.compile(r"pukul \d\d:\d\d"))
    expect(page.get_by_role("link", name="Kembali ke halaman masuk")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lockout-phone.png"), full_page=True)
