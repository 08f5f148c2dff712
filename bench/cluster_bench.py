#!/usr/bin/env python
"""Bench on a running `make cluster` (reads ``.data/cluster.json``). Not a test; `make bench ARGS="--phases cluster"`.

1. Generates N pegawai (default 100,000) in one new instansi, straight into the cluster's primary with
   COPY (``bench.generate``); the replica receives it by streaming replication.
2. Requests per second through HAProxy with both web nodes, then with ``web2`` disabled (HAProxy runtime
   API), same client load (``--rps-threads`` keep-alive clients on an authenticated JSON GET).
3. Starts the year-end batch of that instansi through the balancer (``POST /api/v1/tahunan/``, the
   ``batch`` worker runs it) and, while it runs:
   * posts feedback (``POST /api/v1/umpan-balik/``) through the balancer and measures the time until its
     notification e-mail was sent by the ``interactive`` worker (``Notifikasi.email_at``);
   * GETs pages and the HR report (``/evaluasi/laporan/``) in a loop, counting ``X-Kinerja-Node`` and
     errors; the report's queries are counted on PgBouncer's ``kinerja_replica`` database;
   * kills ``web2`` (SIGKILL to its process group) mid-run: the balancer must retry the GETs, and every
     feedback answered 201 must be in the database;
   * samples the replica lag (``pg_stat_replication`` on the primary, replay timestamp on the replica).
4. Prints a summary and writes ``bench/results/cluster.json``.

    .venv/bin/python bench/cluster_bench.py [--pegawai 100000] [--feedback 60] [--rps-seconds 20]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def haproxy_cmd(sock: Path, command: str) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(sock))
        s.sendall((command + "\n").encode())
        return s.recv(65536).decode()


def bouncer_stats(psql: str, port: int) -> dict[str, int]:
    """total_query_count per PgBouncer database (admin console, simple query protocol: psql)."""
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [psql, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "pgbouncer", "-A", "-F", "|",
         "-c", "SHOW STATS"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    header = out[0].split("|")
    col = header.index("total_query_count")
    return {
        cols[0]: int(cols[col]) for cols in (line.split("|") for line in out[1:]) if len(cols) == len(header)
    }


class Client:
    def __init__(self, base: str, token: str = "") -> None:
        import requests

        self.base = base.rstrip("/")
        self.s = requests.Session()
        if token:
            self.s.headers["Authorization"] = f"Token {token}"

    def req(self, method: str, path: str, **kw: Any) -> Any:
        return self.s.request(method, self.base + path, timeout=30, **kw)


def token(base: str, nip: str, password: str) -> str:
    """An API token; waits out the login throttle (30/min per address) when the bench logs in many leaders."""
    for _ in range(10):
        r = Client(base).req("POST", "/api/v1/auth/token/", json={"username": nip, "password": password})
        if r.status_code != 429:
            break
        time.sleep(float(r.headers.get("Retry-After") or 5))
    r.raise_for_status()
    return str(r.json()["token"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pegawai", type=int, default=100_000)
    ap.add_argument("--feedback", type=int, default=60, help="feedback posts during the batch")
    ap.add_argument("--rps-seconds", type=float, default=20)
    ap.add_argument("--rps-threads", type=int, default=8)
    ap.add_argument("--tahun", type=int, default=2026)
    ap.add_argument("--skip-generate", action="store_true", help="reuse the last generated instansi")
    ap.add_argument("--generate-only", action="store_true", help="generate the data set, then stop")
    ap.add_argument("--no-kill", action="store_true", help="do not kill web2 during the batch")
    args = ap.parse_args()

    state_file = ROOT / ".data" / "cluster.json"
    if not state_file.exists():
        raise SystemExit("no .data/cluster.json: start `make cluster` first")
    cl = json.loads(state_file.read_text())
    base = cl["balancer"].rstrip("/")
    home = Path(cl["logs"]).parent
    bouncer_port = int(cl["pgbouncer"].rsplit(":", 1)[1].split("/")[0])
    from scripts.cluster import pg_bindir

    psql = str(pg_bindir() / "psql")

    os.environ["DATABASE_URL"] = cl["primary"]
    os.environ.pop("REPLICA_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings.base"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ["REDIS_URL"] = cl["redis"]
    import django

    django.setup()
    import psycopg
    from django_scopes import scopes_disabled

    from bench.generate import BENCH_PASSWORD, generate

    result: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
    }
    load0 = os.getloadavg()

    # 1. data ------------------------------------------------------------------------------------------------
    with psycopg.connect(cl["primary"], autocommit=True) as conn:
        existing = conn.execute("SELECT count(*) FROM kinerja_instansi WHERE kode LIKE 'BENCH%%'").fetchone()[
            0
        ]
    info_file = ROOT / "bench" / "results" / "cluster-data.json"
    if args.skip_generate and info_file.exists():
        info = json.loads(info_file.read_text())
    else:
        t0 = time.perf_counter()
        with psycopg.connect(cl["primary"]) as conn:
            info = generate(
                conn, n_pegawai=args.pegawai, n_instansi=1, tahun=args.tahun, first_instansi=existing
            )
        info = {"pegawai": info["pegawai"], "rows": info["rows"], "probe": info["probes"][0],
                "generate_s": round(time.perf_counter() - t0, 1)}  # fmt: skip
        info_file.parent.mkdir(parents=True, exist_ok=True)
        info_file.write_text(json.dumps(info, default=str))
        print(
            f"generated {info['pegawai']:,} pegawai ({info['rows']:,} rows) in {info['generate_s']}s",
            flush=True,
        )
    if args.generate_only:
        return 0
    probe = info["probe"]
    result["pegawai"] = info["pegawai"]
    instansi_id = int(probe["instansi_id"])

    # Recipients need an e-mail address to get an immediate e-mail (the synthetic accounts have none).
    with psycopg.connect(cl["primary"], autocommit=True) as conn:
        rows = conn.execute(
            "SELECT s.id, s.pegawai_id, p.user_id, a.nip FROM skp_skp s JOIN kinerja_pegawai p ON p.id = s.pegawai_id "
            "JOIN kinerja_pegawai a ON a.id = p.atasan_id "
            "WHERE s.instansi_id = %s AND s.status = 'disetujui' AND s.tahun = %s AND a.nip = ANY(%s) "
            "ORDER BY s.id LIMIT %s",
            [instansi_id, args.tahun, probe["leader_nips"], args.feedback],
        ).fetchall()
        conn.execute(
            "UPDATE kinerja_user SET email = 'bench' || id || '@contoh.go.id' WHERE id = ANY(%s)",
            [[r[2] for r in rows]],
        )
        periode = conn.execute(
            "SELECT id FROM kinerja_periode WHERE instansi_id = %s AND tahun = %s ORDER BY mulai DESC LIMIT 1",
            [instansi_id, args.tahun],
        ).fetchone()[0]
    if not rows:
        raise SystemExit("no approved SKP under the probe leaders")
    leader_tokens = {nip: token(base, nip, BENCH_PASSWORD) for nip in {r[3] for r in rows}}
    admin_token = token(base, probe["admin_nip"], BENCH_PASSWORD)
    admin = Client(base, admin_token)

    # 2. requests/s with 2 vs 1 nodes -------------------------------------------------------------------------
    sock = home / "haproxy.sock"

    def load(seconds: float, threads: int, path: str = "/api/v1/me/") -> dict[str, Any]:
        counts: Counter[str] = Counter()
        errors = [0]
        lat: list[float] = []
        stop_at = time.monotonic() + seconds
        lock = threading.Lock()

        def worker() -> None:
            c = Client(base, admin_token)
            while time.monotonic() < stop_at:
                t = time.perf_counter()
                try:
                    r = c.req("GET", path)
                    ok = r.status_code == 200
                    node = r.headers.get("X-Kinerja-Node", "?")
                except Exception:
                    ok, node = False, "?"
                with lock:
                    lat.append(time.perf_counter() - t)
                    counts[node] += 1
                    errors[0] += 0 if ok else 1

        ts = [threading.Thread(target=worker) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        n = sum(counts.values())
        return {"requests": n, "rps": round(n / seconds, 1), "errors": errors[0], "nodes": dict(counts),
                "p50_ms": round(pct(lat, 50) * 1000, 1), "p95_ms": round(pct(lat, 95) * 1000, 1)}  # fmt: skip

    load(3, 2)  # warm up both nodes
    two = load(args.rps_seconds, args.rps_threads)
    haproxy_cmd(sock, "disable server web/web2")
    time.sleep(1.5)
    one = load(args.rps_seconds, args.rps_threads)
    haproxy_cmd(sock, "enable server web/web2")
    time.sleep(2.5)
    result["throughput"] = {"two_nodes": two, "one_node": one}
    print(
        f"GET /api/v1/me/ through HAProxy, {args.rps_threads} clients: 2 nodes {two}\n  1 node {one}",
        flush=True,
    )

    # 3. the batch, with feedback, page load, a node killed and lag sampling ---------------------------------------
    stats0 = bouncer_stats(psql, bouncer_port)
    r = admin.req("POST", "/api/v1/tahunan/", json={"tahun": args.tahun, "dry_run": False})
    if r.status_code != 202:
        raise SystemExit(f"batch start: {r.status_code} {r.text[:300]}")
    job = r.json()["job"]
    t_batch = time.monotonic()
    print(f"batch job {job} started", flush=True)
    done = threading.Event()
    lag_samples: list[dict[str, Any]] = []
    get_nodes: Counter[str] = Counter()
    get_errors: list[str] = []
    get_lat: list[float] = []
    report_count = [0]
    report_lat: list[float] = []
    loads: list[float] = []
    posted: list[tuple[int, float, int, float]] = []  # (umpan balik id, t_post wall, skp id, t_response wall)
    post_errors: list[str] = []
    killed: dict[str, Any] = {}

    def lag_sampler() -> None:
        with (
            psycopg.connect(cl["primary"], autocommit=True) as p,
            psycopg.connect(cl["replica"], autocommit=True) as rp,
        ):
            while not done.is_set():
                row = p.execute(
                    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), EXTRACT(EPOCH FROM replay_lag) "
                    "FROM pg_stat_replication LIMIT 1"
                ).fetchone()
                rrow = rp.execute(
                    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                    "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
                ).fetchone()
                loads.append(os.getloadavg()[0])
                lag_samples.append({"bytes": float(row[0] or 0) if row else None,
                                    "replay_lag_s": float(row[1] or 0) if row else None,
                                    "replica_lag_s": float(rrow[0] or 0)})  # fmt: skip
                time.sleep(0.5)

    def getter() -> None:
        c = Client(base, admin_token)
        paths = ["/api/v1/me/", "/api/v1/periode/", "/healthz/"]
        i = 0
        while not done.is_set():
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            try:
                resp = c.req("GET", path)
                get_nodes[resp.headers.get("X-Kinerja-Node", "?")] += 1
                if resp.status_code != 200:
                    get_errors.append(f"{path} {resp.status_code}")
            except Exception as exc:
                get_errors.append(f"{path} {type(exc).__name__}")
            get_lat.append(time.perf_counter() - t)

    def reporter() -> None:
        import requests

        s = requests.Session()  # the HR report is an HTML page: a session login through the balancer
        s.get(base + "/masuk/", timeout=30)
        s.post(base + "/masuk/", data={"username": probe["admin_nip"], "password": BENCH_PASSWORD,
                                       "csrfmiddlewaretoken": s.cookies.get("csrftoken", "")},
               headers={"Referer": base + "/masuk/"}, timeout=60)  # fmt: skip
        while not done.is_set():
            try:
                t = time.perf_counter()
                resp = s.get(base + "/evaluasi/laporan/", timeout=180)
                report_lat.append(time.perf_counter() - t)
                get_nodes[resp.headers.get("X-Kinerja-Node", "?")] += 1
                if resp.status_code == 200:
                    report_count[0] += 1
                else:
                    get_errors.append(f"laporan {resp.status_code}")
            except Exception as exc:
                get_errors.append(f"laporan {type(exc).__name__}")
            time.sleep(3)

    def poster() -> None:
        for i, (skp_id, _pid, _uid, nip) in enumerate(rows):
            c = Client(base, leader_tokens[nip])
            t = time.time()
            try:
                resp = c.req("POST", "/api/v1/umpan-balik/",
                             json={"skp": skp_id, "periode": periode, "isi": f"Umpan balik bench {i}"})  # fmt: skip
                if resp.status_code == 201:
                    posted.append((int(resp.json()["id"]), t, skp_id, time.time()))
                else:
                    post_errors.append(f"{resp.status_code} {resp.text[:120]}")
            except Exception as exc:
                post_errors.append(type(exc).__name__)
            time.sleep(0.25)

    def killer() -> None:
        time.sleep(4)
        for _ in range(20):  # the supervisor rewrites the file when a pid changes
            with contextlib.suppress(ValueError, KeyError):
                pid = int(json.loads(state_file.read_text())["pids"]["web2"])
                break
            time.sleep(0.1)
        killed["at_s"] = round(time.monotonic() - t_batch, 1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        killed["pid"] = pid

    threads = [threading.Thread(target=f) for f in (lag_sampler, getter, getter, reporter, poster)]
    if not args.no_kill:
        threads.append(threading.Thread(target=killer))
    for t in threads:
        t.start()
    status: dict[str, Any] = {}
    try:
        while True:
            resp = admin.req("GET", f"/api/v1/jobs/{job}/")
            if resp.status_code == 200:
                status = resp.json()
                if status["status"] in ("selesai", "gagal"):
                    break
            else:
                get_errors.append(f"job poll {resp.status_code}")
            time.sleep(0.5)
        batch_s = time.monotonic() - t_batch
        threads[4].join()  # every feedback posted
        time.sleep(3)  # the last e-mails
    finally:
        done.set()
        for t in threads:
            t.join()
    stats1 = bouncer_stats(psql, bouncer_port)

    # notification latency: e-mail sent by the interactive worker (email_at) minus the POST start
    from dialog.models import Notifikasi, UmpanBalik

    ids = [p[0] for p in posted]
    with scopes_disabled():
        found = set(UmpanBalik._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
        notif = list(
            Notifikasi._base_manager.filter(instansi_id=instansi_id, jenis="umpan_balik", email_at__isnull=False,
                                            created_at__gte=dt.datetime.fromtimestamp(min(p[1] for p in posted), dt.UTC))
            .values_list("penerima_id", "created_at", "email_at")
        )  # fmt: skip
    skp_user = {r[0]: r[2] for r in rows}
    first_email: dict[int, dt.datetime] = {}
    for uid, _created, email_at in notif:
        first_email[uid] = min(first_email.get(uid, email_at), email_at)
    latencies = []
    post_s = [t_resp - t_post for _id, t_post, _skp, t_resp in posted]  # the POST through the balancer
    after_s = []  # 201 received -> e-mail claimed by the worker (commit, on_commit publish, pick-up)
    for _id, t_post, skp_id, t_resp in posted:
        e = first_email.get(skp_user[skp_id])
        if e is not None:
            latencies.append(e.timestamp() - t_post)
            after_s.append(e.timestamp() - t_resp)
    result["batch"] = {"job": job, "status": status["status"], "seconds": round(batch_s, 1),
                       "pegawai_per_s": round(info["pegawai"] / batch_s)}  # fmt: skip
    result["feedback"] = {
        "posted_201": len(posted), "post_errors": post_errors[:10], "in_database": len(found),
        "emails_sent": len(latencies), "p50_s": round(pct(latencies, 50), 3), "p95_s": round(pct(latencies, 95), 3),
        "max_s": round(max(latencies), 3) if latencies else None,
        "post_p50_s": round(pct(post_s, 50), 3), "post_p95_s": round(pct(post_s, 95), 3),
        "after_response_p50_s": round(pct(after_s, 50), 3), "after_response_p95_s": round(pct(after_s, 95), 3),
        "after_response_max_s": round(max(after_s), 3) if after_s else None,
    }  # fmt: skip
    result["gets"] = {"requests": sum(get_nodes.values()), "nodes": dict(get_nodes), "errors": get_errors[:20],
                      "error_count": len(get_errors), "p95_ms": round(pct(get_lat, 95) * 1000, 1),
                      "reports_200": report_count[0], "web2_killed": killed,
                      "report_p50_s": round(pct(report_lat, 50), 3), "report_p95_s": round(pct(report_lat, 95), 3),
                      "report_max_s": round(max(report_lat), 3) if report_lat else None}  # fmt: skip
    result["replica"] = {
        "pgbouncer_queries_on_replica": stats1.get("kinerja_replica", 0) - stats0.get("kinerja_replica", 0),
        "pgbouncer_queries_on_primary": stats1.get("kinerja", 0) - stats0.get("kinerja", 0),
        "lag_bytes_max": max((s["bytes"] or 0) for s in lag_samples) if lag_samples else None,
        "lag_s_p95": round(pct([s["replica_lag_s"] for s in lag_samples], 95), 3),
        "lag_s_max": round(max(s["replica_lag_s"] for s in lag_samples), 3) if lag_samples else None,
        "replay_lag_s_max": round(max((s["replay_lag_s"] or 0) for s in lag_samples), 3)
        if lag_samples
        else None,
        "samples": len(lag_samples),
    }
    result["load_average"] = {"before": load0, "after": os.getloadavg(),
                              "during_min": min(loads, default=None), "during_max": max(loads, default=None)}  # fmt: skip
    out = ROOT / "bench" / "results" / "cluster.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))
    if latencies:
        print(
            f"feedback -> e-mail sent: p50 {statistics.median(latencies):.3f}s p95 {pct(latencies, 95):.3f}s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
