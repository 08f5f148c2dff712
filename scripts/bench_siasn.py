#!/usr/bin/env python
"""Benchmark the SIASN send run against the fake SIASN (tests/siasn/fake.py) on loopback. Not a test.

    .venv/bin/python scripts/bench_siasn.py [--throttled 1000,10000] [--fast 1000,10000,100000]
        [--latency 0.08] [--rps 20] [--concurrency 8] [--fast-rps 400] [--fast-concurrency 32] [--db SUFFIX] [--keep]
    make bench ARGS="--phases siasn"

Creates (and drops, unless ``--keep``) the database ``kinerja_bench_siasn<SUFFIX>`` on 127.0.0.1:5432
(``BENCH_PG``), migrates it and loads, per size, one instansi with the generator of ``make bench``
(``bench/generate.py``); then every rated annual evaluation of the year is made final (one ``UPDATE``). The
fake answers every SIASN call after ``--latency`` seconds (SIASN's own latency). Measured per size:

* ``--throttled`` sizes at ``--rps`` (the production default, 20 requests/s) with ``--concurrency`` senders:
  the first send (a data-utama lookup + a save per pegawai) and the re-send with nothing changed;
* ``--fast`` sizes with the limit raised to ``--fast-rps`` and ``--fast-concurrency`` senders: the same two
  runs, to show that the app's own cost per pegawai (planning queries + hashes, the set-based writes: time
  spent in the calling thread outside the network) stays flat from 1k to 100k.

Each row records the load average (the machine is shared), the requests the fake answered, the most calls
in flight at once, and the main thread's time in planning (``butir_siasn`` + hashes) and in storing answers
(``_simpan_jawaban``). Results: printed, and ``bench/results/siasn<SUFFIX>.json`` (git-ignored); the tables in
docs/performance.md and docs/siasn.md come from here. The token cache uses process memory (no Redis needed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
TAHUN = 2026


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def make_instansi(db: str, n: int, index: int) -> Any:
    """``n`` pegawai in one generated instansi (``bench/generate.py``); this year's rated annual evaluations
    final."""
    import psycopg

    from bench.generate import generate
    from kinerja.models import Instansi

    with psycopg.connect(f"{PG}/{db}") as conn:
        info = generate(conn, n_pegawai=n, n_instansi=1, tahun=TAHUN, first_instansi=index)
        iid = info["probes"][0]["instansi_id"]
        conn.execute(
            "UPDATE evaluasi_evaluasi SET status = 'final', final_at = now() WHERE instansi_id = %s AND tahun = %s"
            " AND jenis = 'tahunan' AND predikat <> ''",
            [iid, TAHUN],
        )
        conn.commit()
    return Instansi.objects.get(pk=iid)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--throttled", default="1000,10000", help="sizes sent at --rps")
    parser.add_argument("--fast", default="1000,10000,100000", help="sizes sent at --fast-rps")
    parser.add_argument("--latency", type=float, default=0.08, help="seconds the fake takes per SIASN call")
    parser.add_argument("--rps", default="20")
    parser.add_argument("--concurrency", default="8")
    parser.add_argument("--fast-rps", default="400")
    parser.add_argument("--fast-concurrency", default="32")
    parser.add_argument("--db", default="", help="suffix of the database and result file names")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    throttled = [int(x) for x in args.throttled.split(",") if x]
    fast = [int(x) for x in args.fast.split(",") if x]
    db = f"kinerja_bench_siasn{args.db}"

    os.environ["DATABASE_URL"] = f"{PG}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings.test")
    os.environ["KINERJA_SIASN_BACKOFF"] = "0.05"
    _psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{db}"')
    import django

    django.setup()
    import logging

    from django.core.cache.backends.locmem import LocMemCache
    from django.core.management import call_command
    from django_scopes import scope, scopes_disabled

    from bench.common import machine
    from evaluasi.siasn import client as client_mod
    from evaluasi.siasn import kirim as kirim_mod
    from tests.siasn.fake import FakeSiasn

    client_mod.cache = LocMemCache("siasn-bench", {})
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would be measured too
    logging.getLogger("evaluasi.siasn").setLevel(logging.WARNING)

    waktu = {"plan": 0.0, "simpan": 0.0}

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*a: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                waktu[name] += time.perf_counter() - t

        return wrapper

    kirim_mod.butir_siasn = timed("plan", kirim_mod.butir_siasn)
    kirim_mod._simpan_jawaban = timed("simpan", kirim_mod._simpan_jawaban)

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - t0:.1f} s", flush=True)
    fake = FakeSiasn(latency=args.latency).start()
    fake.record_requests = False
    results: dict[str, Any] = {
        "machine": machine(),
        "when": dt.datetime.now(dt.UTC).isoformat(),
        "latency_s": args.latency,
        "runs": [],
    }

    def run(ins: Any, label: str, n: int, rps: str, konkurensi: str) -> dict[str, Any]:
        os.environ.update(fake.env(ins.kode))
        os.environ["KINERJA_SIASN_RPS"] = rps
        os.environ["KINERJA_SIASN_CONCURRENCY"] = konkurensi
        waktu.update(plan=0.0, simpan=0.0)
        fake.max_in_flight, calls0 = 0, fake.calls
        load0 = os.getloadavg()[0]
        with scope(instansi=ins.pk):
            t, cpu = time.perf_counter(), time.process_time()
            hasil = kirim_mod.siasn_kirim(instansi=ins, tahun=TAHUN, jenis=("skp22",))
            secs, cpu = time.perf_counter() - t, time.process_time() - cpu
        requests = fake.calls - calls0
        row = {
            "size": n, "run": label, "rps_limit": float(rps), "concurrency": int(konkurensi),
            "seconds": round(secs, 2), "pegawai_per_s": round(n / secs, 1) if secs else None,
            "requests": requests, "requests_per_s": round(requests / secs, 1) if secs else None,
            "max_in_flight": fake.max_in_flight, "plan_s": round(waktu["plan"], 2),
            "simpan_s": round(waktu["simpan"], 2),
            "app_ms_per_pegawai": round(1000 * (waktu["plan"] + waktu["simpan"]) / n, 3),
            "process_cpu_ms_per_pegawai": round(1000 * cpu / n, 3),
            "load_start": round(load0, 2), "load_end": round(os.getloadavg()[0], 2), **hasil.ringkas(),
        }  # fmt: skip
        results["runs"].append(row)
        print(json.dumps(row), flush=True)
        return row

    index = 0
    try:
        with scopes_disabled():
            for sizes, rps, konk, nama in (
                (throttled, args.rps, args.concurrency, "throttled"),
                (fast, args.fast_rps, args.fast_concurrency, "fast"),
            ):
                for n in sizes:
                    t = time.perf_counter()
                    ins = make_instansi(db, n, index)
                    index += 1
                    print(f"generate {n}: {time.perf_counter() - t:.1f} s", flush=True)
                    run(ins, f"{nama}, first send (lookup + save)", n, rps, konk)
                    run(ins, f"{nama}, re-send, nothing changed", n, rps, konk)
    finally:
        fake.stop()
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"siasn{args.db}.json").write_text(json.dumps(results, indent=2))
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
