"""Uploaded files are checked whole, not by their first bytes (issue #15), used by the evidence upload
(``dialog.bukti``) and the import (``kinerja.services.impor``):

* ZIP containers (XLSX/DOCX/PPTX): the central directory is read (no member is inflated) and the file is
  refused when the members would expand beyond ``KINERJA_ZIP_MAX_UNCOMPRESSED`` in total, when one member
  claims a compression ratio no real document has, or when there are absurdly many members: a 1 KB
  "zip bomb" that inflates to 1 GB never reaches openpyxl. Python's ``zipfile`` never returns more than
  a member's declared size, so the declared sizes are a true upper bound.
* PDF: the whole file parses (pypdf: cross-reference table, catalogue, every page object).
* PNG / JPEG: Pillow verifies the whole stream and decodes every pixel (with a pixel-count limit, so a
  decompression bomb is refused too), and nothing may follow the image's end marker: a PNG header
  followed by HTML/JS, or an image with a script appended, is not an image.

Each check raises ``BerkasTidakAman`` with a message for the user (Indonesian, in the UI language).
"""

from __future__ import annotations

import io
import struct
import zipfile
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

ZIP_MAX_UNCOMPRESSED = 256 * 1024 * 1024
ZIP_MAX_MEMBERS = 5000
# deflate cannot exceed ~1032:1; real OOXML parts stay far below 200:1 even for very repetitive sheets
ZIP_MAX_RATIO = 200
ZIP_RATIO_MIN_SIZE = 1024 * 1024  # tiny members may have any ratio
IMAGE_MAX_PIXELS = 60_000_000
# markup that has no business inside a PNG/JPEG (a polyglot meant to be opened as a web page)
_TANDA_WEB = (
    b"<script",
    b"<html",
    b"<!doctype",
    b"<iframe",
    b"<svg",
    b"<body",
    b"javascript:",
)  # a 60-megapixel photo is bigger than any phone camera's


class BerkasTidakAman(Exception):
    def __init__(self, pesan: str):
        super().__init__(pesan)
        self.pesan = pesan


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f}"


def zip_periksa(f: IO[bytes]) -> None:
    """Refuse a ZIP whose expansion is out of proportion (see the module docstring). Reads only the
    central directory; leaves ``f`` at position 0. A file that is no readable ZIP passes: the caller's
    parser (openpyxl, the Office sniffing) rejects it with its own message."""
    batas = int(getattr(settings, "KINERJA_ZIP_MAX_UNCOMPRESSED", ZIP_MAX_UNCOMPRESSED))
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return  # not a readable ZIP at all: the caller's own parser says so in its words
    finally:
        f.seek(0)
    if len(infos) > ZIP_MAX_MEMBERS:
        raise BerkasTidakAman(
            _("Berkas berisi terlalu banyak bagian (%(n)d); tidak diproses.") % {"n": len(infos)}
        )
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > ZIP_RATIO_MIN_SIZE and ratio > ZIP_MAX_RATIO:
            raise BerkasTidakAman(
                _(
                    "Berkas ini mengembang tidak wajar saat dibuka (bagian %(nama)s: %(rasio)d kali); "
                    "tidak diproses. Simpan ulang berkas dari aplikasinya."
                )
                % {"nama": info.filename[:80], "rasio": int(ratio)}
            )
        if total > batas:
            raise BerkasTidakAman(
                _("Isi berkas ini lebih dari %(batas)s MB setelah dibuka; tidak diproses.")
                % {"batas": _mb(batas)}
            )


def pdf_periksa(f: IO[bytes]) -> None:
    """The whole file is a PDF: pypdf reads the cross-references, the catalogue and every page."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    f.seek(0)
    data = f.read()
    f.seek(0)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise BerkasTidakAman(_("PDF terkunci kata sandi tidak diterima. Unggah PDF tanpa kata sandi."))
        halaman = len(reader.pages)
        if halaman < 1:
            raise BerkasTidakAman(_("PDF ini tidak berisi halaman."))
        for page in reader.pages:
            page.get("/MediaBox")
    except BerkasTidakAman:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, AssertionError,
            RecursionError, OSError, struct.error, ZeroDivisionError):  # fmt: skip
        raise BerkasTidakAman(_("Berkas PDF ini rusak atau bukan PDF yang utuh.")) from None
    if b"%%EOF" not in data[-2048:]:
        raise BerkasTidakAman(_("Berkas PDF ini terpotong atau berisi data asing di bagian akhirnya."))


def _png_akhir(data: bytes) -> int:
    """Offset just after the IEND chunk, walking every chunk (length + type + data + CRC)."""
    pos = 8
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos
    raise BerkasTidakAman(_("Gambar PNG ini terpotong atau rusak."))


def gambar_periksa(f: IO[bytes], *, jenis: str) -> None:
    """``jenis`` "png" or "jpeg": the whole file decodes as that image, with nothing after its end."""
    from PIL import Image

    f.seek(0)
    data = f.read()
    f.seek(0)
    rusak = _("Gambar ini rusak atau bukan gambar %(jenis)s yang utuh.") % {"jenis": jenis.upper()}
    try:
        with Image.open(io.BytesIO(data)) as im:
            if (im.format or "").lower() != jenis:
                raise BerkasTidakAman(rusak)
            if im.width * im.height > IMAGE_MAX_PIXELS:
                raise BerkasTidakAman(_("Gambar ini terlalu besar (lebih dari 60 megapiksel)."))
            im.verify()
        with Image.open(io.BytesIO(data)) as im:
            im.load()  # decode every pixel: a truncated or padded stream fails here
    except BerkasTidakAman:
        raise
    except Image.DecompressionBombError:
        raise BerkasTidakAman(_("Gambar ini terlalu besar (lebih dari 60 megapiksel).")) from None
    except (OSError, ValueError, SyntaxError, struct.error, EOFError,
            IndexError, TypeError, ZeroDivisionError):  # fmt: skip
        raise BerkasTidakAman(rusak) from None
    rendah = data.lower()
    if any(tanda in rendah for tanda in _TANDA_WEB):
        raise BerkasTidakAman(_("Gambar ini memuat kode halaman web (HTML/skrip); tidak diterima."))
    if jenis == "png":
        akhir = _png_akhir(data)
    else:
        akhir = data.rfind(b"\xff\xd9") + 2
        if akhir < 2:
            raise BerkasTidakAman(rusak)
    if data[akhir:].strip(b"\x00\r\n\t "):
        raise BerkasTidakAman(
            _(
                "Ada data lain (misalnya kode atau halaman web) setelah akhir gambar %(jenis)s; tidak diterima."
            )
            % {"jenis": jenis.upper()}
        )
