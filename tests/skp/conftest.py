"""SKP fixtures for the web and browser tests: plans built through the real services."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope

from kinerja.models import Pegawai, User
from skp import services
from skp.models import Rhk, Skp
from tests.conftest import Org
from tests.factories.perjanjian import iku_bawaan

TAHUN = timezone.localdate().year

IND = [
    {"aspek": "kuantitas", "iki": "Jumlah laporan yang diselesaikan", "target": "12 laporan"},
    {"aspek": "waktu", "iki": "Persentase laporan tepat waktu", "target": "90 - 95 %"},
]


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def htmx(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    """An htmx request (the header the page's htmx sends)."""
    return getattr(client, method)(url, data or {}, HTTP_HX_REQUEST="true")


def text(resp: Any) -> str:
    return resp.content.decode()


def draft(pegawai: Pegawai, *, tahun: int = TAHUN, pendekatan: str = "kuantitatif") -> Skp:
    with scope(instansi=pegawai.instansi_id):
        return services.skp_create_draft(actor=pegawai.user, tahun=tahun, pendekatan=pendekatan)


def add_rhk(
    skp: Skp,
    teks: str,
    *,
    pimpinan: Rhk | None = None,
    jenis: str = "utama",
    indikator: Iterable[Any] = IND[:1],
) -> Rhk:
    with scope(instansi=skp.instansi_id):
        fresh = Skp.objects.select_related("pegawai__jabatan").get(pk=skp.pk)
        return services.skp_rhk_add(
            actor=fresh.pegawai.user,
            skp=fresh,
            jenis=jenis,
            rencana_hasil_kerja=teks,
            indikator=list(indikator),
            rhk_pimpinan_id=pimpinan.pk if pimpinan else None,
            # a JPT's utama result derives from the unit's Perjanjian Kinerja (issue #16)
            indikator_pk_id=iku_bawaan(fresh.pegawai_id, fresh.tahun)
            if jenis == "utama" and not pimpinan
            else None,
        )


def submit(skp: Skp) -> Skp:
    with scope(instansi=skp.instansi_id):
        fresh = Skp.objects.select_related("pegawai__jabatan", "pejabat_penilai").get(pk=skp.pk)
        return services.skp_submit(actor=fresh.pegawai.user, skp=fresh)


def approve(skp: Skp, by: Pegawai) -> Skp:
    with scope(instansi=skp.instansi_id):
        fresh = Skp.objects.select_related("pegawai__jabatan", "pejabat_penilai").get(pk=skp.pk)
        return services.skp_approve(actor=by.user, skp=fresh)


def reload(skp: Skp) -> Skp:
    with scope(instansi=skp.instansi_id):
        return Skp.objects.get(pk=skp.pk)


@dataclass
class Rencana:
    """The plans above org.pegawai: the kepala's draft with one result, the atasan's approved SKP with two
    results linked to it (the leader results a pegawai links to)."""

    kepala_skp: Skp
    kepala_rhk: Rhk
    atasan_skp: Skp
    atasan_rhk: list[Rhk]


def build_rencana(org: Org) -> Rencana:
    kepala_skp = draft(org.kepala)
    kepala_rhk = add_rhk(kepala_skp, "Meningkatnya kualitas pelayanan publik daerah")
    atasan_skp = draft(org.atasan)
    atasan_rhk = [
        add_rhk(atasan_skp, "Terselenggaranya layanan administrasi umum yang tertib", pimpinan=kepala_rhk),
        add_rhk(atasan_skp, "Tersusunnya laporan kinerja bidang yang akurat", pimpinan=kepala_rhk),
    ]
    submit(atasan_skp)
    approve(atasan_skp, org.kepala)
    return Rencana(kepala_skp, kepala_rhk, reload(atasan_skp), atasan_rhk)


@pytest.fixture
def rencana_a(org_a: Org) -> Rencana:
    return build_rencana(org_a)
