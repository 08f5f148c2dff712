"""Bukti dukung type/size by content, never by name (dialog.bukti)."""

import io
import struct
import zipfile

import pytest

from dialog import bukti
from kinerja.exceptions import ApplicationError
from tests.factories.berkas import jpeg_bytes, pdf_bytes, png_bytes

CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/{part}" ContentType="{ctype}"/></Types>'


def ooxml(part: str, ctype: str, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", CT.format(part=part, ctype=ctype))
        zf.writestr(part, "<x/>")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def ole(stream: str) -> bytes:
    """A minimal OLE2 compound file: header, one FAT sector, one directory sector (root + one stream)."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x2C, 1)  # FAT sectors
    struct.pack_into("<I", header, 0x30, 1)  # first directory sector
    struct.pack_into("<I", header, 0x38, 4096)
    struct.pack_into("<IIII", header, 0x3C, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))

    def entry(name: str, kind: int) -> bytes:
        e = bytearray(128)
        raw = (name + "\0").encode("utf-16-le")
        e[0 : len(raw)] = raw
        struct.pack_into("<H", e, 64, len(raw))
        e[66] = kind
        return bytes(e)

    directory = entry("Root Entry", 5) + entry(stream, 2) + bytes(128 * 2)
    return bytes(header) + fat + directory


def sniff(data: bytes) -> bukti.JenisBerkas:
    return bukti.sniff(io.BytesIO(data))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (pdf_bytes(), bukti.PDF),
        (png_bytes(), bukti.PNG),
        (jpeg_bytes(), bukti.JPEG),
        (
            ooxml(
                "word/document.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            ),
            bukti.DOCX,
        ),
        (
            ooxml(
                "xl/workbook.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            ),
            bukti.XLSX,
        ),
        (
            ooxml(
                "ppt/presentation.xml",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            ),
            bukti.PPTX,
        ),
        (ole("WordDocument"), bukti.DOC),
        (ole("Workbook"), bukti.XLS),
        (ole("PowerPoint Document"), bukti.PPT),
    ],
)
def test_accepted_types(data: bytes, expected: bukti.JenisBerkas) -> None:
    assert sniff(data) is expected


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"MZ\x90\x00" + b"\0" * 100, "executable"),
        (b"\x7fELF" + b"\0" * 100, "executable"),
        (b"", "kosong"),
        (b"hello, world", "tidak didukung"),
        (b"<html><script>alert(1)</script>", "tidak didukung"),
        (ooxml("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"), "makro"),
        (
            ooxml(
                "word/document.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                {"word/vbaProject.bin": b"x"},
            ),
            "makro",
        ),
        (ooxml("misc/data.xml", "application/xml"), "tidak dikenali"),
        (b"PK\x03\x04" + b"\0" * 40, "rusak"),
        (ole("Contents"), "tidak dikenali"),
    ],
)
def test_rejected_with_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ApplicationError) as exc:
        sniff(data)
    assert reason in exc.value.errors["berkas"][0]


def test_plain_zip_is_not_an_office_document() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "x")
    with pytest.raises(ApplicationError, match="bukan dokumen Office"):
        sniff(buf.getvalue())


def test_size_limit(settings: object) -> None:
    settings.DIALOG_BUKTI_MAX_BYTES = 1024  # type: ignore[attr-defined]
    with pytest.raises(ApplicationError, match="terlalu besar"):
        sniff(b"%PDF-" + b"0" * 2000)
    assert len(pdf_bytes()) < 1024
    assert sniff(pdf_bytes()) is bukti.PDF


def test_display_name_follows_the_content() -> None:
    assert bukti.nama_tampilan("laporan.pdf", bukti.PNG) == "laporan.png"
    assert bukti.nama_tampilan("foto.JPEG", bukti.JPEG) == "foto.jpeg"
    assert bukti.nama_tampilan("", bukti.PDF) == "berkas.pdf"


# ---------------------------------------------------------------- the whole file, not only its first bytes (issue #15)

SCRIPT = b"<html><body><script>fetch('/api/v1/me/').then(r => r.text()).then(alert)</script></body></html>"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # a PNG signature followed by a web page: the old check called it a PNG
        (b"\x89PNG\r\n\x1a\n" + SCRIPT, "rusak"),
        (b"\xff\xd8\xff\xe0" + SCRIPT, "rusak"),
        (b"%PDF-1.7\n" + SCRIPT, "rusak"),
        # a real image with a script appended after its end
        (png_bytes() + SCRIPT, "kode halaman web"),
        (jpeg_bytes() + SCRIPT, "kode halaman web"),
        # ... or with other trailing data
        (png_bytes() + b"GIF89a" + b"\x01" * 64, "setelah akhir gambar"),
        (jpeg_bytes() + b"\x01\x02" * 64, "setelah akhir gambar"),
        # a truncated image
        (png_bytes()[:-20], "rusak"),
        (jpeg_bytes()[: len(jpeg_bytes()) // 2], "rusak"),
        # a PDF that is only a signature and filler, a truncated one, one with a web page appended
        (b"%PDF-" + b"0" * 1000, "rusak"),
        (pdf_bytes()[: len(pdf_bytes()) // 2], "PDF"),
        (pdf_bytes() + SCRIPT * 40, "data asing"),
    ],
)
def test_the_whole_file_must_be_of_its_type(data: bytes, reason: str) -> None:
    with pytest.raises(ApplicationError) as exc:
        sniff(data)
    assert reason in exc.value.errors["berkas"][0]


def test_an_image_too_large_to_decode_safely_is_refused() -> None:
    """A small PNG that declares 100,000 x 100,000 pixels (a decompression bomb) is not decoded."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )
    with pytest.raises(ApplicationError, match="terlalu besar"):
        sniff(bomb)


def test_an_office_zip_bomb_is_refused_from_its_directory() -> None:
    from tests.security.test_upload_limits import zip_bomb

    with pytest.raises(ApplicationError, match=r"mengembang|setelah dibuka"):
        sniff(zip_bomb("word/document.xml"))
