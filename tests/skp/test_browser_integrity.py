"""Issue #14 in Chromium: the leader (draft SKP) tries to delete a result an approved subordinate SKP
cascades from: the confirmation names who depends on it, the refusal names them again and the row stays;
a result only a draft links to goes, after a confirmation that says whose draft loses its link. The
leader rewords the first result; the approved SKP (on a phone) still shows the approved wording.

Screenshots: /tmp/shots-integrity/.
"""

import re
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from skp.models import Rhk
from tests.conftest import PASSWORD, Org
from tests.skp.test_integrity import BARU_A, LAMA_A, build_cascade

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-integrity")  # noqa: S108 - the brief's screenshot folder
TIMEOUT = 15_000
LOCALE = "id-ID"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page: Page, base: str, nip: str, dialogs: list[str]) -> None:
    def answer(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.goto(f"{base}/masuk/")
    page.locator("#id_username").fill(nip)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_test_id("nama-pengguna")).to_be_attached()  # collapsed into the menu on a phone


def test_leader_cannot_pull_the_rug_from_an_approved_skp(
    browser: Browser, live_server: Any, org_a: Org
) -> None:
    expect.set_options(timeout=TIMEOUT)
    cascade = build_cascade(org_a)
    base = live_server.url
    ctx = browser.new_context(locale=LOCALE, viewport=DESKTOP)
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT)
    dialogs: list[str] = []

    # --- the leader opens their own draft SKP
    login(page, base, org_a.atasan.nip, dialogs)
    page.goto(f"{base}/skp/{cascade.leader_skp.pk}/")
    row_a = page.locator(f"#rhk-{cascade.leader_a.pk}")
    expect(row_a).to_contain_text(LAMA_A)

    # --- deleting result A: the question names the approved SKP and the draft; the answer is a refusal
    row_a.get_by_test_id("hapus-rhk").click()
    galat = page.get_by_test_id("pesan-galat")
    expect(galat).to_be_visible()
    assert len(dialogs) == 1
    assert f"{org_a.pegawai.nama} (Disetujui)" in dialogs[0]
    assert f"draf SKP milik {org_a.rekan.nama}" in dialogs[0]
    expect(galat).to_contain_text("tidak dapat dihapus")
    expect(galat).to_contain_text(f"{org_a.pegawai.nama} (Disetujui)")
    expect(row_a).to_be_visible()
    shot(page, "hapus-ditolak-desktop")

    # --- deleting result B (only the rekan's draft links to it): the question says whose link goes
    row_b = page.locator(f"#rhk-{cascade.leader_b.pk}")
    row_b.get_by_test_id("hapus-rhk").click()
    expect(row_b).to_have_count(0)
    assert len(dialogs) == 2
    assert f"Kaitan di draf SKP milik {org_a.rekan.nama} akan dikosongkan" in dialogs[1]
    assert org_a.pegawai.nama not in dialogs[1]
    with scope(instansi=org_a.instansi.pk):
        assert not Rhk.objects.filter(pk=cascade.leader_b.pk).exists()
        assert Rhk.objects.get(pk=cascade.rekan_rhk[1].pk).rhk_pimpinan_id is None

    # --- the leader rewords result A in place
    row_a.get_by_test_id("ubah-rhk").click()
    form = page.get_by_test_id("rhk-form")
    form.locator("textarea[name=rencana_hasil_kerja]").fill(BARU_A)
    form.get_by_test_id("simpan-rhk").click()
    expect(page.locator(f"#rhk-{cascade.leader_a.pk}")).to_contain_text(BARU_A)

    # --- the pegawai, on a phone, sees the approved SKP unchanged and the notification
    phone_ctx = browser.new_context(locale=LOCALE, viewport=PHONE)
    phone = phone_ctx.new_page()
    phone.set_default_timeout(TIMEOUT)
    login(phone, base, org_a.pegawai.nip, [])
    phone.goto(f"{base}/skp/{cascade.approved.pk}/")
    pimpinan = phone.get_by_test_id("rhk-pimpinan")
    expect(pimpinan).to_have_text(re.compile(re.escape(LAMA_A)))
    expect(phone.get_by_text(BARU_A)).to_have_count(0)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone"
    shot(phone, "skp-disetujui-tetap-phone")
    phone.goto(f"{base}/dialog/notifikasi/")
    expect(phone.get_by_text(re.compile("mengubah rencana hasil kerja pimpinan"))).to_be_visible()
    shot(phone, "notifikasi-phone")
    ctx.close()
    phone_ctx.close()
