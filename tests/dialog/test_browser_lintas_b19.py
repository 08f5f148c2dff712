"""Chromium journeys: a penugasan across instansi (A's official proposes, B's Pejabat Penilai accepts, A sees
the decision) and the leader's Format B.1.9 on a bimbingan record, on desktop and a 390 px phone.
Real clock; screenshots under /tmp/shots-aturan2/ (or KINERJA_SCREENSHOT_DIR)."""

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
from tests.dialog.conftest import make_skp

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
SHOTS = Path(os.environ.get("KINERJA_SCREENSHOT_DIR", "/tmp/shots-aturan2"))  # noqa: S108


def _login(page: Page, base: str, nip: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/masuk/")
    page.get_by_label("NIP / NI PPPK").fill(nip)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/masuk/"))


def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(150)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, name
    page.screenshot(path=str(SHOTS / f"{name}-ponsel.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_penugasan_across_instansi_journey(live_server: Any, page: Page) -> None:
    org_a, org_b = build_org("A"), build_org("B")
    today = timezone.localdate()
    make_skp(org_b, org_b.pegawai, tahun=today.year)
    _login(page, live_server.url, org_a.atasan.user.nip)
    page.goto(f"{live_server.url}/dialog/penugasan/")
    page.get_by_test_id("penugasan-lintas-baru").click()
    page.get_by_label("Kode instansi pegawai").fill("B")
    page.get_by_label("NIP / NI PPPK pegawai").fill(org_b.pegawai.nip)
    page.get_by_label("Hasil kerja yang diharapkan").fill("Naskah kajian kerja sama daerah")
    page.get_by_label("Indikator kinerja").fill("Jumlah naskah kajian")
    page.get_by_label("Target").fill("1 naskah")
    page.get_by_label("Mulai").fill(today.isoformat())
    page.get_by_label("Selesai").fill((today + dt.timedelta(days=20)).isoformat())
    _shoot(page, "lintas-usul")
    page.get_by_role("button", name="Kirim usulan").click()
    expect(page.get_by_test_id("status-keluar")).to_have_text("Menunggu Pejabat Penilai")
    _login(page, live_server.url, org_b.atasan.user.nip)
    page.goto(f"{live_server.url}/dialog/penugasan/")
    page.get_by_role("link", name=re.compile("Naskah kajian kerja sama daerah")).click()
    expect(page.get_by_test_id("pemberi-lintas")).to_contain_text(org_a.instansi.nama)
    _shoot(page, "lintas-putus")
    page.get_by_role("button", name="Terima").click()
    expect(page.get_by_test_id("status-lintas")).to_have_text("Diterima")
    _login(page, live_server.url, org_a.atasan.user.nip)
    page.goto(f"{live_server.url}/dialog/penugasan/")
    page.get_by_role("link", name=re.compile("Naskah kajian kerja sama daerah")).click()
    expect(page.get_by_test_id("status-keluar")).to_have_text("Diterima")
    page.get_by_label("Umpan balik atas hasil kerja penugasan").fill("Kerangka kajian sudah tepat")
    page.get_by_role("button", name="Kirim umpan balik").click()
    expect(page.get_by_test_id("ub-terkirim")).to_have_text("1")
    _shoot(page, "lintas-keluar")


def test_leader_fills_b19(live_server: Any, page: Page) -> None:
    org = build_org("A")
    with scope(instansi=org.instansi.pk):
        rec = services.catatan_create(
            actor=org.atasan.user,
            jenis="bimbingan_kinerja",
            pegawai=org.pegawai,
            tanggal=timezone.localdate(),
            agenda="Penyusunan laporan",
        )
    _login(page, live_server.url, org.atasan.user.nip)
    page.goto(f"{live_server.url}/dialog/catatan/{rec.pk}/")
    form = page.get_by_test_id("form-b19")
    form.get_by_label("Nilai Komunikasi", exact=True).select_option("4")
    form.get_by_label("Alasan nilai Komunikasi").fill("Paparan runtut dan jelas")
    _shoot(page, "b19-isi")
    page.once("dialog", lambda d: d.accept())
    form.get_by_role("button", name="Simpan evaluasi kompetensi").click()
    expect(page.get_by_test_id("nilai-b19-komunikasi")).to_have_text("4")
    _shoot(page, "b19-hasil")
