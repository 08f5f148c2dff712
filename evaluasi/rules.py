"""Seed data: the distribution-guideline rule sets of domain §7, version 1 of each.

The numbers are [VERIFY] in domain.md, so at run time they are *data*: rows of
``evaluasi.AturanDistribusi`` read by ``evaluasi.selectors.aturan_distribusi_for`` and evaluated by the
pure ``evaluasi.scoring.cek_distribusi``. This module only seeds version 1 (migration 0002, the
``evaluasi_seed_aturan`` command); a correction is a new ``versi`` row made by a platform admin.

- ``pmk6_2022`` v1 (default since issue #17): faithful to the source (PMK6 p.94 curves "pada umumnya ...,
  namun memungkinkan ..."; seed 002: every other predikat is possible in every unit predikat). It warns
  only (a) when the unit's most frequent predikat is not the one its org predikat leads to (domain §7.1
  "sebagian besar"; ``scoring.PREDIKAT_ARAH_ORGANISASI``) and (b) when pegawai were rated before the unit's
  org predikat was set (domain.md Product decisions, "Distribution guideline, default wording"). So a
  Sangat Baik pegawai in a Sangat Kurang unit is not flagged.
- ``se3_2023`` v1 (optional, stricter): SE MenPANRB 3/2023 table of domain §7.1 with its minimum and
  maximum shares (single secondary source). Was the default before issue #17.
- ``pp30_2019`` v1 (optional, stricter): PP 30/2019 pemeringkatan 20 / 60-70 / 20 (domain §7.2),
  mapped to PMK6 predikat: di atas ekspektasi = Sangat Baik; sesuai = Baik; di bawah = the other three.

Existing instansi (migration ``0010_aturan3_distribusi_bawaan``): an instansi that chose a rule set keeps
it; one that never chose (``PengaturanEvaluasi.aturan_distribusi`` null) follows the default, so it moves
to ``pmk6_2022`` — the product decision replaced the default wording for everyone who had not opted in.
"""

from typing import Any

SB, B, BP, KM, SK = "sangat_baik", "baik", "butuh_perbaikan", "kurang_misconduct", "sangat_kurang"

SE3_2023_V1: dict[str, Any] = {
    "aturan": {
        "istimewa": [
            {"jenis": "terbanyak", "predikat": [SB]},
            {"jenis": "maks", "predikat": [SB], "persen": 70},
        ],
        "baik": [
            {"jenis": "terbanyak", "predikat": [B]},
            {"jenis": "maks", "predikat": [B], "persen": 70},
            {"jenis": "ada", "predikat": [BP, KM]},
        ],
        "butuh_perbaikan": [
            {"jenis": "min", "predikat": [BP], "persen": 60},
            {"jenis": "maks", "predikat": [SB], "persen": 10},
        ],
        "kurang": [
            {"jenis": "min", "predikat": [KM], "persen": 60},
            {"jenis": "min", "predikat": [BP], "persen": 10},
            {"jenis": "maks", "predikat": [SB], "persen": 10},
        ],
        "sangat_kurang": [
            {"jenis": "min", "predikat": [SK], "persen": 60},
            {"jenis": "min", "predikat": [KM, BP], "persen": 10},
            {"jenis": "tidak_ada", "predikat": [SB]},
        ],
    }
}

#: domain §7.1 "sebagian besar" per org predikat (the curve's peak) + "rated before the unit predikat".
PMK6_2022_V1: dict[str, Any] = {
    "aturan": {
        org: [
            {"jenis": "terbanyak", "predikat": [pegawai]},
            {"jenis": "dinilai_sebelum_predikat_organisasi"},
        ]
        for org, pegawai in (
            ("istimewa", SB),
            ("baik", B),
            ("butuh_perbaikan", BP),
            ("kurang", KM),
            ("sangat_kurang", SK),
        )
    }
}

PP30_2019_V1: dict[str, Any] = {
    "aturan": {
        "*": [
            {"jenis": "maks", "predikat": [SB], "persen": 20},
            {"jenis": "min", "predikat": [B], "persen": 60},
            {"jenis": "maks", "predikat": [B], "persen": 70},
            {"jenis": "maks", "predikat": [BP, KM, SK], "persen": 20},
        ]
    }
}

SEED: list[dict[str, Any]] = [
    {
        "kode": "pmk6_2022",
        "versi": 1,
        "nama": "PermenPANRB 6/2022 (predikat terbanyak mengikuti predikat organisasi)",
        "sumber": (
            "PermenPANRB No. 6/2022 hlm. 94 (kurva 'pada umumnya ..., namun memungkinkan ...'); domain.md §7.1 "
            "'sebagian besar' dan Keputusan produk 'Distribution guideline, default wording'"
        ),
        "definisi": PMK6_2022_V1,
        "bawaan": True,
    },
    {
        "kode": "se3_2023",
        "versi": 1,
        "nama": "SE MenPANRB 3/2023 (pedoman distribusi menurut predikat organisasi)",
        "sumber": "Surat Edaran MenPANRB No. 3/2023 via salinan sekunder (domain.md §7.1) [VERIFY]",
        "definisi": SE3_2023_V1,
        "bawaan": False,
    },
    {
        "kode": "pp30_2019",
        "versi": 1,
        "nama": "PP 30/2019 pemeringkatan 20/60-70/20 (kebijakan opsional)",
        "sumber": "PP No. 30/2019, pemeringkatan per unit kerja (domain.md §7.2) [VERIFY]",
        "definisi": PP30_2019_V1,
        "bawaan": False,
    },
]


def aturan_seed(model: Any) -> int:
    """Create the version-1 rule sets if missing (never touches existing rows). Returns rows created.
    ``model`` is ``AturanDistribusi`` (or the historical model inside a migration)."""
    created = 0
    for row in SEED:
        _, made = model.objects.get_or_create(
            kode=row["kode"],
            versi=row["versi"],
            defaults={k: v for k, v in row.items() if k not in ("kode", "versi")},
        )
        created += int(made)
    return created


def aturan_bawaan_pmk6(model: Any) -> None:
    """Make ``pmk6_2022`` v1 the one default (migration 0010_aturan3_distribusi_bawaan). Instansi choices
    (``PengaturanEvaluasi``) are not touched: see the module docstring."""
    aturan_seed(model)
    model.objects.exclude(kode="pmk6_2022", versi=1).filter(bawaan=True).update(bawaan=False)
    model.objects.filter(kode="pmk6_2022", versi=1).update(bawaan=True, aktif=True)
