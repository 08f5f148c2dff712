"""Tim kerja pages: list with the create form (admin and Pejabat Penilai), field errors, the team page,
removing an anggota after a confirmation page, 404 across instansi, fixed query counts; the SKP page,
the Matriks Peran Hasil ``?tim=`` and the pohon kinerja show the team."""

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django_scopes import scope

from kinerja.models import AnggotaTim, TimKerja
from tests.conftest import Org
from tests.kinerja.tim_data import TimWorld, build_tim_world, draft_with, make_tim

TAHUN = 2026
HARI_INI = dt.datetime(2026, 5, 15, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.fixture(autouse=True)
def _waktu() -> Iterator[None]:
    with time_machine.travel(HARI_INI, tick=True):
        yield


@pytest.fixture
def w(org_a: Org) -> TimWorld:
    return build_tim_world(org_a, TAHUN)


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_admin_creates_a_team_on_the_page_and_errors_stay_on_their_fields(w: TimWorld) -> None:
    c = client_for(w.org.admin.user)
    resp = c.get("/tim-kerja/")
    assert resp.status_code == 200
    assert "Belum ada tim kerja." in resp.content.decode()
    resp = c.post(
        "/tim-kerja/",
        {
            "nama": "Tim SPBE",
            "tahun": TAHUN,
            "ketua": w.ketua.nip,
            "anggota": f"{w.anggota1.nip}\n{w.anggota1.nip}",
        },
    )
    assert resp.status_code == 422
    html = resp.content.decode()
    assert 'data-testid="galat-anggota"' in html
    assert "lebih dari sekali" in html
    assert 'value="Tim SPBE"' in html  # the input is kept
    resp = c.post(
        "/tim-kerja/",
        {
            "nama": "Tim SPBE",
            "tahun": TAHUN,
            "ketua": w.ketua.nip,
            "anggota": f"{w.anggota1.nip}\n{w.anggota2.nip}",
        },
    )
    with scope(instansi=w.org.instansi.pk):
        tim = TimKerja.objects.get(nama="Tim SPBE")
    assert resp.status_code == 302
    assert resp["Location"] == f"/tim-kerja/{tim.pk}/"
    html = c.get(resp["Location"]).content.decode()
    assert w.anggota1.nama in html
    assert w.anggota2.unit_kerja.nama in html


def test_plain_pegawai_sees_own_teams_without_the_form(w: TimWorld) -> None:
    tim = make_tim(w, anggota=[w.anggota1])
    html = client_for(w.anggota1.user).get(f"/tim-kerja/?tahun={TAHUN}").content.decode()
    assert tim.nama in html
    assert 'data-testid="form-tim"' not in html
    assert client_for(w.anggota1.user).post("/tim-kerja/", {"nama": "X"}).status_code == 404
    html = client_for(w.anggota1.user).get(f"/tim-kerja/{tim.pk}/").content.decode()
    assert 'data-testid="keluarkan"' not in html
    assert client_for(w.org.rekan.user).get(f"/tim-kerja/{tim.pk}/").status_code == 404


def test_remove_anggota_asks_first_and_keeps_history(w: TimWorld) -> None:
    tim = make_tim(w)
    with scope(instansi=w.org.instansi.pk):
        row = AnggotaTim.objects.get(tim=tim, pegawai=w.anggota2)
    c = client_for(w.org.admin.user)
    url = f"/tim-kerja/{tim.pk}/anggota/{row.pk}/keluarkan/"
    resp = c.get(url)
    assert resp.status_code == 200
    assert f"Keluarkan {w.anggota2.nama}" in resp.content.decode()
    with scope(instansi=w.org.instansi.pk):
        assert AnggotaTim.objects.get(pk=row.pk).selesai is None  # the GET changed nothing
    resp = c.post(url, {"versi": 1})
    assert resp.status_code == 302
    html = c.get(f"/tim-kerja/{tim.pk}/").content.decode()
    assert 'data-testid="riwayat-anggota"' in html
    with scope(instansi=w.org.instansi.pk):
        assert AnggotaTim.objects.get(pk=row.pk).selesai == dt.date(2026, 5, 15)
    assert c.get(url).status_code == 404  # no longer a current anggota


def test_other_instansi_gets_404_everywhere(w: TimWorld, outsider: Any) -> None:
    tim = make_tim(w)
    with scope(instansi=w.org.instansi.pk):
        row = AnggotaTim.objects.filter(tim=tim).first()
    c = client_for(outsider.user)
    assert row is not None
    for url in (f"/tim-kerja/{tim.pk}/", f"/tim-kerja/{tim.pk}/anggota/{row.pk}/keluarkan/"):
        assert c.get(url).status_code == 404
    for url in (
        f"/tim-kerja/{tim.pk}/ubah/",
        f"/tim-kerja/{tim.pk}/anggota/",
        f"/tim-kerja/{tim.pk}/anggota/{row.pk}/keluarkan/",
    ):
        assert c.post(url, {"nama": "X", "ketua": outsider.nip, "anggota": outsider.nip}).status_code == 404
    assert f"/tim-kerja/{tim.pk}/" not in c.get("/tim-kerja/?tahun=semua").content.decode()


def test_list_and_detail_query_counts(w: TimWorld, django_assert_max_num_queries: Any) -> None:
    tims = [make_tim(w, nama=f"Tim {i}") for i in range(3)]
    c = client_for(w.org.admin.user)
    c.get("/tim-kerja/")  # warm the session and caches
    with django_assert_max_num_queries(16):
        resp = c.get("/tim-kerja/")
    assert resp.content.decode().count('data-testid="tim-baris"') == 3
    with django_assert_max_num_queries(16):
        resp = c.get(f"/tim-kerja/{tims[0].pk}/")
    assert resp.content.decode().count('data-testid="anggota-baris"') == 2


def test_skp_page_matriks_and_pohon_show_the_team(w: TimWorld) -> None:
    tim = make_tim(w)
    ketua_skp, (kolom,) = draft_with(w.ketua, TAHUN, ["Aplikasi layanan terpadu berjalan"])
    skp1, _ = draft_with(w.anggota1, TAHUN, ["Modul pengaduan selesai"], pimpinan=kolom)
    label = f"Tim: Tim Transformasi Digital (ketua {w.ketua.nama})"
    html = client_for(w.anggota1.user).get(f"/skp/{skp1.pk}/").content.decode()
    assert label in html
    ketua = client_for(w.ketua.user)
    html = ketua.get(f"/skp/{ketua_skp.pk}/").content.decode()
    assert f"/skp/{ketua_skp.pk}/matriks/?tim={tim.pk}" in html
    html = ketua.get(f"/skp/{ketua_skp.pk}/matriks/?tim={tim.pk}").content.decode()
    assert html.count('data-testid="mph-baris"') == 2
    assert "Modul pengaduan selesai" in html
    assert 'data-testid="mph-tim-pdf"' in html
    assert ketua.get(f"/skp/{ketua_skp.pk}/matriks/?tim=0").status_code == 404
    html = client_for(w.org.admin.user).get(f"/skp/pohon/?tahun={TAHUN}").content.decode()
    assert 'data-testid="pohon-tim"' in html
    assert label in html


def test_team_matrix_pdf_job_takes_only_the_ketuas_team(w: TimWorld) -> None:
    from django.template.loader import render_to_string

    from kinerja.models import Job
    from skp.documents import MATRIKS_TEMPLATE, matriks_document_kwargs
    from skp.models import Skp
    from tests.conftest import private_celery_queue

    tim = make_tim(w)
    ketua_skp, (kolom,) = draft_with(w.ketua, TAHUN, ["Aplikasi layanan terpadu berjalan"])
    draft_with(w.anggota1, TAHUN, ["Modul pengaduan selesai"], pimpinan=kolom)
    lain = make_tim(w, nama="Tim Lain", anggota=[w.org.rekan])
    with scope(instansi=w.org.instansi.pk):
        from kinerja.services.tim import tim_update

        tim_update(actor=w.org.admin.user, tim=lain, ketua=w.anggota2.nip)  # another ketua's team
    ketua = client_for(w.ketua.user)
    with private_celery_queue("tim-mph"):
        resp = ketua.post(
            "/dokumen/jobs/matriks_peran_hasil_pdf/mulai/", {"skp": ketua_skp.pk, "tim": tim.pk}
        )
        assert resp.status_code == 302
        bad = ketua.post(
            "/dokumen/jobs/matriks_peran_hasil_pdf/mulai/", {"skp": ketua_skp.pk, "tim": lain.pk}
        )
        assert bad.status_code == 404
    with scope(instansi=w.org.instansi.pk):
        job = Job.objects.get(jenis="matriks_peran_hasil_pdf")
        assert job.params == {"skp": ketua_skp.pk, "tim": tim.pk}
        skp = Skp.objects.select_related("pegawai__jabatan", "pegawai__unit_kerja").get(pk=ketua_skp.pk)
        kw = matriks_document_kwargs(leader_skp=skp, instansi=w.org.instansi, tim=tim)
        plain = matriks_document_kwargs(leader_skp=skp, instansi=w.org.instansi)
    assert kw["sumber_versi"] != plain["sumber_versi"]  # one signed document per team matrix
    html = render_to_string(MATRIKS_TEMPLATE, kw["context"])
    assert (
        "KETUA TIM &rarr; ANGGOTA TIM: TIM TRANSFORMASI DIGITAL" in html
        or "ANGGOTA TIM: TIM TRANSFORMASI DIGITAL" in html
    )
    assert "Modul pengaduan selesai" in html
    assert w.anggota1.unit_kerja.nama in html


def test_team_matrix_page_and_api_query_counts_do_not_grow_with_anggota(w: TimWorld, api: Any) -> None:
    """Issue #16 "query-count tests on the new pages": the team's Matriks Peran Hasil (page and
    ``?tim=`` API) costs the same for 2 anggota as for 8, each with a result from the ketua's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kinerja.services.tim import tim_anggota_add
    from tests.factories import PegawaiFactory

    tim = make_tim(w)
    ketua_skp, (kolom,) = draft_with(w.ketua, TAHUN, ["Aplikasi layanan terpadu berjalan"])
    for p in (w.anggota1, w.anggota2):
        draft_with(p, TAHUN, [f"Modul {p.nama}"], pimpinan=kolom)
    page = f"/skp/{ketua_skp.pk}/matriks/?tim={tim.pk}"
    rest = f"/api/v1/skp/{ketua_skp.pk}/matriks/?tim={tim.pk}"
    web, token = client_for(w.ketua.user), api(w.ketua.user)
    web.get(page)  # warm the session and caches

    def count(client: Any, url: str, rows: int) -> int:
        with CaptureQueriesContext(connection) as q:
            resp = client.get(url)
        assert resp.status_code == 200
        if url == page:
            assert resp.content.decode().count('data-testid="mph-baris"') == rows
        else:
            assert len(resp.json()["baris"]) == rows
        return len(q)

    small = (count(web, page, 2), count(token, rest, 2))
    extra = [
        PegawaiFactory(
            instansi=w.org.instansi,
            unit_kerja=w.anggota2.unit_kerja,
            jabatan=w.anggota2.jabatan,
            atasan=w.kabid_ti,
        )
        for _ in range(6)
    ]
    with scope(instansi=w.org.instansi.pk):
        tim = TimKerja.objects.get(pk=tim.pk)
        tim_anggota_add(actor=w.org.admin.user, tim=tim, anggota=[p.nip for p in extra])
    for p in extra:
        draft_with(p, TAHUN, [f"Modul {p.nama}"], pimpinan=kolom)
    big = (count(web, page, 8), count(token, rest, 8))
    assert big == small, (small, big)
    assert small[0] <= 30
