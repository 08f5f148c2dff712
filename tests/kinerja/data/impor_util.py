"""Helpers for the import tests: build CSV/XLSX files and run the command."""

import csv
import io
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import CommandError, call_command

from kinerja.services.impor import COLUMNS
from tests.factories import nip_for

DATA = Path(__file__).resolve().parent
CONTOH_CSV = DATA / "pegawai_contoh.csv"


def nip(n: int, status: str = "pns") -> str:
    """Valid NIPs that never collide with factory users (those are all gender 1)."""
    return nip_for(n, gender=2, status=status)


def row(**values: Any) -> dict[str, str]:
    """A valid pelaksana row in unit 'Dinas' unless overridden."""
    base = {
        "nip": "",
        "nama": "Pegawai Uji",
        "status": "pns",
        "pangkat_golongan": "Penata / III/c",
        "jabatan": "Pengadministrasi Umum",
        "jenis_jabatan": "pelaksana",
        "jenjang": "",
        "unit_kerja": "Dinas",
        "unit_induk": "",
        "nip_atasan": "",
        "email": "",
    }
    base.update({k: str(v) for k, v in values.items()})
    return base


def csv_bytes(
    rows: list[dict[str, str]], columns: tuple[str, ...] | list[str] = COLUMNS, bom: bool = False
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    """A workbook whose first sheet holds ``rows`` as given (header included)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.create_sheet("Lainnya").append(["diabaikan"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def contoh_rows() -> list[dict[str, str]]:
    with CONTOH_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run_import(*args: str) -> tuple[int, str, str]:
    """Run ``import_pegawai`` in-process: (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_pegawai", *args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(f"CommandError: {exc}\n")
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()
