"""Ratings carry an optimistic lock (issue #15): ``versi`` in GET, PATCH with a stale one → 409, and the
signed Dokumen Evaluasi Kinerja is only ever the state that was saved last.

The attack of the issue: 20 parallel PATCHes from the same (then stale) version all answered 200 and 19
were silently lost, and PDFs were signed for intermediate states. Reproduced with real threads and real
transactions (``transactional_db``: each thread has its own PostgreSQL connection and commits).
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django_scopes import scope, scopes_disabled

from evaluasi import tasks
from evaluasi.documents import evaluasi_dokumen_versi
from evaluasi.models import Evaluasi, JenisEvaluasi
from evaluasi.services_dokumen import evaluasi_dokumen_buat
from kinerja.models import AuditLog, Dokumen, JenisDokumen
from tests.conftest import Org, build_org
from tests.evaluasi.conftest import TAHUN, ensure_all, make_skp, periode

DA, SE, DB = "di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"
RATINGS = [(hk, pk) for hk in (DA, SE, DB) for pk in (DA, SE, DB)]


@pytest.fixture(autouse=True)
def _own_media_and_cache(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The document tasks the ratings queue (after commit), recorded instead of sent to a broker."""
    calls: list[tuple[Any, ...]] = []
    lock = threading.Lock()

    def record(*args: Any, **kwargs: Any) -> None:
        with lock:
            calls.append(args)

    monkeypatch.setattr(tasks.evaluasi_dokumen_task, "delay", record)
    return calls


def _q1_evaluasi(org: Org) -> Evaluasi:
    make_skp(org.pegawai)
    ensure_all(org.instansi)
    q1 = periode(org.instansi, 1)
    with scopes_disabled():
        return Evaluasi._base_manager.get(
            instansi=org.instansi, pegawai=org.pegawai, periode=q1, jenis=JenisEvaluasi.PERIODIK
        )


def _patch(api: Any, org: Org, ev_id: int, hk: str, pk: str, **extra: Any) -> Any:
    body = {"rating_hasil_kerja": hk, "rating_perilaku_kerja": pk, "justifikasi": f"{hk} / {pk}", **extra}
    return api(org.atasan.user).patch(f"/api/v1/evaluasi/{ev_id}/", body, format="json")


@pytest.mark.django_db
def test_versi_in_get_and_list_and_a_stale_patch_is_409(org_a: Org, api: Any) -> None:
    # given a periodic evaluation the atasan may rate
    ev = _q1_evaluasi(org_a)
    client = api(org_a.atasan.user)
    got = client.get(f"/api/v1/evaluasi/{ev.pk}/").json()
    assert got["versi"] == 1
    listed = client.get("/api/v1/evaluasi/", {"tahun": TAHUN}).json()["results"]
    assert all(isinstance(row["versi"], int) for row in listed)

    # when rating with the version of the GET: 200, the version moves on
    ok = _patch(api, org_a, ev.pk, DA, DA, versi=got["versi"])
    assert ok.status_code == 200, ok.content
    assert ok.json()["versi"] == 2
    assert ok.json()["predikat"] == "sangat_baik"

    # then a second writer still holding version 1 gets 409 with the current version, and nothing changes
    stale = _patch(api, org_a, ev.pk, DB, DB, versi=1)
    assert stale.status_code == 409, stale.content
    assert stale.json()["versi"] == 2
    assert "diubah" in stale.json()["detail"]
    with scopes_disabled():
        row = Evaluasi._base_manager.get(pk=ev.pk)
    assert (row.rating_hasil_kerja, row.predikat, row.versi) == (DA, "sangat_baik", 2)
    with scopes_disabled():
        assert (
            AuditLog._base_manager.filter(action="evaluasi.nilai_periodik", object_id=str(ev.pk)).count() == 1
        )

    # and a client that sends no versi (written before the check) still works, and bumps the version
    old_client = _patch(api, org_a, ev.pk, SE, SE)
    assert old_client.status_code == 200
    assert old_client.json()["versi"] == 3
    # a version that is not a number is a field error, not a 500
    bad = _patch(api, org_a, ev.pk, SE, SE, versi="dua")
    assert bad.status_code == 400
    assert "versi" in bad.json()["errors"]


@pytest.mark.django_db
def test_a_keberatan_decision_moves_the_version(org_a: Org, api: Any) -> None:
    """A stale rater page can never overwrite a predikat changed by a keberatan decision."""
    from evaluasi.services import evaluasi_nilai

    ev = _q1_evaluasi(org_a)
    with scope(instansi=org_a.instansi.pk):
        ev = Evaluasi.objects.get(pk=ev.pk)
        evaluasi_nilai(
            actor=org_a.atasan.user,
            evaluasi=ev,
            rating_hasil_kerja=SE,
            rating_perilaku_kerja=SE,
            justifikasi="x",
        )
        before = Evaluasi.objects.get(pk=ev.pk).versi
        Evaluasi.objects.filter(pk=ev.pk).update(status="final", final_at=ev.created_at)
        from evaluasi.models import Keberatan
        from evaluasi.services import keberatan_putus

        k = Keberatan.objects.create(
            instansi=org_a.instansi,
            evaluasi=ev,
            pegawai=org_a.pegawai,
            alasan="Tidak sesuai",
            predikat_semula="baik",
        )
        keberatan_putus(
            actor=org_a.kepala.user,
            keberatan=k,
            terima=True,
            catatan="Diterima",
            rating_hasil_kerja="di_atas_ekspektasi",
            rating_perilaku_kerja="di_atas_ekspektasi",
        )
        assert Evaluasi.objects.get(pk=ev.pk).versi == before + 1


def _race(org: Org, ev_id: int, versi: int, n: int) -> list[tuple[int, tuple[str, str], dict[str, Any]]]:
    """``n`` PATCHes released at the same moment, each from its own thread/connection, same ``versi``."""
    from tests.conftest import api_client_for

    barrier = threading.Barrier(n)
    results: list[tuple[int, tuple[str, str], dict[str, Any]]] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        hk, pk = RATINGS[i % len(RATINGS)]
        client = api_client_for(org.atasan.user)
        try:
            barrier.wait(timeout=30)
            resp = client.patch(
                f"/api/v1/evaluasi/{ev_id}/",
                {
                    "rating_hasil_kerja": hk,
                    "rating_perilaku_kerja": pk,
                    "justifikasi": f"#{i}",
                    "versi": versi,
                },
                format="json",
            )
            with lock:
                results.append((resp.status_code, (hk, pk), resp.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_patches_with_one_version_one_wins_and_only_the_final_state_is_signed(
    queued: list[tuple[Any, ...]],
) -> None:
    # given an evaluation rated once (its document task queued for that state), then read by 20 clients
    org = build_org("A")
    ev = _q1_evaluasi(org)
    from tests.conftest import api_client_for

    first = api_client_for(org.atasan.user).patch(
        f"/api/v1/evaluasi/{ev.pk}/",
        {"rating_hasil_kerja": DB, "rating_perilaku_kerja": DB, "justifikasi": "awal", "versi": 1},
        format="json",
    )
    assert first.status_code == 200, first.content
    versi = first.json()["versi"]

    # when 20 PATCHes with that same version race each other
    results = _race(org, ev.pk, versi, 20)

    # then exactly one is saved and 19 are told (409) that they are stale, none is lost silently
    codes = Counter(code for code, _r, _b in results)
    assert codes == {200: 1, 409: 19}, codes
    winner = next((rating, body) for code, rating, body in results if code == 200)
    assert all(body["versi"] == versi + 1 for code, _r, body in results if code == 409)
    with scopes_disabled():
        row = Evaluasi._base_manager.get(pk=ev.pk)
        audits = AuditLog._base_manager.filter(action="evaluasi.nilai_periodik", object_id=str(ev.pk)).count()
    assert (row.rating_hasil_kerja, row.rating_perilaku_kerja) == winner[0]
    assert row.versi == versi + 1 == winner[1]["versi"]
    assert audits == 2  # the first rating and the one winner

    # and when the queued document tasks run, oldest last (a worker may pick them in any order),
    # only the final state is rendered and signed
    assert len(queued) == 2, queued
    assert {args[2] for args in queued} == {versi, versi + 1}
    made: list[int] = []
    with scope(instansi=org.instansi.pk):
        for _tenant_id, ids, task_versi in reversed(queued):
            made += evaluasi_dokumen_buat(instansi=org.instansi, evaluasi_ids=ids, versi=task_versi)
        docs = list(Dokumen.objects.filter(jenis=JenisDokumen.EVALUASI_KINERJA, sumber_id=ev.pk))
        final = Evaluasi.objects.get(pk=ev.pk)
        assert [d.pk for d in docs] == made
        assert len(docs) == 1
        assert docs[0].sumber_versi == evaluasi_dokumen_versi(final)


@pytest.mark.django_db(transaction=True)
def test_a_rating_saved_while_the_pdf_is_rendered_makes_the_render_discard_it(
    queued: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a rated evaluation whose document task is about to render
    org = build_org("A")
    ev = _q1_evaluasi(org)
    from tests.conftest import api_client_for

    assert (
        api_client_for(org.atasan.user)
        .patch(
            f"/api/v1/evaluasi/{ev.pk}/",
            {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "awal", "versi": 1},
            format="json",
        )
        .status_code
        == 200
    )
    from kinerja.services import dokumen as dokumen_services

    real = dokumen_services.html_to_pdf
    rerated: list[int] = []

    def slow_render(html: str) -> bytes:
        # while the PDF is being made, the Pejabat Penilai saves a new rating (own connection, committed)
        def rate() -> None:
            try:
                resp = api_client_for(org.atasan.user).patch(
                    f"/api/v1/evaluasi/{ev.pk}/",
                    {
                        "rating_hasil_kerja": DA,
                        "rating_perilaku_kerja": DA,
                        "justifikasi": "revisi",
                        "versi": 2,
                    },
                    format="json",
                )
                rerated.append(resp.status_code)
            finally:
                connection.close()

        if not rerated:
            t = threading.Thread(target=rate)
            t.start()
            t.join(timeout=60)
        return real(html)

    monkeypatch.setattr(dokumen_services, "html_to_pdf", slow_render)

    # when the task of the first state runs
    with scope(instansi=org.instansi.pk):
        made = evaluasi_dokumen_buat(instansi=org.instansi, evaluasi_ids=[ev.pk], versi=2)
        # then the stale render is discarded: nothing stored, no orphan file
        assert rerated == [200]
        assert made == []
        assert not Dokumen.objects.filter(sumber_id=ev.pk, jenis=JenisDokumen.EVALUASI_KINERJA).exists()
        # and the task of the new state signs the new state
        made = evaluasi_dokumen_buat(instansi=org.instansi, evaluasi_ids=[ev.pk], versi=3)
        final = Evaluasi.objects.get(pk=ev.pk)
        dok = Dokumen.objects.get(pk=made[0])
        assert dok.sumber_versi == evaluasi_dokumen_versi(final)
    assert final.predikat == "sangat_baik"
    from django.conf import settings

    media = Path(settings.MEDIA_ROOT)
    assert [p.name for p in media.rglob("*.pdf")] == [Path(dok.berkas.name).name]


@pytest.mark.django_db
def test_web_rating_form_carries_the_version_and_explains_a_conflict(org_a: Org) -> None:
    # given the rating page opened in two tabs
    ev = _q1_evaluasi(org_a)
    c = Client()
    c.force_login(org_a.atasan.user)
    page = c.get(f"/evaluasi/{ev.pk}/")
    assert page.status_code == 200
    assert b'name="versi" value="1"' in page.content
    form = {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "tab satu", "versi": "1"}

    # when the first tab saves, then the second (same version) saves
    assert c.post(f"/evaluasi/{ev.pk}/", form).status_code == 302
    resp = c.post(f"/evaluasi/{ev.pk}/", {**form, "rating_hasil_kerja": DB, "justifikasi": "tab dua"})

    # then the second gets a friendly conflict message (not a 500, not a silent overwrite), keeping its input
    assert resp.status_code == 409
    html = resp.content.decode()
    assert 'data-testid="pesan-konflik"' in html
    assert "telah diubah orang lain" in html
    assert "tab dua" in html
    with scopes_disabled():
        assert Evaluasi._base_manager.get(pk=ev.pk).justifikasi == "tab satu"
