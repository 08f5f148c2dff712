"""The home page ("what do I do now"): a registry of sections the apps contribute.

The core app cannot import ``skp``, ``dialog`` or ``evaluasi`` (dependency direction kinerja <- skp <-
dialog/evaluasi), so each app provides a ``beranda.py`` module that registers provider functions, found
the same way as the ``documents.py`` registry (``autodiscover_modules``). A provider gets the viewer
(``BerandaInput``) and the shared context dict; it adds what its section needs and may read what an
earlier provider (lower ``urutan``) put there (``skp_aktif``: the pegawai's current SKP, ``periode``: the
current period). Every provider runs a fixed number of queries whatever the team or instansi size.

Next steps (``Langkah``) from all apps are merged: the one with the lowest ``prioritas`` is the pegawai's
"one next step"; the rest are listed under it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kinerja.models import Instansi, Pegawai, Periode, Role, User


@dataclass(frozen=True)
class BerandaInput:
    """Who is looking: the user, the active instansi, their roles there, their own pegawai row (None
    when they have none in this instansi) and the tenant-local date."""

    user: User
    instansi: Instansi
    roles: list[str]
    pegawai: Pegawai | None
    today: dt.date

    def has(self, *roles: str) -> bool:
        return bool(set(roles) & set(self.roles))

    @property
    def is_pegawai(self) -> bool:
        return self.pegawai is not None and Role.PEGAWAI in self.roles

    @property
    def is_penilai(self) -> bool:
        """A pegawai who rates, or a Pejabat Penilai non-ASN (issue #16: no pegawai row)."""
        return Role.PEJABAT_PENILAI in self.roles


@dataclass(frozen=True)
class Langkah:
    """One thing the pegawai should do, with a direct link. Lower ``prioritas`` comes first."""

    prioritas: int
    kode: str
    judul: str
    teks: str
    url: str
    tombol: str
    ikon: str = "arrow-right-circle"
    kutipan: str = ""  # e.g. the Pejabat Penilai's return note, shown as a quote


@dataclass(frozen=True)
class Hitungan:
    """A count with a direct link on a role card (e.g. "3 SKP menunggu persetujuan")."""

    kode: str
    label: str
    jumlah: int
    url: str
    ikon: str
    kosong: str  # what the card says when the count is 0
    urutan: int = 0


Provider = Callable[[BerandaInput, dict[str, Any]], None]


@dataclass
class _Registry:
    providers: list[tuple[int, str, Provider]] = field(default_factory=list)
    discovered: bool = False


_registry = _Registry()


def register_beranda(*, urutan: int, kode: str) -> Callable[[Provider], Provider]:
    """Decorator: ``@register_beranda(urutan=10, kode="skp")`` on ``fn(inp, ctx) -> None``.
    Re-registering the same ``kode`` replaces it (module reloads in tests)."""

    def deco(fn: Provider) -> Provider:
        _registry.providers[:] = [p for p in _registry.providers if p[1] != kode]
        _registry.providers.append((urutan, kode, fn))
        _registry.providers.sort(key=lambda p: (p[0], p[1]))
        return fn

    return deco


def _discover() -> None:
    if not _registry.discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("beranda")
        _registry.discovered = True


def periode_sekarang(*, instansi: Instansi, today: dt.date) -> Periode | None:
    """The period of the instansi's cycle that contains ``today`` (None before the year's periods exist)."""
    return (
        Periode.objects.filter(
            instansi=instansi, siklus=instansi.siklus, mulai__lte=today, selesai__gte=today
        )
        .order_by("mulai")
        .first()
    )


def beranda_context(inp: BerandaInput) -> dict[str, Any]:
    """Everything the home page shows for this viewer: each app's section, the merged next steps
    (``langkah_utama`` + ``langkah_lain``) and the Pejabat Penilai's counts (``penilai_hitungan``)."""
    _discover()
    periode = None
    if inp.pegawai is not None or inp.is_penilai:
        periode = periode_sekarang(instansi=inp.instansi, today=inp.today)
        if periode is None:
            # the year's periods are made on first use (as the evaluation and dialog pages do)
            from kinerja.services.tenancy import periode_ensure_year

            periode_ensure_year(instansi=inp.instansi, tahun=inp.today.year)
            periode = periode_sekarang(instansi=inp.instansi, today=inp.today)
    ctx: dict[str, Any] = {"langkah": [], "penilai_hitungan": [], "periode": periode}
    for _urutan, _kode, fn in _registry.providers:
        fn(inp, ctx)
    langkah = sorted(ctx["langkah"], key=lambda x: (x.prioritas, x.kode))
    ctx["langkah_utama"] = langkah[0] if langkah else None
    ctx["langkah_lain"] = langkah[1:]
    ctx["penilai_hitungan"] = sorted(ctx["penilai_hitungan"], key=lambda h: (h.urutan, h.kode))
    return ctx


# ---------------------------------------------------------------------------------------------- HR (core)

HR_ROLES = (Role.ADMIN_INSTANSI, Role.HR_VIEWER, Role.PLATFORM_ADMIN)
BERKAS_TERAKHIR = 5


@register_beranda(urutan=90, kode="hr")
def beranda_hr(inp: BerandaInput, ctx: dict[str, Any]) -> None:
    """HR: the exports they may run (this year's XLSX one click away) and the last generated files of
    the document jobs (finished, with a file). One query."""
    if not inp.has(*HR_ROLES):
        return
    from django.db.models import F

    from kinerja.documents import all_exports, all_jobs
    from kinerja.models import Job, JobStatus

    def boleh(spec_roles: tuple[str, ...]) -> bool:
        return not spec_roles or inp.has(*spec_roles)

    ctx["hr_ekspor"] = [e for e in all_exports() if e.hr_page and boleh(e.roles)]
    labels = {j.key: j.label for j in all_jobs() if boleh(j.roles)}
    berkas = list(
        Job.objects.filter(instansi=inp.instansi, jenis__in=list(labels), status=JobStatus.SELESAI)
        .exclude(hasil="")
        .exclude(hasil__isnull=True)
        .order_by(F("finished_at").desc(nulls_last=True), "-id")[:BERKAS_TERAKHIR]
    )
    ctx["hr_berkas"] = [{"job": j, "label": labels.get(j.jenis, j.jenis)} for j in berkas]
