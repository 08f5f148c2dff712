"""Dialog test set-up: plans created through the real SKP services, periods, frozen time."""

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scope

from kinerja.models import Pegawai, Periode
from kinerja.models.org import JPT
from kinerja.services.tenancy import periode_ensure_year
from skp.models import Indikator, Rhk, Skp
from skp.services import skp_approve, skp_create_draft, skp_rhk_add, skp_submit
from tests.conftest import Org
from tests.factories.perjanjian import iku_bawaan

TAHUN = 2026
HARI_INI = dt.datetime(2026, 5, 15, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))  # in Triwulan 2

IND = [
    {"aspek": "kuantitas", "iki": "Jumlah laporan yang diselesaikan", "target": "12 laporan"},
    {"aspek": "waktu", "iki": "Ketepatan waktu penyelesaian", "target": "90 - 95 %"},
]


@pytest.fixture(autouse=True)
def _waktu_tetap(request: pytest.FixtureRequest) -> Iterator[None]:
    """Unit tests run on 15 May 2026; browser tests use the real clock (the browser's cookies do)."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    with time_machine.travel(HARI_INI, tick=True):
        yield


def periods(org: Org, tahun: int = TAHUN) -> list[Periode]:
    with scope(instansi=org.instansi.pk):
        return periode_ensure_year(instansi=org.instansi, tahun=tahun)


def _link_for(pegawai: Pegawai, tahun: int) -> int | None:
    """The leader result a JA/JF pegawai links to (cascading), creating the leader's draft if needed."""
    pegawai = Pegawai.objects.select_related("jabatan", "atasan__jabatan").get(pk=pegawai.pk)
    if pegawai.atasan is None or pegawai.jabatan.jenis in JPT:
        return None
    return _leader_rhk(pegawai.atasan, tahun).pk


def _own_skp(pegawai: Pegawai, tahun: int) -> Skp:
    existing = Skp.objects.filter(pegawai=pegawai, tahun=tahun).exclude(status="diganti").first()
    return existing or skp_create_draft(actor=pegawai.user, tahun=tahun)


def _leader_rhk(leader: Pegawai, tahun: int) -> Rhk:
    """A (draft) SKP of the leader with one result, so subordinates can link to it."""
    skp = _own_skp(leader, tahun)
    rhk = Rhk.objects.filter(skp=skp).order_by("id").first()
    if rhk is None:
        rhk = skp_rhk_add(
            actor=leader.user,
            skp=skp,
            jenis="utama",
            rencana_hasil_kerja=f"Hasil kerja pimpinan {leader.nama}",
            rhk_pimpinan_id=_link_for(leader, tahun),
            indikator_pk_id=iku_bawaan(leader.pk, tahun) if _link_for(leader, tahun) is None else None,
            indikator=IND,  # type: ignore[arg-type]
        )
    return rhk


def make_skp(
    org: Org, pegawai: Pegawai, *, approve: bool = True, n_rhk: int = 2, tahun: int = TAHUN, n_ind: int = 2
) -> Skp:
    """An SKP for ``pegawai`` with ``n_rhk`` (more) results of ``n_ind`` indicators each, approved by the
    leader (the admin for the top leader) unless ``approve`` is False. Reuses the pegawai's draft if any."""
    with scope(instansi=org.instansi.pk):
        pegawai = Pegawai.objects.select_related("jabatan", "atasan").get(pk=pegawai.pk)
        link = _link_for(pegawai, tahun)
        skp = _own_skp(pegawai, tahun)
        for i in range(n_rhk):
            skp_rhk_add(
                actor=pegawai.user,
                skp=skp,
                jenis="utama",
                rencana_hasil_kerja=f"Hasil kerja {i + 1} {pegawai.nama}",
                rhk_pimpinan_id=link,
                # a JPT's utama result derives from the unit's Perjanjian Kinerja (issue #16)
                indikator_pk_id=iku_bawaan(pegawai.pk, tahun) if link is None else None,
                indikator=IND[:n_ind],  # type: ignore[arg-type]
            )
        if approve and skp.status in ("draft", "dikembalikan"):
            skp_submit(actor=pegawai.user, skp=Skp.objects.get(pk=skp.pk))
            approver = pegawai.atasan.user if pegawai.atasan is not None else org.admin.user
            skp_approve(actor=approver, skp=Skp.objects.get(pk=skp.pk))
        return Skp.objects.select_related("pegawai__user", "pejabat_penilai").get(pk=skp.pk)


def rhk_of(org: Org, skp: Skp) -> list[Rhk]:
    with scope(instansi=org.instansi.pk):
        return list(Rhk.objects.filter(skp=skp).order_by("jenis", "urutan", "id"))


def indikator_of(org: Org, skp: Skp) -> list[Indikator]:
    with scope(instansi=org.instansi.pk):
        return list(Indikator.objects.filter(rhk__skp=skp).order_by("rhk__urutan", "rhk_id", "urutan", "id"))


@pytest.fixture
def tw(org_a: Org) -> list[Periode]:
    """The four quarters of 2026 in instansi A (Triwulan 2 is current)."""
    return periods(org_a)


@pytest.fixture
def skp_pegawai(org_a: Org, tw: list[Periode]) -> Skp:
    """The pegawai's approved SKP. The SKP-status notifications written while setting it up are
    removed, so feedback tests count only their own notifications."""
    from dialog.models import Notifikasi

    skp = make_skp(org_a, org_a.pegawai)
    with scope(instansi=org_a.instansi.pk):
        Notifikasi.objects.filter(jenis__startswith="skp_").delete()
    return skp


@pytest.fixture
def pejabat_lain(org_a: Org) -> Pegawai:
    """A Kepala Bidang of another unit: outside the pegawai's leader line."""
    from kinerja.models.org import JenisJabatan
    from tests.factories import JabatanFactory, PegawaiFactory, UnitKerjaFactory

    with scope(instansi=org_a.instansi.pk):
        top = org_a.kepala.unit_kerja
    unit = UnitKerjaFactory(instansi=org_a.instansi, nama="Bidang Perencanaan A", induk=top)
    jab = JabatanFactory(
        instansi=org_a.instansi, nama="Kepala Bidang Perencanaan", jenis=JenisJabatan.ADMINISTRATOR
    )
    return PegawaiFactory(instansi=org_a.instansi, unit_kerja=unit, jabatan=jab, atasan=org_a.kepala)


@pytest.fixture
def celery_eager() -> Iterator[None]:
    """Run .delay() in-process (the on-commit email tests)."""
    from kinerja.celery import app

    old = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


def penugasan_diterima(
    org: Org, pemberi: Pegawai, pegawai: Pegawai, *, mulai: dt.date, selesai: dt.date
) -> Any:
    from dialog import services

    with scope(instansi=org.instansi.pk):
        p = services.penugasan_propose(
            actor=pemberi.user,
            pegawai=pegawai,
            hasil_kerja="Tersusunnya kajian perencanaan lintas bidang",
            indikator=[{"aspek": "kuantitas", "iki": "Jumlah kajian", "target": "1 kajian"}],
            mulai=mulai,
            selesai=selesai,
        )
        return services.penugasan_accept(actor=pegawai.atasan.user, penugasan=p)
