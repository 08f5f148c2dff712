"""Document machinery shared by every app: HTML→PDF (WeasyPrint, bundled fonts), QR codes and
public codes, Indonesian dates, XLSX/CSV writers, and the registry of exports and document jobs.

Apps plug in from their own ``documents`` module (autodiscovered, like ``admin``)::

    # evaluasi/documents.py
    from kinerja.documents import TabularExport, DocumentJob, register_export, register_job

    register_export(TabularExport(key="predikat_per_unit", ...))

Rendering is pure (no ORM writes) and must only run in Celery tasks, never inside a request.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kinerja.csv_aman import csv_writer

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"

# WeasyPrint logs every layout step at INFO; workers render thousands of documents.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Crockford base32 without I, L, O, U: no look-alikes when a code is typed from paper.
KODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KODE_LENGTH = 10  # 50 bits: unguessable, short enough to type


# ---------------------------------------------------------------- public codes and QR


def new_public_code() -> str:
    return "".join(secrets.choice(KODE_ALPHABET) for _ in range(KODE_LENGTH))


def normalize_public_code(raw: str) -> str:
    """What a person typed (``abcde-fghjk``, spaces, O for 0) → the stored form, or ``""``."""
    code = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    code = code.translate(str.maketrans("OIL", "011"))
    if len(code) != KODE_LENGTH or any(ch not in KODE_ALPHABET for ch in code):
        return ""
    return code


def format_public_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}" if len(code) == KODE_LENGTH else code


def public_base_url() -> str:
    """Absolute base for links printed on documents: ``KINERJA_PUBLIC_BASE_URL`` (setting or env) when
    configured, else the address the request that caused the document reached the server at (carried
    into the Celery task, ``kinerja.base_url``), else ``http://127.0.0.1:<KINERJA_PORT or 8000>/``."""
    import os

    from kinerja.base_url import current_base_url

    value = (
        getattr(settings, "KINERJA_PUBLIC_BASE_URL", None)
        or os.environ.get("KINERJA_PUBLIC_BASE_URL")
        or current_base_url()
        or f"http://127.0.0.1:{os.environ.get('KINERJA_PORT') or '8000'}"
    )
    return str(value).rstrip("/") + "/"


def verification_url(code: str) -> str:
    return urljoin(public_base_url(), reverse("dokumen-verifikasi", args=[code]).lstrip("/"))


def qr_data_uri(text: str) -> str:
    """A PNG QR code as a ``data:`` URI (embedded in the PDF before it is signed)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=1)
    qr.add_data(text)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf)  # PNG
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def verification_context(code: str) -> dict[str, str]:
    url = verification_url(code)
    return {"kode": code, "kode_tampil": format_public_code(code), "url": url, "qr": qr_data_uri(url)}


# ---------------------------------------------------------------- dates

BULAN = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def tanggal_indonesia(value: dt.date | dt.datetime | None) -> str:
    """``2026-01-05`` → ``5 Januari 2026`` (aware datetimes in the site time zone); no locale needed."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


def waktu_indonesia(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{tanggal_indonesia(local)} pukul {local:%H.%M} {local.tzname() or ''}".strip()


# ---------------------------------------------------------------- HTML → PDF


def _safe_fetcher() -> Any:
    """Only the bundled fonts and inline ``data:`` images: a template can never make the renderer
    read arbitrary files or reach the network."""
    from weasyprint.urls import URLFetcher

    font_dir = FONT_DIR.resolve()

    class SafeFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                from urllib.request import url2pathname

                path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
                if not path.is_relative_to(font_dir):
                    raise ValueError(f"Berkas tidak diizinkan dalam dokumen: {url[:80]}")
            return super().fetch(url, headers)

    return SafeFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


def pdf_base_context() -> dict[str, Any]:
    """Context every document template gets (``dokumen/_base.html`` uses it for @font-face)."""
    return {"font_dir": FONT_DIR.resolve().as_uri()}


def render_html(template_name: str, context: dict[str, Any]) -> str:
    return render_to_string(template_name, {**pdf_base_context(), **context})


_local = threading.local()


def _font_config() -> Any:
    """One FontConfiguration per thread: a new one per document leaks ~0.3 MiB of fontconfig
    state each time (measured: RSS +250 MiB over 950 documents; flat when reused)."""
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_local, "font_config", None) is None:
        _local.font_config = FontConfiguration()
    return _local.font_config


def html_to_pdf(html: str) -> bytes:
    """Render HTML with WeasyPrint (tagged PDF). Call from Celery tasks only (100s of ms)."""
    from weasyprint import HTML

    doc = HTML(string=html, base_url=FONT_DIR.resolve().as_uri() + "/", url_fetcher=_safe_fetcher())
    return bytes(doc.write_pdf(font_config=_font_config(), pdf_tags=True))


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_html(template_name, context))


# ---------------------------------------------------------------- tabular exports (XLSX / CSV)


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV bytes; every cell through ``csv_aman.csv_cell`` (no spreadsheet formulas)."""
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    subtitle: str = "",
    widths: Sequence[int] | None = None,
) -> bytes:
    """One-sheet workbook; strings are always stored as text, never as formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31].replace("/", "-") or "Data")
    for i, w in enumerate(widths or [], start=1):
        ws.column_dimensions[_col_letter(i)].width = w
    bold = Font(bold=True)
    if subtitle:
        c = WriteOnlyCell(ws, value=subtitle)
        c.font = bold
        ws.append([c])
        ws.append([])
    header_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        c.fill = PatternFill("solid", fgColor="DDE6F0")
        c.alignment = Alignment(wrap_text=True, vertical="top")
        header_cells.append(c)
    ws.append(header_cells)
    for row in rows:
        out = []
        for v in row:
            c = WriteOnlyCell(ws, value=v)
            if isinstance(v, str):
                c.data_type = "s"  # never a formula, whatever the text starts with
            out.append(c)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _col_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


# ---------------------------------------------------------------- registry

ExportRows = tuple[list[str], list[list[Any]]]


@dataclass(frozen=True)
class ExportRequest:
    """What an export or job gets: the instansi, the actor and their roles, and parsed params."""

    instansi: Any
    actor: Any
    roles: list[str]
    params: dict[str, Any]


@dataclass(frozen=True)
class TabularExport:
    """A table served as XLSX or CSV directly (one aggregate query; no PDF, so no job needed).

    ``authorize`` raises ``NotFoundOrForbidden`` when the actor may not run it with these params
    and returns the cleaned params; ``rows`` returns ``(headers, rows)``.
    """

    key: str
    label: str
    description: str
    roles: tuple[str, ...]
    rows: Callable[[ExportRequest], ExportRows]
    authorize: Callable[[ExportRequest], dict[str, Any]]
    filename: Callable[[ExportRequest], str]
    params: tuple[str, ...] = ()
    widths: tuple[int, ...] = ()
    hr_page: bool = True  # listed on the HR export page (False: linked from elsewhere, e.g. SKP page)


@dataclass(frozen=True)
class DocumentJob:
    """A document produced in the background (PDF, ZIP) as a ``Job`` with a progress bar.

    ``task`` is the dotted path of a Celery task taking ``(tenant_id, job_id)``.
    """

    key: str
    label: str
    description: str
    roles: tuple[str, ...]
    task: str
    authorize: Callable[[ExportRequest], dict[str, Any]]
    params: tuple[str, ...] = ()
    hr_page: bool = True


@dataclass
class _Registry:
    exports: dict[str, TabularExport] = field(default_factory=dict)
    jobs: dict[str, DocumentJob] = field(default_factory=dict)
    discovered: bool = False


_registry = _Registry()


def register_export(spec: TabularExport) -> TabularExport:
    _registry.exports[spec.key] = spec
    return spec


def register_job(spec: DocumentJob) -> DocumentJob:
    _registry.jobs[spec.key] = spec
    return spec


def parse_tahun(value: Any) -> int:
    """A year parameter (default: this year); ApplicationError (400) when not 2000..2100."""
    from kinerja.exceptions import ApplicationError

    if value in (None, ""):
        return timezone.localdate().year
    try:
        tahun = int(value)
    except (TypeError, ValueError):
        raise ApplicationError(
            "Tahun tidak valid.", errors={"tahun": ["Isi tahun, misalnya 2026."]}
        ) from None
    if not 2000 <= tahun <= 2100:
        raise ApplicationError("Tahun tidak valid.", errors={"tahun": ["Tahun harus antara 2000 dan 2100."]})
    return tahun


def authorize_tahun_unit(req: ExportRequest) -> dict[str, Any]:
    """HR params: ``tahun`` (default this year) and optional ``unit`` (404 if not in the instansi)."""
    from kinerja.access import access_unit_kerja

    params: dict[str, Any] = {"tahun": parse_tahun(req.params.get("tahun"))}
    unit = req.params.get("unit")
    if unit not in (None, ""):
        params["unit"] = access_unit_kerja(instansi=req.instansi, unit_id=unit).pk
    return params


HR_ROLES = ("admin_instansi", "hr_viewer", "platform_admin")


def _discover() -> None:
    if not _registry.discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("documents")
        _registry.discovered = True


def get_export(key: str) -> TabularExport | None:
    _discover()
    return _registry.exports.get(key)


def get_job(key: str) -> DocumentJob | None:
    _discover()
    return _registry.jobs.get(key)


def all_exports() -> list[TabularExport]:
    _discover()
    return list(_registry.exports.values())


def all_jobs() -> list[DocumentJob]:
    _discover()
    return list(_registry.jobs.values())
