"""The living demo in Chromium: seeded by ``seed_demo``, the demo pejabat penilai logs in and finds her
team, SKPs waiting for approval, and the ratings of the past quarters. Screenshots go to
``KINERJA_SCREENSHOT_DIR`` (desktop and phone) when set."""

import datetime as dt
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Page, expect

from kinerja import demo
from tests.kinerja.test_browser_login import DESKTOP, PHONE, assert_no_horizontal_scroll, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "id-ID"}


@time_machine.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta")), tick=True)
def test_demo_leader_sees_a_living_team(live_server: Any, page: Page, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("seed_demo", stdout=StringIO())
    penilai = demo.SUKAMAJU.by_key("kasi_kur")
    diajukan = demo.SUKAMAJU.by_key("pel_kur2")  # second in her team: submitted, waiting for her
    # when the demo pejabat penilai logs in
    page.set_viewport_size(DESKTOP)
    login(page, live_server.url, penilai.nip, demo.DEMO_PASSWORD)
    expect(page.get_by_test_id("nama-pengguna")).to_have_text(penilai.nama)
    screenshot(page, "demo-beranda-penilai")
    # then her team is there, and an SKP waits in Persetujuan SKP
    expect(page.get_by_text(demo.SUKAMAJU.by_key("pel_kur1").nama).first).to_be_visible()
    page.get_by_role("link", name="Persetujuan SKP").click()
    expect(page.get_by_role("link", name=diajukan.nama)).to_be_visible()
    screenshot(page, "demo-persetujuan")
    # and in Evaluasi the past quarters are rated, the current one is hers to rate
    page.get_by_role("link", name="Evaluasi", exact=True).click()
    expect(page.get_by_text("Triwulan 3 2026")).to_be_visible()
    expect(page.get_by_role("link", name="Nilai").first).to_be_visible()
    screenshot(page, "demo-evaluasi")
    # on a phone the home page fits the screen
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("identitas-nama")).to_have_text(penilai.nama)
    screenshot(page, "demo-beranda-penilai-ponsel")
    assert_no_horizontal_scroll(page)
