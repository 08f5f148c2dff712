"""``manage.py add_pejabat_non_asn --instansi KODE --username USER --password PASS --nama "..."
--jabatan "Bupati Sukamaju" --menilai NIP[,NIP...]`` (api-contract.md §5, issue #16).

Creates or updates a login without a pegawai row (a Kepala Daerah, Menteri or other non-ASN official)
bound to the instansi, and makes it the Pejabat Penilai Kinerja of the listed pegawai from then on
(``evaluasi.services_non_asn.pejabat_non_asn_tetapkan``). The instansi's work runs inside
``command_tenant`` (scope + row-level security); the password is then stored as the owner through
``account_set_password`` (the one password path), in the same transaction. Any mistake (unknown
instansi or NIP, a username taken by another account): exit code 1, a message, nothing written.
"""

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from evaluasi.services_non_asn import pejabat_non_asn_tetapkan
from kinerja.exceptions import ApplicationError
from kinerja.identity import account_set_password
from kinerja.management.tenant import command_tenant, instansi_by_kode
from kinerja.models import PejabatNonAsn, User


class Command(BaseCommand):
    help = "Membuat atau memperbarui akun Pejabat Penilai non-ASN (tanpa data pegawai) untuk satu instansi."

    def add_arguments(self, parser: CommandParser) -> None:
        # Nothing ``required``: argparse errors exit with code 2, the contract says 1.
        parser.add_argument("--instansi", help="kode instansi")
        parser.add_argument("--username", help="nama pengguna untuk masuk (juga di POST auth/token/)")
        parser.add_argument("--password", help="kata sandi (kosong: tidak diubah)")
        parser.add_argument("--nama", help="nama pejabat")
        parser.add_argument("--jabatan", help='jabatan, misalnya "Bupati Sukamaju"')
        parser.add_argument("--menilai", help="NIP pegawai yang dinilai, dipisah koma (kosong: tidak diubah)")

    def handle(self, *args: Any, **options: Any) -> None:
        instansi = instansi_by_kode(options["instansi"])
        username = (options["username"] or "").strip()
        password = options["password"] or None
        menilai = None
        if options["menilai"] is not None:
            menilai = [n.strip() for n in options["menilai"].split(",") if n.strip()]
        if password:
            try:
                password_validation.validate_password(
                    password, User(nip=username, nama=options["nama"] or "")
                )
            except ValidationError as exc:
                raise CommandError("--password: " + " ".join(exc.messages)) from exc
        try:
            with transaction.atomic():
                with command_tenant(instansi):
                    existing = PejabatNonAsn.objects.filter(instansi=instansi, user__nip=username).first()
                    hasil = pejabat_non_asn_tetapkan(
                        actor=None,
                        instansi=instansi,
                        username=username,
                        nama=options["nama"]
                        if options["nama"] is not None
                        else (existing.nama if existing else ""),
                        jabatan=options["jabatan"]
                        if options["jabatan"] is not None
                        else (existing.jabatan if existing else ""),
                        menilai=menilai,
                        pejabat=existing,
                    )
                    user = User.objects.get(pk=hasil.pejabat.user_id)
                if password:
                    account_set_password(user, password)
        except ApplicationError as exc:
            detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in (exc.errors or {}).items())
            raise CommandError(f"{exc.message} {detail}".strip()) from exc
        verb = "dibuat" if hasil.dibuat else "diperbarui"
        self.stdout.write(
            self.style.SUCCESS(
                f"Pejabat Penilai non-ASN {hasil.pejabat.nama} ({hasil.pejabat.jabatan}) {verb} di instansi "
                f"{instansi.kode}; login: {username}. Menilai {len(hasil.ditambah)} pegawai baru"
                f"{f', dilepas {len(hasil.dilepas)}' if hasil.dilepas else ''}."
            )
        )
