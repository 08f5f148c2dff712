"""The pure rules of one daily log entry (dialog.log_harian_rules), case by case."""

import datetime as dt

import pytest

from dialog import log_harian_rules as r

HARI_INI = dt.date(2026, 5, 15)
SKP = {"skp_mulai": dt.date(2026, 1, 1), "skp_selesai": dt.date(2026, 12, 31)}


def fakta(**kw: object) -> r.FaktaLog:
    base: dict[str, object] = {
        "tanggal": dt.date(2026, 5, 14),
        "hari_ini": HARI_INI,
        "durasi_menit": 60,
        "menit_lain_hari_itu": 0,
        "rhk_milik_sendiri": True,
        **SKP,
    }
    base.update(kw)
    return r.FaktaLog(**base)  # type: ignore[arg-type]


def test_valid_entry_has_no_error() -> None:
    assert r.periksa(fakta()) == {}


def test_today_is_allowed_tomorrow_is_future() -> None:
    assert r.periksa(fakta(tanggal=HARI_INI)) == {}
    errors = r.periksa(fakta(tanggal=HARI_INI + dt.timedelta(days=1)))
    assert list(errors) == ["tanggal"]
    assert "masa depan" in errors["tanggal"][0]


def test_before_and_after_the_skp_period() -> None:
    before = r.periksa(fakta(skp_mulai=dt.date(2026, 5, 15), tanggal=dt.date(2026, 5, 14)))
    assert "sebelum masa SKP" in before["tanggal"][0]
    after = r.periksa(fakta(skp_selesai=dt.date(2026, 5, 10), tanggal=dt.date(2026, 5, 11)))
    assert "sesudah masa SKP" in after["tanggal"][0]


@pytest.mark.parametrize(
    ("tanggal", "hari_ini", "hari_kunci", "locked"),
    [
        (dt.date(2026, 4, 30), dt.date(2026, 5, 5), 5, False),  # last day still open
        (dt.date(2026, 4, 1), dt.date(2026, 5, 6), 5, True),  # closed from the 6th
        (dt.date(2026, 4, 30), dt.date(2026, 5, 6), 10, False),  # a longer instansi setting
        (dt.date(2026, 2, 10), dt.date(2026, 3, 1), 0, True),  # 0 days: closes with the month
        (dt.date(2026, 12, 31), dt.date(2027, 1, 5), 5, False),  # across the year
    ],
)
def test_lock_date(tanggal: dt.date, hari_ini: dt.date, hari_kunci: int, locked: bool) -> None:
    assert r.terkunci(tanggal, hari_ini=hari_ini, hari_kunci=hari_kunci) is locked
    errors = r.periksa(fakta(tanggal=tanggal, hari_ini=hari_ini, hari_kunci=hari_kunci, skp_selesai=None))
    assert ("tanggal" in errors) is locked


def test_tanggal_kunci_is_five_days_after_month_end_by_default() -> None:
    assert r.tanggal_kunci(dt.date(2026, 2, 3)) == dt.date(2026, 3, 5)


@pytest.mark.parametrize("durasi", [0, -5, 1441, 5000])
def test_duration_outside_1_1440(durasi: int) -> None:
    assert "antara 1 dan 1440" in r.periksa(fakta(durasi_menit=durasi))["durasi_menit"][0]


@pytest.mark.parametrize("durasi", [1, 1440])
def test_duration_bounds_are_allowed(durasi: int) -> None:
    assert r.periksa(fakta(durasi_menit=durasi)) == {}


def test_day_total_over_1440() -> None:
    assert r.periksa(fakta(durasi_menit=240, menit_lain_hari_itu=1200)) == {}
    errors = r.periksa(fakta(durasi_menit=241, menit_lain_hari_itu=1200))
    assert "1441 menit" in errors["durasi_menit"][0]
    assert "Sisa yang masih bisa dicatat: 240" in errors["durasi_menit"][0]


def test_someone_elses_rhk() -> None:
    errors = r.periksa(fakta(rhk_milik_sendiri=False))
    assert list(errors) == ["rhk"]


def test_all_errors_at_once() -> None:
    errors = r.periksa(fakta(rhk_milik_sendiri=False, tanggal=dt.date(2027, 1, 1), durasi_menit=0))
    assert set(errors) == {"rhk", "tanggal", "durasi_menit"}


def test_working_days_skip_the_weekend() -> None:
    monday = dt.date(2026, 5, 18)
    assert r.hari_kerja_terakhir(monday, 3) == [
        dt.date(2026, 5, 13),
        dt.date(2026, 5, 14),
        dt.date(2026, 5, 15),
    ]
