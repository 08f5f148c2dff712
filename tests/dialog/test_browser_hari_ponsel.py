"""Issue #19 "Done when", in Chromium on a 390 px phone from start to finish: a pegawai's day (a log entry,
a realisasi with its evidence file) and a leader's day (verify the log, give feedback, rate the quarter,
with the month's log recap on the rating page). Other journeys cover parts of this at desktop width
(test_browser_dialog, test_browser_evaluasi) or the log alone on a phone (test_browser_log_harian); this
one keeps the phone viewport for every step. Real clock; screenshots kept when ``KINERJA_SCREENSHOT_DIR``
is set.
"""

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Browser, expect

from dialog.models import LogHarian
from evaluasi.models import Evaluasi
from kinerja.models import Periode
from tests.axe import axe_violations
from tests.conftest import build_org
from tests.dialog.conftest import indikator_of, make_skp, periods
from tests.dialog.test_browser_dialog import PDF, PHONE, login, no_horizontal_scroll, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _blocking(page: Any) -> list[Any]:
    return [v for v in axe_violations(page) if v.impact in ("critical", "serious")]


def test_pegawai_day_and_leader_day_entirely_on_a_phone(
    live_server: Any, browser: Browser, tmp_path: Path
) -> None:
    org = build_org("A")
    today = timezone.localdate()
    periods(org, today.year)
    skp = make_skp(org, org.pegawai, tahun=today.year)
    ind = indikator_of(org, skp)[0]
    rhk_teks = ind.rhk.rencana_hasil_kerja
    bukti = tmp_path / "laporan-harian.pdf"
    bukti.write_bytes(PDF)
    base = live_server.url

    # ---- the pegawai's day, on the phone
    page = login(browser, base, org.pegawai.nip, PHONE)
    page.goto(f"{base}/dialog/log-harian/")
    expect(page.get_by_label("Tanggal")).to_have_value(f"{today:%Y-%m-%d}")
    # the sub-menu scrolls sideways on a phone: the page's own item is shown whole, not cut at the edge
    expect(page.locator(".dialog-subnav .nav-link.active")).to_have_text("Log Harian")
    expect(page.locator(".dialog-subnav .nav-link.active")).to_be_in_viewport(ratio=1)
    page.get_by_label("Hasil kerja (RHK)").select_option(str(ind.rhk_id))
    page.get_by_label("Apa yang Anda kerjakan").fill("Menyusun laporan keuangan harian")
    page.get_by_label("Durasi (menit)").fill("120")
    page.get_by_test_id("simpan-log").click()
    expect(page.get_by_test_id("total-hari")).to_contain_text("120 dari 1440 menit")
    no_horizontal_scroll(page)

    page.goto(f"{base}/dialog/")
    page.get_by_test_id(f"buka-realisasi-{skp.pk}").click()
    card = page.get_by_test_id(f"indikator-{ind.pk}")
    card.locator(f"#id_i{ind.pk}-realisasi").fill("Laporan harian tersusun lengkap")
    card.locator(f"#id_i{ind.pk}-berkas").set_input_files(str(bukti))
    card.get_by_test_id("simpan-realisasi").click()
    card = page.get_by_test_id(f"indikator-{ind.pk}")
    expect(card).to_contain_text("Realisasi tersimpan.")
    expect(card.get_by_test_id("realisasi-teks")).to_have_text("Laporan harian tersusun lengkap")
    expect(card.get_by_test_id("unduh-bukti")).to_have_text("laporan-harian.pdf")
    expect(page.get_by_test_id("rekap-log-harian")).to_contain_text("120")  # the recap next to the realisasi
    no_horizontal_scroll(page)
    screenshot(page, "hari-ponsel-realisasi")
    assert _blocking(page) == []

    # ---- the leader's day, on the phone: verify the log
    lead = login(browser, base, org.atasan.nip, PHONE)
    lead.goto(f"{base}/dialog/log-harian/verifikasi/")
    expect(lead.locator(".dialog-subnav .nav-link.active")).to_be_in_viewport(ratio=1)
    expect(lead.get_by_test_id("daftar-verifikasi")).to_contain_text("Menyusun laporan keuangan harian")
    lead.get_by_label("Pilih semua").check()
    lead.get_by_test_id("terima-terpilih").click()
    expect(lead.get_by_test_id("verifikasi-kosong")).to_be_visible()
    with scope(instansi=org.instansi.pk):
        assert list(LogHarian.objects.filter(pegawai=org.pegawai).values_list("status", flat=True)) == [
            "diterima"
        ]

    # ... give feedback on the result
    lead.goto(f"{base}/dialog/skp/{skp.pk}/umpan-balik/")
    form = lead.get_by_test_id("form-umpan-balik")
    form.get_by_label("Tentang").select_option(label=rhk_teks[:90])
    form.get_by_label("Umpan balik", exact=True).fill("Laporan lengkap; kirim sebelum pukul 16.00.")
    form.get_by_test_id("kirim-umpan-balik").click()
    expect(lead.get_by_test_id("utas").first).to_contain_text("Laporan lengkap; kirim sebelum pukul 16.00.")
    no_horizontal_scroll(lead)
    screenshot(lead, "hari-ponsel-umpan-balik")

    # ... and rate the current quarter, the log recap and the feedback beside the form
    from evaluasi.services import evaluasi_periodik_ensure

    with scope(instansi=org.instansi.pk):
        evaluasi_periodik_ensure(instansi=org.instansi, tahun=today.year, pegawai_ids=[org.pegawai.pk])
        periode = Periode.objects.get(tahun=today.year, mulai__lte=today, selesai__gte=today)
        ev = Evaluasi.objects.get(pegawai=org.pegawai, periode=periode)
    lead.goto(f"{base}/evaluasi/{ev.pk}/")
    expect(lead.get_by_test_id("tabel-realisasi")).to_contain_text("Laporan harian tersusun lengkap")
    expect(lead.get_by_test_id("jumlah-umpan-balik")).to_have_text("1")
    recap = lead.get_by_test_id("rekap-log-harian")
    expect(recap).to_contain_text(rhk_teks[:40])
    expect(recap).to_contain_text("120")
    lead.get_by_test_id("hk-di_atas_ekspektasi").click()
    lead.get_by_test_id("pk-sesuai_ekspektasi").click()
    expect(lead.get_by_test_id("pratinjau-predikat")).to_have_text("Baik")
    no_horizontal_scroll(lead)
    screenshot(lead, "hari-ponsel-penilaian")
    assert _blocking(lead) == []
    lead.get_by_test_id("simpan-penilaian").click()
    expect(lead.get_by_test_id("status-evaluasi")).to_contain_text("Baik")
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(pk=ev.pk)
    assert (ev.rating_hasil_kerja, ev.rating_perilaku_kerja, ev.predikat) == (
        "di_atas_ekspektasi",
        "sesuai_ekspektasi",
        "baik",
    )
