"""Every dialog URL that takes an object id answers 404 to another instansi (and to an anonymous token
client the API answers 401/403). The URL list is read from the urlconf, so a new URL must be added here."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scope

from dialog import services
from dialog.api_urls import urlpatterns as api_patterns
from dialog.models import Notifikasi, TindakLanjut
from dialog.urls import urlpatterns as web_patterns
from kinerja.models import Periode
from skp.models import Skp
from tests.conftest import Org
from tests.dialog.conftest import indikator_of, penugasan_diterima, rhk_of
from tests.factories.berkas import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def objek(org_a: Org, org_b: Org, skp_pegawai: Skp, tw: list[Periode], pejabat_lain: Any) -> dict[str, int]:
    """One object of each kind in instansi A (the cross-instansi pair: A's outgoing record to B, and B's
    proposal to A's pegawai, which lives in A)."""
    from dialog.services.penugasan_lintas import penugasan_lintas_propose

    lintas = {
        "hasil_kerja": "Kajian",
        "indikator": [{"aspek": "kuantitas", "iki": "Jumlah kajian", "target": "1"}],
        "mulai": dt.date(2026, 6, 1),
        "selesai": dt.date(2026, 6, 30),
    }
    with scope(instansi=org_a.instansi.pk):
        keluar = penugasan_lintas_propose(
            actor=org_a.atasan.user, instansi_kode="B", nip=org_b.pegawai.nip, **lintas
        )
    with scope(instansi=org_b.instansi.pk):
        penugasan_lintas_propose(actor=org_b.atasan.user, instansi_kode="A", nip=org_a.pegawai.nip, **lintas)
    from dialog.models import PenugasanLintas

    # B's own notification about A's proposal is B's data, not A's: the list checks below count A's leaks
    Notifikasi._base_manager.filter(instansi=org_b.instansi).delete()

    with scope(instansi=org_a.instansi.pk):
        masuk_a = PenugasanLintas.objects.get(instansi=org_a.instansi)
    ind = indikator_of(org_a, skp_pegawai)[0]
    rhk = rhk_of(org_a, skp_pegawai)[0]
    p = penugasan_diterima(
        org_a, pejabat_lain, org_a.pegawai, mulai=dt.date(2026, 5, 1), selesai=dt.date(2026, 6, 30)
    )
    with scope(instansi=org_a.instansi.pk):
        real = services.realisasi_save(
            actor=org_a.pegawai.user,
            skp=skp_pegawai,
            indikator_id=ind.pk,
            periode_id=tw[1].pk,
            realisasi="x",
            berkas=SimpleUploadedFile("a.png", png_bytes()),
        )
        aksi = services.rencana_aksi_add(
            actor=org_a.pegawai.user, skp=skp_pegawai, rhk_id=rhk.pk, periode_id=tw[1].pk, uraian="u"
        )
        ub = services.umpan_balik_give(actor=org_a.atasan.user, skp=skp_pegawai, periode_id=tw[1].pk, isi="x")
        req = services.permintaan_create(
            actor=org_a.pegawai.user, skp=skp_pegawai, diminta_id=org_a.rekan.pk, periode_id=tw[1].pk
        )
        rec = services.catatan_create(
            actor=org_a.atasan.user,
            jenis="bimbingan_kinerja",
            pegawai=org_a.pegawai,
            tanggal=dt.date(2026, 5, 10),
            catatan="c",
            tindak_lanjut=[{"uraian": "t", "tenggat": dt.date(2026, 6, 1)}],
        )
        from dialog.models import LogHarian

        log = LogHarian.objects.create(
            instansi=org_a.instansi,
            pegawai=org_a.pegawai,
            skp=skp_pegawai,
            rhk=rhk,
            tanggal=dt.date(2026, 5, 11),
            uraian="log A",
            durasi_menit=60,
            berkas=SimpleUploadedFile("log.png", png_bytes()),
            nama_berkas="log.png",
        )
        return {
            "skp": skp_pegawai.pk,
            "indikator": ind.pk,
            "bukti": real.bukti.get().pk,
            "rencana_aksi": aksi.pk,
            "umpan_balik": ub.pk,
            "permintaan": req.pk,
            "catatan": rec.pk,
            "tindak_lanjut": TindakLanjut.objects.get(catatan=rec).pk,
            "penugasan": p.pk,
            "notifikasi": Notifikasi.objects.filter(penerima=org_a.pegawai.user).first().pk,
            "pegawai": org_a.pegawai.pk,
            "penugasan_lintas": masuk_a.pk,
            "penugasan_keluar": keluar.pk,
            "log_harian": log.pk,
            "realisasi": real.pk,
        }


WEB = {
    "realisasi": ("skp",),
    "realisasi-simpan": ("skp", "indikator"),
    "rencana-aksi-tambah": ("skp",),
    "rencana-aksi-ubah": ("rencana_aksi",),
    "rencana-aksi-hapus": ("rencana_aksi",),
    "bukti-unduh": ("bukti",),
    "bukti-hapus": ("bukti",),
    "umpan-balik-skp": ("skp",),
    "umpan-balik-baca-semua": ("skp",),
    "permintaan-buat": ("skp",),
    "umpan-balik-balas": ("umpan_balik",),
    "umpan-balik-dibaca": ("umpan_balik",),
    "permintaan-batal": ("permintaan",),
    "catatan-detail": ("catatan",),
    "tindak-lanjut-tambah": ("catatan",),
    "tindak-lanjut-status": ("tindak_lanjut",),
    "bimbingan-b18": ("catatan",),
    "bimbingan-b19": ("catatan",),
    "penugasan-detail": ("penugasan",),
    "penugasan-terima": ("penugasan",),
    "penugasan-tolak": ("penugasan",),
    "penugasan-batal": ("penugasan",),
    "penugasan-relawan": ("penugasan",),
    "penugasan-lintas-detail": ("penugasan_lintas",),
    "penugasan-keluar-detail": ("penugasan_keluar",),
    "notifikasi-buka": ("notifikasi",),
    "linimasa": ("pegawai",),
    "log-harian-ubah": ("log_harian",),
    "log-harian-hapus": ("log_harian",),
    "log-harian-berkas": ("log_harian",),
}
API = {
    "api-umpan-balik-detail": ("umpan_balik",),
    "api-umpan-balik-balasan": ("umpan_balik",),
    "api-umpan-balik-dibaca": ("umpan_balik",),
    "api-notifikasi-dibaca": ("notifikasi",),
    "api-linimasa": ("pegawai",),
    # the API twins (issue #19) and the log harian
    "api-umpan-balik-baca-semua": ("skp",),
    "api-permintaan-batal": ("permintaan",),
    "api-log-harian-detail": ("log_harian",),
    "api-rencana-aksi": ("skp",),
    "api-rencana-aksi-detail": ("rencana_aksi",),
    "api-realisasi": ("skp",),
    "api-realisasi-bukti": ("realisasi",),
    "api-bukti-detail": ("bukti",),
    "api-catatan-detail": ("catatan",),
    "api-catatan-tindak-lanjut": ("catatan",),
    "api-tindak-lanjut-status": ("tindak_lanjut",),
    "api-catatan-b18": ("catatan",),
    "api-catatan-b19": ("catatan",),
    "api-penugasan-detail": ("penugasan",),
    "api-penugasan-terima": ("penugasan",),
    "api-penugasan-tolak": ("penugasan",),
    "api-penugasan-batal": ("penugasan",),
    "api-penugasan-relawan": ("penugasan",),
    "api-penugasan-lintas-detail": ("penugasan_lintas",),
    "api-penugasan-lintas-putuskan": ("penugasan_lintas",),
    "api-penugasan-keluar-detail": ("penugasan_keluar",),
    "api-penugasan-keluar-batal": ("penugasan_keluar",),
    "api-penugasan-keluar-umpan-balik": ("penugasan_keluar",),
}


def _path(pattern: Any, ids: tuple[int, ...]) -> str:
    route = str(pattern.pattern)
    for i in ids:
        start = route.index("<")
        route = route[:start] + str(i) + route[route.index(">") + 1 :]
    return route


def test_every_object_url_is_listed() -> None:
    with_ids = {p.name for p in web_patterns if "<" in str(p.pattern)}
    assert with_ids == set(WEB)
    assert {p.name for p in api_patterns if "<" in str(p.pattern)} == set(API)


@pytest.mark.parametrize("name", sorted(WEB))
def test_web_urls_404_for_other_instansi(name: str, objek: dict[str, int], outsider: Any) -> None:
    pattern = next(p for p in web_patterns if p.name == name)
    path = "/dialog/" + _path(pattern, tuple(objek[k] for k in WEB[name]))
    c = Client()
    c.force_login(outsider.user)
    assert c.get(path).status_code in (404, 405)
    assert c.post(path, {"isi": "x", "periode": 1}).status_code in (404, 405)
    assert c.get(path).status_code != 200


@pytest.mark.parametrize("name", sorted(API))
def test_api_urls_404_for_other_instansi(name: str, objek: dict[str, int], outsider: Any, api: Any) -> None:
    pattern = next(p for p in api_patterns if p.name == name)
    path = "/api/v1/" + _path(pattern, tuple(objek[k] for k in API[name]))
    c = api(outsider.user)
    for method in ("get", "post"):
        resp = getattr(c, method)(path, {"isi": "x"}, format="json")
        assert resp.status_code in (404, 405), (method, resp.status_code)
    assert api(None).get(path).status_code in (401, 403)


def test_lists_show_nothing_of_other_instansi(
    objek: dict[str, int], outsider: Any, org_a: Org, api: Any
) -> None:
    c = Client()
    c.force_login(outsider.user)
    for url in ("/dialog/", "/dialog/catatan/", "/dialog/penugasan/", "/dialog/notifikasi/", "/dialog/tim/"):
        resp = c.get(url)
        assert resp.status_code == 200, url
        assert org_a.pegawai.nama not in resp.content.decode(), url
    a = api(outsider.user)
    assert a.get("/api/v1/umpan-balik/").json()["count"] == 0
    assert a.get("/api/v1/notifikasi/").json()["count"] == 0
    assert a.get("/api/v1/feed-tim/").json()["count"] == 0
