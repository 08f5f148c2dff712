"""End-to-end: login/logout, htmx search, the phone layout. Chromium through Playwright.

Data is created in the test body (``transactional_db``) so the live server thread can see it.
Set ``KINERJA_SCREENSHOT_DIR`` to keep screenshots of the main pages at desktop and phone size.
"""

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD, Org, build_org
from tests.factories import PegawaiFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LOCALE = "id-ID"  # LocaleMiddleware follows Accept-Language; our users' browsers say Indonesian


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": LOCALE}


def login(page: Page, base: str, nip: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/masuk/")
    page.get_by_label("NIP / NI PPPK").fill(nip)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()


def screenshot(page: Page, name: str) -> None:
    target = os.environ.get("KINERJA_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)


def assert_no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the viewport"


def test_wrong_password_shows_the_error(live_server: Any, page: Page) -> None:
    org = build_org("A")
    login(page, live_server.url, org.pegawai.nip, "salah-sekali")
    expect(page.get_by_test_id("galat-form")).to_contain_text("NIP atau kata sandi salah")
    expect(page).to_have_url(f"{live_server.url}/masuk/")


def test_login_lands_on_dashboard_and_logout_returns_to_login(live_server: Any, page: Page) -> None:
    org = build_org("A")
    # when the pegawai signs in with the right password
    login(page, live_server.url, org.pegawai.nip)
    # then the dashboard greets them by name
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("nama-pengguna")).to_have_text(org.pegawai.nama)
    expect(page.get_by_test_id("identitas-nama")).to_have_text(org.pegawai.nama)
    expect(page.get_by_test_id("instansi-nama")).to_have_text(org.instansi.nama)
    # when they sign out from the user menu
    page.locator("#menu-pengguna").click()
    page.get_by_test_id("keluar").click()
    # then they are back on the login page, signed out
    expect(page).to_have_url(f"{live_server.url}/masuk/")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/masuk/?next=/")


def test_language_switch_in_the_browser(live_server: Any, page: Page) -> None:
    build_org("A")
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_role("button", name="EN").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to your account")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_pegawai_search_filters_rows_via_htmx(live_server: Any, page: Page) -> None:
    org: Org = build_org("A")
    PegawaiFactory(
        instansi=org.instansi,
        unit_kerja=org.pegawai.unit_kerja,
        jabatan=org.pegawai.jabatan,
        user__nama="Zulkarnain Uniknama",
    )
    login(page, live_server.url, org.admin.nip)
    page.goto(f"{live_server.url}/pegawai/")
    rows = page.get_by_test_id("baris-pegawai")
    expect(rows).to_have_count(7)
    page.evaluate("window.__tanpaReload = true")  # survives only if the page is not reloaded
    # when the admin types part of a name
    page.locator("#cari-pegawai").press_sequentially("uniknam", delay=30)
    # then the rows are filtered in place and the URL follows
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Zulkarnain Uniknama")
    expect(page).to_have_url(f"{live_server.url}/pegawai/?q=uniknam")
    assert page.evaluate("window.__tanpaReload") is True
    # when the search is cleared, all rows come back
    page.locator("#cari-pegawai").fill("")
    page.locator("#cari-pegawai").press("Backspace")
    expect(rows).to_have_count(7)
    # a search with no match shows the empty state
    page.locator("#cari-pegawai").press_sequentially("tidakadasiapapun", delay=10)
    expect(page.get_by_test_id("kosong-pegawai")).to_be_visible()


def test_phone_shows_collapsed_navbar_toggler(live_server: Any, browser: Browser) -> None:
    org = build_org("A")
    context = browser.new_context(
        locale=LOCALE, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        login(page, live_server.url, org.admin.nip)
        expect(page).to_have_url(f"{live_server.url}/")
        toggler = page.locator(".navbar-toggler")
        nav_link = page.locator("#nav-utama").get_by_role("button", name="Administrasi")
        expect(toggler).to_be_visible()
        expect(nav_link).to_be_hidden()
        assert_no_horizontal_scroll(page)
        screenshot(page, "dashboard-phone")
        toggler.click()
        expect(page.locator("#nav-utama")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # animation done
        expect(nav_link).to_be_visible()
        nav_link.click()
        expect(page.locator("#nav-utama").get_by_role("link", name="Organisasi")).to_be_visible()
        screenshot(page, "dashboard-phone-menu")
        page.goto(f"{live_server.url}/pegawai/")
        expect(page.get_by_test_id("baris-pegawai")).to_have_count(6)
        assert_no_horizontal_scroll(page)
        screenshot(page, "pegawai-list-phone")
    finally:
        context.close()


def test_desktop_layout(live_server: Any, browser: Browser) -> None:
    org = build_org("A")
    context = browser.new_context(locale=LOCALE, viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/masuk/")
        screenshot(page, "login-desktop")
        login(page, live_server.url, org.admin.nip)
        expect(page.locator(".navbar-toggler")).to_be_hidden()
        page.locator("#nav-utama").get_by_role("button", name="Administrasi").click()
        expect(page.locator("#nav-utama").get_by_role("link", name="Organisasi")).to_be_visible()
        expect(page.locator("#nav-utama").get_by_role("link", name="Log audit")).to_be_visible()
        screenshot(page, "dashboard-desktop")
        page.goto(f"{live_server.url}/pegawai/")
        expect(page.get_by_test_id("baris-pegawai")).to_have_count(6)
        assert_no_horizontal_scroll(page)
        screenshot(page, "pegawai-list-desktop")
        page.goto(f"{live_server.url}/organisasi/")
        screenshot(page, "org-tree-desktop")
        page.goto(f"{live_server.url}/pegawai/{org.atasan.pk}/")
        screenshot(page, "pegawai-detail-desktop")
    finally:
        context.close()
    # the pejabat penilai's dashboard: identity and the people they appraise side by side
    context = browser.new_context(locale=LOCALE, viewport=DESKTOP)
    page = context.new_page()
    try:
        login(page, live_server.url, org.atasan.nip)
        expect(page.get_by_test_id("daftar-dinilai").get_by_role("link")).to_have_count(2)
        screenshot(page, "dashboard-penilai-desktop")
    finally:
        context.close()


def test_kinerja_js_confirm_and_htmx_csrf(live_server: Any, page: Page) -> None:
    org = build_org("A")
    login(page, live_server.url, org.pegawai.nip)
    expect(page).to_have_url(f"{live_server.url}/")
    # given a destructive form marked with data-confirm
    page.evaluate(
        """() => {
        const f = document.createElement('form');
        f.method = 'get'; f.action = '/pegawai/'; f.setAttribute('data-confirm', 'Hapus data ini?');
        f.innerHTML = '<button id="uji-hapus" type="submit">Hapus</button>';
        document.querySelector('main').appendChild(f);
        window.__tanpaReload = true;
    }"""
    )
    # when the user says no, nothing is submitted
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("#uji-hapus").click()
    page.wait_for_timeout(300)
    assert dialogs == ["Hapus data ini?"]
    assert page.evaluate("window.__tanpaReload") is True
    expect(page).to_have_url(f"{live_server.url}/")
    # an htmx POST carries the CSRF token (set_language refuses it otherwise)
    status = page.evaluate(
        """() => new Promise((resolve) => {
        document.body.addEventListener('htmx:afterRequest', (e) => resolve(e.detail.xhr.status), {once: true});
        htmx.ajax('POST', '/i18n/setlang/', {values: {language: 'en', next: '/'}, swap: 'none'});
    })"""
    )
    assert status == 200  # the redirect to "/" was followed by the XHR; a CSRF failure would be 403
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
