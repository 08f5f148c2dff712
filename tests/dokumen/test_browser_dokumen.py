"""In Chromium: the public verification page (desktop and phone, upload of the original and of a
tampered copy) and the HR export page starting a ZIP job with its live progress bar.

Screenshots go to /tmp/screens/ (dokumen-verifikasi-*.png, dokumen-ekspor.png).
"""

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, Org, private_celery_queue
from tests.dokumen.conftest import full_plan, read, render

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(os.environ.get("KINERJA_SCREENS", Path(tempfile.gettempdir()) / "screens"))
TIMEOUT = 15_000


@pytest.fixture(autouse=True)
def _timeouts(page: Page) -> None:
    page.set_default_timeout(TIMEOUT)
    expect.set_options(timeout=TIMEOUT)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "id-ID", "viewport": {"width": 1280, "height": 900}}


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def test_public_verification_page(org_a: Org, api: Any, live_server: Any, page: Page, tmp_path: Path) -> None:
    plan = full_plan(api, org_a)
    dok = render(org_a, plan["pegawai"]["id"])
    original = tmp_path / "asli.pdf"
    original.write_bytes(read(dok))
    tampered = bytearray(read(dok))
    tampered[tampered.index(b"stream") + 40] ^= 1
    changed = tmp_path / "diubah.pdf"
    changed.write_bytes(bytes(tampered))

    page.goto(f"{live_server.url}/verifikasi/")
    page.locator("#kode").fill(dok.kode_tampil.lower())
    page.get_by_role("button", name="Periksa", exact=True).click()
    expect(page.get_by_test_id("rincian-dokumen")).to_contain_text(org_a.pegawai.nama)
    expect(page.get_by_test_id("nip-tersamar")).not_to_contain_text(org_a.pegawai.nip)
    page.locator("#id_berkas").set_input_files(str(original))
    page.get_by_role("button", name="Periksa berkas").click()
    expect(page.get_by_test_id("hasil-verifikasi")).to_contain_text("Asli dan utuh")
    shot(page, "dokumen-verifikasi-asli")
    page.locator("#id_berkas").set_input_files(str(changed))
    page.get_by_role("button", name="Periksa berkas").click()
    expect(page.get_by_test_id("hasil-verifikasi")).to_contain_text(
        "Tanda tangan tidak valid / dokumen diubah"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "dokumen-verifikasi-diubah-ponsel")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


@pytest.fixture
def private_queue() -> Any:
    """Tasks queued by the test go to a queue nobody consumes (see ``private_celery_queue``)."""
    with private_celery_queue("test-dokumen-browser") as queue:
        yield queue


def test_hr_starts_zip_and_sees_progress(
    org_a: Org, api: Any, live_server: Any, page: Page, private_queue: None
) -> None:
    full_plan(api, org_a)
    page.goto(f"{live_server.url}/masuk/")
    page.locator("#id_username").fill(org_a.hr.nip)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.goto(f"{live_server.url}/dokumen/ekspor/")
    expect(page.get_by_test_id("ekspor-skp_rekap_unit")).to_be_visible()
    page.get_by_test_id("job-skp_zip").get_by_role("button", name="Buat").click()
    expect(page.get_by_test_id("job-progress-value")).to_be_visible()
    # no worker here: the job waits in the queue, the bar says so and keeps polling
    expect(page.locator(".job-progress")).to_contain_text("Menunggu giliran")
    page.goto(f"{live_server.url}/dokumen/ekspor/")
    shot(page, "dokumen-ekspor")
