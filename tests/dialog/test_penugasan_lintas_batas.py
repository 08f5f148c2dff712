"""Abuse limits on penugasan across instansi (security follow-up of issue #17; docs/security.md,
"Penugasan lintas instansi: pembatasan"):

* only leaders propose (the ``pejabat_penilai`` role or a jabatan struktural): else 403 with a message,
  and the list page hides the button;
* per user at most ``KINERJA_LINTAS_PER_JAM`` / ``KINERJA_LINTAS_PER_HARI`` attempts that reach the
  lookup in the other instansi, failed lookups included, page and API sharing one counter in the cache
  (the test Redis): then 429 with a message and ``Retry-After``;
* an unknown NIP, a pegawai not active, one without Pejabat Penilai and a NIP of a third instansi give
  the same answer.

Two instansi (A proposes, B receives) and an outsider instansi C."""

import os
import time
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django_scopes import scopes_disabled

from dialog.models import Notifikasi, PenugasanKeluar, PenugasanLintas
from dialog.services.penugasan_lintas import _batas_key
from kinerja.models import AuditLog, Pegawai
from tests.conftest import Org, build_org
from tests.factories import PegawaiFactory

pytestmark = pytest.mark.django_db

PAGE = "/dialog/penugasan-lintas/baru/"
API = "/api/v1/penugasan-keluar/"
NIP_MSG = "NIP tidak ditemukan atau tidak dapat menerima penugasan."
LIMIT_MSG = "Terlalu banyak usulan penugasan lintas instansi"
LEADER_MSG = "hanya dapat diusulkan oleh pimpinan"


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _form(instansi: str, nip: str, **extra: Any) -> dict[str, Any]:
    return {
        "instansi": instansi,
        "nip": nip,
        "hasil_kerja": "Naskah kajian kerja sama daerah",
        "aspek": "kuantitas",
        "iki": "Jumlah naskah kajian",
        "target": "1 naskah",
        "mulai": "2026-05-20",
        "selesai": "2026-08-31",
        "pesan": "",
        **extra,
    }


def _body(instansi: str, nip: str, **extra: Any) -> dict[str, Any]:
    return {
        "instansi": instansi,
        "nip": nip,
        "hasil_kerja": "Naskah kajian kerja sama daerah",
        "indikator": [{"aspek": "kuantitas", "iki": "Jumlah naskah kajian", "target": "1 naskah"}],
        "mulai": "2026-05-20",
        "selesai": "2026-08-31",
        **extra,
    }


def _counters(user: Any) -> list[int | None]:
    now = time.time()
    return [cache.get(_batas_key(user.pk, w, now)) for w in (3600, 24 * 3600)]


@pytest.fixture(autouse=True)
def _fresh_counters(org_a: Org, org_b: Org, org_c: Org) -> Any:
    """Only this test's users' counters are removed (never a flush of the cache)."""

    def reset() -> None:
        now = time.time()
        for org in (org_a, org_b, org_c):
            for p in (org.kepala, org.atasan, org.pegawai, org.rekan, org.admin, org.hr):
                for w in (3600, 24 * 3600):
                    cache.delete(_batas_key(p.user.pk, w, now))

    reset()
    yield
    reset()


@pytest.fixture
def org_c(db: Any) -> Org:
    return build_org("C")


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.KINERJA_LINTAS_PER_JAM = 2
    settings.KINERJA_LINTAS_PER_HARI = 5
    return settings


def _written() -> tuple[int, int]:
    with scopes_disabled():
        return PenugasanKeluar.objects.count(), PenugasanLintas.objects.count()


# ---------------------------------------------------------------- rate limit


def test_page_limit_per_hour_429_with_message_and_retry_after(org_a: Org, org_b: Org, limits: Any) -> None:
    c = client_for(org_a.atasan.user)
    assert c.post(PAGE, _form("B", org_b.pegawai.nip)).status_code == 302
    assert c.post(PAGE, _form("B", org_b.rekan.nip)).status_code == 302
    resp = c.post(PAGE, _form("B", org_b.pegawai.nip))
    assert resp.status_code == 429
    html = resp.content.decode()
    assert LIMIT_MSG in html
    assert 'data-testid="galat-form"' in html
    assert "Naskah kajian kerja sama daerah</textarea>" in html  # what was typed is kept
    assert 0 < int(resp["Retry-After"]) <= 3600
    assert _written() == (2, 2)
    with scopes_disabled():  # B's Pejabat Penilai was notified twice, not three times
        assert Notifikasi.objects.filter(instansi=org_b.instansi, penerima=org_b.atasan.user).count() == 2
    assert _counters(org_a.atasan.user) == [2, 2]  # refused before counting: a refusal extends nothing


def test_api_limit_429_shares_the_page_counter(org_a: Org, org_b: Org, limits: Any, api: Any) -> None:
    assert client_for(org_a.atasan.user).post(PAGE, _form("B", org_b.pegawai.nip)).status_code == 302
    a = api(org_a.atasan.user)
    assert a.post(API, _body("B", org_b.rekan.nip), format="json").status_code == 201
    resp = a.post(API, _body("B", org_b.pegawai.nip), format="json")
    assert resp.status_code == 429
    assert LIMIT_MSG in resp.json()["detail"]
    assert 0 < int(resp["Retry-After"]) <= 3600
    assert resp.json()["retry_after"] == int(resp["Retry-After"])
    assert _written() == (2, 2)


def test_failed_lookups_count_but_form_mistakes_do_not(org_a: Org, org_b: Org, limits: Any) -> None:
    """Probing NIPs burns the budget; a typo in the dates (nothing looked up yet) does not."""
    c = client_for(org_a.atasan.user)
    bad_dates = _form("B", org_b.pegawai.nip, mulai="2026-08-31", selesai="2026-05-20")
    for _ in range(3):
        assert c.post(PAGE, bad_dates).status_code == 422
    assert _counters(org_a.atasan.user) == [None, None]
    for nip in ("199001012020011999", "199001012020011998"):
        resp = c.post(PAGE, _form("B", nip))
        assert resp.status_code == 422
        assert NIP_MSG in resp.content.decode()
    assert _counters(org_a.atasan.user) == [2, 2]
    resp = c.post(PAGE, _form("B", org_b.pegawai.nip))  # a real NIP now: refused before any lookup
    assert resp.status_code == 429
    assert NIP_MSG not in resp.content.decode()
    assert _written() == (0, 0)


def test_daily_limit_and_per_user(org_a: Org, org_b: Org, org_c: Org, settings: Any, api: Any) -> None:
    """The day window holds when the hour's is not reached; another leader (of A, or outsider C) keeps
    their own budget."""
    settings.KINERJA_LINTAS_PER_JAM = 10
    settings.KINERJA_LINTAS_PER_HARI = 1
    a = api(org_a.atasan.user)
    assert a.post(API, _body("B", org_b.pegawai.nip), format="json").status_code == 201
    resp = a.post(API, _body("B", org_b.rekan.nip), format="json")
    assert resp.status_code == 429
    assert 3600 < int(resp["Retry-After"]) <= 24 * 3600  # 15 May 10:00 WIB: the UTC day ends in 21 h
    assert resp.json()["detail"] == (
        "Batas harian usulan penugasan lintas instansi sudah tercapai. Coba lagi dalam 21 jam."
    )
    assert api(org_a.kepala.user).post(API, _body("B", org_b.rekan.nip), format="json").status_code == 201
    assert api(org_c.atasan.user).post(API, _body("B", org_b.pegawai.nip), format="json").status_code == 201
    assert _written() == (3, 3)


def test_the_counter_lives_in_the_test_redis_only(org_a: Org, org_b: Org, limits: Any) -> None:
    """The counters are in the Django cache, i.e. the Redis of this test run (``scripts/test.py`` starts
    its own, ``settings/test.py`` gives each xdist worker its own database); no NIP in the key; a
    window's key expires (a TTL a little over the window)."""
    assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL
    if os.environ.get("REDIS_URL"):
        assert os.environ["REDIS_URL"] == settings.REDIS_URL
    assert settings.CACHES["default"]["KEY_PREFIX"] == os.environ.get("DJANGO_CACHE_PREFIX", "kinerja-test")
    assert client_for(org_a.atasan.user).post(PAGE, _form("B", org_b.pegawai.nip)).status_code == 302
    now = time.time()
    key = _batas_key(org_a.atasan.user.pk, 3600, now)
    assert org_b.pegawai.nip not in key
    assert cache.get(key) == 1
    raw = cache.make_and_validate_key(key)
    client = cache._cache.get_client(raw)  # type: ignore[attr-defined]
    assert 3600 < client.ttl(raw) <= 3600 + 60
    assert client.ttl(cache.make_and_validate_key(_batas_key(org_a.atasan.user.pk, 24 * 3600, now))) > 3660


# ---------------------------------------------------------------- leaders only


def test_non_leader_403_on_page_and_api_and_no_button(org_a: Org, org_b: Org, api: Any) -> None:
    """A pegawai who is nobody's Pejabat Penilai and has no jabatan struktural: the list hides the
    action, the page and the API answer 403 with the reason, nothing is looked up or counted."""
    for who in (org_a.pegawai, org_a.admin, org_a.hr):
        c = client_for(who.user)
        listing = c.get("/dialog/penugasan/").content.decode()
        assert 'data-testid="penugasan-baru"' in listing  # the ordinary penugasan stays
        assert 'data-testid="penugasan-lintas-baru"' not in listing
        for resp in (c.get(PAGE), c.post(PAGE, _form("B", org_b.pegawai.nip))):
            assert resp.status_code == 403
            html = resp.content.decode()
            assert LEADER_MSG in html
            assert 'data-testid="form-penugasan-lintas"' not in html
        resp = api(who.user).post(API, _body("B", org_b.pegawai.nip), format="json")
        assert resp.status_code == 403
        assert LEADER_MSG in resp.json()["detail"]
        assert api(who.user).post(API, {}, format="json").status_code == 403  # before the body is read
        assert _counters(who.user) == [None, None]
    assert _written() == (0, 0)
    # the leaders see the action
    for who in (org_a.atasan, org_a.kepala):
        assert (
            'data-testid="penugasan-lintas-baru"'
            in client_for(who.user).get("/dialog/penugasan/").content.decode()
        )
        assert client_for(who.user).get(PAGE).status_code == 200


def test_becoming_someones_pejabat_penilai_makes_a_leader(org_a: Org, org_b: Org, api: Any) -> None:
    """The derived ``pejabat_penilai`` role (an active bawahan) is enough, whatever the jabatan."""
    rekan = org_a.rekan
    assert api(rekan.user).post(API, _body("B", org_b.pegawai.nip), format="json").status_code == 403
    with scopes_disabled():
        PegawaiFactory(
            instansi=org_a.instansi, unit_kerja=rekan.unit_kerja, jabatan=rekan.jabatan, atasan=rekan
        )
    assert api(rekan.user).post(API, _body("B", org_b.pegawai.nip), format="json").status_code == 201


def test_outsider_c_non_leader_403_and_sees_nothing(org_a: Org, org_b: Org, org_c: Org, api: Any) -> None:
    resp = api(org_a.atasan.user).post(API, _body("B", org_b.pegawai.nip), format="json")
    assert resp.status_code == 201
    assert api(org_c.pegawai.user).post(API, _body("B", org_b.pegawai.nip), format="json").status_code == 403
    with scopes_disabled():
        masuk = PenugasanLintas.objects.get()
    for who in (org_c.atasan, org_c.admin):
        assert api(who.user).get(f"/api/v1/penugasan-keluar/{resp.json()['id']}/").status_code == 404
        assert api(who.user).get(f"/api/v1/penugasan-lintas/{masuk.pk}/").status_code == 404
        assert api(who.user).get(API).json()["results"] == []


# ---------------------------------------------------------------- one answer for every NIP that fails


def test_uniform_answer_for_unknown_inactive_without_ppk_and_third_instansi(
    org_a: Org, org_b: Org, org_c: Org, api: Any
) -> None:
    """Unknown, not active, without Pejabat Penilai (B's kepala), or a pegawai of C typed with B's code:
    one status and byte-identical bodies on the API, one message on the page; nothing written, no
    notification in B, no audit row in B."""
    with scopes_disabled():
        Pegawai.objects.filter(pk=org_b.rekan.pk).update(aktif=False)
    nips = ["199001012020011999", org_b.rekan.nip, org_b.kepala.nip, org_c.pegawai.nip]
    a = api(org_a.atasan.user)
    answers = [a.post(API, _body("B", nip), format="json") for nip in nips]
    assert {r.status_code for r in answers} == {400}
    bodies = {r.content for r in answers}
    assert len(bodies) == 1, bodies
    assert answers[0].json() == {
        "detail": "Penugasan belum terkirim. Periksa isian yang ditandai.",
        "errors": {"nip": [NIP_MSG]},
    }
    c = client_for(org_a.kepala.user)
    for nip in nips:
        resp = c.post(PAGE, _form("B", nip))
        assert resp.status_code == 422
        html = resp.content.decode()
        assert NIP_MSG in html
        for name in (org_b.rekan.nama, org_b.kepala.nama, org_c.pegawai.nama):
            assert name not in html
    assert _written() == (0, 0)
    with scopes_disabled():
        assert not Notifikasi.objects.filter(instansi=org_b.instansi).exists()
        assert not AuditLog.objects.filter(instansi=org_b.instansi, action__startswith="dialog.").exists()
    # the active pegawai of B is the only one that goes through
    assert a.post(API, _body("B", org_b.pegawai.nip), format="json").status_code == 201


def test_propose_query_count(org_a: Org, org_b: Org, api: Any, django_assert_max_num_queries: Any) -> None:
    """Pinned: a proposal 23 queries, a failed lookup 12 (measured; the counters are in Redis, the
    leader check reuses the request's roles and the jabatan loaded with the pegawai)."""
    a = api(org_a.atasan.user)
    with django_assert_max_num_queries(23):
        assert a.post(API, _body("B", org_b.pegawai.nip), format="json").status_code == 201
    with django_assert_max_num_queries(12):
        assert a.post(API, _body("B", "199001012020011999"), format="json").status_code == 400


def test_concurrent_attempts_cannot_pass_the_limit(org_a: Org, limits: Any) -> None:
    """Two requests that both passed the read-only check: the atomic INCR lets only the budget through."""
    from dialog.services.penugasan_lintas import lintas_batas_cek, lintas_batas_pakai
    from kinerja.exceptions import TooManyRequests

    user = org_a.atasan.user
    lintas_batas_cek(user=user)
    lintas_batas_pakai(user=user)
    lintas_batas_pakai(user=user)  # both checked while the counter was 0 or 1
    with pytest.raises(TooManyRequests) as exc:
        lintas_batas_pakai(user=user)
    assert exc.value.status_code == 429
    assert 0 < exc.value.retry_after <= 3600
    with pytest.raises(TooManyRequests):
        lintas_batas_cek(user=user)


def test_the_schema_declares_the_429(org_a: Org, api: Any) -> None:
    paths = api(org_a.admin.user).get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "429" in paths["/api/v1/penugasan-keluar/"]["post"]["responses"]
    assert "429" not in paths["/api/v1/penugasan-keluar/"]["get"]["responses"]
    assert "403" in paths["/api/v1/penugasan-keluar/"]["post"]["responses"]


def test_a_jabatan_struktural_is_a_leader_before_any_bawahan(org_a: Org, org_b: Org, api: Any) -> None:
    """A pengawas without bawahan (yet) may propose; a fungsional without bawahan may not."""
    from kinerja.models.org import JenisJabatan
    from tests.factories import JabatanFactory

    with scopes_disabled():
        pengawas = PegawaiFactory(
            instansi=org_a.instansi,
            unit_kerja=org_a.atasan.unit_kerja,
            jabatan=JabatanFactory(
                instansi=org_a.instansi, nama="Kepala Subbagian", jenis=JenisJabatan.PENGAWAS
            ),
            atasan=org_a.atasan,
        )
        fungsional = PegawaiFactory(
            instansi=org_a.instansi,
            unit_kerja=org_a.atasan.unit_kerja,
            jabatan=JabatanFactory(
                instansi=org_a.instansi, nama="Analis Kebijakan", jenis=JenisJabatan.FUNGSIONAL
            ),
            atasan=org_a.atasan,
        )
    assert api(pengawas.user).post(API, _body("B", org_b.pegawai.nip), format="json").status_code == 201
    assert api(fungsional.user).post(API, _body("B", org_b.rekan.nip), format="json").status_code == 403
