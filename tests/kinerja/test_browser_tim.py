"""End-to-end in Chromium (issue #16): an admin forms a tim kerja with anggota from two units; each
anggota cascades a result from the ketua tim's result (one on a phone); the ketua sees the team's
Matriks Peran Hasil and gives feedback; the anggota's Pejabat Penilai sees that feedback on the rating
page. axe-core on the team pages at 390 px and desktop; screenshots in ``KINERJA_SCREENSHOT_DIR``.

Data is created in the test body (``transactional_db``: the live server thread sees it)."""

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from kinerja.models import Periode, TimKerja
from tests.axe import axe_violations, report
from tests.conftest import PASSWORD, build_org
from tests.kinerja.tim_data import build_tim_world, draft_with, submit_approve

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def login(browser: Browser, base: str, nip: str, viewport: dict[str, int] = DESKTOP) -> Page:
    page = browser.new_context(locale="id-ID", viewport=viewport).new_page()  # type: ignore[arg-type]
    page.goto(f"{base}/masuk/")
    page.get_by_label("NIP / NI PPPK").fill(nip)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).to_have_url(f"{base}/")
    return page


def shot(page: Page, name: str) -> None:
    target = os.environ.get("KINERJA_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)


def accessible_both_sizes(page: Page, label: str) -> None:
    for name, size in (("desktop", DESKTOP), ("ponsel", PHONE)):
        page.set_viewport_size(size)  # type: ignore[arg-type]
        page.wait_for_timeout(150)
        blocking = [v for v in axe_violations(page) if v.blocking]
        assert not blocking, report(f"{label} ({name})", blocking)
        if name == "ponsel":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{label}: {overflow}px wider than a phone"
        shot(page, f"{label}-{name}")
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]


def test_ketua_tim_cascades_to_two_units_and_gives_feedback(live_server: Any, browser: Browser) -> None:
    base = live_server.url
    tahun = timezone.localdate().year
    org = build_org("A")
    w = build_tim_world(org, tahun)
    _, (kolom,) = draft_with(w.ketua, tahun, ["Aplikasi layanan pengaduan terpadu berjalan"])
    skp1, _ = draft_with(w.anggota1, tahun, [])
    skp2, _ = draft_with(w.anggota2, tahun, [])

    # --- the admin forms the team: ketua from Perencanaan, anggota from Bidang Umum and Bidang TI
    admin = login(browser, base, org.admin.nip)
    admin.get_by_test_id("nav-tim-pk").click()
    admin.get_by_test_id("nav-tim").click()
    expect(admin.get_by_test_id("kosong")).to_be_visible()
    accessible_both_sizes(admin, "tim-daftar-kosong")
    form = admin.get_by_test_id("form-tim")
    form.get_by_label("Nama tim").fill("Tim Pengaduan Terpadu")
    form.get_by_label("Tahun").fill(str(tahun))
    form.get_by_label("NIP ketua tim").fill(w.ketua.nip)
    form.get_by_label("NIP anggota").fill(f"{w.anggota1.nip}\n{w.anggota1.nip}")
    form.get_by_role("button", name="Bentuk tim").click()
    expect(admin.get_by_test_id("galat-anggota")).to_contain_text("lebih dari sekali")  # a field message
    admin.get_by_test_id("form-tim").get_by_label("NIP anggota").fill(f"{w.anggota1.nip}\n{w.anggota2.nip}")
    admin.get_by_test_id("form-tim").get_by_role("button", name="Bentuk tim").click()
    expect(admin.get_by_test_id("anggota-baris")).to_have_count(2)
    expect(admin.get_by_test_id("tim-ketua")).to_contain_text(w.ketua.nama)
    accessible_both_sizes(admin, "tim-detail")
    # removing an anggota asks first (the confirmation page; cancelled here)
    admin.get_by_test_id("keluarkan").first.click()
    expect(admin.get_by_test_id("konfirmasi-keluarkan")).to_be_visible()
    accessible_both_sizes(admin, "tim-keluarkan-konfirmasi")
    admin.get_by_role("link", name="Batal").click()
    expect(admin.get_by_test_id("anggota-baris")).to_have_count(2)
    with scope(instansi=org.instansi.pk):
        tim = TimKerja.objects.get(nama="Tim Pengaduan Terpadu")
    label = f"Tim: Tim Pengaduan Terpadu (ketua {w.ketua.nama})"

    # --- anggota 1 (desktop) and anggota 2 (phone) cascade from the ketua's result
    for anggota, skp, teks, viewport in (
        (w.anggota1, skp1, "Modul pengaduan daring selesai", DESKTOP),
        (w.anggota2, skp2, "Server aplikasi pengaduan tersedia 99%", PHONE),
    ):
        page = login(browser, base, anggota.nip, viewport)
        page.goto(f"{base}/skp/{skp.pk}/")
        page.get_by_test_id("tambah-rhk-utama").click()
        form = page.get_by_test_id("rhk-form")
        form.locator("textarea[name=rencana_hasil_kerja]").fill(teks)
        expect(form.locator(f"optgroup[label='{label}'] option")).to_have_count(1)
        form.locator("select[name=rhk_pimpinan]").select_option(str(kolom.pk))
        form.locator("textarea[name='indikator-0-iki']").fill("Jumlah modul yang berjalan")
        form.locator("input[name='indikator-0-target']").fill("1 modul")
        form.get_by_test_id("simpan-rhk").click()
        row = page.get_by_test_id("rhk").first
        expect(row.get_by_test_id("rhk-pimpinan")).to_have_text(kolom.rencana_hasil_kerja)
        expect(row.get_by_test_id("rhk-tim")).to_have_text(label)
        shot(page, f"skp-anggota-{'ponsel' if viewport is PHONE else 'desktop'}")
        page.context.close()

    # --- the ketua sees the team's matrix: two anggota, both supporting the column
    ketua = login(browser, base, w.ketua.nip)
    ketua.get_by_test_id("nav-tim-pk").click()
    ketua.get_by_test_id("nav-tim").click()
    expect(ketua.get_by_test_id("tim-baris")).to_have_count(1)
    expect(ketua.get_by_test_id("form-tim")).to_have_count(0)  # a ketua who is no Pejabat Penilai
    ketua.goto(f"{base}/skp/{kolom.skp_id}/")
    ketua.get_by_test_id("tautan-matriks-tim").click()
    expect(ketua.get_by_test_id("mph-baris")).to_have_count(2)
    expect(ketua.get_by_test_id("mph-hasil")).to_have_count(2)
    expect(ketua.get_by_test_id("mph-tidak-didukung")).to_have_count(0)
    accessible_both_sizes(ketua, "matriks-tim")

    # --- anggota 1's SKP is approved by their Pejabat Penilai; the ketua gives feedback
    submit_approve(skp1, org.atasan)
    ketua.goto(f"{base}/dialog/")
    ketua.get_by_test_id(f"beri-{w.anggota1.pk}").click()
    form = ketua.get_by_test_id("form-umpan-balik")
    form.get_by_label("Tentang").select_option(label="Modul pengaduan daring selesai")
    form.get_by_label("Umpan balik", exact=True).fill(
        "Modul pengaduan sudah bisa diuji; tambahkan notifikasi SMS."
    )
    form.get_by_test_id("kirim-umpan-balik").click()
    thread = ketua.get_by_test_id("utas").first
    expect(thread).to_contain_text("Pimpinan pemberi penugasan")
    expect(thread).to_contain_text("Modul pengaduan daring selesai")
    shot(ketua, "umpan-balik-ketua")

    # --- the Pejabat Penilai sees it on the rating page; the ketua cannot open that page
    from evaluasi.models import Evaluasi
    from evaluasi.services import evaluasi_periodik_ensure

    with scope(instansi=org.instansi.pk):
        evaluasi_periodik_ensure(instansi=org.instansi, tahun=tahun, pegawai_ids=[w.anggota1.pk])
        today = timezone.localdate()
        periode = Periode.objects.filter(tahun=tahun, mulai__lte=today, selesai__gte=today).first()
        ev = Evaluasi.objects.filter(pegawai=w.anggota1, periode=periode).first()
    assert ev is not None
    penilai = login(browser, base, org.atasan.nip)
    penilai.goto(f"{base}/evaluasi/{ev.pk}/")
    expect(penilai.get_by_test_id("jumlah-umpan-balik")).to_have_text("1")
    expect(penilai.locator("#judul-umpan-balik").locator("xpath=../..")).to_contain_text(
        re.compile(rf"{re.escape(w.ketua.nama)} · Pimpinan pemberi penugasan")
    )
    shot(penilai, "penilaian-dengan-umpan-balik-ketua")
    resp = ketua.goto(f"{base}/evaluasi/{ev.pk}/")
    assert resp is not None
    assert resp.status == 404
    assert tim.pk
