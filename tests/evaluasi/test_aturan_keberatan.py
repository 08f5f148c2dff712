"""Issue #17: keberatan on periodic results from delivery, the delivery date, and an accepted keberatan
setting new ratings with the predikat always the matrix cell of the ratings shown.

Sources: domain.md "Product decisions", row "Keberatan on periodic results" (a periodic result is
delivered, and the 14 days start, when the Pejabat Penilai rates it; an accepted keberatan sets new
ratings; the predikat always follows the matrix from the ratings it shows); domain.md §6.4 (the matrix)."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django_scopes import scopes_disabled

from evaluasi import jendela as J
from evaluasi import scoring
from evaluasi.models import Evaluasi, Keberatan
from kinerja.models import AuditLog
from tests.conftest import Org
from tests.evaluasi.conftest import ensure_all, make_skp, periode

DA, SE, DB = "di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"
WIB = dt.timezone(dt.timedelta(hours=7))


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=WIB)


# ---------------------------------------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("diterima", "hari", "batas"),
    [
        (dt.date(2026, 4, 3), 14, dt.date(2026, 4, 17)),  # "the 14 days start when the PPK rates it"
        (dt.date(2026, 12, 25), 14, dt.date(2027, 1, 8)),  # across the year end
        (dt.date(2026, 4, 3), 30, dt.date(2026, 5, 3)),  # Instansi.keberatan_hari configurable
        (None, 14, None),  # not delivered yet: no keberatan
    ],
)
def test_keberatan_deadline_counts_from_delivery_domain_keberatan_on_periodic_results(
    diterima: dt.date | None, hari: int, batas: dt.date | None
) -> None:
    """domain.md "Keberatan on periodic results": delivered (and the 14 days start) when rated."""
    assert J.keberatan_batas(diterima=diterima, hari=hari) == batas


@pytest.mark.parametrize(("hk", "pk"), list(itertools.product([DA, SE, DB], repeat=2)))
def test_predikat_condition_accepts_only_the_matrix_cell_domain_6_4(hk: str, pk: str) -> None:
    """domain §6.4: for each rating pair exactly one predikat (or none yet) satisfies the constraint."""
    q = scoring.predikat_cocok_q("h", "p", "x")
    cocok = {pred for pred in ("", *scoring.PREDIKAT_ORDER) if _q_match(q, {"h": hk, "p": pk, "x": pred})}
    assert cocok == {"", scoring.MATRIKS_PREDIKAT[(hk, pk)]}


def _q_match(node: Any, row: dict[str, str]) -> bool:
    """Evaluate a Q tree of exact lookups against ``row`` (test helper for the pure condition)."""
    if isinstance(node, tuple):
        return row[node[0]] == node[1]
    results = [_q_match(c, row) for c in node.children]
    return all(results) if node.connector == "AND" else any(results)


def test_migration_maps_a_decided_predikat_to_the_nearest_rating_pair_domain_6_4() -> None:
    """evaluasi/0009 step 3: an old accepted keberatan keeps its predikat; the new ratings are the matrix
    pair giving it with the fewest changes (e.g. Sesuai/Di Bawah decided Baik → Sesuai/Sesuai)."""
    mig = importlib.import_module("evaluasi.migrations.0009_aturan1_jendela_diterima_matriks")
    assert {(str(a), str(b)): str(p) for (a, b), p in scoring.MATRIKS_PREDIKAT.items()} == mig.MATRIKS
    assert mig.pasangan_terdekat(SE, DB, "baik") == (SE, SE)
    assert mig.pasangan_terdekat(SE, DB, "sangat_baik") == (DA, DA)
    assert mig.pasangan_terdekat(SE, DB, "butuh_perbaikan") == (DB, SE)
    assert mig.pasangan_terdekat(DB, DB, "kurang_misconduct") == (SE, DB)  # one step, not two
    assert mig.pasangan_terdekat(DA, DA, "kurang_misconduct") == (DA, DB)
    for (hk, pk), pred in scoring.MATRIKS_PREDIKAT.items():
        for target in scoring.PREDIKAT_ORDER:
            pair = mig.pasangan_terdekat(hk, pk, target)
            assert scoring.predikat(*pair) == target
        assert mig.pasangan_terdekat(hk, pk, pred) == (hk, pk)


# ---------------------------------------------------------------------------------------------- database


@pytest.mark.django_db
def test_database_refuses_a_predikat_that_disagrees_with_the_ratings_domain_6_4(org_a: Org) -> None:
    """domain §6.4 as a CHECK constraint: every (rating, rating, predikat) combination tried in SQL;
    only the matrix cell is stored ("Sesuai / Di Bawah → Sangat Baik" can't exist)."""
    make_skp(org_a.pegawai)
    ensure_all(org_a.instansi)
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(instansi=org_a.instansi, pegawai=org_a.pegawai, jenis="tahunan")
    diterima, ditolak = set(), set()
    for hk, pk in itertools.product([DA, SE, DB], repeat=2):
        for pred in scoring.PREDIKAT_ORDER:
            try:
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute(
                        "UPDATE evaluasi_evaluasi SET rating_hasil_kerja = %s, rating_perilaku_kerja = %s, "
                        "predikat = %s WHERE id = %s",
                        [hk, pk, pred, ev.pk],
                    )
                diterima.add((hk, pk, pred))
            except IntegrityError as exc:
                ditolak.add(("evaluasi_predikat_sesuai_matriks" in str(exc), hk, pk, pred))
    assert {ok for ok, *_ in ditolak} == {True}  # refused by that constraint, not another one
    assert len(ditolak) == 9 * 5 - 9
    assert diterima == {(hk, pk, str(p)) for (hk, pk), p in scoring.MATRIKS_PREDIKAT.items()}
    assert (SE, DB, "sangat_baik") not in diterima


# ---------------------------------------------------------------------------------------------- through the API


def _rated_q2(org: Org, api: Any, hk: str = SE, pk: str = DB) -> Evaluasi:
    """Q2 (April-June) rated by the Pejabat Penilai on 3 July 2026 10:00 WIB through the API."""
    make_skp(org.pegawai)
    ensure_all(org.instansi)
    q2 = periode(org.instansi, 2)
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(instansi=org.instansi, pegawai=org.pegawai, periode=q2)
    r = api(org.atasan.user).patch(
        f"/api/v1/evaluasi/{ev.pk}/",
        {"rating_hasil_kerja": hk, "rating_perilaku_kerja": pk, "justifikasi": "Observasi langsung."},
        format="json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["diterima_at"] is not None
    with scopes_disabled():
        return Evaluasi._base_manager.get(pk=ev.pk)


@pytest.mark.django_db
def test_periodic_keberatan_from_delivery_before_any_batch_domain_keberatan_on_periodic_results(
    org_a: Org, org_b: Org, outsider: Any, api: Any, time_machine: Any
) -> None:
    """domain.md "Keberatan on periodic results": possible from the rating (delivery), not only after the
    year-end batch; the delivery time is recorded; 14 days from it."""
    time_machine.move_to(at(2026, 7, 3, 10))
    ev = _rated_q2(org_a, api)
    assert ev.status == "dinilai"
    assert abs(ev.diterima_at - at(2026, 7, 3, 10)) < dt.timedelta(seconds=30)
    url = f"/api/v1/evaluasi/{ev.pk}/keberatan/"
    # other instansi and the outsider: 404
    for who in (org_b.pegawai, outsider, org_a.rekan):
        assert api(who.user).post(url, {"alasan": "x"}, format="json").status_code == 404, who
    # day 14 (17 July 23:59 WIB) is still in time; the detail page says until when
    time_machine.move_to(at(2026, 7, 17, 23, 59))
    from django.test import Client

    web = Client()
    web.force_login(org_a.pegawai.user)
    html = web.get(f"/evaluasi/{ev.pk}/").content.decode()
    assert "Ajukan keberatan" in html
    assert "17 Juli 2026" in html
    assert 'data-testid="diterima">3 Juli 2026' in html
    r = api(org_a.pegawai.user).post(url, {"alasan": "Bukti kegiatan Mei belum dilihat."}, format="json")
    assert r.status_code == 201, r.content
    kb = r.json()
    assert (kb["rating_hasil_kerja_semula"], kb["rating_perilaku_kerja_semula"]) == (SE, DB)
    assert kb["predikat_semula"] == "kurang_misconduct"
    # while a keberatan exists the Pejabat Penilai can't re-rate around it
    r = api(org_a.atasan.user).patch(
        f"/api/v1/evaluasi/{ev.pk}/",
        {"rating_hasil_kerja": DA, "rating_perilaku_kerja": DA, "justifikasi": "x"},
        format="json",
    )
    assert r.status_code == 409
    assert "keberatan" in r.json()["detail"]


@pytest.mark.django_db
def test_periodic_keberatan_day_15_and_unrated_are_409(org_a: Org, api: Any, time_machine: Any) -> None:
    """domain.md "Keberatan on periodic results": 14 days from delivery; nothing delivered, nothing to object."""
    time_machine.move_to(at(2026, 7, 3, 10))
    ev = _rated_q2(org_a, api)
    q3 = periode(org_a.instansi, 3)
    with scopes_disabled():
        unrated = Evaluasi._base_manager.get(instansi=org_a.instansi, pegawai=org_a.pegawai, periode=q3)
    time_machine.move_to(at(2026, 7, 18, 0, 1))
    r = api(org_a.pegawai.user).post(f"/api/v1/evaluasi/{ev.pk}/keberatan/", {"alasan": "x"}, format="json")
    assert r.status_code == 409
    assert "14 hari setelah hasil diterima" in r.json()["detail"]
    r = api(org_a.pegawai.user).post(
        f"/api/v1/evaluasi/{unrated.pk}/keberatan/", {"alasan": "x"}, format="json"
    )
    assert r.status_code == 409
    assert "setelah Pejabat Penilai memberikan penilaian" in r.json()["detail"]


@pytest.mark.django_db
def test_rerating_delivers_again_and_restarts_the_days(org_a: Org, api: Any, time_machine: Any) -> None:
    """A re-rating before any keberatan delivers a new result: the days count from the new delivery."""
    time_machine.move_to(at(2026, 7, 3, 10))
    ev = _rated_q2(org_a, api)
    time_machine.move_to(at(2026, 7, 10, 10))
    r = api(org_a.atasan.user).patch(
        f"/api/v1/evaluasi/{ev.pk}/",
        {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "Dikoreksi."},
        format="json",
    )
    assert r.status_code == 200
    time_machine.move_to(at(2026, 7, 24, 12))  # day 14 after 10 July
    r = api(org_a.pegawai.user).post(f"/api/v1/evaluasi/{ev.pk}/keberatan/", {"alasan": "x"}, format="json")
    assert r.status_code == 201, r.content


@pytest.mark.django_db
def test_accepted_keberatan_sets_new_ratings_and_predikat_follows_the_matrix_domain_6_4(
    org_a: Org, api: Any, time_machine: Any
) -> None:
    """domain.md "Keberatan on periodic results": an accepted keberatan sets new ratings; the predikat
    always follows the matrix (§6.4) from the ratings it shows: never "Sesuai / Di Bawah → Sangat Baik"."""
    time_machine.move_to(at(2026, 7, 3, 10))
    ev = _rated_q2(org_a, api)
    time_machine.move_to(at(2026, 7, 6, 10))
    kb = api(org_a.pegawai.user).post(f"/api/v1/evaluasi/{ev.pk}/keberatan/", {"alasan": "x"}, format="json")
    url = f"/api/v1/keberatan/{kb.json()['id']}/putus/"
    kepala = api(org_a.kepala.user)
    # an old client choosing a predikat that the ratings don't give: 400, nothing changes
    r = kepala.post(
        url,
        {"terima": True, "rating_hasil_kerja": SE, "rating_perilaku_kerja": DB, "predikat_baru": "sangat_baik",
         "catatan": "x"},
        format="json",
    )  # fmt: skip
    assert r.status_code == 400
    assert "rating_hasil_kerja" in r.json()["errors"]  # unchanged ratings
    r = kepala.post(
        url,
        {"terima": True, "rating_hasil_kerja": DB, "rating_perilaku_kerja": DA, "predikat_baru": "sangat_baik",
         "catatan": "x"},
        format="json",
    )  # fmt: skip
    assert r.status_code == 400
    assert "Butuh Perbaikan" in r.json()["errors"]["predikat_baru"][0]
    # a predikat alone (the pre-#17 body) is not a decision any more
    r = kepala.post(url, {"terima": True, "predikat_baru": "baik", "catatan": "x"}, format="json")
    assert r.status_code == 400
    assert {"rating_hasil_kerja", "rating_perilaku_kerja"} <= set(r.json()["errors"])
    with scopes_disabled():
        assert Evaluasi._base_manager.get(pk=ev.pk).predikat == "kurang_misconduct"
    r = kepala.post(
        url,
        {"terima": True, "rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "catatan": "Bukti lengkap."},
        format="json",
    )
    assert r.status_code == 200, r.content
    out = r.json()
    assert (out["predikat_baru"], out["rating_hasil_kerja_baru"], out["rating_perilaku_kerja_baru"]) == (
        "baik",
        SE,
        SE,
    )
    detail = api(org_a.pegawai.user).get(f"/api/v1/evaluasi/{ev.pk}/").json()
    assert (detail["rating_hasil_kerja"], detail["rating_perilaku_kerja"], detail["predikat"]) == (
        SE,
        SE,
        "baik",
    )
    with scopes_disabled():
        log = AuditLog.objects.get(instansi=org_a.instansi, action="evaluasi.predikat_keberatan")
        k = Keberatan._base_manager.get(pk=out["id"])
    assert log.before == {
        "rating_hasil_kerja": SE,
        "rating_perilaku_kerja": DB,
        "predikat": "kurang_misconduct",
    }
    assert log.after["predikat"] == "baik"
    assert scoring.predikat(k.rating_hasil_kerja_baru, k.rating_perilaku_kerja_baru) == k.predikat_baru


@pytest.mark.django_db
def test_keberatan_decision_page_takes_ratings_not_a_predikat(
    org_a: Org, api: Any, time_machine: Any
) -> None:
    """The decider's form asks for the new ratings; the predikat shown after is the matrix cell."""
    from django.test import Client

    time_machine.move_to(at(2026, 7, 3, 10))
    ev = _rated_q2(org_a, api)
    kb = api(org_a.pegawai.user).post(f"/api/v1/evaluasi/{ev.pk}/keberatan/", {"alasan": "x"}, format="json")
    c = Client()
    c.force_login(org_a.kepala.user)
    page = f"/evaluasi/keberatan/{kb.json()['id']}/"
    html = c.get(page).content.decode()
    assert 'name="rating_hasil_kerja"' in html
    assert 'name="predikat_baru"' not in html
    resp = c.post(page, {"terima": "1", "catatan": "Diterima."})
    assert resp.status_code == 400
    assert 'data-testid="galat-rating_hasil_kerja"' in resp.content.decode()
    resp = c.post(
        page, {"terima": "1", "rating_hasil_kerja": DA, "rating_perilaku_kerja": DA, "catatan": "Ok."}
    )
    assert resp.status_code == 302
    html = c.get(page).content.decode()
    assert 'data-testid="rating-baru"' in html
    with scopes_disabled():
        assert Evaluasi._base_manager.get(pk=ev.pk).predikat == "sangat_baik"
    pegawai = Client()
    pegawai.force_login(org_a.pegawai.user)
    assert 'data-testid="keberatan-diterima"' in pegawai.get(f"/evaluasi/{ev.pk}/").content.decode()


@pytest.mark.django_db
def test_migration_0009_fixes_rows_written_before_the_constraint_domain_6_4(org_a: Org) -> None:
    """evaluasi/0009 ``isi`` on rows the old code could write: an accepted keberatan that set "Sangat
    Baik" on "Sesuai / Di Bawah" keeps its decision and gets the matching ratings (Di Atas / Di Atas);
    a rated periodic row gets its delivery time; then the CHECK constraints hold again."""
    from django.apps import apps as django_apps

    mig = importlib.import_module("evaluasi.migrations.0009_aturan1_jendela_diterima_matriks")
    make_skp(org_a.pegawai)
    ensure_all(org_a.instansi)
    q1 = periode(org_a.instansi, 1)
    dinilai = dt.datetime(2026, 4, 5, 3, 0, tzinfo=dt.UTC)
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(instansi=org_a.instansi, pegawai=org_a.pegawai, jenis="tahunan")
        q = Evaluasi._base_manager.get(instansi=org_a.instansi, pegawai=org_a.pegawai, periode=q1)
    with connection.cursor() as cur:
        # the state before issue #17: no constraints, and what the old keberatan_putus wrote
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending before ALTER TABLE
        cur.execute("ALTER TABLE evaluasi_evaluasi DROP CONSTRAINT evaluasi_predikat_sesuai_matriks")
        cur.execute("ALTER TABLE evaluasi_keberatan DROP CONSTRAINT keberatan_predikat_baru_sesuai_matriks")
        cur.execute(
            "UPDATE evaluasi_evaluasi SET rating_hasil_kerja = %s, rating_perilaku_kerja = %s, "
            "predikat = 'sangat_baik', status = 'final', final_at = now(), diterima_at = NULL WHERE id = %s",
            [SE, DB, ev.pk],
        )
        cur.execute(
            "UPDATE evaluasi_evaluasi SET rating_hasil_kerja = %s, rating_perilaku_kerja = %s, "
            "predikat = 'baik', status = 'dinilai', dinilai_at = %s, diterima_at = NULL WHERE id = %s",
            [SE, SE, dinilai, q.pk],
        )
    with scopes_disabled():
        kb = Keberatan._base_manager.create(
            instansi=org_a.instansi, evaluasi=ev, pegawai=org_a.pegawai, alasan="x", status="diterima",
            predikat_semula="kurang_misconduct", predikat_baru="sangat_baik", catatan_keputusan="ok",
        )  # fmt: skip
    mig.isi(django_apps, None)
    with scopes_disabled():
        ev.refresh_from_db()
        q.refresh_from_db()
        kb.refresh_from_db()
    assert (ev.rating_hasil_kerja, ev.rating_perilaku_kerja, ev.predikat) == (DA, DA, "sangat_baik")
    assert ev.diterima_at == ev.final_at
    assert q.diterima_at == dinilai
    assert (kb.rating_hasil_kerja_semula, kb.rating_perilaku_kerja_semula) == (SE, DB)
    assert (kb.rating_hasil_kerja_baru, kb.rating_perilaku_kerja_baru) == (DA, DA)
    with connection.cursor() as cur:  # the constraints validate against the fixed rows
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(
            "ALTER TABLE evaluasi_evaluasi ADD CONSTRAINT evaluasi_predikat_sesuai_matriks CHECK "
            f"(predikat = '' OR {scoring.predikat_sql('rating_hasil_kerja', 'rating_perilaku_kerja')} = predikat)"
        )
        cur.execute(
            "ALTER TABLE evaluasi_keberatan ADD CONSTRAINT keberatan_predikat_baru_sesuai_matriks CHECK "
            "(predikat_baru = '' OR "
            f"{scoring.predikat_sql('rating_hasil_kerja_baru', 'rating_perilaku_kerja_baru')} = predikat_baru)"
        )
