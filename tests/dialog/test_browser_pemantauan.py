"""Chromium: the admin opens the unit report and sees who had no dialog/feedback from their Pejabat Penilai
per semester (domain.md "Periodic cycle options"), on desktop and on a 390 px phone. Real clock
(2026-12-07 on the build machine: both semesters have begun). Screenshots under /tmp/shots-aturan2/."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Page, expect

from dialog import services
from tests.conftest import PASSWORD, build_org

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
SHOTS = Path(os.environ.get("KINERJA_SCREENSHOT_DIR", "/tmp/shots-aturan2"))  # noqa: S108


def test_admin_sees_semester_monitoring_in_unit_report(live_server: Any, page: Page) -> None:
    org = build_org("A")
    today = timezone.localdate()
    with scope(instansi=org.instansi.pk):
        services.catatan_create(
            actor=org.atasan.user,
            jenis="dialog_kinerja",
            pegawai=org.pegawai,
            tanggal=dt.date(today.year, 1, 15),
            agenda="Klarifikasi ekspektasi",
        )
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("NIP / NI PPPK").fill(org.admin.user.nip)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/masuk/"))
    page.goto(f"{live_server.url}/evaluasi/laporan/unit/{org.pegawai.unit_kerja_id}/?tahun={today.year}")
    table = page.get_by_test_id("pemantauan-semester")
    expect(table).to_be_visible()
    expect(page.get_by_test_id(f"pemantauan-{org.pegawai.pk}-s1")).to_contain_text("Ada")
    expect(page.get_by_test_id(f"pemantauan-{org.rekan.pk}-s1")).to_contain_text("Tidak ada")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_test_id("pemantauan-semester").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "pemantauan-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(150)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(SHOTS / "pemantauan-ponsel.png"), full_page=True)
