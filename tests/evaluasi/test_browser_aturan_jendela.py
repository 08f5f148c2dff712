"""Chromium, issue #17 (domain.md "Product decisions", row "Annual window"): the batch page shows the
annual window; a real run for a year whose window has not opened is refused with the window named, and
starts only when forced with a written reason (audited).

No time travel: the browser's clock is the real one (session cookies would expire), so the year 2027 is
the "before the window" case on any date before 1 December 2027, and 2026 is "open" in December 2026.
Screenshots go to /tmp/shots-aturan1/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from kinerja.models import AuditLog, Job
from tests.conftest import build_org
from tests.evaluasi.test_browser_evaluasi import DESKTOP, PHONE, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SHOTS = Path("/tmp/shots-aturan1")  # noqa: S108 - the agreed screenshot folder of this helper


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "id-ID"}


def test_batch_page_shows_the_window_and_forces_with_a_reason(live_server: Any, page: Page) -> None:
    tahun = timezone.localdate().year + 1  # its window opens on 1 December of that year
    org = build_org("A")
    page.on("dialog", lambda d: d.accept())
    page.set_viewport_size(DESKTOP)
    login(page, live_server.url, org.admin.nip)
    page.goto(f"{live_server.url}/evaluasi/tahunan/")
    expect(page.get_by_test_id("jendela-tahunan")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.get_by_label("Tahun", exact=True).fill(str(tahun))
    page.get_by_label(re.compile("Uji coba")).uncheck()
    page.get_by_test_id("jalankan-batch").click()
    jendela = page.get_by_test_id("jendela-tahunan")
    expect(jendela).to_contain_text(f"1 Desember {tahun} sampai 31 Januari {tahun + 1}")
    expect(jendela).to_contain_text("Belum dibuka.")
    expect(page.locator("body")).to_contain_text("hanya dengan paksa dan alasan tertulis")
    expect(page.get_by_test_id("paksa-batch")).to_be_visible()
    page.screenshot(path=str(SHOTS / "batch-sebelum-jendela-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the batch page is {overflow}px wider than a phone"
    page.screenshot(path=str(SHOTS / "batch-sebelum-jendela-ponsel.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    # forcing without a reason: a field error on "alasan"
    page.get_by_label(re.compile("Paksa finalisasi")).check()
    page.get_by_test_id("jalankan-batch").click()
    expect(page.get_by_test_id("galat-alasan")).to_be_visible()
    # with a reason: the job starts and the reason is in the audit log
    page.get_by_label(re.compile("Paksa finalisasi")).check()
    page.get_by_label("Alasan memaksa finalisasi").fill("Pemeriksaan BPK meminta predikat lebih awal.")
    page.get_by_test_id("jalankan-batch").click()
    expect(page.get_by_test_id("kemajuan-batch")).to_be_visible()
    page.screenshot(path=str(SHOTS / "batch-dipaksa-desktop.png"), full_page=True)
    with scopes_disabled():
        job = Job._base_manager.get(instansi=org.instansi, jenis="evaluasi_tahunan")
        assert job.params == {
            "tahun": tahun,
            "dry_run": False,
            "paksa": True,
            "alasan": "Pemeriksaan BPK meminta predikat lebih awal.",
        }
        log = AuditLog.objects.get(instansi=org.instansi, action="evaluasi.tahunan_paksa")
    assert log.after["alasan"] == "Pemeriksaan BPK meminta predikat lebih awal."
