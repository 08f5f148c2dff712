"""The SIASN admin pages: the send job with its result table, the audit export, the read side, isolation."""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from evaluasi.models import LogSiasn, PegawaiSiasn
from evaluasi.siasn.jobs import JOB_SIASN, siasn_kirim_job_run
from kinerja.models import AuditLog, Job, Pegawai, Penempatan
from tests.conftest import Org
from tests.factories import JabatanFactory
from tests.siasn.conftest import TAHUN, setup_year
from tests.siasn.fake import CONSUMER_SECRET, SSO_PASSWORD, FakeSiasn

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def start_and_run(org: Org) -> Job:
    c = login(org.admin.user)
    r = c.post("/evaluasi/siasn/", {"tahun": TAHUN, "jenis": ["skp22"]})
    assert r.status_code == 302, r.content.decode()[:2000]
    with scopes_disabled():
        job = Job._base_manager.get(instansi=org.instansi, jenis=JOB_SIASN)
    with scope(instansi=org.instansi.pk):
        siasn_kirim_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_page_without_settings_names_the_variables(org_a: Org) -> None:
    r = login(org_a.admin.user).get("/evaluasi/siasn/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "KINERJA_SIASN_A_CONSUMER_SECRET" in html
    assert 'data-testid="siasn-kosong"' in html
    # starting without settings is a 400 with the message, not a 500
    r = login(org_a.admin.user).post("/evaluasi/siasn/", {"tahun": TAHUN, "jenis": ["skp22"]})
    assert r.status_code == 400
    assert "belum lengkap" in r.content.decode()
    r = login(org_a.admin.user).post("/evaluasi/siasn/", {"tahun": "abc"})
    assert r.status_code == 400
    assert "Pilih paling sedikit satu jenis" in r.content.decode()


def test_admin_sends_the_year_and_sees_the_failures(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, django_assert_max_num_queries: Any
) -> None:
    siasn_a.nip_400[org_a.rekan.nip] = "Unor penilai tidak sesuai"
    job = start_and_run(org_a)
    assert job.status == "selesai"
    assert job.detail == {"terkirim": 2, "tidak_berubah": 0, "gagal": 1, "total": 3}
    assert job.progress == 100
    c = login(org_a.admin.user)
    with django_assert_max_num_queries(20):
        r = c.get(f"/evaluasi/siasn/?job={job.pk}")
    html = r.content.decode()
    assert html.count('data-testid="baris-gagal"') == 1
    assert html.count('data-testid="baris-terkirim"') == 2
    assert "HTTP 400: Unor penilai tidak sesuai" in html
    assert org_a.rekan.nip in html
    r = c.get(f"/evaluasi/siasn/?job={job.pk}&hasil=gagal&bagian=hasil")
    assert r.content.decode().count("<tr data-testid=") == 1
    # a second run while one is queued is refused (409), never a second job
    Job._base_manager.filter(pk=job.pk).update(status="berjalan")
    r = c.post("/evaluasi/siasn/", {"tahun": TAHUN, "jenis": ["skp22"]})
    assert r.status_code == 409


def test_audit_export_has_every_payload_and_answer(siasn_a: FakeSiasn, org_a: Org, year_a: Any) -> None:
    siasn_a.nip_400[org_a.rekan.nip] = "=HYPERLINK(x)"  # a formula from outside stays text
    start_and_run(org_a)
    c = login(org_a.admin.user)
    r = c.get(f"/evaluasi/siasn/audit/?tahun={TAHUN}&format=csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert rows[0][:5] == ["waktu", "nip", "jenis", "endpoint", "hasil"]
    assert len(rows) == 4
    sent = [x for x in rows[1:] if x[4] == "terkirim"]
    assert len(sent) == 2
    assert json.loads(sent[0][10])["pnsDinilaiOrang"].startswith("pns-")
    assert json.loads(sent[0][11])["success"] is True
    failed = next(x for x in rows[1:] if x[4] == "gagal")
    assert failed[1] == org_a.rekan.nip
    assert failed[9] == "'=HYPERLINK(x)"
    r = c.get(f"/evaluasi/siasn/audit/?tahun={TAHUN}&format=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row >= 4
    text = json.dumps([[c.value for c in row] for row in ws.iter_rows()], default=str)
    assert CONSUMER_SECRET not in text
    assert SSO_PASSWORD not in text
    assert c.get("/evaluasi/siasn/audit/?tahun=2²").status_code == 404  # never a 500 (int() refuses "²")


@pytest.mark.parametrize("who", ["pegawai", "atasan", "hr"])
def test_other_roles_get_404(org_a: Org, who: str) -> None:
    c = login(getattr(org_a, who).user)
    for url in ("/evaluasi/siasn/", "/evaluasi/siasn/tarik/", f"/evaluasi/siasn/audit/?tahun={TAHUN}"):
        assert c.get(url).status_code == 404


def test_other_instansi_sees_nothing_of_a(siasn_a: FakeSiasn, org_a: Org, year_a: Any, outsider: Any) -> None:
    job = start_and_run(org_a)
    c = login(outsider.user)  # admin of B
    assert c.get(f"/evaluasi/siasn/?job={job.pk}").status_code == 404
    r = c.get(f"/evaluasi/siasn/audit/?tahun={TAHUN}&format=csv")
    assert len(list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))) == 1  # header only
    html = c.get("/evaluasi/siasn/").content.decode()
    assert org_a.pegawai.nip not in html
    assert f"?job={job.pk}" not in html
    # and B posting A's NIPs to the read side finds no such pegawai
    for k, v in siasn_a.env("B").items():
        os.environ[k] = v
    n = len(siasn_a.requests)
    try:
        r = c.post("/evaluasi/siasn/tarik/", {"aksi": "bandingkan", "nip": org_a.pegawai.nip})
        assert "tidak terdaftar sebagai pegawai instansi ini" in r.content.decode()
        assert not [x for x in siasn_a.requests[n:] if org_a.pegawai.nip in x["path"]]
    finally:
        for k in siasn_a.env("B"):
            os.environ.pop(k, None)


def test_read_side_page_shows_the_diff_and_applies_on_confirm(siasn_a: FakeSiasn, org_a: Org) -> None:
    kabid = org_a.atasan.jabatan  # "Kepala Bidang" exists in A
    siasn_a.people[org_a.pegawai.nip] = {
        "nama": "Nama Dari SIASN",
        "jabatanNama": kabid.nama,
        "unorNama": org_a.pegawai.unit_kerja.nama,
        "pangkatAkhir": "Penata Muda Tingkat I",
        "golRuangAkhir": "III/b",
    }
    siasn_a.people[org_a.rekan.nip] = {"jabatanNama": "Jabatan Yang Tidak Ada", "nama": org_a.rekan.nama}
    siasn_a.people[org_a.kepala.nip] = {"nama": org_a.kepala.nama}  # the same as in the app
    c = login(org_a.admin.user)
    nips = f"{org_a.pegawai.nip}, {org_a.rekan.nip}\n{org_a.kepala.nip}"
    r = c.post("/evaluasi/siasn/tarik/", {"aksi": "bandingkan", "nip": nips})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Nama Dari SIASN" in html
    assert "Penata Muda Tingkat I / III/b" in html
    assert 'data-testid="terapkan"' in html
    with scopes_disabled():
        assert Pegawai._base_manager.get(pk=org_a.pegawai.pk).nama != "Nama Dari SIASN"  # nothing changed yet
        assert PegawaiSiasn._base_manager.filter(instansi=org_a.instansi).count() == 3
    sidik = r.context["sidik"]
    # a stale confirmation (something changed meanwhile) is refused
    r = c.post("/evaluasi/siasn/tarik/", {"aksi": "terapkan", "nip": nips, "sidik": "0" * 64})
    assert r.status_code == 409
    r = c.post("/evaluasi/siasn/tarik/", {"aksi": "terapkan", "nip": nips, "sidik": sidik}, follow=True)
    html = r.content.decode()
    assert "1 pegawai diperbarui dari SIASN" in html
    assert "Jabatan Yang Tidak Ada" in html  # reported, not invented
    with scopes_disabled():
        p = Pegawai._base_manager.get(pk=org_a.pegawai.pk)
        assert (p.nama, p.pangkat_golongan, p.jabatan_id) == (
            "Nama Dari SIASN",
            "Penata Muda Tingkat I / III/b",
            kabid.pk,
        )
        assert Penempatan._base_manager.filter(pegawai=p, jabatan=kabid).exists()  # a mutasi, with history
        assert AuditLog._base_manager.filter(action="pegawai.siasn_tarik", object_id=str(p.pk)).exists()
    r = c.post("/evaluasi/siasn/tarik/", {"aksi": "bandingkan", "nip": "123"})
    assert r.status_code == 400
    assert "NIP harus 18 angka" in r.content.decode()


def test_siasn_tarik_command(siasn_a: FakeSiasn, org_a: Org) -> None:
    JabatanFactory(instansi=org_a.instansi, nama="Analis Kebijakan Ahli Muda")
    siasn_a.people[org_a.pegawai.nip] = {
        "jabatanNama": "Analis Kebijakan Ahli Muda",
        "nama": org_a.pegawai.nama,
    }
    siasn_a.unknown_nip.add(org_a.rekan.nip)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command(
            "siasn_tarik",
            "--instansi",
            "A",
            "--nip",
            f"{org_a.pegawai.nip},{org_a.rekan.nip}",
            stdout=out,
            stderr=err,
        )
    assert exc.value.code == 1
    assert "Jabatan: 'Pengadministrasi Umum' -> 'Analis Kebijakan Ahli Muda'" in out.getvalue()
    assert f"GAGAL NIP {org_a.rekan.nip}" in err.getvalue()
    with scopes_disabled():
        assert Pegawai._base_manager.get(pk=org_a.pegawai.pk).jabatan.nama == "Pengadministrasi Umum"
    call_command(
        "siasn_tarik", "--instansi", "A", "--nip", org_a.pegawai.nip, "--terapkan", stdout=out, stderr=err
    )
    with scopes_disabled():
        assert Pegawai._base_manager.get(pk=org_a.pegawai.pk).jabatan.nama == "Analis Kebijakan Ahli Muda"


def test_job_log_rows_are_per_job(siasn_a: FakeSiasn, org_a: Org) -> None:
    setup_year(org_a)
    job = start_and_run(org_a)
    with scopes_disabled():
        assert LogSiasn._base_manager.filter(job=job).count() == 3
