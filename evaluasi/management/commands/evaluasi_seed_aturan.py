"""Re-create the version-1 distribution rule sets if they are missing (idempotent; e.g. after a flush).

Platform command: the rule sets are reference data shared by every instansi (``AturanDistribusi``
has no ``instansi_id``), so it runs as the connecting (owner) role, not in a tenant context
(see ``kinerja/management/tenant.py``).
"""

from typing import Any

from django.core.management.base import BaseCommand

from evaluasi.models import AturanDistribusi
from evaluasi.rules import aturan_seed


class Command(BaseCommand):
    help = "Buat aturan pola distribusi (PermenPANRB 6/2022 bawaan, SE 3/2023, PP 30/2019) bila belum ada."

    def handle(self, *args: Any, **options: Any) -> None:
        n = aturan_seed(AturanDistribusi)
        self.stdout.write(f"{n} aturan dibuat.")
