"""Management commands run their per-instansi work as the instansi's tenant (kinerja/management/tenant.py):
``SET ROLE kinerja_app`` with ``kinerja.instansi`` set, so row-level security hides and protects the
other instansi's rows even from a raw query or a forgotten filter; platform steps stay with the owner.
"""

import ast
import csv
import io
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from kinerja import rls
from kinerja.management import tenant as command_tenancy
from kinerja.models import AuditLog, Instansi, Pegawai, PeranInstansi
from kinerja.services.audit import audit_log
from tests.conftest import Org
from tests.kinerja.data.impor_util import csv_bytes, nip, row, run_import

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
COMMAND_DIRS = ("kinerja/management/commands", "evaluasi/management/commands")
# Commands whose work is not one instansi's data, and why (their docstring must say they run as the owner).
PLATFORM_COMMANDS = {
    "evaluasi_seed_aturan": "reference rule sets shared by every instansi (no instansi_id)",
    "cek_migrasi_aman": "reads migration files only; touches no instansi's data",
}


def _state() -> dict[str, Any]:
    """Who the connection is right now, and which instansi ids a WHERE-less raw query sees."""
    with connection.cursor() as cur:
        cur.execute("SELECT current_user, current_setting('kinerja.instansi', true)")
        user, setting = cur.fetchone()
        cur.execute("SELECT DISTINCT instansi_id FROM kinerja_pegawai ORDER BY 1")
        ids = [r[0] for r in cur.fetchall()]
    return {"user": user, "setting": setting, "pegawai_instansi": ids}


def _owner() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT current_user = session_user, current_setting('kinerja.instansi', true)")
        same, setting = cur.fetchone()
    return bool(same) and not setting


def write(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def _spy(monkeypatch: Any, module: Any, name: str, seen: list[dict[str, Any]]) -> None:
    """Wrap ``module.name`` so every call first records the database state it runs in."""
    original: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        seen.append(_state())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)


# ---------------------------------------------------------------- every command is accounted for


def _command_modules() -> dict[str, Path]:
    return {p.stem: p for d in COMMAND_DIRS for p in sorted((ROOT / d).glob("*.py")) if p.stem != "__init__"}


def test_every_command_enters_the_tenant_or_says_it_is_a_platform_command() -> None:
    found = _command_modules()
    assert {"import_pegawai", "export_audit", "grant_role", "seed_demo", "demo_logins"} <= set(found)
    problems = []
    for name, path in found.items():
        source = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(source)) or ""
        if name in PLATFORM_COMMANDS:
            if "owner" not in doc:
                problems.append(f"{name}: platform command without 'owner' in its docstring")
            continue
        if not ("command_tenant(" in source or "command_semua(" in source):
            problems.append(
                f"{name}: works without kinerja.management.tenant (add it, or to PLATFORM_COMMANDS)"
            )
        if "django_scopes import scope" in source or "scope(instansi=" in source:
            problems.append(f"{name}: activates a bare django-scopes scope (no database tenant)")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- export_audit


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_export_audit_runs_as_the_tenant_even_with_a_forgotten_filter(
    org_a: Org, org_b: Org, tmp_path: Path, monkeypatch: Any
) -> None:
    audit_log(actor=None, instansi=org_a.instansi, action="uji.a", object_repr="milik A")
    audit_log(actor=None, instansi=org_b.instansi, action="uji.b", object_repr="milik B")
    audit_log(actor=None, instansi=None, action="uji.platform", object_repr="platform")
    from kinerja.management.commands import export_audit

    seen: list[dict[str, Any]] = []

    def forgot_the_filter(**kwargs: Any) -> Any:
        # a bug in the selector: every row of the table, through the unscoped base manager
        seen.append(_state())
        return AuditLog._base_manager.select_related("actor").order_by("-created_at", "-id")

    monkeypatch.setattr(export_audit, "audit_list", forgot_the_filter)
    out = tmp_path / "audit.csv"
    call_command("export_audit", "--instansi", "a", "--output", str(out), stderr=StringIO())
    # the command ran as the application role with A set; a raw query saw only A's pegawai
    assert seen == [
        {"user": rls.ROLE, "setting": str(org_a.instansi.pk), "pegawai_instansi": [org_a.instansi.pk]}
    ]
    # and even the unfiltered query exported only A's rows (no B, no platform event)
    actions = {r[3] for r in _csv(out)[1:]}
    assert "uji.a" in actions
    assert not actions & {"uji.b", "uji.platform"}
    assert _owner()  # the connection is the owner's again


def test_export_audit_unknown_instansi_fails_before_any_switch(org_a: Org) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Instansi dengan kode 'ZZZ' tidak ditemukan"):
        call_command("export_audit", "--instansi", "ZZZ")
    assert _owner()


# ---------------------------------------------------------------- grant_role


def test_grant_role_for_a_cannot_touch_b(org_a: Org, org_b: Org, monkeypatch: Any) -> None:
    from kinerja.management.commands import grant_role

    seen: list[dict[str, Any]] = []
    original = grant_role.role_grant

    def role_grant_and_try_b(**kwargs: Any) -> Any:
        seen.append(_state())
        with connection.cursor() as cur:
            # a raw write aimed at B changes nothing (B's rows are invisible) ...
            cur.execute(
                "UPDATE kinerja_pegawai SET nama = 'diubah' WHERE instansi_id = %s", [org_b.instansi.pk]
            )
            assert cur.rowcount == 0
        # ... and a row put into B is refused by the policy
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            PeranInstansi._base_manager.create(
                instansi=org_b.instansi, user=org_b.pegawai.user, role="hr_viewer"
            )
        return original(**kwargs)

    monkeypatch.setattr(grant_role, "role_grant", role_grant_and_try_b)
    call_command(
        "grant_role", "--instansi", "A", "--nip", org_a.pegawai.nip, "--role", "hr_viewer", stdout=StringIO()
    )
    assert seen == [
        {"user": rls.ROLE, "setting": str(org_a.instansi.pk), "pegawai_instansi": [org_a.instansi.pk]}
    ]
    assert PeranInstansi._base_manager.filter(
        instansi=org_a.instansi, user=org_a.pegawai.user, role="hr_viewer"
    ).exists()
    assert not Pegawai._base_manager.filter(nama="diubah").exists()
    assert not PeranInstansi._base_manager.filter(user=org_b.pegawai.user, role="hr_viewer").exists()
    assert _owner()


def test_grant_role_platform_admin_stays_with_the_owner(org_a: Org, monkeypatch: Any) -> None:
    from kinerja.management.commands import grant_role

    seen: list[dict[str, Any]] = []
    _spy(monkeypatch, grant_role, "role_grant", seen)
    call_command("grant_role", "--nip", org_a.pegawai.nip, "--role", "platform_admin", stdout=StringIO())
    # platform-wide: its audit row has no instansi, which no tenant may write
    assert len(seen) == 1
    assert seen[0]["user"] != rls.ROLE
    assert AuditLog._base_manager.filter(instansi=None, action="peran.beri").exists()


# ---------------------------------------------------------------- import_pegawai


def test_import_pegawai_imports_as_the_tenant(
    org_a: Org, org_b: Org, tmp_path: Path, monkeypatch: Any
) -> None:
    from kinerja.management.commands import import_pegawai

    seen: list[dict[str, Any]] = []
    _spy(monkeypatch, import_pegawai, "pegawai_import", seen)
    path = write(tmp_path, "a.csv", csv_bytes([row(nip=nip(701), nama="Baru di A")]))
    call_command("import_pegawai", "--instansi", "A", path, stdout=StringIO(), stderr=StringIO())
    assert seen == [
        {"user": rls.ROLE, "setting": str(org_a.instansi.pk), "pegawai_instansi": [org_a.instansi.pk]}
    ]
    assert Pegawai._base_manager.get(nip=nip(701)).instansi_id == org_a.instansi.pk
    assert _owner()


def test_import_pegawai_creates_the_instansi_as_owner_then_imports_as_its_tenant(
    org_a: Org, tmp_path: Path, monkeypatch: Any
) -> None:
    from kinerja.management.commands import import_pegawai

    seen: list[dict[str, Any]] = []
    _spy(monkeypatch, import_pegawai, "pegawai_import", seen)
    path = write(tmp_path, "baru.csv", csv_bytes([row(nip=nip(702))]))
    call_command("import_pegawai", "--instansi", "BARU", path, stdout=StringIO(), stderr=StringIO())
    baru = Instansi.objects.get(kode="BARU")
    # a new instansi: the tenant sees no pegawai before the import (A's are invisible)
    assert seen == [{"user": rls.ROLE, "setting": str(baru.pk), "pegawai_instansi": []}]
    assert Pegawai._base_manager.get(nip=nip(702)).instansi_id == baru.pk
    assert AuditLog._base_manager.filter(instansi=baru, action="instansi.buat").exists()
    # a dry run (rolled back) and a refused file leave the connection to the owner too
    call_command("import_pegawai", "--instansi", "BARU", "--dry-run", path, stdout=StringIO())
    assert _owner()
    bad = write(tmp_path, "bad.csv", csv_bytes([row(nip="123")]))
    code, _out, err = run_import("--instansi", "BARU", bad)
    assert code == 1, err
    assert _owner()


# ---------------------------------------------------------------- seed_demo, demo_logins


def test_seed_demo_seeds_each_instansi_as_its_tenant(db: Any, monkeypatch: Any) -> None:
    from kinerja.management.commands import seed_demo

    seen: list[tuple[str, dict[str, Any]]] = []
    original = seed_demo.Command._seed_instansi
    original_platform = seed_demo.Command._seed_platform_admin

    def seed_instansi(self: Any, d: Any, instansi: Instansi, *args: Any) -> None:
        seen.append((instansi.kode, _state()))
        original(self, d, instansi, *args)
        seen.append((instansi.kode + ":akhir", _state()))

    def seed_platform(self: Any, *args: Any) -> None:
        seen.append(("platform", _state()))
        original_platform(self, *args)

    monkeypatch.setattr(seed_demo.Command, "_seed_instansi", seed_instansi)
    monkeypatch.setattr(seed_demo.Command, "_seed_platform_admin", seed_platform)
    call_command("seed_demo", stdout=StringIO())
    ids = dict(Instansi.objects.values_list("kode", "pk"))
    by = dict(seen)
    for kode in ("DEMO", "DEMO2"):
        assert by[kode]["user"] == rls.ROLE
        assert by[kode]["setting"] == str(ids[kode])
        assert by[kode]["pegawai_instansi"] == []  # the other demo instansi is invisible
        assert by[kode + ":akhir"]["pegawai_instansi"] == [ids[kode]]
    assert by["platform"]["user"] != rls.ROLE  # platform admin account: owner
    assert _owner()


def test_demo_logins_reads_as_the_application_role_with_semua(db: Any, monkeypatch: Any) -> None:
    call_command("seed_demo", stdout=StringIO())
    from kinerja.management.commands import demo_logins

    seen: list[dict[str, Any]] = []
    original = demo_logins.Command._print

    def spy(self: Any) -> None:
        seen.append(_state())
        original(self)

    monkeypatch.setattr(demo_logins.Command, "_print", spy)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "Akun demo" in out.getvalue()
    assert seen[0]["user"] == rls.ROLE
    assert seen[0]["setting"] == rls.SEMUA
    assert len(seen[0]["pegawai_instansi"]) == 2  # every demo instansi
    assert _owner()


# ---------------------------------------------------------------- the helper itself


def test_command_tenant_nests_and_restores(org_a: Org, org_b: Org) -> None:
    with command_tenancy.command_tenant(org_a.instansi):
        assert _state()["pegawai_instansi"] == [org_a.instansi.pk]
        with command_tenancy.command_tenant(org_b.instansi.pk):
            assert _state()["pegawai_instansi"] == [org_b.instansi.pk]
        assert _state()["setting"] == str(org_a.instansi.pk)
        # the django-scopes scope is active too: the default manager works and sees only A
        assert set(Pegawai.objects.values_list("instansi_id", flat=True)) == {org_a.instansi.pk}
    assert _owner()


def test_command_tenant_is_only_the_scope_when_rls_is_switched_off(org_a: Org, settings: Any) -> None:
    settings.KINERJA_RLS = False
    with command_tenancy.command_tenant(org_a.instansi):
        state = _state()
        assert set(Pegawai.objects.values_list("instansi_id", flat=True)) == {org_a.instansi.pk}
    assert state["user"] != rls.ROLE


def test_instansi_by_kode(org_a: Org) -> None:
    from django.core.management.base import CommandError

    assert command_tenancy.instansi_by_kode(" a ") == org_a.instansi
    with pytest.raises(CommandError, match="wajib"):
        command_tenancy.instansi_by_kode("")
    with pytest.raises(CommandError, match="tidak ditemukan"):
        command_tenancy.instansi_by_kode("TIDAKADA")
