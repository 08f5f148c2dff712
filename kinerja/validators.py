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


#: Minimum age at appointment (CPNS and PPPK applicants must be at least 18; domain.md §10 NIP/NI PPPK,
#: issue #17 "TMT CPNS at least 18 years after birth; NI PPPK appointment year after birth year (+18)").
USIA_MINIMAL_PENGANGKATAN = 18


def tmt_cpns_usia_cukup(lahir_tahun: int, lahir_bulan: int, tmt_tahun: int, tmt_bulan: int) -> bool:
    """TMT CPNS (year + month, digits 9-14) is at least 18 years after the birth year + month (digits 1-6).
    The NIP has no TMT day, so the comparison is by month: born 05/1990 -> TMT from 05/2008."""
    return (tmt_tahun, tmt_bulan) >= (lahir_tahun + USIA_MINIMAL_PENGANGKATAN, lahir_bulan)


def pppk_usia_cukup(lahir_tahun: int, angkat_tahun: int) -> bool:
    """NI PPPK: the appointment year (digits 9-12) is at least the birth year + 18 (no month in NI PPPK)."""
    return angkat_tahun >= lahir_tahun + USIA_MINIMAL_PENGANGKATAN


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
    lahir_valid = _valid_date(year, month, day)
    if status == "pppk":
        appointed = int(nip[8:12])
        if not (1950 <= appointed <= 2100):
            errors.append(_("Digit 9-12 bukan tahun pengangkatan PPPK yang valid."))
        elif lahir_valid and not pppk_usia_cukup(year, appointed):
            errors.append(
                _("Tahun pengangkatan PPPK (digit 9-12) paling cepat %(min)d (tahun lahir + %(usia)d).")
                % {"min": year + USIA_MINIMAL_PENGANGKATAN, "usia": USIA_MINIMAL_PENGANGKATAN}
            )
    else:
        tmt_year, tmt_month = int(nip[8:12]), int(nip[12:14])
        if not (1950 <= tmt_year <= 2100) or not (1 <= tmt_month <= 12):
            errors.append(_("Digit 9-14 bukan TMT CPNS (tahun dan bulan) yang valid."))
        elif lahir_valid and not tmt_cpns_usia_cukup(year, month, tmt_year, tmt_month):
            errors.append(
                _("TMT CPNS (digit 9-14) paling cepat %(bulan)02d/%(tahun)d (%(usia)d tahun setelah lahir).")
                % {
                    "bulan": month,
                    "tahun": year + USIA_MINIMAL_PENGANGKATAN,
                    "usia": USIA_MINIMAL_PENGANGKATAN,
                }
            )
    if nip[14] not in "12":
        errors.append(_("Digit 15 (jenis kelamin) harus 1 atau 2."))
    if nip[15:18] == "000":
        errors.append(_("Nomor urut (digit 16-18) tidak boleh 000."))
    return errors


def format_nip(nip: str, status: str | None = None) -> str:
    """Display grouping by the pegawai's status (domain.md §10).

    PNS/CPNS (or unknown status): ``198609262015051001`` -> ``19860926 201505 1 001`` (birth, TMT CPNS
    year-month, gender, sequence). PPPK: ``199001012023212001`` -> ``19900101 2023 21 2 001`` (birth,
    appointment year, the 2-digit perjanjian kerja count, gender, sequence): digits 13-14 are not a month.
    """
    if len(nip) != 18:
        return nip
    if status == "pppk":
        return f"{nip[:8]} {nip[8:12]} {nip[12:14]} {nip[14]} {nip[15:]}"
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def mask_nip(nip: str) -> str:
    """Partly masked NIP for public pages: keep the birth year and the last 3 digits."""
    if len(nip) < 8:
        return "*" * len(nip)
    return nip[:4] + "*" * (len(nip) - 7) + nip[-3:]
