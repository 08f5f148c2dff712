"""SIASN and the Pejabat Penilai non-ASN (issue #16 part 2): a result rated by a Bupati is sent with
statusPenilai "NON ASN", the official's nama and jabatan, an empty NIP and golongan, the instansi as unor."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from evaluasi.models import Evaluasi
from evaluasi.siasn import kirim as kirim_mod
from skp.models import Skp
from tests.conftest import Org
from tests.evaluasi.conftest import ensure_all, make_skp
from tests.nonasn.test_pejabat_non_asn import add_bupati
from tests.siasn.conftest import TAHUN, finalise
from tests.siasn.fake import FakeSiasn
from tests.siasn.test_kirim import CONTRACT_KEYS, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def bupati_rates_kepala(org_a: Org, year_a: Any) -> Any:
    """The kepala of A is rated by a non-ASN Bupati: an approved SKP naming it and a final evaluation."""
    bupati = add_bupati(org_a, menilai=[org_a.kepala])
    skp = make_skp(org_a.kepala, penilai=None)
    with scopes_disabled():
        Skp._base_manager.filter(pk=skp.pk).update(pejabat_penilai_non_asn=bupati)
    ensure_all(org_a.instansi)
    finalise(org_a.kepala, "di_atas_ekspektasi", "sesuai_ekspektasi")
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(pegawai=org_a.kepala, tahun=TAHUN, jenis="tahunan")
    assert ev.pejabat_penilai_id is None
    assert ev.pejabat_penilai_non_asn_id == bupati.pk
    return bupati


def test_a_result_rated_by_a_non_asn_official_is_sent_as_non_asn(
    siasn_a: FakeSiasn, org_a: Org, bupati_rates_kepala: Any
) -> None:
    code, out, err = run("A", "--dry-run")
    assert code == 0, err
    lines = [json.loads(x) for x in out.splitlines()]
    assert len(lines) == 4
    assert all(list(p) == CONTRACT_KEYS for p in lines)
    non_asn = [p for p in lines if p["statusPenilai"] == "NON ASN"]
    assert len(non_asn) == 1
    p = non_asn[0]
    assert p["penilaiNipNrp"] == ""
    assert p["penilaiNama"] == "H. Ahmad Sukamaju, S.H."
    assert p["penilaiJabatan"] == "Bupati Sukamaju"
    assert p["penilaiUnorNama"] == org_a.instansi.nama
    assert p["penilaiGolongan"] == ""
    assert (p["hasilKinerjaNilai"], p["kuadranKinerjaNilai"]) == (1, 2)
    # the others are rated by pegawai: ASN with their NIP
    assert {x["statusPenilai"] for x in lines if x is not p} == {"ASN"}
    assert all(x["penilaiNipNrp"] for x in lines if x is not p)

    # sent for real: SIASN accepts the shape, and the kepala's record says NON ASN
    code, out, err = run()
    assert code == 0, err
    assert "4 terkirim, 0 tidak berubah, 0 gagal" in out
    sent = {s["json"]["pnsDinilaiOrang"]: s["json"] for s in siasn_a.saves()}
    assert sent[f"pns-{org_a.kepala.nip}"]["statusPenilai"] == "NON ASN"
    assert sent[f"pns-{org_a.kepala.nip}"]["penilaiNipNrp"] == ""


def test_non_asn_penilai_adds_no_query_per_row(
    siasn_a: FakeSiasn, org_a: Org, bupati_rates_kepala: Any, django_assert_max_num_queries: Any
) -> None:
    with scope(instansi=org_a.instansi.pk), django_assert_max_num_queries(2):
        butir = kirim_mod.butir_siasn(instansi=org_a.instansi, tahun=TAHUN, jenis=("skp22",))
    assert sorted(b.payload["statusPenilai"] for b in butir if b.payload) == ["ASN", "ASN", "ASN", "NON ASN"]
