"""The rules of one daily log entry (domain.md "Daily log", api-contract.md §7), as pure functions:
no ORM, no clock. The services gather the facts (today, the SKP's period, the instansi's lock days, the
minutes already logged that day, whose RHK it is) and raise ``ApplicationError`` with what comes back.

Field errors are keyed by the API's field names so the 400 answer is ``{"errors": {field: [...]}}``.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

DURASI_MIN = 1
DURASI_MAX = 1440  # minutes in a day; also the cap of one pegawai's day
HARI_KUNCI_DEFAULT = 5


@dataclass(frozen=True)
class FaktaLog:
    """What the rules need to judge one entry."""

    tanggal: dt.date
    hari_ini: dt.date
    durasi_menit: int
    menit_lain_hari_itu: int  # minutes of the pegawai's OTHER entries that day
    rhk_milik_sendiri: bool
    skp_mulai: dt.date | None
    skp_selesai: dt.date | None
    hari_kunci: int = HARI_KUNCI_DEFAULT


def tanggal_kunci(tanggal: dt.date, hari_kunci: int = HARI_KUNCI_DEFAULT) -> dt.date:
    """The last day on which entries for ``tanggal`` may still be written: ``hari_kunci`` days after
    the end of its month (5 days by default: March's log closes on 5 April)."""
    akhir = dt.date(tanggal.year, tanggal.month, calendar.monthrange(tanggal.year, tanggal.month)[1])
    return akhir + dt.timedelta(days=hari_kunci)


def terkunci(tanggal: dt.date, *, hari_ini: dt.date, hari_kunci: int = HARI_KUNCI_DEFAULT) -> bool:
    return hari_ini > tanggal_kunci(tanggal, hari_kunci)


def periksa_durasi(durasi_menit: int, menit_lain_hari_itu: int) -> list[str]:
    """1..1440 minutes per entry and at most 1440 minutes a day over all of the pegawai's entries."""
    if durasi_menit < DURASI_MIN or durasi_menit > DURASI_MAX:
        return [_("Durasi harus antara %(min)d dan %(max)d menit.") % {"min": DURASI_MIN, "max": DURASI_MAX}]
    if menit_lain_hari_itu + durasi_menit > DURASI_MAX:
        sisa = max(DURASI_MAX - menit_lain_hari_itu, 0)
        return [
            _(
                "Total log pada tanggal ini menjadi %(total)d menit, lebih dari 1440 menit (24 jam). "
                "Sisa yang masih bisa dicatat: %(sisa)d menit."
            )
            % {"total": menit_lain_hari_itu + durasi_menit, "sisa": sisa}
        ]
    return []


def periksa_tanggal(
    tanggal: dt.date,
    *,
    hari_ini: dt.date,
    skp_mulai: dt.date | None,
    skp_selesai: dt.date | None,
    hari_kunci: int = HARI_KUNCI_DEFAULT,
) -> list[str]:
    """No future date; inside the SKP's period; not after the instansi's lock date."""
    if tanggal > hari_ini:
        return [_("Tanggal tidak boleh di masa depan.")]
    if skp_mulai is not None and tanggal < skp_mulai:
        return [_("Tanggal sebelum masa SKP (mulai %(mulai)s).") % {"mulai": f"{skp_mulai:%d-%m-%Y}"}]
    if skp_selesai is not None and tanggal > skp_selesai:
        return [_("Tanggal sesudah masa SKP (selesai %(selesai)s).") % {"selesai": f"{skp_selesai:%d-%m-%Y}"}]
    if terkunci(tanggal, hari_ini=hari_ini, hari_kunci=hari_kunci):
        return [
            _("Log bulan ini sudah dikunci sejak %(kunci)s.")
            % {"kunci": f"{tanggal_kunci(tanggal, hari_kunci) + dt.timedelta(days=1):%d-%m-%Y}"}
        ]
    return []


def periksa(f: FaktaLog) -> dict[str, list[str]]:
    """Every field error of one entry (empty dict: the entry may be written)."""
    errors: dict[str, list[str]] = {}
    if not f.rhk_milik_sendiri:
        errors["rhk"] = [_("Pilih hasil kerja (RHK) dari SKP Anda sendiri.")]
    msg = periksa_tanggal(
        f.tanggal,
        hari_ini=f.hari_ini,
        skp_mulai=f.skp_mulai,
        skp_selesai=f.skp_selesai,
        hari_kunci=f.hari_kunci,
    )
    if msg:
        errors["tanggal"] = msg
    msg = periksa_durasi(f.durasi_menit, f.menit_lain_hari_itu)
    if msg:
        errors["durasi_menit"] = msg
    return errors


def hari_kerja_terakhir(hari_ini: dt.date, n: int) -> list[dt.date]:
    """The ``n`` working days (Monday..Friday) before ``hari_ini``, oldest first. Public holidays are not
    known to the app; a reminder after a holiday may come one day early."""
    out: list[dt.date] = []
    d = hari_ini
    while len(out) < n:
        d -= dt.timedelta(days=1)
        if d.weekday() < 5:
            out.append(d)
    return sorted(out)
