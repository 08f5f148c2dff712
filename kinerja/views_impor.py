"""Admin page /impor/: upload, dry run, confirm, import (called from ``kinerja.views.impor_view``).

The caller already enforces login, the admin_instansi/platform_admin role and the tenant scope.
Between the dry run and the confirmation the exact uploaded bytes wait in a private temp file
named by a random token that only this session knows (not in the database).
"""

import hashlib
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kinerja.exceptions import ApplicationError
from kinerja.forms_impor import ImporForm, ImporKonfirmasiForm
from kinerja.models import Instansi, User
from kinerja.services.impor import (
    HasilImpor,
    ImporTidakValid,
    impor_parse,
    impor_template_csv,
    pegawai_import,
)

SESSION_KEY = "impor_berkas"
TEMP_MAX_AGE = 24 * 60 * 60
TEMPLATE = "kinerja/impor.html"


def _temp_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "impor-sementara"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _temp_path(token: str) -> Path:
    return _temp_dir() / f"{token}.bin"


def _prune_temp() -> None:
    cutoff = time.time() - TEMP_MAX_AGE
    for old in _temp_dir().glob("*.bin"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass


def _discard(request: HttpRequest) -> None:
    stored = request.session.pop(SESSION_KEY, None)
    if isinstance(stored, dict) and isinstance(stored.get("token"), str):
        _temp_path(stored["token"]).unlink(missing_ok=True)


def _stash(request: HttpRequest, *, instansi: Instansi, content: bytes, nama: str) -> str:
    """Keep the dry-run bytes for the confirmation; replaces any earlier pending file of this session."""
    _discard(request)
    _prune_temp()
    token = secrets.token_urlsafe(24)
    _temp_path(token).write_bytes(content)
    request.session[SESSION_KEY] = {
        "token": token,
        "nama": nama,
        "instansi": instansi.pk,
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    return token


def _unstash(request: HttpRequest, *, instansi: Instansi, token: str) -> tuple[bytes, str] | None:
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict) or stored.get("instansi") != instansi.pk:
        return None
    if not secrets.compare_digest(str(stored.get("token", "")), token):
        return None
    try:
        content = _temp_path(stored["token"]).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(content).hexdigest() != stored.get("sha256"):
        return None
    return content, str(stored.get("nama", ""))


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _template_csv() -> HttpResponse:
    response = HttpResponse("\ufeff" + impor_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="templat_impor_pegawai.csv"'
    return response


def impor_page(request: HttpRequest) -> HttpResponse:
    """Upload → dry run (default) → confirm → import; every bad row is listed, nothing half-imported."""
    instansi: Instansi = request.instansi  # type: ignore[attr-defined]
    if request.method == "GET" and request.GET.get("templat") == "csv":
        return _template_csv()
    ctx: dict[str, Any] = {"instansi": instansi}
    if request.method == "POST" and request.POST.get("aksi") == "konfirmasi":
        return _konfirmasi(request, instansi, ctx)
    form = ImporForm(request.POST, request.FILES) if request.method == "POST" else ImporForm()
    ctx["form"] = form
    if request.method == "POST" and form.is_valid() and form.parsed is not None:
        real = not form.cleaned_data["uji_coba"] and form.cleaned_data["konfirmasi"]
        try:
            hasil = pegawai_import(
                actor=_actor(request), instansi=instansi, berkas=form.parsed, dry_run=not real
            )
        except ImporTidakValid as exc:
            ctx["kesalahan"] = exc.kesalahan
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            ctx["hasil"] = hasil
            if real:
                _discard(request)
            else:
                token = _stash(request, instansi=instansi, content=form.content, nama=form.parsed.nama_berkas)
                ctx["konfirmasi_form"] = ImporKonfirmasiForm(initial={"token": token})
                ctx["nama_berkas"] = form.parsed.nama_berkas
                ctx["langsung"] = not form.cleaned_data["uji_coba"]
    return render(request, TEMPLATE, ctx)


def _konfirmasi(request: HttpRequest, instansi: Instansi, ctx: dict[str, Any]) -> HttpResponse:
    """Import the exact bytes that passed the dry run."""
    ctx["form"] = ImporForm()
    konfirmasi = ImporKonfirmasiForm(request.POST)
    stored = (
        _unstash(request, instansi=instansi, token=konfirmasi.data.get("token", ""))
        if konfirmasi.is_valid()
        else None
    )
    if stored is None:
        ctx["galat"] = _("Berkas uji coba tidak ditemukan atau sudah dipakai. Unggah ulang berkasnya.")
        return render(request, TEMPLATE, ctx)
    content, nama = stored
    try:
        hasil: HasilImpor = pegawai_import(
            actor=_actor(request),
            instansi=instansi,
            berkas=impor_parse(content=content, nama_berkas=nama),
        )
    except ImporTidakValid as exc:  # the instansi's data changed since the dry run
        ctx["kesalahan"] = exc.kesalahan
    except ApplicationError as exc:  # includes ImporBerkasError
        ctx["galat"] = exc.message
    else:
        ctx["hasil"] = hasil
        _discard(request)
    return render(request, TEMPLATE, ctx)
