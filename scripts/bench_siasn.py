#!/usr/bin/env python
"""Benchmark the SIASN send run against the fake SIASN (tests/siasn/fake.py) on loopback. Not a test.

    .venv/bin/python scripts/bench_siasn.py [--sizes 1000,10000,100000] [--throttled 200] [--keep]
    make bench ARGS="--phases siasn"

Creates (and drops, unless ``--keep``) the database ``kinerja_bench_siasn`` on 127.0.0.1:5432 (``BENCH_PG``),
migrates it, and for each size makes one instansi with that many pegawai whose annual evaluation is final.
Measures, per size:

* ``throttled``: ``--throttled`` pegawai sent at the default limit of 20 requests/s (first run: a
  data-utama lookup + a save per pegawai; then every result changed and sent again: a save only);
* ``first``: a full first run with no rate limit (the app's own cost per pegawai: HTTP + DB writes);
  sizes above ``--max-send`` are not sent (it would take minutes): their rows are marked sent in bulk
  with the real payload hashes, so the ``unchanged`` pass below is still exact;
* ``unchanged``: the second run with nothing changed (planning only: three queries and the hashes).

Results: printed, and ``bench/results/siasn.json`` (git-ignored). The numbers in docs/performance.md come
from here. The token cache uses process memory (no Redis needed).
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

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "kinerja_bench_siasn"
TAHUN = 2026
NO_PASSWORD = UNUSABLE_PASSWORD_PREFIX + "bench"  # an unusable password hash: nobody can log in


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def make_instansi(kode: str, n: int, nip_base: int) -> Any:
    """One instansi, one unit, a kepala (the Pejabat Penilai) and ``n`` pegawai with final annual results."""
    from evaluasi.models import Evaluasi
    from kinerja.models import Instansi, Jabatan, Pegawai, UnitKerja, User
    from skp.models import Skp

    ins = Instansi.objects.create(kode=kode, nama=f"Bench {kode}", tempat="Bench")
    unit = UnitKerja.objects.create(instansi=ins, nama=f"Sekretariat {kode}", depth=0)
    UnitKerja.objects.filter(pk=unit.pk).update(path=f"{unit.pk}.")
    jab = Jabatan.objects.create(instansi=ins, nama="Pengadministrasi Umum", jenis="pelaksana")
    kj = Jabatan.objects.create(instansi=ins, nama="Kepala Dinas", jenis="jpt_pratama")
    ku = User.objects.create(nip=f"{nip_base:018d}", nama=f"Kepala {kode}", password=NO_PASSWORD)
    kepala = Pegawai.objects.create(
        instansi=ins, user=ku, nip=ku.nip, nama=ku.nama, status="pns", unit_kerja=unit, jabatan=kj,
        pangkat_golongan="Pembina Utama Muda / IV/c",
    )  # fmt: skip
    ratings = ["di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"]
    from evaluasi.scoring import predikat

    step = 20_000
    for start in range(0, n, step):
        nips = [f"{nip_base + 1 + i:018d}" for i in range(start, min(n, start + step))]
        users = User.objects.bulk_create(
            [User(nip=x, nama=f"Pegawai {x}", password=NO_PASSWORD) for x in nips]
        )
        peg = Pegawai.objects.bulk_create(
            [
                Pegawai(instansi=ins, user=u, nip=u.nip, nama=u.nama, status="pns", unit_kerja=unit, jabatan=jab,
                        atasan=kepala, pangkat_golongan="Penata Muda / III/a")
                for u in users
            ]
        )  # fmt: skip
        skps = Skp.objects.bulk_create(
            [
                Skp(instansi=ins, pegawai=p, pejabat_penilai=kepala, tahun=TAHUN, periode_mulai=dt.date(TAHUN, 1, 1),
                    periode_selesai=dt.date(TAHUN, 12, 31), status="disetujui")
                for p in peg
            ]
        )  # fmt: skip
        evs = []
        for i, (p, s) in enumerate(zip(peg, skps, strict=True)):
            hk, pk = ratings[i % 3], ratings[(i // 3) % 3]
            evs.append(
                Evaluasi(instansi=ins, jenis="tahunan", tahun=TAHUN, pegawai=p, skp=s, pejabat_penilai=kepala,
                         unit_kerja=unit, rating_hasil_kerja=hk, rating_perilaku_kerja=pk, predikat=predikat(hk, pk),
                         status="final")
            )  # fmt: skip
        Evaluasi.objects.bulk_create(evs, batch_size=5000)
    return ins


def mark_sent_in_bulk(ins: Any) -> None:
    """What a first run would leave behind (ids, hashes), written in bulk: for sizes not sent for real."""
    from django.utils import timezone

    from evaluasi.models import KirimanSiasn, PegawaiSiasn
    from evaluasi.siasn.kirim import butir_siasn
    from evaluasi.siasn.payload import payload_hash

    butir = butir_siasn(instansi=ins, tahun=TAHUN, jenis=("skp22",))
    PegawaiSiasn.objects.bulk_create(
        [PegawaiSiasn(instansi=ins, pegawai_id=b.pegawai_id, siasn_id=f"pns-{b.nip}") for b in butir],
        batch_size=5000,
    )
    now = timezone.now()
    rows = []
    for b in butir:
        if b.payload is None:
            continue
        b.payload["pnsDinilaiOrang"] = f"pns-{b.nip}"
        rows.append(
            KirimanSiasn(instansi=ins, jenis="skp22", evaluasi_id=b.evaluasi_id, pegawai_id=b.pegawai_id, tahun=TAHUN,
                         siasn_id=f"x-{b.evaluasi_id}", payload_hash=payload_hash(b.payload), terkirim_at=now,
                         status="terkirim")
        )  # fmt: skip
    KirimanSiasn.objects.bulk_create(rows, batch_size=5000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--throttled", type=int, default=200, help="pegawai sent at 20 requests/s")
    parser.add_argument("--max-send", type=int, default=1_000, help="largest size sent for real")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x]

    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings.test")
    os.environ["KINERJA_SIASN_BACKOFF"] = "0.05"
    _psql(f"DROP DATABASE IF EXISTS {DB}")
    _psql(f"CREATE DATABASE {DB}")
    import django

    django.setup()
    from django.core.cache.backends.locmem import LocMemCache
    from django.core.management import call_command
    from django_scopes import scope, scopes_disabled

    from bench.common import machine
    from evaluasi.siasn import client as client_mod
    from evaluasi.siasn.kirim import siasn_kirim
    from tests.siasn.fake import FakeSiasn

    client_mod.cache = LocMemCache("siasn-bench", {})
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would be measured too
    logging.getLogger("evaluasi.siasn").setLevel(logging.WARNING)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - t0:.1f} s")
    fake = FakeSiasn().start()
    fake.record_requests = False
    results: dict[str, Any] = {"machine": machine(), "when": dt.datetime.now(dt.UTC).isoformat(), "runs": []}

    def run(ins: Any, label: str, n: int, rps: str) -> dict[str, Any]:
        os.environ.update(fake.env(ins.kode))
        os.environ["KINERJA_SIASN_RPS"] = rps
        with scope(instansi=ins.pk):
            t = time.perf_counter()
            hasil = siasn_kirim(instansi=ins, tahun=TAHUN, jenis=("skp22",))
            secs = time.perf_counter() - t
        row = {"size": n, "run": label, "rps_limit": float(rps), "seconds": round(secs, 2),
               "per_second": round(n / secs, 1) if secs else None, **hasil.ringkas()}  # fmt: skip
        results["runs"].append(row)
        print(json.dumps(row))
        return row

    try:
        with scopes_disabled():
            base = 10**12
            if args.throttled:
                ins = make_instansi("BENCH-T", args.throttled, base)
                run(ins, "throttled, first (lookup + save)", args.throttled, "20")
                from evaluasi.models import Evaluasi

                with (
                    scopes_disabled()
                ):  # every result changes (e.g. keberatan): sent again with the stored id
                    Evaluasi._base_manager.filter(instansi=ins).update(
                        rating_hasil_kerja="sesuai_ekspektasi",
                        rating_perilaku_kerja="sesuai_ekspektasi",
                        predikat="baik",
                    )
                run(ins, "throttled, changed (save only)", args.throttled, "20")
            for i, n in enumerate(sizes):
                t = time.perf_counter()
                ins = make_instansi(f"BENCH-{n}", n, base * (i + 2))
                print(f"generate {n}: {time.perf_counter() - t:.1f} s")
                if n <= args.max_send:
                    run(ins, "first, unthrottled", n, "0")
                else:
                    mark_sent_in_bulk(ins)
                run(ins, "unchanged", n, "0")
    finally:
        fake.stop()
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "siasn.json").write_text(json.dumps(results, indent=2))
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _psql(f"DROP DATABASE IF EXISTS {DB}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
