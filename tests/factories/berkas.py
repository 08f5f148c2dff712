"""Real (small) files for upload tests: uploads are checked whole (kinerja.berkas_aman), so a magic
number followed by filler is no longer a PNG or a PDF."""

from __future__ import annotations

import io
from functools import cache


@cache
def png_bytes(width: int = 8, height: int = 8) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buf, format="PNG")
    return buf.getvalue()


@cache
def jpeg_bytes(width: int = 8, height: int = 8) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 30)).save(buf, format="JPEG")
    return buf.getvalue()


@cache
def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
