"""``manage.py cek_migrasi_aman``: refuse new migrations that would lock a big table (kinerja.migration_safety).

Exit code 0 when every migration after the baseline is safe on a live database, else 1 with one line
per risky operation and how to write it instead (docs/operations.md). Read-only: it reads migration files,
not one instansi's data, and runs as the database owner (like `migrate`) when it runs at all.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kinerja.migration_safety import find_unsafe


class Command(BaseCommand):
    help = "Refuse new migrations that would lock a big table for a rewrite or a validation."

    def handle(self, *args: Any, **options: Any) -> None:
        findings = find_unsafe()
        if findings:
            for f in findings:
                self.stderr.write(str(f))
            raise CommandError(
                f"{len(findings)} operation(s) would lock a big table on a live database "
                "(docs/operations.md, 'Migrations on a live database'); or set kinerja_lock_reviewed on the Migration."
            )
        self.stdout.write("Semua migrasi baru aman untuk basis data yang berjalan.")
