"""Property-based tests (Hypothesis) of the pure rules: the predikat matrix, the distribution check
and the NIP validator. No database."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from kinerja.validators import format_nip, mask_nip, nip_errors

scoring = pytest.importorskip("evaluasi.scoring", reason="evaluasi.scoring is not there yet")

FAST = settings(max_examples=200, deadline=None)

RATINGS = st.sampled_from(scoring.RATING_ORDER)
PREDIKAT = scoring.PREDIKAT_ORDER  # best -> worst
RANK = {r: i for i, r in enumerate(reversed(scoring.RATING_ORDER))}  # di bawah 0 .. di atas 2


def _worse_or_equal(a: str, b: str) -> bool:
    """Predikat ``a`` is no better than ``b``."""
    return PREDIKAT.index(a) >= PREDIKAT.index(b)


# ---------------------------------------------------------------------------------------------- §6.4 matrix


@FAST
@given(hasil=RATINGS, perilaku=RATINGS)
def test_matrix_is_total_and_lands_in_the_five_predikat(hasil: str, perilaku: str) -> None:
    assert scoring.predikat(hasil, perilaku) in PREDIKAT


@FAST
@given(h1=RATINGS, p1=RATINGS, h2=RATINGS, p2=RATINGS)
def test_matrix_is_monotone_in_both_ratings(h1: str, p1: str, h2: str, p2: str) -> None:
    # a better (or equal) rating on both axes never gives a worse predikat
    assume(RANK[h1] <= RANK[h2] and RANK[p1] <= RANK[p2])
    assert _worse_or_equal(scoring.predikat(h1, p1), scoring.predikat(h2, p2))


@FAST
@given(hasil=RATINGS, perilaku=RATINGS)
def test_matrix_extremes(hasil: str, perilaku: str) -> None:
    p = scoring.predikat(hasil, perilaku)
    top, bottom = scoring.RATING_ORDER[0], scoring.RATING_ORDER[-1]
    assert (p == "sangat_baik") == (hasil == top and perilaku == top)
    assert (p == "sangat_kurang") == (hasil == bottom and perilaku == bottom)
    # perilaku di bawah ekspektasi is never rescued by hasil kerja
    if perilaku == bottom:
        assert p in ("kurang_misconduct", "sangat_kurang")


@FAST
@given(hasil=st.text(max_size=30), perilaku=st.text(max_size=30))
def test_matrix_rejects_unknown_ratings_with_value_error_only(hasil: str, perilaku: str) -> None:
    assume(hasil not in scoring.RATING_ORDER or perilaku not in scoring.RATING_ORDER)
    with pytest.raises(ValueError, match="Rating tidak dikenal"):
        scoring.predikat(hasil, perilaku)


# ---------------------------------------------------------------------------------------------- distribution


def _condition() -> st.SearchStrategy[dict[str, Any]]:
    preds = st.lists(st.sampled_from(PREDIKAT), min_size=1, max_size=3, unique=True)
    with_persen = st.fixed_dictionaries(
        {"jenis": st.sampled_from(["maks", "min"]), "predikat": preds, "persen": st.integers(0, 100)}
    )
    without = st.fixed_dictionaries(
        {"jenis": st.sampled_from(["ada", "tidak_ada", "terbanyak"]), "predikat": preds}
    )
    return st.one_of(with_persen, without)


KEYS = st.sampled_from([*scoring.PREDIKAT_ORGANISASI_ORDER, scoring.SEMUA])
DEFINISI = st.builds(
    lambda aturan: {"aturan": aturan},
    st.dictionaries(KEYS, st.lists(_condition(), min_size=1, max_size=4), min_size=1, max_size=3),
)
JUMLAH = st.dictionaries(st.sampled_from(PREDIKAT), st.integers(0, 10_000), max_size=5)
ORG = st.one_of(st.none(), st.sampled_from(scoring.PREDIKAT_ORGANISASI_ORDER))


def _seeded() -> list[dict[str, Any]]:
    rules = pytest.importorskip("evaluasi.rules")
    return [s["definisi"] for s in rules.SEED]


@FAST
@given(definisi=DEFINISI, org=ORG, jumlah=JUMLAH)
def test_generated_rule_sets_are_valid_and_the_check_never_raises(
    definisi: dict[str, Any], org: str | None, jumlah: dict[str, int]
) -> None:
    assert scoring.validasi_aturan(definisi) == []
    warnings = scoring.cek_distribusi(definisi=definisi, predikat_organisasi=org, jumlah=jumlah)
    syarat = scoring.syarat_untuk(definisi, org)
    if syarat is None:
        assert [w.kode for w in warnings] == ["predikat_organisasi_kosong"]
        return
    allowed = {f"{s['jenis']}:{'+'.join(s['predikat'])}" for s in syarat}
    assert {w.kode for w in warnings} <= allowed  # warnings only for the conditions that apply
    if sum(jumlah.values()) == 0:
        assert warnings == []  # nobody rated yet: nothing to compare


@FAST
@given(definisi=DEFINISI, org=ORG, jumlah=JUMLAH, k=st.integers(2, 50))
def test_check_depends_on_proportions_only(
    definisi: dict[str, Any], org: str | None, jumlah: dict[str, int], k: int
) -> None:
    scaled = {p: n * k for p, n in jumlah.items()}
    kodes = [
        w.kode for w in scoring.cek_distribusi(definisi=definisi, predikat_organisasi=org, jumlah=jumlah)
    ]
    assert kodes == [
        w.kode for w in scoring.cek_distribusi(definisi=definisi, predikat_organisasi=org, jumlah=scaled)
    ]


@FAST
@given(org=ORG, jumlah=JUMLAH, noise=st.dictionaries(st.text(min_size=1, max_size=8), st.integers(0, 99)))
def test_seeded_rule_sets_ignore_unknown_keys_and_never_raise(
    org: str | None, jumlah: dict[str, int], noise: dict[str, int]
) -> None:
    assume(not set(noise) & set(PREDIKAT))
    for definisi in _seeded():
        assert scoring.validasi_aturan(definisi) == []
        plain = scoring.cek_distribusi(definisi=definisi, predikat_organisasi=org, jumlah=jumlah)
        noisy = scoring.cek_distribusi(definisi=definisi, predikat_organisasi=org, jumlah={**jumlah, **noise})
        assert [w.kode for w in plain] == [w.kode for w in noisy]


@FAST
@given(preds=st.lists(st.sampled_from(PREDIKAT), min_size=1, max_size=2, unique=True), persen=st.integers(0, 100),
       jenis=st.sampled_from(["maks", "min"]), jumlah=JUMLAH)  # fmt: skip
def test_a_single_limit_warns_exactly_when_crossed(
    preds: list[str], persen: int, jenis: str, jumlah: dict[str, int]
) -> None:
    definisi = {"aturan": {scoring.SEMUA: [{"jenis": jenis, "predikat": preds, "persen": persen}]}}
    total = sum(jumlah.values())
    assume(total > 0)
    pct = round(sum(jumlah.get(p, 0) for p in preds) * 100.0 / total, 1)
    crossed = pct > persen if jenis == "maks" else pct < persen
    warnings = scoring.cek_distribusi(definisi=definisi, predikat_organisasi=None, jumlah=jumlah)
    assert bool(warnings) == crossed
    if warnings:
        assert warnings[0].aktual == pct
        assert warnings[0].batas == persen


# ---------------------------------------------------------------------------------------------- NIP


@st.composite
def valid_nip(draw: Any) -> tuple[str, str]:
    """A NIP that satisfies domain.md §10 for its status."""
    status = draw(st.sampled_from(["pns", "cpns", "pppk"]))
    this_year = timezone.localdate().year
    lahir = draw(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(this_year - 18, 12, 31)))
    if status == "pppk":  # appointment year >= birth year + 18
        tengah = f"{draw(st.integers(max(1950, lahir.year + 18), 2100)):04d}{draw(st.integers(0, 99)):02d}"
    else:  # TMT CPNS (year, month) >= (birth year + 18, birth month)
        tmt = draw(st.integers(max(1950, lahir.year + 18), min(2100, lahir.year + 60)))
        bulan_min = lahir.month if tmt == lahir.year + 18 else 1
        tengah = f"{tmt:04d}{draw(st.integers(bulan_min, 12)):02d}"
    gender = draw(st.sampled_from("12"))
    urut = draw(st.integers(1, 999))
    return f"{lahir:%Y%m%d}{tengah}{gender}{urut:03d}", status


@FAST
@given(nip=st.text(max_size=40), status=st.text(max_size=8))
@example(nip="²" * 18, status="pns")  # a Unicode digit that int() cannot read
@example(nip="١٩٨٦٠٩٢٦٢٠١٥٠٥١٠٠١", status="pns")  # Arabic-Indic digits
def test_nip_errors_never_raises(nip: str, status: str) -> None:
    errors = nip_errors(nip, status)
    assert isinstance(errors, list)
    assert all(isinstance(e, str) and e for e in errors)
    format_nip(nip)
    mask_nip(nip)


@FAST
@given(case=valid_nip())
def test_valid_nips_are_accepted(case: tuple[str, str]) -> None:
    nip, status = case
    assert nip_errors(nip, status) == [], nip


@FAST
@given(case=valid_nip(), data=st.data())
def test_any_non_digit_is_rejected(case: tuple[str, str], data: Any) -> None:
    nip, status = case
    i = data.draw(st.integers(0, len(nip) - 1))
    bad = data.draw(st.characters(blacklist_characters="0123456789"))
    assert nip_errors(nip[:i] + bad + nip[i + 1 :], status) != []


@FAST
@given(case=valid_nip(), data=st.data())
def test_any_length_change_is_rejected(case: tuple[str, str], data: Any) -> None:
    nip, status = case
    i = data.draw(st.integers(0, len(nip)))
    if data.draw(st.booleans()):
        changed = nip[:i] + data.draw(st.sampled_from("0123456789")) + nip[i:]
    else:
        i = min(i, len(nip) - 1)
        changed = nip[:i] + nip[i + 1 :]
    assert nip_errors(changed, status) != []
