"""Pure date rules of the evaluation calendar (issue #17): the annual window and the keberatan deadline.

No ORM, no I/O: each rule is a function of its arguments (the instansi's settings are read by
``evaluasi.selectors.jendela_tahunan_for`` and passed in), tested case by case in
``tests/evaluasi/test_aturan_jendela.py``.

Sources:
- Annual window: PP 30/2019 (S001) places the annual evaluation at the end of the year (December) and its
  result in January of the next year; domain.md "Product decisions", row "Annual window": ratings open on
  1 December and close on 31 January of the next year, per instansi, configurable.
- Keberatan on periodic results: domain.md "Product decisions", row "Keberatan on periodic results": a
  periodic result is delivered (and the ``keberatan_hari`` days start) when the Pejabat Penilai rates it;
  an annual result is delivered when the year-end batch finalises it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

#: domain.md "Product decisions" / "Annual window": 1 December .. 31 January of the next year.
BUKA_BAWAAN: tuple[int, int] = (12, 1)  # (bulan, tanggal)
TUTUP_BAWAAN: tuple[int, int] = (1, 31)


class StatusJendela(StrEnum):
    BELUM = "belum"  # before the window opens
    BUKA = "buka"  # inside the window (both ends included)
    TUTUP = "tutup"  # after the window closed


def _tanggal(tahun: int, bulan: int, hari: int) -> dt.date:
    """The date, with a day past the month's end clamped to its last day (29 February in a common year)."""
    return dt.date(tahun, bulan, min(hari, calendar.monthrange(tahun, bulan)[1]))


def validasi_bulan_hari(bulan: int, hari: int) -> bool:
    """A (month, day) an instansi may configure: a real calendar day (29 February allowed: clamped)."""
    return 1 <= bulan <= 12 and 1 <= hari <= calendar.monthrange(2024, bulan)[1]


@dataclass(frozen=True)
class JendelaTahunan:
    """The annual rating window of one evaluation year: ``buka`` .. ``tutup``, both days included."""

    tahun: int
    buka: dt.date
    tutup: dt.date

    def status(self, tanggal: dt.date) -> StatusJendela:
        if tanggal < self.buka:
            return StatusJendela.BELUM
        if tanggal > self.tutup:
            return StatusJendela.TUTUP
        return StatusJendela.BUKA

    def is_open(self, tanggal: dt.date) -> bool:
        return self.status(tanggal) == StatusJendela.BUKA


def jendela_tahunan(
    tahun: int, buka: tuple[int, int] = BUKA_BAWAAN, tutup: tuple[int, int] = TUTUP_BAWAAN
) -> JendelaTahunan:
    """The window for evaluation year ``tahun``. ``buka`` is in ``tahun``; ``tutup`` is in ``tahun`` when it
    falls on or after ``buka`` in the calendar, else in ``tahun + 1`` (the default 1 Dec .. 31 Jan wraps)."""
    mulai = _tanggal(tahun, *buka)
    akhir = _tanggal(tahun, *tutup)
    if akhir < mulai:
        akhir = _tanggal(tahun + 1, *tutup)
    return JendelaTahunan(tahun=tahun, buka=mulai, tutup=akhir)


@dataclass(frozen=True)
class KeputusanBatch:
    """Whether a year-end batch run may start, and whether it needs ``paksa`` + ``alasan``."""

    boleh: bool
    perlu_paksa: bool


def batch_boleh(*, jendela: JendelaTahunan, tanggal: dt.date, dry_run: bool, paksa: bool) -> KeputusanBatch:
    """domain.md "Annual window": the batch refuses to finalise before the window opens unless forced (with
    a reason, checked by the service). A dry run writes nothing, so it is always allowed. Inside the window
    and after it closed a real run is allowed: the batch is the closing act of the year (our decision;
    late ratings are refused by the window, so the batch after the close only finalises what was rated)."""
    if dry_run or jendela.status(tanggal) != StatusJendela.BELUM:
        return KeputusanBatch(boleh=True, perlu_paksa=False)
    return KeputusanBatch(boleh=paksa, perlu_paksa=True)


def keberatan_batas(*, diterima: dt.date | None, hari: int) -> dt.date | None:
    """Last calendar day a keberatan may be filed: the delivery date + ``hari`` (the instansi's
    ``keberatan_hari``, 14 by default); None while the result has not been delivered."""
    if diterima is None:
        return None
    return diterima + dt.timedelta(days=hari)
