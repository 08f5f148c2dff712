"""Public verification page /verifikasi/<kode>/ (api-contract §4): no login, masked NIP, upload check."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kinerja.models import Dokumen
from kinerja.validators import format_nip, mask_nip
from tests.conftest import Org
from tests.dokumen.conftest import full_plan, read, render

pytestmark = pytest.mark.django_db


@pytest.fixture
def dok(org_a: Org, api: Any) -> Dokumen:
    plan = full_plan(api, org_a)
    return render(org_a, plan["pegawai"]["id"])


def _upload(client: Client, url: str, data: bytes, name: str = "skp.pdf") -> Any:
    return client.post(url, {"berkas": SimpleUploadedFile(name, data, content_type="application/pdf")})


def test_public_page_without_login(org_a: Org, dok: Dokumen) -> None:
    resp = Client().get(f"/verifikasi/{dok.kode}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Sasaran Kinerja Pegawai" in html  # document kind
    assert org_a.pegawai.nama in html
    assert mask_nip(org_a.pegawai.nip) in html
    assert org_a.pegawai.nip not in html
    assert format_nip(org_a.pegawai.nip) not in html
    assert f"Pejabat Penilai Kinerja: {org_a.atasan.nama}" in html  # signer
    assert "DEMO - BUKAN UNTUK PRODUKSI" in html
    assert dok.sha256 in html
    assert dok.kode_tampil in html
    assert resp["X-Robots-Tag"].startswith("noindex")


def test_code_is_forgiving_and_unknown_code_is_404(dok: Dokumen) -> None:
    c = Client()
    resp = c.get(f"/verifikasi/{dok.kode_tampil.lower()}/")
    assert resp.status_code == 302
    assert resp["Location"] == f"/verifikasi/{dok.kode}/"
    assert c.get("/verifikasi/ZZZZZZZZZZ/").status_code == 404
    assert c.get("/verifikasi/bukan-kode/").status_code == 404
    resp = c.get("/verifikasi/", {"kode": dok.kode_tampil})
    assert resp.status_code == 302
    assert resp["Location"] == f"/verifikasi/{dok.kode}/"


def test_upload_original_and_tampered(dok: Dokumen) -> None:
    c = Client()
    url = f"/verifikasi/{dok.kode}/"
    data = read(dok)
    resp = _upload(c, url, data)
    assert resp.status_code == 200
    assert 'data-status="asli"' in resp.content.decode()
    assert "Asli dan utuh" in resp.content.decode()
    tampered = bytearray(data)
    tampered[data.index(b"stream") + 40] ^= 1
    resp = _upload(c, url, bytes(tampered))
    assert 'data-status="tidak_valid"' in resp.content.decode()
    assert "Tanda tangan tidak valid / dokumen diubah" in resp.content.decode()


def test_upload_rejects_non_pdf_and_oversize(dok: Dokumen) -> None:
    c = Client()
    url = f"/verifikasi/{dok.kode}/"
    resp = _upload(c, url, b"GIF89a not a pdf", "x.pdf")
    assert resp.status_code == 400
    assert "bukan PDF" in resp.content.decode()
    big = b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024 + 70 * 1024)
    resp = _upload(c, url, big)
    assert resp.status_code == 413


def test_upload_is_rate_limited(dok: Dokumen, settings: Any) -> None:
    settings.KINERJA_VERIFIKASI_UPLOAD_RATE = (3, 600)
    c = Client()
    url = f"/verifikasi/{dok.kode}/"
    codes = [_upload(c, url, b"%PDF-1.7 x").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    # another client address is not affected
    assert _upload(Client(REMOTE_ADDR="10.0.0.9"), url, b"%PDF-1.7 x").status_code == 200


def test_upload_without_code_finds_document_by_hash(dok: Dokumen) -> None:
    resp = _upload(Client(), "/verifikasi/", read(dok))
    html = resp.content.decode()
    assert 'data-status="asli"' in html
    assert f"/verifikasi/{dok.kode}/" in html
    resp = _upload(Client(), "/verifikasi/", b"%PDF-1.7 lain")
    assert 'data-status="tidak_dikenal"' in resp.content.decode()


def test_codes_of_every_instansi_verify_publicly_also_for_logged_in_users(
    org_a: Org, org_b: Org, api: Any, dok: Dokumen
) -> None:
    """The public page is cross-tenant by design (the code is the capability), even for a user
    logged in to another instansi, and it still shows only the public fields."""
    c = Client()
    c.force_login(org_b.admin.user)
    resp = c.get(f"/verifikasi/{dok.kode}/")
    assert resp.status_code == 200
    assert org_a.pegawai.nama in resp.content.decode()
    plan_b = full_plan(api, org_b)
    dok_b = render(org_b, plan_b["pegawai"]["id"])
    assert Client().get(f"/verifikasi/{dok_b.kode}/").status_code == 200
    # B's upload check uses B's trust anchors: A's file is "not this document"
    resp = _upload(Client(), f"/verifikasi/{dok_b.kode}/", read(dok))
    assert 'data-status="ditandatangani_ulang"' in resp.content.decode()
