"""Issue #17 (R3): distribution rule data faithful to the source (domain.md §7.1 and Product decisions
"Distribution guideline, default wording"): the default version warns only about the most frequent
predikat and about pegawai rated before the unit predikat was set; SE 3/2023 / PP 30/2019 shares are
optional stricter versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from evaluasi import scoring
from evaluasi.models import AturanDistribusi, Evaluasi, KinerjaOrganisasi, PengaturanEvaluasi
from evaluasi.rules import PMK6_2022_V1, SE3_2023_V1, SEED, aturan_bawaan_pmk6
from evaluasi.selectors import aturan_distribusi_for, distribusi_unit
from tests.conftest import Org
from tests.evaluasi.conftest import TAHUN, ensure_all, make_skp, set_rating

SB, B, BP, KM, SK = "sangat_baik", "baik", "butuh_perbaikan", "kurang_misconduct", "sangat_kurang"
DA, SE, DB = "di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"
ARAH = {"istimewa": SB, "baik": B, "butuh_perbaikan": BP, "kurang": KM, "sangat_kurang": SK}


def _kode(w: list[scoring.Peringatan]) -> list[str]:
    return [x.kode for x in w]


def test_seed_definitions_are_valid() -> None:
    for row in SEED:
        assert scoring.validasi_aturan(row["definisi"]) == [], row["kode"]
    assert [r["kode"] for r in SEED if r["bawaan"]] == ["pmk6_2022"]


@pytest.mark.parametrize(("org", "arah"), list(ARAH.items()))
def test_domain_s7_1_default_no_warning_when_the_led_to_predikat_is_most_frequent(
    org: str, arah: str
) -> None:
    """domain.md §7.1 "sebagian besar" + seed 002 "memungkinkan": every other predikat may occur."""
    jumlah = dict.fromkeys(scoring.PREDIKAT_ORDER, 1)
    jumlah[arah] = 5
    assert scoring.cek_distribusi(definisi=PMK6_2022_V1, predikat_organisasi=org, jumlah=jumlah) == []


@pytest.mark.parametrize(("org", "arah"), list(ARAH.items()))
def test_domain_s7_1_default_warns_when_another_predikat_is_most_frequent(org: str, arah: str) -> None:
    lain = next(p for p in scoring.PREDIKAT_ORDER if p != arah)
    w = scoring.cek_distribusi(definisi=PMK6_2022_V1, predikat_organisasi=org, jumlah={arah: 2, lain: 3})
    assert _kode(w) == [f"terbanyak:{arah}"]


def test_default_a_tie_with_the_led_to_predikat_is_not_a_deviation() -> None:
    assert (
        scoring.cek_distribusi(definisi=PMK6_2022_V1, predikat_organisasi="baik", jumlah={B: 3, SB: 3}) == []
    )


def test_domain_s7_1_sangat_baik_in_a_sangat_kurang_unit_is_not_flagged_by_default_but_by_se3() -> None:
    """Issue #17: "a Sangat Baik pegawai in a Sangat Kurang unit is flagged, though the source says it is
    possible" (seed 002). The default is silent; the optional SE 3/2023 version still says "no Sangat Baik"."""
    jumlah = {SK: 7, KM: 1, BP: 1, SB: 1}
    assert (
        scoring.cek_distribusi(definisi=PMK6_2022_V1, predikat_organisasi="sangat_kurang", jumlah=jumlah)
        == []
    )
    strict = scoring.cek_distribusi(definisi=SE3_2023_V1, predikat_organisasi="sangat_kurang", jumlah=jumlah)
    assert "tidak_ada:sangat_baik" in _kode(strict)


def test_product_decision_rated_before_the_unit_predikat_was_set_warns() -> None:
    """Product decisions, "Distribution guideline, default wording": rated before the unit predikat was set."""
    w = scoring.cek_distribusi(
        definisi=PMK6_2022_V1, predikat_organisasi="baik", jumlah={B: 4}, dinilai_sebelum=2
    )
    assert _kode(w) == ["dinilai_sebelum_predikat_organisasi"]
    assert "2 pegawai" in w[0].pesan
    assert w[0].aktual == 50.0
    assert scoring.cek_distribusi(definisi=PMK6_2022_V1, predikat_organisasi="baik", jumlah={B: 4}) == []


def test_default_lines_under_the_chart() -> None:
    lines = scoring.syarat_teks(PMK6_2022_V1, "kurang")
    assert len(lines) == 2
    assert scoring.pita_pedoman(PMK6_2022_V1, "kurang") == {p: (0.0, 100.0) for p in scoring.PREDIKAT_ORDER}


def test_validasi_rejects_a_predikat_list_on_the_unit_wide_kind() -> None:
    bad = {"aturan": {"*": [{"jenis": "dinilai_sebelum_predikat_organisasi", "predikat": [SB]}]}}
    assert scoring.validasi_aturan(bad) != []


# ---------------------------------------------------------------------------------- data: default, choices


@pytest.mark.django_db
def test_migration_makes_pmk6_the_default_and_keeps_an_explicit_choice(org_a: Org, org_b: Org) -> None:
    with scopes_disabled():
        assert list(AturanDistribusi.objects.filter(bawaan=True).values_list("kode", flat=True)) == [
            "pmk6_2022"
        ]
        se3 = AturanDistribusi.objects.get(kode="se3_2023", versi=1)
        PengaturanEvaluasi._base_manager.create(instansi=org_b.instansi, aturan_distribusi=se3)
    with scope(instansi=org_a.instansi.pk):
        assert aturan_distribusi_for(instansi=org_a.instansi).kode == "pmk6_2022"
    with scope(instansi=org_b.instansi.pk):
        assert aturan_distribusi_for(instansi=org_b.instansi).kode == "se3_2023"


@pytest.mark.django_db
def test_data_migration_function_flips_an_old_default_and_is_idempotent() -> None:
    AturanDistribusi.objects.filter(kode="pmk6_2022").delete()
    AturanDistribusi.objects.filter(kode="se3_2023").update(bawaan=True)
    aturan_bawaan_pmk6(AturanDistribusi)
    aturan_bawaan_pmk6(AturanDistribusi)
    assert list(AturanDistribusi.objects.filter(bawaan=True).values_list("kode", flat=True)) == ["pmk6_2022"]
    assert AturanDistribusi.objects.filter(kode="pmk6_2022").count() == 1


# ---------------------------------------------------------------------------------- batch and unit page


def _set_org(org: Org, predikat: str) -> KinerjaOrganisasi:
    with scopes_disabled():
        return KinerjaOrganisasi._base_manager.create(
            instansi=org.instansi, unit_kerja=org.pegawai.unit_kerja, tahun=TAHUN, predikat=predikat,
            justifikasi="Capaian PK unit.", ditetapkan_oleh=org.admin.user,
        )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("dinilai_dulu", [True, False])
def test_batch_and_unit_page_warn_when_rated_before_the_unit_predikat(
    org_a: Org, run_batch: Any, time_machine: Any, dinilai_dulu: bool
) -> None:
    """One Sangat Baik and two Sangat Kurang in a Sangat Kurang unit: no share warning by default; the
    "rated before" warning only when the ratings are older than the unit predikat."""
    time_machine.move_to(dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC))
    people = [org_a.pegawai, org_a.rekan, org_a.atasan]
    for p in people:
        make_skp(p)
    ensure_all(org_a.instansi)
    if not dinilai_dulu:
        _set_org(org_a, "sangat_kurang")
        time_machine.move_to(dt.datetime(2026, 12, 11, 9, 0, tzinfo=dt.UTC))
    rated_at = dt.datetime.now(tz=dt.UTC)
    set_rating(org_a.pegawai, DB, DB, dinilai_at=rated_at)
    set_rating(org_a.rekan, DB, DB, dinilai_at=rated_at)
    set_rating(org_a.atasan, DA, DA, dinilai_at=rated_at)
    if dinilai_dulu:
        time_machine.move_to(dt.datetime(2026, 12, 12, 9, 0, tzinfo=dt.UTC))
        _set_org(org_a, "sangat_kurang")
    time_machine.move_to(dt.datetime(2026, 12, 30, 9, 0, tzinfo=dt.UTC))
    with scopes_disabled():
        unit_ids = set(
            Evaluasi._base_manager.filter(pegawai__in=people, jenis="tahunan").values_list(
                "unit_kerja_id", flat=True
            )
        )
    assert unit_ids == {org_a.pegawai.unit_kerja_id}

    dry = run_batch(org_a, dry_run=True)
    with scope(instansi=org_a.instansi.pk):
        page = distribusi_unit(
            instansi=org_a.instansi, unit=org_a.pegawai.unit_kerja, tahun=TAHUN, periode=None
        )
    job = run_batch(org_a)

    assert job.detail["aturan"]["kode"] == "pmk6_2022"
    unit = next(d for d in job.detail["distribusi"] if d["unit_id"] == org_a.pegawai.unit_kerja_id)
    want = ["dinilai_sebelum_predikat_organisasi"] if dinilai_dulu else []
    assert [w["kode"] for w in unit["peringatan"]] == want
    assert [x["p"].kode for x in page["peringatan"]] == want
    assert dry.detail["distribusi"] == job.detail["distribusi"]
