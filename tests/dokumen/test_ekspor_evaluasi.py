"""HR exports over the evaluasi app's data: predikat per unit, annual predikat + angka kredit, talent pool."""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from tests.conftest import Org
from tests.dokumen.conftest import full_plan

pytestmark = pytest.mark.django_db

evaluasi_models = pytest.importorskip("evaluasi.models")


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _rows(resp: Any) -> list[list[Any]]:
    assert resp.status_code == 200, resp.content[:300]
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[3:]  # subtitle, blank, header


@pytest.fixture
def penilaian(org_a: Org, api: Any) -> dict[str, Any]:
    """Year-end data as the evaluasi batch leaves it (set up directly; the batch is evaluasi's to test)."""
    plan = full_plan(api, org_a)
    E, AK, TL, KO = (
        evaluasi_models.Evaluasi,
        evaluasi_models.AngkaKredit,
        evaluasi_models.TindakLanjut,
        evaluasi_models.KinerjaOrganisasi,
    )
    ins = org_a.instansi
    with scopes_disabled():

        def ev(p: Any, skp_id: int, tahun: int, predikat: str) -> Any:
            return E._base_manager.create(
                instansi=ins, jenis="tahunan", tahun=tahun, pegawai=p, skp_id=skp_id,
                pejabat_penilai=p.atasan, unit_kerja=p.unit_kerja, rating_hasil_kerja="di_atas_ekspektasi",
                rating_perilaku_kerja="di_atas_ekspektasi" if predikat == "sangat_baik" else "sesuai_ekspektasi",
                predikat=predikat, status="final",
            )  # fmt: skip

        e_peg = ev(org_a.pegawai, plan["pegawai"]["id"], 2026, "sangat_baik")
        ev(org_a.pegawai, plan["pegawai"]["id"], 2025, "sangat_baik")
        ev(org_a.atasan, plan["atasan"]["skp"]["id"], 2026, "baik")
        AK._base_manager.create(
            instansi=ins, pegawai=org_a.pegawai, tahun=2026, evaluasi=e_peg, jenjang="ahli_pertama",
            predikat="sangat_baik", persentase=Decimal("150"), koefisien=Decimal("12.5"), bulan=12,
            nilai=Decimal("18.750"),
        )  # fmt: skip
        TL._base_manager.create(
            instansi=ins, pegawai=org_a.pegawai, tahun=2026, evaluasi=e_peg, jenis="talent_pool"
        )
        KO._base_manager.create(
            instansi=ins, unit_kerja=org_a.atasan.unit_kerja, tahun=2026, predikat="istimewa", justifikasi="x"
        )
    return plan


def test_predikat_per_unit(org_a: Org, penilaian: dict[str, Any]) -> None:
    rows = _rows(login(org_a.hr.user).get("/dokumen/ekspor/predikat_per_unit/", {"tahun": 2026}))
    bidang = next(r for r in rows if r[0] == "Sekretariat A / Bidang Umum A")
    assert bidang[1] == "Istimewa"
    assert bidang[2] == 2
    assert bidang[3] == 2
    assert bidang[4:6] == [1, 1]  # Sangat Baik, Baik
    assert bidang[9] == 50.0
    assert rows[-1][0] == "JUMLAH"
    assert rows[-1][2] == 2


def test_predikat_tahunan_with_angka_kredit(org_a: Org, penilaian: dict[str, Any]) -> None:
    rows = _rows(login(org_a.admin.user).get("/dokumen/ekspor/predikat_tahunan/", {"tahun": 2026}))
    by_nip = {r[0]: r for r in rows}
    peg = by_nip[org_a.pegawai.nip]
    assert peg[7] == "Sangat Baik"
    assert peg[9] == "Ahli Pertama"
    assert peg[10] == 150
    assert peg[13] == 18.75
    assert by_nip[org_a.atasan.nip][13] is None  # not a JF: no angka kredit


def test_talent_pool(org_a: Org, penilaian: dict[str, Any]) -> None:
    rows = _rows(login(org_a.hr.user).get("/dokumen/ekspor/talent_pool/", {"tahun": 2026}))
    assert [r[0] for r in rows] == [org_a.pegawai.nip]
    assert rows[0][4:6] == ["Sangat Baik", "Sangat Baik"]


def test_evaluasi_exports_are_isolated(org_a: Org, outsider: Any, penilaian: dict[str, Any]) -> None:
    c = login(outsider.user)
    for key in ("predikat_per_unit", "predikat_tahunan", "talent_pool"):
        assert c.get(f"/dokumen/ekspor/{key}/", {"unit": org_a.atasan.unit_kerja_id}).status_code == 404
        body = c.get(f"/dokumen/ekspor/{key}/", {"tahun": 2026, "format": "csv"}).content.decode()
        assert org_a.pegawai.nip not in body
        assert "Bidang Umum A" not in body
        assert login(org_a.pegawai.user).get(f"/dokumen/ekspor/{key}/").status_code == 404
