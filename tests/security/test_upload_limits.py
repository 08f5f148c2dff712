"""Uploads cannot exhaust the server (issue #15): a ZIP/XLSX that explodes when opened is refused from
its directory before openpyxl inflates anything, and a request body over the cap is answered 413
before a byte of it is read (the evidence/PNG/PDF whole-file checks are in tests/dialog/test_bukti_sniff.py).
"""

from __future__ import annotations

import io
import socket
import struct
import time
import zipfile
import zlib
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client

from kinerja.berkas_aman import BerkasTidakAman, zip_periksa
from kinerja.services.impor import ImporBerkasError, impor_parse, impor_template_csv
from tests.conftest import Org, api_client_for

GB = 1024**3
MB = 1024**2

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sheet.main+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP written by hand from (name, raw deflate data, crc32, uncompressed size): lets a test put a
    real 1 GB deflate stream (or a forged size) in it without ever holding 1 GB."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in members:
        offset = out.tell()
        raw_name = name.encode()
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(raw_name), 0)
        )
        out.write(raw_name)
        out.write(data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(raw_name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw_name
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0)
    )
    return out.getvalue()


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def _zeros_deflated(size: int) -> tuple[bytes, int, int]:
    """A real deflate stream of ``size`` zero bytes (multiple of 1 MB), built from one independent
    1 MB block repeated: ~1 KB per MB, as a zip bomb is."""
    zeros = bytes(MB)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // MB):
        crc = zlib.crc32(zeros, crc)
    return block * (size // MB) + b"\x03\x00", crc, size


def zip_bomb(member: str = "xl/worksheets/sheet1.xml", size: int = GB) -> bytes:
    """An Office file whose ``member`` really inflates to ``size`` bytes (1 GB from about 1 MB)."""
    parts = [("[Content_Types].xml", *_deflated(CONTENT_TYPES.encode()))]
    if member != "xl/workbook.xml":
        parts.append(("xl/workbook.xml", *_deflated(b"<workbook/>")))
    parts.append((member, *_zeros_deflated(size)))
    return _zip(parts)


def forged_bomb() -> bytes:
    """1 KB: its directory says the sheet inflates to 1 GB (a parser trusting the sizes allocates it)."""
    data, crc, _size = _deflated(b"<worksheet/>")
    return _zip(
        [
            ("[Content_Types].xml", *_deflated(CONTENT_TYPES.encode())),
            ("xl/worksheets/sheet1.xml", data, crc, GB),
        ]
    )


def test_the_bomb_is_what_it_claims() -> None:
    """The test file is a real bomb: small, valid, and its sheet really inflates to 1 GB (streamed)."""
    bomb = zip_bomb()
    assert len(bomb) < 1.2 * MB
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size == GB
        with zf.open("xl/worksheets/sheet1.xml") as f:
            first = f.read(8 * MB)  # reading all of it is what the check prevents; a slice proves the stream
    assert first == bytes(8 * MB)
    assert len(forged_bomb()) < 1024


@pytest.mark.parametrize("make", [zip_bomb, forged_bomb], ids=["real-1MB-to-1GB", "forged-1KB-to-1GB"])
def test_a_zip_bomb_is_refused_before_it_is_inflated(make: Any) -> None:
    bomb = make()
    started = time.monotonic()
    with pytest.raises(BerkasTidakAman):
        zip_periksa(io.BytesIO(bomb))
    with pytest.raises(ImporBerkasError, match=r"setelah dibuka|mengembang"):
        impor_parse(content=bomb, nama_berkas="pegawai.xlsx")
    assert time.monotonic() - started < 5  # nothing was inflated


def test_an_ordinary_xlsx_still_imports() -> None:
    from openpyxl import Workbook

    rows = [line.split(",") for line in impor_template_csv().strip().splitlines()]
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    parsed = impor_parse(content=buf.getvalue(), nama_berkas="pegawai.xlsx")
    assert len(parsed.baris) == 1


@pytest.mark.django_db
def test_the_import_page_refuses_the_bomb_with_a_message(org_a: Org) -> None:
    c = Client()
    c.force_login(org_a.admin.user)
    upload = io.BytesIO(zip_bomb())
    upload.name = "pegawai.xlsx"
    started = time.monotonic()
    resp = c.post("/impor/", {"berkas": upload, "uji_coba": "on"})
    assert resp.status_code < 500
    assert "setelah dibuka" in resp.content.decode() or "mengembang" in resp.content.decode()
    assert time.monotonic() - started < 10


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/skp/", "/impor/", "/verifikasi/"])
def test_a_100_mb_body_is_413_without_being_read(org_a: Org, path: str) -> None:
    # the test client's input holds 10 bytes: reading more than that would fail, so a 413 here was
    # answered from the header alone
    client = api_client_for(org_a.admin.user) if path.startswith("/api/") else Client()
    resp = client.generic(
        "POST", path, b"0123456789", content_type="application/octet-stream", CONTENT_LENGTH=str(100 * MB)
    )
    assert resp.status_code == 413
    assert "terlalu besar" in resp.content.decode()
    if path.startswith("/api/"):
        assert resp.json()["detail"]
    # a body within the cap is not touched by the guard
    assert settings.KINERJA_MAX_REQUEST_BYTES >= settings.KINERJA_IMPORT_MAX_BYTES + MB


@pytest.mark.django_db(transaction=True)
def test_a_100_mb_body_is_refused_over_a_real_socket_before_it_is_sent(live_server: Any) -> None:
    """Only the headers and 64 KB are sent; the answer 413 arrives without the other 99.9 MB."""
    url = urlparse(live_server.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            (
                f"POST /api/v1/skp/ HTTP/1.1\r\nHost: {url.hostname}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {100 * MB}\r\n\r\n"
            ).encode()
            + b"x" * 65536
        )
        started = time.monotonic()
        answer = sock.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5
