"""Pages that update themselves, in Chromium: the SKP page's "PDF being prepared" turns into the download
link once the worker has signed the PDF (and stops asking), and the realisasi page's "n of m indicators
filled" counter follows a save made in place."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import Page, expect

from tests.a11y.conftest import SHOTS_DIR, TAHUN, login
from tests.conftest import build_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pdf_being_prepared_becomes_the_download_link(
    page: Page, live_server: Any, private_queue: None
) -> None:
    from skp.tasks import skp_document_render_task
    from tests.dialog.conftest import make_skp

    # given an approved SKP whose signed PDF the worker has not made yet
    org = build_org("A")
    skp = make_skp(org, org.pegawai, n_rhk=1, n_ind=1, tahun=TAHUN)
    login(page, live_server.url, org.pegawai.nip)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "bagian=dokumen" in r.url else None)
    page.goto(f"{live_server.url}/skp/{skp.pk}/")
    status = page.get_by_test_id("dokumen-status")
    expect(status).to_contain_text("PDF bertanda tangan sedang disiapkan")
    expect(status).to_have_attribute("aria-live", "polite")
    page.evaluate("window.__tanpaReload = true")
    with page.expect_request(re.compile(r"bagian=dokumen"), timeout=10_000):
        pass  # it asks while waiting

    # when the worker signs it
    dok_id = skp_document_render_task(org.instansi.pk, skp.pk)
    assert dok_id

    # then the block turns into the download link and the verification code, without a reload
    link = status.get_by_role("link", name="Unduh PDF bertanda tangan")
    expect(link).to_be_visible(timeout=12_000)
    expect(link).to_have_attribute("href", f"/api/v1/skp/{skp.pk}/dokumen/")
    assert page.evaluate("window.__tanpaReload") is True
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS_DIR / "live-pdf-ready.png"))
    # and it stops asking
    asked = len(polls)
    page.wait_for_timeout(4_000)
    assert len(polls) == asked, "the status kept polling after the PDF was ready"


def test_indicator_counter_follows_a_save(page: Page, live_server: Any) -> None:
    from tests.dialog.conftest import make_skp, periods

    org = build_org("A")
    periods(org, tahun=TAHUN)
    skp = make_skp(org, org.pegawai, n_rhk=1, n_ind=2, tahun=TAHUN)
    with scope(instansi=org.instansi.pk):
        ind = list(skp.rhk.first().indikator.order_by("urutan", "id"))
    login(page, live_server.url, org.pegawai.nip)
    page.goto(f"{live_server.url}/dialog/skp/{skp.pk}/realisasi/")
    counter = page.get_by_test_id("kemajuan")
    expect(counter).to_have_text("0 dari 2 indikator terisi")
    page.evaluate("window.__tanpaReload = true")

    form = page.get_by_test_id(f"form-realisasi-{ind[0].pk}")
    form.locator(f"[name='i{ind[0].pk}-realisasi']").fill("12 laporan selesai")
    form.get_by_test_id("simpan-realisasi").click()

    card = page.get_by_test_id(f"indikator-{ind[0].pk}")
    expect(card.get_by_test_id("realisasi-teks")).to_have_text("12 laporan selesai")
    expect(counter).to_have_text("1 dari 2 indikator terisi")
    assert page.evaluate("window.__tanpaReload") is True
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS_DIR / "live-counter.png"), full_page=True)
