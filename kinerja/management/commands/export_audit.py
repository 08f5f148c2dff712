"""Export one instansi's audit log as CSV for an inspector.

Runs inside ``command_tenant`` (``kinerja/management/tenant.py``): the django-scopes scope and the
database role ``kinerja_app`` with RLS set to the instansi, so no other instansi's row (nor a
platform event without instansi) can reach the file even through a wrong filter.
"""

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinerja.csv_aman import csv_writer
from kinerja.management.tenant import command_tenant, instansi_option
from kinerja.selectors.audit import audit_csv_rows, audit_list


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Tanggal tidak valid: {value} (format YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Ekspor log audit satu instansi ke CSV (untuk pemeriksa)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instansi", required=True)
        parser.add_argument("--dari", type=_date)
        parser.add_argument("--sampai", type=_date)
        parser.add_argument("--output", "-o", help="Berkas tujuan; default stdout")

    def handle(self, *args: Any, **opts: Any) -> None:
        instansi = instansi_option(opts)
        out = open(opts["output"], "w", newline="", encoding="utf-8") if opts["output"] else sys.stdout  # noqa: SIM115
        try:
            writer = csv_writer(out)  # cells that start like a formula are written as text
            with command_tenant(instansi):
                rows = audit_csv_rows(audit_list(instansi=instansi, dari=opts["dari"], sampai=opts["sampai"]))
                writer.writerow(next(rows))
                n = 0
                for row in rows:
                    writer.writerow(row)
                    n += 1
        finally:
            if out is not sys.stdout:
                out.close()
        self.stderr.write(f"{n} baris log audit diekspor.")
