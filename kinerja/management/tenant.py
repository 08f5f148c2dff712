"""Tenant context for management commands: the same two walls as a request of that instansi.

A command that works on **one instansi's data** resolves ``--instansi KODE`` with
``instansi_by_kode`` (or ``instansi_option``) and does that work inside ``command_tenant(instansi)``,
which is ``kinerja.tenancy.tenant_context``: the django-scopes scope *and* the database tenant, i.e.
``SET ROLE kinerja_app`` with ``kinerja.instansi`` set for every transaction of the body. PostgreSQL
row-level security then hides (and refuses writes into) every other instansi's rows, even for a raw
query or ``_base_manager``, exactly as for a request or a ``TenantTask``.

A **cross-tenant, read-only** command (e.g. ``demo_logins``) uses ``command_semua()``: the
application role with the setting ``'semua'`` (``kinerja.rls.rls_unrestricted``): it sees every
instansi, but has only the application role's rights (no ``TRUNCATE``, the audit log append-only).
It does not touch the django-scopes scope: a command that reads tenant models through their
default managers lifts the scope itself (allowed in ``*/management/commands/*.py`` only).

**Platform** steps stay with the connecting (owner) role and say so in the command's docstring:
creating an instansi (``import_pegawai``/``seed_demo`` do that before entering the tenant),
platform-wide roles (``grant_role --role platform_admin``, audit rows with no instansi), and
reference data shared by all instansi (``evaluasi_seed_aturan``).

With ``DJANGO_KINERJA_RLS=false`` the database part is a no-op (like for requests); the scope stays.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from django.core.management.base import CommandError

from kinerja.models import Instansi
from kinerja.rls import rls_tenant, rls_unrestricted
from kinerja.tenancy import tenant_context

__all__ = ["command_semua", "command_tenant", "instansi_by_kode", "instansi_option"]


def instansi_by_kode(kode: str | None) -> Instansi:
    """The instansi with this code (case-insensitive), or a ``CommandError`` (exit code 1)."""
    kode = (kode or "").strip()
    if not kode:
        raise CommandError("--instansi KODE wajib diisi.")
    instansi = Instansi.objects.filter(kode__iexact=kode).first()
    if instansi is None:
        raise CommandError(f"Instansi dengan kode '{kode}' tidak ditemukan.")
    return instansi


def instansi_option(options: dict[str, Any], name: str = "instansi") -> Instansi:
    """``instansi_by_kode(options[name])``: the usual ``--instansi KODE`` of a tenant command."""
    return instansi_by_kode(options.get(name))


@contextmanager
def command_tenant(instansi: Instansi | int) -> Iterator[Instansi | int]:
    """Run the body as the instansi's tenant: its scope, and ``kinerja_app`` with RLS in the database.

    Nesting works (the previous state is restored on exit). Inside a transaction the switch is part
    of it: a rollback also returns the connection to the owner role.
    """
    pk = instansi.pk if isinstance(instansi, Instansi) else int(instansi)
    with tenant_context(pk):
        yield instansi


@contextmanager
def command_semua() -> Iterator[None]:
    """Cross-tenant reads as ``kinerja_app`` with ``kinerja.instansi = 'semua'`` (every instansi)."""
    with ExitStack() as stack:
        stack.enter_context(rls_tenant(None))
        stack.enter_context(rls_unrestricted())
        yield
