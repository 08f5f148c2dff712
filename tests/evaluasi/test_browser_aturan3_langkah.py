"""Chromium: after the 6-month window an admin records "uji kompetensi kembali" with a PDF on the
evaluation page (domain.md §8.2); the page works on a 390 px phone. Screenshots in /tmp/shots-aturan3/."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from evaluasi.models import LangkahTindakLanjut, TindakLanjut
from tests.conftest import PASSWORD, build_org
from tests.evaluasi.conftest import ensure_all, make_skp, set_rating
from tests.evaluasi.test_browser_evaluasi import shoot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "id-ID"}


def login(page: Page, base: str, nip: str) -> None:
    """Own copy (main moved the shared helper to tests/conftest.py as ``browser_login``)."""
    page.goto(f"{base}/masuk/")
    page.get_by_label("NIP / NI PPPK").fill(nip)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/masuk/"))


def _pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def test_admin_records_uji_kompetensi_with_a_pdf(
    live_server: Any, page: Page, run_batch: Any, time_machine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_SCREENSHOT_DIR", "/tmp/shots-aturan3")  # noqa: S108 - screenshots for review
    time_machine.move_to(dt.datetime(2026, 12, 30, 10, 0, tzinfo=dt.UTC))
    org = build_org("A")
    for p in (org.atasan, org.pegawai):
        make_skp(p)
    ensure_all(org.instansi)
    set_rating(org.pegawai, "di_bawah_ekspektasi", "di_bawah_ekspektasi")
    run_batch(org)
    with scopes_disabled():
        tl = TindakLanjut._base_manager.get(pegawai=org.pegawai)
    time_machine.move_to(dt.datetime(2027, 7, 12, 2, 0, tzinfo=dt.UTC))

    login(page, live_server.url, org.admin.nip)
    page.goto(f"{live_server.url}/evaluasi/{tl.evaluasi_id}/")
    expect(page.get_by_test_id("langkah-tindak-lanjut")).to_contain_text("Belum ada langkah lanjutan")
    page.get_by_text("Catat langkah berikutnya").click()
    form = page.get_by_test_id("form-langkah")
    form.get_by_label("Langkah").select_option("uji_kompetensi")
    form.get_by_label("Tanggal", exact=True).fill("2027-07-12")
    form.get_by_label("Catatan").fill("Uji kompetensi ulang oleh BKPSDM; hasil terlampir.")
    form.get_by_label("Dokumen (PDF, opsional)").set_input_files(
        {"name": "hasil-uji.pdf", "mimeType": "application/pdf", "buffer": _pdf()}
    )
    form.get_by_role("button", name="Simpan langkah").click()
    steps = page.get_by_test_id("langkah-tindak-lanjut")
    expect(steps).to_contain_text("Uji kompetensi kembali")
    expect(steps).to_contain_text("hasil terlampir")
    expect(steps.get_by_role("link", name="hasil-uji.pdf")).to_be_visible()
    page.get_by_text("Catat langkah berikutnya").click()
    shoot(page, "langkah-tindak-lanjut")
    with scopes_disabled():
        assert LangkahTindakLanjut._base_manager.filter(tindak_lanjut=tl).count() == 1
