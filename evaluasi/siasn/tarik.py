"""Read side: compare pegawai with SIASN's ``pns/data-utama/{nip}`` and apply what the admin confirms.

``siasn_tarik_bandingkan`` reads SIASN (nothing changes here except the pegawai's SIASN id, which is
kept) and returns, per NIP, the differences in nama, jabatan, unit (unor) and pangkat/golongan.
``siasn_tarik_terapkan`` applies a confirmed comparison in one transaction: nama and pangkat/golongan
are written, a different jabatan or unit moves the pegawai (``pegawai_mutasi``: placement history)
when a jabatan/unit of that name exists in the instansi; otherwise that field is reported, not invented.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from evaluasi.siasn.client import SiasnClient, SiasnError
from evaluasi.siasn.kirim import pegawai_siasn_simpan
from kinerja.models import Instansi, Jabatan, Pegawai, UnitKerja, User
from kinerja.services.audit import audit_log
from kinerja.services.people import pegawai_mutasi

FIELDS = ("nama", "jabatan", "unor", "golongan")
LABEL = {"nama": "Nama", "jabatan": "Jabatan", "unor": "Unit kerja", "golongan": "Pangkat/golongan"}
MAX_NIP = 100  # the command; the page reads at most MAX_NIP_HALAMAN (a few seconds at 20 requests/s)
MAX_NIP_HALAMAN = 20


@dataclass
class Perbandingan:
    nip: str
    pegawai_id: int | None = None
    nama: str = ""
    beda: dict[str, tuple[str, str]] = field(default_factory=dict)  # field → (di aplikasi, di SIASN)
    galat: str = ""


def golongan_siasn(data: dict[str, Any]) -> str:
    """``Penata Muda / III/a`` (the app's pangkat/golongan format) from data-utama."""
    pangkat = str(data.get("pangkatAkhir") or "").strip()
    gol = str(data.get("golRuangAkhir") or "").strip()
    return " / ".join(x for x in (pangkat, gol) if x)


def _nilai_siasn(data: dict[str, Any]) -> dict[str, str]:
    return {
        "nama": str(data.get("nama") or "").strip(),
        "jabatan": str(data.get("jabatanNama") or "").strip(),
        "unor": str(data.get("unorNama") or "").strip(),
        "golongan": golongan_siasn(data),
    }


def parse_nip(raw: str, *, maks: int = MAX_NIP) -> list[str]:
    """``NIP[,NIP...]`` (commas, spaces or new lines) → unique NIPs; ``ValueError`` with a message."""
    nips = list(dict.fromkeys(x for x in raw.replace("\n", ",").replace(" ", ",").split(",") if x.strip()))
    if not nips:
        raise ValueError(_("Isi paling sedikit satu NIP."))
    salah = [n for n in nips if not (n.isdigit() and len(n) == 18)]
    if salah:
        raise ValueError(_("NIP harus 18 angka: %(nip)s") % {"nip": ", ".join(salah[:5])})
    if len(nips) > maks:
        raise ValueError(_("Paling banyak %(n)d NIP sekali tarik.") % {"n": maks})
    return nips


def siasn_tarik_bandingkan(*, instansi: Instansi, nips: list[str], client: SiasnClient) -> list[Perbandingan]:
    """Per NIP: the pegawai of this instansi compared with SIASN (a NIP of another instansi is
    "not found", as for a stranger). Keeps the SIASN id of every pegawai read."""
    pegawai = {
        p.nip: p
        for p in Pegawai.objects.filter(instansi=instansi, nip__in=nips).select_related(
            "jabatan", "unit_kerja"
        )
    }
    out: list[Perbandingan] = []
    for nip in nips:
        p = pegawai.get(nip)
        if p is None:
            out.append(Perbandingan(nip=nip, galat=_("NIP tidak terdaftar sebagai pegawai instansi ini.")))
            continue
        try:
            data = client.data_utama(nip)
        except SiasnError as exc:
            out.append(Perbandingan(nip=nip, pegawai_id=p.pk, nama=p.nama, galat=exc.pesan))
            continue
        pegawai_siasn_simpan(instansi=instansi, pegawai_id=p.pk, data=data)
        kini = {
            "nama": p.nama,
            "jabatan": p.jabatan.nama,
            "unor": p.unit_kerja.nama,
            "golongan": p.pangkat_golongan,
        }
        siasn = _nilai_siasn(data)
        beda = {f: (kini[f], siasn[f]) for f in FIELDS if siasn[f] and siasn[f] != kini[f]}
        out.append(Perbandingan(nip=nip, pegawai_id=p.pk, nama=p.nama, beda=beda))
    return out


def perbandingan_hash(rows: list[Perbandingan]) -> str:
    """Fingerprint of a comparison: the confirm step applies only what was shown."""
    raw = json.dumps([asdict(r) for r in rows], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def siasn_tarik_terapkan(
    *, actor: User | None, instansi: Instansi, rows: list[Perbandingan]
) -> tuple[int, list[str]]:
    """Apply the differences (one transaction, audited per pegawai); returns how many pegawai changed and
    notes on what was not applied (a jabatan or unit name that does not exist in the instansi)."""
    catatan: list[str] = []
    diubah = 0
    ids = [r.pegawai_id for r in rows if r.beda and r.pegawai_id]
    pegawai = {
        p.pk: p
        for p in Pegawai.objects.filter(instansi=instansi, pk__in=ids).select_related(
            "jabatan", "unit_kerja", "atasan"
        )
    }
    for r in rows:
        p = pegawai.get(r.pegawai_id or 0)
        if p is None or not r.beda:
            continue
        before = {"nama": p.nama, "pangkat_golongan": p.pangkat_golongan}
        ubah = []
        if "nama" in r.beda:
            p.nama = r.beda["nama"][1][:255]
            ubah.append("nama")
        if "golongan" in r.beda:
            p.pangkat_golongan = r.beda["golongan"][1][:100]
            ubah.append("pangkat_golongan")
        if ubah:
            diubah += 1
            p.save(update_fields=[*ubah, "updated_at"])
            audit_log(
                actor=actor, instansi=instansi, action="pegawai.siasn_tarik", obj=p, before=before,
                after={"nama": p.nama, "pangkat_golongan": p.pangkat_golongan},
            )  # fmt: skip
        if "jabatan" in r.beda or "unor" in r.beda:
            jabatan, unit = p.jabatan, p.unit_kerja
            if "jabatan" in r.beda:
                nama = r.beda["jabatan"][1]
                found_j = Jabatan.objects.filter(instansi=instansi, nama__iexact=nama).first()
                if found_j is None:
                    catatan.append(
                        _("%(nip)s: jabatan '%(nama)s' belum ada di data organisasi; tidak diubah.")
                        % {"nip": r.nip, "nama": nama}
                    )
                else:
                    jabatan = found_j
            if "unor" in r.beda:
                nama = r.beda["unor"][1]
                found_u = UnitKerja.objects.filter(instansi=instansi, nama__iexact=nama).first()
                if found_u is None:
                    catatan.append(
                        _("%(nip)s: unit kerja '%(nama)s' belum ada di data organisasi; tidak diubah.")
                        % {"nip": r.nip, "nama": nama}
                    )
                else:
                    unit = found_u
            if jabatan.pk != p.jabatan_id or unit.pk != p.unit_kerja_id:
                pegawai_mutasi(actor=actor, pegawai=p, unit_kerja=unit, jabatan=jabatan, atasan=p.atasan)
                diubah += 0 if ubah else 1
    return diubah, catatan
