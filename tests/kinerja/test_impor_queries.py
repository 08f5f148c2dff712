"""The import is set-based: its query count does not grow with the number of rows."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from kinerja.models import Instansi, Pegawai
from kinerja.services.impor import HasilImpor, pegawai_import_file
from tests.factories import InstansiFactory
from tests.kinerja.data.impor_util import csv_bytes, nip, row

pytestmark = pytest.mark.django_db


def org_rows(n: int, offset: int) -> list[dict[str, str]]:
    """n pegawai over n/5 units three levels deep; every row's superior is listed after it."""
    units = [("Dinas", "")]
    for i in range(1, max(n // 5, 3)):
        parent = units[(i - 1) // 3][0]
        units.append((f"Unit {i}", parent))
    rows = []
    for i in range(n):
        unit, induk = units[i % len(units)]
        rows.append(
            row(
                nip=nip(offset + i),
                nama=f"Pegawai {i}",
                unit_kerja=unit,
                unit_induk=induk,
                nip_atasan=nip(offset + i + 1) if i + 1 < n else "",
                jabatan=f"Jabatan {i % 7}",
                email=f"p{i}@example.go.id",
            )
        )
    return rows


def import_counting(instansi: Instansi, rows: list[dict[str, str]]) -> tuple[int, HasilImpor]:
    with scope(instansi=instansi.pk), CaptureQueriesContext(connection) as ctx:
        hasil = pegawai_import_file(
            actor=None, instansi=instansi, content=csv_bytes(rows), nama_berkas="a.csv"
        )
    return len(ctx.captured_queries), hasil


def test_query_count_is_independent_of_row_count(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False)
    small, large = InstansiFactory(), InstansiFactory()
    small_rows, large_rows = org_rows(20, 0), org_rows(200, 100)
    # fresh import
    q_small, h_small = import_counting(small, small_rows)
    q_large, h_large = import_counting(large, large_rows)
    assert (h_small.pegawai_dibuat, h_large.pegawai_dibuat) == (20, 200)
    assert h_large.unit_dibuat == 40
    assert q_small == q_large, (q_small, q_large)
    assert q_large <= 25
    # re-import the next day with every 4th row renamed and every 5th row moved to another unit
    time_machine.move_to(dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC), tick=False)
    for rows in (small_rows, large_rows):
        for i, r in enumerate(rows):
            if i % 4 == 0:
                r["nama"] += " (baru)"
            if i % 5 == 0:
                r["unit_kerja"], r["unit_induk"] = "Dinas", ""
    q_small, h_small = import_counting(small, small_rows)
    q_large, h_large = import_counting(large, large_rows)
    assert (h_small.pegawai_diperbarui, h_large.pegawai_diperbarui) == (5, 50)
    assert h_large.mutasi > 30
    assert q_small == q_large, (q_small, q_large)
    with scope(instansi=large.pk):
        assert Pegawai.objects.filter(instansi=large).count() == 200
