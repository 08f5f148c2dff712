#!/usr/bin/env python
"""`make test`: ensure PostgreSQL + Redis (test mode), then run pytest with the given arguments.

Exits with pytest's exit code. Exit code 5 ("no tests collected") is reported as a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from services import ROOT, GracefulExit, ensure_services, install_signal_handlers


def log(msg: str) -> None:
    print(f"[test] {msg}", file=sys.stderr, flush=True)


SKIP_DIRS = {".venv", ".data", "node_modules", ".git", "staticfiles"}


def pytest_command() -> list[str]:
    exe = Path(sys.executable).parent / "pytest"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pytest"]


def stale_catalogs() -> list[Path]:
    """.po files whose .mo is missing or older."""
    stale = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            if name.endswith(".po"):
                po = Path(dirpath) / name
                mo = po.with_suffix(".mo")
                if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                    stale.append(po)
    return stale


def compile_messages(env: dict[str, str]) -> None:
    stale = stale_catalogs()
    if not stale:
        return
    if not shutil.which("msgfmt"):
        log(
            f"{len(stale)} .po file(s) need compiling but msgfmt is missing (apt-get install gettext); skipping"
        )
        return
    ignores = [arg for d in sorted(SKIP_DIRS) for arg in ("--ignore", d)]
    cmd = [sys.executable, "manage.py", "compilemessages", *ignores]
    if subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode != 0:
        log("compilemessages failed; continuing (translation tests may fail)")


def xdist_args(argv: list[str]) -> list[str]:
    """The whole suite (no test path given) runs on ``KINERJA_TEST_WORKERS`` pytest-xdist workers
    (default: 2, or 1 on a one-core machine), a test file per worker at a time; a targeted run (a path,
    ``-n``, ``-p no:xdist``, or KINERJA_TEST_WORKERS=0/1) stays in one process."""
    if any(a == "-n" or a.startswith(("-n", "--numprocesses", "--dist")) for a in argv):
        return []
    if "no:xdist" in argv or any(
        not a.startswith("-") and (a.startswith("tests") or "::" in a) for a in argv
    ):
        return []
    workers = os.environ.get("KINERJA_TEST_WORKERS") or str(min(2, os.cpu_count() or 1))
    if not workers.isdigit() or int(workers) < 2:
        return []
    return ["-n", workers, "--dist", "loadfile"]


def main(argv: list[str]) -> int:
    install_signal_handlers()
    os.chdir(ROOT)
    base_env = dict(os.environ)
    # Environment beats pyproject's DJANGO_SETTINGS_MODULE in pytest-django, so pin it here.
    base_env["DJANGO_SETTINGS_MODULE"] = "kinerja.settings.test"
    base_env.setdefault("PYTHONUNBUFFERED", "1")
    if "PLAYWRIGHT_CHROMIUM_EXECUTABLE" not in base_env and Path("/usr/bin/chromium").exists():
        base_env["PLAYWRIGHT_CHROMIUM_EXECUTABLE"] = "/usr/bin/chromium"

    # whitenoise warns on every request if STATIC_ROOT is missing.
    Path(base_env.get("DJANGO_STATIC_ROOT") or ROOT / ".data" / "staticfiles").mkdir(
        parents=True, exist_ok=True
    )

    with ensure_services("test") as svc:
        env = {**base_env, **svc.env}
        compile_messages(env)
        cmd = [*pytest_command(), *xdist_args(argv), *argv]
        log("running: " + " ".join(cmd))
        proc = subprocess.Popen(cmd, env=env)  # same process group: Ctrl-C reaches pytest directly
        try:
            while True:
                try:
                    rc = proc.wait()
                    break
                except KeyboardInterrupt:
                    continue  # pytest handles it and exits; then we stop the services
        except GracefulExit:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
            return 143

    if rc == 5:
        log(
            "FAILED: pytest collected no tests (exit code 5). Check testpaths/ARGS; an empty suite is not a pass."
        )
    elif rc != 0:
        log(f"pytest exited with code {rc}")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
