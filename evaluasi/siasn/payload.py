"""What is sent to SIASN: one payload builder per endpoint, and the hash that makes sending idempotent.

``skp22/save`` is fixed by api-contract §6. ``kinerjaperiodik/save`` and ``angkakredit/save`` are not in
the contract: their keys follow the public SIASN web-service clients (pnsDinilaiId, periodeMulai/…,
kreditUtamaBaru/…; see docs/siasn.md) and are **[VERIFY]** against BKN's own documentation.

Every builder returns the payload with ``id`` None and the pegawai's SIASN id left to fill
(``FIELD_PNS``); a value the mapping table cannot code raises ``KodeTakDikenal`` / ``PayloadTakLengkap``
(reported, never guessed).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evaluasi.models import AngkaKredit, Evaluasi, JenisKirimanSiasn
from evaluasi.siasn.kode import kode_siasn

ENDPOINT = {
    JenisKirimanSiasn.SKP22: "skp22/save",
    JenisKirimanSiasn.PERIODIK: "kinerjaperiodik/save",
    JenisKirimanSiasn.ANGKA_KREDIT: "angkakredit/save",
}
#: The key that carries the pegawai's SIASN id (``data.id`` of ``pns/data-utama/{nip}``) per endpoint.
FIELD_PNS = {
    JenisKirimanSiasn.SKP22: "pnsDinilaiOrang",
    JenisKirimanSiasn.PERIODIK: "pnsDinilaiId",
    JenisKirimanSiasn.ANGKA_KREDIT: "pnsId",
}


class PayloadTakLengkap(ValueError):
    """The result lacks something SIASN requires (no rating, no Pejabat Penilai)."""


@dataclass(frozen=True)
class PenilaiSiasn:
    nip: str
    nama: str
    jabatan: str
    unor: str
    golongan: str
    asn: bool


def penilai_evaluasi(ev: Evaluasi) -> PenilaiSiasn:
    """The Pejabat Penilai of ``ev`` as SIASN wants it. The one place that decides ``statusPenilai``
    (``Evaluasi.status_penilai``): a Pejabat Penilai with a pegawai row is "ASN"; a Pejabat Penilai non-ASN
    (``kinerja.PejabatNonAsn``: Kepala Daerah, Menteri, pimpinan instansi; docs/organisasi.md) is "NON ASN"
    with its nama and jabatan, an empty NIP and golongan, and its instansi as the unor (as the documents
    print it). Callers select_related ``pejabat_penilai__jabatan``, ``pejabat_penilai__unit_kerja`` and
    ``pejabat_penilai_non_asn__instansi``."""
    p = ev.pejabat_penilai
    if p is not None:
        return PenilaiSiasn(
            nip=p.nip,
            nama=p.nama,
            jabatan=p.jabatan.nama,
            unor=p.unit_kerja.nama,
            golongan=p.pangkat_golongan,
            asn=True,
        )
    non_asn = ev.pejabat_penilai_non_asn
    if non_asn is not None:
        return PenilaiSiasn(
            nip="",
            nama=non_asn.nama,
            jabatan=non_asn.jabatan,
            unor=non_asn.instansi.nama,
            golongan="",
            asn=False,
        )
    raise PayloadTakLengkap("Pejabat Penilai tidak tercatat pada evaluasi ini.")


def _penilai_fields(ev: Evaluasi) -> dict[str, Any]:
    p = penilai_evaluasi(ev)
    return {
        "penilaiNipNrp": p.nip,
        "penilaiNama": p.nama,
        "penilaiJabatan": p.jabatan,
        "penilaiUnorNama": p.unor,
        "penilaiGolongan": p.golongan,
        "statusPenilai": kode_siasn("status_penilai", "asn" if p.asn else "non_asn"),
    }


def _nilai(ev: Evaluasi) -> dict[str, Any]:
    if not (ev.rating_hasil_kerja and ev.rating_perilaku_kerja and ev.predikat):
        raise PayloadTakLengkap("Rating hasil kerja, perilaku kerja dan predikat belum lengkap.")
    return {
        "hasilKinerjaNilai": kode_siasn("rating", ev.rating_hasil_kerja),
        "perilakuKerjaNilai": kode_siasn("rating", ev.rating_perilaku_kerja),
        "kuadranKinerjaNilai": kode_siasn("kuadran", ev.predikat),
    }


def payload_skp22(ev: Evaluasi) -> dict[str, Any]:
    """``skp22/save`` (api-contract §6, key order as written there)."""
    nilai = _nilai(ev)
    return {"id": None, "tahun": ev.tahun, "pnsDinilaiOrang": None, **nilai, **_penilai_fields(ev)}


def payload_periodik(ev: Evaluasi) -> dict[str, Any]:
    """``kinerjaperiodik/save`` [VERIFY]: the annual keys plus the period as months of ``tahun``."""
    nilai = _nilai(ev)
    periode = ev.periode
    if periode is None:
        raise PayloadTakLengkap("Evaluasi periodik tanpa periode.")
    return {
        "id": None,
        "tahun": ev.tahun,
        "periodeMulai": periode.mulai.month,
        "periodeSelesai": periode.selesai.month,
        "pnsDinilaiId": None,
        **nilai,
        **_penilai_fields(ev),
    }


def _angka(d: Decimal) -> str:
    return format(d.normalize(), "f") if d else "0"


def payload_angka_kredit(ak: AngkaKredit, tahun: int) -> dict[str, Any]:
    """``angkakredit/save`` [VERIFY]: the year's angka kredit from the predikat (konversi, Peraturan BKN
    3/2023), over its last ``bulan`` months. The app issues no PAK: ``nomorSk``/``tanggalSk`` stay empty."""
    if ak.bulan < 1 or ak.bulan > 12:
        raise PayloadTakLengkap("Jumlah bulan angka kredit tidak sah.")
    return {
        "id": None,
        "pnsId": None,
        "bulanMulaiPenailan": str(12 - ak.bulan + 1),
        "tahunMulaiPenailan": str(tahun),
        "bulanSelesaiPenailan": "12",
        "tahunSelesaiPenailan": str(tahun),
        "kreditUtamaBaru": _angka(ak.nilai),
        "kreditPenunjangBaru": "0",
        "kreditBaruTotal": _angka(ak.nilai),
        "isAngkaKreditPertama": "0",
        "isIntegrasi": "0",
        "isKonversi": "1",
        "nomorSk": "",
        "tanggalSk": "",
    }


def payload_hash(payload: dict[str, Any]) -> str:
    """SHA-256 of the payload without ``id`` (the id SIASN gave is not part of the result)."""
    body = {k: v for k, v in payload.items() if k != "id"}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()
