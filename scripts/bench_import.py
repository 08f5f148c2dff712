#!/usr/bin/env python
"""Benchmark ``manage.py import_pegawai``: fresh import, re-import with changes, identical re-import.

Generates N pegawai (default 10,000) over ~400 units four levels deep, rows shuffled so superiors
often come after their subordinates, writes a temp CSV and times the command on a fresh instansi
code. Uses the database of the chosen settings (``DATABASE_URL``; default kinerja.settings.local).

    .venv/bin/python scripts/bench_import.py [--rows 10000] [--changes 5] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import secrets
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings.local")

COLUMNS = [
    "nip",
    "nama",
    "status",
    "pangkat_golongan",
    "jabatan",
    "jenis_jabatan",
    "jenjang",
    "unit_kerja",
    "unit_induk",
    "nip_atasan",
    "email",
]


def build_units(fanout: int = 7) -> list[tuple[str, str, int]]:
    """(nama, induk, level): 1 + 7 + 49 + 343 = 400 units, four levels."""
    units = [("Sekretariat Daerah", "", 0)]
    level = [("Sekretariat Daerah", "")]
    for depth, label in ((1, "Bidang"), (2, "Seksi"), (3, "Subseksi")):
        nxt = []
        for parent, code in level:
            for k in range(1, fanout + 1):
                c = f"{code}.{k}" if code else str(k)
                name = f"{label} {c}"
                units.append((name, parent, depth))
                nxt.append((name, c))
        level = nxt
    return units


def make_nip(i: int, tmt: tuple[int, int]) -> str:
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=i // 900)
    return f"{birth:%Y%m%d}{tmt[0]:04d}{tmt[1]:02d}1{i % 900 + 1:03d}"


def generate(n: int, tmt: tuple[int, int], rng: random.Random) -> list[dict[str, str]]:
    units = build_units()
    rows: list[dict[str, str]] = []
    head: dict[str, str] = {}
    parent_of = {u[0]: u[1] for u in units}
    jenis_by_level = {0: "jpt_pratama", 1: "administrator", 2: "pengawas", 3: "pengawas"}
    # every unit gets a head first, the rest spread evenly
    for i in range(n):
        name, _parent, level = units[i] if i < len(units) else units[rng.randrange(len(units))]
        nip = make_nip(i, tmt)
        is_head = i < len(units)
        if is_head:
            head[name] = nip
            atasan = head.get(parent_of[name], "")
            jabatan, jenis, jenjang = f"Kepala {name}", jenis_by_level[level], ""
        else:
            atasan = head[name]
            if i % 3 == 0:
                jabatan, jenis, jenjang = (
                    "Analis Kebijakan",
                    "fungsional",
                    rng.choice(["ahli_pertama", "ahli_muda"]),
                )
            else:
                jabatan, jenis, jenjang = f"Pengadministrasi {i % 40}", "pelaksana", ""
        rows.append(
            {
                "nip": nip,
                "nama": f"Pegawai {i} S.E.",
                "status": "pns",
                "pangkat_golongan": "Penata / III/c",
                "jabatan": jabatan,
                "jenis_jabatan": jenis,
                "jenjang": jenjang,
                "unit_kerja": name,
                "unit_induk": parent_of[name],
                "nip_atasan": atasan,
                "email": f"pegawai{i}@example.go.id",
            }
        )
    rng.shuffle(rows)
    return rows


def change(rows: list[dict[str, str]], pct: float, rng: random.Random) -> list[dict[str, str]]:
    """Half of the changed rows get a new name, half move to another unit (and its head)."""
    heads = {r["unit_kerja"]: r["nip"] for r in rows if r["jabatan"].startswith("Kepala ")}
    staff = [r for r in rows if not r["jabatan"].startswith("Kepala ")]
    picked = rng.sample(staff, int(len(rows) * pct / 100))
    out = [dict(r) for r in rows]
    by_nip = {r["nip"]: r for r in out}
    unit_parent = {r["unit_kerja"]: r["unit_induk"] for r in rows}
    for k, r in enumerate(picked):
        row = by_nip[r["nip"]]
        if k % 2 == 0:
            row["nama"] += " (ubah)"
        else:
            target = rng.choice([u for u in heads if u != row["unit_kerja"]])
            row["unit_kerja"], row["unit_induk"], row["nip_atasan"] = (
                target,
                unit_parent[target],
                heads[target],
            )
    return out


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--changes", type=float, default=5.0, help="percent of rows changed for the re-import"
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temp CSV files")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scopes_disabled

    from kinerja.models import Pegawai

    rng = random.Random(args.seed)  # noqa: S311 - test data, not secrets
    # NIPs are unique across every instansi: pick a TMT (year, month) no earlier run used.
    with scopes_disabled():
        for _ in range(500):
            tmt = (rng.randrange(1995, 2025), rng.randrange(1, 13))
            if not Pegawai._base_manager.filter(nip=make_nip(0, tmt)).exists():
                break
        else:
            print("no free NIP range left; clean the database", file=sys.stderr)
            return 1
    kode = f"BENCH{secrets.token_hex(3).upper()}"
    rows = generate(args.rows, tmt, rng)
    changed = change(rows, args.changes, rng)
    tmp = Path(tempfile.mkdtemp(prefix="bench-impor-"))
    fresh_csv, changed_csv = tmp / "pegawai.csv", tmp / "pegawai_ubah.csv"
    write_csv(rows, fresh_csv)
    write_csv(changed, changed_csv)
    print(f"database {connection.settings_dict['NAME']}, instansi {kode}, {args.rows} rows, files in {tmp}")

    def run(label: str, path: Path) -> None:
        out = StringIO()
        t0 = time.perf_counter()
        call_command("import_pegawai", "--instansi", kode, str(path), stdout=out)
        secs = time.perf_counter() - t0
        print(f"{label:<28} {secs:7.2f} s  {args.rows / secs:8.0f} rows/s  | {out.getvalue().strip()}")

    run("fresh import", fresh_csv)
    run(f"re-import, {args.changes:g}% changed", changed_csv)
    run("re-import, identical", changed_csv)
    if not args.keep:
        for p in (fresh_csv, changed_csv):
            p.unlink()
        tmp.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
