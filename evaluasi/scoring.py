"""Pure scoring rules of PermenPANRB 6/2022: enums, the predikat matrix, angka kredit, distribution check.

No ORM, no I/O: everything here is a function of its arguments and is exhaustively unit-tested.
Numbers marked [VERIFY] in domain.md (the SE 3/2023 and PP 30/2019 distribution guidelines) are
*not* here: they are rule sets stored in the database (``evaluasi.AturanDistribusi``) and passed in.
The batch builds its SQL ``CASE`` expressions from the tables below, so SQL and Python can't drift.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------------------------- enums


class Rating(models.TextChoices):
    """Rating hasil kerja / perilaku kerja (domain §6.3)."""

    DI_ATAS_EKSPEKTASI = "di_atas_ekspektasi", _("Di Atas Ekspektasi")
    SESUAI_EKSPEKTASI = "sesuai_ekspektasi", _("Sesuai Ekspektasi")
    DI_BAWAH_EKSPEKTASI = "di_bawah_ekspektasi", _("Di Bawah Ekspektasi")


class Predikat(models.TextChoices):
    """Predikat kinerja pegawai, best to worst (domain §6.5)."""

    SANGAT_BAIK = "sangat_baik", _("Sangat Baik")
    BAIK = "baik", _("Baik")
    BUTUH_PERBAIKAN = "butuh_perbaikan", _("Butuh Perbaikan")
    KURANG_MISCONDUCT = "kurang_misconduct", _("Kurang/Misconduct")
    SANGAT_KURANG = "sangat_kurang", _("Sangat Kurang")


class PredikatOrganisasi(models.TextChoices):
    """Capaian/predikat kinerja organisasi of a unit (domain §6.2, §7.1)."""

    ISTIMEWA = "istimewa", _("Istimewa")
    BAIK = "baik", _("Baik")
    BUTUH_PERBAIKAN = "butuh_perbaikan", _("Butuh Perbaikan")
    KURANG = "kurang", _("Kurang")
    SANGAT_KURANG = "sangat_kurang", _("Sangat Kurang")


RATING_ORDER: tuple[str, ...] = tuple(Rating.values)
PREDIKAT_ORDER: tuple[str, ...] = tuple(Predikat.values)  # best → worst
PREDIKAT_ORGANISASI_ORDER: tuple[str, ...] = tuple(PredikatOrganisasi.values)

# ---------------------------------------------------------------------------------------------- §6.4 matrix

R, P = Rating, Predikat
#: (rating hasil kerja, rating perilaku kerja) → predikat. Domain §6.4 exactly; bottom-left = Sangat Kurang.
MATRIKS_PREDIKAT: dict[tuple[str, str], str] = {
    (R.DI_ATAS_EKSPEKTASI, R.DI_BAWAH_EKSPEKTASI): P.KURANG_MISCONDUCT,
    (R.DI_ATAS_EKSPEKTASI, R.SESUAI_EKSPEKTASI): P.BAIK,
    (R.DI_ATAS_EKSPEKTASI, R.DI_ATAS_EKSPEKTASI): P.SANGAT_BAIK,
    (R.SESUAI_EKSPEKTASI, R.DI_BAWAH_EKSPEKTASI): P.KURANG_MISCONDUCT,
    (R.SESUAI_EKSPEKTASI, R.SESUAI_EKSPEKTASI): P.BAIK,
    (R.SESUAI_EKSPEKTASI, R.DI_ATAS_EKSPEKTASI): P.BAIK,
    (R.DI_BAWAH_EKSPEKTASI, R.DI_BAWAH_EKSPEKTASI): P.SANGAT_KURANG,
    (R.DI_BAWAH_EKSPEKTASI, R.SESUAI_EKSPEKTASI): P.BUTUH_PERBAIKAN,
    (R.DI_BAWAH_EKSPEKTASI, R.DI_ATAS_EKSPEKTASI): P.BUTUH_PERBAIKAN,
}


def predikat(rating_hasil_kerja: str, rating_perilaku_kerja: str) -> str:
    """The predikat for a pair of ratings (domain §6.4). Raises ``ValueError`` for unknown ratings."""
    try:
        return str(MATRIKS_PREDIKAT[(rating_hasil_kerja, rating_perilaku_kerja)])
    except KeyError:
        raise ValueError(f"Rating tidak dikenal: {rating_hasil_kerja!r}, {rating_perilaku_kerja!r}") from None


def matriks_baris() -> list[dict[str, Any]]:
    """The matrix as rows for display: hasil kerja rows top (di atas) to bottom (di bawah), perilaku
    columns left (di bawah) to right (di atas), exactly as printed in the regulation."""
    kolom = [R.DI_BAWAH_EKSPEKTASI, R.SESUAI_EKSPEKTASI, R.DI_ATAS_EKSPEKTASI]
    return [
        {"hasil_kerja": hk, "sel": [{"perilaku": pk, "predikat": MATRIKS_PREDIKAT[(hk, pk)]} for pk in kolom]}
        for hk in (R.DI_ATAS_EKSPEKTASI, R.SESUAI_EKSPEKTASI, R.DI_BAWAH_EKSPEKTASI)
    ]


def predikat_sql(hasil: str, perilaku: str) -> str:
    """The matrix as an SQL ``CASE`` over two column expressions ('' when a rating is missing).
    Only enum literals from the table above are interpolated (no user input)."""
    whens = " ".join(
        f"WHEN {hasil} = '{hk}' AND {perilaku} = '{pk}' THEN '{pred}'"
        for (hk, pk), pred in MATRIKS_PREDIKAT.items()
    )
    return f"(CASE {whens} ELSE '' END)"


def predikat_cocok_q(hasil: str, perilaku: str, predikat: str) -> models.Q:
    """A check-constraint condition: the ``predikat`` field is empty or exactly the matrix cell of the two
    rating fields (domain §6.4). Built from ``MATRIKS_PREDIKAT`` like ``predikat_sql``, so the database
    constraint, the batch SQL and the Python can't drift."""
    cond = models.Q(**{predikat: ""})
    for (hk, pk), pred in MATRIKS_PREDIKAT.items():
        cond |= models.Q(**{hasil: str(hk), perilaku: str(pk), predikat: str(pred)})
    return cond


# ---------------------------------------------------------------------------------------------- §6.3 guidance

#: Official rating guidance shown next to the rating form (domain §6.3; the "Sesuai" hasil kerja text is
#: the domain's reading of a garbled source, marked [VERIFY] there).
PANDUAN_RATING: dict[str, dict[str, Any]] = {
    R.DI_ATAS_EKSPEKTASI: {
        "hasil_kerja": _(
            "Sebagian besar atau seluruh Hasil Kerja di atas ekspektasi, tidak ada Hasil Kerja Utama di bawah "
            "ekspektasi, dan umpan balik sebagian atau seluruhnya menunjukkan respon positif."
        ),
        "perilaku_kerja": _(
            "Pegawai secara konsisten menjalankan core values ASN untuk diri sendiri dan orang lain."
        ),
    },
    R.SESUAI_EKSPEKTASI: {
        "hasil_kerja": _(
            "Hasil Kerja Utama sebagian besar sesuai ekspektasi dan umpan balik sebagian menunjukkan respon positif."
        ),
        "perilaku_kerja": _("Pegawai secara konsisten menjalankan core values ASN untuk diri sendiri."),
    },
    R.DI_BAWAH_EKSPEKTASI: {
        "hasil_kerja": _(
            "Sebagian besar atau seluruh Hasil Kerja Utama di bawah ekspektasi dan umpan balik sebagian besar "
            "atau seluruhnya tidak menunjukkan respon positif."
        ),
        "perilaku_kerja": _("Pegawai belum secara konsisten menjalankan core values ASN."),
    },
}

# ---------------------------------------------------------------------------------------------- §8 follow-ups

#: Consecutive-year streaks that make a pegawai a follow-up candidate (domain §8.1).
TINDAK_LANJUT_BERUNTUN: dict[str, str] = {
    P.SANGAT_BAIK: "talent_pool",
    P.BAIK: "pengembangan_kompetensi",
}
#: Predikat that open the 6-month improvement window (domain §8.2 "Sanksi"), per group of jabatan:
#: pejabat administrasi / fungsional (and pelaksana): Kurang or Sangat Kurang (§8.2 row 2);
#: JPT: "predikat Cukup/Kurang/Sangat Kurang (PP30 terms)" = Butuh Perbaikan, Kurang/Misconduct,
#: Sangat Kurang (§8.2 row 1). One table for the Python and the batch SQL (``perbaikan_sql``).
PREDIKAT_PERBAIKAN: tuple[str, ...] = (P.KURANG_MISCONDUCT, P.SANGAT_KURANG)
PREDIKAT_PERBAIKAN_JPT: tuple[str, ...] = (P.BUTUH_PERBAIKAN, P.KURANG_MISCONDUCT, P.SANGAT_KURANG)
#: ``Jabatan.jenis`` values of the JPT (kinerja.models.org.JPT; repeated here because scoring has no ORM import).
JENIS_JABATAN_JPT: tuple[str, ...] = ("jpt_utama", "jpt_madya", "jpt_pratama")
BULAN_PERBAIKAN = 6


def predikat_perbaikan(jenis_jabatan: str | None) -> tuple[str, ...]:
    """The predikat that open the improvement window for a pegawai in a jabatan of this kind (domain §8.2)."""
    return PREDIKAT_PERBAIKAN_JPT if jenis_jabatan in JENIS_JABATAN_JPT else PREDIKAT_PERBAIKAN


def perbaikan_sql(predikat: str, jenis_jabatan: str) -> str:
    """``predikat_perbaikan`` as an SQL boolean over two column expressions (enum literals only)."""
    umum = ", ".join(f"'{p}'" for p in PREDIKAT_PERBAIKAN)
    jpt = ", ".join(f"'{p}'" for p in PREDIKAT_PERBAIKAN_JPT)
    jenis = ", ".join(f"'{j}'" for j in JENIS_JABATAN_JPT)
    jj = f"coalesce({jenis_jabatan}, '')"
    return f"(({jj} IN ({jenis}) AND {predikat} IN ({jpt})) OR ({jj} NOT IN ({jenis}) AND {predikat} IN ({umum})))"


def tindak_lanjut_untuk(
    predikat_tahun_ini: str, predikat_tahun_lalu: str | None, jenis_jabatan: str | None = None
) -> str | None:
    """The follow-up kind for one pegawai (or None). Mirrors the batch SQL; used by tests and previews.
    ``jenis_jabatan``: ``Jabatan.jenis`` of the pegawai (a JPT gets the window from Butuh Perbaikan on)."""
    if predikat_tahun_ini in predikat_perbaikan(jenis_jabatan):
        return "perbaikan_kinerja"
    streak = TINDAK_LANJUT_BERUNTUN.get(predikat_tahun_ini)
    if streak and predikat_tahun_lalu == predikat_tahun_ini:
        return streak
    return None


#: The chain after the improvement window (domain §8.2 row 2 "6 months to improve → uji kompetensi kembali
#: → moved or lower jabatan → if none available, temporary placement ≤ 1 year → if still none,
#: diberhentikan dengan hormat"; Product decisions "Sanksi end state"). Step → the steps that may follow.
#: Recorded steps only: nothing here is applied automatically.
LANGKAH_BERIKUT: dict[str | None, tuple[str, ...]] = {
    None: ("uji_kompetensi",),
    "uji_kompetensi": ("pindah_jabatan", "turun_jabatan", "penempatan_sementara"),
    "penempatan_sementara": ("pindah_jabatan", "turun_jabatan", "diberhentikan_dengan_hormat"),
    "pindah_jabatan": (),
    "turun_jabatan": (),
    "diberhentikan_dengan_hormat": (),
}
BULAN_PENEMPATAN_SEMENTARA = 12


def _tambah_bulan(d: dt.date, bulan: int) -> dt.date:
    y, m = divmod(d.month - 1 + bulan, 12)
    tahun, bln = d.year + y, m + 1
    return dt.date(tahun, bln, min(d.day, calendar.monthrange(tahun, bln)[1]))


def langkah_errors(
    *,
    akhir_perbaikan: dt.date | None,
    terakhir: tuple[str, dt.date] | None,
    jenis: str,
    tanggal: dt.date,
    sampai: dt.date | None,
    label: Mapping[str, str] | None = None,
) -> dict[str, list[str]]:
    """Field errors for recording step ``jenis`` on ``tanggal`` (empty = allowed), domain §8.2:
    only after the improvement window ends, in the chain's order, never before the previous step, and a
    temporary placement ends within 1 year (``sampai`` required there, not allowed elsewhere)."""
    errors: dict[str, list[str]] = {}
    sebelumnya = terakhir[0] if terakhir else None
    boleh = LANGKAH_BERIKUT.get(sebelumnya, ())
    if jenis not in boleh:
        errors["jenis"] = [
            str(_("Langkah ini tidak dapat dicatat sekarang. Langkah berikutnya: %(boleh)s."))
            % {
                "boleh": ", ".join(str((label or {}).get(b, b)) for b in boleh)
                if boleh
                else str(_("tidak ada (rangkaian sudah selesai)"))
            }
        ]
    if akhir_perbaikan is not None and tanggal <= akhir_perbaikan:
        errors.setdefault("tanggal", []).append(
            str(_("Langkah dicatat setelah masa perbaikan 6 bulan berakhir (%(tgl)s)."))
            % {"tgl": akhir_perbaikan.strftime("%d/%m/%Y")}
        )
    if terakhir is not None and tanggal < terakhir[1]:
        errors.setdefault("tanggal", []).append(
            str(_("Tanggal tidak boleh sebelum langkah sebelumnya (%(tgl)s)."))
            % {"tgl": terakhir[1].strftime("%d/%m/%Y")}
        )
    if jenis == "penempatan_sementara":
        batas = _tambah_bulan(tanggal, BULAN_PENEMPATAN_SEMENTARA)
        if sampai is None:
            errors["sampai"] = [str(_("Isi tanggal akhir penempatan sementara."))]
        elif not tanggal < sampai <= batas:
            errors["sampai"] = [
                str(_("Penempatan sementara paling lama 1 tahun: akhiri antara %(a)s dan %(b)s."))
                % {
                    "a": (tanggal + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
                    "b": batas.strftime("%d/%m/%Y"),
                }
            ]
    elif sampai is not None:
        errors["sampai"] = [str(_("Tanggal akhir hanya untuk penempatan sementara."))]
    return errors


# ---------------------------------------------------------------------------------------------- §8.3 angka kredit

#: Persentase per predikat (PermenPANRB 1/2023 + PerBKN 3/2023; verified, domain §8.3).
PERSENTASE_AK: dict[str, Decimal] = {
    P.SANGAT_BAIK: Decimal("150"),
    P.BAIK: Decimal("100"),
    P.BUTUH_PERBAIKAN: Decimal("75"),
    P.KURANG_MISCONDUCT: Decimal("50"),
    P.SANGAT_KURANG: Decimal("25"),
}
#: Koefisien angka kredit per tahun per jenjang JF (domain §8.3 table; note Madya 37,5 > Muda 25).
KOEFISIEN_AK: dict[str, Decimal] = {
    "ahli_utama": Decimal("50"),
    "ahli_madya": Decimal("37.5"),
    "ahli_muda": Decimal("25"),
    "ahli_pertama": Decimal("12.5"),
    "penyelia": Decimal("25"),
    "mahir": Decimal("12.5"),
    "terampil": Decimal("5"),
    "pemula": Decimal("3.75"),
}
AK_DESIMAL = 3


def angka_kredit(*, jenjang: str, predikat: str, bulan: int = 12) -> Decimal:
    """AK = bulan/12 * koefisien * persentase (domain §8.3), rounded half-up to 3 decimals.

    ``bulan`` is the number of whole months worked in the year (see ``bulan_penuh``).
    """
    if jenjang not in KOEFISIEN_AK:
        raise ValueError(f"Jenjang JF tidak dikenal: {jenjang!r}")
    if predikat not in PERSENTASE_AK:
        raise ValueError(f"Predikat tidak dikenal: {predikat!r}")
    if not 0 <= bulan <= 12:
        raise ValueError("Bulan harus 0..12")
    nilai = Decimal(bulan) / Decimal(12) * KOEFISIEN_AK[jenjang] * PERSENTASE_AK[predikat] / Decimal(100)
    return nilai.quantize(Decimal(1).scaleb(-AK_DESIMAL), rounding=ROUND_HALF_UP)


def angka_kredit_rincian(*, predikat: str, jenjang_per_bulan: Mapping[int, str | None]) -> dict[str, Any]:
    """Angka kredit of a year across a promotion (domain.md "Angka kredit across a promotion" + §8.3).

    ``jenjang_per_bulan``: month (1..12) → JF jenjang for every whole month worked in the year (None or an
    unknown jenjang = not a JF that month, skipped; see ``jenjang_per_bulan``). Months in each jenjang use
    that jenjang's koefisien: nilai = Σ(bulan_j * koefisien_j) / 12 * persentase, rounded half-up once to
    3 decimals (the batch SQL ``evaluasi.batch.angka_kredit_select`` computes the same expression).
    Returns ``{"bulan", "nilai", "jenjang", "koefisien", "rincian"}``: ``jenjang``/``koefisien`` are those
    of the last month, ``rincian`` one entry per jenjang in month order.
    """
    if predikat not in PERSENTASE_AK:
        raise ValueError(f"Predikat tidak dikenal: {predikat!r}")
    segmen: dict[str, dict[str, Any]] = {}
    for bln in sorted(jenjang_per_bulan):
        j = jenjang_per_bulan[bln]
        if not 1 <= bln <= 12:
            raise ValueError("Bulan harus 1..12")
        if j not in KOEFISIEN_AK:
            continue
        seg = segmen.setdefault(j, {"jenjang": j, "bulan": 0, "koefisien": KOEFISIEN_AK[j], "akhir": 0})
        seg["bulan"] += 1
        seg["akhir"] = bln
    urut = sorted(segmen.values(), key=lambda s: s["akhir"])
    bulan_koef = sum((Decimal(s["bulan"]) * s["koefisien"] for s in urut), Decimal(0))
    nilai = (bulan_koef * PERSENTASE_AK[predikat] / Decimal(1200)).quantize(
        Decimal(1).scaleb(-AK_DESIMAL), rounding=ROUND_HALF_UP
    )
    return {
        "bulan": sum(s["bulan"] for s in urut),
        "nilai": nilai,
        "jenjang": urut[-1]["jenjang"] if urut else "",
        "koefisien": urut[-1]["koefisien"] if urut else Decimal(0),
        "rincian": [
            {"jenjang": s["jenjang"], "bulan": s["bulan"], "koefisien": str(s["koefisien"])} for s in urut
        ],
    }


def jenjang_per_bulan(
    *,
    tahun: int,
    bulan: Iterable[int],
    penempatan: Iterable[tuple[dt.date, dt.date | None, str, str]],
    jabatan_sekarang: tuple[str, str],
) -> dict[int, str | None]:
    """The JF jenjang of each month worked (placement history decides; domain.md "Angka kredit across a
    promotion"). A month takes the jabatan of the placement in force on its FIRST day (a TMT jabatan is the
    1st of a month; a promotion on 15 July counts from August); the latest-starting placement wins on
    overlap. No placement on that day → the pegawai's current jabatan. ``penempatan``: (mulai, selesai or
    None, Jabatan.jenis, Jabatan.jenjang); ``jabatan_sekarang``: (jenis, jenjang). Non-JF month → None."""
    rows = sorted(penempatan, key=lambda r: r[0], reverse=True)
    out: dict[int, str | None] = {}
    for bln in bulan:
        hari = dt.date(tahun, bln, 1)
        jenis, jenjang = next(
            ((r[2], r[3]) for r in rows if r[0] <= hari and (r[1] is None or r[1] >= hari)), jabatan_sekarang
        )
        out[bln] = jenjang if jenis == "fungsional" and jenjang else None
    return out


def bulan_penuh(*, tahun: int, rentang: Iterable[tuple[dt.date, dt.date]]) -> int:
    """Whole calendar months of ``tahun`` covered entirely by the union of the (inclusive) date ranges.

    Consecutive stints (mutasi on the 15th: ..14 March, 15 March..) together cover March, so it counts.
    """
    return len(bulan_penuh_daftar(tahun=tahun, rentang=rentang))


def bulan_penuh_daftar(*, tahun: int, rentang: Iterable[tuple[dt.date, dt.date]]) -> list[int]:
    """The months (1..12) counted by ``bulan_penuh``."""
    hari: set[dt.date] = set()
    for mulai, selesai in rentang:
        mulai, selesai = max(mulai, dt.date(tahun, 1, 1)), min(selesai, dt.date(tahun, 12, 31))
        d = mulai
        while d <= selesai:
            hari.add(d)
            d += dt.timedelta(days=1)
    return _bulan_tercakup(tahun, hari)


def _bulan_tercakup(tahun: int, hari: set[dt.date]) -> list[int]:
    return [
        bln
        for bln in range(1, 13)
        if all(dt.date(tahun, bln, h) in hari for h in range(1, calendar.monthrange(tahun, bln)[1] + 1))
    ]


def values_sql(rows: Mapping[str, Decimal]) -> str:
    """A ``VALUES`` list of (text, numeric) from one of the tables above (enum keys, decimal numbers)."""
    return ", ".join(f"('{k}', {v}::numeric)" for k, v in rows.items())


# ---------------------------------------------------------------------------------------------- §7 distribution

#: Rule kinds understood by ``cek_distribusi`` (a rule set is data: see ``AturanDistribusi.definisi``).
JENIS_SYARAT = ("maks", "min", "ada", "tidak_ada", "terbanyak", "dinilai_sebelum_predikat_organisasi")
#: Kinds that take no ``predikat`` list: they look at the unit as a whole.
JENIS_TANPA_PREDIKAT = ("dinilai_sebelum_predikat_organisasi",)
SEMUA = "*"
#: The employee predikat each org predikat "leads to" (domain §7.1 "sebagian besar"; Product decisions,
#: "Distribution guideline, default wording"). Used by the default rule version (``evaluasi.rules``).
PREDIKAT_ARAH_ORGANISASI: dict[str, str] = {
    PredikatOrganisasi.ISTIMEWA: Predikat.SANGAT_BAIK,
    PredikatOrganisasi.BAIK: Predikat.BAIK,
    PredikatOrganisasi.BUTUH_PERBAIKAN: Predikat.BUTUH_PERBAIKAN,
    PredikatOrganisasi.KURANG: Predikat.KURANG_MISCONDUCT,
    PredikatOrganisasi.SANGAT_KURANG: Predikat.SANGAT_KURANG,
}


@dataclass(frozen=True)
class Peringatan:
    """One deviation from the distribution guideline. A warning that needs a written reason, never a block."""

    kode: str
    pesan: str
    predikat: tuple[str, ...] = ()
    batas: float | None = None
    aktual: float | None = None

    def as_dict(self) -> dict[str, Any]:
        # by hand, not dataclasses.asdict (a deep copy): the year-end batch calls this for every warning
        # of every unit (~4,400 units per 100k pegawai)
        return {
            "kode": self.kode,
            "pesan": self.pesan,
            "predikat": list(self.predikat),
            "batas": self.batas,
            "aktual": self.aktual,
        }


@functools.lru_cache(maxsize=256)
def _label_cached(predikat_list: tuple[str, ...], bahasa: str | None) -> str:
    labels = dict(Predikat.choices)
    return " / ".join(str(labels.get(p, p)) for p in predikat_list)


def _label(predikat_list: Iterable[str]) -> str:
    """ "Sangat Baik / Baik" in the active language (cached per language: the batch asks per unit)."""
    return _label_cached(tuple(predikat_list), get_language())


def _persen(n: int, total: int) -> float:
    return round(n * 100.0 / total, 1) if total else 0.0


def validasi_aturan(definisi: Mapping[str, Any]) -> list[str]:
    """Problems in a rule-set definition (empty list = valid). Used by the admin form and the seed test."""
    errors: list[str] = []
    aturan = definisi.get("aturan")
    if not isinstance(aturan, Mapping) or not aturan:
        return ["'aturan' harus berupa objek per predikat organisasi (atau '*')."]
    for kunci, syarat_list in aturan.items():
        if kunci != SEMUA and kunci not in PREDIKAT_ORGANISASI_ORDER:
            errors.append(f"Kunci tidak dikenal: {kunci}")
        if not isinstance(syarat_list, list):
            errors.append(f"{kunci}: harus berupa daftar syarat.")
            continue
        for i, s in enumerate(syarat_list):
            jenis = s.get("jenis") if isinstance(s, Mapping) else None
            if jenis not in JENIS_SYARAT:
                errors.append(f"{kunci}[{i}]: jenis harus salah satu dari {', '.join(JENIS_SYARAT)}.")
                continue
            preds = s.get("predikat")
            if jenis in JENIS_TANPA_PREDIKAT:
                if preds not in (None, []):
                    errors.append(f"{kunci}[{i}]: {jenis} tidak memakai daftar predikat.")
                continue
            if not isinstance(preds, list) or not preds or any(p not in PREDIKAT_ORDER for p in preds):
                errors.append(f"{kunci}[{i}]: predikat harus daftar predikat pegawai yang valid.")
            if jenis in ("maks", "min"):
                persen = s.get("persen")
                if not isinstance(persen, int | float) or not 0 <= persen <= 100:
                    errors.append(f"{kunci}[{i}]: persen harus angka 0..100.")
    return errors


def syarat_untuk(
    definisi: Mapping[str, Any], predikat_organisasi: str | None
) -> list[Mapping[str, Any]] | None:
    """The conditions that apply to a unit with this org predikat; None if the rule set needs an org
    predikat that has not been set."""
    aturan = definisi.get("aturan", {})
    if predikat_organisasi and predikat_organisasi in aturan:
        return list(aturan[predikat_organisasi])
    if SEMUA in aturan:
        return list(aturan[SEMUA])
    return None


def cek_distribusi(
    *,
    definisi: Mapping[str, Any],
    predikat_organisasi: str | None,
    jumlah: Mapping[str, int],
    dinilai_sebelum: int = 0,
) -> list[Peringatan]:
    """Compare a unit's predikat counts with the guideline for its org predikat. Returns warnings only.

    ``jumlah`` maps predikat → number of pegawai with it (missing keys = 0). Percentages are of the
    pegawai who have a predikat. No pegawai rated → no warnings (there is nothing to compare yet).
    ``dinilai_sebelum``: how many of them were rated before the unit's org predikat was set (the
    ``dinilai_sebelum_predikat_organisasi`` kind; domain.md Product decisions, default wording).
    """
    counts = {p: int(jumlah.get(p, 0)) for p in PREDIKAT_ORDER}
    total = sum(counts.values())
    syarat = syarat_untuk(definisi, predikat_organisasi)
    if syarat is None:
        return [
            Peringatan(
                kode="predikat_organisasi_kosong",
                pesan=str(
                    _("Predikat kinerja organisasi belum ditetapkan; pola distribusi belum dapat dicek.")
                ),
            )
        ]
    if total == 0:
        return []
    out: list[Peringatan] = []
    for s in syarat:
        if s["jenis"] == "dinilai_sebelum_predikat_organisasi":
            if dinilai_sebelum > 0:
                out.append(
                    Peringatan(
                        "dinilai_sebelum_predikat_organisasi",
                        str(
                            _(
                                "%(n)d pegawai dinilai sebelum predikat kinerja organisasi unit ditetapkan; "
                                "tinjau kembali penilaiannya."
                            )
                            % {"n": dinilai_sebelum}
                        ),
                        (),
                        None,
                        _persen(dinilai_sebelum, total),
                    )
                )
            continue
        preds = tuple(s["predikat"])
        n = sum(counts[p] for p in preds)
        pct = _persen(n, total)
        label = _label(preds)
        jenis = s["jenis"]
        kode = f"{jenis}:{'+'.join(preds)}"
        if jenis == "maks" and pct > float(s["persen"]):
            out.append(
                Peringatan(
                    kode,
                    str(
                        _("%(label)s %(aktual)s%% melebihi pedoman paling banyak %(batas)s%%.")
                        % {"label": label, "aktual": pct, "batas": s["persen"]}
                    ),
                    preds,
                    float(s["persen"]),
                    pct,
                )
            )
        elif jenis == "min" and pct < float(s["persen"]):
            out.append(
                Peringatan(
                    kode,
                    str(
                        _("%(label)s %(aktual)s%% di bawah pedoman paling sedikit %(batas)s%%.")
                        % {"label": label, "aktual": pct, "batas": s["persen"]}
                    ),
                    preds,
                    float(s["persen"]),
                    pct,
                )
            )
        elif jenis == "ada" and n == 0:
            out.append(
                Peringatan(
                    kode,
                    str(_("Pedoman mensyaratkan ada pegawai dengan predikat %(label)s.") % {"label": label}),
                    preds,
                    None,
                    pct,
                )
            )
        elif jenis == "tidak_ada" and n > 0:
            out.append(
                Peringatan(
                    kode,
                    str(
                        _("Pedoman: tidak ada pegawai dengan predikat %(label)s (ada %(n)d).")
                        % {"label": label, "n": n}
                    ),
                    preds,
                    0.0,
                    pct,
                )
            )
        elif jenis == "terbanyak":
            lain = max((counts[p] for p in PREDIKAT_ORDER if p not in preds), default=0)
            if lain > n:
                out.append(
                    Peringatan(
                        kode,
                        str(
                            _(
                                "Pedoman: sebagian besar pegawai berpredikat %(label)s, namun predikat lain lebih banyak."
                            )
                            % {"label": label}
                        ),
                        preds,
                        None,
                        pct,
                    )
                )
    return out  # fmt: skip


def _angka(x: Any) -> Any:
    return int(x) if isinstance(x, float) and x.is_integer() else x


def peringatan_teks(data: Mapping[str, Any]) -> str:
    """A stored warning (``Peringatan.as_dict()``, e.g. in the year-end batch's job detail) in the active
    language, rebuilt from its code and numbers; the stored ``pesan`` (the language of the batch run)
    when it cannot be rebuilt."""
    kode = str(data.get("kode", ""))
    jenis = kode.split(":", 1)[0]
    label = _label(data.get("predikat") or ())
    aktual, batas = _angka(data.get("aktual")), _angka(data.get("batas"))
    if kode == "predikat_organisasi_kosong":
        return str(_("Predikat kinerja organisasi belum ditetapkan; pola distribusi belum dapat dicek."))
    if jenis == "maks" and batas is not None:
        return str(
            _("%(label)s %(aktual)s%% melebihi pedoman paling banyak %(batas)s%%.")
            % {"label": label, "aktual": aktual, "batas": batas}
        )
    if jenis == "min" and batas is not None:
        return str(
            _("%(label)s %(aktual)s%% di bawah pedoman paling sedikit %(batas)s%%.")
            % {"label": label, "aktual": aktual, "batas": batas}
        )
    if jenis == "ada":
        return str(_("Pedoman mensyaratkan ada pegawai dengan predikat %(label)s.") % {"label": label})
    if jenis == "terbanyak":
        return str(
            _("Pedoman: sebagian besar pegawai berpredikat %(label)s, namun predikat lain lebih banyak.")
            % {"label": label}
        )
    return str(data.get("pesan", ""))


def pita_pedoman(
    definisi: Mapping[str, Any], predikat_organisasi: str | None
) -> dict[str, tuple[float, float]]:
    """Per-predikat guideline band (min %, max %) for the chart, from the single-predikat conditions.
    Conditions over several predikat at once are listed as text next to the chart instead."""
    bands = {p: (0.0, 100.0) for p in PREDIKAT_ORDER}
    for s in syarat_untuk(definisi, predikat_organisasi) or []:
        preds = s.get("predikat") or []
        if len(preds) != 1:
            continue
        lo, hi = bands[preds[0]]
        if s["jenis"] == "maks":
            hi = min(hi, float(s["persen"]))
        elif s["jenis"] == "min":
            lo = max(lo, float(s["persen"]))
        elif s["jenis"] == "tidak_ada":
            hi = 0.0
        bands[preds[0]] = (lo, hi)
    return bands


def syarat_teks(definisi: Mapping[str, Any], predikat_organisasi: str | None) -> list[str]:
    """Human-readable guideline lines for a unit (shown under the chart)."""
    lines: list[str] = []
    for s in syarat_untuk(definisi, predikat_organisasi) or []:
        label = _label(s.get("predikat") or [])
        jenis = s["jenis"]
        if jenis == "maks":
            lines.append(str(_("%(label)s paling banyak %(p)s%%") % {"label": label, "p": s["persen"]}))
        elif jenis == "min":
            lines.append(str(_("%(label)s paling sedikit %(p)s%%") % {"label": label, "p": s["persen"]}))
        elif jenis == "ada":
            lines.append(str(_("Harus ada pegawai %(label)s") % {"label": label}))
        elif jenis == "tidak_ada":
            lines.append(str(_("Tidak ada pegawai %(label)s") % {"label": label}))
        elif jenis == "terbanyak":
            lines.append(str(_("Sebagian besar pegawai %(label)s") % {"label": label}))
        elif jenis == "dinilai_sebelum_predikat_organisasi":
            lines.append(str(_("Pegawai dinilai setelah predikat kinerja organisasi unit ditetapkan")))
    return lines
