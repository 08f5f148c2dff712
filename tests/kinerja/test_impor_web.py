"""The /impor/ admin page with Django's test client: errors, dry run + confirm, access, isolation."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scope, scopes_disabled

from kinerja.models import AuditLog, Pegawai, UnitKerja, User
from kinerja.services.impor import COLUMNS, impor_parse
from kinerja.tenancy import PLATFORM_INSTANSI_SESSION_KEY
from kinerja.views_impor import SESSION_KEY
from tests.conftest import Org
from tests.kinerja.data.impor_util import CONTOH_CSV, csv_bytes, nip, row, xlsx_bytes

pytestmark = pytest.mark.django_db
URL = "/impor/"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(
    client: Client, name: str, content: bytes, *, uji_coba: bool = True, konfirmasi: str = "", **extra: Any
) -> Any:
    data: dict[str, Any] = {
        "aksi": "unggah",
        "berkas": SimpleUploadedFile(name, content),
        "konfirmasi": konfirmasi,
    }
    if uji_coba:
        data["uji_coba"] = "on"
    return client.post(URL, data, **extra)


def error_cells(html: str) -> set[tuple[int, str]]:
    table = html.split('id="impor-kesalahan"')[1].split("</table>")[0]
    return {(int(b), k) for b, k in re.findall(r"<tr><td>(\d+)</td><td><code>([^<]+)</code></td>", table)}


def counts_of(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-hitung="(\w+)">(\d+)<', html)}


def token_of(html: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "no confirmation form"
    return match.group(1)


def pegawai_count(org: Org) -> int:
    with scope(instansi=org.instansi.pk):
        return Pegawai.objects.filter(instansi=org.instansi).count()


@pytest.mark.parametrize("who", ["pegawai", "atasan", "hr"])
def test_non_admin_gets_404(org_a: Org, who: str) -> None:
    client = client_for(getattr(org_a, who).user)
    assert client.get(URL).status_code == 404
    assert upload(client, "a.csv", CONTOH_CSV.read_bytes()).status_code == 404
    assert client.get(URL + "?templat=csv").status_code == 404
    assert pegawai_count(org_a) == 6


def test_anonymous_is_sent_to_login(db: Any) -> None:
    resp = Client().get(URL)
    assert resp.status_code == 302
    assert "/masuk/" in resp["Location"]


def test_admin_sees_the_form_with_dry_run_checked_and_a_template_link(org_a: Org) -> None:
    resp = client_for(org_a.admin.user).get(URL)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'type="file"' in html
    assert 'accept=".csv,.xlsx' in html
    assert re.search(r'<input type="checkbox" name="uji_coba"[^>]*checked', html)
    assert 'hx-post="/impor/"' in html
    assert 'hx-encoding="multipart/form-data"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "?templat=csv" in html
    assert re.search(r'id="impor-spinner" class="htmx-indicator', html)
    assert 'hx-indicator="#impor-spinner"' in html


def test_template_csv_has_the_header_and_a_valid_example_row(org_a: Org) -> None:
    client = client_for(org_a.admin.user)
    resp = client.get(URL + "?templat=csv")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/csv")
    assert "attachment" in resp["Content-Disposition"]
    content = resp.content
    berkas = impor_parse(content=content, nama_berkas="templat.csv")
    assert berkas.kolom == COLUMNS
    assert len(berkas.baris) == 1
    # the example row itself passes validation
    resp = upload(client, "templat.csv", content)
    assert counts_of(resp.content.decode())["pegawai_dibuat"] == 1


def test_bad_rows_are_all_listed_and_nothing_is_imported(org_a: Org) -> None:
    rows = [
        row(nip=nip(1), jenis_jabatan="jpt_pratama"),
        row(nip="123"),
        row(nip=nip(2), status="honorer", email="x@"),
        row(nip=nip(3), nip_atasan=nip(77)),
        row(nip=nip(4), unit_kerja="Bidang", unit_induk="Entah"),
    ]
    before = pegawai_count(org_a)
    resp = upload(
        client_for(org_a.admin.user), "salah.csv", csv_bytes(rows), uji_coba=False, konfirmasi="True"
    )
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "Tidak ada data yang diimpor." in html
    assert error_cells(html) == {
        (3, "nip"),
        (4, "status"),
        (4, "email"),
        (5, "nip_atasan"),
        (6, "unit_induk"),
    }
    assert pegawai_count(org_a) == before
    with scope(instansi=org_a.instansi.pk):
        assert not UnitKerja.objects.filter(instansi=org_a.instansi, nama="Dinas").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("pegawai.pdf", b"%PDF-1.4", "gunakan .csv atau .xlsx"),
        ("pegawai.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "bukan berkas Excel"),
        ("pegawai.xlsx", b"PK\x03\x04garbage", "XLSX tidak dapat dibaca"),
        ("pegawai.csv", "nip,nama\n1,Bé".encode("cp1252"), "UTF-8"),
        ("pegawai.csv", b"", "kosong"),
        ("pegawai.csv", bytes(range(256)), "UTF-8"),
        ("pegawai.csv", b"nip,nama,status,jabatan,jenis_jabatan,unit_kerja\n", "tidak berisi baris data"),
    ],
)
def test_unreadable_files_are_a_field_error_never_a_500(
    org_a: Org, name: str, content: bytes, message: str
) -> None:
    resp = upload(client_for(org_a.admin.user), name, content)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "is-invalid" in html
    assert "invalid-feedback" in html
    assert message in html
    assert 'id="impor-ringkasan"' not in html


def test_missing_file_is_a_field_error(org_a: Org) -> None:
    resp = client_for(org_a.admin.user).post(URL, {"aksi": "unggah", "uji_coba": "on"})
    assert resp.status_code == 200
    assert "is-invalid" in resp.content.decode()


def test_too_large_file_is_refused(org_a: Org, settings: Any) -> None:
    settings.KINERJA_IMPORT_MAX_BYTES = 100
    resp = upload(client_for(org_a.admin.user), "a.csv", CONTOH_CSV.read_bytes())
    assert "terlalu besar" in resp.content.decode()


def test_dry_run_then_confirm_imports_the_same_bytes_once(org_a: Org) -> None:
    client = client_for(org_a.admin.user)
    before = pegawai_count(org_a)
    # when the admin uploads with the default dry run
    resp = upload(client, "pegawai.csv", CONTOH_CSV.read_bytes())
    html = resp.content.decode()
    # then counts are shown, nothing is saved, and a confirmation button is offered
    assert counts_of(html) == {
        "baris": 7,
        "unit_dibuat": 5,
        "jabatan_dibuat": 5,
        "pegawai_dibuat": 7,  # "Kepala Dinas" exists in A
        "pegawai_diperbarui": 0,
        "mutasi": 0,
        "tidak_berubah": 0,
    }
    assert "Uji coba berhasil" in html
    assert "Belum ada data yang disimpan." in html
    assert re.search(r'id="impor-konfirmasi-form"[^>]*data-confirm="', html)  # the layout's JS confirm()
    assert pegawai_count(org_a) == before
    stored = client.session[SESSION_KEY]
    temp = Path(django_settings.MEDIA_ROOT) / "impor-sementara" / f"{stored['token']}.bin"
    assert temp.read_bytes() == CONTOH_CSV.read_bytes()
    token = token_of(html)
    # when they confirm
    resp = client.post(URL, {"aksi": "konfirmasi", "token": token})
    html = resp.content.decode()
    # then the same data is imported, with the admin as the audited actor
    assert "Impor berhasil." in html
    assert counts_of(html)["pegawai_dibuat"] == 7
    assert pegawai_count(org_a) == before + 7
    assert not temp.exists()
    assert SESSION_KEY not in client.session
    with scopes_disabled():
        summary = AuditLog.objects.get(instansi=org_a.instansi, action="pegawai.impor")
    assert summary.actor_id == org_a.admin.user.pk
    assert summary.object_repr == "pegawai.csv"
    # and confirming again does not import twice
    html = client.post(URL, {"aksi": "konfirmasi", "token": token}).content.decode()
    assert "tidak ditemukan atau sudah dipakai" in html
    assert pegawai_count(org_a) == before + 7


def test_xlsx_dry_run_and_confirm(org_a: Org) -> None:
    rows = [list(COLUMNS), [nip(1), "Ani", "pns", "", "Kepala", "jpt_pratama", "", "Dinas", "", "", ""]]
    client = client_for(org_a.admin.user)
    html = upload(client, "pegawai.xlsx", xlsx_bytes(rows)).content.decode()
    assert counts_of(html)["pegawai_dibuat"] == 1
    html = client.post(URL, {"aksi": "konfirmasi", "token": token_of(html)}).content.decode()
    assert "Impor berhasil." in html
    with scope(instansi=org_a.instansi.pk):
        assert Pegawai.objects.get(nip=nip(1)).nama == "Ani"


def test_unchecked_dry_run_without_js_confirmation_still_asks_first(org_a: Org) -> None:
    client = client_for(org_a.admin.user)
    before = pegawai_count(org_a)
    html = upload(client, "pegawai.csv", CONTOH_CSV.read_bytes(), uji_coba=False).content.decode()
    assert "Periksa ringkasan lalu konfirmasi" in html
    assert pegawai_count(org_a) == before
    # with the JS confirm() accepted the page imports straight away
    html = upload(
        client, "pegawai.csv", CONTOH_CSV.read_bytes(), uji_coba=False, konfirmasi="True"
    ).content.decode()
    assert "Impor berhasil." in html
    assert pegawai_count(org_a) == before + 7


def test_htmx_request_gets_the_panel(org_a: Org) -> None:
    resp = upload(
        client_for(org_a.admin.user), "pegawai.csv", CONTOH_CSV.read_bytes(), HTTP_HX_REQUEST="true"
    )
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'id="impor-panel"' in html
    assert counts_of(html)["pegawai_dibuat"] == 7


def test_forged_or_foreign_token_imports_nothing(org_a: Org, org_b: Org, outsider: Pegawai) -> None:
    admin_a = client_for(org_a.admin.user)
    token = token_of(upload(admin_a, "pegawai.csv", CONTOH_CSV.read_bytes()).content.decode())
    admin_b = client_for(outsider.user)
    for client, forged in ((admin_b, token), (admin_a, "x" * 32), (admin_a, "../" + token)):
        html = client.post(URL, {"aksi": "konfirmasi", "token": forged}).content.decode()
        assert "tidak ditemukan atau sudah dipakai" in html
    assert (pegawai_count(org_a), pegawai_count(org_b)) == (6, 6)


def test_admin_of_b_never_touches_a(org_a: Org, org_b: Org, outsider: Pegawai) -> None:
    client = client_for(outsider.user)
    with scopes_disabled():
        a_units = list(
            UnitKerja._base_manager.filter(instansi=org_a.instansi).values_list("id", "nama", "path")
        )
        a_pegawai = list(
            Pegawai._base_manager.filter(instansi=org_a.instansi).values_list("id", "nama", "atasan_id")
        )
    # A's NIPs, A's pegawai as superior: refused, as if they did not exist
    bad = [
        row(nip=org_a.pegawai.nip, nama="Ubah A"),
        row(nip=nip(1), nip_atasan=org_a.kepala.nip),
    ]
    html = upload(client, "b.csv", csv_bytes(bad), uji_coba=False, konfirmasi="True").content.decode()
    assert error_cells(html) == {(2, "nip"), (3, "nip_atasan")}
    # a good file using A's unit names creates B's own units
    good = [
        row(nip=nip(2), unit_kerja=org_a.kepala.unit_kerja.nama, jenis_jabatan="jpt_pratama"),
        row(
            nip=nip(3), unit_kerja="Bidang Umum A", unit_induk=org_a.kepala.unit_kerja.nama, nip_atasan=nip(2)
        ),
    ]
    html = upload(client, "b.csv", csv_bytes(good), uji_coba=False, konfirmasi="True").content.decode()
    assert "Impor berhasil." in html
    assert counts_of(html)["unit_dibuat"] == 2
    with scopes_disabled():
        assert (
            list(UnitKerja._base_manager.filter(instansi=org_a.instansi).values_list("id", "nama", "path"))
            == a_units
        )
        assert (
            list(Pegawai._base_manager.filter(instansi=org_a.instansi).values_list("id", "nama", "atasan_id"))
            == a_pegawai
        )
        assert set(
            Pegawai._base_manager.filter(nip__in=[nip(2), nip(3)]).values_list("instansi_id", flat=True)
        ) == {org_b.instansi.pk}
        assert not AuditLog.objects.filter(instansi=org_a.instansi, action__startswith="pegawai.").exists()


def test_platform_admin_imports_into_the_chosen_instansi(org_a: Org, platform_admin: User) -> None:
    client = client_for(platform_admin)
    session = client.session
    session[PLATFORM_INSTANSI_SESSION_KEY] = "A"
    session.save()
    html = upload(
        client, "pegawai.csv", CONTOH_CSV.read_bytes(), uji_coba=False, konfirmasi="True"
    ).content.decode()
    assert "Impor berhasil." in html
    assert pegawai_count(org_a) == 13
