"""Hardening: upload and text limits, login rate limiting, password rules, security headers and CSP,
the production deploy check, and no secrets committed."""

import importlib
import inspect
import os
import re
import secrets
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import get_resolver
from rest_framework import serializers
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.conftest import PASSWORD, Org
from tests.test_tenant_isolation import _walk

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------------------------- uploads


def test_upload_limits_are_configured() -> None:
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.KINERJA_IMPORT_MAX_BYTES <= 50 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000


@pytest.mark.django_db
def test_oversized_api_body_is_refused_not_crashed(org_a: Org, api: Any) -> None:
    body = b'{"tahun": 2026, "pendekatan": "' + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'
    resp = api(org_a.pegawai.user).post("/api/v1/skp/", body, content_type="application/json")
    assert resp.status_code in (400, 413), resp.status_code


# ---------------------------------------------------------------------------------------------- text limits


def _unbounded_api_fields() -> list[str]:
    found: list[str] = []

    def walk(ser: serializers.Serializer, prefix: str, where: str) -> None:
        for name, field in ser.fields.items():
            f = (
                field.child
                if isinstance(field, serializers.ListSerializer | serializers.ListField)
                else field
            )
            if isinstance(f, serializers.Serializer):
                walk(f, f"{prefix}{name}.", where)
            elif (
                isinstance(f, serializers.CharField)
                and not isinstance(f, serializers.ChoiceField)
                and not f.read_only
                and f.max_length is None
            ):
                found.append(f"{where}: {prefix}{name}")

    seen = set()
    for route in _walk(get_resolver().url_patterns):
        cls = route.view_class
        if cls is None or not route.route.startswith("api/"):
            continue
        for attr, obj in inspect.getmembers(cls, inspect.isclass):
            if (
                issubclass(obj, serializers.Serializer)
                and ("Input" in attr or "Filter" in attr)
                and obj not in seen
            ):
                seen.add(obj)
                walk(obj(), "", f"{cls.__module__}.{cls.__name__}.{attr}")
    assert len(seen) >= 10, "did the API input serializers move?"
    return found


def test_every_api_text_input_has_a_max_length() -> None:
    unbounded = _unbounded_api_fields()
    assert not unbounded, "API text inputs without max_length (add max_length=...):\n" + "\n".join(unbounded)


# HTML form fields without max_length: bounded only by DATA_UPLOAD_MAX_MEMORY_SIZE (10 MB), stored in
# TEXT columns. Reported to the SKP UI team; a new one fails until it has a limit or is listed here.
FORMS_WITHOUT_MAX_LENGTH = {
    "skp.forms.KembalikanForm.catatan",
    "skp.forms.LampiranForm.dukungan_sumber_daya",
    "skp.forms.LampiranForm.skema_pertanggungjawaban",
    "skp.forms.LampiranForm.konsekuensi",
    "skp.forms.RhkForm.rencana_hasil_kerja",
    "skp.forms.UsulMatriksForm.rencana_hasil_kerja",
    "skp.forms.UsulMatriksForm.iki",
}
FORM_MODULES = ("kinerja.forms", "kinerja.forms_impor", "skp.forms", "evaluasi.forms", "dialog.forms")


def test_no_new_unbounded_form_fields() -> None:
    found = set()
    for modname in FORM_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(mod, inspect.isclass):
            if not (issubclass(cls, forms.BaseForm) and cls.__module__ == modname):
                continue
            for fname, f in cls.base_fields.items():
                if (
                    isinstance(f, forms.CharField)
                    and not isinstance(f.widget, forms.PasswordInput)
                    and f.max_length is None
                ):
                    found.add(f"{modname}.{name}.{fname}")
    new = sorted(found - FORMS_WITHOUT_MAX_LENGTH)
    assert not new, "form text fields without max_length: " + ", ".join(new)


# ---------------------------------------------------------------------------------------------- logins


@pytest.mark.django_db
def test_token_login_is_throttled_per_client(org_a: Org, monkeypatch: Any) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    ip = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    client = APIClient(REMOTE_ADDR=ip)
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"username": f"x{uuid.uuid4().hex[:8]}", "password": "salah"},
            format="json",
        ).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429


@pytest.mark.django_db
def test_token_login_locks_out_after_repeated_failures(org_a: Org) -> None:
    client = APIClient()
    nip = org_a.pegawai.nip
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert (
            client.post(
                "/api/v1/auth/token/", {"username": nip, "password": "salah"}, format="json"
            ).status_code
            == 401
        )
    # even the right password is refused while locked out, with the lockout message
    resp = client.post("/api/v1/auth/token/", {"username": nip, "password": PASSWORD}, format="json")
    assert resp.status_code == 401
    assert "dikunci" in resp.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["1234567", "12345678", "password", "198609262015051001", "Pegawai Uji"])
def test_weak_passwords_are_refused(org_a: Org, password: str) -> None:
    user = org_a.pegawai.user
    user.nama = "Pegawai Uji"
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_reasonable_password_is_accepted() -> None:
    validate_password("Kinerja-Tahunan-2026!")


# ---------------------------------------------------------------------------------------------- headers / CSP


def _csp(resp: Any) -> dict[str, list[str]]:
    header = resp["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split("; ")}


@pytest.mark.django_db
def test_pages_send_csp_and_security_headers(org_a: Org) -> None:
    client = Client()
    client.force_login(org_a.admin.user)
    resp = client.get("/impor/")
    assert resp.status_code == 200
    csp = _csp(resp)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    script = csp["script-src"]
    assert "'unsafe-inline'" not in script
    assert "'unsafe-eval'" not in script
    nonce = next(s for s in script if s.startswith("'nonce-"))[7:-1]
    # the page's one inline script carries this response's nonce
    assert f'<script nonce="{nonce}">' in resp.content.decode()
    assert resp["X-Frame-Options"] == "DENY"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Referrer-Policy"] == "same-origin"
    assert "camera=()" in resp["Permissions-Policy"]
    # a fresh nonce per response
    assert nonce not in client.get("/impor/")["Content-Security-Policy"]
    # API answers carry it too; the Swagger UI (CDN assets) is exempt
    assert "default-src 'self'" in APIClient().get("/api/v1/me/")["Content-Security-Policy"]
    assert "Content-Security-Policy" not in Client().get("/api/docs/")


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']([^"']*)["']""", re.I)


def _templates() -> list[Path]:
    return [p for d in TEMPLATE_DIRS if d.is_dir() for p in d.rglob("*.html") if "/pdf/" not in p.as_posix()]


def test_templates_have_no_script_that_the_csp_would_block() -> None:
    import base64
    import hashlib

    allowed = set(settings.KINERJA_CSP_SCRIPT_HASHES)
    problems = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        problems += [f"{rel}: inline <script> without nonce" for _ in INLINE_SCRIPT.findall(text)]
        problems += [f"{rel}: javascript: URL" for _ in re.findall(r"""=\s*["']\s*javascript:""", text, re.I)]
        for handler in EVENT_HANDLER.findall(text):
            digest = "sha256-" + base64.b64encode(hashlib.sha256(handler.encode()).digest()).decode()
            if digest not in allowed:
                problems.append(
                    f"{rel}: inline handler {handler!r} ({digest} not in KINERJA_CSP_SCRIPT_HASHES)"
                )
    assert len(_templates()) > 20
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------- deploy check


def test_production_settings_pass_the_deploy_check() -> None:
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "kinerja.contoh.go.id",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://kinerja.contoh.go.id",
        "KINERJA_PUBLIC_BASE_URL": "https://kinerja.contoh.go.id",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by tests/conftest.py for Playwright only
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
         "--settings=kinerja.settings.production"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


# ---------------------------------------------------------------------------------------------- secrets


SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "AWS key": re.compile(r"AKIA[0-9A-Z]{16}"),
    "GitHub token": re.compile(r"gh[pousr]_[A-Za-z0-9]{36}"),
    "hard-coded credential": re.compile(
        r"""(?i)\b[a-z_]*(?:password|passwd|secret_key|api_key|access_token)\b\s*[:=]\s*["'][^"'\s]{6,}["']"""
    ),
    # (a ${VAR} interpolation, as in docker-compose.yml, is configuration, not a secret)
    "credentials in a URL": re.compile(
        r"(?i)(?:postgres(?:ql)?|redis|amqp)://[^:/\s@]+:(?!\$\{)[^@/\s]{3,}@"
    ),
}
# Path prefixes/suffixes never scanned, and the reviewed exceptions.
SKIP = (".venv/", ".data/", "node_modules/", "static/vendor/", "locale/")
SKIP_SUFFIX = (
    ".map",
    ".min.js",
    ".min.css",
    ".mo",
    ".png",
    ".jpg",
    ".ico",
    ".pdf",
    ".ttf",
    ".woff",
    ".woff2",
    ".xlsx",
)
ALLOWED = {
    "kinerja/demo.py": "the published demo password, printed by `make run`",
    "bench/generate.py": "synthetic accounts in a throwaway benchmark database",
    "kinerja/settings/base.py": "the insecure development SECRET_KEY default; production.py requires the env var",
}


def _repo_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],  # noqa: S607
            cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
        ).stdout  # fmt: skip
        return [f for f in out.splitlines() if f]
    except (OSError, subprocess.CalledProcessError):
        return [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*") if p.is_file()]


def test_no_secrets_in_the_repository() -> None:
    files = [f for f in _repo_files() if not f.startswith(SKIP) and not f.endswith(SKIP_SUFFIX)]
    assert ".env" not in files, ".env must never be committed"
    hits = []
    for rel in files:
        if rel.startswith("tests/") or rel in ALLOWED:
            continue  # test fixtures use throwaway passwords
        path = ROOT / rel
        try:
            if path.stat().st_size > 2_000_000:
                continue
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for what, pattern in SECRET_PATTERNS.items():
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                hits.append(f"{rel}:{line}: {what}: {m.group(0)[:60]}")
    assert len(files) > 50
    assert not hits, "possible secrets committed:\n" + "\n".join(hits)


def test_the_secret_scan_finds_what_it_looks_for() -> None:
    samples = [
        "-----BEGIN RSA PRIVATE KEY-----",
        "AKIAABCDEFGHIJKLMNOP",
        'DB_PASSWORD = "hunter22x"',
        "postgres://kinerja:rahasia@db:5432/kinerja",
    ]
    for s in samples:
        assert any(p.search(s) for p in SECRET_PATTERNS.values()), s
    assert not any(p.search('password = env("DJANGO_DB_PASSWORD")') for p in SECRET_PATTERNS.values())
