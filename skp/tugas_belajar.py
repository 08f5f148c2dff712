# ruff: noqa: RUF001  (the IPK ranges keep the en dash of the source text exactly)
"""Tugas belajar: IPK guidance tables for the Pejabat Penilai (domain.md §9, S002), as versioned data.

The tables guide the leader's *expectation* (rating hasil kerja) for a pegawai on study leave; they are
not an automatic predikat. Values are kept as the source writes them (Indonesian decimal comma, the
S1-B gap 3,09/3,10 included). A new regulation adds a new ``PanduanIpk`` version; pages read
``panduan_ipk()`` and never hard-code the numbers.
"""

from dataclasses import dataclass

# Marked for extraction only: the stored values stay Indonesian, templates translate them on display.
from django.utils.translation import gettext_noop

# Column ids follow the employee predikat enum (domain.md §6.5); the tables have no "sangat_kurang" column.
KOLOM_PREDIKAT: tuple[tuple[str, str], ...] = (
    ("sangat_baik", gettext_noop("Sangat Baik")),
    ("baik", gettext_noop("Baik")),
    ("butuh_perbaikan", gettext_noop("Butuh Perbaikan")),
    ("kurang_misconduct", gettext_noop("Kurang/Misconduct")),
)


@dataclass(frozen=True)
class BarisIpk:
    """One row: accreditation (empty for luar negeri) and the IPK range per predikat column."""

    akreditasi_pt: str
    akreditasi_prodi: str
    rentang: tuple[str, str, str, str]  # in KOLOM_PREDIKAT order

    def sel(self) -> list[tuple[str, str]]:
        return [(kode, nilai) for (kode, _label), nilai in zip(KOLOM_PREDIKAT, self.rentang, strict=True)]


@dataclass(frozen=True)
class TabelIpk:
    kode: str
    lokasi: str  # "dalam_negeri" | "luar_negeri"
    jenjang: str  # "s1" | "profesi_s2_s3"
    judul: str
    baris: tuple[BarisIpk, ...]

    @property
    def dengan_akreditasi(self) -> bool:
        return any(b.akreditasi_pt for b in self.baris)


@dataclass(frozen=True)
class PanduanIpk:
    versi: int
    sumber: str
    tabel: tuple[TabelIpk, ...]
    catatan: tuple[str, ...]
    contoh_ekspektasi: str

    @property
    def kolom(self) -> tuple[tuple[str, str], ...]:
        return KOLOM_PREDIKAT


_MIN_B = gettext_noop("Minimal B")
_MIN_C = gettext_noop("Minimal C")
_S1_LN = ("3,51 – 4,0", "3,01 – 3,50", "2,76 – 3,00", "< 2,76")
_PASCA_LN = ("3,51 – 4,00", "3,20 – 3,50", "3,00 – 3,19", "< 3,00")

PANDUAN_IPK: dict[int, PanduanIpk] = {
    1: PanduanIpk(
        versi=1,
        sumber="PermenPANRB 6/2022, bahan sosialisasi BKD (S002); domain.md §9",
        tabel=(
            TabelIpk(
                kode="dn_s1",
                lokasi="dalam_negeri",
                jenjang="s1",
                judul=gettext_noop("Dalam negeri — S1"),
                baris=(
                    BarisIpk("A", _MIN_C, ("3,51 – 4,0", "3,01 – 3,50", "2,76 – 3,00", "< 2,76")),
                    BarisIpk("B", _MIN_C, ("3,61 – 4,0", "3,10 – 3,60", "2,76 – 3,09", "< 2,76")),
                    BarisIpk("C", _MIN_B, ("3,71 – 4,0", "3,20 – 3,70", "2,76 – 3,19", "< 2,76")),
                ),
            ),
            TabelIpk(
                kode="dn_pasca",
                lokasi="dalam_negeri",
                jenjang="profesi_s2_s3",
                judul=gettext_noop("Dalam negeri — Profesi, S2 & S3"),
                baris=(
                    BarisIpk("A", _MIN_C, ("3,51 – 4,00", "3,20 – 3,50", "3,00 – 3,19", "< 3,00")),
                    BarisIpk("B", _MIN_C, ("3,61 – 4,00", "3,25 – 3,60", "3,00 – 3,24", "< 3,00")),
                    BarisIpk("C", _MIN_B, ("3,71 – 4,00", "3,30 – 3,70", "3,00 – 3,29", "< 3,00")),
                ),
            ),
            TabelIpk(
                kode="ln_s1",
                lokasi="luar_negeri",
                jenjang="s1",
                judul=gettext_noop("Luar negeri — S1"),
                baris=(BarisIpk("", "", _S1_LN),),
            ),
            TabelIpk(
                kode="ln_pasca",
                lokasi="luar_negeri",
                jenjang="profesi_s2_s3",
                judul=gettext_noop("Luar negeri — Profesi, S2 & S3"),
                baris=(BarisIpk("", "", _PASCA_LN),),
            ),
        ),
        catatan=(
            gettext_noop(
                "Tabel ini panduan bagi Pejabat Penilai dalam menetapkan ekspektasi hasil kerja akademik, "
                "bukan penetapan predikat otomatis."
            ),
            gettext_noop('Tidak ada kolom "Sangat Kurang" pada panduan ini.'),
            gettext_noop(
                "Pertimbangkan akreditasi perguruan tinggi dan program studi (di luar negeri: kriteria "
                "Kemendikbud) serta potensi pegawai; ekspektasi juga mencakup kelulusan tepat waktu dan "
                "penugasan tambahan bila ada."
            ),
            gettext_noop(
                "Peringkat akreditasi A/B/C adalah peringkat lama BAN-PT (kini Unggul/Baik Sekali/Baik); "
                "padanannya belum ditetapkan."
            ),
        ),
        contoh_ekspektasi=gettext_noop("IPK semester 1 di atas 3,75 dan menghasilkan learning diary…"),
    ),
}

PANDUAN_IPK_AKTIF = 1


def panduan_ipk(versi: int | None = None) -> PanduanIpk:
    """The guidance tables of ``versi`` (default: the version in force)."""
    return PANDUAN_IPK[versi or PANDUAN_IPK_AKTIF]
