"""The send job through a REAL Celery worker, and the admin's Chromium journey: send the year from the page,
watch the progress bar, see the failures table (screenshots in /tmp/shots-siasn/; axe on the new pages)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from evaluasi.models import KirimanSiasn
from kinerja.models import Job
from tests.axe import assert_accessible
from tests.conftest import browser_login, build_org
from tests.evaluasi.conftest import wait_for_job
from tests.siasn.conftest import more_rated, setup_year
from tests.siasn.fake import FakeSiasn

SHOTS = Path("/tmp/shots-siasn")  # noqa: S108 - the agreed screenshot folder of this helper
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "id-ID"}


def _configure(fake: FakeSiasn, kode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in fake.env(kode).items():
        monkeypatch.setenv(k, v)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_page_job_runs_in_a_real_worker(
    fake_siasn: FakeSiasn, siasn_worker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.test import Client

    org = build_org("A")
    _configure(fake_siasn, "A", monkeypatch)
    setup_year(org)
    fake_siasn.nip_400[org.rekan.nip] = "Data penilai tidak valid"
    c = Client()
    c.force_login(org.admin.user)
    r = c.post("/evaluasi/siasn/", {"tahun": 2026, "jenis": ["skp22"]})
    assert r.status_code == 302
    with scopes_disabled():
        job = Job._base_manager.get(instansi=org.instansi, jenis="siasn_kirim")
    job = wait_for_job(job.pk)
    assert job.status == "selesai", job.pesan
    assert job.detail == {"terkirim": 2, "tidak_berubah": 0, "gagal": 1, "total": 3}
    with scopes_disabled():
        assert KirimanSiasn._base_manager.filter(instansi=org.instansi, status="terkirim").count() == 2
    # re-run from the page: only the failed one is tried again
    del fake_siasn.nip_400[org.rekan.nip]
    assert c.post("/evaluasi/siasn/", {"tahun": 2026, "jenis": ["skp22"]}).status_code == 302
    with scopes_disabled():
        job2 = Job._base_manager.filter(instansi=org.instansi, jenis="siasn_kirim").order_by("-id").first()
    job2 = wait_for_job(job2.pk)
    assert job2.detail == {"terkirim": 1, "tidak_berubah": 2, "gagal": 0, "total": 3}


@pytest.mark.browser
@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_admin_sends_the_year_from_the_page(
    live_server: Any, page: Page, fake_siasn: FakeSiasn, siasn_worker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    org = build_org("A")
    setup_year(org)
    more_rated(org, 12)
    page.on("dialog", lambda d: d.accept())
    page.set_viewport_size(DESKTOP)
    browser_login(page, live_server.url, org.admin.nip)

    # not configured yet: the page says which variables to set, the button is disabled
    page.goto(f"{live_server.url}/evaluasi/siasn/")
    expect(page.get_by_test_id("siasn-belum-diatur")).to_contain_text("KINERJA_SIASN_A_BASE_URL")
    expect(page.get_by_test_id("kirim-siasn")).to_be_disabled()
    assert_accessible(page, "SIASN, not configured")
    page.screenshot(path=str(SHOTS / "siasn-belum-diatur.png"), full_page=True)

    _configure(fake_siasn, "A", monkeypatch)
    monkeypatch.setenv("KINERJA_SIASN_RPS", "8")  # 30 requests: ~4 s, so the progress is visible
    fake_siasn.nip_400[org.rekan.nip] = "Unor penilai tidak sesuai dengan SIASN"
    page.goto(f"{live_server.url}/evaluasi/siasn/")
    expect(page.get_by_test_id("siasn-kosong")).to_be_visible()
    page.get_by_label("Tahun", exact=True).fill("2026")
    page.get_by_label(re.compile("Kinerja periodik")).uncheck()
    page.get_by_label(re.compile("Angka kredit")).uncheck()
    page.get_by_test_id("kirim-siasn").click()
    expect(page).to_have_url(re.compile(r"\?job=\d+"))
    expect(page.get_by_test_id("job-progress-value")).to_be_visible()
    page.screenshot(path=str(SHOTS / "siasn-berjalan.png"), full_page=True)
    expect(page.get_by_test_id("n-gagal")).to_have_text("1", timeout=30_000)
    expect(page.get_by_test_id("job-progress-value")).to_have_text("100%", timeout=30_000)
    expect(page.get_by_test_id("n-terkirim")).to_have_text("14")
    table = page.get_by_test_id("tabel-hasil-siasn")
    expect(table.get_by_test_id("baris-gagal")).to_have_count(1)
    expect(table.get_by_test_id("baris-gagal")).to_contain_text(org.rekan.nip)
    expect(table.get_by_test_id("baris-gagal")).to_contain_text(
        "HTTP 400: Unor penilai tidak sesuai dengan SIASN"
    )
    assert_accessible(page, "SIASN, results")
    page.screenshot(path=str(SHOTS / "siasn-hasil-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the SIASN page is {overflow}px wider than a phone"
    page.screenshot(path=str(SHOTS / "siasn-hasil-ponsel.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    # the failures only
    page.get_by_role("link", name="Gagal", exact=True).click()
    expect(page.get_by_test_id("tabel-hasil-siasn").locator("tbody tr")).to_have_count(1)

    # the read side page
    fake_siasn.people[org.pegawai.nip] = {"nama": "Nama Baru Dari SIASN"}
    page.goto(f"{live_server.url}/evaluasi/siasn/tarik/")
    page.get_by_label("NIP pegawai").fill(org.pegawai.nip)
    page.get_by_test_id("bandingkan").click()
    expect(page.get_by_test_id("tabel-beda")).to_contain_text("Nama Baru Dari SIASN")
    assert_accessible(page, "SIASN read side, diff")
    page.screenshot(path=str(SHOTS / "siasn-tarik-beda.png"), full_page=True)
    page.get_by_test_id("terapkan").click()
    expect(page.locator("body")).to_contain_text("1 pegawai diperbarui dari SIASN")
    page.screenshot(path=str(SHOTS / "siasn-tarik-diterapkan.png"), full_page=True)
