"""Two instansi and an outsider: every evaluasi URL and endpoint with an id of instansi A is 404 for
instansi B's admin (who holds every role in B), for GET and for writes; nothing of A changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from evaluasi.models import Evaluasi, Keberatan, KinerjaOrganisasi
from kinerja.models import Job
from tests.conftest import Org
from tests.evaluasi.conftest import ensure_all, make_skp, periode, rows_snapshot, set_rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids_a(org_a: Org, run_batch: Any, time_machine: Any) -> dict[str, int]:
    time_machine.move_to(dt.datetime(2026, 12, 30, 3, 0, tzinfo=dt.UTC))
    make_skp(org_a.pegawai)
    ensure_all(org_a.instansi)
    set_rating(org_a.pegawai, "sesuai_ekspektasi", "sesuai_ekspektasi")
    job = run_batch(org_a)
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(instansi=org_a.instansi, pegawai=org_a.pegawai, jenis="tahunan")
        kb = Keberatan._base_manager.create(
            instansi=org_a.instansi,
            evaluasi=ev,
            pegawai=org_a.pegawai,
            pemutus=org_a.kepala,
            alasan="x",
            predikat_semula="baik",
        )
        KinerjaOrganisasi._base_manager.create(
            instansi=org_a.instansi,
            unit_kerja=org_a.pegawai.unit_kerja,
            tahun=2026,
            predikat="baik",
            justifikasi="x",
        )
    return {
        "ev": ev.pk,
        "kb": kb.pk,
        "unit": org_a.pegawai.unit_kerja_id,
        "periode": periode(org_a.instansi, 4).pk,
        "job": job.pk,
    }


RATING = {
    "rating_hasil_kerja": "di_atas_ekspektasi",
    "rating_perilaku_kerja": "di_atas_ekspektasi",
    "justifikasi": "x",
}

API = [
    ("get", "/api/v1/evaluasi/{ev}/", None),
    ("patch", "/api/v1/evaluasi/{ev}/", RATING),
    ("post", "/api/v1/evaluasi/{ev}/keberatan/", {"alasan": "x"}),
    (
        "post",
        "/api/v1/keberatan/{kb}/putus/",
        {
            "terima": True,
            "rating_hasil_kerja": "di_atas_ekspektasi",
            "rating_perilaku_kerja": "di_atas_ekspektasi",
            "catatan": "x",
        },
    ),
    ("get", "/api/v1/kinerja-organisasi/{unit}/?tahun=2026", None),
    (
        "put",
        "/api/v1/kinerja-organisasi/{unit}/",
        {"tahun": 2026, "predikat": "istimewa", "justifikasi": "x"},
    ),
    ("get", "/api/v1/evaluasi/?periode={periode}", None),
    ("get", "/api/v1/jobs/{job}/", None),
]

WEB = [
    ("get", "/evaluasi/{ev}/", None),
    ("post", "/evaluasi/{ev}/", RATING),
    ("post", "/evaluasi/{ev}/keberatan/", {"alasan": "x"}),
    ("get", "/evaluasi/keberatan/{kb}/", None),
    (
        "post",
        "/evaluasi/keberatan/{kb}/",
        {
            "terima": "1",
            "rating_hasil_kerja": "di_atas_ekspektasi",
            "rating_perilaku_kerja": "di_atas_ekspektasi",
            "catatan": "x",
        },
    ),
    ("get", "/evaluasi/unit/{unit}/?tahun=2026", None),
    (
        "post",
        "/evaluasi/unit/{unit}/?tahun=2026",
        {"aksi": "predikat", "predikat": "istimewa", "justifikasi": "x"},
    ),
    ("get", "/evaluasi/laporan/unit/{unit}/?tahun=2026", None),
    ("get", "/evaluasi/laporan/?tahun=2026&periode={periode}", None),
    ("get", "/evaluasi/?tahun=2026&periode={periode}", None),
    ("get", "/evaluasi/tahunan/{job}/", None),
    ("get", "/jobs/{job}/kemajuan/", None),
]


@pytest.mark.parametrize(("method", "url", "body"), API)
def test_api_ids_of_a_are_404_for_b(
    org_a: Org, outsider: Any, api: Any, ids_a: dict[str, int], method: str, url: str, body: Any
) -> None:
    before = rows_snapshot(org_a.instansi)
    client = api(outsider.user)
    resp = (
        getattr(client, method)(url.format(**ids_a), body, format="json")
        if body
        else getattr(client, method)(url.format(**ids_a))
    )
    assert resp.status_code == 404, (url, resp.status_code, resp.content[:200])
    assert set(resp.json()) <= {"detail", "errors"}
    assert rows_snapshot(org_a.instansi) == before


@pytest.mark.parametrize(("method", "url", "body"), WEB)
def test_web_ids_of_a_are_404_for_b(
    org_a: Org, outsider: Any, ids_a: dict[str, int], method: str, url: str, body: Any
) -> None:
    before = rows_snapshot(org_a.instansi)
    with scopes_disabled():
        kb_before = list(Keberatan._base_manager.values_list("status", flat=True))
        org_before = list(KinerjaOrganisasi._base_manager.values_list("predikat", flat=True))
    c = Client()
    c.force_login(outsider.user)
    resp = getattr(c, method)(url.format(**ids_a), body or {})
    assert resp.status_code == 404, (url, resp.status_code)
    assert rows_snapshot(org_a.instansi) == before
    with scopes_disabled():
        assert list(Keberatan._base_manager.values_list("status", flat=True)) == kb_before
        assert list(KinerjaOrganisasi._base_manager.values_list("predikat", flat=True)) == org_before


def test_b_admin_batch_never_touches_a(org_a: Org, org_b: Org, ids_a: dict[str, int], api: Any) -> None:
    before = rows_snapshot(org_a.instansi)
    resp = api(org_b.admin.user).post("/api/v1/tahunan/", {"tahun": 2026, "dry_run": False}, format="json")
    assert resp.status_code == 202
    with scopes_disabled():
        job = Job._base_manager.get(pk=resp.json()["job"])
    assert job.instansi_id == org_b.instansi.pk
    from django_scopes import scope

    from evaluasi.batch import tahunan_batch_run

    with scope(instansi=org_b.instansi.pk):
        tahunan_batch_run(job_id=job.pk)
    assert rows_snapshot(org_a.instansi) == before


def test_tahunan_api_contract_and_roles(org_a: Org, api: Any) -> None:
    resp = api(org_a.admin.user).post("/api/v1/tahunan/", {"tahun": 2026, "dry_run": True}, format="json")
    assert resp.status_code == 202
    assert set(resp.json()) == {"job"}
    job = api(org_a.admin.user).get(f"/api/v1/jobs/{resp.json()['job']}/").json()
    assert job["status"] == "antri"
    assert job["progress"] == 0
    assert "detail" in job
    assert api(org_a.admin.user).post("/api/v1/tahunan/", {"tahun": 1999}, format="json").status_code == 400
    for who in (org_a.hr, org_a.atasan, org_a.pegawai):
        assert api(who.user).post("/api/v1/tahunan/", {"tahun": 2026}, format="json").status_code == 404
