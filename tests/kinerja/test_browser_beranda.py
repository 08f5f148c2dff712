"""The home page in Chromium, one journey per role (issue #14), on a phone (390x844) and a laptop
(1280x800): the pegawai follows the one next step, the Pejabat Penilai opens a rating from the home
page and sees the approval count in the menu (the bell stays visible, nothing overflows), the admin goes
from readiness to the batch page (dry run ticked), HR finds the exports.

Screenshots go to ``KINERJA_SCREENSHOT_DIR`` (default /tmp/shots-beranda).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from kinerja.models import Instansi, Pegawai, PeranInstansi
from skp.models import Skp, SkpStatus
from tests.conftest import Org, browser_login, build_org
from tests.evaluasi.conftest import make_skp

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
XL_MIN = {"width": 1200, "height": 800}  # the narrowest width with the menu expanded
TABLET = {"width": 1024, "height": 768}  # menu collapsed
SHOTS = Path(os.environ.get("KINERJA_SCREENSHOT_DIR", "/tmp/shots-beranda"))  # noqa: S108 - a test artefact


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "id-ID", "viewport": LAPTOP}


login = browser_login


def layout_ok(page: Page, name: str) -> None:
    """At every size (phone, tablet, the narrowest expanded menu, laptop): no horizontal overflow, the bell
    fully inside the viewport; a screenshot each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("laptop", LAPTOP), ("xl-terkecil", XL_MIN), ("tablet", TABLET), ("ponsel", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(200)
        m = page.evaluate(
            """() => {
                const b = document.querySelector('[data-testid=nav-notifikasi]');
                const r = b ? b.getBoundingClientRect() : null;
                const wide = [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null)
                    .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
                return {sw: document.documentElement.scrollWidth, iw: window.innerWidth, wide,
                        bell: r && {l: r.left, r: r.right, t: r.top, b: r.bottom, w: r.width}};
            }"""
        )
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        assert m["sw"] <= m["iw"], (
            f"{name}/{label}: page {m['sw']}px wide in a {m['iw']}px viewport; past the edge: {m['wide']}"
        )
        bell = m["bell"]
        assert bell is not None, f"{name}/{label}: no bell"
        where = f"{name}/{label}: bell outside the viewport {bell}"
        assert bell["w"] > 0, where
        assert bell["l"] >= 0, where
        assert bell["r"] <= m["iw"], where
        assert bell["t"] >= 0, where
    page.set_viewport_size(LAPTOP)


def test_pegawai_follows_the_one_next_step(live_server: Any, page: Page) -> None:
    org = build_org("A")
    skp = make_skp(org.pegawai, tahun=timezone.localdate().year, status=SkpStatus.DIKEMBALIKAN)
    with scopes_disabled():
        Skp._base_manager.filter(pk=skp.pk).update(
            catatan_pengembalian="Indikator kualitas belum terukur; tambahkan target persentase."
        )
    login(page, live_server.url, org.pegawai.nip)
    step = page.get_by_test_id("langkah-utama")
    expect(step).to_contain_text("Perbaiki SKP yang dikembalikan")
    expect(page.get_by_test_id("catatan-pengembalian")).to_have_text(
        "Indikator kualitas belum terukur; tambahkan target persentase."
    )
    layout_ok(page, "pegawai-beranda")
    step.get_by_role("link", name="Perbaiki SKP").click()
    expect(page).to_have_url(re.compile(rf"/skp/{skp.pk}/$"))


def test_pejabat_penilai_rates_from_home_and_sees_the_approval_count(live_server: Any, page: Page) -> None:
    org = build_org("A")
    tahun = timezone.localdate().year
    # a leader who is also admin (the longest menu there is) with a real-length name and instansi
    PeranInstansi._base_manager.create(instansi=org.instansi, user=org.atasan.user, role="admin_instansi")
    with scopes_disabled():
        Instansi.objects.filter(pk=org.instansi.pk).update(nama="Pemerintah Kabupaten Sukamaju")
        Pegawai._base_manager.filter(pk=org.atasan.pk).update(nama="Hj. Neneng Kurniasih, S.Sos., M.M.")
    make_skp(org.pegawai, tahun=tahun)
    make_skp(org.rekan, tahun=tahun, status=SkpStatus.DIAJUKAN)
    other = build_org("B")  # another instansi with the same shapes must not count
    make_skp(other.rekan, tahun=tahun, status=SkpStatus.DIAJUKAN)

    login(page, live_server.url, org.atasan.nip)
    expect(page.get_by_test_id("jumlah-skp-persetujuan")).to_have_text("1")
    expect(page.get_by_test_id("jumlah-nilai")).to_have_text("1")
    expect(page.get_by_test_id("nav-persetujuan").get_by_test_id("persetujuan-jumlah")).to_contain_text("1")
    expect(page.get_by_test_id("beranda-kesiapan")).to_be_visible()
    layout_ok(page, "penilai-beranda")
    # on the phone, the menu opens and shows the count too
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Buka/tutup menu").click()
    expect(page.get_by_test_id("nav-persetujuan")).to_be_visible()
    expect(page.locator("#nav-utama.show:not(.collapsing)")).to_be_visible()
    page.wait_for_timeout(400)  # the collapse animation
    expect(page.get_by_test_id("nav-persetujuan").get_by_test_id("persetujuan-jumlah")).to_be_visible()
    page.screenshot(path=str(SHOTS / "penilai-menu-ponsel.png"), full_page=False)
    page.set_viewport_size(LAPTOP)
    page.reload()
    page.get_by_test_id(f"nilai-{org.pegawai.pk}").click()
    expect(page).to_have_url(re.compile(r"/evaluasi/\d+/$"))
    expect(page.get_by_test_id("hk-di_atas_ekspektasi")).to_be_visible()  # the rating form
    layout_ok(page, "penilai-nilai")


def test_admin_goes_from_readiness_to_the_batch_with_dry_run_ticked(live_server: Any, page: Page) -> None:
    org = build_org("A")
    tahun = timezone.localdate().year
    make_skp(org.pegawai, tahun=tahun)
    make_skp(org.rekan, tahun=tahun, status=SkpStatus.DRAFT)
    login(page, live_server.url, org.admin.nip)
    expect(page.get_by_test_id("kesiapan-pegawai")).to_have_text("6")
    expect(page.get_by_test_id("kesiapan-tanpa-skp")).to_have_text("4")
    expect(page.get_by_test_id("kesiapan-skp-belum-disetujui")).to_have_text("1")
    expect(page.get_by_test_id("unit-tertinggal")).to_be_visible()
    layout_ok(page, "admin-beranda")
    page.get_by_role("link", name="Buka batch tahunan").click()
    expect(page.get_by_label(re.compile("Uji coba"))).to_be_checked()
    expect(page.get_by_test_id("kesiapan-tanpa-skp")).to_have_text("4")
    layout_ok(page, "admin-batch")
    page.get_by_role("link", name=re.compile("Lihat laporan per unit")).click()
    expect(page.get_by_test_id("total-pegawai")).to_have_text("6")
    expect(page.get_by_test_id("total-tanpa-skp")).to_have_text("4")
    layout_ok(page, "admin-laporan")


def test_hr_finds_the_exports(live_server: Any, page: Page) -> None:
    org: Org = build_org("A")
    login(page, live_server.url, org.hr.nip)
    expect(page.get_by_test_id("hr-ekspor").get_by_role("link").first).to_be_visible()
    expect(page.get_by_test_id("hr-berkas-kosong")).to_be_visible()
    layout_ok(page, "hr-beranda")
    with page.expect_download() as dl:
        page.get_by_test_id("hr-ekspor").get_by_role("link").first.click()
    assert dl.value.suggested_filename.endswith(".xlsx")
