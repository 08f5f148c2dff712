"""What an approved SKP froze at approval (issue #14): builders used by ``skp_approve`` and the
readers every renderer of an SKP goes through (page, API, PDF, evaluation documents).

An SKP that is ``disetujui`` (or later ``diganti``) shows its snapshots; one without them (a draft,
or a submitted one awaiting its Pejabat Penilai) shows live data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from kinerja.models import Instansi
from skp.models import CoreValue, Skp


@dataclass(frozen=True)
class NilaiPerilaku:
    """One BerAKHLAK value as an SKP shows it (the fields of ``CoreValue`` that are printed)."""

    kode: str
    nama: str
    tagline: str = ""
    panduan: list[str] = field(default_factory=list)
    versi: int = 1


def _nilai(cv: CoreValue) -> NilaiPerilaku:
    return NilaiPerilaku(cv.kode, cv.nama, cv.tagline, list(cv.panduan), cv.versi)


def perilaku_snapshot(core_values: list[CoreValue]) -> list[dict[str, Any]]:
    """The BerAKHLAK texts as plain JSON data (what the approved document prints)."""
    return [asdict(_nilai(cv)) for cv in core_values]


def instansi_snapshot(instansi: Instansi) -> dict[str, str]:
    return {"nama": instansi.nama, "kode": instansi.kode, "tempat": instansi.tempat}


def skp_perilaku(skp: Skp) -> list[NilaiPerilaku]:
    """The core values this SKP shows: frozen at approval, else the current active version."""
    if skp.snapshot_perilaku:
        return [
            NilaiPerilaku(
                kode=d.get("kode", ""),
                nama=d.get("nama", ""),
                tagline=d.get("tagline", ""),
                panduan=list(d.get("panduan") or []),
                versi=d.get("versi", 1),
            )
            for d in skp.snapshot_perilaku
        ]
    from skp.services import core_values_current

    return [_nilai(cv) for cv in core_values_current()]


def skp_instansi(skp: Skp, instansi: Instansi) -> dict[str, str]:
    """The instansi block (nama, kode, tempat) as approved, else as it is now."""
    return dict(skp.snapshot_instansi) if skp.snapshot_instansi else instansi_snapshot(instansi)
