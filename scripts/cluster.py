#!/usr/bin/env python
"""`make cluster`: the production shape on one machine (api-contract.md section 8, docs/operations.md).

Starts, under ``.data/cluster/`` (``KINERJA_DATA_DIR``), and stops again on Ctrl-C (or SIGTERM):

* a PostgreSQL **primary** of its own (``initdb``, port ``KINERJA_CLUSTER_PG_PORT``, default 55432) with
  the binaries of the PostgreSQL `make test` uses (system ``/usr/lib/postgresql/N/bin``, else the
  embedded pgserver's). It does not replicate the shared system server on 5432: that server allows no
  replication connections, and a base backup plus a WAL sender there would carry every database on it;
* a **streaming replica** of it made with ``pg_basebackup -R`` (port +1), rebuilt on every start;
* **PgBouncer** in transaction mode (port 56432) in front of both (databases ``kinerja`` and
  ``kinerja_replica``); web and workers connect only through it (``DJANGO_DB_TRANSACTION_POOLING``);
* a Redis of its own (free port), two **gunicorn** nodes ``web1``/``web2`` (8081, 8082) behind
  **HAProxy** at http://127.0.0.1:8080/ (stats at http://127.0.0.1:8404/), every response with
  ``X-Kinerja-Node``;
* one **Celery worker per queue** (interactive, documents + massal, batch, periodic, bulk_email) and
  **beat**.

Migrations and the demo seed run first, directly on the primary (idempotent). Then it writes
``.data/cluster.json`` ``{"primary", "replica", "balancer", "web": [...], ...}`` and supervises: a
web node or worker that dies is restarted (the bench kills one on purpose); PostgreSQL, PgBouncer or
HAProxy dying stops everything. As root, PostgreSQL and PgBouncer run as the ``postgres`` user (they
refuse root). Needs the Debian packages ``haproxy`` and ``pgbouncer`` (README).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from services import (
    ROOT,
    EmbeddedRedis,
    GracefulExit,
    celery_queue,
    data_dir,
    free_port,
    install_signal_handlers,
    tcp_open,
)

PY = sys.executable
BIN = Path(sys.executable).parent
PG_PORT = int(os.environ.get("KINERJA_CLUSTER_PG_PORT", "55432"))
REPLICA_PORT = PG_PORT + 1
BOUNCER_PORT = int(os.environ.get("KINERJA_CLUSTER_BOUNCER_PORT", "56432"))
LB_PORT = int(os.environ.get("KINERJA_CLUSTER_PORT", "8080"))
STATS_PORT = int(os.environ.get("KINERJA_CLUSTER_STATS_PORT", "8404"))
WEB_PORTS = [int(p) for p in os.environ.get("KINERJA_CLUSTER_WEB_PORTS", "8081,8082").split(",")]
WEB_WORKERS = os.environ.get("KINERJA_CLUSTER_WEB_WORKERS", "2")
# gthread: a slow report does not hold a whole worker; health checks and short requests get through
WEB_THREADS = os.environ.get("KINERJA_CLUSTER_WEB_THREADS", "4")
DB = "kinerja"
RESTARTS = 5  # per child within RESTART_WINDOW seconds, then the cluster stops (a crash loop)
RESTART_WINDOW = 60.0


def log(msg: str) -> None:
    print(f"[cluster] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- helpers


def pg_bindir() -> Path:
    """The PostgreSQL binaries `make test` would use: the system's, else pgserver's."""
    env = os.environ.get("KINERJA_PG_BINDIR")
    if env:
        return Path(env)
    system = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"), reverse=True)
    if system:
        return system[0].parent
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def run_as() -> pwd.struct_passwd | None:
    """PostgreSQL and PgBouncer refuse to run as root: then they run as ``postgres``."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise SystemExit("[cluster] running as root and no 'postgres' user to run PostgreSQL as")


def preexec(user: pwd.struct_passwd | None) -> Callable[[], None]:
    def _fn() -> None:  # pragma: no cover - runs in the child between fork and exec
        if user is not None:
            os.setgid(user.pw_gid)
            os.setgroups([])
            os.setuid(user.pw_uid)
        # after setuid (a credential change clears it): die with the supervisor, even on SIGKILL
        with contextlib.suppress(Exception):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)

    return _fn


def chown(path: Path, user: pwd.struct_passwd | None) -> None:
    if user is None:
        return
    for p in [path, *path.rglob("*")]:
        os.chown(p, user.pw_uid, user.pw_gid)


def wait_for(
    what: str, check: Callable[[], bool], proc: subprocess.Popen[bytes], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"[cluster] {what} exited with code {proc.returncode} (see {LOGS})")
        if check():
            return
        time.sleep(0.2)
    raise SystemExit(f"[cluster] {what} did not come up within {timeout:.0f}s (see {LOGS})")


def pg_ready(port: int, dbname: str = "postgres") -> bool:
    import psycopg

    try:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/{dbname}", connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def _port_check(port: int) -> Callable[[], bool]:
    return lambda: tcp_open("127.0.0.1", port, 0.5)


HOME = data_dir() / "cluster"
LOGS = HOME / "logs"


class Cluster:
    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.commands: dict[str, tuple[list[str], dict[str, str], pwd.struct_passwd | None]] = {}
        self.restarts: dict[str, list[float]] = {}
        self.redis: EmbeddedRedis | None = None
        self.pguser = run_as()
        self.bindir = pg_bindir()

    # ------------------------------------------------------------------ processes

    def spawn(
        self,
        name: str,
        cmd: list[str],
        env: dict[str, str] | None = None,
        user: pwd.struct_passwd | None = None,
    ) -> subprocess.Popen[bytes]:
        LOGS.mkdir(parents=True, exist_ok=True)
        out = open(LOGS / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the child's lifetime
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env or dict(os.environ), stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            start_new_session=True, preexec_fn=preexec(user),
        )  # fmt: skip
        out.close()
        self.children[name] = proc
        self.commands[name] = (cmd, env or dict(os.environ), user)
        log(f"started {name} (pid {proc.pid}): {' '.join(cmd[:6])}{' ...' if len(cmd) > 6 else ''}")
        return proc

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        proc = self.children.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log(f"{name} did not stop within {timeout:.0f}s; killing")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log(f"stopped {name}")

    def stop_all(self) -> None:
        self.stop("haproxy")
        app = [n for n in self.children if n.startswith(("web", "celery"))]
        for name in app:  # all at once (celery's warm shutdown finishes the running task), then wait
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.children[name].pid, signal.SIGTERM)
        for name in app:
            self.stop(name)
        self.stop("pgbouncer")
        self.stop("replica", signal.SIGINT)  # PostgreSQL: SIGINT = fast shutdown
        self.stop("primary", signal.SIGINT)
        for name in list(self.children):
            self.stop(name)
        if self.redis is not None:
            self.redis.stop()

    # ------------------------------------------------------------------ PostgreSQL

    def pg(self, tool: str) -> str:
        return str(self.bindir / tool)

    def start_primary(self) -> None:
        pgdata = HOME / "primary"
        if not (pgdata / "PG_VERSION").exists():
            log(f"initdb {pgdata}")
            pgdata.mkdir(parents=True, exist_ok=True)
            chown(HOME, self.pguser)
            subprocess.run(
                [self.pg("initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"],
                check=True, stdout=subprocess.DEVNULL, preexec_fn=preexec(self.pguser),
            )  # fmt: skip
            with open(pgdata / "postgresql.conf", "a") as conf:
                conf.write(
                    "\n# make cluster\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
                    "wal_level = replica\nmax_wal_senders = 5\nwal_keep_size = '1GB'\nhot_standby = on\n"
                    "max_connections = 200\nshared_buffers = '256MB'\nmax_wal_size = '4GB'\n"
                    "synchronous_commit = on\nfsync = on\n"
                )
            with open(pgdata / "pg_hba.conf", "a") as hba:
                hba.write("host replication all 127.0.0.1/32 trust\n")
        chown(HOME, self.pguser)
        proc = self.spawn(
            "primary", [self.pg("postgres"), "-D", str(pgdata), "-p", str(PG_PORT)], user=self.pguser
        )
        wait_for("primary", lambda: pg_ready(PG_PORT), proc)
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres", autocommit=True) as c:
            if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone():
                c.execute(f"CREATE DATABASE {DB}")
                log(f"created database {DB}")

    def start_replica(self) -> None:
        pgdata = HOME / "replica"
        shutil.rmtree(pgdata, ignore_errors=True)  # rebuilt every start: always a replica of this primary
        pgdata.mkdir(parents=True)
        chown(pgdata, self.pguser)
        os.chmod(pgdata, 0o700)
        t0 = time.monotonic()
        subprocess.run(
            [self.pg("pg_basebackup"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-D", str(pgdata),
             "-R", "-X", "stream", "-c", "fast"],
            check=True, preexec_fn=preexec(self.pguser),
        )  # fmt: skip
        log(f"pg_basebackup done in {time.monotonic() - t0:.1f}s")
        proc = self.spawn(
            "replica", [self.pg("postgres"), "-D", str(pgdata), "-p", str(REPLICA_PORT)], user=self.pguser
        )
        wait_for("replica", lambda: pg_ready(REPLICA_PORT, DB), proc)

    def start_pgbouncer(self) -> None:
        exe = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        if not Path(exe).exists():
            raise SystemExit("[cluster] pgbouncer not installed: apt-get install pgbouncer (README)")
        conf_dir = HOME / "pgbouncer"
        conf_dir.mkdir(parents=True, exist_ok=True)
        (conf_dir / "userlist.txt").write_text('"postgres" ""\n')
        (conf_dir / "pgbouncer.ini").write_text(
            f"""[databases]
{DB} = host=127.0.0.1 port={PG_PORT} dbname={DB}
{DB}_replica = host=127.0.0.1 port={REPLICA_PORT} dbname={DB}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {BOUNCER_PORT}
unix_socket_dir =
auth_type = trust
auth_file = {conf_dir / "userlist.txt"}
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
reserve_pool_size = 5
server_lifetime = 3600
server_idle_timeout = 60
ignore_startup_parameters = extra_float_digits,options
admin_users = postgres
stats_users = postgres
"""
        )
        chown(conf_dir, self.pguser)
        proc = self.spawn("pgbouncer", [exe, str(conf_dir / "pgbouncer.ini")], user=self.pguser)
        wait_for("pgbouncer", lambda: pg_ready(BOUNCER_PORT, DB), proc)

    # ------------------------------------------------------------------ app

    def app_env(self, redis_url: str) -> dict[str, str]:
        bouncer = f"postgres://postgres@127.0.0.1:{BOUNCER_PORT}"
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kinerja.settings.local",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": f"{bouncer}/{DB}",
            "REPLICA_DATABASE_URL": f"{bouncer}/{DB}_replica",
            "DJANGO_DB_TRANSACTION_POOLING": "true",
            "DJANGO_CONN_MAX_AGE": "60",
            "REDIS_URL": redis_url,
            "KINERJA_TRUSTED_PROXIES": "1",  # HAProxy appends X-Forwarded-For
            "KINERJA_PUBLIC_BASE_URL": os.environ.get(
                "KINERJA_PUBLIC_BASE_URL", f"http://127.0.0.1:{LB_PORT}"
            ),
        }

    def manage(self, env: dict[str, str], *args: str) -> None:
        log("$ manage.py " + " ".join(args))
        rc = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=False).returncode
        if rc != 0:
            raise SystemExit(f"[cluster] manage.py {' '.join(args)} failed with exit code {rc}")

    def start_web(self, env: dict[str, str]) -> None:
        for i, port in enumerate(WEB_PORTS, start=1):
            self.spawn(
                f"web{i}",
                [str(BIN / "gunicorn"), "kinerja.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", WEB_WORKERS, "--threads", WEB_THREADS, "--timeout", "120", "--graceful-timeout", "10",
                 "--access-logfile", "-", "--name", f"kinerja-web{i}"],
                {**env, "KINERJA_NODE_NAME": f"web{i}"},
            )  # fmt: skip
        for i, port in enumerate(WEB_PORTS, start=1):
            wait_for(f"web{i}", _port_check(port), self.children[f"web{i}"], 90)

    def start_haproxy(self) -> None:
        exe = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(exe).exists():
            raise SystemExit("[cluster] haproxy not installed: apt-get install haproxy (README)")
        servers = "\n".join(
            f"    server web{i} 127.0.0.1:{port} check inter 2s fall 3 rise 2"
            for i, port in enumerate(WEB_PORTS, start=1)
        )
        cfg = HOME / "haproxy.cfg"
        cfg.write_text(
            f"""global
    maxconn 2000
    stats socket {HOME / "haproxy.sock"} mode 600 level admin

defaults
    mode http
    option httplog
    log stdout format raw local0
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout check 5s
    timeout queue 30s
    option forwardfor
    # a node that dies mid-request: GET/HEAD are re-sent to the other node (idempotent); other methods
    # only when the connection was never made (the request did not reach a node)
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout 502 503 504

frontend kinerja
    bind 127.0.0.1:{LB_PORT}
    http-request disable-l7-retry unless METH_GET || METH_HEAD
    default_backend web

backend web
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz/ ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
{servers}

listen stats
    bind 127.0.0.1:{STATS_PORT}
    stats enable
    stats uri /
"""
        )
        subprocess.run([exe, "-c", "-q", "-f", str(cfg)], check=True)
        proc = self.spawn("haproxy", [exe, "-db", "-f", str(cfg)])
        wait_for("haproxy", lambda: tcp_open("127.0.0.1", LB_PORT, 0.5), proc)

    def start_celery(self, env: dict[str, str]) -> None:
        celery = str(BIN / "celery")
        for kind, (queues, concurrency, extra) in worker_specs(env).items():
            self.spawn(
                f"celery-{kind}",
                [celery, "-A", "kinerja", "worker", "-l", "info", "-Q", ",".join(queues), "-c", concurrency,
                 "-n", f"{kind}@%h", *extra],
                env,
            )  # fmt: skip
        self.spawn(
            "celery-beat",
            [celery, "-A", "kinerja", "beat", "-l", "info", "--schedule", str(HOME / "celerybeat-schedule")],
            env,
        )

    # ------------------------------------------------------------------ supervise

    def restart_dead(self) -> None:
        for name in list(self.children):
            proc = self.children[name]
            if proc.poll() is None:
                continue
            if not name.startswith(("web", "celery")):
                raise SystemExit(
                    f"[cluster] {name} exited with code {proc.returncode}; stopping (see {LOGS})"
                )
            now = time.monotonic()
            recent = [t for t in self.restarts.get(name, []) if now - t < RESTART_WINDOW]
            if len(recent) >= RESTARTS:
                raise SystemExit(
                    f"[cluster] {name} died {RESTARTS} times within {RESTART_WINDOW:.0f}s; stopping"
                )
            self.restarts[name] = [*recent, now]
            log(f"{name} exited with code {proc.returncode}; restarting it")
            cmd, env, user = self.commands[name]
            self.spawn(name, cmd, env, user)


def worker_specs(env: dict[str, str] | os._Environ[str]) -> dict[str, tuple[list[str], str, list[str]]]:
    """One Celery worker per kind of work: name -> (queues, concurrency, extra arguments). docker-compose.yml
    defines the same workers (tests/cluster/test_compose.py).

    ``interactive`` (feedback e-mails, syncs: short tasks someone waits for) reserves one task per
    process (``--prefetch-multiplier 1``): a process busy with a slower task never holds a reserved
    e-mail while the other process idles (docs/performance.md, "Cluster", notification latency)."""
    massal = env.get("KINERJA_QUEUE_MASSAL") or "massal"
    return {
        "interactive": ([celery_queue("interactive", env)], "2", ["--prefetch-multiplier", "1"]),
        "documents": ([celery_queue("documents", env), massal], "1", ["--max-memory-per-child", "800000"]),
        "batch": ([celery_queue("batch", env)], "1", ["--prefetch-multiplier", "1"]),
        "periodic": ([celery_queue("periodic", env)], "1", []),
        "bulk_email": ([celery_queue("bulk_email", env)], "1", []),
    }


def _write_atomic(path: Path, data: dict[str, Any]) -> None:
    """Readers (the bench) never see a half-written file."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    tmp.replace(path)


def main() -> int:
    install_signal_handlers()
    # Ctrl-C stops everything even when started from a shell that ignores SIGINT in background jobs
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(ROOT)
    busy = [
        p
        for p in (PG_PORT, REPLICA_PORT, BOUNCER_PORT, LB_PORT, STATS_PORT, *WEB_PORTS)
        if tcp_open("127.0.0.1", p, 0.3)
    ]
    if busy:
        log(f"port(s) {busy} already in use (another `make cluster`?); set KINERJA_CLUSTER_* to move them")
        return 1
    HOME.mkdir(parents=True, exist_ok=True)
    state = data_dir() / "cluster.json"
    state.unlink(missing_ok=True)
    cluster = Cluster()
    try:
        log(f"PostgreSQL binaries: {cluster.bindir}")
        cluster.start_primary()
        cluster.start_replica()
        cluster.start_pgbouncer()
        cluster.redis = EmbeddedRedis(free_port(), HOME / "redis", persist=False)
        redis_url = cluster.redis.start()
        env = cluster.app_env(redis_url)
        direct = {**env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB}",
                  "DJANGO_DB_TRANSACTION_POOLING": "false"}  # fmt: skip
        direct.pop("REPLICA_DATABASE_URL")
        cluster.manage(direct, "migrate", "--noinput")  # DDL and the RLS set-up: a session on the primary
        if os.environ.get("KINERJA_SKIP_SEED", "") not in {"1", "true", "yes"}:
            cluster.manage(direct, "seed_demo")
        cluster.manage(direct, "collectstatic", "--noinput", "--verbosity", "0")
        cluster.start_web(env)
        cluster.start_haproxy()
        cluster.start_celery(env)
        info: dict[str, Any] = {
            "primary": f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB}",
            "replica": f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB}",
            "pgbouncer": env["DATABASE_URL"],
            "pgbouncer_replica": env["REPLICA_DATABASE_URL"],
            "balancer": f"http://127.0.0.1:{LB_PORT}/",
            "web": [f"http://127.0.0.1:{p}/" for p in WEB_PORTS],
            "haproxy_stats": f"http://127.0.0.1:{STATS_PORT}/",
            "redis": redis_url,
            "logs": str(LOGS),
            "pids": {n: p.pid for n, p in cluster.children.items()},
        }
        _write_atomic(state, info)
        print(
            f"\n=== Kinerja cluster is up: http://127.0.0.1:{LB_PORT}/  (Ctrl-C stops everything) ===\n"
            f"{json.dumps({k: info[k] for k in ('primary', 'replica', 'balancer', 'web')}, indent=2)}\n"
            f"logs: {LOGS}\n",
            flush=True,
        )
        while True:
            cluster.restart_dead()
            pids = {n: p.pid for n, p in cluster.children.items()}
            if pids != info["pids"]:
                info["pids"] = pids
                _write_atomic(state, info)
            time.sleep(0.5)
    except (KeyboardInterrupt, GracefulExit):
        log("interrupted; shutting down")
        return 0
    except subprocess.CalledProcessError as exc:
        log(f"{exc}")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with contextlib.suppress(Exception):
            state.unlink(missing_ok=True)
        cluster.stop_all()
        left = [n for n, p in cluster.children.items() if p.poll() is None]
        log("everything stopped" if not left else f"still running: {left}")


if __name__ == "__main__":
    sys.exit(main())
