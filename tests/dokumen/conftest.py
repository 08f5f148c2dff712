"""Fixtures for the documents tests: approved SKPs made through the real API, PDF text helpers."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope

from kinerja.models import Dokumen
from tests.conftest import Org
from tests.skp.test_api_skp import IND, add_rhk, approved_skp, create_skp

SCREENS = Path("/tmp/screens")  # noqa: S108 - the agreed place for layout screenshots


@pytest.fixture(autouse=True)
def _isolated_cache(settings: Any) -> None:
    """Rate limits and re-queue markers live in the cache: keep each test's own."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.KINERJA_PUBLIC_BASE_URL = "https://kinerja.example.go.id"
    from django.core.cache import cache

    cache.clear()


def pdf_text(data: bytes, *, layout: bool = False, first: int | None = None, last: int | None = None) -> str:
    """Text of a PDF through poppler's pdftotext (what a reader would see)."""
    cmd = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        cmd.append("-layout")
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    out = subprocess.run([*cmd, "-", "-"], input=data, capture_output=True, check=True)  # noqa: S603
    return out.stdout.decode()


def pdf_fonts(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout  # noqa: S603,S607


def screenshot(data: bytes, name: str, page: int = 1) -> Path:
    """Page ``page`` as PNG at 60 dpi in /tmp/screens/ (looked at by a human during development)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    src = SCREENS / f"{name}.pdf"
    src.write_bytes(data)
    prefix = SCREENS / f"{name}-p{page}"
    cmd = [
        "pdftoppm",
        "-png",
        "-r",
        "60",
        "-f",
        str(page),
        "-l",
        str(page),
        "-singlefile",
        str(src),
        str(prefix),
    ]
    subprocess.run(cmd, check=True)  # noqa: S603
    return prefix.with_suffix(".png")


def flat(text: str) -> str:
    """Whitespace collapsed, so assertions survive line wrapping in table cells."""
    return " ".join(text.split())


requires_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")


def full_plan(api: Any, org: Org) -> dict[str, Any]:
    """kepala (JPT) → atasan → pegawai, all approved; the pegawai's SKP has a tambahan result,
    lampiran and ekspektasi khusus. Returns the three API payloads."""
    kepala = approved_skp(api, org.kepala, org.admin, ["Meningkatnya kualitas pelayanan publik daerah"])
    atasan = approved_skp(
        api, org.atasan, org.kepala, ["Tersusunnya standar pelayanan bidang umum"], [kepala["rhk"][0]["id"]]
    )
    c = api(org.pegawai.user)
    skp = create_skp(c)
    add_rhk(c, skp["id"], "Terselesaikannya draf SOP loket pelayanan", atasan["rhk"][0]["id"])
    add_rhk(c, skp["id"], "Tersusunnya laporan arsip digital", atasan["rhk"][0]["id"])
    add_rhk(c, skp["id"], "Menjadi narasumber pelatihan internal", None, jenis="tambahan")
    resp = c.patch(
        f"/api/v1/skp/{skp['id']}/",
        {
            "lampiran": {
                "dukungan_sumber_daya": ["Anggaran pelatihan Rp 5.000.000", "Laptop"],
                "skema_pertanggungjawaban": ["Laporan bulanan kepada Kepala Bidang"],
                "konsekuensi": ["Pemberian penghargaan bila target tercapai"],
            }
        },
        format="json",
    )
    assert resp.status_code == 200, resp.content
    resp = api(org.atasan.user).put(
        f"/api/v1/skp/{skp['id']}/ekspektasi/",
        {
            "ekspektasi": {
                "akuntabel": "Laporan tepat waktu setiap bulan",
                "kolaboratif": "Aktif dalam tim SOP",
            }
        },
        format="json",
    )
    assert resp.status_code == 200, resp.content
    assert c.post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200, "ajukan"
    done = api(org.atasan.user).post(f"/api/v1/skp/{skp['id']}/setujui/")
    assert done.status_code == 200, done.content
    return {"kepala": kepala, "atasan": atasan, "pegawai": done.json()}


def render(org: Org, skp_id: int) -> Dokumen:
    """Run the render task function (the same code the worker runs) and return the document."""
    from skp.tasks import skp_document_render_task

    dok_id = skp_document_render_task(org.instansi.pk, skp_id)
    assert dok_id
    with scope(instansi=org.instansi.pk):
        return Dokumen.objects.get(pk=dok_id)


def read(dok: Dokumen) -> bytes:
    with dok.berkas.open("rb") as fh:
        return fh.read()


__all__ = [
    "IND",
    "flat",
    "full_plan",
    "pdf_fonts",
    "pdf_text",
    "read",
    "render",
    "requires_poppler",
    "screenshot",
]
