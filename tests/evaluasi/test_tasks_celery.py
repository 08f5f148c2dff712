"""The December batch through a REAL Celery worker and the real Redis broker (transactional DB)."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from evaluasi.models import BatchChunk, Evaluasi
from tests.conftest import Org
from tests.evaluasi.conftest import ensure_all, make_skp, rows_snapshot, set_rating, wait_for_job
from tests.factories import PegawaiFactory

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

SE, DA = "sesuai_ekspektasi", "di_atas_ekspektasi"


def _year(org: Org, n: int) -> None:
    people = [org.pegawai, org.rekan] + [
        PegawaiFactory(
            instansi=org.instansi,
            unit_kerja=org.pegawai.unit_kerja,
            jabatan=org.pegawai.jabatan,
            atasan=org.atasan,
        )
        for _ in range(n)
    ]
    for p in people:
        make_skp(p)
    ensure_all(org.instansi)
    for i, p in enumerate(people):
        if i != 1:  # the rekan stays unrated
            set_rating(p, [SE, DA][i % 2], SE)


def test_api_batch_runs_on_a_real_worker_and_resumes_after_a_dead_chunk(
    org_a: Org, org_b: Org, api: Any, settings: Any, celery_worker_evaluasi: str
) -> None:
    settings.EVALUASI_BATCH_SIZE = 2
    _year(org_a, 5)
    _year(org_b, 5)
    admin = api(org_a.admin.user)

    # a dry run first: the worker computes, nothing is written
    before = rows_snapshot(org_a.instansi)
    resp = admin.post("/api/v1/tahunan/", {"tahun": 2026, "dry_run": True}, format="json")
    assert resp.status_code == 202
    dry = wait_for_job(resp.json()["job"])
    assert dry.status == "selesai", dry.pesan
    assert rows_snapshot(org_a.instansi) == before
    status = admin.get(f"/api/v1/jobs/{dry.pk}/").json()
    assert status["status"] == "selesai"
    assert status["progress"] == 100
    assert status["detail"]["dry_run"] is True

    # the real run dies in its second finalisation chunk (as if the worker were killed there)
    settings.EVALUASI_BATCH_GAGAL = {"tahap": "final", "urutan": 1}
    failed = wait_for_job(admin.post("/api/v1/tahunan/", {"tahun": 2026}, format="json").json()["job"])
    assert failed.status == "gagal"
    assert admin.get(f"/api/v1/jobs/{failed.pk}/").json()["status"] == "gagal"
    with scopes_disabled():
        assert BatchChunk._base_manager.filter(instansi=org_a.instansi, tahap="final").count() == 1

    # the next run finishes the rest
    settings.EVALUASI_BATCH_GAGAL = None
    done = wait_for_job(admin.post("/api/v1/tahunan/", {"tahun": 2026}, format="json").json()["job"])
    assert done.status == "selesai", done.pesan
    assert done.detail["chunk"]["final_dilewati"] == 1
    assert done.detail["ringkasan"] == dry.detail["ringkasan"]

    # identical to a clean run of the same data in instansi B (through the same worker)
    clean = wait_for_job(
        api(org_b.admin.user).post("/api/v1/tahunan/", {"tahun": 2026}, format="json").json()["job"]
    )
    assert clean.detail["ringkasan"] == done.detail["ringkasan"]
    with scopes_disabled():
        a = sorted(
            Evaluasi._base_manager.filter(instansi=org_a.instansi).values_list(
                "jenis", "periode__nomor", "predikat", "status"
            ),
            key=repr,
        )
        b = sorted(
            Evaluasi._base_manager.filter(instansi=org_b.instansi).values_list(
                "jenis", "periode__nomor", "predikat", "status"
            ),
            key=repr,
        )
    assert a == b
    assert sum(1 for r in a if r[0] == "tahunan" and r[3] == "final") == 6  # 7 pegawai, the rekan unrated

    # running it again changes nothing
    snap = rows_snapshot(org_a.instansi)
    again = wait_for_job(admin.post("/api/v1/tahunan/", {"tahun": 2026}, format="json").json()["job"])
    assert again.status == "selesai"
    assert rows_snapshot(org_a.instansi) == snap
