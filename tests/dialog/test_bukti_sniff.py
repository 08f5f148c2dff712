"""Bukti dukung type/size by content, never by name (dialog.bukti)."""

import io
import struct
import zipfile

import pytest

from dialog import bukti
from kinerja.exceptions import ApplicationError

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
        (b"%PDF-1.4\n...", bukti.PDF),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, bukti.PNG),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, bukti.JPEG),
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
    assert sniff(b"%PDF-" + b"0" * 1000) is bukti.PDF


def test_display_name_follows_the_content() -> None:
    assert bukti.nama_tampilan("laporan.pdf", bukti.PNG) == "laporan.png"
    assert bukti.nama_tampilan("foto.JPEG", bukti.JPEG) == "foto.jpeg"
    assert bukti.nama_tampilan("", bukti.PDF) == "berkas.pdf"
