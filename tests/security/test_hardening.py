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


def _api_input_serializers() -> list[tuple[str, type[serializers.Serializer]]]:
    """Every serializer an API view reads input with: its nested request/filter serializers (any name but
    ``*Output*``) and the module-level ``*Input`` serializers of the API modules (e.g. ``skp.api.RhkInput``)."""
    seen: dict[type[serializers.Serializer], str] = {}
    for route in _walk(get_resolver().url_patterns):
        cls = route.view_class
        if cls is None or not route.route.startswith("api/"):
            continue
        for attr, obj in inspect.getmembers(cls, inspect.isclass):
            if issubclass(obj, serializers.Serializer) and "Output" not in attr:
                seen.setdefault(obj, f"{cls.__module__}.{cls.__name__}.{attr}")
    for modname in ("skp.api", "dialog.api", "evaluasi.api", "kinerja.api.views"):
        for attr, obj in inspect.getmembers(importlib.import_module(modname), inspect.isclass):
            if issubclass(obj, serializers.Serializer) and obj.__module__ == modname and "Input" in attr:
                seen.setdefault(obj, f"{modname}.{attr}")
    assert len(seen) >= 20, "did the API input serializers move?"
    return sorted(((where, ser) for ser, where in seen.items()), key=lambda x: x[0])


def _unbounded_api_fields() -> list[str]:
    found: list[str] = []

    def walk(ser: serializers.Serializer, prefix: str, where: str) -> None:
        for name, field in ser.fields.items():
            f = field
            while isinstance(f, serializers.ListSerializer | serializers.ListField | serializers.DictField):
                f = f.child
            if isinstance(f, serializers.Serializer):
                walk(f, f"{prefix}{name}.", where)
            elif (
                isinstance(f, serializers.CharField)
                and not isinstance(f, serializers.ChoiceField)
                and not f.read_only
                and f.max_length is None
            ):
                found.append(f"{where}: {prefix}{name}")

    for where, ser in _api_input_serializers():
        walk(ser(), "", where)
    return found


def test_every_api_text_input_has_a_max_length() -> None:
    unbounded = _unbounded_api_fields()
    assert not unbounded, "API text inputs without max_length (add max_length=...):\n" + "\n".join(unbounded)


# Every free-text field of a form, a serializer and a model of skp/dialog/evaluasi has a max_length, and
# an over-long value is a field error in Indonesian (form: "paling banyak N karakter"; API: 400 "tidak boleh
# melebihi N karakter"), never a 500. The 10 MB body limit is not a text limit.
FORM_MODULES = ("kinerja.forms", "kinerja.forms_impor", "skp.forms", "evaluasi.forms", "dialog.forms")
# Keyword arguments for forms whose fields are built in __init__ (stand-ins, so no database is needed).
FORM_KWARGS: dict[str, Any] = {
    "core_values": [type("Cv", (), {"kode": "berorientasi_pelayanan", "nama": "Berorientasi Pelayanan"})()],
    "pernyataan": [type("P", (), {"pk": 1, "teks": "Pernyataan"})()],
}
FORM_ERROR_ID = "paling banyak"  # Django's Indonesian max_length message
API_ERROR_ID = "tidak boleh melebihi"  # DRF's Indonesian max_length message


def _form_classes() -> list[tuple[str, type[forms.BaseForm]]]:
    found = []
    for modname in FORM_MODULES:
        mod = importlib.import_module(modname)
        for name, cls in inspect.getmembers(mod, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == modname:
                found.append((f"{modname}.{name}", cls))
    assert len(found) >= 30, "did the forms move?"
    return found


def _form_kwargs(cls: type[forms.BaseForm]) -> dict[str, Any] | None:
    """Keyword arguments that build the form with its dynamic fields; None if it cannot be built."""
    kwargs: dict[str, Any] = {}
    for pname, param in inspect.signature(cls.__init__).parameters.items():
        if pname in FORM_KWARGS:
            kwargs[pname] = FORM_KWARGS[pname]
        elif param.kind is param.KEYWORD_ONLY and param.default is param.empty:
            kwargs[pname] = []  # choices lists
        elif param.kind is param.POSITIONAL_OR_KEYWORD and pname != "self" and param.default is param.empty:
            return None
    try:
        cls(**kwargs)
    except TypeError:
        return None  # e.g. PasswordChangeForm(user): password fields only
    return kwargs


def _text_fields(form_fields: dict[str, forms.Field]) -> dict[str, forms.CharField]:
    return {
        name: f
        for name, f in form_fields.items()
        if isinstance(f, forms.CharField) and not isinstance(f.widget, forms.PasswordInput)
    }


def _form_text_fields() -> list[
    tuple[str, type[forms.BaseForm], dict[str, Any] | None, str, forms.CharField]
]:
    rows = []
    for qualname, cls in _form_classes():
        kwargs = _form_kwargs(cls)
        fields = cls(**kwargs).fields if kwargs is not None else cls.base_fields
        for name, f in _text_fields(fields).items():
            rows.append((f"{qualname}.{name}", cls, kwargs, name, f))
    return rows


def test_every_form_text_field_has_a_max_length() -> None:
    rows = _form_text_fields()
    names = {r[0] for r in rows}
    # the dynamic fields are seen too
    assert "skp.forms.EkspektasiForm.berorientasi_pelayanan" in names
    assert "dialog.forms.B18Form.p1_ket" in names
    unbounded = sorted(name for name, _c, _k, _n, f in rows if f.max_length is None)
    assert not unbounded, "form text fields without max_length: " + ", ".join(unbounded)


@pytest.mark.parametrize(
    ("qualname", "cls", "kwargs", "field"),
    [
        pytest.param(q, c, k, n, id=q)
        for q, c, k, n, f in _form_text_fields()
        if k is not None and f.max_length
    ],
)
def test_over_long_form_text_is_a_field_error_in_indonesian(
    qualname: str, cls: type[forms.BaseForm], kwargs: dict[str, Any], field: str
) -> None:
    limit = cls(**kwargs).fields[field].max_length
    assert limit is not None
    form = cls(data={field: "x" * (limit + 1)}, **kwargs)
    assert not form.is_valid()
    assert any(FORM_ERROR_ID in str(e) for e in form.errors.get(field, [])), (qualname, form.errors)


def _api_text_fields() -> list[tuple[str, type[serializers.Serializer], str, int]]:
    rows = []
    for where, ser in _api_input_serializers():
        for name, f in ser().fields.items():
            if (
                isinstance(f, serializers.CharField)
                and not isinstance(f, serializers.ChoiceField)
                and not f.read_only
                and f.max_length
            ):
                rows.append((f"{where}.{name}", ser, name, f.max_length))
    assert len(rows) >= 15, "did the API input serializers move?"
    return rows


@pytest.mark.parametrize(
    ("where", "ser", "field", "limit"), [pytest.param(*row, id=row[0]) for row in _api_text_fields()]
)
def test_over_long_api_text_is_a_field_error_in_indonesian(
    where: str, ser: type[serializers.Serializer], field: str, limit: int
) -> None:
    data = ser(data={field: "x" * (limit + 1)})
    assert not data.is_valid()
    assert any(API_ERROR_ID in str(e) for e in data.errors.get(field, [])), (where, data.errors)


# Model text fields nobody types into (written by the system, or reference data from a migration).
MODEL_TEXT_NOT_TYPED = {
    "dialog.Notifikasi.pesan",
    "dialog.Aktivitas.ringkasan",
    "dialog.PernyataanBimbingan.teks",
    "evaluasi.AturanDistribusi.sumber",
    "evaluasi.AlasanDeviasi.pesan",
    "skp.Rhk.rhk_pimpinan_teks",  # the approval snapshot of the leader's text, copied by skp_approve
    "skp.Rhk.tim_kerja_teks",  # the approval snapshot of the team label, copied by skp_approve
    "evaluasi.KirimanSiasn.pesan",  # SIASN's answer as it came back (stored for inspectors)
    "evaluasi.LogSiasn.pesan",  # same, in the audit log of every send
}


def test_every_model_text_field_users_type_into_has_a_max_length() -> None:
    from django.apps import apps
    from django.db import models as dj_models

    unbounded = []
    for label in ("skp", "dialog", "evaluasi"):
        for model in apps.get_app_config(label).get_models():
            for f in model._meta.get_fields():
                if isinstance(f, dj_models.TextField) and f.editable and f.max_length is None:
                    name = f"{label}.{model.__name__}.{f.name}"
                    if name not in MODEL_TEXT_NOT_TYPED:
                        unbounded.append(name)
    assert not unbounded, "model TextFields without max_length (the forms/serializers built from them): " + (
        ", ".join(sorted(unbounded))
    )


@pytest.mark.django_db
def test_over_long_text_through_the_skp_pages_and_api_is_a_field_error(org_a: Org, api: Any) -> None:
    """End to end: the SKP forms that had no limit, through their real views (htmx) and the API."""
    from django.urls import reverse

    from skp.models import CoreValue
    from tests.skp.conftest import add_rhk, build_rencana, client_for, draft, htmx, submit, text

    rencana = build_rencana(org_a)
    skp = draft(org_a.pegawai)
    add_rhk(skp, "Tersusunnya laporan", pimpinan=rencana.atasan_rhk[0])
    panjang = "x" * 2001
    pesan = "paling banyak 2000 karakter"
    owner = client_for(org_a.pegawai.user)
    rhk = {
        "jenis": "utama",
        "rencana_hasil_kerja": panjang,
        "indikator-0-aspek": "kuantitas",
        "indikator-0-iki": "Jumlah laporan",
        "indikator-0-target": "4 laporan",
    }
    resp = htmx(owner, "post", reverse("skp:rhk-tambah", args=[skp.pk]), rhk)
    assert resp.status_code < 500
    assert pesan in text(resp)
    resp = htmx(owner, "post", reverse("skp:lampiran", args=[skp.pk]), {"konsekuensi": "x" * 10_001})
    assert resp.status_code < 500
    assert "paling banyak 10000 karakter" in text(resp)
    # the API: 400 with the field named, in Indonesian
    client = api(org_a.pegawai.user)
    body = {
        "jenis": "utama",
        "rencana_hasil_kerja": panjang,
        "indikator": [{"aspek": "kuantitas", "iki": "a", "target": "1"}],
    }
    resp = client.post(f"/api/v1/skp/{skp.pk}/rhk/", body, format="json")
    assert resp.status_code == 400
    assert API_ERROR_ID in str(resp.json()["errors"]["rencana_hasil_kerja"])
    body["rencana_hasil_kerja"], body["indikator"][0]["iki"] = "Laporan", panjang
    resp = client.post(f"/api/v1/skp/{skp.pk}/rhk/", body, format="json")
    assert resp.status_code == 400
    assert API_ERROR_ID in str(resp.json()["errors"]["indikator.0.iki"])
    resp = client.patch(f"/api/v1/skp/{skp.pk}/", {"lampiran": {"konsekuensi": ["x"] * 51}}, format="json")
    assert resp.status_code == 400, resp.content
    assert "lampiran.konsekuensi" in resp.json()["errors"]
    # the Pejabat Penilai's forms on the submitted SKP
    submit(skp)
    leader = client_for(org_a.atasan.user)
    kode = CoreValue.objects.values_list("kode", flat=True).first()
    resp = htmx(leader, "post", reverse("skp:ekspektasi", args=[skp.pk]), {kode: panjang})
    assert resp.status_code < 500
    assert pesan in text(resp)
    resp = htmx(leader, "post", reverse("skp:kembalikan", args=[skp.pk]), {"catatan": panjang})
    assert resp.status_code < 500
    assert pesan in text(resp)
    resp = api(org_a.atasan.user).post(
        f"/api/v1/skp/{skp.pk}/kembalikan/", {"catatan": panjang}, format="json"
    )
    assert resp.status_code == 400
    assert API_ERROR_ID in str(resp.json()["errors"]["catatan"])


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
    for _ in range(settings.KINERJA_LOGIN_NIP_FREE):
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
