"""NIP (PNS, BKN Perka 22/2007) and NI PPPK validation (domain.md §10)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def nip_errors(nip: str, status: str) -> list[str]:
    """Return the reasons ``nip`` is invalid for ``status`` (pns/cpns/pppk); empty when valid.

    PNS/CPNS: YYYYMMDD birth + YYYYMM TMT CPNS + gender (1/2) + 3-digit sequence.
    PPPK: YYYYMMDD birth + YYYY appointment year + 2 digits (not a month) + gender + sequence.
    """
    nip = nip.strip()
    if not (nip.isascii() and nip.isdigit()):  # superscript or Arabic-Indic digits pass isdigit()
        return [_("NIP hanya boleh berisi angka.")]
    if len(nip) != 18:
        return [_("NIP harus 18 digit (tertulis %(n)d digit).") % {"n": len(nip)}]
    errors: list[str] = []
    year, month, day = int(nip[0:4]), int(nip[4:6]), int(nip[6:8])
    if not (1900 <= year <= timezone.localdate().year - 15) or not _valid_date(year, month, day):
        errors.append(_("Digit 1-8 bukan tanggal lahir yang valid."))
    if status == "pppk":
        appointed = int(nip[8:12])
        if not (1950 <= appointed <= 2100):
            errors.append(_("Digit 9-12 bukan tahun pengangkatan PPPK yang valid."))
    else:
        tmt_year, tmt_month = int(nip[8:12]), int(nip[12:14])
        if not (1950 <= tmt_year <= 2100) or not (1 <= tmt_month <= 12):
            errors.append(_("Digit 9-14 bukan TMT CPNS (tahun dan bulan) yang valid."))
        elif _valid_date(year, month, day) and tmt_year < year + 15:
            errors.append(_("TMT CPNS (digit 9-12) terlalu dekat dengan tahun lahir."))
    if nip[14] not in "12":
        errors.append(_("Digit 15 (jenis kelamin) harus 1 atau 2."))
    if nip[15:18] == "000":
        errors.append(_("Nomor urut (digit 16-18) tidak boleh 000."))
    return errors


def format_nip(nip: str) -> str:
    """``198609262015051001`` -> ``19860926 201505 1 001`` (PNS display format)."""
    if len(nip) != 18:
        return nip
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def mask_nip(nip: str) -> str:
    """Partly masked NIP for public pages: keep the birth year and the last 3 digits."""
    if len(nip) < 8:
        return "*" * len(nip)
    return nip[:4] + "*" * (len(nip) - 7) + nip[-3:]
