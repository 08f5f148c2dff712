"""axe-core in Playwright: run the WCAG 2.1 A/AA rules on the page as it is now and fail on any
``critical`` or ``serious`` violation with the rule ids and the CSS selectors of the offending nodes.

axe-core is vendored (tests/vendor/axe-core/, version in its README.md): CI reaches no CDN. The
script is evaluated through the DevTools protocol, so the page's Content-Security-Policy (nonce,
no inline scripts) does not block it and the page itself is not changed.

    from tests.axe import assert_accessible
    assert_accessible(page, "SKP detail, phone")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING = frozenset({"critical", "serious"})

_RUN = """(tags) => axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
}).then((r) => r.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({
        target: n.target.map(String).join(' '),
        summary: (n.failureSummary || '').replace(/\\s+/g, ' ').trim(),
    })),
})))"""


@cache
def _source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    nodes: tuple[tuple[str, str], ...] = field(default=())  # (selector, failure summary)

    @property
    def blocking(self) -> bool:
        return self.impact in BLOCKING

    def describe(self, max_nodes: int = 6) -> str:
        lines = [f"  [{self.impact}] {self.rule}: {self.help} ({len(self.nodes)} node(s))"]
        for target, summary in self.nodes[:max_nodes]:
            lines.append(f"      {target}  -- {summary[:220]}")
        if len(self.nodes) > max_nodes:
            lines.append(f"      ... and {len(self.nodes) - max_nodes} more")
        return "\n".join(lines)


def axe_violations(page: Page) -> list[Violation]:
    """Every WCAG 2.1 A/AA violation axe finds on the current document (any impact)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    raw: list[dict[str, Any]] = page.evaluate(_RUN, list(TAGS))
    return [
        Violation(
            rule=v["id"],
            impact=v.get("impact") or "minor",
            help=v["help"],
            nodes=tuple((n["target"], n["summary"]) for n in v["nodes"]),
        )
        for v in raw
    ]


def report(label: str, violations: list[Violation]) -> str:
    return f"{label}:\n" + "\n".join(v.describe() for v in violations)


def assert_accessible(page: Page, label: str = "") -> list[Violation]:
    """Fail on a critical or serious violation; return all violations (minor/moderate ones too)."""
    found = axe_violations(page)
    blocking = [v for v in found if v.blocking]
    assert not blocking, "axe-core: " + report(label or page.url, blocking)
    return found
