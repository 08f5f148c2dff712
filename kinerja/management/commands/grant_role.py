"""``manage.py grant_role --instansi KODE --nip NIP --role ROLE [--revoke]`` (api-contract.md §1).

``admin_instansi`` and ``hr_viewer`` are granted in one instansi to one of its pegawai;
``platform_admin`` is platform-wide and takes no ``--instansi``. Every change is audited by
``role_grant``/``role_revoke``. Any mistake exits with code 1 and a message on stderr.

Instansi roles are granted inside ``command_tenant`` (``kinerja/management/tenant.py``): the scope and
the database role ``kinerja_app`` with RLS set to that instansi, like a request of its admin.
``platform_admin`` is a platform-wide change (a flag on the account, audited without an instansi)
and runs as the connecting (owner) role.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinerja.exceptions import ApplicationError
from kinerja.management.tenant import command_tenant, instansi_by_kode
from kinerja.models import Instansi, Pegawai, Role, User
from kinerja.models.tenancy import GRANTABLE_ROLES
from kinerja.rls import rls_unrestricted
from kinerja.services.tenancy import role_grant, role_revoke

ROLES = [*(r.value for r in GRANTABLE_ROLES), Role.PLATFORM_ADMIN.value]


class Command(BaseCommand):
    help = "Memberikan (atau dengan --revoke mencabut) peran admin_instansi, hr_viewer, atau platform_admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instansi", help="kode instansi (wajib untuk admin_instansi dan hr_viewer)")
        # Neither ``required`` nor ``choices``: argparse errors exit with code 2, the contract says 1.
        parser.add_argument("--nip", help="NIP / NI PPPK akun")
        parser.add_argument("--role", help=f"peran: {', '.join(ROLES)}")
        parser.add_argument("--revoke", action="store_true", help="cabut peran alih-alih memberikannya")

    def handle(self, *args: Any, **options: Any) -> None:
        role = (options["role"] or "").strip()
        nip = (options["nip"] or "").strip()
        kode = (options["instansi"] or "").strip()
        revoke = options["revoke"]
        if not nip:
            raise CommandError("--nip NIP wajib diisi.")
        if role not in ROLES:
            raise CommandError(f"Peran tidak dikenal: '{role}'. Pilihan: {', '.join(ROLES)}.")

        if role == Role.PLATFORM_ADMIN:
            if kode:
                raise CommandError(
                    "Peran platform_admin berlaku untuk semua instansi; jangan memakai --instansi."
                )
            user = User.objects.filter(nip=nip).first()
            if user is None:
                raise CommandError(f"Akun dengan NIP '{nip}' tidak ditemukan.")
            self._apply(user=user, role=role, instansi=None, revoke=revoke, where="seluruh platform")
            return

        if not kode:
            raise CommandError(f"Peran {role} memerlukan --instansi KODE.")
        instansi = instansi_by_kode(kode)
        with command_tenant(instansi):
            pegawai = Pegawai.objects.filter(instansi=instansi, nip=nip).select_related("user").first()
            if pegawai is None:
                # Accounts of other instansi are hidden by row-level security: existence only, across them.
                with rls_unrestricted():
                    elsewhere = User.objects.filter(nip=nip).exists()
                if elsewhere:
                    raise CommandError(f"NIP '{nip}' bukan pegawai instansi {instansi.kode}.")
                raise CommandError(f"Pegawai dengan NIP '{nip}' tidak ditemukan.")
            self._apply(
                user=pegawai.user,
                role=role,
                instansi=instansi,
                revoke=revoke,
                where=f"instansi {instansi.kode}",
            )

    def _apply(self, *, user: User, role: str, instansi: Instansi | None, revoke: bool, where: str) -> None:
        who = f"{user.nama or user.nip} ({user.nip})"
        try:
            if revoke:
                changed = role_revoke(actor=None, user=user, role=role, instansi=instansi)
                msg = (
                    f"Peran {role} dicabut dari {who} di {where}."
                    if changed
                    else f"{who} tidak memiliki peran {role} di {where}."
                )
            else:
                changed = role_grant(actor=None, user=user, role=role, instansi=instansi)
                msg = (
                    f"Peran {role} diberikan kepada {who} di {where}."
                    if changed
                    else f"{who} sudah memiliki peran {role} di {where}."
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(msg) if changed else msg)
