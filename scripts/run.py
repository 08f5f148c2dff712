#!/usr/bin/env python
"""`make run`: embedded services + migrate + seed + collectstatic, then web + Celery worker.

Ctrl-C (or SIGTERM) stops the web server and the worker, then the embedded PostgreSQL/Redis.
A worker that dies is restarted (up to 5 times a minute); a web server that dies stops everything.
Environment knobs: DATABASE_URL / REDIS_URL (use external services), KINERJA_HOST (127.0.0.1),
KINERJA_PORT (8000), KINERJA_SKIP_SEED=1, KINERJA_DEBUG=1 (Django debug mode; by default it serves like
production: DEBUG off, static files through WhiteNoise, the friendly 404/500 pages).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from services import (
    ROOT,
    GracefulExit,
    celery_queues,
    child_preexec,
    data_dir,
    ensure_services,
    install_signal_handlers,
    tcp_open,
)

PY = sys.executable


def log(msg: str) -> None:
    print(f"[run] {msg}", file=sys.stderr, flush=True)


BIN = Path(sys.executable).parent
WORKER_MAX_RESTARTS = 5  # within WORKER_RESTART_WINDOW seconds, then `make run` stops (a crash loop)
WORKER_RESTART_WINDOW = 60.0


def manage(*args: str, env: dict[str, str], check: bool = True) -> int:
    cmd = [PY, "manage.py", *args]
    log("$ " + " ".join(cmd[1:]))
    rc = subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
    if check and rc != 0:
        raise SystemExit(f"[run] `manage.py {' '.join(args)}` failed with exit code {rc}")
    return rc


def demo_logins(env: dict[str, str]) -> str:
    """Output of `manage.py demo_logins` (a table from the app), or '' if the command fails."""
    res = subprocess.run(
        [PY, "manage.py", "demo_logins"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if res.returncode != 0:
        log(f"`manage.py demo_logins` failed (exit {res.returncode}); continuing without the login table")
        for line in res.stderr.strip().splitlines()[-3:]:
            log("  " + line)
        return ""
    return res.stdout.rstrip()


def spawn(name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    log(f"starting {name}: {' '.join(cmd)}")
    # Own session so a terminal Ctrl-C reaches only this supervisor, which then stops children in order;
    # PDEATHSIG makes them exit if the supervisor is killed outright.
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=child_preexec()
    )


def stop(name: str, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    if proc.poll() is not None:
        return
    log(f"stopping {name} (pid {proc.pid})")
    proc.send_signal(signal.SIGTERM)  # celery: warm shutdown; runserver: exit
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        log(f"{name} did not stop within {timeout:.0f}s; killing")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main() -> int:
    install_signal_handlers()
    os.chdir(ROOT)
    host = os.environ.get("KINERJA_HOST", "127.0.0.1")
    port = os.environ.get("KINERJA_PORT", "8000")
    if tcp_open(host, int(port), timeout=0.5):
        log(f"{host}:{port} is already in use (another `make run`?). Set KINERJA_PORT to use another port.")
        return 1

    children: dict[str, subprocess.Popen[bytes]] = {}
    with ensure_services("run") as svc:
        env = {
            **os.environ,
            **svc.env,
            "DJANGO_SETTINGS_MODULE": "kinerja.settings.local",
            "PYTHONUNBUFFERED": "1",
        }
        if host not in {"127.0.0.1", "localhost"} and "DJANGO_ALLOWED_HOSTS" not in os.environ:
            # DEBUG is off: Django answers only the hosts it knows (0.0.0.0 = reachable by any name)
            env["DJANGO_ALLOWED_HOSTS"] = "*" if host in {"0.0.0.0", "::"} else f"127.0.0.1,localhost,{host}"
        debug = os.environ.get("KINERJA_DEBUG", "").lower() in {"1", "true", "yes", "on"}
        log(
            "mode debug (KINERJA_DEBUG=1)"
            if debug
            else "seperti produksi: DEBUG mati (KINERJA_DEBUG=1 untuk debug)"
        )
        try:
            manage("migrate", "--noinput", env=env)
            if os.environ.get("KINERJA_SKIP_SEED", "") not in {"1", "true", "yes"}:
                manage("seed_demo", env=env)
            manage("collectstatic", "--noinput", "--verbosity", "0", env=env)

            logins = demo_logins(env)

            children["web"] = spawn(
                "web", [PY, "manage.py", "runserver", f"{host}:{port}", "--noreload"], env
            )
            beat_schedule = str(data_dir() / "celerybeat-schedule")
            worker_cmd = [str(BIN / "celery"), "-A", "kinerja", "worker", "-l", "info", "--beat",
                          "--concurrency", "2", "--schedule", beat_schedule,
                          "-Q", ",".join(celery_queues(env))]  # fmt: skip
            # one process for every queue here; `make cluster` and docker-compose run one worker per queue
            children["worker"] = spawn("worker", worker_cmd, env)
            worker_restarts: list[float] = []

            deadline = time.monotonic() + 30
            while not tcp_open(host, int(port), timeout=0.5) and time.monotonic() < deadline:
                if children["web"].poll() is not None:
                    break
                time.sleep(0.2)
            time.sleep(2)  # let the worker banner scroll past before the summary
            banner = f"\n=== Kinerja is up: http://{host}:{port}/   (Ctrl-C stops everything) ===\n"
            print(banner + (logins or "(no demo login table)") + "\n", flush=True)

            while True:
                if children["web"].poll() is not None:
                    log(f"web exited with code {children['web'].returncode}; shutting down")
                    return children["web"].returncode or 1
                if children["worker"].poll() is not None:
                    # A dead worker (OOM kill, crash) is restarted; its running jobs are picked up by the
                    # heartbeat sweep (kinerja.tasks.job_mati_sweep_task). Give up only on a crash loop.
                    now = time.monotonic()
                    worker_restarts = [t for t in worker_restarts if now - t < WORKER_RESTART_WINDOW]
                    if len(worker_restarts) >= WORKER_MAX_RESTARTS:
                        log(
                            f"worker died {WORKER_MAX_RESTARTS} times within {WORKER_RESTART_WINDOW:.0f}s; shutting down"
                        )
                        return children["worker"].returncode or 1
                    log(f"worker exited with code {children['worker'].returncode}; restarting it")
                    worker_restarts.append(now)
                    children["worker"] = spawn("worker", worker_cmd, env)
                time.sleep(0.5)
        except (KeyboardInterrupt, GracefulExit):
            log("interrupted; shutting down")
            return 0
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the shutdown finish
            for name in ("web", "worker"):
                if name in children:
                    stop(name, children[name])


if __name__ == "__main__":
    sys.exit(main())
