"""End-to-end behind the identity wall (issue #15), in Chromium on a phone: sign in, change the
password (written only through the own-account path), sign out, sign in with the new password.

Screenshots go to /tmp/shots-rlsauth/ (``KINERJA_SCREENSHOT_DIR`` overrides).
"""

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from kinerja.models import User
from tests.conftest import PASSWORD, build_org

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("KINERJA_SCREENSHOT_DIR", "/tmp/shots-rlsauth"))  # noqa: S108


def test_phone_login_change_password_logout_and_login_again(live_server: Any, browser: Browser) -> None:
    org = build_org("A")
    build_org("B")  # another instansi on the same server
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True)
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)

    def login(password: str) -> None:
        page.goto(f"{base}/masuk/")
        page.get_by_label("NIP / NI PPPK").fill(org.pegawai.nip)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="Masuk", exact=True).click()

    login(PASSWORD)
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_test_id("identitas-nama")).to_have_text(org.pegawai.nama)

    new = "Sandi-Baru-Ponsel-2026"
    page.goto(f"{base}/akun/kata-sandi/")
    page.get_by_label("Kata sandi lama").fill(PASSWORD)
    page.get_by_label("Kata sandi baru", exact=True).fill(new)
    page.get_by_label("Ulangi kata sandi baru").fill(new)
    page.screenshot(path=str(SHOTS / "kata-sandi-ganti-ponsel.png"), full_page=True)
    page.get_by_role("button", name="Simpan kata sandi baru").click()
    expect(page).to_have_url(f"{base}/akun/kata-sandi/selesai/")
    page.screenshot(path=str(SHOTS / "kata-sandi-selesai-ponsel.png"), full_page=True)
    assert User.objects.get(pk=org.pegawai.user_id).check_password(new)

    page.goto(f"{base}/")  # still signed in after the session key rotated
    expect(page.get_by_test_id("identitas-nama")).to_have_text(org.pegawai.nama)
    page.get_by_role("button", name="Toggle navigation").or_(page.locator(".navbar-toggler")).first.click()
    page.locator("#menu-pengguna").click()
    page.get_by_test_id("keluar").click()
    expect(page).to_have_url(f"{base}/masuk/")

    login(PASSWORD)  # the old password no longer works
    expect(page.get_by_test_id("galat-form")).to_contain_text("NIP atau kata sandi salah")
    login(new)
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_test_id("identitas-nama")).to_have_text(org.pegawai.nama)
    page.screenshot(path=str(SHOTS / "masuk-lagi-ponsel.png"), full_page=True)
    context.close()
