"""API twins of the SIASN pages (issue #19): start a send run, list runs and their per-pegawai results, the
read side (compare, apply), the audit export. admin_instansi only; two instansi and an outsider."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from evaluasi.siasn.jobs import JOB_SIASN, siasn_kirim_job_run
from kinerja.models import AuditLog, Job, Pegawai
from tests.conftest import Org, api_client_for
from tests.siasn.conftest import TAHUN, more_rated, setup_year
from tests.siasn.fake import FakeSiasn

pytestmark = pytest.mark.django_db

JOBS, TARIK, AUDIT = "/api/v1/siasn/jobs/", "/api/v1/siasn/tarik/", "/api/v1/siasn/audit/"


def hasil_url(job_id: int) -> str:
    return f"/api/v1/siasn/jobs/{job_id}/hasil/"


def mulai_dan_jalankan(org: Org, captured: Any, **body: Any) -> int:
    """POST the twin (as the page's button), then run the job it queued (what the Celery worker does)."""
    with captured(execute=False) as callbacks:
        r = api_client_for(org.admin.user).post(JOBS, {"tahun": TAHUN, **body}, format="json")
    assert r.status_code == 202, r.content
    assert len(callbacks) == 1  # the page's Celery task, queued on commit
    job_id = r.json()["job"]
    with scope(instansi=org.instansi.pk):
        siasn_kirim_job_run(job_id=job_id)
    return int(job_id)


@pytest.fixture
def env_b(siasn_a: FakeSiasn) -> Iterator[None]:
    """The fake also configured for instansi B."""
    os.environ.update(siasn_a.env("B"))
    yield
    for k in siasn_a.env("B"):
        os.environ.pop(k, None)


def test_admin_starts_a_run_and_reads_its_results(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    siasn_a.nip_400[org_a.rekan.nip] = "Penilai tidak ditemukan pada unor"
    job_id = mulai_dan_jalankan(org_a, django_capture_on_commit_callbacks, jenis=["skp22"])
    c = api_client_for(org_a.admin.user)
    # the existing job endpoint follows it
    r = c.get(f"/api/v1/jobs/{job_id}/")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["progress"]) == ("selesai", 100)
    assert r.json()["detail"] == {"terkirim": 2, "tidak_berubah": 0, "gagal": 1, "total": 3}
    # the runs
    r = c.get(JOBS)
    assert r.status_code == 200
    [run] = r.json()["results"]
    assert (run["id"], run["tahun"], run["jenis"], run["status"]) == (job_id, TAHUN, ["skp22"], "selesai")
    assert run["detail"]["gagal"] == 1
    # the per-pegawai results, failures first
    r = c.get(hasil_url(job_id))
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [x["hasil"] for x in rows] == ["gagal", "terkirim", "terkirim"]
    assert rows[0]["nip"] == org_a.rekan.nip
    assert (rows[0]["http_status"], rows[0]["pesan"]) == (400, "Penilai tidak ditemukan pada unor")
    assert all(x["siasn_id"].startswith("skp22-") for x in rows[1:])
    r = c.get(hasil_url(job_id), {"hasil": "gagal"})
    assert [x["nip"] for x in r.json()["results"]] == [org_a.rekan.nip]
    r = c.get(hasil_url(job_id), {"hasil": "semua"})
    assert r.status_code == 400
    assert "hasil" in r.json()["errors"]


def test_a_run_without_jenis_sends_every_kind_and_bad_input_is_a_400(
    fake_siasn: FakeSiasn,
    org_a: Org,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    c = api_client_for(org_a.admin.user)
    # no SIASN settings for A: 400 naming the variables (never a value), nothing queued
    r = c.post(JOBS, {"tahun": TAHUN}, format="json")
    assert r.status_code == 400
    assert "KINERJA_SIASN_A_BASE_URL" in r.json()["errors"]["tahun"][0]
    for k, v in fake_siasn.env("A").items():
        monkeypatch.setenv(k, v)
    for body, field in (
        ({"tahun": "abc"}, "tahun"),
        ({"tahun": 1999}, "tahun"),
        ({"tahun": TAHUN, "jenis": ["skp22", "lain"]}, "jenis.1"),
        ({"tahun": TAHUN, "jenis": []}, "jenis"),
        ({}, "tahun"),
    ):
        r = c.post(JOBS, body, format="json")
        assert r.status_code == 400, body
        assert field in r.json()["errors"], (body, r.json())
    with django_capture_on_commit_callbacks(execute=False):
        r = c.post(JOBS, {"tahun": TAHUN}, format="json")
    assert r.status_code == 202
    with scopes_disabled():
        job = Job._base_manager.get(pk=r.json()["job"])
    assert (job.jenis, job.params) == (
        JOB_SIASN,
        {"tahun": TAHUN, "jenis": ["skp22", "periodik", "angkakredit"]},
    )
    # while it is queued a second start is refused, as on the page
    r = c.post(JOBS, {"tahun": TAHUN}, format="json")
    assert r.status_code == 409
    assert "sedang berjalan" in r.json()["detail"]


def test_only_the_admin_of_the_instansi_sees_anything(
    siasn_a: FakeSiasn,
    org_a: Org,
    org_b: Org,
    outsider: Any,
    year_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job_id = mulai_dan_jalankan(org_a, django_capture_on_commit_callbacks)
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("get", JOBS, None),
        ("post", JOBS, {"tahun": TAHUN}),
        ("get", hasil_url(job_id), None),
        ("post", TARIK, {"nip": [org_a.pegawai.nip]}),
        ("get", f"{AUDIT}?tahun={TAHUN}", None),
    ]
    for who in ("pegawai", "atasan", "hr", "kepala"):
        c = api_client_for(getattr(org_a, who).user)
        for method, url, body in calls:
            r = getattr(c, method)(url, body, format="json") if body else getattr(c, method)(url)
            assert r.status_code == 404, (who, method, url, r.status_code)
    anon = api_client_for(None)
    for method, url, body in calls:
        assert getattr(anon, method)(url, body, format="json").status_code == 401
    # the admin of B: nothing of A, and A's run is a 404 everywhere
    b = api_client_for(outsider.user)
    assert b.get(JOBS).json()["results"] == []
    assert b.get(hasil_url(job_id)).status_code == 404
    assert b.get(f"/api/v1/jobs/{job_id}/").status_code == 404
    r = b.get(AUDIT, {"tahun": TAHUN})
    assert r.status_code == 200
    assert len(list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))) == 1  # header only
    with scopes_disabled():
        assert not Job._base_manager.filter(instansi=org_b.instansi).exists()


def test_outsider_reading_a_nips_finds_no_such_pegawai(
    siasn_a: FakeSiasn, org_a: Org, outsider: Any, env_b: None
) -> None:
    n = len(siasn_a.requests)
    r = api_client_for(outsider.user).post(TARIK, {"nip": [org_a.pegawai.nip]}, format="json")
    assert r.status_code == 200
    [row] = r.json()["baris"]
    assert "tidak terdaftar sebagai pegawai instansi ini" in row["galat"]
    assert row["pegawai_id"] is None
    assert not [x for x in siasn_a.requests[n:] if org_a.pegawai.nip in x["path"]]  # SIASN not asked
    # applying it changes nothing of A
    r = api_client_for(outsider.user).post(
        TARIK, {"nip": [org_a.pegawai.nip], "terapkan": True, "sidik": r.json()["sidik"]}, format="json"
    )
    assert (r.status_code, r.json()["pegawai_diubah"]) == (200, 0)


def test_read_side_compares_then_applies_what_was_shown(siasn_a: FakeSiasn, org_a: Org) -> None:
    kabid = org_a.atasan.jabatan
    siasn_a.people[org_a.pegawai.nip] = {
        "nama": "Nama Dari SIASN", "jabatanNama": kabid.nama, "unorNama": org_a.pegawai.unit_kerja.nama,
        "pangkatAkhir": "Penata Muda Tingkat I", "golRuangAkhir": "III/b",
    }  # fmt: skip
    siasn_a.people[org_a.rekan.nip] = {"jabatanNama": "Jabatan Yang Tidak Ada", "nama": org_a.rekan.nama}
    c = api_client_for(org_a.admin.user)
    nips = [org_a.pegawai.nip, org_a.rekan.nip]
    r = c.post(TARIK, {"nip": nips}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["diterapkan"] is False
    by_nip = {x["nip"]: x for x in body["baris"]}
    assert by_nip[org_a.pegawai.nip]["beda"]["nama"] == [org_a.pegawai.nama, "Nama Dari SIASN"]
    assert by_nip[org_a.pegawai.nip]["beda"]["golongan"][1] == "Penata Muda Tingkat I / III/b"
    assert by_nip[org_a.rekan.nip]["beda"]["jabatan"][1] == "Jabatan Yang Tidak Ada"
    with scopes_disabled():
        assert Pegawai._base_manager.get(pk=org_a.pegawai.pk).nama != "Nama Dari SIASN"  # nothing changed yet
    # a stale confirmation: 409 with the fresh comparison, nothing applied
    r = c.post(TARIK, {"nip": nips, "terapkan": True, "sidik": "0" * 64}, format="json")
    assert r.status_code == 409
    assert r.json()["sidik"] == body["sidik"]
    assert r.json()["baris"] == body["baris"]
    r = c.post(TARIK, {"nip": nips, "terapkan": True}, format="json")  # no sidik at all
    assert r.status_code == 409
    r = c.post(TARIK, {"nip": nips, "terapkan": True, "sidik": body["sidik"]}, format="json")
    assert r.status_code == 200
    out = r.json()
    assert (out["diterapkan"], out["pegawai_diubah"]) == (True, 1)
    assert any("Jabatan Yang Tidak Ada" in x for x in out["catatan"])  # reported, not invented
    with scopes_disabled():
        p = Pegawai._base_manager.get(pk=org_a.pegawai.pk)
        assert (p.nama, p.pangkat_golongan, p.jabatan_id) == (
            "Nama Dari SIASN",
            "Penata Muda Tingkat I / III/b",
            kabid.pk,
        )
        assert AuditLog._base_manager.filter(action="pegawai.siasn_tarik", object_id=str(p.pk)).exists()


def test_read_side_bad_input_is_a_400(siasn_a: FakeSiasn, org_a: Org, fake_siasn: FakeSiasn) -> None:
    c = api_client_for(org_a.admin.user)
    for body in ({"nip": ["123"]}, {"nip": []}, {"nip": "198501012010011001"}, {}, {"nip": ["1" * 18] * 21}):
        r = c.post(TARIK, body, format="json")
        assert r.status_code == 400, body
        assert "nip" in r.json()["errors"], (body, r.json())
    assert "NIP harus 18 angka" in c.post(TARIK, {"nip": ["123"]}, format="json").json()["errors"]["nip"][0]


def test_read_side_without_settings_is_a_400(org_a: Org) -> None:
    r = api_client_for(org_a.admin.user).post(TARIK, {"nip": [org_a.pegawai.nip]}, format="json")
    assert r.status_code == 400
    assert "KINERJA_SIASN_A_" in r.json()["errors"]["nip"][0]


def test_audit_export_csv_and_xlsx(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mulai_dan_jalankan(org_a, django_capture_on_commit_callbacks, jenis=["skp22"])
    c = api_client_for(org_a.admin.user)
    r = c.get(AUDIT, {"tahun": TAHUN, "format": "csv"})
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="siasn-A-{TAHUN}.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert len(rows) == 3
    assert {x["hasil"] for x in rows} == {"terkirim"}
    assert all('"pnsDinilaiOrang"' in x["payload"] and "mapData" in x["jawaban_siasn"] for x in rows)
    r = c.get(AUDIT, {"tahun": TAHUN, "format": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row == 4
    for params, field in (
        ({}, "tahun"),
        ({"tahun": "20x6"}, "tahun"),
        ({"tahun": "2²"}, "tahun"),  # a digit to str.isdigit() that int() refuses: a 400, never a 500
        ({"tahun": TAHUN, "format": "pdf"}, "format"),
    ):
        r = c.get(AUDIT, params)
        assert r.status_code == 400, params
        assert field in r.json()["errors"]


def test_lists_do_not_grow_queries_with_the_rows(
    siasn_a: FakeSiasn,
    org_a: Org,
    year_a: Any,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    mulai_dan_jalankan(org_a, django_capture_on_commit_callbacks, jenis=["skp22"])
    more_rated(org_a, 12)
    setup_year(org_a)
    with scopes_disabled():
        Job._base_manager.filter(instansi=org_a.instansi).update(status="selesai")
    job_id = mulai_dan_jalankan(org_a, django_capture_on_commit_callbacks, jenis=["skp22"])
    c = api_client_for(org_a.admin.user)
    with django_assert_max_num_queries(10):
        r = c.get(JOBS)
    assert r.json()["count"] == 2
    with django_assert_max_num_queries(10):
        r = c.get(hasil_url(job_id))
    assert r.json()["count"] == 12
