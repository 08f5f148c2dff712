"""The HR report at scale (issue #20, docs/performance.md "Cluster"): the page no longer materialises the
evaluation rows of the whole instansi first (the counts are the same without them), it pages the units
(the totals stay the whole instansi's), and its query count does not grow with units or people."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from evaluasi import views
from evaluasi.models import Evaluasi
from evaluasi.selectors import laporan_per_unit, laporan_total
from kinerja.models import Pegawai, UnitKerja
from skp.models import SkpStatus
from tests.conftest import Org
from tests.evaluasi.conftest import TAHUN, ensure_all, make_skp, periode, set_rating
from tests.factories import PegawaiFactory, UnitKerjaFactory

pytestmark = pytest.mark.django_db

KOLOM = ("pegawai", "dinilai", "belum_dinilai", "skp_belum_disetujui", "tanpa_skp", "persen", "jumlah")


def _people(org: Org, unit: UnitKerja, n: int) -> list[Pegawai]:
    return [
        PegawaiFactory(instansi=org.instansi, unit_kerja=unit, jabatan=org.pegawai.jabatan, atasan=org.atasan)
        for _ in range(n)
    ]


def _snapshot(org: Org, p: Any = None) -> dict[int, tuple[Any, ...]]:
    rows = laporan_per_unit(instansi=org.instansi, tahun=TAHUN, periode=p)
    return {r["unit"].pk: tuple(r[k] for k in KOLOM) for r in rows} | {
        0: tuple(laporan_total(rows)[k] for k in KOLOM)
    }


def test_counts_do_not_depend_on_materialised_rows(org_a: Org, org_b: Org, a_scope: Any) -> None:
    # given rated people (rows exist), then new approved SKPs, a not-approved one and a mutasi that
    # no ensure has seen yet
    seksi = UnitKerjaFactory(instansi=org_a.instansi, nama="Seksi Baru", induk=org_a.pegawai.unit_kerja)
    lama = _people(org_a, seksi, 3)
    for p in (org_a.pegawai, org_a.rekan, *lama):
        make_skp(p)
    ensure_all(org_a.instansi)
    set_rating(org_a.pegawai, "sesuai_ekspektasi", "sesuai_ekspektasi")
    set_rating(lama[0], "di_atas_ekspektasi", "sesuai_ekspektasi")
    q1 = periode(org_a.instansi, 1)
    with scopes_disabled():
        Evaluasi._base_manager.filter(pegawai=lama[1], periode=q1).update(
            rating_hasil_kerja="sesuai_ekspektasi", rating_perilaku_kerja="sesuai_ekspektasi",
            predikat="baik", status="dinilai",
        )  # fmt: skip
    baru = _people(org_a, seksi, 4)
    make_skp(baru[0])
    make_skp(baru[1], mulai=dt.date(TAHUN, 7, 1))
    make_skp(baru[2], status=SkpStatus.DIAJUKAN)
    with scopes_disabled():
        Pegawai._base_manager.filter(pk=lama[2].pk).update(unit_kerja=org_a.kepala.unit_kerja)
    for p in _people(org_b, org_b.pegawai.unit_kerja, 2):  # B's people never count in A
        make_skp(p)
    ensure_all(org_b.instansi)

    before = {p: _snapshot(org_a, p) for p in (None, q1, periode(org_a.instansi, 3))}
    rows_before = Evaluasi._base_manager.filter(instansi=org_a.instansi).count()
    ensure_all(org_a.instansi)  # what the page used to do first
    assert Evaluasi._base_manager.filter(instansi=org_a.instansi).count() > rows_before  # it did add rows
    after = {p: _snapshot(org_a, p) for p in before}
    # then the report is the same with and without the rows
    assert after == before
    tahunan = before[None]
    assert tahunan[0][:5] == (13, 2, 3 + 2, 1, 13 - 2 - 5 - 1)  # 13 active pegawai of A in total
    assert before[q1][0][1] == 1  # the Q1 rating counts in Q1 only
    assert tahunan[seksi.pk][:2] == (6, 1)  # lama[2] moved up: counted by the current unit


def test_page_creates_no_evaluation_rows_and_shows_the_totals(org_a: Org, client: Any) -> None:
    make_skp(org_a.pegawai)
    make_skp(org_a.rekan)
    client.force_login(org_a.hr.user)
    body = client.get(f"{reverse('evaluasi:laporan')}?tahun={TAHUN}&periode=tahunan").content.decode()
    assert Evaluasi._base_manager.filter(instansi=org_a.instansi).count() == 0
    assert 'data-testid="total-pegawai">6<' in body
    assert 'data-testid="total-belum-dinilai">2<' in body  # approved SKP, no row: not rated
    assert 'data-testid="total-tanpa-skp">4<' in body


def _unit_links(body: str) -> list[int]:
    return [int(x) for x in re.findall(r"/evaluasi/laporan/unit/(\d+)/", body)]


def test_units_are_paged_in_tree_order_with_the_whole_totals(
    org_a: Org, org_b: Org, client: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(views, "LAPORAN_UNIT_PER_HAL", 3)
    bidang = org_a.pegawai.unit_kerja
    for i in range(4):
        u = UnitKerjaFactory(instansi=org_a.instansi, nama=f"Seksi {i}", induk=bidang)
        _people(org_a, u, 1)
    UnitKerjaFactory(instansi=org_b.instansi, nama="Seksi B", induk=org_b.pegawai.unit_kerja)
    with scopes_disabled():
        order = list(
            UnitKerja._base_manager.filter(instansi=org_a.instansi)
            .order_by("path")
            .values_list("pk", flat=True)
        )
        b_units = set(UnitKerja._base_manager.filter(instansi=org_b.instansi).values_list("pk", flat=True))
    assert len(order) == 6
    from evaluasi.models import KinerjaOrganisasi

    with scopes_disabled():  # the organisation predikat of the last unit (page 2) and one of B's units
        KinerjaOrganisasi._base_manager.create(
            instansi=org_a.instansi,
            unit_kerja_id=order[-1],
            tahun=TAHUN,
            predikat="istimewa",
            justifikasi="x",
        )
    client.force_login(org_a.admin.user)
    url = f"{reverse('evaluasi:laporan')}?tahun={TAHUN}&periode=tahunan"
    seen: list[int] = []
    for hal in (1, 2):
        body = client.get(f"{url}&hal={hal}").content.decode()
        assert 'data-testid="total-pegawai">10<' in body  # 6 + 4: every page has the instansi's total
        assert f"Hal. {hal} / 2" in body
        assert ("Istimewa" in body) == (hal == 2)  # the shown units' organisation predikat only
        seen += _unit_links(body)
    assert seen == order  # each unit once, tree order, none of B
    assert not b_units & set(seen)
    # out-of-range / junk page numbers: the nearest page, never a 500
    assert client.get(f"{url}&hal=99").status_code == 200
    assert client.get(f"{url}&hal=x").status_code == 200


def test_report_queries_do_not_grow_with_units_or_people(
    org_a: Org, client: Any, django_assert_max_num_queries: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(views, "LAPORAN_UNIT_PER_HAL", 5)
    client.force_login(org_a.hr.user)
    url = f"{reverse('evaluasi:laporan')}?tahun={TAHUN}&periode=tahunan"

    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            u = UnitKerjaFactory(
                instansi=org_a.instansi, nama=f"Unit {made[0]}", induk=org_a.pegawai.unit_kerja
            )
            for p in _people(org_a, u, 2):
                make_skp(p)

    grow(2)
    client.get(url)
    with django_assert_max_num_queries(25) as first:
        assert client.get(url).status_code == 200
    n = len(first.captured_queries)
    grow(8)
    client.get(url)
    with django_assert_max_num_queries(n):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(n):
        assert client.get(url + "&hal=3").status_code == 200


def test_another_instansi_admin_sees_only_their_own_report(
    org_a: Org, outsider: Pegawai, client: Any
) -> None:
    with scopes_disabled():
        a_units = set(UnitKerja._base_manager.filter(instansi=org_a.instansi).values_list("pk", flat=True))
        b_pegawai = Pegawai._base_manager.filter(instansi=outsider.instansi, aktif=True).count()
    url = f"{reverse('evaluasi:laporan')}?tahun={TAHUN}&periode=tahunan"
    client.force_login(outsider.user)  # admin of B
    body = client.get(url).content.decode()
    assert f'data-testid="total-pegawai">{b_pegawai}<' in body
    assert _unit_links(body)
    assert not a_units & set(_unit_links(body))
    client.force_login(org_a.pegawai.user)  # no report role
    assert client.get(url).status_code == 404
