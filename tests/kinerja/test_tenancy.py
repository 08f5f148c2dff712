"""Tenancy: the fail-closed manager, where scopes may be disabled, the API base-class guard,
the middleware (token, session, platform admin audit) and audit rows sharing the service's transaction."""

import json
import re
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django_scopes import ScopeError, get_scope, scope, scopes_disabled

from kinerja.api.base import TenantScopedApi
from kinerja.exceptions import ApplicationError
from kinerja.models import AuditLog, Jabatan, Pegawai, Penempatan, PeranInstansi, Periode, UnitKerja, User
from kinerja.services import audit as audit_service
from kinerja.services.people import pegawai_create
from kinerja.services.tenancy import periode_ensure_year
from kinerja.tenancy import PLATFORM_INSTANSI_SESSION_KEY, TenantMiddleware
from tests.conftest import Org, token_for
from tests.factories import nip_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TENANT_MODELS = [Pegawai, Penempatan, UnitKerja, Jabatan, PeranInstansi, AuditLog]


# ---------------------------------------------------------------- the fail-closed manager


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_manager_raises_without_scope(org_a: Org, model: Any) -> None:
    with pytest.raises(ScopeError):
        model.objects.count()
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(instansi=org_a.instansi).exists()


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_manager_raises_with_scope_none(org_a: Org, model: Any) -> None:
    # django-scopes' own ScopedManager would return every tenant's rows here
    with scope(instansi=None), pytest.raises(ScopeError):
        model.objects.count()


def test_manager_raises_on_create_without_scope(org_a: Org) -> None:
    with pytest.raises(ScopeError):
        UnitKerja.objects.create(instansi=org_a.instansi, nama="Bocor")


def test_scope_a_sees_only_a(org_a: Org, org_b: Org) -> None:
    with scope(instansi=org_a.instansi.pk):
        # no explicit filter: the manager alone must keep B out
        assert {p.instansi_id for p in Pegawai.objects.all()} == {org_a.instansi.pk}
        assert set(Pegawai.objects.values_list("pk", flat=True)) == {
            p.pk for p in (org_a.kepala, org_a.atasan, org_a.pegawai, org_a.rekan, org_a.admin, org_a.hr)
        }
        assert not Pegawai.objects.filter(pk=org_b.pegawai.pk).exists()
        for model in (Penempatan, UnitKerja, Jabatan, PeranInstansi):
            assert model.objects.exists()
            assert set(model.objects.values_list("instansi_id", flat=True)) == {org_a.instansi.pk}
    with scope(instansi=[org_a.instansi.pk, org_b.instansi.pk]):
        assert Pegawai.objects.count() == 12


# ---------------------------------------------------------------- scopes_disabled is grep-audited

# Where disabling the tenant scope is allowed, and why. Anything else fails the test below.
SCOPES_DISABLED_ALLOWED = {
    "kinerja/tenancy.py": "the module that activates scopes documents the rule",
    "*/management/commands/*.py": "management commands run outside a request, per conventions rule 4",
    "*/migrations/*.py": "data migrations use historical models inside scopes_disabled()",
    "tests/*": "test set-up and assertions across tenants",
    "scripts/*": "developer tooling (benchmarks) runs outside any request, like a management command",
    "bench/*": "benchmark tooling (the cluster bench) runs outside any request, like a management command",
    "kinerja/selectors/dokumen.py": "public /verifikasi/ lookup by capability code, in *_dangerously_unscoped "
    "functions that return masked value objects, never models",
}
SKIP_DIRS = {".venv", ".data", ".git", "node_modules", "staticfiles", ".mypy_cache", ".ruff_cache"}
DISABLING = re.compile(r"scopes_disabled|with_scopes_disabled|_enabled\s*=\s*False")


def _allowed(rel: str) -> bool:
    for pattern in SCOPES_DISABLED_ALLOWED:
        if pattern.endswith("/*") and rel.startswith(pattern[:-1]):
            return True
        if Path(rel).match(pattern):
            return True
    return False


def _python_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if not set(rel.parts) & SKIP_DIRS:
            files.append(path)
    return files


def test_scopes_disabled_only_in_allowed_places() -> None:
    offenders = []
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        if _allowed(rel):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DISABLING.search(line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, (
        "Business code must not disable the tenant scope (conventions rule 4). Move the work into a "
        "management command, or add the file to SCOPES_DISABLED_ALLOWED with a reason:\n"
        + "\n".join(offenders)
    )


def test_scopes_disabled_audit_finds_offenders() -> None:
    # the audit itself works: the pattern matches the spellings, the allow-list is not a blanket
    assert DISABLING.search("with scopes_disabled():")
    assert DISABLING.search("Pegawai.objects.with_scopes_disabled()")
    assert DISABLING.search("with scope(_enabled=False):")
    assert not _allowed("kinerja/services/people.py")
    assert not _allowed("skp/api.py")
    assert _allowed("kinerja/management/commands/seed_demo.py")
    assert _allowed("skp/migrations/0002_seed_core_values.py")
    assert _allowed("tests/factories/kinerja.py")
    assert any(p.as_posix().endswith("kinerja/services/people.py") for p in _python_files())


# ---------------------------------------------------------------- TenantScopedApi guard


@pytest.mark.parametrize("method", ["get_queryset", "get_object", "get_permissions"])
def test_api_base_rejects_overriding_guarded_methods(method: str) -> None:
    with pytest.raises(TypeError, match=method):
        type("LeakyApi", (TenantScopedApi,), {method: lambda self: None})


def test_api_base_guard_applies_to_grandchildren_and_allows_the_hook() -> None:
    class Base(TenantScopedApi):
        def get_base_queryset(self) -> QuerySet[Pegawai]:
            return Pegawai.objects.none()

    with pytest.raises(TypeError):

        class Child(Base):
            def get_queryset(self) -> QuerySet[Pegawai]:
                return Pegawai.objects.none()


def test_api_base_dangerously_allowed_escape_hatch() -> None:
    def get_queryset(self: Any) -> QuerySet[Pegawai]:
        return Pegawai.objects.none()

    get_queryset._dangerously_allowed = True  # type: ignore[attr-defined]
    type("ExplicitlyAllowedApi", (TenantScopedApi,), {"get_queryset": get_queryset})


# ---------------------------------------------------------------- middleware


def _probe(request: HttpRequest) -> HttpResponse:
    """What a view sees: the active scope and what the default manager returns."""
    state = get_scope()
    try:
        ids = sorted(set(Pegawai.objects.values_list("instansi_id", flat=True)))
    except ScopeError:
        ids = None
    return HttpResponse(json.dumps({"scope": state.get("instansi"), "instansi_ids": ids}))


def _through_middleware(request: HttpRequest) -> dict[str, Any]:
    return json.loads(TenantMiddleware(_probe)(request).content)


def test_middleware_scopes_token_request(org_a: Org) -> None:
    token = token_for(org_a.pegawai.user)
    request = RequestFactory().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    request.user = AnonymousUser()  # DRF authenticates tokens only inside the view
    request.session = SessionStore()
    assert _through_middleware(request) == {"scope": org_a.instansi.pk, "instansi_ids": [org_a.instansi.pk]}
    assert request.instansi == org_a.instansi  # type: ignore[attr-defined]


def test_middleware_scopes_session_request(org_a: Org, org_b: Org) -> None:
    request = RequestFactory().get("/")
    request.user = org_b.pegawai.user
    request.session = SessionStore()
    assert _through_middleware(request) == {"scope": org_b.instansi.pk, "instansi_ids": [org_b.instansi.pk]}


@pytest.mark.parametrize("header", [None, "Token salah", "Bearer abc", "Token"])
def test_middleware_without_tenant_runs_unscoped_and_fails_closed(org_a: Org, header: str | None) -> None:
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    request = RequestFactory().get("/", **extra)
    request.user = AnonymousUser()
    request.session = SessionStore()
    assert _through_middleware(request) == {"scope": None, "instansi_ids": None}


def test_middleware_ignores_x_instansi_from_ordinary_users(org_a: Org, org_b: Org) -> None:
    request = RequestFactory().get("/", HTTP_X_INSTANSI=org_a.instansi.kode)
    request.user = org_b.admin.user
    request.session = SessionStore()
    assert _through_middleware(request)["scope"] == org_b.instansi.pk


def test_token_and_session_requests_end_to_end(org_a: Org, org_b: Org, api: Any) -> None:
    for org in (org_a, org_b):
        with scope(instansi=org.instansi.pk):
            periode_ensure_year(instansi=org.instansi, tahun=2026)
    # token
    rows = api(org_a.pegawai.user).get("/api/v1/periode/").json()
    assert len(rows) == 4
    # session
    client = Client()
    client.force_login(org_b.pegawai.user)
    resp = client.get("/api/v1/periode/")
    assert resp.status_code == 200
    with scope(instansi=org_b.instansi.pk):
        assert {r["id"] for r in resp.json()} == set(Periode.objects.values_list("id", flat=True))


# ---------------------------------------------------------------- platform admin access is audited


def _platform_audits(org: Org) -> int:
    return AuditLog._base_manager.filter(instansi=org.instansi, action="platform_admin.akses").count()


def test_platform_admin_header_access_audited_per_request(org_a: Org, platform_admin: User, api: Any) -> None:
    client = api(platform_admin)
    for n in (1, 2):
        resp = client.get("/api/v1/me/", HTTP_X_INSTANSI=org_a.instansi.kode)
        assert resp.status_code == 200, resp.content
        assert resp.json()["instansi"]["kode"] == "A"
        assert "platform_admin" in resp.json()["roles"]
        assert _platform_audits(org_a) == n
    row = AuditLog._base_manager.filter(action="platform_admin.akses").first()
    assert row is not None
    assert (row.actor_id, row.object_repr, row.object_id) == (platform_admin.pk, "/api/v1/me/", "GET")


def test_platform_admin_session_choice_audited_per_request(
    org_a: Org, org_b: Org, platform_admin: User
) -> None:
    client = Client()
    client.force_login(platform_admin)
    session = client.session
    session[PLATFORM_INSTANSI_SESSION_KEY] = org_a.instansi.kode
    session.save()
    for n in (1, 2, 3):
        assert client.get("/api/v1/me/").json()["instansi"]["kode"] == "A"
        assert _platform_audits(org_a) == n
    assert _platform_audits(org_b) == 0


def test_platform_admin_without_choice_gets_no_tenant(org_a: Org, platform_admin: User, api: Any) -> None:
    resp = api(platform_admin).get("/api/v1/periode/")
    assert resp.status_code in (403, 404)
    assert AuditLog._base_manager.filter(action="platform_admin.akses").count() == 0


def test_ordinary_access_is_not_audited_as_platform(org_a: Org, api: Any) -> None:
    assert api(org_a.admin.user).get("/api/v1/me/").status_code == 200
    assert AuditLog._base_manager.filter(action="platform_admin.akses").count() == 0


# ---------------------------------------------------------------- audit rows share the service's transaction


def _create(org: Org, nip: str) -> Pegawai:
    return pegawai_create(
        actor=org.admin.user, instansi=org.instansi, nip=nip, nama="Audit Uji", status="pns",
        unit_kerja=org.pegawai.unit_kerja, jabatan=org.pegawai.jabatan, atasan=org.atasan,
    )  # fmt: skip


def test_audit_row_written_with_the_change(org_a: Org, scope_a: None) -> None:
    before = AuditLog.objects.count()
    pegawai = _create(org_a, nip_for(901))
    rows = AuditLog.objects.filter(action="pegawai.buat", object_id=str(pegawai.pk))
    assert rows.count() == 1 == AuditLog.objects.count() - before
    assert rows.get().actor_id == org_a.admin.user_id


def test_failure_after_audit_leaves_no_audit_row(org_a: Org, scope_a: None) -> None:
    # given a service whose work fails right after it wrote the audit row
    real_audit_log = audit_service.audit_log

    def audit_then_fail(**kwargs: Any) -> AuditLog:
        real_audit_log(**kwargs)
        raise ApplicationError("gagal setelah audit")

    before = AuditLog.objects.count()
    nip = nip_for(902)
    with (
        mock.patch("kinerja.services.people.audit_log", side_effect=audit_then_fail),
        pytest.raises(ApplicationError),
    ):
        _create(org_a, nip)
    # then neither the change nor its audit row survived
    assert AuditLog.objects.count() == before
    assert not Pegawai.objects.filter(nip=nip).exists()
    assert not User.objects.filter(nip=nip).exists()
    with scopes_disabled():
        assert not AuditLog.objects.filter(action="pegawai.buat", object_repr__contains=nip).exists()
