"""``manage.py import_pegawai`` (api-contract.md §1-§2): happy paths, every error kind, upsert, dry run."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django_scopes import scope, scopes_disabled

from kinerja.models import AuditLog, Instansi, Jabatan, Pegawai, Penempatan, Periode, UnitKerja, User
from tests.conftest import Org, database_url
from tests.kinerja.data.impor_util import CONTOH_CSV, contoh_rows, csv_bytes, nip, row, run_import, xlsx_bytes

pytestmark = pytest.mark.django_db

HARI_1 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HARI_2 = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)

KEPALA, SEKRETARIS, KABID = "197001012000031001", "198001012005011001", "198505052010012001"


def write(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def pegawai_map(kode: str) -> dict[str, Pegawai]:
    instansi = Instansi.objects.get(kode=kode)
    with scope(instansi=instansi.pk):
        return {
            p.nip: p
            for p in Pegawai.objects.filter(instansi=instansi).select_related(
                "unit_kerja", "jabatan", "atasan", "user"
            )
        }


def counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            m.__name__: m._base_manager.count()
            for m in (Instansi, UnitKerja, Jabatan, User, Pegawai, Penempatan, AuditLog, Periode)
        }


def assert_contoh_imported(kode: str) -> None:
    peg = pegawai_map(kode)
    assert len(peg) == 7
    # superiors resolved although they come after their subordinates in the file
    assert peg["199001012015011002"].atasan.nip == SEKRETARIS
    assert peg[SEKRETARIS].atasan.nip == KEPALA
    assert peg[KEPALA].atasan is None
    assert peg["199505052022212001"].status == "pppk"
    assert peg["199505052022212001"].jabatan.jenjang == "ahli_pertama"
    budi = peg["199001012015011002"]
    assert (budi.nama, budi.email, budi.pangkat_golongan) == (
        "Budi Santoso, S.Kom.",
        "budi@example.go.id",
        "Penata Muda / III/a",
    )
    # the account: login by NIP, no usable password by default
    assert budi.user.nip == budi.nip
    assert budi.user.nama == budi.nama
    assert not budi.user.has_usable_password()
    # 4-level tree with materialised paths
    instansi = Instansi.objects.get(kode=kode)
    with scope(instansi=instansi.pk):
        units = {u.nama: u for u in UnitKerja.objects.filter(instansi=instansi)}
        assert set(units) == {
            "Dinas Kominfo",
            "Sekretariat",
            "Subbagian Umum",
            "Bidang Aplikasi",
            "Seksi Infrastruktur",
        }
        top, sek, sub = units["Dinas Kominfo"], units["Sekretariat"], units["Subbagian Umum"]
        assert (top.induk_id, top.depth, top.path) == (None, 0, f"{top.pk}.")
        assert (sek.induk_id, sek.depth, sek.path) == (top.pk, 1, f"{top.pk}.{sek.pk}.")
        assert (sub.induk_id, sub.depth, sub.path) == (sek.pk, 2, f"{top.pk}.{sek.pk}.{sub.pk}.")
        assert budi.unit_kerja_id == sub.pk
        # one shared jabatan row per (nama, jenis, jenjang)
        assert Jabatan.objects.filter(instansi=instansi, nama="Pranata Komputer Ahli Pertama").count() == 1
        # initial placements, periods of the current year
        placements = list(Penempatan.objects.filter(instansi=instansi))
        assert len(placements) == 7
        assert {(p.jenis, p.mulai, p.selesai) for p in placements} == {("awal", dt.date(2026, 3, 2), None)}
        by_pegawai = {p.pegawai_id: p for p in placements}
        assert by_pegawai[budi.pk].atasan_id == peg[SEKRETARIS].pk
        assert Periode.objects.filter(instansi=instansi, tahun=2026).count() == 4
        actions = list(AuditLog.objects.filter(instansi=instansi).values_list("action", flat=True))
    assert actions.count("pegawai.buat") == 7
    assert actions.count("unit_kerja.buat") == 5
    assert actions.count("pegawai.impor") == 1


@time_machine.travel(HARI_1, tick=False)
def test_csv_happy_path_creates_instansi_tree_and_people() -> None:
    # given the sample file (subordinates listed before their superiors) and no instansi KOMINFO yet
    # when it is imported
    code, out, err = run_import("--instansi", "kominfo", str(CONTOH_CSV))
    # then exit 0 with a one-line summary, and everything exists
    assert code == 0, err
    assert out.count("\n") == 1
    assert out.startswith("KOMINFO (instansi baru): 7 baris: 5 unit baru, 6 jabatan baru, 7 pegawai baru")
    assert err == ""
    assert_contoh_imported("KOMINFO")


@time_machine.travel(HARI_1, tick=False)
def test_xlsx_happy_path_any_order_extra_columns_and_header_case(tmp_path: Path) -> None:
    # given the same rows as XLSX, reversed, with upper-case padded headers and an unknown column
    rows = list(reversed(contoh_rows()))
    header = [f" {c.upper()} " for c in rows[0]] + ["Catatan"]
    data = [header] + [[*r.values(), "abaikan"] for r in rows]
    path = write(tmp_path, "pegawai.xlsx", xlsx_bytes(data))
    # when imported
    code, out, err = run_import("--instansi", "KOMINFO", path)
    # then the result is identical to the CSV import
    assert code == 0, err
    assert "7 pegawai baru" in out
    assert_contoh_imported("KOMINFO")


@time_machine.travel(HARI_1, tick=False)
def test_default_password_makes_accounts_usable(tmp_path: Path) -> None:
    code, _, err = run_import("--instansi", "KOMINFO", "--password", "Awal-2026!x", str(CONTOH_CSV))
    assert code == 0, err
    user = User.objects.get(nip=KEPALA)
    assert user.check_password("Awal-2026!x")


def test_existing_account_without_pegawai_is_attached_and_keeps_its_password(tmp_path: Path) -> None:
    # given a login account (e.g. a platform admin) whose username is a NIP but who is no pegawai yet
    user = User.objects.create_user(nip=nip(1), password="Lama-123!x", nama="Nama Lama")
    # when a file lists that NIP
    content = csv_bytes([row(nip=nip(1), nama="Nama Baru", email="baru@example.go.id")])
    code, out, err = run_import(
        "--instansi", "X", "--password", "Awal-2026!x", write(tmp_path, "a.csv", content)
    )
    # then the account becomes the pegawai's, updated, with its own password untouched
    assert code == 0, err
    assert "1 pegawai baru" in out
    user.refresh_from_db()
    assert (user.nama, user.email) == ("Nama Baru", "baru@example.go.id")
    assert user.check_password("Lama-123!x")
    assert Pegawai._base_manager.get(nip=nip(1)).user_id == user.pk


def test_bom_and_crlf_csv_is_read(tmp_path: Path) -> None:
    content = csv_bytes([row(nip=nip(1), unit_kerja="Dinas")], bom=True)
    code, out, err = run_import("--instansi", "BOM", write(tmp_path, "a.csv", content))
    assert code == 0, err
    assert "1 pegawai baru" in out


def test_every_kind_of_error_is_reported_and_nothing_is_written(tmp_path: Path, org_b: Org) -> None:
    # given a file with one valid top row and many different bad rows (and a blank line)
    x, y, z = nip(21), nip(22), nip(23)
    rows = [
        row(nip=nip(1), jenis_jabatan="jpt_pratama", jabatan="Kepala Dinas"),  # 2 ok
        row(nip=nip(2)[:17]),  # 3 nip 17 digits
        row(nip=nip(3), nama=""),  # 4 nama missing
        row(nip=nip(4), status="honorer"),  # 5 status
        row(nip=nip(5), jenis_jabatan="staf"),  # 6 jenis_jabatan
        row(nip=nip(6), jenjang="ahli_muda"),  # 7 jenjang for a pelaksana
        row(nip=nip(7), jenis_jabatan="fungsional", jenjang="ahli_super"),  # 8 unknown jenjang
        row(nip=nip(8), email="bukan-email"),  # 9 email
        row(nip=nip(9)),  # 10 duplicate NIP
        row(nip=nip(9)),  # 11 duplicate NIP
        row(nip=nip(10), nip_atasan=nip(99)),  # 12 unknown atasan
        row(nip=nip(11), nip_atasan=nip(11)),  # 13 self as atasan
        row(nip=x, nip_atasan=y),  # 14 cycle x → y → z → x
        row(nip=y, nip_atasan=z),  # 15
        row(nip=z, nip_atasan=x),  # 16
        row(nip=nip(12), unit_kerja="Bidang X", unit_induk="Tidak Ada"),  # 17 unknown unit_induk
        row(nip=nip(13), unit_kerja="Siklus A", unit_induk="Siklus B"),  # 18 unit cycle
        row(nip=nip(14), unit_kerja="Siklus B", unit_induk="Siklus A"),  # 19 unit cycle
        row(nip=nip(15), nama="N" * 256),  # 20 too long
        row(nip=org_b.pegawai.nip),  # 21 NIP of another instansi
        row(nip="198513012010012001"),  # 22 month 13 in the birth date
        row(nip=nip(16), unit_kerja="Subbag Umum", unit_induk="Bidang 1"),  # 23 same name, two parents...
        row(nip=nip(17), unit_kerja="Subbag Umum", unit_induk="Bidang 2"),  # 24 ...and used as a parent
        row(nip=nip(18), unit_kerja="Urusan Surat", unit_induk="Subbag Umum"),  # 25 ambiguous parent
        row(nip=nip(19), unit_kerja="Bidang 1", unit_induk="Dinas"),  # 26 ok
        row(nip=nip(20), unit_kerja="Bidang 2", unit_induk="Dinas"),  # 27 ok
        row(nip=nip(24), unit_kerja="Diri", unit_induk="Diri"),  # 28 unit is its own parent
        row(nip=nip(25), jabatan=""),  # 29 jabatan missing
        row(nip=nip(26), pangkat_golongan="P" * 101),  # 30 too long
    ]
    content = (
        csv_bytes(rows)
        + b",,,,,,,,,,\r\n"
        + csv_bytes([row(nip=nip(27), status="PNS!")])[len(csv_bytes([])) :]
    )
    before = counts()
    # when imported
    code, out, err = run_import("--instansi", "ERR", write(tmp_path, "salah.csv", content))
    # then exit 1, one stderr line per problem in "baris N, kolom K: alasan" form, nothing written
    assert code == 1
    assert out == ""
    lines = [ln for ln in err.splitlines() if ln.startswith("baris ")]
    reported = {(int(ln.split(",")[0].split()[1]), ln.split(", kolom ")[1].split(":")[0]) for ln in lines}
    assert reported == {
        (3, "nip"),
        (4, "nama"),
        (5, "status"),
        (6, "jenis_jabatan"),
        (7, "jenjang"),
        (8, "jenjang"),
        (9, "email"),
        (10, "nip"),
        (11, "nip"),
        (12, "nip_atasan"),
        (13, "nip_atasan"),
        (14, "nip_atasan"),
        (15, "nip_atasan"),
        (16, "nip_atasan"),
        (17, "unit_induk"),
        (18, "unit_induk"),
        (19, "unit_induk"),
        (20, "nama"),
        (21, "nip"),
        (22, "nip"),
        (23, "unit_induk"),
        (24, "unit_induk"),
        (25, "unit_induk"),
        (28, "unit_induk"),
        (29, "jabatan"),
        (30, "pangkat_golongan"),
        (32, "status"),
    }
    assert "baris 3, kolom nip: NIP harus 18 digit (tertulis 17 digit)." in lines
    assert "baris 10, kolom nip: NIP ganda di berkas (juga di baris 11)." in lines
    assert "baris 21, kolom nip: NIP sudah terdaftar sebagai pegawai instansi lain." in lines
    cycle = next(ln for ln in lines if ln.startswith("baris 14,"))
    assert x in cycle
    assert y in cycle
    assert z in cycle
    assert err.rstrip().splitlines()[-1].startswith("CommandError: Berkas berisi")
    assert "Traceback" not in err
    assert counts() == before  # not even the instansi


def test_nip_of_another_instansi_is_refused(tmp_path: Path, org_a: Org, org_b: Org) -> None:
    # given a file for instansi A that names a pegawai of B
    content = csv_bytes([row(nip=org_b.pegawai.nip, nama="Penyusup")])
    # when imported into A
    code, _, err = run_import("--instansi", "A", write(tmp_path, "a.csv", content))
    # then refused, and B's pegawai is untouched
    assert code == 1
    assert "baris 2, kolom nip: NIP sudah terdaftar sebagai pegawai instansi lain." in err
    with scope(instansi=org_b.instansi.pk):
        assert Pegawai.objects.get(pk=org_b.pegawai.pk).nama == org_b.pegawai.nama


def test_superior_may_be_an_existing_pegawai_and_cycles_through_existing_are_caught(
    tmp_path: Path, org_a: Org
) -> None:
    # given A's existing chain pegawai → atasan → kepala
    ok = csv_bytes(
        [
            row(
                nip=nip(1),
                unit_kerja="Bidang Baru",
                unit_induk=org_a.kepala.unit_kerja.nama,
                nip_atasan=org_a.atasan.nip,
            )
        ]
    )
    code, _, err = run_import("--instansi", "A", write(tmp_path, "ok.csv", ok))
    assert code == 0, err
    with scope(instansi=org_a.instansi.pk):
        baru = Pegawai.objects.select_related("unit_kerja").get(nip=nip(1))
        assert baru.atasan_id == org_a.atasan.pk
        assert baru.unit_kerja.induk_id == org_a.kepala.unit_kerja_id
        assert baru.unit_kerja.path == f"{org_a.kepala.unit_kerja.path}{baru.unit_kerja_id}."
    # when a file makes the kepala report to his own subordinate's subordinate
    bad = csv_bytes([row(nip=org_a.kepala.nip, nama=org_a.kepala.nama, nip_atasan=org_a.pegawai.nip)])
    code, _, err = run_import("--instansi", "A", write(tmp_path, "bad.csv", bad))
    # then the cycle is reported with every NIP in it
    assert code == 1
    line = next(ln for ln in err.splitlines() if ln.startswith("baris 2, kolom nip_atasan"))
    for p in (org_a.kepala, org_a.atasan, org_a.pegawai):
        assert p.nip in line


def test_reimport_updates_data_and_records_mutasi(tmp_path: Path, time_machine: Any) -> None:
    # given the sample imported on day 1
    time_machine.move_to(HARI_1, tick=False)
    assert run_import("--instansi", "KOMINFO", str(CONTOH_CSV))[0] == 0
    before = pegawai_map("KOMINFO")
    # when on day 2 a file changes one name, moves one pegawai to another unit (new superior),
    # and gives another a new jabatan
    rows = contoh_rows()
    for r in rows:
        if r["nip"] == "199001012015011002":
            r["nama"] = "Budi Santoso, S.Kom., M.T."
            r["email"] = "budi.s@example.go.id"
        if r["nip"] == "199202022017011003":
            r.update(unit_kerja="Seksi Infrastruktur", unit_induk="Bidang Aplikasi", nip_atasan=KABID)
        if r["nip"] == "200001012025011001":
            r.update(
                jabatan="Pranata Komputer Ahli Pertama",
                jenis_jabatan="fungsional",
                jenjang="ahli_pertama",
                status="pns",
            )
    time_machine.move_to(HARI_2, tick=False)
    code, out, err = run_import("--instansi", "KOMINFO", write(tmp_path, "ubah.csv", csv_bytes(rows)))
    # then counts are right, data is updated and the placements show the mutasi
    assert code == 0, err
    assert "0 pegawai baru, 2 diperbarui, 2 mutasi, 4 tidak berubah" in out
    after = pegawai_map("KOMINFO")
    assert after["199001012015011002"].nama == "Budi Santoso, S.Kom., M.T."
    assert after["199001012015011002"].user.email == "budi.s@example.go.id"
    dewi = after["199202022017011003"]
    assert dewi.unit_kerja.nama == "Seksi Infrastruktur"
    assert dewi.atasan.nip == KABID
    instansi = Instansi.objects.get(kode="KOMINFO")
    with scope(instansi=instansi.pk):
        history = list(Penempatan.objects.filter(instansi=instansi, pegawai=dewi).order_by("mulai", "id"))
        assert [(p.jenis, p.mulai, p.selesai) for p in history] == [
            ("awal", dt.date(2026, 3, 2), dt.date(2026, 3, 2)),
            ("mutasi", dt.date(2026, 3, 3), None),
        ]
        assert history[0].unit_kerja_id == before["199202022017011003"].unit_kerja_id
        assert (history[1].unit_kerja_id, history[1].atasan_id) == (dewi.unit_kerja_id, dewi.atasan_id)
        andi = after["200001012025011001"]
        assert andi.jabatan.jenjang == "ahli_pertama"
        assert andi.status == "pns"
        assert (
            Penempatan.objects.filter(instansi=instansi, pegawai=andi, selesai__isnull=True).get().jenis
            == "mutasi"
        )
        # unchanged people keep their one open placement
        assert Penempatan.objects.filter(instansi=instansi, pegawai=after[KEPALA]).count() == 1
        actions = list(
            AuditLog.objects.filter(
                instansi=instansi, action__in=["pegawai.mutasi", "pegawai.ubah"]
            ).values_list("action", "object_id")
        )
    assert sorted(actions) == sorted(
        [
            ("pegawai.mutasi", str(dewi.pk)),
            ("pegawai.mutasi", str(andi.pk)),
            ("pegawai.ubah", str(after["199001012015011002"].pk)),
            ("pegawai.ubah", str(andi.pk)),
        ]
    )


def test_same_day_change_corrects_the_placement_instead_of_closing_it(
    tmp_path: Path, time_machine: Any
) -> None:
    time_machine.move_to(HARI_1, tick=False)
    assert run_import("--instansi", "KOMINFO", str(CONTOH_CSV))[0] == 0
    rows = contoh_rows()
    for r in rows:
        if r["nip"] == "199202022017011003":
            r.update(unit_kerja="Seksi Infrastruktur", unit_induk="Bidang Aplikasi", nip_atasan=KABID)
    code, out, _ = run_import("--instansi", "KOMINFO", write(tmp_path, "ubah.csv", csv_bytes(rows)))
    assert code == 0
    assert "1 mutasi" in out
    dewi = pegawai_map("KOMINFO")["199202022017011003"]
    with scope(instansi=dewi.instansi_id):
        history = list(Penempatan.objects.filter(instansi_id=dewi.instansi_id, pegawai=dewi))
    assert [(p.jenis, p.selesai, p.unit_kerja_id) for p in history] == [("awal", None, dewi.unit_kerja_id)]


def test_reimport_of_the_same_file_changes_nothing(time_machine: Any) -> None:
    time_machine.move_to(HARI_1, tick=False)
    assert run_import("--instansi", "KOMINFO", str(CONTOH_CSV))[0] == 0
    before = counts()
    time_machine.move_to(HARI_2, tick=False)
    code, out, _ = run_import("--instansi", "KOMINFO", str(CONTOH_CSV))
    assert code == 0
    assert "0 unit baru, 0 jabatan baru, 0 pegawai baru, 0 diperbarui, 0 mutasi, 7 tidak berubah" in out
    after = counts()
    assert after.pop("AuditLog") == before.pop("AuditLog") + 1  # only the import summary row
    assert after == before


def test_dry_run_reports_real_counts_and_writes_nothing(org_a: Org) -> None:
    before = counts()
    code, out, err = run_import("--instansi", "KOMINFO", "--dry-run", str(CONTOH_CSV))
    assert code == 0, err
    assert "Uji coba" in out
    assert "5 unit baru, 6 jabatan baru, 7 pegawai baru" in out
    assert counts() == before
    # also for an existing instansi
    code, out, _ = run_import("--instansi", "A", "--dry-run", str(CONTOH_CSV))
    assert code == 0
    assert "7 pegawai baru" in out
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tidak-ada.csv", None, "Berkas tidak dapat dibaca"),
        ("pegawai.xlsx", b"\x00\x01garbage" * 20, "bukan berkas Excel"),
        ("pegawai.xlsx", b"PK\x03\x04" + b"\x00" * 100, "XLSX tidak dapat dibaca"),
        ("pegawai.csv", "nip,nama\n1,Bé".encode("latin-1"), "UTF-8"),
        ("pegawai.csv", b"", "Berkas kosong"),
        ("pegawai.csv", b"\x00\x01\x02\x03", "bukan berkas teks CSV"),
        ("pegawai.csv", csv_bytes([]), "tidak berisi baris data"),
        ("pegawai.txt", b"nip\n", "gunakan .csv atau .xlsx"),
        ("pegawai.csv", b"nip;nama;status\n1;2;3\n", "titik koma"),
        (
            "pegawai.csv",
            b"NIP,nama,unit_kerja\n1,a,b\n",
            "Kolom wajib tidak ada di baris judul: status, jabatan, jenis_jabatan",
        ),
    ],
)
def test_unreadable_files_exit_1_without_traceback(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name if content is None else Path(write(tmp_path, name, content))
    before = counts()
    code, _out, err = run_import("--instansi", "KOMINFO", str(path))
    assert code == 1
    assert message in err
    assert "Traceback" not in err
    assert counts() == before


def test_missing_columns_is_one_error(tmp_path: Path) -> None:
    code, _, err = run_import("--instansi", "X", write(tmp_path, "a.csv", b"nip,nama\n1,a\n2,b\n"))
    assert code == 1
    assert [ln for ln in err.splitlines() if ln.startswith("baris")] == [
        "baris 1, kolom status, jabatan, jenis_jabatan, unit_kerja: Kolom wajib tidak ada di baris judul: "
        "status, jabatan, jenis_jabatan, unit_kerja. Kolom yang dikenali: nip, nama, status, pangkat_golongan, "
        "jabatan, jenis_jabatan, jenjang, unit_kerja, unit_induk, nip_atasan, email."
    ]


@pytest.mark.django_db(transaction=True)
def test_real_process_exit_codes_and_streams(tmp_path: Path) -> None:
    """The contract is about the process: run manage.py for real against the (committed) test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinerja.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
    }
    manage = [
        sys.executable,
        str(Path(settings.BASE_DIR) / "manage.py"),
        "import_pegawai",
        "--instansi",
        "PROSES",
    ]
    bad = write(tmp_path, "bad.csv", csv_bytes([row(nip=nip(1)[:17]), row(nip=nip(2), status="x")]))
    proc = subprocess.run(  # noqa: S603 - fixed argv: this interpreter, manage.py, temp files
        [*manage, bad], capture_output=True, text=True, env=env, check=False, timeout=120
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines()[:2] == [
        "baris 2, kolom nip: NIP harus 18 digit (tertulis 17 digit).",
        "baris 3, kolom status: Status harus salah satu dari: pns, cpns, pppk.",
    ]
    assert "Traceback" not in proc.stderr
    assert not Instansi.objects.filter(kode="PROSES").exists()
    proc = subprocess.run(  # noqa: S603
        [*manage, str(CONTOH_CSV)], capture_output=True, text=True, env=env, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 1
    assert "7 pegawai baru" in proc.stdout
    assert Pegawai._base_manager.filter(instansi__kode="PROSES").count() == 7
