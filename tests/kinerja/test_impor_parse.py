"""Reading import files: line numbers as the user sees them, header handling, Excel quirks."""

import pytest
from django_scopes import scope

from kinerja.services.impor import COLUMNS, ImporTidakValid, impor_parse, pegawai_import
from tests.conftest import Org
from tests.kinerja.data.impor_util import csv_bytes, nip, row, xlsx_bytes


def test_csv_line_numbers_count_blank_lines_and_multiline_cells() -> None:
    content = (
        b"nip,nama,status,jabatan,jenis_jabatan,unit_kerja\r\n"
        b'1,"Nama\r\ndua baris",pns,J,pelaksana,U\r\n'  # lines 2-3
        b"\r\n"  # line 4, blank
        b",,,,,\r\n"  # line 5, empty cells
        b"2,B,pns,J,pelaksana,U\r\n"  # line 6
    )
    berkas = impor_parse(content=content, nama_berkas="a.CSV")
    assert [(r.baris, r["nip"]) for r in berkas.baris] == [(2, "1"), (6, "2")]
    assert berkas.baris[0]["nama"] == "Nama dua baris"  # whitespace runs collapsed


def test_header_is_case_insensitive_trimmed_and_extra_columns_ignored() -> None:
    content = "\ufeff NIP ,Nama,STATUS,Jabatan,jenis jabatan,Unit-Kerja,Keterangan\n1, a ,PNS,j,Pelaksana,u,x\n".encode()
    berkas = impor_parse(content=content, nama_berkas="a.csv")
    assert berkas.kolom == ("nip", "nama", "status", "jabatan", "jenis_jabatan", "unit_kerja")
    r = berkas.baris[0]
    assert (r["nama"], r["status"], r["jenis_jabatan"], r["email"]) == ("a", "pns", "pelaksana", "")


def test_duplicate_header_column_is_reported() -> None:
    berkas = impor_parse(
        content=b"nip,nama,nip,status,jabatan,jenis_jabatan,unit_kerja\n1,a,2,pns,j,pelaksana,u\n",
        nama_berkas="a.csv",
    )
    assert [(k.baris, k.kolom) for k in berkas.kesalahan_judul] == [(1, "nip")]


def test_xlsx_rows_keep_excel_row_numbers_and_text_nips() -> None:
    rows = [list(COLUMNS), [], [nip(1), "A", "pns"], [None] * 3, [int(nip(2)), "B", "pns"]]
    berkas = impor_parse(content=xlsx_bytes(rows), nama_berkas="a.xlsx")
    assert [r.baris for r in berkas.baris] == [3, 5]
    assert (berkas.baris[0]["nip"], berkas.baris[0].angka) == (nip(1), frozenset())
    # openpyxl (like Excel) stores the big number as a float: flagged, never silently accepted
    assert berkas.baris[1].angka == frozenset({"nip"})


@pytest.mark.django_db
def test_nip_typed_as_a_number_in_excel_is_an_error(org_a: Org) -> None:
    # Excel keeps 15 significant digits, so an 18-digit NIP stored as a number is already wrong
    rows = [list(COLUMNS), [float(nip(1)), "A", "pns", "", "J", "pelaksana", "", "U", "", float(nip(2)), ""]]
    berkas = impor_parse(content=xlsx_bytes(rows), nama_berkas="a.xlsx")
    with scope(instansi=org_a.instansi.pk), pytest.raises(ImporTidakValid) as exc:
        pegawai_import(actor=None, instansi=org_a.instansi, berkas=berkas)
    assert {(k.baris, k.kolom) for k in exc.value.kesalahan} == {(2, "nip"), (2, "nip_atasan")}
    assert "Teks" in exc.value.kesalahan[0].alasan


@pytest.mark.django_db
def test_nip_in_display_format_and_upper_case_enums_are_accepted(org_a: Org) -> None:
    n = nip(1)
    spaced = f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}"
    content = csv_bytes(
        [
            row(nip=spaced, status="PNS", jenis_jabatan="Fungsional", jenjang="Ahli_Muda"),
            row(nip=nip(2), jenis_jabatan="fungsional", jenjang=""),  # a JF without jenjang is allowed
        ]
    )
    berkas = impor_parse(content=content, nama_berkas="a.csv")
    with scope(instansi=org_a.instansi.pk):
        hasil = pegawai_import(actor=None, instansi=org_a.instansi, berkas=berkas, dry_run=True)
    assert hasil.pegawai_dibuat == 2
    assert berkas.baris[0]["nip"] == n


@pytest.mark.django_db
def test_service_requires_a_tenant_scope(org_a: Org) -> None:
    from django_scopes import ScopeError

    berkas = impor_parse(content=csv_bytes([row(nip=nip(1))]), nama_berkas="a.csv")
    with pytest.raises(ScopeError):
        pegawai_import(actor=None, instansi=org_a.instansi, berkas=berkas)
