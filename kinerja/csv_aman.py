"""The one CSV writer of the product: every cell that a spreadsheet would read as a formula is text.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is executed by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, DDE): it gets a leading ``'``
(OWASP "CSV injection"). Used by every CSV the product writes: ``documents.write_csv`` (tabular
exports, ZIP manifests), the audit CSV (``/audit/csv/`` and ``manage.py export_audit``) and the import
template. XLSX exports store strings as text cells instead (``documents.write_xlsx``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` as a cell that cannot be a formula (``None`` is the empty cell; numbers stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class CsvWriterAman:
    """``csv.writer`` whose every cell goes through ``csv_cell``."""

    def __init__(self, fh: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: Any, **kwargs: Any) -> CsvWriterAman:
    return CsvWriterAman(fh, **kwargs)
