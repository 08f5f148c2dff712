"""PgBouncer in transaction mode (docs/operations.md) hands a server connection to another client after
every transaction: nothing may leave state on the session. Source check over the application code,
plus the settings Django needs for it."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("kinerja", "skp", "dialog", "evaluasi")

#: Session-level constructs that break under transaction pooling.
FORBIDDEN = {
    "session advisory lock": re.compile(r"pg_(try_)?advisory_(un)?lock(_shared)?\s*\(", re.I),
    "session SET": re.compile(
        r"""execute\(\s*f?["']\s*(SET|RESET)\s+(?!LOCAL|CONSTRAINTS|TRANSACTION)""", re.I
    ),
    "LISTEN/NOTIFY": re.compile(r"""execute\(\s*f?["']\s*(LISTEN|UNLISTEN)\b""", re.I),
    "server-side PREPARE": re.compile(r"""execute\(\s*f?["']\s*PREPARE\b""", re.I),
    "cursor WITH HOLD": re.compile(r"WITH\s+HOLD", re.I),
    "temporary table": re.compile(r"CREATE\s+TEMP(ORARY)?\s+TABLE", re.I),
}
#: The one place allowed a session-level set_config: kinerja.rls._apply, which is a no-op when
#: KINERJA_RLS_TRANSACTION_LOCAL is on (tests/security/test_rls_transaction_pooling.py).
SESSION_SET_CONFIG = re.compile(r"set_config\([^)]*,\s*false\)", re.I)


def _sources() -> list[Path]:
    files: list[Path] = []
    for app in APPS:
        files += [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    return files


def test_no_session_state_in_application_code() -> None:
    found = []
    for path in _sources():
        text = path.read_text()
        for what, pattern in FORBIDDEN.items():
            found += [f"{path.relative_to(ROOT)}: {what}: {m.group(0)!r}" for m in pattern.finditer(text)]
        if path.name != "rls.py":
            found += [
                f"{path.relative_to(ROOT)}: session set_config" for _ in SESSION_SET_CONFIG.finditer(text)
            ]
    assert not found, "\n".join(found)


def test_session_set_config_only_in_the_session_mode_of_rls() -> None:
    text = (ROOT / "kinerja" / "rls.py").read_text()
    body = text[text.index("def _apply(") :]
    body = body[: body.index("\ndef ", 1)]
    assert "if transaction_local():" in body.split("set_config")[0]  # returns before any session SET
    assert len(SESSION_SET_CONFIG.findall(text)) == len(SESSION_SET_CONFIG.findall(body))


def test_batch_lock_is_transaction_level() -> None:
    assert "pg_advisory_xact_lock(" in (ROOT / "evaluasi" / "batch.py").read_text()


@pytest.mark.parametrize("pooling", [True, False])
def test_settings_for_transaction_pooling(pooling: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """DJANGO_DB_TRANSACTION_POOLING=true: no server-side cursors, per-transaction RLS state, on both
    aliases; the replica alias mirrors the primary in tests and is never migrated."""
    import importlib

    monkeypatch.setenv("DJANGO_DB_TRANSACTION_POOLING", "true" if pooling else "false")
    monkeypatch.setenv("REPLICA_DATABASE_URL", "postgres://kinerja@127.0.0.1:6433/kinerja")
    import kinerja.settings.base as base

    try:
        s = importlib.reload(base)
        assert s.KINERJA_RLS_TRANSACTION_LOCAL is pooling
        for alias in ("default", "replica"):
            db = s.DATABASES[alias]
            assert db["DISABLE_SERVER_SIDE_CURSORS"] is pooling
            assert db["ENGINE"] == "kinerja.db"
            assert db["ATOMIC_REQUESTS"] is False
        assert s.DATABASES["replica"]["PORT"] == 6433
        assert s.DATABASES["replica"]["TEST"] == {"MIRROR": "default"}
        assert s.KINERJA_REPLICA_CONFIGURED is True
    finally:
        monkeypatch.delenv("DJANGO_DB_TRANSACTION_POOLING")
        monkeypatch.delenv("REPLICA_DATABASE_URL")
        importlib.reload(base)
