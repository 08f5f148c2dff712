"""Django's ``{# ... #}`` comment is single-line: one spread over lines is printed on the page as text
(it happened to the navbar's notification bell). Multi-line comments must use ``{% comment %}``."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_multiline_hash_comments_in_templates() -> None:
    templates = [
        p
        for p in ROOT.rglob("*.html")
        if not {".venv", "node_modules", ".data", "htmlcov", "test-results"} & set(p.parts)
    ]
    assert len(templates) > 50  # the project's templates were found
    bad = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in templates
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert bad == [], f"multi-line {{# #}} comments (shown as text on the page): {bad}"
