"""Issue #17: the evaluation document prints when the result was delivered to the pegawai
(domain.md "Product decisions", row "Keberatan on periodic results": a periodic result is delivered, and
the keberatan days start, when the Pejabat Penilai rates it), and an accepted keberatan prints the new
ratings with the matrix predikat (domain §6.4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Org
from tests.dokumen.conftest import flat, pdf_text, read, requires_poppler
from tests.dokumen.test_evaluasi_dokumen import Q3, _rated_quarter, _render_evaluasi

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media(settings: Any, tmp_path: Path) -> None:
    """Time travel: each test its own media (and demo CA), as in test_evaluasi_dokumen."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@requires_poppler
def test_periodic_pdf_prints_the_delivery_date_then_the_keberatan_ratings(
    org_a: Org, api: Any, time_machine: Any
) -> None:
    """Rated on 15 September 2026 → "Diterima oleh pegawai pada 15 September 2026"; after an accepted
    keberatan the document shows the new ratings and their matrix predikat."""
    time_machine.move_to(Q3)  # 15 Sep 2026 09:00 UTC
    ev, _plan = _rated_quarter(org_a, api)  # Di Atas / Sesuai → Baik
    text = flat(pdf_text(read(_render_evaluasi(org_a, ev.pk))))
    assert "Diterima oleh pegawai pada 15 September 2026" in text
    time_machine.move_to(Q3 + dt.timedelta(days=3))
    kb = api(org_a.pegawai.user).post(f"/api/v1/evaluasi/{ev.pk}/keberatan/", {"alasan": "x"}, format="json")
    assert kb.status_code == 201, kb.content
    r = api(org_a.kepala.user).post(
        f"/api/v1/keberatan/{kb.json()['id']}/putus/",
        {
            "terima": True,
            "rating_hasil_kerja": "di_atas_ekspektasi",
            "rating_perilaku_kerja": "di_atas_ekspektasi",
            "catatan": "Bukti dukung lengkap.",
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    text = flat(pdf_text(read(_render_evaluasi(org_a, ev.pk))))
    assert "Diterima oleh pegawai pada 15 September 2026" in text
    assert "SANGAT BAIK" in text
    assert "rating Di Atas Ekspektasi / Sesuai Ekspektasi (predikat Baik) diubah menjadi" in text
    assert "Di Atas Ekspektasi / Di Atas Ekspektasi (predikat Sangat Baik)" in text
