"""Pure scoring rules: the §6.4 matrix (all 9 cells), angka kredit §8.3, follow-ups, distribution §7."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from evaluasi import scoring
from evaluasi.scoring import Predikat, PredikatOrganisasi, Rating, cek_distribusi, predikat

DA, SE, DB = Rating.DI_ATAS_EKSPEKTASI, Rating.SESUAI_EKSPEKTASI, Rating.DI_BAWAH_EKSPEKTASI


@pytest.mark.parametrize(
    ("hasil_kerja", "perilaku_kerja", "expected"),
    [
        (DA, DB, "kurang_misconduct"),
        (DA, SE, "baik"),
        (DA, DA, "sangat_baik"),
        (SE, DB, "kurang_misconduct"),
        (SE, SE, "baik"),
        (SE, DA, "baik"),
        (DB, DB, "sangat_kurang"),  # bottom-left: Sangat Kurang (domain §6.4)
        (DB, SE, "butuh_perbaikan"),
        (DB, DA, "butuh_perbaikan"),
    ],
)
def test_matrix_all_nine_cells(hasil_kerja: str, perilaku_kerja: str, expected: str) -> None:
    assert predikat(hasil_kerja, perilaku_kerja) == expected


def test_enums_exact_values_and_order() -> None:
    assert Rating.values == ["di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"]
    assert Predikat.values == ["sangat_baik", "baik", "butuh_perbaikan", "kurang_misconduct", "sangat_kurang"]
    assert PredikatOrganisasi.values == ["istimewa", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]
    assert set(scoring.MATRIKS_PREDIKAT.values()) == set(Predikat.values)  # every predikat has a cell


def test_unknown_rating_raises() -> None:
    with pytest.raises(ValueError, match="Rating tidak dikenal"):
        predikat("luar_biasa", SE)


def test_matrix_display_layout_as_printed() -> None:
    rows = scoring.matriks_baris()
    assert [r["hasil_kerja"] for r in rows] == [DA, SE, DB]
    assert [c["predikat"] for c in rows[2]["sel"]] == ["sangat_kurang", "butuh_perbaikan", "butuh_perbaikan"]
    assert [c["predikat"] for c in rows[0]["sel"]] == ["kurang_misconduct", "baik", "sangat_baik"]


@pytest.mark.django_db
def test_matrix_sql_case_agrees_with_python() -> None:
    values = ", ".join(f"('{hk}', '{pk}')" for hk in Rating.values for pk in Rating.values) + ", ('', '')"
    sql = f"SELECT e.hk, e.pk, {scoring.predikat_sql('e.hk', 'e.pk')} FROM (VALUES {values}) AS e(hk, pk)"  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall()
    for hk, pk, pred in rows:
        assert pred == (predikat(hk, pk) if hk else "")


# ---------------------------------------------------------------------------------------------- angka kredit


@pytest.mark.parametrize(
    ("jenjang", "koefisien"),
    [("ahli_utama", "50"), ("ahli_madya", "37.5"), ("ahli_muda", "25"), ("ahli_pertama", "12.5"),
     ("penyelia", "25"), ("mahir", "12.5"), ("terampil", "5"), ("pemula", "3.75")],
)  # fmt: skip
def test_angka_kredit_coefficients_per_jenjang(jenjang: str, koefisien: str) -> None:
    assert scoring.angka_kredit(jenjang=jenjang, predikat="baik") == Decimal(koefisien).quantize(
        Decimal("0.001")
    )


@pytest.mark.parametrize(
    ("pred", "persen"),
    [
        ("sangat_baik", 150),
        ("baik", 100),
        ("butuh_perbaikan", 75),
        ("kurang_misconduct", 50),
        ("sangat_kurang", 25),
    ],
)
def test_angka_kredit_percentages(pred: str, persen: int) -> None:
    assert scoring.angka_kredit(jenjang="ahli_muda", predikat=pred) == (Decimal(25) * persen / 100).quantize(
        Decimal("0.001")
    )


def test_angka_kredit_examples_and_proration() -> None:
    assert scoring.angka_kredit(jenjang="ahli_madya", predikat="baik") == Decimal(
        "37.500"
    )  # guru PAK example
    assert scoring.angka_kredit(jenjang="ahli_madya", predikat="sangat_baik") == Decimal("56.250")
    assert scoring.angka_kredit(jenjang="ahli_muda", predikat="sangat_baik", bulan=9) == Decimal("28.125")
    assert scoring.angka_kredit(jenjang="pemula", predikat="sangat_kurang", bulan=1) == Decimal("0.078")
    assert scoring.angka_kredit(jenjang="pemula", predikat="sangat_kurang", bulan=0) == Decimal("0.000")
    with pytest.raises(ValueError, match="Jenjang"):
        scoring.angka_kredit(jenjang="ahli_super", predikat="baik")


def test_bulan_penuh_counts_whole_months_of_the_union() -> None:
    d = dt.date
    assert scoring.bulan_penuh(tahun=2026, rentang=[(d(2026, 1, 1), d(2026, 12, 31))]) == 12
    # mutasi mid-March: the two stints together still cover March
    assert (
        scoring.bulan_penuh(
            tahun=2026, rentang=[(d(2026, 1, 1), d(2026, 3, 14)), (d(2026, 3, 15), d(2026, 9, 30))]
        )
        == 9
    )
    # a gap (15-20 March) loses March
    assert (
        scoring.bulan_penuh(
            tahun=2026, rentang=[(d(2026, 1, 1), d(2026, 3, 14)), (d(2026, 3, 21), d(2026, 6, 30))]
        )
        == 5
    )
    # started on the 2nd: January not whole
    assert scoring.bulan_penuh(tahun=2026, rentang=[(d(2026, 1, 2), d(2026, 2, 28))]) == 1


@pytest.mark.django_db
def test_angka_kredit_sql_months_agree_with_python() -> None:
    """The batch counts months with PostgreSQL multiranges; the pure function is the reference."""
    d = dt.date
    cases = [
        [(d(2026, 1, 1), d(2026, 12, 31))],
        [(d(2026, 1, 1), d(2026, 3, 14)), (d(2026, 3, 15), d(2026, 9, 30))],
        [(d(2026, 1, 1), d(2026, 3, 14)), (d(2026, 3, 21), d(2026, 6, 30))],
        [(d(2026, 1, 2), d(2026, 2, 28))],
        [(d(2024, 2, 1), d(2024, 2, 29))],
    ]
    for rentang in cases:
        tahun = rentang[0][0].year
        ranges = ", ".join(f"daterange('{a}', '{b}', '[]')" for a, b in rentang)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT count(*) FROM generate_series(1, 12) m(n) WHERE daterange(make_date({tahun}, m.n, 1), "  # noqa: S608
                f"(make_date({tahun}, m.n, 1) + interval '1 month')::date) <@ (SELECT range_agg(r) FROM unnest(ARRAY[{ranges}]) r)"
            )
            assert cur.fetchone()[0] == scoring.bulan_penuh(tahun=tahun, rentang=rentang), rentang


# ---------------------------------------------------------------------------------------------- follow-ups


def test_follow_up_rules() -> None:
    assert scoring.tindak_lanjut_untuk("sangat_baik", "sangat_baik") == "talent_pool"
    assert scoring.tindak_lanjut_untuk("sangat_baik", "baik") is None
    assert scoring.tindak_lanjut_untuk("baik", "baik") == "pengembangan_kompetensi"
    assert scoring.tindak_lanjut_untuk("baik", None) is None
    assert scoring.tindak_lanjut_untuk("kurang_misconduct", None) == "perbaikan_kinerja"
    assert scoring.tindak_lanjut_untuk("sangat_kurang", "sangat_kurang") == "perbaikan_kinerja"
    assert scoring.tindak_lanjut_untuk("butuh_perbaikan", "butuh_perbaikan") is None


# ---------------------------------------------------------------------------------------------- distribution


@pytest.fixture
def se3(db: Any) -> dict[str, Any]:
    from evaluasi.models import AturanDistribusi

    return AturanDistribusi.objects.get(kode="se3_2023", versi=1).definisi


@pytest.fixture
def pp30(db: Any) -> dict[str, Any]:
    from evaluasi.models import AturanDistribusi

    return AturanDistribusi.objects.get(kode="pp30_2019", versi=1).definisi


def kode(warnings: list[scoring.Peringatan]) -> set[str]:
    return {w.kode for w in warnings}


def test_seeded_rule_sets_are_valid(se3: dict[str, Any], pp30: dict[str, Any]) -> None:
    assert scoring.validasi_aturan(se3) == []
    assert scoring.validasi_aturan(pp30) == []
    assert set(se3["aturan"]) == set(PredikatOrganisasi.values)
    assert scoring.validasi_aturan(
        {"aturan": {"hebat": [{"jenis": "maks", "predikat": ["baik"], "persen": 120}]}}
    )


def test_se3_istimewa(se3: dict[str, Any]) -> None:
    ok = {"sangat_baik": 6, "baik": 3, "butuh_perbaikan": 1}
    assert cek_distribusi(definisi=se3, predikat_organisasi="istimewa", jumlah=ok) == []
    too_many = cek_distribusi(
        definisi=se3, predikat_organisasi="istimewa", jumlah={"sangat_baik": 8, "baik": 2}
    )
    assert kode(too_many) == {"maks:sangat_baik"}
    w = too_many[0]
    assert (w.batas, w.aktual) == (70.0, 80.0)
    assert kode(
        cek_distribusi(definisi=se3, predikat_organisasi="istimewa", jumlah={"sangat_baik": 2, "baik": 5})
    ) == {"terbanyak:sangat_baik"}


def test_se3_baik_needs_some_bp_or_km(se3: dict[str, Any]) -> None:
    assert (
        kode(
            cek_distribusi(
                definisi=se3,
                predikat_organisasi="baik",
                jumlah={"baik": 6, "sangat_baik": 2, "butuh_perbaikan": 1},
            )
        )
        == set()
    )
    assert kode(
        cek_distribusi(definisi=se3, predikat_organisasi="baik", jumlah={"baik": 6, "sangat_baik": 4})
    ) == {"ada:butuh_perbaikan+kurang_misconduct"}
    assert "maks:baik" in kode(
        cek_distribusi(definisi=se3, predikat_organisasi="baik", jumlah={"baik": 9, "kurang_misconduct": 1})
    )


def test_se3_butuh_perbaikan_kurang_sangat_kurang(se3: dict[str, Any]) -> None:
    assert (
        kode(
            cek_distribusi(
                definisi=se3,
                predikat_organisasi="butuh_perbaikan",
                jumlah={"butuh_perbaikan": 6, "baik": 3, "sangat_baik": 1},
            )
        )
        == set()
    )
    assert kode(cek_distribusi(definisi=se3, predikat_organisasi="butuh_perbaikan", jumlah={"butuh_perbaikan": 5, "baik": 3, "sangat_baik": 2})) == {
        "min:butuh_perbaikan", "maks:sangat_baik"
    }  # fmt: skip
    assert (
        kode(
            cek_distribusi(
                definisi=se3,
                predikat_organisasi="kurang",
                jumlah={"kurang_misconduct": 6, "butuh_perbaikan": 1, "baik": 3},
            )
        )
        == set()
    )
    assert kode(
        cek_distribusi(definisi=se3, predikat_organisasi="kurang", jumlah={"kurang_misconduct": 9, "baik": 1})
    ) == {"min:butuh_perbaikan"}
    assert (
        kode(
            cek_distribusi(
                definisi=se3,
                predikat_organisasi="sangat_kurang",
                jumlah={"sangat_kurang": 6, "kurang_misconduct": 1, "baik": 3},
            )
        )
        == set()
    )
    assert kode(
        cek_distribusi(
            definisi=se3,
            predikat_organisasi="sangat_kurang",
            jumlah={"sangat_kurang": 8, "butuh_perbaikan": 1, "sangat_baik": 1},
        )
    ) == {"tidak_ada:sangat_baik"}


def test_no_org_predikat_or_nobody_rated(se3: dict[str, Any], pp30: dict[str, Any]) -> None:
    assert kode(cek_distribusi(definisi=se3, predikat_organisasi=None, jumlah={"baik": 3})) == {
        "predikat_organisasi_kosong"
    }
    assert cek_distribusi(definisi=se3, predikat_organisasi="baik", jumlah={}) == []
    # PP30 applies to every unit whatever its org predikat
    assert (
        kode(
            cek_distribusi(
                definisi=pp30,
                predikat_organisasi=None,
                jumlah={"sangat_baik": 1, "baik": 7, "butuh_perbaikan": 2},
            )
        )
        == set()
    )
    assert kode(cek_distribusi(definisi=pp30, predikat_organisasi=None, jumlah={"sangat_baik": 3, "baik": 5, "sangat_kurang": 2})) == {
        "maks:sangat_baik", "min:baik"
    }  # fmt: skip


def test_guideline_bands_for_the_chart(se3: dict[str, Any]) -> None:
    bands = scoring.pita_pedoman(se3, "kurang")
    assert bands["kurang_misconduct"] == (60.0, 100.0)
    assert bands["butuh_perbaikan"] == (10.0, 100.0)
    assert bands["sangat_baik"] == (0.0, 10.0)
    assert scoring.pita_pedoman(se3, "sangat_kurang")["sangat_baik"] == (0.0, 0.0)
    assert scoring.syarat_teks(se3, "istimewa") == [
        "Sebagian besar pegawai Sangat Baik",
        "Sangat Baik paling banyak 70%",
    ]


def test_chart_geometry() -> None:
    from evaluasi.charts import grafik_distribusi

    g = grafik_distribusi(
        persen={"sangat_baik": 80.0, "baik": 20.0},
        jumlah={"sangat_baik": 8, "baik": 2},
        pita={"sangat_baik": (0.0, 70.0)},
    )
    cols = {k["predikat"]: k for k in g["kolom"]}
    assert [k["predikat"] for k in g["kolom"]] == list(reversed(Predikat.values))  # SK … SB like the document
    assert cols["sangat_baik"]["di_luar"]
    assert not cols["baik"]["di_luar"]
    assert cols["sangat_baik"]["bar_h"] == pytest.approx(0.8 * (g["dasar_y"] - g["grid"][-1]["y"]), abs=0.2)
