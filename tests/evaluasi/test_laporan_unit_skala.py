"""The HR report's drill-down at scale (issue #20 follow-up, docs/performance.md "Cluster"): no
``evaluasi_ensure`` of the whole instansi on view (its lists are the same with and without the rows
materialised; only the page's own pegawai get their rows), no COUNT of the subtree (the page only knows
whether there is a next one), a constant number of queries, and still 404 across instansi."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from evaluasi import views
from evaluasi.models import Evaluasi, StatusEvaluasi
from evaluasi.selectors import laporan_unit_pegawai_ids, laporan_unit_tanpa_evaluasi
from kinerja.models import Pegawai, UnitKerja
from skp.models import SkpStatus
from tests.conftest import Org
from tests.evaluasi.conftest import TAHUN, ensure_all, make_skp, periode, set_rating
from tests.factories import PegawaiFactory, UnitKerjaFactory

pytestmark = pytest.mark.django_db


def _people(org: Org, unit: UnitKerja, n: int, prefix: str = "P") -> list[Pegawai]:
    return [
        PegawaiFactory(
            instansi=org.instansi,
            unit_kerja=unit,
            jabatan=org.pegawai.jabatan,
            atasan=org.atasan,
            nama=f"{prefix} {i:02d}",
        )
        for i in range(n)
    ]


def _rows(org: Org) -> int:
    with scopes_disabled():
        return Evaluasi._base_manager.filter(instansi=org.instansi).count()


def _setup(org_a: Org, org_b: Org) -> tuple[UnitKerja, list[Pegawai], list[Pegawai]]:
    """Rated people (rows exist), then approved SKPs (a whole-year one and a second-half stint), a submitted
    and a draft one, people without an SKP and a mutasi, none of which an ensure has seen yet."""
    bidang = org_a.pegawai.unit_kerja
    seksi = UnitKerjaFactory(instansi=org_a.instansi, nama="Seksi Baru", induk=bidang)
    lama = _people(org_a, seksi, 3, "Lama")
    for p in (org_a.pegawai, org_a.rekan, *lama):
        make_skp(p)
    ensure_all(org_a.instansi)
    set_rating(org_a.pegawai, "sesuai_ekspektasi", "sesuai_ekspektasi")
    set_rating(lama[0], "di_atas_ekspektasi", "sesuai_ekspektasi")
    baru = _people(org_a, seksi, 5, "Baru")
    make_skp(baru[0])
    make_skp(baru[1], mulai=dt.date(TAHUN, 7, 1))
    make_skp(baru[2], status=SkpStatus.DIAJUKAN)
    make_skp(baru[3], status=SkpStatus.DRAFT)
    with scopes_disabled():
        Pegawai._base_manager.filter(pk=lama[2].pk).update(unit_kerja=org_a.kepala.unit_kerja)
    for p in _people(org_b, org_b.pegawai.unit_kerja, 2, "Bee"):  # B's people never show in A
        make_skp(p)
    ensure_all(org_b.instansi)
    return seksi, lama, baru


def test_lists_do_not_depend_on_materialised_rows(org_a: Org, org_b: Org, a_scope: Any) -> None:
    seksi, lama, baru = _setup(org_a, org_b)
    inst = org_a.instansi
    units = (org_a.pegawai.unit_kerja.induk, org_a.pegawai.unit_kerja, seksi)
    periods = (None, periode(inst, 1), periode(inst, 3))
    statuses = (None, StatusEvaluasi.BELUM_DINILAI, StatusEvaluasi.DINILAI)

    def snapshot() -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for u in units:
            for p in periods:
                for s in statuses:
                    ids = laporan_unit_pegawai_ids(instansi=inst, unit=u, tahun=TAHUN, periode=p, status=s)
                    out[u.pk, p and p.pk, s] = list(ids)
                tanpa = laporan_unit_tanpa_evaluasi(instansi=inst, unit=u, tahun=TAHUN, periode=p)
                out[u.pk, p and p.pk, "tanpa"] = [(x.pk, x.skp_status) for x in tanpa]
        return out

    before = snapshot()
    n = _rows(org_a)
    ensure_all(inst)  # what the page used to do first
    assert _rows(org_a) > n  # it did add rows
    # then every list of the page is the same with and without the rows
    assert snapshot() == before
    root = units[0].pk
    allp = before[root, None, None]
    assert baru[0].pk in allp  # approved, no row yet: listed (annual)
    assert baru[1].pk in allp
    assert baru[0].pk in before[root, None, StatusEvaluasi.BELUM_DINILAI]
    assert before[root, None, StatusEvaluasi.DINILAI] == sorted(
        [org_a.pegawai.pk, lama[0].pk], key=lambda pk: Pegawai._base_manager.get(pk=pk).nama
    )
    q1 = periods[1].pk
    assert baru[1].pk not in before[root, q1, None]  # its stint starts in July
    assert baru[1].pk in [pk for pk, _s in before[root, q1, "tanpa"]]
    tanpa = dict(before[root, None, "tanpa"])
    assert tanpa[baru[2].pk] == SkpStatus.DIAJUKAN
    assert tanpa[baru[3].pk] == SkpStatus.DRAFT
    assert tanpa[baru[4].pk] is None
    assert baru[0].pk not in tanpa
    assert lama[2].pk not in before[seksi.pk, None, None]  # moved up: listed by the current unit
    assert lama[2].pk in allp


def _section(body: str) -> str:
    """The evaluation table and the list without an approved SKP (the semester list names everyone)."""
    start = body.index('data-testid="laporan-pegawai"')
    return body[start : body.index('id="judul-pemantauan"') if 'id="judul-pemantauan"' in body else None]


def test_page_materialises_only_its_own_pegawai_and_shows_what_a_full_ensure_shows(
    org_a: Org, org_b: Org, client: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(views, "LAPORAN_PEGAWAI_PER_HAL", 2)
    seksi, _lama, baru = _setup(org_a, org_b)
    client.force_login(org_a.hr.user)
    url = f"{reverse('evaluasi:laporan-unit', args=[seksi.pk])}?tahun={TAHUN}"
    # seksi: Baru 00, Baru 01 (approved, no rows yet), Lama 00, Lama 01 (rows): page 1 makes 2 pegawai's rows,
    # and B's instansi none
    n = _rows(org_a)
    hal1 = client.get(url).content.decode()
    assert _rows(org_a) - n == 5 + 3  # Baru 00: Q1-Q4 + annual; Baru 01 (from July): Q3, Q4 + annual
    made = 5 + 3
    hal2 = client.get(url + "&hal=2").content.decode()
    assert _rows(org_a) == n + made  # page 2's pegawai had their rows already
    ensure_all(org_a.instansi)
    for hal, body in ((1, hal1), (2, hal2)):
        again = client.get(f"{url}&hal={hal}").content.decode()
        assert _section(again) == _section(body)
    assert (
        reverse("evaluasi:detail", args=[Evaluasi._base_manager.get(pegawai=baru[0], jenis="tahunan").pk])
        in hal1
    )


def _pegawai_links(body: str) -> list[str]:
    return re.findall(r'<a href="/evaluasi/(\d+)/">([^<]+)</a>', body)


def test_pages_walk_the_list_in_name_order_without_a_count(
    org_a: Org, org_b: Org, client: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(views, "LAPORAN_PEGAWAI_PER_HAL", 3)
    bidang = org_a.pegawai.unit_kerja
    people = _people(org_a, bidang, 7, "Orang")
    for p in people:
        make_skp(p)
    for p in _people(org_b, org_b.pegawai.unit_kerja, 2, "Orang B"):
        make_skp(p)
    client.force_login(org_a.admin.user)
    url = f"{reverse('evaluasi:laporan-unit', args=[bidang.pk])}?tahun={TAHUN}&periode=tahunan"
    names: list[str] = []
    hal = 1
    while True:
        body = client.get(f"{url}&hal={hal}").content.decode()
        assert f"Hal. {hal}<" in body
        names += [n for _pk, n in _pegawai_links(body)]
        if 'rel="next"' not in body:
            break
        hal += 1
    assert hal == 3  # 7 people, 3 per page, no empty last page
    assert names == [f"Orang {i:02d}" for i in range(7)]  # each once, by name; none of B
    # junk and out-of-range page numbers: a page, never a 500
    assert client.get(f"{url}&hal=x").status_code == 200
    body = client.get(f"{url}&hal=99").content.decode()
    assert "Tidak ada evaluasi." in body
    assert 'rel="prev"' in body


def test_status_filter_includes_rows_not_made_yet(org_a: Org, org_b: Org, client: Any) -> None:
    seksi, _lama, _baru = _setup(org_a, org_b)
    client.force_login(org_a.admin.user)
    url = f"{reverse('evaluasi:laporan-unit', args=[seksi.pk])}?tahun={TAHUN}"
    belum = client.get(url + "&status=belum_dinilai").content.decode()
    assert [n for _pk, n in _pegawai_links(belum)] == ["Baru 00", "Baru 01", "Lama 01"]
    dinilai = client.get(url + "&status=dinilai").content.decode()
    assert [n for _pk, n in _pegawai_links(dinilai)] == ["Lama 00"]


def test_drill_down_queries_do_not_grow_with_the_subtree(
    org_a: Org, client: Any, django_assert_max_num_queries: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(views, "LAPORAN_PEGAWAI_PER_HAL", 4)
    top = org_a.pegawai.unit_kerja.induk
    client.force_login(org_a.hr.user)
    q3 = periode(org_a.instansi, 3)
    urls = [
        f"{reverse('evaluasi:laporan-unit', args=[top.pk])}?tahun={TAHUN}{extra}"
        for extra in ("", f"&periode={q3.pk}", "&status=belum_dinilai", "&hal=2")
    ]
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            u = UnitKerjaFactory(
                instansi=org_a.instansi, nama=f"Unit {made[0]}", induk=org_a.pegawai.unit_kerja
            )
            a, b, _c = _people(org_a, u, 3, f"U{made[0]}")
            make_skp(a)  # approved: in the table (rows made by the page)
            make_skp(b, status=SkpStatus.DIAJUKAN)  # without an approved SKP

    grow(5)  # 5 in the table: two pages of 4
    counts = []
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(30) as q:
            assert client.get(url).status_code == 200
        counts.append(len(q.captured_queries))
    grow(10)  # more units, more pages, more rows without their evaluation rows
    for url, n in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(n):  # the first view, rows not made yet
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200


def test_another_instansi_and_roles_get_404(org_a: Org, outsider: Pegawai, client: Any) -> None:
    make_skp(org_a.pegawai)
    with scopes_disabled():
        b_unit = UnitKerja._base_manager.filter(instansi=outsider.instansi).first()
    assert b_unit is not None
    a_url = f"{reverse('evaluasi:laporan-unit', args=[org_a.pegawai.unit_kerja.pk])}?tahun={TAHUN}"
    n = _rows(org_a)
    client.force_login(outsider.user)  # admin of B
    assert client.get(a_url).status_code == 404
    assert _rows(org_a) == n  # nothing of A materialised by B's request
    body = client.get(f"{reverse('evaluasi:laporan-unit', args=[b_unit.pk])}?tahun={TAHUN}").content.decode()
    assert org_a.pegawai.nama not in body
    client.force_login(org_a.pegawai.user)  # no report role
    assert client.get(a_url).status_code == 404
    client.logout()
    assert client.get(a_url).status_code in (302, 404)
