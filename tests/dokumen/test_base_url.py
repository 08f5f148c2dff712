"""Links printed in signed PDFs (verification URL and its QR code) use ``KINERJA_PUBLIC_BASE_URL`` when it
is configured, else the address the request that caused the document reached the server at, carried into
the Celery task; never a hard-coded :8000. Plus the friendly page for an unknown verification code."""

import io
from typing import Any

import pytest
from django_scopes import scope
from pypdf import PdfReader

from kinerja.base_url import base_url_context
from kinerja.celery import app as celery_app
from kinerja.documents import public_base_url
from kinerja.models import Dokumen, JenisDokumen
from tests.conftest import build_org
from tests.dokumen.conftest import read
from tests.skp.test_api_skp import add_rhk, create_skp


def test_public_base_url_prefers_the_setting(settings: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("KINERJA_PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("KINERJA_PORT", "8123")
    settings.KINERJA_PUBLIC_BASE_URL = "https://kinerja.contoh.go.id"
    with base_url_context("http://10.0.0.5:9000/"):
        assert public_base_url() == "https://kinerja.contoh.go.id/"
    settings.KINERJA_PUBLIC_BASE_URL = ""
    with base_url_context("http://10.0.0.5:9000/"):
        assert public_base_url() == "http://10.0.0.5:9000/"
    # outside a request (beat tasks, commands): the port `make run` serves on
    assert public_base_url() == "http://127.0.0.1:8123/"


@pytest.mark.usefixtures("transactional_db")
def test_pdf_link_and_qr_use_the_address_of_the_approving_request(
    settings: Any, monkeypatch: Any, api: Any
) -> None:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    # given no configured public address and a worker that runs tasks as they are queued
    monkeypatch.delenv("KINERJA_PUBLIC_BASE_URL", raising=False)
    settings.KINERJA_PUBLIC_BASE_URL = ""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    org = build_org("A")
    c = api(org.kepala.user)
    skp = create_skp(c)
    add_rhk(c, skp["id"], "Meningkatnya kualitas pelayanan publik", None)
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200
    # when the approval reaches the server at another host and port than 127.0.0.1:8000
    resp = api(org.admin.user).post(
        f"/api/v1/skp/{skp['id']}/setujui/", HTTP_HOST="kinerja.sukamaju.test:8123"
    )
    assert resp.status_code == 200, resp.content
    # then the signed PDF (rendered by the task queued on commit) prints and encodes that address
    with scope(instansi=org.instansi.pk):
        dok = Dokumen.objects.get(jenis=JenisDokumen.SKP, sumber_id=skp["id"])
    url = f"http://kinerja.sukamaju.test:8123/verifikasi/{dok.kode}/"
    reader = PdfReader(io.BytesIO(read(dok)))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert url in text
    assert ":8000" not in text
    img = reader.pages[0].images[0].image.convert("L")
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=1)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    assert img.width == n * 8
    assert [[img.getpixel((x * 8 + 4, y * 8 + 4)) < 128 for x in range(n)] for y in range(n)] == matrix


def test_unknown_verification_code_gets_a_friendly_page(client: Any, db: Any) -> None:
    # a well-formed code that is not registered
    resp = client.get("/verifikasi/ABCDE23456/")
    assert resp.status_code == 404
    html = resp.content.decode()
    assert "Kode tidak terdaftar" in html
    assert "ABCDE-23456" in html
    assert 'name="kode"' in html  # try another code right there
    assert resp["X-Robots-Tag"] == "noindex, nofollow"
    # a malformed one gets the same page (no different answer), the text escaped
    resp = client.get("/verifikasi/%3Cb%3Ebukan-kode/")
    assert resp.status_code == 404
    assert "Kode tidak terdaftar" in resp.content.decode()
    assert "<b>bukan" not in resp.content.decode()


def test_unknown_verification_code_page_in_english(client: Any, db: Any) -> None:
    client.cookies["django_language"] = "en"
    resp = client.get("/verifikasi/ABCDE23456/")
    assert resp.status_code == 404
    assert "Code not registered" in resp.content.decode()
