#!/usr/bin/env python
"""Benchmark the December batch (``evaluasi.batch``) on one big instansi. Not a test.

1. Creates (or recreates with ``--fresh``) a separate database, default ``kinerja_bench`` on
   127.0.0.1:5432, and migrates it: never the test or dev databases.
2. Generates N pegawai (default 100,000) in ONE instansi with ``bench.generate`` (the generator of
   ``make bench``: PostgreSQL COPY, a four-level unit tree of ~25 pegawai per unit, SKPs with RHK and
   indikator, realisasi, feedback, quarterly and annual evaluations, last year's final ones, org
   predikat; see its docstring and docs/performance.md). Without ``--fresh`` another instansi is added
   to the database and only that one is measured.
3. Runs the batch in-process through ``tahunan_batch_run`` (the function the Celery task calls; it
   runs the same ``chunk_nilai`` / ``chunk_final`` per pegawai-id range): a dry run, the real run,
   and a second real run (idempotent re-run). Prints the time and pegawai/s of each, the machine and
   the load average (the machine is shared).

    .venv/bin/python scripts/bench_batch.py [--pegawai 100000] [--batch-size N] [--db kinerja_bench] [--fresh]

``--batch-size`` defaults to the application's ``EVALUASI_BATCH_SIZE`` default (``evaluasi.batch``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def prepare_database(name: str, fresh: bool) -> None:
    import psycopg

    if not name.replace("_", "").isalnum() or name in {"kinerja", "postgres"} or name.startswith("test_"):
        raise SystemExit(f"refusing to use database {name!r}: pick a dedicated benchmark database")
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pegawai", type=int, default=100_000)
    ap.add_argument("--batch-size", type=int, default=None, help="pegawai ids per chunk (default: the app's)")
    ap.add_argument("--db", default="kinerja_bench")
    ap.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database first")
    ap.add_argument("--tahun", type=int, default=2026)
    ap.add_argument("--seed", type=int, default=20261231)
    args = ap.parse_args()

    prepare_database(args.db, args.fresh)
    os.environ["DATABASE_URL"] = f"{PG}/{args.db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings.base"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench.common import machine, run_tahunan
    from bench.generate import generate
    from evaluasi.batch import batch_size

    if connection.settings_dict["NAME"] != args.db:
        raise SystemExit(f"connected to {connection.settings_dict['NAME']!r}, expected {args.db!r}")
    if args.batch_size:
        settings.EVALUASI_BATCH_SIZE = args.batch_size
    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM kinerja_instansi WHERE kode LIKE 'BENCH%%'")
        existing = cur.fetchone()[0]
    print(f"database: {args.db}; PostgreSQL {pg_version}; {machine()}; chunk size {batch_size()}")

    t0 = time.perf_counter()
    with psycopg.connect(f"{PG}/{args.db}") as conn:
        info = generate(
            conn,
            n_pegawai=args.pegawai,
            n_instansi=1,
            tahun=args.tahun,
            seed=args.seed,
            first_instansi=existing,
        )
    instansi_id = info["probes"][0]["instansi_id"]
    print(
        f"generated {info['pegawai']:,} pegawai ({info['rows']:,} rows) with COPY in {time.perf_counter() - t0:.1f}s"
        f" (incl. VACUUM ANALYZE {info['analyze_s']}s); load average {os.getloadavg()}"
    )

    for label, dry in (("dry run", True), ("batch", False), ("re-run (idempotent)", False)):
        secs, detail = run_tahunan(instansi_id=instansi_id, tahun=args.tahun, dry_run=dry)
        r = detail["ringkasan"]
        print(
            f"{label:>20}: {secs:7.1f}s  {args.pegawai / secs:9,.0f} pegawai/s  "
            f"chunks={detail['chunk']['total']} final={r['final']:,} belum={r['belum_dinilai']:,} "
            f"talent_pool={r['tindak_lanjut']['talent_pool']:,} kompetensi={r['tindak_lanjut']['pengembangan_kompetensi']:,} "
            f"perbaikan={r['tindak_lanjut']['perbaikan_kinerja']:,} AK={r['angka_kredit']['pegawai']:,} "
            f"unit_peringatan={r['unit_dengan_peringatan']}  load average {os.getloadavg()}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
