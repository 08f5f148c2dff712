"""In Chromium: the Pejabat Penilai has the rating page open in two tabs; the second save does not
silently overwrite the first, it explains the conflict and keeps what was typed (issue #15).
Screenshots (desktop and a 390px phone) go to /tmp/shots-robust/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Browser, expect

from evaluasi.models import Evaluasi, JenisEvaluasi
from tests.conftest import PASSWORD, build_org
from tests.evaluasi.conftest import ensure_all, make_skp, periode

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SHOTS = Path("/tmp/shots-robust")  # noqa: S108 - the agreed place for this branch's screenshots


def test_second_tab_gets_a_conflict_not_a_lost_rating(live_server: Any, browser: Browser) -> None:
    # given an evaluation of Q1 and its Pejabat Penilai logged in, with the rating page open in two tabs
    org = build_org("A")
    make_skp(org.pegawai)
    ensure_all(org.instansi)
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(
            instansi=org.instansi,
            pegawai=org.pegawai,
            periode=periode(org.instansi, 1),
            jenis=JenisEvaluasi.PERIODIK,
        )
    context = browser.new_context(locale="id-ID", viewport={"width": 390, "height": 844})
    satu = context.new_page()
    satu.goto(f"{live_server.url}/masuk/")
    satu.get_by_label("NIP / NI PPPK").fill(org.atasan.nip)
    satu.locator("#id_password").fill(PASSWORD)
    satu.get_by_role("button", name="Masuk", exact=True).click()
    expect(satu).not_to_have_url(re.compile(r"/masuk/"))
    url = f"{live_server.url}/evaluasi/{ev.pk}/"
    satu.goto(url)
    dua = context.new_page()
    dua.goto(url)

    # when the first tab saves a rating
    satu.get_by_test_id("hk-di_atas_ekspektasi").click()
    satu.get_by_test_id("pk-di_atas_ekspektasi").click()
    satu.locator("#id_justifikasi").fill("Target triwulan I terlampaui.")
    satu.get_by_test_id("simpan-penilaian").click()
    expect(satu.get_by_test_id("status-evaluasi")).to_contain_text("Sangat Baik")

    # and then the second tab, still showing the old version, saves a different one
    dua.get_by_test_id("hk-di_bawah_ekspektasi").click()
    dua.get_by_test_id("pk-di_bawah_ekspektasi").click()
    dua.locator("#id_justifikasi").fill("Catatan dari tab kedua.")
    dua.get_by_test_id("simpan-penilaian").click()

    # then the second tab explains the conflict, keeps its input, and offers a reload
    konflik = dua.get_by_test_id("pesan-konflik")
    expect(konflik).to_be_visible()
    expect(konflik).to_contain_text("telah diubah orang lain atau di tab lain")
    expect(dua.locator("#id_justifikasi")).to_have_value("Catatan dari tab kedua.")
    SHOTS.mkdir(parents=True, exist_ok=True)
    overflow = dua.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a phone"
    konflik.scroll_into_view_if_needed()
    dua.screenshot(path=str(SHOTS / "konflik-penilaian-ponsel.png"))
    dua.set_viewport_size({"width": 1280, "height": 900})
    konflik.scroll_into_view_if_needed()
    dua.screenshot(path=str(SHOTS / "konflik-penilaian-desktop.png"))
    # and nothing of the first rating was lost
    with scopes_disabled():
        row = Evaluasi._base_manager.get(pk=ev.pk)
    assert (row.rating_hasil_kerja, row.predikat, row.justifikasi, row.versi) == (
        "di_atas_ekspektasi",
        "sangat_baik",
        "Target triwulan I terlampaui.",
        2,
    )

    # and after reloading, the second tab sees the saved rating and can change it knowingly
    dua.get_by_test_id("muat-ulang").click()
    expect(dua.get_by_test_id("status-evaluasi")).to_contain_text("Sangat Baik")
    dua.get_by_test_id("hk-sesuai_ekspektasi").click()
    dua.get_by_test_id("simpan-penilaian").click()
    expect(dua.get_by_test_id("status-evaluasi")).to_contain_text("Baik")
    with scopes_disabled():
        assert Evaluasi._base_manager.get(pk=ev.pk).versi == 3
    context.close()
