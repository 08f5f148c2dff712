"""The SKP journey with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrows, typing): from the
dashboard to a submitted draft with a result linked to the leader's result and an indicator. Every
control that receives focus on the way shows a visible focus indicator (an outline or a box-shadow).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import Page, expect

from skp.models import Skp, SkpStatus
from tests.a11y.conftest import SHOTS_DIR, login
from tests.conftest import Org, build_org
from tests.skp.conftest import build_rencana

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Is the focused element's focus visible? An outline wider than 0 that is not "none", or a box-shadow.
_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {tag: 'BODY', visible: false, desc: 'body'};
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    const desc = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.getAttribute('data-testid') ? '[data-testid=' + el.getAttribute('data-testid') + ']' : '')
        + ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40) + '"';
    return {tag: el.tagName, visible: outline || shadow, desc};
}"""


class Keyboard:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.visited: list[str] = []
        self.invisible: list[str] = []

    def focus_state(self) -> dict[str, Any]:
        return self.page.evaluate(_FOCUS)

    def tab_to(self, selector: str, *, limit: int = 150, back: bool = False) -> None:
        """Press Tab (or Shift+Tab) until the focused element matches ``selector``; every stop on the
        way must show its focus."""
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            state = self.focus_state()
            if state["tag"] == "BODY":
                continue
            self.visited.append(state["desc"])
            if not state["visible"]:
                self.invisible.append(state["desc"])
            if self.page.evaluate("(sel) => document.activeElement.matches(sel)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}; last stops: {self.visited[-8:]}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text, delay=5)


def test_draft_and_submit_an_skp_with_the_keyboard_only(page: Page, live_server: Any) -> None:
    org: Org = build_org("A")
    rencana = build_rencana(org)
    base = live_server.url
    login(page, base, org.pegawai.nip)  # signing in is the login page's business (tested there)
    kb = Keyboard(page)

    # dashboard -> "SKP Saya" in the navbar
    kb.tab_to("#nav-utama a[href='/skp/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/skp/")

    # the create form: year and approach keep their defaults; the button makes the draft
    kb.tab_to("[data-testid=buat-skp]")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("status-skp").first).to_have_text(re.compile("Draf"))

    # add a main result: the button opens the form in place
    kb.tab_to("[data-testid=tambah-rhk-utama]")
    page.keyboard.press("Space")
    form = page.get_by_test_id("rhk-form")
    expect(form).to_be_visible()
    kb.tab_to("[data-testid=rhk-form] textarea[name=rencana_hasil_kerja]")
    kb.type("Tersusunnya arsip surat masuk yang tertib")
    kb.tab_to("[data-testid=rhk-form] select[name=rhk_pimpinan]")
    page.keyboard.press("ArrowDown")  # the first of the leader's results
    expect(form.locator("select[name=rhk_pimpinan]")).not_to_have_value("")
    kb.tab_to("[data-testid=rhk-form] textarea[name='indikator-0-iki']")
    kb.type("Persentase surat yang diarsipkan")
    kb.tab_to("[data-testid=rhk-form] input[name='indikator-0-target']")
    kb.type("90 - 95 %")
    kb.tab_to("[data-testid=simpan-rhk]")
    page.keyboard.press("Enter")
    row = page.get_by_test_id("rhk")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("iki")).to_have_text("Persentase surat yang diarsipkan")

    # submit (the confirmation is answered "yes" by the dialog handler: Enter on a real dialog)
    kb.tab_to("[data-testid=ajukan]")
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS_DIR / "keyboard-focus-ajukan.png"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("status-skp").first).to_have_text(re.compile("Diajukan"))

    with scope(instansi=org.instansi.pk):
        skp = Skp.objects.get(pegawai=org.pegawai)
        assert skp.status == SkpStatus.DIAJUKAN
        rhk = list(skp.rhk.all())
        assert [r.rhk_pimpinan_id for r in rhk] == [rencana.atasan_rhk[0].pk]
    assert len(kb.visited) >= 8
    assert kb.invisible == [], f"focus not visible on: {kb.invisible}"


def test_unit_tree_opens_and_closes_with_the_keyboard(page: Page, live_server: Any) -> None:
    org: Org = build_org("A")
    login(page, live_server.url, org.admin.nip)
    page.goto(f"{live_server.url}/organisasi/")
    kb = Keyboard(page)
    top = org.kepala.unit_kerja
    toggle = page.locator(f"[aria-controls='sub-unit-{top.pk}']")
    sub = page.locator(f"#sub-unit-{top.pk}")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(sub).to_be_visible()
    # the toggle is a named button of its own; the unit's link stays a plain link beside it
    expect(toggle).to_have_accessible_name(f"Sub-unit {top.nama}")
    kb.tab_to(f"[aria-controls='sub-unit-{top.pk}']")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(sub).to_be_hidden()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(sub.get_by_role("link", name=org.pegawai.unit_kerja.nama)).to_be_visible()
    assert kb.invisible == [], f"focus not visible on: {kb.invisible}"
