"""Keberatan: within Instansi.keberatan_hari calendar days of delivery (annual: finalisation); the atasan
of the Pejabat Penilai decides (accept with new ratings, the predikat following the matrix, or reject with
reasons); everything audited. Periodic results: tests/evaluasi/test_aturan_keberatan.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_scopes import scopes_disabled

from evaluasi.models import Evaluasi, Keberatan, TindakLanjut
from kinerja.models import AuditLog, Instansi
from tests.conftest import Org
from tests.evaluasi.conftest import ensure_all, make_skp, set_rating

pytestmark = pytest.mark.django_db

FINAL_AT = dt.datetime(2026, 12, 30, 3, 0, tzinfo=dt.UTC)  # 10:00 WIB, 30 Dec


@pytest.fixture
def final_eval(org_a: Org, run_batch: Any, time_machine: Any) -> Evaluasi:
    """The pegawai's annual evaluation, rated kurang/misconduct and finalised by the batch on 30 Dec."""
    time_machine.move_to(FINAL_AT)
    make_skp(org_a.pegawai)
    ensure_all(org_a.instansi)
    set_rating(org_a.pegawai, "sesuai_ekspektasi", "di_bawah_ekspektasi")
    run_batch(org_a)
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(instansi=org_a.instansi, pegawai=org_a.pegawai, jenis="tahunan")
    assert ev.status == "final"
    assert ev.predikat == "kurang_misconduct"
    return ev


def test_object_on_the_last_day_then_atasan_penilai_accepts(
    org_a: Org, final_eval: Evaluasi, api: Any, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2027, 1, 13, 16, 59, tzinfo=dt.UTC))  # 13 Jan 23:59 WIB = day 14
    resp = api(org_a.pegawai.user).post(
        f"/api/v1/evaluasi/{final_eval.pk}/keberatan/",
        {"alasan": "Bukti dukung Q4 belum dipertimbangkan."},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    kb = resp.json()
    assert kb["status"] == "diajukan"
    assert kb["predikat_semula"] == "kurang_misconduct"
    assert kb["pemutus"] == org_a.kepala.pk  # atasan of the Pejabat Penilai
    from dialog.models import Notifikasi

    with scopes_disabled():
        assert Notifikasi._base_manager.filter(penerima=org_a.kepala.user, jenis="keberatan").count() == 1
    # only once
    again = api(org_a.pegawai.user).post(
        f"/api/v1/evaluasi/{final_eval.pk}/keberatan/", {"alasan": "lagi"}, format="json"
    )
    assert again.status_code == 409
    # the Pejabat Penilai himself, the pegawai, the admin: not the decider → 404
    for who in (org_a.atasan, org_a.pegawai, org_a.admin):
        r = api(who.user).post(
            f"/api/v1/keberatan/{kb['id']}/putus/",
            {
                "terima": True,
                "rating_hasil_kerja": "sesuai_ekspektasi",
                "rating_perilaku_kerja": "sesuai_ekspektasi",
                "catatan": "x",
            },
            format="json",
        )
        assert r.status_code == 404, who
    # accepting requires changed ratings and reasons
    kepala = api(org_a.kepala.user)
    r = kepala.post(
        f"/api/v1/keberatan/{kb['id']}/putus/",
        {
            "terima": True,
            "rating_hasil_kerja": "sesuai_ekspektasi",
            "rating_perilaku_kerja": "di_bawah_ekspektasi",
            "catatan": "x",
        },
        format="json",
    )
    assert r.status_code == 400
    assert "rating_hasil_kerja" in r.json()["errors"]
    r = kepala.post(
        f"/api/v1/keberatan/{kb['id']}/putus/",
        {
            "terima": True,
            "rating_hasil_kerja": "sesuai_ekspektasi",
            "rating_perilaku_kerja": "sesuai_ekspektasi",
            "catatan": "Bukti Q4 lengkap.",
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "diterima"
    assert r.json()["predikat_baru"] == "baik"
    final_eval.refresh_from_db()
    assert final_eval.predikat == "baik"
    assert (final_eval.rating_hasil_kerja, final_eval.rating_perilaku_kerja) == (
        "sesuai_ekspektasi",
        "sesuai_ekspektasi",
    )
    assert final_eval.status == "final"
    # the improvement window follows the new predikat
    with scopes_disabled():
        assert not TindakLanjut._base_manager.filter(instansi=org_a.instansi, pegawai=org_a.pegawai).exists()
        actions = set(AuditLog.objects.filter(instansi=org_a.instansi).values_list("action", flat=True))
    assert {"keberatan.ajukan", "keberatan.diterima", "evaluasi.predikat_keberatan"} <= actions
    # decided once
    r = kepala.post(f"/api/v1/keberatan/{kb['id']}/putus/", {"terima": False, "catatan": "x"}, format="json")
    assert r.status_code == 409
    # still locked for the Pejabat Penilai
    r = api(org_a.atasan.user).patch(
        f"/api/v1/evaluasi/{final_eval.pk}/",
        {
            "rating_hasil_kerja": "sesuai_ekspektasi",
            "rating_perilaku_kerja": "sesuai_ekspektasi",
            "justifikasi": "x",
        },
        format="json",
    )
    assert r.status_code == 409


def test_after_the_deadline_is_409(org_a: Org, final_eval: Evaluasi, api: Any, time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2027, 1, 13, 17, 1, tzinfo=dt.UTC))  # 14 Jan 00:01 WIB = day 15
    resp = api(org_a.pegawai.user).post(
        f"/api/v1/evaluasi/{final_eval.pk}/keberatan/", {"alasan": "Terlambat."}, format="json"
    )
    assert resp.status_code == 409


def test_deadline_is_configurable_per_instansi(
    org_a: Org, final_eval: Evaluasi, api: Any, time_machine: Any
) -> None:
    Instansi.objects.filter(pk=org_a.instansi.pk).update(keberatan_hari=30)
    time_machine.move_to(dt.datetime(2027, 1, 20, 9, 0, tzinfo=dt.UTC))
    resp = api(org_a.pegawai.user).post(
        f"/api/v1/evaluasi/{final_eval.pk}/keberatan/", {"alasan": "Masih dalam 30 hari."}, format="json"
    )
    assert resp.status_code == 201


def test_reject_with_reasons_keeps_predikat(
    org_a: Org, final_eval: Evaluasi, api: Any, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2027, 1, 2, 9, 0, tzinfo=dt.UTC))
    kb = (
        api(org_a.pegawai.user)
        .post(f"/api/v1/evaluasi/{final_eval.pk}/keberatan/", {"alasan": "Tidak setuju."}, format="json")
        .json()
    )
    kepala = api(org_a.kepala.user)
    r = kepala.post(f"/api/v1/keberatan/{kb['id']}/putus/", {"terima": False, "catatan": ""}, format="json")
    assert r.status_code == 400
    r = kepala.post(
        f"/api/v1/keberatan/{kb['id']}/putus/",
        {"terima": False, "catatan": "Penilaian sesuai bukti."},
        format="json",
    )
    assert r.status_code == 200
    assert r.json()["status"] == "ditolak"
    final_eval.refresh_from_db()
    assert final_eval.predikat == "kurang_misconduct"
    with scopes_disabled():
        assert TindakLanjut._base_manager.filter(
            instansi=org_a.instansi, pegawai=org_a.pegawai, jenis="perbaikan_kinerja"
        ).exists()
        assert AuditLog.objects.filter(action="keberatan.ditolak").exists()


def test_not_final_or_not_own_cannot_object(org_a: Org, api: Any, time_machine: Any) -> None:
    time_machine.move_to(FINAL_AT)
    make_skp(org_a.pegawai)
    make_skp(org_a.rekan)
    ensure_all(org_a.instansi)
    set_rating(org_a.pegawai, "sesuai_ekspektasi", "sesuai_ekspektasi")
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(instansi=org_a.instansi, pegawai=org_a.pegawai, jenis="tahunan")
    assert (
        api(org_a.pegawai.user)
        .post(f"/api/v1/evaluasi/{ev.pk}/keberatan/", {"alasan": "x"}, format="json")
        .status_code
        == 409
    )
    assert (
        api(org_a.rekan.user)
        .post(f"/api/v1/evaluasi/{ev.pk}/keberatan/", {"alasan": "x"}, format="json")
        .status_code
        == 404
    )


def test_keberatan_on_the_web(org_a: Org, final_eval: Evaluasi, time_machine: Any) -> None:
    from django.test import Client

    time_machine.move_to(dt.datetime(2027, 1, 2, 9, 0, tzinfo=dt.UTC))
    c = Client()
    c.force_login(org_a.pegawai.user)
    page = c.get(f"/evaluasi/{final_eval.pk}/").content.decode()
    assert "Ajukan keberatan" in page
    assert "13 Januari 2027" in page
    assert c.post(f"/evaluasi/{final_eval.pk}/keberatan/", {"alasan": "Mohon ditinjau."}).status_code == 302
    with scopes_disabled():
        kb = Keberatan._base_manager.get(evaluasi=final_eval)
    k = Client()
    k.force_login(org_a.kepala.user)
    assert "Mohon ditinjau." in k.get(f"/evaluasi/keberatan/{kb.pk}/").content.decode()
    assert (
        k.post(
            f"/evaluasi/keberatan/{kb.pk}/",
            {
                "terima": "1",
                "rating_hasil_kerja": "sesuai_ekspektasi",
                "rating_perilaku_kerja": "sesuai_ekspektasi",
                "catatan": "Diterima.",
            },
        ).status_code
        == 302
    )
    final_eval.refresh_from_db()
    assert final_eval.predikat == "baik"
    other = Client()
    other.force_login(org_a.atasan.user)
    assert other.get(f"/evaluasi/keberatan/{kb.pk}/").status_code == 404
