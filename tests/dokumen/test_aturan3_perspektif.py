"""Issue #17 (R3): the JPT evaluation document has the PERSPEKTIF column like the JPT SKP (domain.md §4.4
JPT SKP columns; §10 "Dokumen Evaluasi Kinerja" = the SKP's hasil kerja table + realisasi + umpan balik)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from evaluasi.documents import evaluasi_document_context
from evaluasi.models import Evaluasi
from evaluasi.selectors import evaluasi_detail_queryset
from skp.models import Rhk, Skp
from tests.conftest import Org
from tests.dokumen.conftest import flat, full_plan, pdf_text, read, requires_poppler, screenshot
from tests.dokumen.test_evaluasi_dokumen import _render_evaluasi
from tests.evaluasi.conftest import ensure_all, periode, set_rating

pytestmark = pytest.mark.django_db

Q3 = dt.datetime(2026, 9, 15, 9, 0, tzinfo=dt.UTC)
DA = "di_atas_ekspektasi"


@pytest.fixture(autouse=True)
def _own_media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _rated(org: Org, api: Any, who: str, *, pendekatan: str = "kuantitatif") -> Evaluasi:
    plan = full_plan(api, org)
    skp_id = plan[who]["skp"]["id"] if "skp" in plan[who] else plan[who]["id"]
    with scopes_disabled():
        Skp._base_manager.filter(pk=skp_id).update(pendekatan=pendekatan)
        Rhk._base_manager.filter(skp_id=skp_id).update(perspektif="Perspektif Penerima Layanan")
    ensure_all(org.instansi)
    pegawai = getattr(org, who)
    set_rating(pegawai, DA, DA, jenis="periodik", dinilai_at=Q3)
    with scope(instansi=org.instansi.pk):
        return Evaluasi.objects.get(pegawai=pegawai, periode=periode(org.instansi, 3))


@requires_poppler
@pytest.mark.parametrize("pendekatan", ["kuantitatif", "kualitatif"])
def test_jpt_evaluation_pdf_has_the_perspektif_column(
    org_a: Org, api: Any, time_machine: Any, pendekatan: str
) -> None:
    """domain.md §4.4: a JPT's hasil kerja carry a PERSPEKTIF; the evaluation prints it like the SKP."""
    time_machine.move_to(Q3)
    ev = _rated(org_a, api, "kepala", pendekatan=pendekatan)
    data = read(_render_evaluasi(org_a, ev.pk))
    screenshot(data, f"evaluasi-jpt-perspektif-{pendekatan}")  # page 2 holds the table (looked at)
    text = flat(pdf_text(data))
    assert "PERSPEKTIF" in text
    assert "Perspektif Penerima Layanan" in text
    assert "PIMPINAN YANG DIINTERVENSI" not in text


@requires_poppler
def test_non_jpt_evaluation_pdf_has_no_perspektif_column(org_a: Org, api: Any, time_machine: Any) -> None:
    time_machine.move_to(Q3)
    ev = _rated(org_a, api, "pegawai")
    text = flat(pdf_text(read(_render_evaluasi(org_a, ev.pk))))
    assert "PERSPEKTIF" not in text
    assert "Perspektif Penerima Layanan" not in text


@pytest.mark.parametrize(
    ("who", "pendekatan", "kolom"),
    [
        ("kepala", "kuantitatif", 8),
        ("kepala", "kualitatif", 6),
        ("pegawai", "kuantitatif", 8),
        ("pegawai", "kualitatif", 6),
    ],
)
def test_column_count_matches_the_header(
    org_a: Org, api: Any, time_machine: Any, who: str, pendekatan: str, kolom: int
) -> None:
    """The section rows span exactly the header's columns (JPT: + PERSPEKTIF, - RHK pimpinan)."""
    time_machine.move_to(Q3)
    ev = _rated(org_a, api, who, pendekatan=pendekatan)
    with scope(instansi=org_a.instansi.pk):
        ctx = evaluasi_document_context(ev=evaluasi_detail_queryset(instansi=org_a.instansi).get(pk=ev.pk))
    assert ctx["jumlah_kolom"] == kolom
    assert ctx["tampil_perspektif"] is (who == "kepala")
