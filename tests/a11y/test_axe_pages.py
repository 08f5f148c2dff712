"""Every page passes axe-core (WCAG 2.1 A and AA rules) with no critical or serious violation, for each
role, at desktop and phone size, in Chromium.

The pages are every GET page of the URL conf that takes no argument (walked, so a new page cannot be
forgotten) plus the main pages with an object (tests/a11y/conftest.py builds an instansi's year so
they all have content), the public pages (login, verification) and the 404 page.

``KINERJA_AXE_REPORT=path.json`` writes every violation found (all impacts) per page; pages with a
blocking violation are photographed in /tmp/shots-a11y/, every page when ``KINERJA_A11Y_SHOTS`` names
a folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.a11y.conftest import DESKTOP, LOCALE, PHONE, TIMEOUT, Dunia, build_dunia, login, object_pages
from tests.axe import Violation, axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("KINERJA_A11Y_SHOTS") or Path(tempfile.gettempdir()) / "shots-a11y")

# GET pages without an argument that are not HTML pages for a person (or not ours to judge).
NOT_PAGES = {
    "healthz",
    "logout",
    "set_language",
    "audit-csv",
    "dialog:notifikasi-jumlah",  # the navbar badge fragment (checked inside every page)
    "skp:inbox-jumlah",  # the "Persetujuan SKP" count fragment of the navbar (same)
    "api-schema",
    "api-docs",  # Swagger UI, a vendored third-party page
}
NOT_PAGE_PREFIXES = ("api/", "django-admin/", "i18n/")


def _walk(patterns: list[Any], prefix: str = "", ns: str | None = None) -> Iterator[tuple[str, str, bool]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or ns)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns and p.name else (p.name or "")
            route = prefix + str(p.pattern)
            yield route, name, bool(p.pattern.converters) or "<" in route


def pages_without_arguments() -> list[tuple[str, str]]:
    """(url name, path) of every route without a parameter, minus the non-pages above."""
    out = []
    for route, name, has_args in _walk(get_resolver().url_patterns):
        if has_args or name in NOT_PAGES or route.startswith(NOT_PAGE_PREFIXES) or route.startswith("^"):
            continue
        out.append((name or route, "/" + route))
    return out


ROLES = ("pegawai", "pejabat_penilai", "admin_instansi", "hr_viewer")
VIEWPORTS = (("desktop", DESKTOP), ("phone", PHONE))


def _who(d: Dunia, role: str) -> str:
    org = d.org
    return {
        "pegawai": org.pegawai,
        "pejabat_penilai": org.atasan,
        "admin_instansi": org.admin,
        "hr_viewer": org.hr,
    }[role].nip


def _settle(page: Page) -> None:
    """Let the htmx loads (navbar badge, live fragments) land before axe looks."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=5_000)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


class Scan:
    """Loads each page once, runs axe at desktop width, narrows the same page to a phone's width and
    runs axe again (the layout follows the media queries; a second load would only cost time).

    The phone pass runs once per path, for the first role that sees it (roles go pegawai first): the
    phone layout of a page is the same template for every role, and the desktop pass of each role
    still covers what differs by role (menus, buttons). ``KINERJA_AXE_ALL_WIDTHS=1`` checks every
    role at both widths."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.blocking: list[str] = []
        self.phone_seen: set[str] = set()
        self.all_widths = bool(os.environ.get("KINERJA_AXE_ALL_WIDTHS"))

    def _row(self, role: str, label: str, path: str, **extra: Any) -> None:
        self.rows.append({"role": role, "page": label, "path": path, **extra})

    def check(self, page: Page, role: str, label: str, path: str, *, expect_status: int = 200) -> None:
        # Ask first (same cookies): a POST-only URL answers 405 with an empty body, which Chromium
        # turns into an error page that disturbs the next navigation.
        probe = page.request.get(path, max_redirects=0)
        ctype = probe.headers.get("content-type", "")
        if probe.status != expect_status or "text/html" not in ctype:
            self._row(role, label, path, status=probe.status)
            return
        t0 = time.monotonic()
        page.set_viewport_size(DESKTOP)
        page.goto(path)
        viewports = VIEWPORTS if self.all_widths or path not in self.phone_seen else VIEWPORTS[:1]
        self.phone_seen.add(path)
        for viewport, size in viewports:
            if size != DESKTOP:
                page.set_viewport_size(size)
                page.wait_for_timeout(300)  # kinerja.js re-checks scrolling tables after a resize
            _settle(page)
            found: list[Violation] = axe_violations(page)
            bad = [v for v in found if v.blocking]
            if bad or os.environ.get("KINERJA_A11Y_SHOTS"):
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"{role}-{viewport}-{_slug(label)}.png"), full_page=True)
            self._row(
                role,
                label,
                path,
                viewport=viewport,
                status=probe.status,
                seconds=round(time.monotonic() - t0, 2),
                violations=[
                    {"rule": v.rule, "impact": v.impact, "nodes": [t for t, _ in v.nodes]} for v in found
                ],
            )
            if bad:
                self.blocking.append(report(f"{role} · {viewport} · {label} ({path})", bad))

    def write(self) -> None:
        target = os.environ.get("KINERJA_AXE_REPORT")
        if target:
            Path(target).write_text(json.dumps(self.rows, indent=1, ensure_ascii=False), encoding="utf-8")


def test_every_page_has_no_serious_axe_violation(
    browser: Browser, live_server: Any, private_queue: None
) -> None:
    d = build_dunia()
    base = live_server.url
    scan = Scan()
    listed = pages_without_arguments()

    # signed out: login, public verification, 404
    ctx = browser.new_context(locale=LOCALE, viewport=DESKTOP, base_url=base)
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT)
    for label, path in (
        ("login", "/masuk/"),
        ("verifikasi", "/verifikasi/"),
        ("verifikasi dokumen", f"/verifikasi/{d.dokumen_kode}/"),
    ):
        scan.check(page, "anonim", label, path)
    scan.check(page, "anonim", "404", "/tidak-ada-halaman-ini/", expect_status=404)
    ctx.close()

    for role in ROLES:
        ctx = browser.new_context(locale=LOCALE, viewport=DESKTOP, base_url=base)
        page = ctx.new_page()
        page.set_default_timeout(TIMEOUT)
        login(page, base, _who(d, role))
        for name, path in listed:
            scan.check(page, role, name, path)
        for label, path in object_pages(d)[role]:
            scan.check(page, role, label, path)
        scan.check(page, role, "404 (signed in)", "/skp/999999999/", expect_status=404)
        # on a phone the opened menu is part of every page
        page.set_viewport_size(PHONE)
        page.goto("/")
        page.locator(".navbar-toggler").click()
        expect(page.locator("#nav-utama")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
        found = axe_violations(page)
        scan._row(
            role,
            "navbar menu opened",
            "/",
            viewport="phone",
            status=200,
            violations=[
                {"rule": v.rule, "impact": v.impact, "nodes": [t for t, _ in v.nodes]} for v in found
            ],
        )
        if any(v.blocking for v in found):
            scan.blocking.append(
                report(f"{role} · phone · navbar menu opened", [v for v in found if v.blocking])
            )
        ctx.close()
    scan.write()
    checked = [r for r in scan.rows if "violations" in r]
    # the walk found the pages: every role had at least a dozen pages checked at desktop width, and
    # the phone pass covered every path that any role could open
    for role in ROLES:
        n = sum(1 for r in checked if r["role"] == role and r["viewport"] == "desktop")
        assert n >= 12, (role, n)
    desktop_paths = {r["path"] for r in checked if r["viewport"] == "desktop"}
    phone_paths = {r["path"] for r in checked if r["viewport"] == "phone"}
    assert desktop_paths == phone_paths, sorted(desktop_paths ^ phone_paths)
    assert not scan.blocking, "axe-core critical/serious violations:\n" + "\n".join(scan.blocking)
