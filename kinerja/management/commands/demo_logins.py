"""``manage.py demo_logins``: the demo accounts as a table (printed by ``make run``).

Cross-tenant and read-only (accounts of every demo instansi and the platform admin): it runs inside
``command_semua`` (``kinerja/management/tenant.py``), i.e. as the application role ``kinerja_app``
with ``kinerja.instansi = 'semua'``, not as the owner.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kinerja import demo
from kinerja.management.tenant import command_semua
from kinerja.models import Instansi, User


class Command(BaseCommand):
    help = "Menampilkan akun demo (peran, NIP, nama, instansi, kata sandi)."

    def handle(self, *args: Any, **options: Any) -> None:
        with command_semua():
            self._print()

    def _print(self) -> None:
        nips = [demo.account_nip(a) for a in demo.ACCOUNTS]
        users = {u.nip: u for u in User.objects.filter(nip__in=nips)}
        if not users:
            raise CommandError("Data demo belum dimuat. Jalankan dulu: python manage.py seed_demo")
        instansi = {
            i.kode: i
            for i in Instansi.objects.filter(kode__in={a.instansi for a in demo.ACCOUNTS if a.instansi})
        }

        header = ("PERAN", "NIP (username)", "NAMA", "INSTANSI", "KATA SANDI", "KETERANGAN")
        rows: list[tuple[str, ...]] = []
        for account, nip in zip(demo.ACCOUNTS, nips, strict=True):
            user = users.get(nip)
            if user is None:
                continue
            ins = instansi.get(account.instansi or "")
            rows.append((
                account.role, nip, user.nama, f"{ins.kode} - {ins.nama}" if ins else "(semua instansi)",
                demo.DEMO_PASSWORD, account.keterangan,
            ))  # fmt: skip
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write("Akun demo:")
        self.stdout.write(line(header))
        self.stdout.write(line(tuple("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line(row))
        non_asn = {u.nip: u for u in User.objects.filter(nip__in=[d.username for d in demo.NON_ASN])}
        for d in demo.NON_ASN:
            if d.username in non_asn:
                self.stdout.write(
                    f"Pejabat Penilai non-ASN ({d.jabatan}, {d.instansi}): username {d.username}, "
                    f"kata sandi {demo.DEMO_PASSWORD}; menilai Sekretaris Daerah (menu Persetujuan SKP)."
                )
        self.stdout.write(
            f"Semua pegawai demo lainnya juga dapat masuk dengan NIP masing-masing dan kata sandi {demo.DEMO_PASSWORD}."
        )
        self.stdout.write("")
        self.stdout.write("Coba ini:")
        for baris in demo.walkthrough(timezone.localdate().year):
            self.stdout.write(baris)
