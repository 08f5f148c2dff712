"""XLSX import of Perjanjian Kinerja and the PK pages: good file, bad rows (every one listed, nothing
imported), permissions, isolation, empty states, query counts."""

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from perjanjian.models import IndikatorKinerjaUtama, PerjanjianKinerja
from tests.conftest import Org
from tests.perjanjian.conftest import buat_pk

pytestmark = pytest.mark.django_db
TAHUN = 2026
HEADER = [
    "unit_kerja",
    "tahun",
    "sasaran",
    "indikator",
    "target",
    "definisi",
    "formula",
    "sumber_data",
    "periode_pelaporan",
]


def xlsx(rows: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def good_rows(org: Org) -> list[list[Any]]:
    top, bidang = org.kepala.unit_kerja.nama, org.atasan.unit_kerja.nama
    return [
        [
            top,
            TAHUN,
            "Meningkatnya pelayanan",
            "Indeks kepuasan masyarakat",
            "85",
            "Kepuasan",
            "Rata-rata",
            "Survei IKM",
            "Triwulanan",
        ],
        [top, TAHUN, "Meningkatnya pelayanan", "Layanan tepat waktu", "95 %", "", "", "", ""],
        [top, TAHUN, "Meningkatnya akuntabilitas", "Nilai SAKIP", "A", "", "", "LHE", "Tahunan"],
        [bidang, TAHUN, "Tertibnya administrasi umum", "Persentase arsip digital", "90 %", "", "", "", ""],
    ]


def test_good_file_imports_every_unit_as_a_version(org_a: Org) -> None:
    web = client_for(org_a.admin.user)
    resp = web.post(
        reverse("perjanjian:impor"), {"berkas": SimpleUploadedFile("pk.xlsx", xlsx(good_rows(org_a)))}
    )
    assert resp.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        pks = {p.unit_kerja_id: p for p in PerjanjianKinerja.objects.filter(tahun=TAHUN, aktif=True)}
        assert set(pks) == {org_a.kepala.unit_kerja_id, org_a.atasan.unit_kerja_id}
        top = pks[org_a.kepala.unit_kerja_id]
        assert [s.uraian for s in top.sasaran.order_by("urutan")] == [
            "Meningkatnya pelayanan",
            "Meningkatnya akuntabilitas",
        ]
        ikm = IndikatorKinerjaUtama.objects.get(perjanjian=top, uraian="Indeks kepuasan masyarakat")
        assert (ikm.target, ikm.sumber_data, ikm.periode_pelaporan) == ("85", "Survei IKM", "Triwulanan")
    # a second import is a revision
    web.post(
        reverse("perjanjian:impor"), {"berkas": SimpleUploadedFile("pk.xlsx", xlsx(good_rows(org_a)[:1]))}
    )
    with scope(instansi=org_a.instansi.pk):
        assert PerjanjianKinerja.objects.get(unit_kerja_id=org_a.kepala.unit_kerja_id, aktif=True).versi == 2


def test_bad_rows_are_all_listed_and_nothing_is_imported(org_a: Org, org_b: Org) -> None:
    rows = good_rows(org_a)
    rows[1][4] = ""  # line 3: no target
    rows[2][0] = "Unit Tidak Ada"  # line 4: unknown unit
    rows.append(
        [org_b.kepala.unit_kerja.nama, TAHUN, "S", "I", "1", "", "", "", ""]
    )  # line 6: other instansi
    rows.append([org_a.kepala.unit_kerja.nama, "dua ribu", "S", "I", "1", "", "", "", ""])  # line 7: year
    web = client_for(org_a.admin.user)
    resp = web.post(reverse("perjanjian:impor"), {"berkas": SimpleUploadedFile("pk.xlsx", xlsx(rows))})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'data-testid="pk-impor-galat"' in html
    tabel = html.split('data-testid="pk-impor-galat"')[1]
    for line, col in ((3, "target"), (4, "unit_kerja"), (6, "unit_kerja"), (7, "tahun")):
        assert f"<tr><td>{line}</td><td><code>{col}</code></td>" in tabel, (line, col)
    assert "<tr><td>2</td>" not in tabel
    with scope(instansi=org_a.instansi.pk):
        assert not PerjanjianKinerja.objects.exists()


def test_api_import_reports_every_bad_row(org_a: Org, api: Any) -> None:
    rows = good_rows(org_a)
    rows[0][3] = ""
    rows[3][1] = 1800
    resp = api(org_a.admin.user).post(
        "/api/v1/perjanjian-kinerja/impor/",
        {"berkas": SimpleUploadedFile("pk.xlsx", xlsx(rows))},
        format="multipart",
    )
    assert resp.status_code == 400
    galat = resp.json()["galat"]
    assert {"baris": 2, "kolom": "indikator", "alasan": "Wajib diisi."} in galat
    assert any(g["baris"] == 5 and g["kolom"] == "tahun" for g in galat)
    ok = api(org_a.admin.user).post(
        "/api/v1/perjanjian-kinerja/impor/",
        {"berkas": SimpleUploadedFile("pk.xlsx", xlsx(good_rows(org_a)))},
        format="multipart",
    )
    assert ok.status_code == 201
    assert len(ok.json()) == 2


def test_missing_header_and_not_an_xlsx(org_a: Org) -> None:
    web = client_for(org_a.admin.user)
    wb = openpyxl.Workbook()
    wb.active.append(["unit", "tahun"])
    buf = io.BytesIO()
    wb.save(buf)
    resp = web.post(reverse("perjanjian:impor"), {"berkas": SimpleUploadedFile("pk.xlsx", buf.getvalue())})
    assert resp.status_code == 400
    assert "Kolom wajib tidak ada" in resp.content.decode()
    resp = web.post(reverse("perjanjian:impor"), {"berkas": SimpleUploadedFile("pk.xlsx", b"nip,nama\n")})
    assert resp.status_code == 400
    assert "bukan berkas Excel" in resp.content.decode()


def test_leader_imports_only_their_unit(org_a: Org) -> None:
    web = client_for(org_a.atasan.user)  # heads the bidang
    resp = web.post(
        reverse("perjanjian:impor"), {"berkas": SimpleUploadedFile("pk.xlsx", xlsx(good_rows(org_a)))}
    )
    assert resp.status_code == 400
    assert "bukan admin instansi atau pimpinan unit" in resp.content.decode()
    resp = web.post(
        reverse("perjanjian:impor"), {"berkas": SimpleUploadedFile("pk.xlsx", xlsx(good_rows(org_a)[3:]))}
    )
    assert resp.status_code == 302
    # staff have no import page at all
    assert client_for(org_a.pegawai.user).get(reverse("perjanjian:impor")).status_code == 404


def test_pages_empty_states_and_permissions(org_a: Org) -> None:
    staf = client_for(org_a.pegawai.user)
    html = staf.get(reverse("perjanjian:daftar") + f"?tahun={TAHUN}").content.decode()
    assert 'data-testid="kosong"' in html
    assert "admin instansi atau pimpinan unit" in html
    unit = reverse("perjanjian:unit", args=[org_a.kepala.unit_kerja_id, TAHUN])
    assert 'data-testid="kosong"' in staf.get(unit).content.decode()
    ubah = reverse("perjanjian:ubah", args=[org_a.kepala.unit_kerja_id, TAHUN])
    assert staf.get(ubah).status_code == 404
    assert client_for(org_a.atasan.user).get(ubah).status_code == 404  # heads another unit
    assert client_for(org_a.kepala.user).get(ubah).status_code == 200  # heads this one
    assert client_for(org_a.admin.user).get(ubah).status_code == 200


def test_edit_form_saves_a_version_and_shows_field_errors(org_a: Org) -> None:
    web = client_for(org_a.admin.user)
    url = reverse("perjanjian:ubah", args=[org_a.kepala.unit_kerja_id, TAHUN])
    bad = {
        "s-0-uraian": "Meningkatnya pelayanan",
        "s-0-0-uraian": "IKM",
        "s-0-0-target": "",
        "s-1-uraian": "",
    }
    resp = web.post(url, bad)
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "s-0-0-target-galat" in html
    assert "Target wajib diisi" in html
    with scope(instansi=org_a.instansi.pk):
        assert not PerjanjianKinerja.objects.exists()
    good = {
        "s-0-uraian": "Meningkatnya pelayanan",
        "s-0-0-uraian": "IKM",
        "s-0-0-target": "85",
        "s-0-0-sumber_data": "Survei",
        "s-0-1-uraian": "",
        "s-0-1-target": "",
        "s-1-uraian": "",
    }
    resp = web.post(url, good)
    assert resp.status_code == 302
    detail = web.get(resp.url).content.decode()
    assert "IKM" in detail
    assert "Survei" in detail
    # the form shows the saved content with the indikator id, a second save is version 2
    form = web.get(url).content.decode()
    with scope(instansi=org_a.instansi.pk):
        ikm = IndikatorKinerjaUtama.objects.get()
    assert f'name="s-0-0-id" value="{ikm.pk}"' in form
    web.post(url, {**good, "s-0-0-id": str(ikm.pk), "s-0-0-target": "88", "catatan": "Naik"})
    with scope(instansi=org_a.instansi.pk):
        baru = PerjanjianKinerja.objects.get(aktif=True)
        assert baru.versi == 2
        assert IndikatorKinerjaUtama.objects.get(perjanjian=baru).asal_id == ikm.pk
    old = web.get(reverse("perjanjian:versi", args=[ikm.perjanjian_id])).content.decode()
    assert "versi lama" in old


def test_other_instansi_pages_are_404(org_a: Org, org_b: Org, outsider: Any) -> None:
    pk = buat_pk(org_a.admin, org_a.kepala.unit_kerja, TAHUN)
    web = client_for(outsider.user)
    assert web.get(reverse("perjanjian:versi", args=[pk.pk])).status_code == 404
    assert web.get(reverse("perjanjian:unit", args=[org_a.kepala.unit_kerja_id, TAHUN])).status_code == 404
    assert web.get(reverse("perjanjian:ubah", args=[org_a.kepala.unit_kerja_id, TAHUN])).status_code == 404
    html = web.get(reverse("perjanjian:daftar") + f"?tahun={TAHUN}").content.decode()
    assert org_a.kepala.unit_kerja.nama not in html


def _queries(web: Client, url: str) -> int:
    web.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert web.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_page_query_counts_do_not_grow(org_a: Org, org_b: Org) -> None:
    from tests.factories import UnitKerjaFactory
    from tests.perjanjian.conftest import SASARAN

    buat_pk(org_b.admin, org_b.kepala.unit_kerja, TAHUN, sasaran=SASARAN[:1])
    with scope(instansi=org_a.instansi.pk):
        extra = [
            UnitKerjaFactory(instansi=org_a.instansi, nama=f"Bidang {i}", induk=org_a.kepala.unit_kerja)
            for i in range(5)
        ]
    for u in [org_a.kepala.unit_kerja, *extra]:
        buat_pk(org_a.admin, u, TAHUN, sasaran=SASARAN * 3)
    pairs = [
        (reverse("perjanjian:daftar") + f"?tahun={TAHUN}", reverse("perjanjian:daftar") + f"?tahun={TAHUN}"),
        (
            reverse("perjanjian:unit", args=[org_b.kepala.unit_kerja_id, TAHUN]),
            reverse("perjanjian:unit", args=[org_a.kepala.unit_kerja_id, TAHUN]),
        ),
    ]
    for small_url, big_url in pairs:
        small = _queries(client_for(org_b.admin.user), small_url)
        big = _queries(client_for(org_a.admin.user), big_url)
        assert big == small, (big_url, small, big)
        assert big <= 16
