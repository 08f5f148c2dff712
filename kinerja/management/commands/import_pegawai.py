"""``manage.py import_pegawai --instansi KODE FILE`` (api-contract.md §1-§2).

Creates the instansi if missing, then imports inside its scope. Any invalid row: every error on
stderr (``baris N, kolom K: alasan``), exit code 1, and nothing is written (not even the instansi).

Creating a missing instansi is a platform step and runs as the connecting (owner) role; the import
itself runs inside ``command_tenant`` (``kinerja/management/tenant.py``): the scope and the database
role ``kinerja_app`` with RLS set to that instansi, like the web import of its admin.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kinerja.exceptions import ApplicationError
from kinerja.management.tenant import command_tenant
from kinerja.services.impor import ImporTidakValid, impor_parse, pegawai_import
from kinerja.services.tenancy import instansi_get_or_create


class Command(BaseCommand):
    help = "Impor pegawai dari berkas CSV/XLSX (kolom: api-contract.md §2). Upsert berdasarkan NIP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instansi", required=True, help="Kode instansi (dibuat bila belum ada).")
        parser.add_argument("file", help="Berkas .csv (UTF-8, koma) atau .xlsx.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Periksa dan hitung saja; tidak menyimpan apa pun."
        )
        parser.add_argument(
            "--password", default=None, help="Kata sandi awal untuk akun baru (bawaan: tidak dapat login)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                f"Berkas tidak dapat dibaca: {path} ({exc.strerror or exc}).", returncode=1
            ) from None
        try:
            berkas = impor_parse(content=content, nama_berkas=path.name)
            with transaction.atomic():
                instansi, created = instansi_get_or_create(kode=options["instansi"])
                with command_tenant(instansi):
                    hasil = pegawai_import(
                        actor=None,
                        instansi=instansi,
                        berkas=berkas,
                        dry_run=options["dry_run"],
                        password=options["password"],
                        operator=True,  # the operator may know which instansi a NIP belongs to
                    )
                if options["dry_run"]:
                    transaction.set_rollback(True)  # not even a new instansi
        except ImporTidakValid as exc:
            for kesalahan in exc.kesalahan:
                self.stderr.write(str(kesalahan))
            raise CommandError(exc.message, returncode=1) from None
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=1) from None
        baru = " (instansi baru)" if created else ""
        self.stdout.write(f"{instansi.kode}{baru}: {hasil.ringkasan()}")
