"""End-to-end in Chromium: a leader rates a quarter; the admin sets unit performance, sees the
distribution warning, runs the December batch on a real Celery worker and watches the progress bar.

Data is created in the test body (``transactional_db``) so the live server thread sees it. The year is
2026 and the quarter is Q4 (already started when this was written; any later date works too).
Set ``KINERJA_SCREENSHOT_DIR`` to keep desktop and 390px-phone screenshots of the pages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from evaluasi.models import Evaluasi
from kinerja.models import Periode
from tests.conftest import Org, browser_login, build_org
from tests.evaluasi.conftest import TAHUN, ensure_all, make_skp, set_rating
from tests.factories import PegawaiFactory
from tests.skp.test_api_skp import approved_skp, atasan_plan

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "id-ID"}


login = browser_login


def shoot(page: Page, name: str) -> None:
    """Desktop and phone screenshots of the current page (when KINERJA_SCREENSHOT_DIR is set), and no
    horizontal scrolling on the phone."""
    target = os.environ.get("KINERJA_SCREENSHOT_DIR")
    for label, size in (("desktop", DESKTOP), ("ponsel", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        if label == "ponsel":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name}: page is {overflow}px wider than a phone"
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(target) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def _q4(org: Org) -> Periode:
    from kinerja.services.tenancy import periode_ensure_year

    with scope(instansi=org.instansi.pk):
        return periode_ensure_year(instansi=org.instansi, tahun=TAHUN)[3]


def test_leader_rates_a_quarter(live_server: Any, page: Page, api: Any) -> None:
    org = build_org("A")
    lead = atasan_plan(api, org)
    own = approved_skp(
        api,
        org.pegawai,
        org.atasan,
        ["Laporan keuangan bulanan", "Rekonsiliasi aset"],
        [lead["rhk"][0]["id"]] * 2,
    )
    q4 = _q4(org)
    from dialog.services.dokumentasi import realisasi_save
    from dialog.services.umpan_balik import umpan_balik_give
    from skp.models import Skp

    with scope(instansi=org.instansi.pk):
        skp = Skp.objects.get(pk=own["skp"]["id"])
        ind = own["rhk"][0]["indikator"][0]["id"]
        realisasi_save(actor=org.pegawai.user, skp=skp, indikator_id=ind, periode_id=q4.pk, realisasi="3 laporan",
                       tautan="https://drive.example.go.id/laporan-oktober", judul_bukti="Laporan Oktober")  # fmt: skip
        umpan_balik_give(
            actor=org.atasan.user, skp=skp, periode_id=q4.pk, isi="Laporan rapi; percepat rekonsiliasi."
        )

    login(page, live_server.url, org.atasan.nip)
    page.goto(f"{live_server.url}/evaluasi/?tahun={TAHUN}&periode={q4.pk}")
    page.get_by_test_id(f"nilai-{org.pegawai.nip}").click()
    expect(page.get_by_test_id("tabel-realisasi")).to_contain_text("3 laporan")
    expect(page.get_by_test_id("jumlah-umpan-balik")).to_have_text("1")
    page.get_by_test_id("hk-di_atas_ekspektasi").click()
    page.get_by_test_id("pk-sesuai_ekspektasi").click()
    expect(page.get_by_test_id("pratinjau-predikat")).to_have_text("Baik")  # live matrix preview
    shoot(page, "penilaian")
    page.get_by_test_id("simpan-penilaian").click()
    expect(page.get_by_test_id("status-evaluasi")).to_contain_text("Baik")
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(instansi=org.instansi, pegawai=org.pegawai, periode=q4)
    assert (ev.rating_hasil_kerja, ev.rating_perilaku_kerja, ev.predikat) == (
        "di_atas_ekspektasi",
        "sesuai_ekspektasi",
        "baik",
    )
    # the pegawai sees the result and its basis
    page.context.clear_cookies()
    login(page, live_server.url, org.pegawai.nip)
    page.goto(f"{live_server.url}/evaluasi/{ev.pk}/")
    expect(page.get_by_test_id("predikat")).to_contain_text("Baik")
    shoot(page, "hasil-pegawai")


def test_admin_unit_performance_warning_and_batch_progress(
    live_server: Any, page: Page, celery_worker_evaluasi: str, settings: Any
) -> None:
    settings.EVALUASI_BATCH_SIZE = 3
    org = build_org("A")
    people = [org.pegawai, org.rekan] + [
        PegawaiFactory(
            instansi=org.instansi,
            unit_kerja=org.pegawai.unit_kerja,
            jabatan=org.pegawai.jabatan,
            atasan=org.atasan,
        )
        for _ in range(6)
    ]
    for p in people:
        make_skp(p)
    ensure_all(org.instansi)
    for i, p in enumerate(people):
        set_rating(
            p, "di_atas_ekspektasi", "di_atas_ekspektasi" if i < 6 else "sesuai_ekspektasi"
        )  # 6 of 8 sangat baik
    unit = org.pegawai.unit_kerja
    page.on("dialog", lambda d: d.accept())

    login(page, live_server.url, org.admin.nip)
    page.goto(f"{live_server.url}/evaluasi/laporan/?tahun={TAHUN}")
    page.get_by_role("link", name=unit.nama).click()
    expect(page.get_by_test_id("grafik-distribusi")).to_be_visible()
    page.locator("#id_predikat").select_option("baik")
    page.locator("#id_justifikasi").fill("Capaian Perjanjian Kinerja 96%; rekomendasi inspektorat.")
    page.get_by_test_id("simpan-organisasi").click()
    expect(page.get_by_test_id("predikat-organisasi")).to_have_text("Baik")
    # 75% sangat baik in a "baik" unit: guideline warnings, never a block
    warning = page.locator("[data-testid=peringatan][data-kode='terbanyak:baik']")
    expect(warning).to_be_visible()
    expect(page.get_by_test_id("jumlah-peringatan")).not_to_have_text("0")
    warning.get_by_role("textbox").fill("Unit menyelesaikan proyek prioritas nasional lebih awal.")
    warning.get_by_role("button", name="Simpan").click()
    expect(page.locator("[data-testid=peringatan][data-kode='terbanyak:baik'] textarea")).to_have_value(
        "Unit menyelesaikan proyek prioritas nasional lebih awal."
    )
    shoot(page, "unit-distribusi")

    page.goto(f"{live_server.url}/evaluasi/tahunan/")
    batch_form = page.locator("form:has([data-testid=jalankan-batch])")
    batch_form.get_by_label("Tahun", exact=True).fill(str(TAHUN))
    dry_run = batch_form.locator("input[name=dry_run]")
    expect(dry_run).to_be_checked()  # the page opens with a dry run ticked (issue #14)
    dry_run.uncheck()
    page.get_by_test_id("jalankan-batch").click()
    bar = page.get_by_test_id("kemajuan-batch")
    expect(bar).to_be_visible()
    expect(page.get_by_test_id("job-progress-value")).to_have_text("100%", timeout=60_000)
    expect(bar).to_contain_text("Selesai")
    shoot(page, "batch-selesai")
    page.get_by_test_id("lihat-hasil").click()
    expect(page.get_by_test_id("jumlah-final")).to_have_text(str(len(people)))
    with scopes_disabled():
        assert set(
            Evaluasi._base_manager.filter(instansi=org.instansi, jenis="tahunan").values_list(
                "status", flat=True
            )
        ) == {"final"}
