"""`make run` serves like production: DEBUG off unless KINERJA_DEBUG=1, friendly Indonesian 404/500 pages,
a favicon (linked, and at /favicon.ico through WhiteNoise)."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

ROOT = Path(__file__).resolve().parents[2]


def _local_debug(**extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "KINERJA_DEBUG"}}
    env.update(DJANGO_SETTINGS_MODULE="kinerja.settings.local", **extra)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_make_run_settings_have_debug_off_unless_switched_on() -> None:
    assert _local_debug() == "False"
    assert _local_debug(KINERJA_DEBUG="1") == "True"
    assert _local_debug(DJANGO_DEBUG="true") == "True"


@pytest.mark.django_db
def test_unknown_page_is_the_friendly_404(client: Any, settings: Any) -> None:
    assert settings.DEBUG is False
    resp = client.get("/halaman-yang-tidak-ada/")
    assert resp.status_code == 404
    html = resp.content.decode()
    assert "Halaman tidak ditemukan" in html
    assert "Kembali ke beranda" in html
    assert '<html lang="id">' in html
    assert "favicon.svg" in html
    assert "Traceback" not in html


def test_server_error_is_the_friendly_500() -> None:
    resp = server_error(RequestFactory().get("/"))
    assert resp.status_code == 500
    html = resp.content.decode()
    assert "Terjadi kesalahan pada server" in html
    assert "favicon.svg" in html


def test_favicon_is_served_at_the_root(client: Any) -> None:
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content)[:4] == b"\x00\x00\x01\x00"  # ICO header
