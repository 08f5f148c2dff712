"""``POST impor/`` and ``POST ekspor/`` (contract §7): 202 ``{"job"}``, the same services as the pages,
the bad rows listed in the job, the file behind ``GET jobs/{id}/`` ``detail.url``; roles and isolation.

The task bodies run in the test (as the worker would), twice: they are idempotent."""

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope
from openpyxl import load_workbook

from kinerja.models import AuditLog, Job, JobStatus, Pegawai
from kinerja.tasks import ekspor_tabel_task, impor_pegawai_task
from tests.conftest import Org
from tests.kinerja.data.impor_util import csv_bytes, nip, row

pytestmark = pytest.mark.django_db


def _impor(c: Any, name: str, data: bytes, **extra: Any) -> Any:
    return c.post("/api/v1/impor/", {"berkas": SimpleUploadedFile(name, data), **extra}, format="multipart")


def _job(org: Org, job_id: int) -> Job:
    with scope(instansi=org.instansi.pk):
        return Job.objects.get(pk=job_id)


def test_impor_valid_file_runs_as_a_job(
    org_a: Org, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = api(org_a.admin.user)
    data = csv_bytes([row(nip=nip(1), nama="Sari Uji"), row(nip=nip(2), nama="Tono Uji", nip_atasan=nip(1))])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        resp = _impor(admin, "pegawai.csv", data)
    assert resp.status_code == 202, resp.content
    job_id = resp.json()["job"]
    assert len(queued) == 1
    assert admin.get(f"/api/v1/jobs/{job_id}/").json()["status"] == "antri"
    # the worker runs it (twice: the second run leaves the finished job alone)
    impor_pegawai_task(org_a.instansi.pk, job_id)
    impor_pegawai_task(org_a.instansi.pk, job_id)
    body = admin.get(f"/api/v1/jobs/{job_id}/").json()
    assert body["status"] == "selesai"
    assert body["progress"] == 100
    assert body["detail"]["pegawai_dibuat"] == 2
    assert body["detail"]["kesalahan"] == []
    with scope(instansi=org_a.instansi.pk):
        assert Pegawai.objects.filter(nip__in=[nip(1), nip(2)]).count() == 2


def test_impor_bad_rows_are_listed_and_nothing_imported(
    org_a: Org, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = api(org_a.admin.user)
    data = csv_bytes([row(nip=nip(1)), row(nip="123"), row(nip=nip(3), status="honorer")])
    with django_capture_on_commit_callbacks(execute=False):
        resp = _impor(admin, "pegawai.csv", data)
    job_id = resp.json()["job"]
    impor_pegawai_task(org_a.instansi.pk, job_id)
    body = admin.get(f"/api/v1/jobs/{job_id}/").json()
    assert body["status"] == "gagal"
    cells = {(k["baris"], k["kolom"]) for k in body["detail"]["kesalahan"]}
    assert (3, "nip") in cells
    assert (4, "status") in cells
    assert all(k["alasan"] for k in body["detail"]["kesalahan"])
    with scope(instansi=org_a.instansi.pk):
        assert not Pegawai.objects.filter(nip=nip(1)).exists()


def test_impor_dry_run_writes_nothing(org_a: Org, api: Any, django_capture_on_commit_callbacks: Any) -> None:
    admin = api(org_a.admin.user)
    with django_capture_on_commit_callbacks(execute=False):
        resp = _impor(admin, "p.csv", csv_bytes([row(nip=nip(5))]), dry_run="true")
    impor_pegawai_task(org_a.instansi.pk, resp.json()["job"])
    body = admin.get(f"/api/v1/jobs/{resp.json()['job']}/").json()
    assert body["detail"]["dry_run"] is True
    assert body["detail"]["pegawai_dibuat"] == 1
    with scope(instansi=org_a.instansi.pk):
        assert not Pegawai.objects.filter(nip=nip(5)).exists()


def test_impor_unreadable_file_is_400_and_roles_are_checked(org_a: Org, outsider: Any, api: Any) -> None:
    admin = api(org_a.admin.user)
    resp = _impor(admin, "pegawai.exe", b"MZ\x90\x00")
    assert resp.status_code == 400
    assert resp.json()["errors"]["berkas"]
    resp = _impor(admin, "pegawai.xlsx", b"nip,nama\n")
    assert resp.status_code == 400
    assert "berkas" in resp.json()["errors"]
    assert admin.post("/api/v1/impor/", {}, format="multipart").json()["errors"]["berkas"]
    # HR, a pegawai and a leader may not import: 404 as on the page
    for user in (org_a.hr.user, org_a.pegawai.user, org_a.atasan.user):
        assert _impor(api(user), "p.csv", csv_bytes([row(nip=nip(6))])).status_code == 404
    assert api(None).post("/api/v1/impor/").status_code == 401
    # the outsider (admin of B) imports into B only; A's job is invisible to them
    with scope(instansi=org_a.instansi.pk):
        job = Job.objects.create(instansi=org_a.instansi, jenis="impor_pegawai", dibuat_oleh=org_a.admin.user)
    assert api(outsider.user).get(f"/api/v1/jobs/{job.pk}/").status_code == 404


def test_ekspor_tabular_job_and_file_url(
    org_a: Org, org_b: Org, outsider: Any, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    hr = api(org_a.hr.user)
    kinds = {e["jenis"] for e in hr.get("/api/v1/ekspor/").json()}
    assert {"skp_rekap_unit", "skp_zip"} <= kinds
    with django_capture_on_commit_callbacks(execute=False) as queued:
        resp = hr.post(
            "/api/v1/ekspor/", {"jenis": "skp_rekap_unit", "tahun": 2026, "format": "csv"}, format="json"
        )
    assert resp.status_code == 202, resp.content
    assert len(queued) == 1
    job_id = resp.json()["job"]
    assert "url" not in hr.get(f"/api/v1/jobs/{job_id}/").json()["detail"]
    ekspor_tabel_task(org_a.instansi.pk, job_id)
    ekspor_tabel_task(org_a.instansi.pk, job_id)
    body = hr.get(f"/api/v1/jobs/{job_id}/").json()
    assert body["status"] == "selesai"
    url = body["detail"]["url"]
    assert url.endswith(f"/api/v1/jobs/{job_id}/berkas/")
    resp = hr.get(url)
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(resp.streaming_content).decode())))
    assert rows[0][0] == "Unit kerja"
    assert rows[-1][0] == "JUMLAH"
    assert any("Bidang Umum A" in r[0] for r in rows)
    assert not any("Sekretariat B" in r[0] for r in rows)
    with scope(instansi=org_a.instansi.pk):
        assert AuditLog.objects.filter(action="ekspor.skp_rekap_unit", actor=org_a.hr.user).count() == 1
    # the file and the job are the instansi's: outsider 404; a plain pegawai does not see HR's job
    assert api(outsider.user).get(url).status_code == 404
    assert api(org_a.pegawai.user).get(url).status_code == 404


def test_ekspor_xlsx_default_document_job_and_refusals(
    org_a: Org, outsider: Any, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = api(org_a.admin.user)
    with django_capture_on_commit_callbacks(execute=False):
        resp = admin.post("/api/v1/ekspor/", {"jenis": "skp_rekap_unit"}, format="json")
    ekspor_tabel_task(org_a.instansi.pk, resp.json()["job"])
    url = admin.get(f"/api/v1/jobs/{resp.json()['job']}/").json()["detail"]["url"]
    wb = load_workbook(io.BytesIO(b"".join(admin.get(url).streaming_content)))
    assert any(r[0] == "JUMLAH" for r in wb.active.iter_rows(values_only=True))
    # a document job (ZIP) starts exactly like the page's: the job is queued
    with django_capture_on_commit_callbacks(execute=False) as queued:
        resp = admin.post("/api/v1/ekspor/", {"jenis": "skp_zip", "tahun": 2026}, format="json")
    assert resp.status_code == 202
    assert len(queued) == 1
    assert _job(org_a, resp.json()["job"]).jenis == "skp_zip"
    # unknown kind, a pegawai (HR exports), a unit of another instansi: 404; a bad format: 400
    assert admin.post("/api/v1/ekspor/", {"jenis": "tidak_ada"}, format="json").status_code == 404
    pegawai = api(org_a.pegawai.user)
    assert pegawai.post("/api/v1/ekspor/", {"jenis": "skp_rekap_unit"}, format="json").status_code == 404
    resp = api(outsider.user).post(
        "/api/v1/ekspor/", {"jenis": "skp_rekap_unit", "unit": org_a.atasan.unit_kerja_id}, format="json"
    )
    assert resp.status_code == 404
    resp = admin.post("/api/v1/ekspor/", {"jenis": "skp_rekap_unit", "format": "pdf"}, format="json")
    assert resp.status_code == 400
    assert "format" in resp.json()["errors"]
    resp = admin.post("/api/v1/ekspor/", {"jenis": "skp_zip", "format": "csv"}, format="json")
    assert resp.status_code == 400
    with scope(instansi=org_a.instansi.pk):
        assert Job.objects.filter(status=JobStatus.ANTRI, jenis="ekspor_tabel").count() == 0
