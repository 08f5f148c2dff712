"""HR exports (XLSX/CSV), document jobs (bulk ZIP, PDF rekap, Matriks Peran Hasil) and isolation."""

import csv
import io
import zipfile
from typing import Any

import pytest
from django.test import Client
from django_scopes import scope
from openpyxl import load_workbook

from kinerja.models import AuditLog, Dokumen, Job, JobStatus
from skp.documents import skp_rekap_per_unit
from skp.tasks import skp_bulk_zip_task, skp_document_render_task, skp_matriks_pdf_task, skp_rekap_pdf_task
from tests.conftest import Org
from tests.dokumen.conftest import flat, full_plan, pdf_text, requires_poppler, screenshot
from tests.factories import PegawaiFactory, UnitKerjaFactory
from tests.skp.test_api_skp import create_skp

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def plan(org_a: Org, api: Any) -> dict[str, Any]:
    p = full_plan(api, org_a)
    create_skp(api(org_a.rekan.user))  # a draft in the same unit
    return p


def test_rekap_counts_per_unit(org_a: Org, plan: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    with scope(instansi=org_a.instansi.pk), django_assert_max_num_queries(4):
        rows = {r["unit_nama"]: r for r in skp_rekap_per_unit(instansi=org_a.instansi, tahun=2026)}
    bidang, sekretariat = rows["Bidang Umum A"], rows["Sekretariat A"]
    # Bidang: atasan (approved), pegawai (approved), rekan (draft)
    assert bidang["pegawai"] == 3
    assert bidang["belum"] == 0
    assert bidang["status"]["disetujui"] == 2
    assert bidang["status"]["draft"] == 1
    assert bidang["persen"] == pytest.approx(66.7)
    # Sekretariat: kepala (approved), admin and hr without SKP
    assert sekretariat["pegawai"] == 3
    assert sekretariat["belum"] == 2
    assert sekretariat["status"]["disetujui"] == 1


def test_rekap_query_count_does_not_grow_with_units(
    org_a: Org, plan: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        unit = UnitKerjaFactory(instansi=org_a.instansi, nama=f"Seksi {i}", induk=org_a.atasan.unit_kerja)
        PegawaiFactory(
            instansi=org_a.instansi, unit_kerja=unit, jabatan=org_a.pegawai.jabatan, atasan=org_a.atasan
        )
    with scope(instansi=org_a.instansi.pk), django_assert_max_num_queries(4):
        rows = skp_rekap_per_unit(instansi=org_a.instansi, tahun=2026)
    assert len(rows) == 7


def test_rekap_xlsx_and_csv_download(org_a: Org, plan: dict[str, Any]) -> None:
    c = login(org_a.hr.user)
    resp = c.get("/dokumen/ekspor/skp_rekap_unit/", {"tahun": 2026, "format": "xlsx"})
    assert resp.status_code == 200
    assert resp["Content-Disposition"] == 'attachment; filename="rekap-skp-2026.xlsx"'
    rows = _xlsx_rows(resp.content)
    header_i = next(i for i, r in enumerate(rows) if r[0] == "Unit kerja")
    data = {r[0]: r for r in rows[header_i + 1 :]}
    assert data["Sekretariat A / Bidang Umum A"][1:4] == [3, 0, 1]
    assert data["JUMLAH"][1] == 6
    resp = c.get("/dokumen/ekspor/skp_rekap_unit/", {"tahun": 2026, "format": "csv"})
    assert resp["Content-Type"].startswith("text/csv")
    parsed = list(csv.reader(io.StringIO(resp.content.decode())))
    assert parsed[0][0] == "Unit kerja"
    assert parsed[-1][0] == "JUMLAH"
    with scope(instansi=org_a.instansi.pk):
        assert AuditLog.objects.filter(action="ekspor.skp_rekap_unit", actor=org_a.hr.user).count() == 2


def test_export_of_one_unit_and_spreadsheet_injection(org_a: Org, plan: dict[str, Any]) -> None:
    c = login(org_a.admin.user)
    resp = c.get(
        "/dokumen/ekspor/skp_rekap_unit/",
        {"tahun": 2026, "unit": org_a.atasan.unit_kerja_id, "format": "csv"},
    )
    lines = list(csv.reader(io.StringIO(resp.content.decode())))
    assert [r[0] for r in lines[1:]] == ["Sekretariat A / Bidang Umum A", "JUMLAH"]
    # a (top-level) unit name that is a spreadsheet formula stays inert text
    evil = UnitKerjaFactory(instansi=org_a.instansi, nama='=HYPERLINK("http://x","klik")')
    resp = c.get("/dokumen/ekspor/skp_rekap_unit/", {"tahun": 2026, "format": "csv"})
    rows = [r for r in csv.reader(io.StringIO(resp.content.decode())) if "HYPERLINK" in r[0]]
    assert rows
    assert rows[0][0] == "'" + evil.nama
    resp = c.get("/dokumen/ekspor/skp_rekap_unit/", {"tahun": 2026, "unit": evil.pk, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(resp.content)).active
    cells = [
        cell
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert cells
    assert all(cell.data_type == "s" for cell in cells)


def test_exports_are_hr_only_and_tenant_isolated(
    org_a: Org, org_b: Org, outsider: Any, plan: dict[str, Any]
) -> None:
    assert login(org_a.pegawai.user).get("/dokumen/ekspor/").status_code == 404
    assert login(org_a.pegawai.user).get("/dokumen/ekspor/skp_rekap_unit/").status_code == 404
    assert Client().get("/dokumen/ekspor/skp_rekap_unit/").status_code == 302  # login first
    # the outsider (admin of B) cannot name a unit of A, and B's export shows B only
    c = login(outsider.user)
    assert c.get("/dokumen/ekspor/skp_rekap_unit/", {"unit": org_a.atasan.unit_kerja_id}).status_code == 404
    resp = c.get("/dokumen/ekspor/skp_rekap_unit/", {"format": "csv", "tahun": 2026})
    assert "Sekretariat A" not in resp.content.decode()
    assert "Sekretariat B" in resp.content.decode()
    page = login(org_a.hr.user).get("/dokumen/ekspor/")
    assert page.status_code == 200
    assert 'data-testid="job-skp_zip"' in page.content.decode()


def test_matriks_xlsx_for_leader_only(org_a: Org, plan: dict[str, Any]) -> None:
    atasan_skp = plan["atasan"]["skp"]["id"]
    resp = login(org_a.atasan.user).get("/dokumen/ekspor/matriks_peran_hasil/", {"skp": atasan_skp})
    assert resp.status_code == 200
    rows = _xlsx_rows(resp.content)
    header = next(r for r in rows if r[0] == "Nama")
    assert header[4] == "1. Tersusunnya standar pelayanan bidang umum"
    by_name = {r[0]: r for r in rows if r[0] not in (None, "Nama") and r[1]}
    assert "Terselesaikannya draf SOP loket pelayanan" in by_name[org_a.pegawai.nama][4]
    assert by_name[org_a.rekan.nama][4] == "N/A"
    # a subordinate may not read the leader's matrix; another instansi never
    assert (
        login(org_a.pegawai.user).get("/dokumen/ekspor/matriks_peran_hasil/", {"skp": atasan_skp}).status_code
        == 404
    )


def _start(client: Client, key: str, **params: Any) -> Job:
    resp = client.post(f"/dokumen/jobs/{key}/mulai/", params)
    assert resp.status_code == 302, resp.content
    job_id = int(resp["Location"].rstrip("/").rsplit("/", 1)[-1])
    return Job._base_manager.get(pk=job_id)


def test_bulk_zip_job(
    org_a: Org, org_b: Org, outsider: Any, plan: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    hr = login(org_a.hr.user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = _start(hr, "skp_zip", tahun=2026)
    assert len(queued) == 1
    assert job.status == JobStatus.ANTRI
    assert job.params == {"tahun": 2026}
    # the same request again while it waits does not start a second job
    with django_capture_on_commit_callbacks(execute=False):
        assert _start(hr, "skp_zip", tahun=2026).pk == job.pk
    page = hr.get(f"/dokumen/jobs/{job.pk}/")
    assert page.status_code == 200
    assert "hx-get" in page.content.decode()
    # when the worker runs it (documents missing → rendered inside the job), twice
    skp_bulk_zip_task(org_a.instansi.pk, job.pk)
    skp_bulk_zip_task(org_a.instansi.pk, job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SELESAI
    assert job.progress == 100
    assert job.detail["jumlah"] == 3
    resp = hr.get(f"/jobs/{job.pk}/unduh/")
    assert resp.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content)))
    names = zf.namelist()
    assert "MANIFEST.csv" in names
    assert sum(n.endswith(".pdf") for n in names) == 3
    manifest = list(csv.DictReader(io.StringIO(zf.read("MANIFEST.csv").decode())))
    with scope(instansi=org_a.instansi.pk):
        for row in manifest:
            dok = Dokumen.objects.get(kode=row["kode_verifikasi"])
            assert dok.sha256 == row["sha256"]
            import hashlib

            assert hashlib.sha256(zf.read(row["berkas"])).hexdigest() == row["sha256"]
        assert Dokumen.objects.filter(jenis="skp").count() == 3  # rendered once, reused on re-run
    # isolation: another instansi and a plain pegawai get 404 for the job page and the file
    for user in (outsider.user, org_a.pegawai.user):
        assert login(user).get(f"/dokumen/jobs/{job.pk}/").status_code == 404
        assert login(user).get(f"/jobs/{job.pk}/unduh/").status_code == 404
        assert login(user).get(f"/jobs/{job.pk}/kemajuan/").status_code == 404


def test_jobs_reject_foreign_params_and_roles(
    org_a: Org, org_b: Org, outsider: Any, plan: dict[str, Any]
) -> None:
    assert (
        login(outsider.user)
        .post("/dokumen/jobs/skp_zip/mulai/", {"unit": org_a.atasan.unit_kerja_id})
        .status_code
        == 404
    )
    assert login(org_a.pegawai.user).post("/dokumen/jobs/skp_zip/mulai/", {"tahun": 2026}).status_code == 404
    assert (
        login(org_a.pegawai.user)
        .post("/dokumen/jobs/matriks_peran_hasil_pdf/mulai/", {"skp": plan["atasan"]["skp"]["id"]})
        .status_code
        == 404
    )
    assert login(org_a.hr.user).post("/dokumen/jobs/tidak_ada/mulai/").status_code == 404
    assert login(org_a.hr.user).get("/dokumen/jobs/skp_zip/mulai/").status_code == 405


@requires_poppler
def test_rekap_pdf_job(org_a: Org, plan: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        job = _start(login(org_a.admin.user), "skp_rekap_pdf", tahun=2026)
    skp_rekap_pdf_task(org_a.instansi.pk, job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SELESAI
    data = job.hasil.read()
    screenshot(data, "rekap-skp-unit", 1)
    text = flat(pdf_text(data))
    assert "REKAP PENYUSUNAN SASARAN KINERJA PEGAWAI TAHUN 2026" in text
    assert "Bidang Umum A" in text
    assert org_a.rekan.nama in text
    assert "Belum ada SKP" in text
    assert "JUMLAH" in text
    assert "Kode verifikasi" in text


@requires_poppler
def test_matriks_pdf_job_by_leader(
    org_a: Org, plan: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    leader = login(org_a.atasan.user)
    with django_capture_on_commit_callbacks(execute=False):
        job = _start(leader, "matriks_peran_hasil_pdf", skp=plan["atasan"]["skp"]["id"])
    skp_matriks_pdf_task(org_a.instansi.pk, job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SELESAI, job.pesan
    assert leader.get(f"/dokumen/jobs/{job.pk}/").status_code == 200  # own job
    data = job.hasil.read()
    screenshot(data, "matriks-peran-hasil", 1)
    text = flat(pdf_text(data))
    assert "MATRIKS PERAN HASIL" in text
    assert "Tersusunnya standar pelayanan bidang umum" in text
    assert "Terselesaikannya draf SOP loket pelayanan" in text
    assert org_a.rekan.nama in text
    assert "N/A" in text


def test_zip_job_query_count_is_constant(
    org_a: Org, plan: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    """With the documents present, zipping costs a fixed number of queries (no N+1 per document)."""
    from kinerja.services.jobs import job_create

    for key in ("kepala", "atasan"):
        skp_document_render_task(org_a.instansi.pk, plan[key]["skp"]["id"])
    skp_document_render_task(org_a.instansi.pk, plan["pegawai"]["id"])
    with scope(instansi=org_a.instansi.pk):
        job = job_create(actor=None, instansi=org_a.instansi, jenis="skp_zip", params={"tahun": 2026})
    with django_assert_max_num_queries(9):
        skp_bulk_zip_task(org_a.instansi.pk, job.pk)
    job.refresh_from_db()
    assert job.detail["jumlah"] == 3
