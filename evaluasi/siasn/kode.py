"""The one mapping table from the app's values to SIASN codes. **[VERIFY]** (domain.md "Product
decisions", api-contract §6): taken from the contract, not confirmed against BKN's reference tables.

Data, not logic: a value missing here is reported by ``kode_siasn`` (``KodeTakDikenal``), never guessed.
Bump ``VERSI`` when a code changes; every audit row of a sent payload keeps the version it used.
"""

from __future__ import annotations

from typing import Final

VERSI: Final = 1

KODE_SIASN: Final[dict[str, dict[str, int | str]]] = {
    # hasilKinerjaNilai / perilakuKerjaNilai  [VERIFY]
    "rating": {
        "di_atas_ekspektasi": 1,
        "sesuai_ekspektasi": 2,
        "di_bawah_ekspektasi": 3,
    },
    # kuadranKinerjaNilai  [VERIFY]
    "kuadran": {
        "sangat_baik": 1,
        "baik": 2,
        "butuh_perbaikan": 3,
        "kurang_misconduct": 4,
        "sangat_kurang": 5,
    },
    # statusPenilai  [VERIFY]
    "status_penilai": {
        "asn": "ASN",
        "non_asn": "NON ASN",
    },
}


class KodeTakDikenal(ValueError):
    """A value with no SIASN code: the result is reported as not sendable."""

    def __init__(self, tabel: str, nilai: str) -> None:
        self.tabel, self.nilai = tabel, nilai
        super().__init__(f"Nilai '{nilai or '(kosong)'}' tidak punya kode SIASN ({tabel}).")


def kode_siasn(tabel: str, nilai: str) -> int | str:
    try:
        return KODE_SIASN[tabel][nilai]
    except KeyError:
        raise KodeTakDikenal(tabel, nilai) from None
