#!/usr/bin/env python
"""Log harian benchmark (``make bench ARGS="--size 100k --phases gen,log"``, or directly
``python scripts/bench_log_harian.py kinerja_bench_100k [--per-pegawai 200]``). Not a test.

1. Fill ``dialog_logharian`` of the bench database (made by the ``gen`` phase) with set-based SQL: one
   ``INSERT ... SELECT`` over every pegawai's approved SKP of the year x ``generate_series`` of its working
   days (on average ``--per-pegawai`` entries a year: ~200 = ~20 M rows at 100k pegawai), the covering
   index dropped while loading and rebuilt after, FK triggers skipped (rows consistent by construction),
   then ``VACUUM ANALYZE``.
2. Measure p50/p95/max of the two hot queries with the real selectors (``dialog.log_harian_selectors``):
   the verification page's list (a leader's whole team, one week; ~25 and 300 staff) and the monthly
   recap of one pegawai, for random leaders/pegawai/weeks/months, plus a full GET of the verification
   page and of the entry page through the Django test client, and EXPLAIN (ANALYZE, BUFFERS) of each
   query. Prints one JSON object (``scripts/bench.py`` stores it as ``bench/results/<size>-log.json``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
RESULTS = ROOT / "bench" / "results"
TAHUN = dt.date.today().year  # noqa: DTZ011 - the generated year, as scripts/bench.py
TABLE = "dialog_logharian"
INDEX = "log_harian_pegawai_tgl_idx"
INDEX_SQL = f"CREATE INDEX {INDEX} ON {TABLE} (instansi_id, pegawai_id, tanggal) INCLUDE (rhk_id, status, durasi_menit)"


def db_url(db: str) -> str:
    if not db.startswith("kinerja_bench_"):
        raise SystemExit(f"refusing database {db!r}: only the kinerja_bench_* databases of scripts/bench.py")
    return f"{PG}/{db}"


def setup_django(db: str) -> None:
    """As scripts/bench.py: the bench database, base settings (importing that module twice confuses mypy)."""
    os.environ["DATABASE_URL"] = db_url(db)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinerja.settings.base"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def probes(db: str) -> dict[str, Any]:
    return json.loads((RESULTS / f"{db}-probes.json").read_text())


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))], 2)


def _summary(xs: list[float]) -> dict[str, float]:
    return {"n": len(xs), "p50_ms": _pct(xs, 50), "p95_ms": _pct(xs, 95), "max_ms": round(max(xs), 2),
            "mean_ms": round(statistics.fmean(xs), 2)}  # fmt: skip


def generate(conn: Any, *, tahun: int, per_pegawai: int, hari_ini: dt.date) -> dict[str, Any]:
    """One INSERT ... SELECT; returns rows and seconds per step."""
    keep_pct = max(1, min(100, round(per_pegawai * 100 / 261)))  # ~261 working days a year
    out: dict[str, Any] = {"per_pegawai_target": per_pegawai, "keep_pct": keep_pct}
    with conn.cursor() as cur:
        cur.execute(f"TRUNCATE {TABLE}")
        cur.execute(f"DROP INDEX IF EXISTS {INDEX}")
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SET work_mem = '64MB'")
        t0 = time.perf_counter()
        cur.execute(
            f"""
            WITH s AS (
                SELECT s.id AS skp_id, s.instansi_id, s.pegawai_id, s.periode_mulai, s.periode_selesai,
                       (SELECT array_agg(r.id ORDER BY r.id) FROM skp_rhk r WHERE r.skp_id = s.id) AS rhk
                FROM skp_skp s
                WHERE s.tahun = %(tahun)s AND s.status = 'disetujui'
            )
            INSERT INTO {TABLE} (instansi_id, pegawai_id, skp_id, rhk_id, rencana_aksi_id, tanggal, uraian,
                                 durasi_menit, tautan, berkas, nama_berkas, tipe_konten, ukuran, sha256, status,
                                 catatan_verifikasi, verified_by_id, verified_at, created_at, updated_at)
            SELECT s.instansi_id, s.pegawai_id, s.skp_id,
                   s.rhk[1 + ((s.pegawai_id + d.n) %% cardinality(s.rhk))], NULL, d.tgl,
                   'Kegiatan harian ' || d.n, 30 + ((s.pegawai_id * 7 + d.n * 13) %% 16) * 30,
                   '', '', '', '', 0, '',
                   CASE WHEN d.tgl > %(hari_ini)s::date - 14 THEN 'menunggu'
                        WHEN (s.pegawai_id + d.n) %% 33 = 0 THEN 'ditolak' ELSE 'diterima' END,
                   '', NULL, NULL, now(), now()
            FROM s
            CROSS JOIN LATERAL (
                SELECT g::date AS tgl, (g::date - s.periode_mulai) AS n
                FROM generate_series(s.periode_mulai, LEAST(s.periode_selesai, %(hari_ini)s::date), '1 day') g
                WHERE extract(isodow FROM g) < 6
            ) d
            WHERE cardinality(s.rhk) > 0 AND ((s.pegawai_id * 31 + d.n * 17) %% 100) < %(keep)s
            """,  # noqa: S608 - only the constant table name is interpolated
            {"tahun": tahun, "hari_ini": hari_ini, "keep": keep_pct},
        )
        out["rows"] = cur.rowcount
        out["insert_s"] = round(time.perf_counter() - t0, 1)
        cur.execute("SET session_replication_role = origin")
        conn.commit()
        t0 = time.perf_counter()
        cur.execute(INDEX_SQL)
        conn.commit()
        out["index_s"] = round(time.perf_counter() - t0, 1)
    conn.autocommit = True
    t0 = time.perf_counter()
    conn.execute(f"VACUUM (ANALYZE) {TABLE}")
    out["vacuum_analyze_s"] = round(time.perf_counter() - t0, 1)
    conn.autocommit = False
    row = conn.execute(
        "SELECT pg_total_relation_size(%s), pg_relation_size(%s), pg_relation_size(%s)", [TABLE, TABLE, INDEX]
    ).fetchone()
    out["table_total_bytes"], out["heap_bytes"], out["index_bytes"] = row
    out["per_instansi"] = conn.execute(
        f"SELECT instansi_id, count(*) FROM {TABLE} GROUP BY 1 ORDER BY 1"  # noqa: S608 - constant
    ).fetchall()
    return out


def measure(db: str, *, samples: int, seed: int) -> dict[str, Any]:
    setup_django(db)
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client
    from django_scopes import scope

    from dialog.log_harian_selectors import log_harian_list, log_harian_rekap
    from kinerja.models import Instansi, Pegawai, User
    from kinerja.selectors.people import pegawai_dinilai_ids

    rnd = random.Random(seed)  # noqa: S311 - sampling, not security
    pr = probes(db)
    out: dict[str, Any] = {}
    with connection.cursor() as cur:
        cur.execute(f"SELECT min(tanggal), max(tanggal) FROM {TABLE}")  # noqa: S608 - constant
        lo, hi = cur.fetchone()
    if lo is None:
        raise SystemExit("no log rows: run the generator first")
    weeks = [lo + dt.timedelta(days=7 * i) for i in range((hi - lo).days // 7)]
    weeks = [w - dt.timedelta(days=w.weekday()) for w in weeks]
    months = sorted({(d.year, d.month) for d in weeks})

    def explain(qs: Any) -> str:
        return qs.explain(analyze=True, buffers=True)

    # leaders: the ordinary leaf-unit heads (~25 staff) and the 300-staff probe leader, every instansi
    leaders: list[tuple[str, int, str]] = []
    for p in pr["probes"]:
        leaders += [("~25", p["instansi_id"], nip) for nip in p["leader_nips"][:50]]
        leaders.append(("300", p["instansi_id"], p["leader300_nip"]))
    # The generator's 300-staff probe units have submitted (not approved) SKPs, so no log: the "300" case
    # is a synthetic team of 300 pegawai of one instansi who do log (what a leader of 300 would see).
    team300: dict[int, list[int]] = {}
    with connection.cursor() as cur:
        for p in pr["probes"]:
            cur.execute(
                f"SELECT DISTINCT pegawai_id FROM {TABLE} WHERE instansi_id = %s AND tanggal = %s "  # noqa: S608
                "ORDER BY pegawai_id LIMIT 300",
                [p["instansi_id"], weeks[len(weeks) // 2] + dt.timedelta(days=2)],
            )
            team300[p["instansi_id"]] = [r[0] for r in cur.fetchall()]
    verif: dict[str, list[float]] = {"~25": [], "300": []}
    sample_plan: dict[str, str] = {}
    for label in ("~25", "300"):
        pool = [x for x in leaders if x[0] == label]
        for _i in range(samples if label == "~25" else max(20, samples // 5)):
            _l, inst_id, nip = rnd.choice(pool)
            inst = Instansi.objects.get(pk=inst_id)
            with scope(instansi=inst_id):
                user = User.objects.get(nip=nip)
                ids = team300[inst_id] if label == "300" else pegawai_dinilai_ids(user=user, instansi=inst)
                w = rnd.choice(weeks)
                qs = log_harian_list(instansi=inst, pegawai_ids=ids, dari=w, sampai=w + dt.timedelta(days=6))[
                    :500
                ]
                t0 = time.perf_counter()
                n = len(list(qs))
                verif[label].append((time.perf_counter() - t0) * 1000)
                if label not in sample_plan:
                    sample_plan[label] = f"team {len(ids)}, week {w}, rows {n}\n" + explain(qs)
    out["verifikasi_query"] = {k: _summary(v) for k, v in verif.items()}
    out["verifikasi_explain"] = sample_plan

    # recap: random pegawai, random month
    inst_ids = [p["instansi_id"] for p in pr["probes"]]
    rekap_ms: list[float] = []
    rekap_plan = ""
    with scope(instansi=inst_ids):
        per_instansi: dict[int, list[int]] = {}
        for inst_id, pk in Pegawai.objects.filter(instansi_id__in=inst_ids).values_list("instansi_id", "pk"):
            per_instansi.setdefault(inst_id, []).append(pk)
    for _i in range(samples):
        inst_id = rnd.choice(inst_ids)
        with scope(instansi=inst_id):
            pid = rnd.choice(per_instansi[inst_id])
            y, m = rnd.choice(months)
            t0 = time.perf_counter()
            rk = log_harian_rekap(instansi=inst_id, pegawai_id=pid, tahun=y, bulan=m)
            rekap_ms.append((time.perf_counter() - t0) * 1000)
            if not rekap_plan:
                from dialog.models import LogHarian

                qs_rekap = (
                    LogHarian.objects.filter(
                        instansi_id=inst_id, pegawai_id=pid, tanggal__gte=dt.date(y, m, 1),
                        tanggal__lte=dt.date(y, m, 28),
                    )
                    .values("rhk_id", "status")
                    .annotate(menit=Sum("durasi_menit"))
                    .order_by("rhk_id", "status")
                )  # fmt: skip
                rekap_plan = f"pegawai {pid}, {y}-{m:02d}, {rk.jumlah} entries\n" + explain(qs_rekap)
    out["rekap_query"] = _summary(rekap_ms)
    out["rekap_explain"] = rekap_plan

    # whole pages through the test client (best of 3 after a warm-up)
    client = Client()
    pages = []
    p0 = pr["probes"][0]
    staff_nip = User.objects.filter(pegawai__atasan__user__nip=p0["leader300_nip"]).values_list(
        "nip", flat=True
    )[0]
    w = weeks[-3]
    for name, nip, url in (
        ("Verifikasi log (HTML), 300 staff, one week", p0["leader300_nip"], f"/dialog/log-harian/verifikasi/?minggu={w}&status="),
        ("Verifikasi log (HTML), ~25 staff, one week", p0["leader_nips"][0], f"/dialog/log-harian/verifikasi/?minggu={w}&status="),
        ("Log harian pegawai (HTML)", staff_nip, f"/dialog/log-harian/?bulan={w:%Y-%m}"),
        ("Rekap (API)", staff_nip, f"/api/v1/log-harian/rekap/?tahun={w.year}&bulan={w.month}"),
    ):  # fmt: skip
        client.force_login(User.objects.get(nip=nip))
        client.get(url)
        best = []
        for _ in range(3):
            t0 = time.perf_counter()
            resp = client.get(url)
            best.append((time.perf_counter() - t0) * 1000)
        pages.append({"page": name, "status": resp.status_code, "ms": round(min(best), 1)})
    out["pages"] = pages
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db")
    ap.add_argument(
        "--per-pegawai", type=int, default=200, help="entries per pegawai-year (200 ≈ 20 M at 100k)"
    )
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--skip-gen", action="store_true")
    ap.add_argument("--seed", type=int, default=19)
    args = ap.parse_args()
    result: dict[str, Any] = {}
    if not args.skip_gen:
        import psycopg

        t0 = time.perf_counter()
        with psycopg.connect(db_url(args.db)) as conn:
            hari_ini = dt.date(TAHUN, 12, 31)
            result["gen"] = generate(conn, tahun=TAHUN, per_pegawai=args.per_pegawai, hari_ini=hari_ini)
        result["gen"]["total_s"] = round(time.perf_counter() - t0, 1)
        print(json.dumps({"gen": result["gen"]}, default=str), file=sys.stderr, flush=True)
    result["measure"] = measure(args.db, samples=args.samples, seed=args.seed)
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
