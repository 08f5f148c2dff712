#!/usr/bin/env python
"""``make bench``: synthetic data at 10k / 100k / 1M pegawai, then the benchmarks. Not a test.

    make bench                                   # quick 10k profile: generate, batch (+ baselines), queries, HTTP 30 s
    make bench ARGS="--size 100k"                # 100k pegawai over 4 instansi, all phases
    make bench ARGS="--size 1m --phases gen,batch"   # 1M pegawai over 10 instansi, batch only
    make bench ARGS="--size 10k --phases http --duration 60 --keep"   # reuse kept data

Phases (``--phases``, comma separated; default ``gen,batch,queries,http``): ``gen`` (create + migrate the database
``kinerja_bench_<size>`` on 127.0.0.1:5432 and load it with COPY, ``bench/generate.py``), ``batch``
(year-end batch over every instansi, in ``--batch-workers`` child processes whose peak RSS is measured,
plus baselines on the same data inside rolled-back transactions: a naive per-pegawai ORM loop on a 10k
subset and three hand-written SQL floors: the annual rows' UPDATE, the batch's core UPDATE, every write), ``queries`` (Django test client against the bench DB: query count and
time of each main page for a leader/unit with 3 and with 300 rows, EXPLAIN (ANALYZE, BUFFERS) of the
slowest query), ``http`` (gunicorn, 3 workers, loopback; locust headless, 50 users), ``log`` (log harian: ~200 entries per
pegawai-year generated with one INSERT ... SELECT, p95 of the verification and recap queries with EXPLAIN,
``scripts/bench_log_harian.py``), ``dokumen``
(calls ``scripts/bench_dokumen.py`` if present, owned by the documents team), ``cluster`` (only on request:
``make bench ARGS="--phases cluster"`` runs ``bench/cluster_bench.py`` against a running ``make cluster``).

Results: ``bench/results/<size>-<phase>.json`` (git-ignored) and the generated table between the
``bench:begin``/``bench:end`` markers of docs/performance.md (built from all result files present).
Databases other than 10k are dropped at the end unless ``--keep``. Never touches dev/test databases.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import machine  # noqa: E402 - after the path insert

RESULTS = ROOT / "bench" / "results"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SIZES = {"10k": (10_000, 2), "100k": (100_000, 4), "1m": (1_000_000, 10)}
ALLOWED_DB = {f"kinerja_bench_{s}" for s in SIZES}
NAIVE_SUBSET = 10_000
LOGIN_ALLOWANCE = (
    240  # upper bound for the login storm; the locustfile stops `duration` s after the last login
)
TAHUN = dt.date.today().year  # noqa: DTZ011 - the generated year; the app's "current year"


# ---------------------------------------------------------------------------------------------- helpers


def db_url(db: str) -> str:
    if db not in ALLOWED_DB:
        raise SystemExit(f"refusing database {db!r}: only {sorted(ALLOWED_DB)}")
    return f"{PG}/{db}"


def setup_django(db: str) -> None:
    os.environ["DATABASE_URL"] = db_url(db)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings.base"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection

    if connection.settings_dict["NAME"] != db:
        raise SystemExit(f"connected to {connection.settings_dict['NAME']!r}, expected {db!r}")


def save(size: str, phase: str, data: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"size": size, "phase": phase, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **data}
    (RESULTS / f"{size}-{phase}.json").write_text(json.dumps(data, indent=2, default=str))
    print(f"-> bench/results/{size}-{phase}.json")


def load(size: str, phase: str) -> dict[str, Any] | None:
    f = RESULTS / f"{size}-{phase}.json"
    return json.loads(f.read_text()) if f.exists() else None


def child(args: list[str], timeout: int = 7200) -> dict[str, Any]:
    """Run this script as a child process (fresh interpreter, own RSS), return its JSON on the last line."""
    out = subprocess.run(
        [sys.executable, __file__, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-4000:] + out.stderr[-8000:])
        raise SystemExit(f"child {args} failed ({out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def children_parallel(arg_lists: list[list[str]], timeout: int = 7200) -> list[dict[str, Any]]:
    """Run several children at once (one batch worker each); return their JSON lines in order."""
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, *a],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for a in arg_lists
    ]
    out = []
    try:
        for a, pr in zip(arg_lists, procs, strict=True):
            stdout, stderr = pr.communicate(timeout=timeout)
            if pr.returncode != 0:
                sys.stderr.write(stdout[-4000:] + stderr[-8000:])
                raise SystemExit(f"child {a} failed ({pr.returncode})")
            out.append(json.loads(stdout.strip().splitlines()[-1]))
    finally:
        for pr in procs:  # one failed or timed out: do not leave the others running
            if pr.poll() is None:
                pr.kill()
    return out


def probes(db: str) -> dict[str, Any]:
    return json.loads((RESULTS / f"{db}-probes.json").read_text())


# ---------------------------------------------------------------------------------------------- gen


def phase_gen(size: str, db: str) -> None:
    import psycopg

    n, m = SIZES[size]
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    setup_django(db)
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    t_mig = time.perf_counter() - t0
    from bench.generate import generate

    print(f"generating {n:,} pegawai over {m} instansi into {db} ...", flush=True)
    t0 = time.perf_counter()
    with psycopg.connect(db_url(db)) as conn:
        info = generate(conn, n_pegawai=n, n_instansi=m, tahun=TAHUN)
        conn.commit()
        # leaders for the load test: heads of ordinary leaf units, with their subordinates' SKPs
        rows = conn.execute(
            """
            SELECT p.instansi_id, u.nip, p.unit_kerja_id, array_agg(s.id ORDER BY s.id)
            FROM kinerja_pegawai p JOIN kinerja_user u ON u.id = p.user_id
            JOIN kinerja_unitkerja uk ON uk.id = p.unit_kerja_id AND uk.depth = 3
            JOIN kinerja_pegawai st ON st.atasan_id = p.id AND st.instansi_id = p.instansi_id
            JOIN skp_skp s ON s.pegawai_id = st.id AND s.instansi_id = p.instansi_id AND s.tahun = %s
            WHERE u.nip = ANY(%s)
            GROUP BY 1, 2, 3
            """,
            [TAHUN, [nip for pr in info["probes"] for nip in pr["leader_nips"][:100]]],
        ).fetchall()
        owners: dict[int, str] = dict(
            conn.execute(
                "SELECT s.id, u.nip FROM skp_skp s JOIN kinerja_pegawai p ON p.id = s.pegawai_id"
                " JOIN kinerja_user u ON u.id = p.user_id WHERE s.id = ANY(%s)",
                [[pr[k] for pr in info["probes"] for k in ("skp_rhk3_id", "skp_rhk8_id")]],
            ).fetchall()
        )
        sizes: dict[str, int] = dict(conn.execute(
            "SELECT 'db_bytes', pg_database_size(current_database()) UNION ALL "
            "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c WHERE relname IN "
            "('evaluasi_evaluasi','skp_indikator','skp_rhk','dialog_realisasi','kinerja_pegawai')"
        ).fetchall())  # fmt: skip
    gen_s = time.perf_counter() - t0
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{db}-probes.json").write_text(
        json.dumps(
            {
                "probes": info["probes"],
                "leaders": [{"instansi": r[0], "nip": r[1], "unit": r[2], "skp": r[3][:20]} for r in rows],
                "owners": {str(k): v for k, v in owners.items()},
            }
        )
    )
    info.pop("probes")
    save(size, "gen", {"db": db, "migrate_s": round(t_mig, 1), "generate_s": round(gen_s, 1), **info, "sizes": sizes,
                       "machine": machine()})  # fmt: skip
    print(f"generated {info['rows']:,} rows in {gen_s:.0f}s ({info['rows'] / gen_s:,.0f} rows/s)")


# ---------------------------------------------------------------------------------------------- batch


def _peak_rss_mb() -> float:
    """Peak RSS of this process since it started (``VmHWM``). Not ``ru_maxrss``: Linux carries that over
    from the parent across fork + exec, so a child started after the generator reported its parent's peak."""
    with contextlib.suppress(OSError, StopIteration):
        line = next(
            ln for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith("VmHWM:")
        )
        return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _child_batch(db: str, mode: str, worker: int = 0, workers: int = 1) -> None:
    """Child process: ``batch`` (the real year-end batch over the instansi of worker ``worker`` of
    ``workers``, one after another, as one batch worker), ``floor`` (one UPDATE for everything, rolled
    back), ``floor_full`` (per instansi one hand-written statement doing every write the batch does,
    rolled back), ``naive`` (ORM loop on a 10k subset, rolled back)."""
    setup_django(db)
    from django.db import connection, transaction
    from django.utils import timezone
    from django_scopes import scope

    from evaluasi import scoring
    from evaluasi.batch import PRED
    from kinerja.models import Instansi

    instansi = list(
        Instansi.objects.filter(kode__startswith="BENCH").order_by("pk").values_list("pk", flat=True)
    )
    if mode == "batch":
        instansi = instansi[worker::workers]
    rss0 = _peak_rss_mb()
    out: dict[str, Any] = {"mode": mode}
    t0 = time.perf_counter()
    if mode in ("floor", "floor_core"):
        # floor: the annual rows only; floor_core: every rated evaluation of the year (the batch's core update)
        annual_only = "AND e.jenis = 'tahunan'" if mode == "floor" else ""
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(
                    f"""
                    UPDATE evaluasi_evaluasi e
                    SET predikat = {PRED}, status = 'final', final_at = now(), updated_at = now()
                    WHERE e.instansi_id = ANY(%s) {annual_only} AND e.tahun = %s AND e.status <> 'final'
                      AND {PRED} <> ''
                    """,  # noqa: S608 - PRED is generated from the enum table, annual_only is a literal
                    [instansi, TAHUN],
                )
                out["rows"] = cur.rowcount
            out["seconds"] = time.perf_counter() - t0
            transaction.set_rollback(True)
    elif mode == "floor_full":
        out.update(_floor_full(instansi))
    elif mode == "naive":
        from evaluasi.models import Evaluasi
        from kinerja.models import Pegawai

        iid = instansi[0]
        with scope(instansi=iid), transaction.atomic():
            ids = list(
                Pegawai.objects.filter(instansi_id=iid)
                .order_by("pk")
                .values_list("pk", flat=True)[:NAIVE_SUBSET]
            )
            t0 = time.perf_counter()
            done = 0
            for pid in ids:
                ev = Evaluasi.objects.filter(
                    instansi_id=iid, jenis="tahunan", tahun=TAHUN, pegawai_id=pid
                ).first()
                if (
                    ev is None
                    or ev.status == "final"
                    or not ev.rating_hasil_kerja
                    or not ev.rating_perilaku_kerja
                ):
                    continue
                ev.predikat = scoring.predikat(ev.rating_hasil_kerja, ev.rating_perilaku_kerja)
                ev.status = "final"
                ev.final_at = timezone.now()
                ev.save(update_fields=["predikat", "status", "final_at", "updated_at"])
                done += 1
            out.update(seconds=time.perf_counter() - t0, pegawai=len(ids), rows=done)
            transaction.set_rollback(True)
    else:
        import re
        from collections import defaultdict

        from django.db import connection as conn_

        from bench.common import run_tahunan

        stmt_time: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

        def timer(execute, sql, params, many, context):
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                key = re.sub(r"\s+", " ", sql).strip()[:90]
                stmt_time[key][0] += time.perf_counter() - t
                stmt_time[key][1] += 1

        conn_.execute_wrappers.append(timer)
        # Time spent in the notification hook (the dialog app's set-based notifikasi_create_bulk, called
        # once per final chunk): its SQL and its Python (one Notifikasi object per pegawai), measured apart.
        from evaluasi import hooks

        notify_orig, notify_time = hooks.notify_evaluasi_final, [0.0, 0]

        def notify_timed(**kw: Any) -> int:
            t = time.perf_counter()
            try:
                return notify_orig(**kw)
            finally:
                notify_time[0] += time.perf_counter() - t
                notify_time[1] += 1

        hooks.notify_evaluasi_final = notify_timed
        per = []
        total_peg = 0
        for iid in instansi:
            secs, detail = run_tahunan(instansi_id=iid, tahun=TAHUN, dry_run=False)
            r = detail["ringkasan"]
            total_peg += r["pegawai"]
            per.append({"instansi": iid, "pegawai": r["pegawai"], "seconds": round(secs, 2), "final": r["final"],
                        "chunks": detail["chunk"]["total"], "tindak_lanjut": r["tindak_lanjut"],
                        "angka_kredit": r["angka_kredit"]["pegawai"]})  # fmt: skip
            print(
                f"  batch instansi {iid}: {r['pegawai']:,} pegawai in {secs:.1f}s",
                file=sys.stderr,
                flush=True,
            )
        out.update(seconds=time.perf_counter() - t0, pegawai=total_peg, per_instansi=per)
        out["notify"] = {"seconds": round(notify_time[0], 2), "calls": notify_time[1]}
        out["sql_seconds"] = round(sum(v[0] for v in stmt_time.values()), 2)
        top = sorted(stmt_time.items(), key=lambda kv: -kv[1][0])[:12]
        out["top_statements"] = [{"sql": k, "seconds": round(v[0], 2), "calls": v[1]} for k, v in top]
    if mode.startswith("floor"):
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM kinerja_pegawai WHERE instansi_id = ANY(%s)", [instansi])
            out["pegawai"] = cur.fetchone()[0]
    out["rss_before_mb"] = rss0
    out["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(out))


def _floor_full(instansi: list[int]) -> dict[str, Any]:
    """The floor with every write the batch makes, in hand-written SQL and no Python in between: per
    instansi ONE statement (data-modifying CTEs) that finalises every rated evaluation of the year
    (periodic and annual, predikat from the matrix), inserts the follow-ups and angka kredit of the annual
    ones (the batch's own SELECTs, fed from the UPDATE's RETURNING) and one notification per finalised
    pegawai. Not done here (the batch does them): materialising missing annual rows, unit refresh,
    completeness and distribution reads, the chunk ledger, audit rows, progress. Rolled back."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from evaluasi.batch import PRED, angka_kredit_select, tindak_lanjut_select

    fin_src = "(SELECT id AS evaluasi_id, pegawai_id, predikat, tanggal FROM fin WHERE jenis = 'tahunan')"
    sql = f"""
        WITH fin AS (
            UPDATE evaluasi_evaluasi e
            SET predikat = {PRED}, status = 'final', final_at = %(now)s, updated_at = %(now)s
            WHERE e.instansi_id = %(instansi)s AND e.tahun = %(tahun)s AND e.status <> 'final' AND {PRED} <> ''
            RETURNING e.id, e.pegawai_id, e.jenis, {PRED} AS predikat, (%(now)s AT TIME ZONE %(tz)s)::date AS tanggal
        ),
        tl AS (
            INSERT INTO evaluasi_tindaklanjut (instansi_id, pegawai_id, tahun, evaluasi_id, jenis, mulai, selesai,
                                               created_at, updated_at)
            SELECT %(instansi)s, t.pegawai_id, %(tahun)s, t.evaluasi_id, t.jenis, t.mulai, t.selesai, %(now)s, %(now)s
            FROM ({tindak_lanjut_select(fin_src)}) t
            ON CONFLICT DO NOTHING RETURNING 1
        ),
        ak AS (
            INSERT INTO evaluasi_angkakredit (instansi_id, pegawai_id, tahun, evaluasi_id, jenjang, predikat,
                                              persentase, koefisien, bulan, nilai, created_at, updated_at)
            SELECT %(instansi)s, a.pegawai_id, %(tahun)s, a.evaluasi_id, a.jenjang, a.predikat, a.persen, a.koef,
                   a.bulan, a.nilai, %(now)s, %(now)s
            FROM ({angka_kredit_select(fin_src)}) a
            ON CONFLICT DO NOTHING RETURNING 1
        ),
        nt AS (
            INSERT INTO dialog_notifikasi (instansi_id, penerima_id, aktor_id, jenis, judul, pesan, tautan, kunci,
                                           dibaca_at, email_status, email_at, created_at, updated_at)
            SELECT %(instansi)s, u.id, NULL, 'evaluasi_final', 'Evaluasi kinerja tahunan telah final', '',
                   '/evaluasi/', 'bench-floor', NULL, 'segera', NULL, %(now)s, %(now)s
            FROM fin JOIN kinerja_pegawai p ON p.id = fin.pegawai_id AND p.instansi_id = %(instansi)s
            JOIN kinerja_user u ON u.id = p.user_id
            WHERE fin.jenis = 'tahunan'
            ON CONFLICT DO NOTHING RETURNING 1
        )
        SELECT (SELECT count(*) FROM fin), (SELECT count(*) FROM tl), (SELECT count(*) FROM ak),
               (SELECT count(*) FROM nt)
    """  # noqa: S608 - PRED and the sub-selects are generated from enum tables
    rows = {"evaluasi": 0, "tindak_lanjut": 0, "angka_kredit": 0, "notifikasi": 0}
    t0 = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cur:
            for iid in instansi:
                cur.execute(
                    sql, {"instansi": iid, "tahun": TAHUN, "now": timezone.now(), "tz": settings.TIME_ZONE}
                )
                for k, v in zip(rows, cur.fetchone(), strict=True):
                    rows[k] += v
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred FK checks, inside the timing
        seconds = time.perf_counter() - t0
        transaction.set_rollback(True)
    return {"seconds": seconds, "rows": rows}


def phase_batch(size: str, db: str, workers: int = 1) -> None:
    import psycopg

    res: dict[str, Any] = {"db": db, "machine": machine()}
    print("batch: floor (one UPDATE, rolled back) ...", flush=True)
    res["floor"] = child(["_batch", db, "floor"])
    if not res["floor"]["rows"]:
        raise SystemExit(
            f"{db}: no annual evaluation left to finalise (a batch already ran on this data); the figures would "
            "be meaningless. Generate fresh data: --phases gen,batch"
        )
    print(
        "batch: core floor (one UPDATE finalising every evaluation of the year, rolled back) ...", flush=True
    )
    res["floor_core"] = child(["_batch", db, "floor_core"])
    print("batch: full floor (one statement per instansi with every write, rolled back) ...", flush=True)
    res["floor_full"] = child(["_batch", db, "floor_full"])
    print("batch: naive ORM loop on a 10k subset (rolled back) ...", flush=True)
    res["naive"] = child(["_batch", db, "naive"])
    with psycopg.connect(db_url(db), autocommit=True) as conn:
        for t in ("evaluasi_evaluasi", "evaluasi_tindaklanjut", "evaluasi_angkakredit", "dialog_notifikasi"):
            conn.execute(f"VACUUM ANALYZE {t}")  # the rollbacks left dead tuples
    print(f"batch: real year-end batch, every instansi, {workers} worker process(es) ...", flush=True)
    t0 = time.perf_counter()
    parts = children_parallel([["_batch", db, "batch", str(k), str(workers)] for k in range(workers)])
    wall = time.perf_counter() - t0
    res["batch"] = {
        "mode": "batch", "workers": workers, "seconds": max(p["seconds"] for p in parts),
        "wall_seconds_incl_startup": round(wall, 2), "pegawai": sum(p["pegawai"] for p in parts),
        "peak_rss_mb": max(p["peak_rss_mb"] for p in parts),
        "notify": {"seconds": round(sum(p["notify"]["seconds"] for p in parts), 2),
                   "calls": sum(p["notify"]["calls"] for p in parts)},
        "per_worker": parts,
    }  # fmt: skip
    for k in ("floor", "floor_core", "floor_full", "naive", "batch"):
        res[k]["pegawai_per_s"] = round(res[k]["pegawai"] / res[k]["seconds"])
    res["ratio_batch_vs_naive"] = round(res["batch"]["pegawai_per_s"] / res["naive"]["pegawai_per_s"], 1)
    res["ratio_floor_vs_batch"] = round(res["floor"]["pegawai_per_s"] / res["batch"]["pegawai_per_s"], 2)
    res["ratio_floor_core_vs_batch"] = round(
        res["floor_core"]["pegawai_per_s"] / res["batch"]["pegawai_per_s"], 2
    )
    res["ratio_floor_full_vs_batch"] = round(
        res["floor_full"]["pegawai_per_s"] / res["batch"]["pegawai_per_s"], 2
    )
    res["loadavg_at_end"] = os.getloadavg()
    save(size, "batch" if workers == 1 else f"batch-w{workers}", res)
    print(
        f"batch {res['batch']['pegawai_per_s']:,}/s (RSS {res['batch']['peak_rss_mb']} MB); naive "
        f"{res['naive']['pegawai_per_s']:,}/s; floor {res['floor']['pegawai_per_s']:,}/s; "
        f"batch/naive {res['ratio_batch_vs_naive']}x; floor/batch {res['ratio_floor_vs_batch']}x; core floor "
        f"{res['floor_core']['pegawai_per_s']:,}/s, core floor/batch {res['ratio_floor_core_vs_batch']}x; full floor "
        f"{res['floor_full']['pegawai_per_s']:,}/s, full floor/batch {res['ratio_floor_full_vs_batch']}x"
    )


# ---------------------------------------------------------------------------------------------- queries


def _child_queries(db: str) -> None:
    setup_django(db)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from kinerja.models import User

    pr = probes(db)
    p0 = pr["probes"][0]
    owners = pr["owners"]
    pages: list[tuple[str, str, str, str]] = []  # (page, rows label, user nip, url)
    for label, nip, unit in (
        ("3", p0["leader3_nip"], p0["unit3_id"]),
        ("300", p0["leader300_nip"], p0["unit300_id"]),
    ):
        pages += [
            ("Inbox persetujuan SKP (HTML, 50/page)", label, nip, reverse("skp:inbox")),
            ("Inbox SKP (API)", label, nip, reverse("api-skp-inbox")),
            ("Daftar evaluasi (HTML, 50/page)", label, nip, reverse("evaluasi:daftar")),
            ("Daftar evaluasi (API)", label, nip, reverse("api-evaluasi-list")),
            ("Distribusi unit (HTML, admin)", label, p0["admin_nip"], reverse("evaluasi:unit", args=[unit])),
            (
                "Daftar pegawai per unit (HTML, admin)",
                label,
                p0["admin_nip"],
                reverse("pegawai-list") + f"?unit={unit}",
            ),
            (
                "Daftar pegawai per unit (API, admin)",
                label,
                p0["admin_nip"],
                reverse("api-pegawai-list") + f"?unit={unit}",
            ),
            ("Dasbor", label, nip, reverse("dashboard")),
            ("Beranda dialog", label, nip, reverse("dialog:beranda")),
        ]
    for label, key in (("3", "skp_rhk3_id"), ("8", "skp_rhk8_id")):
        sid = p0[key]
        pages += [
            ("Detail SKP (HTML), rows = RHK", label, owners[str(sid)], reverse("skp:detail", args=[sid])),
            ("Detail SKP (API), rows = RHK", label, owners[str(sid)], reverse("api-skp-detail", args=[sid])),
        ]
    out = []
    slowest: tuple[float, str, str] = (0.0, "", "")
    client = Client()
    for page, label, nip, url in pages:
        client.force_login(User.objects.get(nip=nip))
        client.get(url)  # warm (first-access materialisation, caches)
        best = None
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                resp = client.get(url)
                ms = (time.perf_counter() - t0) * 1000
            best = ms if best is None else min(best, ms)
        for q in ctx.captured_queries:
            if float(q["time"]) > slowest[0]:
                slowest = (float(q["time"]), q["sql"], page)
        out.append({"page": page, "rows": label, "url": url, "status": resp.status_code,
                    "queries": len(ctx.captured_queries), "ms": round(best or 0, 1)})  # fmt: skip
    explain = ""
    if slowest[1]:
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[1])
            explain = "\n".join(r[0] for r in cur.fetchall())
    print(json.dumps({"pages": out, "slowest": {"seconds": slowest[0], "page": slowest[2], "sql": slowest[1][:4000],
                                                "explain": explain}}))  # fmt: skip


def phase_queries(size: str, db: str) -> None:
    load_before = os.getloadavg()
    res = child(["_queries", db])
    save(size, "queries", {"db": db, **res, "loadavg_before": load_before, "loadavg_after": os.getloadavg()})
    for p in res["pages"]:
        print(
            f"  {p['page']:<42} rows={p['rows']:>3} status={p['status']} queries={p['queries']:>3} {p['ms']:>8.1f} ms"
        )
    print(f"  slowest query {res['slowest']['seconds']} s on {res['slowest']['page']}")


# ---------------------------------------------------------------------------------------------- http


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def phase_http(size: str, db: str, users: int, duration: int, workers: int) -> None:
    import csv
    import urllib.request

    import psycopg

    with psycopg.connect(db_url(db)) as conn:
        leaf = conn.execute(
            """
            SELECT u.nip, p.unit_kerja_id, (SELECT array_agg(s.id ORDER BY s.id) FROM kinerja_pegawai st
                   JOIN skp_skp s ON s.pegawai_id = st.id AND s.instansi_id = st.instansi_id AND s.tahun = %(t)s
                   WHERE st.atasan_id = p.id AND st.instansi_id = p.instansi_id),
                   (SELECT array_agg(s.id ORDER BY s.id) FROM kinerja_pegawai st
                   JOIN skp_skp s ON s.pegawai_id = st.id AND s.instansi_id = st.instansi_id AND s.tahun = %(t)s
                        AND s.status = 'disetujui'
                   WHERE st.atasan_id = p.id AND st.instansi_id = p.instansi_id),
                   (SELECT pr.id FROM kinerja_periode pr WHERE pr.instansi_id = p.instansi_id AND pr.tahun = %(t)s
                        AND pr.mulai <= CURRENT_DATE AND pr.selesai >= CURRENT_DATE)
            FROM kinerja_unitkerja uk
            JOIN kinerja_pegawai p ON p.unit_kerja_id = uk.id AND p.instansi_id = uk.instansi_id AND p.jabatan_id IN
                 (SELECT id FROM kinerja_jabatan WHERE nama = 'Kepala Seksi')
            JOIN kinerja_user u ON u.id = p.user_id
            WHERE uk.depth = 3 AND uk.id <> ALL(%(probe)s) AND uk.nama LIKE 'Unit %%'
            ORDER BY uk.id LIMIT 400
            """,
            {
                "t": TAHUN,
                "probe": [u for pr in probes(db)["probes"] for u in (pr["unit3_id"], pr["unit300_id"])],
            },
        ).fetchall()
        mid = conn.execute(
            """
            SELECT u.nip, (SELECT array_agg(c.id) FROM kinerja_unitkerja c WHERE c.induk_id = uk.id
                           AND c.instansi_id = uk.instansi_id)
            FROM kinerja_unitkerja uk
            JOIN kinerja_pegawai p ON p.unit_kerja_id = uk.id AND p.instansi_id = uk.instansi_id
                 AND p.atasan_id IS NOT NULL AND p.atasan_id NOT IN (SELECT id FROM kinerja_pegawai x
                 WHERE x.unit_kerja_id = uk.id)
            JOIN kinerja_user u ON u.id = p.user_id
            WHERE uk.depth = 2 ORDER BY uk.id LIMIT 100
            """
        ).fetchall()
    (RESULTS / f"{db}-load.json").write_text(json.dumps({
        "leaders": [{"nip": r[0], "unit": r[1], "skp": (r[2] or [])[:20], "skp_ok": (r[3] or [])[:20], "periode": r[4]}
                    for r in leaf if r[2] and r[3]],
        "heads": [{"nip": r[0], "units": r[1]} for r in mid if r[1]],
    }))  # fmt: skip
    load_before = os.getloadavg()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url(db), "DJANGO_SETTINGS_MODULE": "kinerja.settings.base",
           "DJANGO_DEBUG": "0", "DJANGO_CONN_MAX_AGE": "60", "DJANGO_LOG_LEVEL": "WARNING"}  # fmt: skip
    venv = Path(sys.executable).parent
    gun = subprocess.Popen(
        [str(venv / "gunicorn"), "kinerja.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--timeout", "60"], cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(60):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2)
                break
            time.sleep(0.5)
        prefix = RESULTS / f"{size}-locust"
        login_out = RESULTS / f"{size}-login.json"
        login_out.unlink(missing_ok=True)
        lenv = {**os.environ, "BENCH_PROBES": str(RESULTS / f"{db}-load.json"), "BENCH_USERS": str(users),
                "BENCH_LOGIN_OUT": str(login_out), "BENCH_MEASURE_S": str(duration)}  # fmt: skip
        t0 = time.perf_counter()
        subprocess.run(
            [str(venv / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(users),
             "-r", "10", "-t", f"{duration + LOGIN_ALLOWANCE}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
             "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"],
            cwd=ROOT, env=lenv, check=False, timeout=duration + LOGIN_ALLOWANCE + 60,
        )  # fmt: skip
        wall = time.perf_counter() - t0
    finally:
        os.killpg(gun.pid, signal.SIGTERM)
        gun.wait(timeout=30)

    def num(v: str | None) -> float:
        return float(v) if v and v != "N/A" else 0.0

    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = [
            {
                "name": r["Name"], "method": r["Type"], "requests": int(r["Request Count"]),
                "failures": int(r["Failure Count"]), "p50_ms": num(r["50%"]), "p95_ms": num(r["95%"]),
                "p99_ms": num(r["99%"]), "rps": round(num(r["Requests/s"]), 1),
            }
            for r in csv.DictReader(f)
            if int(r["Request Count"] or 0) > 0
        ]  # fmt: skip
    failures = []
    with contextlib.suppress(OSError), open(f"{prefix}_failures.csv", newline="") as f:
        failures = list(csv.DictReader(f))[:20]
    for suffix in ("stats", "stats_history", "failures", "exceptions"):  # parsed into the JSON; CSVs not kept
        Path(f"{prefix}_{suffix}.csv").unlink(missing_ok=True)
    dialog_api = (ROOT / "dialog" / "api_urls.py").read_text()
    missing = (
        []
        if '"umpan-balik/"' in dialog_api
        else ["POST /api/v1/umpan-balik/ (not measured: dialog/api_urls.py has no such route yet)"]
    )
    login = json.loads(login_out.read_text()) if login_out.exists() else {}
    save(size, "http", {"db": db, "login_storm": login, "users": users, "duration_s": duration, "gunicorn_workers": workers,
                        "wall_s": round(wall), "stats": rows, "failures": failures, "machine": machine(),
                        "loadavg_before": load_before,
                        "missing": missing})  # fmt: skip
    print(f"  login storm ({users} logins at once): {login}")
    for r in rows:
        print(f"  {r['name']:<28} n={r['requests']:>6} err={r['failures']:>4} p50={r['p50_ms']:>6.0f} "
              f"p95={r['p95_ms']:>6.0f} p99={r['p99_ms']:>6.0f} rps={r['rps']}")  # fmt: skip


# ---------------------------------------------------------------------------------------------- dokumen


def phase_log(size: str, db: str) -> None:
    """Log harian: ~200 entries per pegawai-year with set-based SQL, then p95 of the verification page
    query and the monthly recap with EXPLAIN (scripts/bench_log_harian.py; docs/log-harian.md)."""
    per = os.environ.get("BENCH_LOG_PER_PEGAWAI", "200")
    print(f"log: generating ~{per} log harian entries per pegawai, then measuring ...", flush=True)
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_log_harian.py"), db, "--per-pegawai", per],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=7200,
    )  # fmt: skip
    try:
        data = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        data = {"status": f"exit {out.returncode}", "stderr_tail": out.stderr[-3000:]}
    save(size, "log", {**data, "machine": machine()})
    print(json.dumps(data.get("gen", {}), default=str), flush=True)


def phase_dokumen(size: str) -> None:
    script = ROOT / "scripts" / "bench_dokumen.py"
    if not script.exists():
        save(size, "dokumen", {"status": "scripts/bench_dokumen.py not present"})
        return
    print("dokumen: calling scripts/bench_dokumen.py (documents team's benchmark) ...", flush=True)
    out = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, check=False,
                         timeout=3600)  # fmt: skip
    save(size, "dokumen", {"status": f"exit {out.returncode}", "stdout_tail": out.stdout[-3000:],
                           "stderr_tail": out.stderr[-1500:]})  # fmt: skip


def phase_siasn(size: str) -> None:
    """The SIASN send run against the fake SIASN (scripts/bench_siasn.py: its own database, own results; ~35 min
    with its defaults: 10k pegawai at 20 requests/s alone take ~17 min)."""
    print("siasn: calling scripts/bench_siasn.py ...", flush=True)
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_siasn.py")], cwd=ROOT, capture_output=True,
                         text=True, check=False, timeout=4 * 3600)  # fmt: skip
    save(size, "siasn", {"status": f"exit {out.returncode}", "stdout_tail": out.stdout[-3000:],
                         "stderr_tail": out.stderr[-1500:]})  # fmt: skip


# ---------------------------------------------------------------------------------------------- docs table


def write_docs() -> None:
    """Regenerate the block between the markers in docs/performance.md from the result files present."""
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text()
    begin, end = "<!-- bench:begin (generated by scripts/bench.py) -->", "<!-- bench:end -->"
    if begin not in text:
        return
    lines = []
    gen = {s: load(s, "gen") for s in SIZES}
    m = next((g["machine"] for g in gen.values() if g), machine())
    lines.append(f"Machine: nproc={m['nproc']}, RAM {m['ram_gib']} GiB, {m['cpu']}, Python {m['python']}; "
                 "PostgreSQL 15 (local TCP, default config), shared with other engineers' concurrent test runs.\n")  # fmt: skip
    lines.append("| size | instansi | rows | generate (COPY) | batch workers | batch pegawai/s | of which notification hook "
                 "| batch RSS (per worker) | naive ORM /s (10k) | floor SQL /s | core floor /s | full floor /s "
                 "| batch ÷ naive | floor ÷ batch | core floor ÷ batch | full floor ÷ batch | measured (UTC), load avg |")  # fmt: skip
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in SIZES:
        g = gen[s]
        if not g:
            continue
        runs = [b for b in [load(s, "batch"), *(load(s, f"batch-w{w}") for w in (2, 4, 8))] if b]
        if not runs:
            lines.append(f"| {s} | {g['instansi']} | {g['rows']:,} | {g['generate_s']} s | | not measured |"
                         " | | | | | | | | | | |")  # fmt: skip
        for b in runs:
            n = b["batch"].get("notify")
            notify = f"{n['seconds']} s" if n else "n/a"
            la = b["machine"].get("loadavg_at_start") or [0.0]
            ff, fc = b.get("floor_full"), b.get("floor_core")
            fc_rate = f"{fc['pegawai_per_s']:,}" if fc else "n/a"
            fc_ratio = f"{b['ratio_floor_core_vs_batch']}x" if fc else "n/a"
            ff_rate = f"{ff['pegawai_per_s']:,}" if ff else "n/a"
            ff_ratio = f"{b['ratio_floor_full_vs_batch']}x" if ff else "n/a"
            lines.append(f"| {s} | {g['instansi']} | {g['rows']:,} | {g['generate_s']} s | {b['batch'].get('workers', 1)} "
                         f"| **{b['batch']['pegawai_per_s']:,}** ({b['batch']['seconds']:.1f} s) | {notify} "
                         f"| {b['batch']['peak_rss_mb']} MB | {b['naive']['pegawai_per_s']:,} | {b['floor']['pegawai_per_s']:,} "
                         f"| {fc_rate} | {ff_rate} | {b['ratio_batch_vs_naive']}x "
                         f"| {b['ratio_floor_vs_batch']}x | {fc_ratio} | {ff_ratio} "
                         f"| {b['at'][:16]}, {float(la[0]):.1f} |")  # fmt: skip
    lines.append("")
    for s in SIZES:
        h = load(s, "http")
        if not h:
            continue
        lg = h.get("login_storm") or {}
        la = [f"{x:.1f}" for x in h.get("loadavg_before") or h["machine"]["loadavg_at_start"]]
        lines.append(f"HTTP {s} ({h['users']} users, steady state after all logged in, ~{h['duration_s']} s, gunicorn "
                     f"{h['gunicorn_workers']} workers; {h['at'][:16]} UTC, load average before {'/'.join(la)}, after "
                     f"{h['machine']['loadavg_at_start'][0]:.1f}). Login storm ({lg.get('requests')} logins at once): p50 "
                     f"{lg.get('p50_ms')} ms, p95 {lg.get('p95_ms')} ms, failures {lg.get('failures')}.\n")  # fmt: skip
        lines.append("| request | n | errors | p50 ms | p95 ms | p99 ms | req/s |")
        lines.append("|---|---|---|---|---|---|---|")
        lines += [f"| {r['name']} | {r['requests']} | {r['failures']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
                  f"{r['p99_ms']:.0f} | {r['rps']} |" for r in h["stats"]]  # fmt: skip
        lines.append("")
    for s in SIZES:
        q = load(s, "queries")
        if not q:
            continue
        la = q.get("loadavg_before")
        when = f"; {q['at'][:16]} UTC, load average {la[0]:.1f} before" if la else ""
        lines.append(f"Query counts, {s} data (Django test client; ms = best of 3, in-process{when}):\n")
        lines.append("| page | queries (3 rows) | queries (300 rows) | ms (3) | ms (300) |")
        lines.append("|---|---|---|---|---|")
        by: dict[str, dict[str, Any]] = {}
        for p in q["pages"]:
            by.setdefault(p["page"], {})[p["rows"]] = p
        for page, d in by.items():
            a, z = d.get("3", {}), d.get("300") or d.get("8", {})
            lines.append(f"| {page} | {a.get('queries')} | {z.get('queries')}{' (8 RHK)' if '8' in d else ''} | "
                         f"{a.get('ms')} | {z.get('ms')} |")  # fmt: skip
        lines.append("")
    body = "\n".join(lines)
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(f"{head}{begin}\n{body}\n{end}{tail}")


# ---------------------------------------------------------------------------------------------- main


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_batch":
        _child_batch(sys.argv[2], sys.argv[3], *(int(a) for a in sys.argv[4:6]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_queries":
        _child_queries(sys.argv[2])
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(SIZES), default="10k")
    ap.add_argument(
        "--phases",
        default="gen,batch,queries,http",
        help="also: dokumen (runs scripts/bench_dokumen.py), log (log harian, scripts/bench_log_harian.py), "
        "siasn (scripts/bench_siasn.py), cluster (bench/cluster_bench.py on a running `make cluster`)",
    )
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument(
        "--duration", type=int, default=None, help="HTTP seconds (default 30 at 10k, 60 otherwise)"
    )
    ap.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    ap.add_argument(
        "--batch-workers", type=int, default=1, help="batch worker processes, instansi split between them"
    )
    ap.add_argument("--keep", action="store_true", help="keep the 100k/1m database afterwards")
    args = ap.parse_args()
    db = f"kinerja_bench_{args.size}"
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    print(f"{db}: phases {phases}; {machine()}", flush=True)
    if "gen" in phases:
        phase_gen(args.size, db)
    if "batch" in phases:
        phase_batch(args.size, db, args.batch_workers)
    if "queries" in phases:
        phase_queries(args.size, db)
    if "http" in phases:
        phase_http(
            args.size, db, args.users, args.duration or (30 if args.size == "10k" else 60), args.workers
        )
    if "log" in phases:
        phase_log(args.size, db)
    if "dokumen" in phases:
        phase_dokumen(args.size)
    if "siasn" in phases:
        phase_siasn(args.size)
    if "cluster" in phases:  # needs a running `make cluster` (bench/cluster_bench.py; its own data)
        rc = subprocess.run([sys.executable, str(ROOT / "bench" / "cluster_bench.py")], cwd=ROOT, check=False)
        print(f"cluster bench: exit {rc.returncode} (bench/results/cluster.json)", flush=True)
        if phases == ["cluster"]:
            return rc.returncode
    write_docs()
    if args.size != "10k" and not args.keep:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        print(f"dropped {db} (use --keep to keep it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
