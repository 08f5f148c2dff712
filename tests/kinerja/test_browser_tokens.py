"""End-to-end in Chromium: "keluar dari semua perangkat" by an admin (pegawai page) and by the user
(password page), on a phone, with the confirmation dialog. Screenshots go to /tmp/shots-tokens/
(or ``KINERJA_SCREENSHOT_DIR``)."""

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page, expect
from rest_framework.test import APIClient

from tests.conftest import build_org, token_for
from tests.kinerja.test_browser_login import PHONE, assert_no_horizontal_scroll, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SHOTS = Path(os.environ.get("KINERJA_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "shots-tokens")


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "id-ID", "viewport": PHONE}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def token_works(token: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/me/").status_code == 200


def test_admin_logs_a_pegawai_out_everywhere_on_a_phone(live_server: Any, page: Page) -> None:
    org = build_org("A")
    token = token_for(org.pegawai.user)
    questions: list[str] = []
    login(page, live_server.url, org.admin.nip)
    page.goto(f"{live_server.url}/pegawai/{org.pegawai.pk}/")
    button = page.get_by_test_id("keluarkan-semua")
    button.scroll_into_view_if_needed()
    expect(button).to_be_visible()
    assert_no_horizontal_scroll(page)
    shot(page, "pegawai-akses-akun-phone")

    # when the admin says no to the question, nothing happens
    def dismiss(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    button.click()
    assert len(questions) == 1
    assert org.pegawai.nama in questions[0]
    expect(page).to_have_url(f"{live_server.url}/pegawai/{org.pegawai.pk}/")
    assert token_works(token)

    # when they confirm, the pegawai is logged out everywhere and the page says so
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    expect(
        page.get_by_role("alert").filter(has_text="telah dikeluarkan dari semua perangkat")
    ).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/pegawai/{org.pegawai.pk}/")
    shot(page, "pegawai-dikeluarkan-phone")
    assert not token_works(token)


def test_user_signs_out_of_every_device_from_the_password_page(live_server: Any, page: Page) -> None:
    org = build_org("A")
    token = token_for(org.pegawai.user)
    login(page, live_server.url, org.pegawai.nip)
    page.goto(f"{live_server.url}/akun/kata-sandi/")
    button = page.get_by_test_id("keluar-semua")
    button.scroll_into_view_if_needed()
    assert_no_horizontal_scroll(page)
    shot(page, "kata-sandi-keluar-semua-phone")
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    # then they are on the login page with the message, signed out, and the token is dead
    expect(page).to_have_url(f"{live_server.url}/masuk/")
    expect(page.get_by_text("Anda telah keluar dari semua perangkat")).to_be_visible()
    shot(page, "keluar-semua-selesai-phone")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/masuk/?next=/")
    assert not token_works(token)
