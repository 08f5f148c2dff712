"""Completeness counts people, not evaluation rows (issue #14: "1 pegawai, 100 % dinilai" for an
instansi of 68): every active pegawai of a unit and its sub-units, with and without SKP, with and
without rating; batch readiness; ratings due; pinned query counts with >= 3 rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from evaluasi.models import Evaluasi
from evaluasi.selectors import (
    kelengkapan_per_unit_sendiri,
    kesiapan_batch,
    laporan_per_unit,
    laporan_total,
    nilai_jatuh_tempo,
)
from kinerja.models import Pegawai, UnitKerja
from skp.models import SkpStatus
from skp.selectors import skp_inbox_count
from tests.conftest import Org
from tests.evaluasi.conftest import TAHUN, ensure_all, make_skp, periode, set_rating
from tests.factories import PegawaiFactory, UnitKerjaFactory

pytestmark = pytest.mark.django_db


def _people(org: Org, unit: UnitKerja, n: int, atasan: Pegawai | None = None) -> list[Pegawai]:
    return [
        PegawaiFactory(
            instansi=org.instansi, unit_kerja=unit, jabatan=org.pegawai.jabatan, atasan=atasan or org.atasan
        )
        for _ in range(n)
    ]


def test_report_counts_every_active_pegawai_per_subtree(org_a: Org, org_b: Org, a_scope: Any) -> None:
    # given A: top unit (kepala, admin, hr) > bidang (atasan, pegawai, rekan) > a new seksi with 3 more
    bidang = org_a.pegawai.unit_kerja
    top = org_a.kepala.unit_kerja
    seksi = UnitKerjaFactory(instansi=org_a.instansi, nama="Seksi Data", induk=bidang)
    extra = _people(org_a, seksi, 3)
    inactive = _people(org_a, seksi, 1)[0]
    with scopes_disabled():
        Pegawai._base_manager.filter(pk=inactive.pk).update(aktif=False)
    make_skp(org_a.pegawai)  # approved -> rated below
    make_skp(org_a.rekan)  # approved, not rated
    make_skp(extra[0], status=SkpStatus.DIKEMBALIKAN)  # SKP not approved
    make_skp(extra[1], status=SkpStatus.DIGANTI)  # only a superseded version: counts as no SKP
    ensure_all(org_a.instansi)
    set_rating(org_a.pegawai, "sesuai_ekspektasi", "sesuai_ekspektasi")
    for p in _people(org_b, org_b.pegawai.unit_kerja, 3, org_b.atasan):  # B must not count
        make_skp(p)
    ensure_all(org_b.instansi)

    rows = {r["unit"].pk: r for r in laporan_per_unit(instansi=org_a.instansi, tahun=TAHUN, periode=None)}
    # then the seksi has its 3 active people: none rated, 1 SKP not approved, 2 without SKP
    assert {k: rows[seksi.pk][k] for k in ("pegawai", "dinilai", "skp_belum_disetujui", "tanpa_skp")} == {
        "pegawai": 3, "dinilai": 0, "skp_belum_disetujui": 1, "tanpa_skp": 2,
    }  # fmt: skip
    # the bidang counts itself (3) and the seksi (3)
    b = rows[bidang.pk]
    assert (b["pegawai"], b["dinilai"], b["belum_dinilai"], b["skp_belum_disetujui"], b["tanpa_skp"]) == (
        6,
        1,
        1,
        1,
        3,
    )
    assert b["persen"] == 17
    assert b["jumlah"]["baik"] == 1
    # the top unit is the whole instansi: 9 active pegawai, 1 rated
    assert (rows[top.pk]["pegawai"], rows[top.pk]["dinilai"]) == (9, 1)
    total = laporan_total(list(rows.values()))
    assert (total["pegawai"], total["dinilai"], total["tanpa_skp"], total["persen"]) == (9, 1, 6, 11)


def test_periodic_report_uses_the_periods_rating_and_stint(org_a: Org, a_scope: Any) -> None:
    import datetime as dt

    q1, q3 = periode(org_a.instansi, 1), periode(org_a.instansi, 3)
    make_skp(org_a.pegawai)
    make_skp(org_a.rekan, mulai=dt.date(TAHUN, 7, 1))  # stint starts in Q3: no SKP for Q1
    ensure_all(org_a.instansi)
    with scopes_disabled():
        Evaluasi._base_manager.filter(pegawai=org_a.pegawai, periode=q1).update(
            rating_hasil_kerja="sesuai_ekspektasi", rating_perilaku_kerja="sesuai_ekspektasi",
            predikat="baik", status="dinilai",
        )  # fmt: skip
    k1 = kesiapan_for(org_a, q1)
    assert (k1["dinilai"], k1["belum_dinilai"], k1["tanpa_skp"]) == (1, 0, 5)
    k3 = kesiapan_for(org_a, q3)
    assert (k3["dinilai"], k3["belum_dinilai"], k3["tanpa_skp"]) == (0, 2, 4)


def kesiapan_for(org: Org, p: Any) -> dict[str, Any]:
    from evaluasi.selectors import kelengkapan_total

    return kelengkapan_total(instansi=org.instansi, tahun=TAHUN, periode=p)


def test_readiness_for_the_batch(org_a: Org, a_scope: Any) -> None:
    for p in (org_a.pegawai, org_a.rekan):
        make_skp(p)
    ensure_all(org_a.instansi)
    set_rating(org_a.pegawai, "sesuai_ekspektasi", "sesuai_ekspektasi")
    k = kesiapan_batch(instansi=org_a.instansi, tahun=TAHUN)
    assert (k["pegawai"], k["dinilai"], k["belum_dinilai"], k["tanpa_skp"], k["siap"]) == (6, 1, 1, 4, False)


def test_completeness_queries_are_constant(org_a: Org, a_scope: Any, django_assert_num_queries: Any) -> None:
    units = [
        UnitKerjaFactory(instansi=org_a.instansi, nama=f"Seksi {i}", induk=org_a.pegawai.unit_kerja)
        for i in range(3)
    ]
    for u in units:
        for p in _people(org_a, u, 3):
            make_skp(p)
    ensure_all(org_a.instansi)
    with django_assert_num_queries(1):
        assert len(kelengkapan_per_unit_sendiri(instansi=org_a.instansi, tahun=TAHUN, periode=None)) == 5
    with django_assert_num_queries(3):
        rows = laporan_per_unit(instansi=org_a.instansi, tahun=TAHUN, periode=None)
    assert len(rows) == 5
    with django_assert_num_queries(1):
        assert kesiapan_batch(instansi=org_a.instansi, tahun=TAHUN)["pegawai"] == 15


def test_ratings_due_and_inbox_count_queries_are_constant(
    org_a: Org, org_b: Org, a_scope: Any, django_assert_num_queries: Any
) -> None:
    q2 = periode(org_a.instansi, 2)
    team = [org_a.pegawai, org_a.rekan, *_people(org_a, org_a.pegawai.unit_kerja, 3)]
    for p in team[:4]:
        make_skp(p)
    make_skp(team[4], status=SkpStatus.DIAJUKAN)
    ensure_all(org_a.instansi)
    with scopes_disabled():  # one of them rated for Q2
        Evaluasi._base_manager.filter(pegawai=team[0], periode=q2).update(status="dinilai")
    with scope(instansi=org_b.instansi.pk):
        make_skp(org_b.pegawai)
    # the named Pejabat Penilai of a past stint (after a mutasi) still rates it; the new atasan does not
    mutasi = _people(org_a, org_a.pegawai.unit_kerja, 1, atasan=org_a.kepala)[0]
    make_skp(mutasi, penilai=org_a.atasan)
    user = org_a.atasan.user
    user = type(user).objects.get(pk=user.pk)  # fresh: no cached pegawai
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(Pegawai)  # process-wide cache, warm in a running server
    with django_assert_num_queries(4):  # pegawai of the user, delegations, team ids, the list
        due = list(nilai_jatuh_tempo(user=user, instansi=org_a.instansi, periode=q2))
    assert {s.pegawai_id for s in due} == {team[1].pk, team[2].pk, team[3].pk, mutasi.pk}
    assert [s.pegawai.jabatan.nama for s in due]  # select_related: no query here
    kepala_due = list(nilai_jatuh_tempo(user=org_a.kepala.user, instansi=org_a.instansi, periode=q2))
    assert mutasi.pk not in {s.pegawai_id for s in kepala_due}
    with django_assert_num_queries(3):
        assert skp_inbox_count(user=user, instansi=org_a.instansi) == 1


def test_report_page_shows_the_new_columns(org_a: Org, client: Any) -> None:
    make_skp(org_a.pegawai)
    client.force_login(org_a.admin.user)
    body = client.get(f"{reverse('evaluasi:laporan')}?tahun={TAHUN}&periode=tahunan").content.decode()
    assert 'data-testid="total-pegawai">6<' in body
    assert 'data-testid="total-tanpa-skp">5<' in body
    assert 'data-testid="total-persen">0%<' in body
    assert f'data-testid="tanpa-skp-{org_a.pegawai.unit_kerja_id}">2<' in body


def test_drill_down_lists_the_rated_and_those_without_approved_skp(
    org_a: Org, org_b: Org, client: Any, django_assert_max_num_queries: Any
) -> None:
    # given the bidang (atasan, pegawai, rekan) and a seksi below it with three more
    bidang = org_a.pegawai.unit_kerja
    seksi = UnitKerjaFactory(instansi=org_a.instansi, nama="Seksi Data", induk=bidang)
    extra = _people(org_a, seksi, 3)
    make_skp(org_a.pegawai)
    make_skp(org_a.rekan, status=SkpStatus.DIAJUKAN)
    make_skp(extra[0], status=SkpStatus.DRAFT)
    make_skp(org_b.pegawai)
    client.force_login(org_a.admin.user)
    url = f"{reverse('evaluasi:laporan-unit', args=[bidang.pk])}?tahun={TAHUN}"
    client.get(url)  # materialises the page's rows once
    # 24: the page's own ensure (two statements, each in its transaction) replaced the cached fingerprint,
    # and the semester list reads its ids first (tests/evaluasi/test_laporan_unit_skala.py)
    with django_assert_max_num_queries(24):
        body = client.get(url).content.decode()
    body = body.split('id="judul-pemantauan"')[0]  # the semester monitoring list below names everyone
    # then the pegawai (approved SKP) is in the evaluation table, the five others are listed as missing
    assert reverse("pegawai-detail", args=[org_a.pegawai.pk]) not in body
    for p in (org_a.atasan, org_a.rekan, *extra):
        assert reverse("pegawai-detail", args=[p.pk]) in body
    assert f'data-testid="skp-status-{org_a.rekan.pk}">Menunggu persetujuan<' in body
    assert f'data-testid="skp-status-{extra[0].pk}">Draf, belum diajukan<' in body
    assert "Tanpa SKP" in body
    assert org_b.pegawai.nama not in body
    # the seksi alone: its three, none with an evaluation
    body = client.get(f"{reverse('evaluasi:laporan-unit', args=[seksi.pk])}?tahun={TAHUN}").content.decode()
    assert org_a.rekan.nama not in body
    assert body.count('data-testid="skp-status-') == 3


def test_drill_down_query_count_is_constant(org_a: Org, client: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bidang = org_a.pegawai.unit_kerja
    for p in _people(org_a, bidang, 3):
        make_skp(p)
    _people(org_a, bidang, 3)
    client.force_login(org_a.admin.user)
    url = f"{reverse('evaluasi:laporan-unit', args=[bidang.pk])}?tahun={TAHUN}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for p in _people(org_a, bidang, 5):
        make_skp(p)
    _people(org_a, bidang, 5)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
