#!/usr/bin/env python
"""Benchmark the December batch (``evaluasi.batch``) on one big instansi. Not a test.

1. Creates (or recreates with ``--fresh``) a separate database, default ``kinerja_bench`` on
   127.0.0.1:5432, and migrates it: never the test or dev databases.
2. Generates N pegawai (default 100,000) in ONE instansi with PostgreSQL COPY (psycopg3
   ``cursor.copy``): accounts, ~400 units in four levels, jabatan (a quarter JF with jenjang),
   pegawai with superiors, approved full-year SKPs for this year and last year, last year's final
   annual evaluations, this year's annual evaluations with ratings set by the Pejabat Penilai
   (0.5% left unrated, to be listed as missing), and an annual org predikat for most units.
3. Runs the batch in-process through ``tahunan_batch_run`` (the function the Celery task calls; it
   runs the same ``chunk_nilai`` / ``chunk_final`` per pegawai-id range): a dry run, the real run,
   and a second real run (idempotent re-run). Prints the time and pegawai/s of each, and the machine.

    .venv/bin/python scripts/bench_batch.py [--pegawai 100000] [--batch-size 5000] [--db kinerja_bench] [--fresh]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
R = ("di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi")


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


def machine() -> str:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = ""
    with contextlib.suppress(OSError):
        cpu = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")
            ),
            "",
        )
    return f"nproc={os.cpu_count()} RAM={mem_kb / 1024 / 1024:.1f} GiB CPU={cpu or platform.processor()} Python={platform.python_version()}"


def copy_rows(cur: object, table: str, columns: list[str], rows: object) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:  # type: ignore[attr-defined]
        for row in rows:  # type: ignore[attr-defined]
            cp.write_row(row)


def generate(n: int, tahun: int, seed: int) -> dict[str, int]:
    """Everything in one transaction with COPY; ids are allocated from the sequences up front."""
    from django.db import connection, transaction
    from django.utils import timezone

    from evaluasi.scoring import predikat
    from kinerja.models import Instansi

    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    now = timezone.now()
    with transaction.atomic():
        instansi = Instansi.objects.create(
            kode=f"BENCH{int(time.time())}", nama="Instansi Benchmark", tempat="Bench"
        )
        iid = instansi.pk
        raw = connection.connection
        with raw.cursor() as cur:

            def ids(seq_table: str, count: int) -> list[int]:
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [seq_table, count],
                )
                return [r[0] for r in cur.fetchall()]

            # units: 1 + 7 + 49 + 343 = 400, four levels
            unit_ids = ids("kinerja_unitkerja", 400)
            units: list[tuple[int, int | None, str, int]] = [(unit_ids[0], None, f"{unit_ids[0]}.", 0)]
            level = [units[0]]
            k = 1
            for depth in (1, 2, 3):
                nxt: list[tuple[int, int | None, str, int]] = []
                for parent in level:
                    for _ in range(7):
                        uid = unit_ids[k]
                        k += 1
                        u: tuple[int, int | None, str, int] = (uid, parent[0], f"{parent[2]}{uid}.", depth)
                        units.append(u)
                        nxt.append(u)
                level = nxt
            copy_rows(
                cur, "kinerja_unitkerja",
                ["id", "instansi_id", "nama", "induk_id", "path", "depth", "is_unit_kerja_mandiri", "created_at", "updated_at"],
                ((u[0], iid, f"Unit {u[0]}", u[1], u[2], u[3], False, now, now) for u in units),
            )  # fmt: skip
            # jabatan
            jab_rows = [
                ("Kepala Daerah Bench", "jpt_pratama", ""),
                ("Kepala Bidang", "administrator", ""),
                ("Kepala Seksi", "pengawas", ""),
                ("Pengadministrasi Umum", "pelaksana", ""),
                ("Analis Kebijakan Ahli Muda", "fungsional", "ahli_muda"),
                ("Analis Kebijakan Ahli Pertama", "fungsional", "ahli_pertama"),
                ("Pranata Komputer Terampil", "fungsional", "terampil"),
            ]
            jab_ids = ids("kinerja_jabatan", len(jab_rows))
            copy_rows(
                cur, "kinerja_jabatan", ["id", "instansi_id", "nama", "jenis", "jenjang", "created_at", "updated_at"],
                ((jid, iid, nama, jenis, jj, now, now) for jid, (nama, jenis, jj) in zip(jab_ids, jab_rows, strict=True)),
            )  # fmt: skip
            head_jab = {0: jab_ids[0], 1: jab_ids[1], 2: jab_ids[2], 3: jab_ids[2]}
            staff_jab = [
                jab_ids[3],
                jab_ids[3],
                jab_ids[4],
                jab_ids[5],
                jab_ids[6],
                jab_ids[3],
                jab_ids[3],
                jab_ids[3],
            ]
            # accounts and pegawai: the first 400 head the units; the rest spread over the units
            user_ids = ids("kinerja_user", n)
            peg_ids = ids("kinerja_pegawai", n)
            head_of: dict[int, int] = {}
            pegawai = []
            for i in range(n):
                if i < len(units):
                    unit = units[i]
                    jab = head_jab[unit[3]]
                    head_of[unit[0]] = peg_ids[i]
                    atasan = head_of.get(unit[1]) if unit[1] else None
                else:
                    unit = units[rng.randrange(1, len(units))]
                    jab = staff_jab[i % len(staff_jab)]
                    atasan = head_of[unit[0]]
                nip = f"9{i:017d}"  # unique 18 digits; NIP validation is not what is measured here
                pegawai.append((peg_ids[i], user_ids[i], nip, unit[0], jab, atasan))
            copy_rows(
                cur, "kinerja_user",
                ["id", "password", "is_superuser", "nip", "nama", "email", "is_active", "is_staff", "is_platform_admin", "date_joined"],
                ((p[1], "!", False, p[2], f"Pegawai {p[0]}", "", True, False, False, now) for p in pegawai),
            )  # fmt: skip
            copy_rows(
                cur, "kinerja_pegawai",
                ["id", "instansi_id", "user_id", "nip", "nama", "status", "pangkat_golongan", "unit_kerja_id", "jabatan_id",
                 "atasan_id", "email", "tugas_belajar", "aktif", "created_at", "updated_at"],
                ((p[0], iid, p[1], p[2], f"Pegawai {p[0]}", "pns", "Penata / III/c", p[3], p[4], p[5], "", False, True, now, now)
                 for p in pegawai),
            )  # fmt: skip
            # approved full-year SKPs, last year and this year
            skp_cols = [
                "id", "instansi_id", "pegawai_id", "pejabat_penilai_id", "tahun", "periode_mulai", "periode_selesai",
                "pendekatan", "status", "versi", "revisi", "tugas_belajar", "dukungan_sumber_daya",
                "skema_pertanggungjawaban", "konsekuensi", "disetujui_at", "catatan_pengembalian", "created_at", "updated_at",
            ]  # fmt: skip
            skp_ids: dict[int, list[int]] = {}
            for th in (tahun - 1, tahun):
                sids = ids("skp_skp", n)
                skp_ids[th] = sids
                copy_rows(
                    cur, "skp_skp", skp_cols,
                    ((sid, iid, p[0], p[5], th, dt.date(th, 1, 1), dt.date(th, 12, 31), "kuantitatif", "disetujui", 1, 0,
                      False, "[]", "[]", "[]", now, "", now, now) for sid, p in zip(sids, pegawai, strict=True)),
                )  # fmt: skip
            ev_cols = [
                "instansi_id", "jenis", "tahun", "periode_id", "pegawai_id", "skp_id", "pejabat_penilai_id", "unit_kerja_id",
                "rating_hasil_kerja", "rating_perilaku_kerja", "predikat", "justifikasi", "jumlah_umpan_balik", "status",
                "dinilai_at", "final_at", "created_at", "updated_at",
            ]  # fmt: skip

            def rating() -> tuple[str, str]:
                # a plausible spread: mostly sesuai, some di atas, few di bawah
                w = (0.2, 0.72, 0.08)
                return rng.choices(R, w)[0], rng.choices(R, w)[0]

            last = dt.datetime(tahun - 1, 12, 30, 3, tzinfo=dt.UTC)

            def prev_rows() -> Iterator[tuple[object, ...]]:
                for sid, p in zip(skp_ids[tahun - 1], pegawai, strict=True):
                    hk, pk = rating()
                    yield (
                        iid,
                        "tahunan",
                        tahun - 1,
                        None,
                        p[0],
                        sid,
                        p[5],
                        p[3],
                        hk,
                        pk,
                        predikat(hk, pk),
                        "",
                        1,
                        "final",
                        last,
                        last,
                        last,
                        last,
                    )

            def this_rows() -> Iterator[tuple[object, ...]]:
                for i, (sid, p) in enumerate(zip(skp_ids[tahun], pegawai, strict=True)):
                    if i % 200 == 7:  # 0.5% not rated yet
                        yield (
                            iid,
                            "tahunan",
                            tahun,
                            None,
                            p[0],
                            sid,
                            p[5],
                            p[3],
                            "",
                            "",
                            "",
                            "",
                            None,
                            "belum_dinilai",
                            None,
                            None,
                            now,
                            now,
                        )
                        continue
                    hk, pk = rating()
                    yield (
                        iid,
                        "tahunan",
                        tahun,
                        None,
                        p[0],
                        sid,
                        p[5],
                        p[3],
                        hk,
                        pk,
                        predikat(hk, pk),
                        "",
                        1,
                        "dinilai",
                        now,
                        None,
                        now,
                        now,
                    )

            copy_rows(cur, "evaluasi_evaluasi", ev_cols, prev_rows())
            copy_rows(cur, "evaluasi_evaluasi", ev_cols, this_rows())
            org = ("istimewa", "baik", "baik", "baik", "butuh_perbaikan")
            copy_rows(
                cur, "evaluasi_kinerjaorganisasi",
                ["instansi_id", "unit_kerja_id", "tahun", "periode_id", "predikat", "justifikasi", "created_at", "updated_at"],
                ((iid, u[0], tahun, None, rng.choice(org), "Capaian PK", now, now) for u in units if rng.random() < 0.9),
            )  # fmt: skip
        connection.cursor().execute("ANALYZE")
    return {"instansi": iid, "unit": len(units), "pegawai": n}


def run(instansi_id: int, tahun: int, dry_run: bool) -> tuple[float, dict[str, Any]]:
    from django_scopes import scope

    from evaluasi.batch import tahunan_batch_run
    from evaluasi.services import JOB_TAHUNAN
    from kinerja.models import Instansi
    from kinerja.services.jobs import job_create

    instansi = Instansi.objects.get(pk=instansi_id)
    with scope(instansi=instansi_id):
        job = job_create(
            actor=None, instansi=instansi, jenis=JOB_TAHUNAN, params={"tahun": tahun, "dry_run": dry_run}
        )
        t0 = time.perf_counter()
        detail = tahunan_batch_run(job_id=job.pk)
        return time.perf_counter() - t0, detail


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pegawai", type=int, default=100_000)
    ap.add_argument("--batch-size", type=int, default=5000)
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
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.settings_dict["NAME"] != args.db:
        raise SystemExit(f"connected to {connection.settings_dict['NAME']!r}, expected {args.db!r}")
    settings.EVALUASI_BATCH_SIZE = args.batch_size
    call_command("migrate", verbosity=0)
    print(f"database: {args.db}; {machine()}")
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        print(f"PostgreSQL {cur.fetchone()[0]}")

    t0 = time.perf_counter()
    info = generate(args.pegawai, args.tahun, args.seed)
    print(
        f"generated {info['pegawai']:,} pegawai in {info['unit']} units with COPY in {time.perf_counter() - t0:.1f}s"
    )

    results = []
    for label, dry in (("dry run", True), ("batch", False), ("re-run (idempotent)", False)):
        secs, detail = run(info["instansi"], args.tahun, dry)
        r = detail["ringkasan"]
        results.append((label, secs))
        print(
            f"{label:>20}: {secs:7.1f}s  {args.pegawai / secs:9,.0f} pegawai/s  "
            f"chunks={detail['chunk']['total']} final={r['final']:,} belum={r['belum_dinilai']:,} "
            f"talent_pool={r['tindak_lanjut']['talent_pool']:,} kompetensi={r['tindak_lanjut']['pengembangan_kompetensi']:,} "
            f"perbaikan={r['tindak_lanjut']['perbaikan_kinerja']:,} AK={r['angka_kredit']['pegawai']:,} "
            f"unit_peringatan={r['unit_dengan_peringatan']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
