"""Bukti dukung files: type and size are decided by CONTENT, never by the file name: the magic bytes
pick the candidate type and the whole file must then be that type (``kinerja.berkas_aman``: a PDF that
parses, an image that decodes with nothing after its end, a ZIP that does not explode).

Accepted: PDF, PNG, JPEG, OOXML (docx/xlsx/pptx, checked through ``[Content_Types].xml`` and the main part),
legacy OLE2 Word/Excel/PowerPoint (checked through the compound-file directory). Everything else, including
macro-enabled OOXML and executables renamed to ``.pdf``, is rejected with a reason the user can act on.

Policy for a mismatched name (e.g. a PNG called ``laporan.pdf``): accepted as what it really is; it is
stored and served with the sniffed type and extension (``laporan.png``).
"""

import hashlib
import struct
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from kinerja import berkas_aman
from kinerja.exceptions import ApplicationError

MAX_BYTES_DEFAULT = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "DIALOG_BUKTI_MAX_BYTES", MAX_BYTES_DEFAULT))


@dataclass(frozen=True)
class JenisBerkas:
    mime: str
    ext: str
    label: str


PDF = JenisBerkas("application/pdf", ".pdf", "PDF")
PNG = JenisBerkas("image/png", ".png", "gambar PNG")
JPEG = JenisBerkas("image/jpeg", ".jpg", "gambar JPEG")
DOCX = JenisBerkas(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "dokumen Word"
)
XLSX = JenisBerkas(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "lembar Excel"
)
PPTX = JenisBerkas(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pptx",
    "presentasi PowerPoint",
)
DOC = JenisBerkas("application/msword", ".doc", "dokumen Word (lama)")
XLS = JenisBerkas("application/vnd.ms-excel", ".xls", "lembar Excel (lama)")
PPT = JenisBerkas("application/vnd.ms-powerpoint", ".ppt", "presentasi PowerPoint (lama)")

INLINE_MIMES = {PDF.mime, PNG.mime, JPEG.mime}

# OOXML: main part that must exist + the content type [Content_Types].xml must declare for it.
_OOXML = [
    (
        DOCX,
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    (XLSX, "xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    (
        PPTX,
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
]
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTENT_TYPES_MAX = 512 * 1024

TIPE_DITERIMA = "PDF, PNG, JPEG, Word (.docx/.doc), Excel (.xlsx/.xls), PowerPoint (.pptx/.ppt)"


def _tolak(pesan: str) -> ApplicationError:
    return ApplicationError(pesan, errors={"berkas": [pesan]})


def _sniff_ooxml(f: IO[bytes]) -> JenisBerkas:
    try:
        with zipfile.ZipFile(f) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" not in names:
                raise _tolak(
                    _("Berkas ZIP ini bukan dokumen Office. Jenis yang diterima: %s.") % TIPE_DITERIMA
                )
            info = zf.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                raise _tolak(_("Dokumen Office ini tidak wajar (daftar isi terlalu besar)."))
            content_types = zf.read(info).decode("utf-8", errors="replace")
    except zipfile.BadZipFile:
        raise _tolak(_("Berkas rusak atau bukan dokumen yang didukung.")) from None
    has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    if has_macros or "macroEnabled" in content_types or "vbaProject" in content_types:
        raise _tolak(
            _("Dokumen Office yang berisi makro tidak diterima. Simpan ulang sebagai .docx/.xlsx/.pptx.")
        )
    for jenis, part, ctype in _OOXML:
        if part in names and ctype in content_types:
            return jenis
    raise _tolak(_("Dokumen Office ini tidak dikenali. Jenis yang diterima: %s.") % TIPE_DITERIMA)


def _ole_stream_names(data: bytes) -> set[str]:
    """Names in the directory of an OLE2 compound file (MS-CFB), following the FAT chain. Defensive:
    bounded loops, any inconsistency yields what was read so far."""
    if len(data) < 512:
        return set()
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    if sector_shift not in (9, 12):
        return set()
    size = 1 << sector_shift
    (num_fat,) = struct.unpack_from("<I", data, 0x2C)
    (first_dir,) = struct.unpack_from("<I", data, 0x30)
    first_difat, num_difat = struct.unpack_from("<II", data, 0x44)
    max_sectors = len(data) // size + 1

    def sector(sid: int) -> bytes:
        off = (sid + 1) * size
        return data[off : off + size]

    fat_sids = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < 0xFFFFFFFA]
    sid, guard = first_difat, 0
    while sid < 0xFFFFFFFA and guard < min(num_difat, max_sectors) + 1:
        block = sector(sid)
        if len(block) < size:
            break
        entries = struct.unpack_from(f"<{size // 4}I", block)
        fat_sids.extend(s for s in entries[:-1] if s < 0xFFFFFFFA)
        sid, guard = entries[-1], guard + 1
    fat: list[int] = []
    for s in fat_sids[: max(num_fat, 0) or len(fat_sids)]:
        block = sector(s)
        if len(block) < size:
            break
        fat.extend(struct.unpack_from(f"<{size // 4}I", block))
    names: set[str] = set()
    sid, guard = first_dir, 0
    while sid < 0xFFFFFFFA and guard < max_sectors:
        block = sector(sid)
        if len(block) < size:
            break
        for off in range(0, size, 128):
            name_len = struct.unpack_from("<H", block, off + 64)[0]
            obj_type = block[off + 66]
            if obj_type in (1, 2, 5) and 2 <= name_len <= 64:
                names.add(block[off : off + name_len - 2].decode("utf-16-le", errors="replace"))
        sid = fat[sid] if sid < len(fat) else 0xFFFFFFFE
        guard += 1
    return names


def _sniff_ole(data: bytes) -> JenisBerkas:
    names = _ole_stream_names(data)
    if "WordDocument" in names:
        return DOC
    if "Workbook" in names or "Book" in names:
        return XLS
    if "PowerPoint Document" in names:
        return PPT
    raise _tolak(_("Dokumen Office lama ini tidak dikenali. Jenis yang diterima: %s.") % TIPE_DITERIMA)


def sniff(f: IO[bytes], *, size: int | None = None) -> JenisBerkas:
    """The real type of an uploaded file, or ``ApplicationError`` (``errors["berkas"]``) saying why not."""
    limit = max_bytes()
    if size is None:
        f.seek(0, 2)
        size = f.tell()
    if size == 0:
        raise _tolak(_("Berkas kosong."))
    if size > limit:
        raise _tolak(
            _("Berkas terlalu besar (%(ukuran)s MB). Batasnya %(batas)s MB.")
            % {"ukuran": f"{size / 1024 / 1024:.1f}", "batas": f"{limit / 1024 / 1024:.0f}"}
        )
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            berkas_aman.pdf_periksa(f)
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            berkas_aman.gambar_periksa(f, jenis="png")
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            berkas_aman.gambar_periksa(f, jenis="jpeg")
            return JPEG
        if head.startswith(b"PK\x03\x04"):
            berkas_aman.zip_periksa(f)
    except berkas_aman.BerkasTidakAman as exc:
        raise _tolak(exc.pesan) from None
    if head.startswith(b"PK\x03\x04"):
        jenis = _sniff_ooxml(f)
        f.seek(0)
        return jenis
    if head.startswith(_OLE_MAGIC):
        jenis = _sniff_ole(f.read())
        f.seek(0)
        return jenis
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF"):
        raise _tolak(_("Berkas program (executable) tidak diterima, apa pun nama berkasnya."))
    raise _tolak(_("Jenis berkas tidak didukung. Jenis yang diterima: %s.") % TIPE_DITERIMA)


def sha256_of(f: IO[bytes]) -> str:
    f.seek(0)
    h = hashlib.sha256()
    for chunk in iter(lambda: f.read(1024 * 1024), b""):
        h.update(chunk)
    f.seek(0)
    return h.hexdigest()


def nama_tampilan(nama_asli: str, jenis: JenisBerkas) -> str:
    """The user's file name with the extension of what the file really is (``laporan.pdf`` PNG → ``laporan.png``)."""
    stem = PurePath(nama_asli or "berkas").stem.strip()[:200] or "berkas"
    ext = PurePath(nama_asli or "").suffix.lower()
    if jenis is JPEG and ext in (".jpg", ".jpeg"):
        return f"{stem}{ext}"
    return f"{stem}{jenis.ext}"
