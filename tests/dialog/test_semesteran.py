"""Semesteran cycle and the semester monitoring check (issue #17).

Rules under test, each with its source row:
- domain.md "Product decisions" / "Periodic cycle options": cycles ``bulanan``, ``triwulanan`` (default) and
  ``semesteran``; semesteran = 2 periods, Jan-Jun and Jul-Dec.
- domain.md "Periodic cycle options" + §5 "Pemantauan (PP30): By PPK at least once per semester": every
  pegawai has at least one recorded dialog or feedback from their Pejabat Penilai per semester; the unit
  report lists those without.
"""

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from dialog import services
from dialog.models import JenisCatatan
from dialog.selectors import pemantauan_semester_tanpa_dialog, semester_dimulai
from evaluasi.documents import judul_periode
from evaluasi.selectors import unit_subtree_ids
from kinerja.models import Instansi, Periode, Siklus
from kinerja.models.tenancy import BULAN_PER_PERIODE
from kinerja.services.tenancy import periode_ensure_year, semester_bounds
from tests.conftest import Org, api_client_for
from tests.dialog.conftest import make_skp
from tests.factories import PegawaiFactory

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def _semesteran(instansi: Instansi) -> None:
    Instansi.objects.filter(pk=instansi.pk).update(siklus=Siklus.SEMESTERAN)
    instansi.refresh_from_db()


# ---------------------------------------------------------------- the cycle rule


@pytest.mark.parametrize(
    ("siklus", "n", "akhir_pertama"),
    [
        (Siklus.BULANAN, 12, dt.date(2028, 1, 31)),
        (Siklus.TRIWULANAN, 4, dt.date(2028, 3, 31)),
        (Siklus.SEMESTERAN, 2, dt.date(2028, 6, 30)),
    ],
)
def test_periode_bounds_per_cycle_domain_periodic_cycle_options(
    siklus: str, n: int, akhir_pertama: dt.date
) -> None:
    """domain.md "Periodic cycle options: bulanan, triwulanan (default) and semesteran": the periods of a
    (leap) year cover 1 Jan..31 Dec without gap or overlap."""
    from kinerja.services.tenancy import _periode_bounds

    bounds = _periode_bounds(2028, siklus)
    assert len(bounds) == n == 12 // BULAN_PER_PERIODE[siklus]
    assert [b[0] for b in bounds] == list(range(1, n + 1))
    assert bounds[0][1:] == (dt.date(2028, 1, 1), akhir_pertama)
    assert bounds[-1][2] == dt.date(2028, 12, 31)
    for (_, _a, end), (_, start, _b) in itertools.pairwise(bounds):
        assert start == end + dt.timedelta(days=1)


def test_semester_bounds_jan_jun_jul_dec() -> None:
    """domain.md "Periodic cycle options": semesteran = Jan-Jun and Jul-Dec."""
    assert semester_bounds(2026) == [
        (1, dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
        (2, dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    ]


def test_semesteran_instansi_gets_two_periods_and_names(org_a: Org) -> None:
    """A semesteran instansi gets exactly two periods a year (idempotent), named Semester 1/2 and
    SEMESTER I/II on the evaluation document."""
    _semesteran(org_a.instansi)
    with scope(instansi=org_a.instansi.pk):
        first = periode_ensure_year(instansi=org_a.instansi, tahun=2026)
        again = periode_ensure_year(instansi=org_a.instansi, tahun=2026)
        assert [p.pk for p in first] == [p.pk for p in again]
        assert [(p.nomor, p.mulai, p.selesai, p.siklus) for p in first] == [
            (1, dt.date(2026, 1, 1), dt.date(2026, 6, 30), "semesteran"),
            (2, dt.date(2026, 7, 1), dt.date(2026, 12, 31), "semesteran"),
        ]
        assert str(first[1]) == "Semester 2 2026"
        assert judul_periode(periode=first[0], siklus="semesteran") == "SEMESTER I"
        assert judul_periode(periode=first[1], siklus="semesteran", besar=False) == "Semester II"
        assert Periode.objects.filter(instansi=org_a.instansi, tahun=2026).count() == 2


def test_api_periode_lists_semesteran(org_a: Org, org_b: Org) -> None:
    """api-contract §3 GET periode/: siklus values now include ``semesteran``; B's periods stay B's."""
    _semesteran(org_a.instansi)
    with scope(instansi=org_a.instansi.pk):
        periode_ensure_year(instansi=org_a.instansi, tahun=2026)
    with scope(instansi=org_b.instansi.pk):
        periode_ensure_year(instansi=org_b.instansi, tahun=2026)
    body = api_client_for(org_a.pegawai.user).get("/api/v1/periode/?tahun=2026").json()
    rows = body["results"] if isinstance(body, dict) else body
    mine = [r for r in rows if r["tahun"] == 2026]
    assert {r["siklus"] for r in mine} == {"semesteran"}
    assert sorted((r["mulai"], r["selesai"]) for r in mine) == [
        ("2026-01-01", "2026-06-30"),
        ("2026-07-01", "2026-12-31"),
    ]


def test_semesteran_pages_iterate_two_periods(org_a: Org) -> None:
    """Pages that iterate periods (evaluation list, realisasi, team page) work with two periods."""
    _semesteran(org_a.instansi)
    skp = make_skp(org_a, org_a.pegawai)
    with scope(instansi=org_a.instansi.pk):
        semesters = periode_ensure_year(instansi=org_a.instansi, tahun=2026)
    c = Client()
    c.force_login(org_a.atasan.user)
    body = c.get(f"{reverse('evaluasi:daftar')}?tahun=2026").content.decode()
    assert "Semester 1" in body
    assert "Semester 2" in body
    assert c.get(f"{reverse('dialog:tim')}?periode={semesters[0].pk}").status_code == 200
    p = Client()
    p.force_login(org_a.pegawai.user)
    page = p.get(f"{reverse('dialog:realisasi', args=[skp.pk])}?periode={semesters[1].pk}")
    assert page.status_code == 200
    assert "Semester 2 2026" in page.content.decode()


# ---------------------------------------------------------------- the monitoring check


def _catatan(org: Org, pegawai: Any, tanggal: dt.date, jenis: str = JenisCatatan.DIALOG) -> None:
    with scope(instansi=org.instansi.pk):
        services.catatan_create(
            actor=org.atasan.user, jenis=jenis, pegawai=pegawai, tanggal=tanggal, agenda="Capaian semester"
        )


def _tanpa(org: Org, today: dt.date) -> dict[int, tuple[Any, Any]]:
    with scope(instansi=org.instansi.pk):
        rows = pemantauan_semester_tanpa_dialog(
            instansi=org.instansi,
            unit_ids=unit_subtree_ids(instansi=org.instansi, unit=org.kepala.unit_kerja),
            tahun=2026,
            today=today,
        )
        return {p.pk: (getattr(p, "ada_s1", None), getattr(p, "ada_s2", None)) for p in rows}


def test_semester_not_begun_is_not_checked() -> None:
    """PP30 §5 "at least once per semester": a semester that has not begun has nothing to check."""
    assert [s.nomor for s in semester_dimulai(tahun=2026, today=dt.date(2026, 6, 30))] == [1]
    s1, s2 = semester_dimulai(tahun=2026, today=dt.date(2026, 7, 1))
    assert (s1.selesai_sudah, s2.selesai_sudah) == (True, False)
    assert semester_dimulai(tahun=2027, today=dt.date(2026, 12, 7)) == []


def test_monitoring_lists_pegawai_without_dialog_or_feedback_per_semester(
    org_a: Org, org_b: Org, django_assert_num_queries: Any
) -> None:
    """domain.md "Periodic cycle options": the Pejabat Penilai must have recorded at least one
    dialog/feedback per pegawai per semester; the unit report lists those without (per semester)."""
    # given three more pegawai under the atasan (>= 3 rows) and B's people (never listed)
    extra = [
        PegawaiFactory(
            instansi=org_a.instansi,
            unit_kerja=org_a.pegawai.unit_kerja,
            jabatan=org_a.pegawai.jabatan,
            atasan=org_a.atasan,
        )
        for _ in range(3)
    ]
    # semester I: a dialog with pegawai, a bimbingan with extra[0]; semester II: feedback to rekan
    _catatan(org_a, org_a.pegawai, dt.date(2026, 3, 10))
    skp = make_skp(org_a, org_a.rekan)
    with time_machine.travel(dt.datetime(2026, 8, 3, 9, 0, tzinfo=WIB), tick=False):
        _catatan(org_a, extra[0], dt.date(2026, 6, 30), JenisCatatan.BIMBINGAN)
        with scope(instansi=org_a.instansi.pk):
            periode = periode_ensure_year(instansi=org_a.instansi, tahun=2026)[2]
            services.umpan_balik_give(actor=org_a.atasan.user, skp=skp, periode_id=periode.pk, isi="Bagus")
            # a peer's feedback is not the Pejabat Penilai's: extra[1] stays listed
            skp1 = make_skp(org_a, extra[1])
            services.umpan_balik_give(actor=org_a.rekan.user, skp=skp1, periode_id=periode.pk, isi="Rapi")
        _catatan(org_a, extra[2], dt.date(2026, 7, 1))  # first day of semester II
    # when checked on 7 December 2026
    with django_assert_num_queries(1):
        rows = _tanpa(org_a, dt.date(2026, 12, 7))
    # then everyone with a gap in either semester is listed, with which semester is missing
    assert rows[org_a.pegawai.pk] == (True, False)
    assert rows[extra[0].pk] == (True, False)
    assert rows[org_a.rekan.pk] == (False, True)
    assert rows[extra[1].pk] == (False, False)
    assert rows[extra[2].pk] == (False, True)
    # the atasan and admin/hr have the kepala as Pejabat Penilai and nothing recorded; the kepala has none
    assert org_a.atasan.pk in rows
    assert org_a.kepala.pk not in rows
    assert org_b.pegawai.pk not in rows
    # in June only semester I is checked: those with a semester I record are not listed
    juni = _tanpa(org_a, dt.date(2026, 6, 15))
    assert org_a.pegawai.pk not in juni
    assert extra[0].pk not in juni
    assert juni[extra[1].pk] == (False, None)


def test_unit_report_page_shows_the_semester_check_and_isolation(org_a: Org, org_b: Org) -> None:
    """The unit report (Laporan → unit → Pegawai) shows the per-semester list; B's admin gets 404."""
    _catatan(org_a, org_a.pegawai, dt.date(2026, 2, 2))
    unit = org_a.pegawai.unit_kerja
    url = f"{reverse('evaluasi:laporan-unit', args=[unit.pk])}?tahun=2026"
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, tzinfo=WIB), tick=False):
        c = Client()
        c.force_login(org_a.admin.user)
        body = c.get(url).content.decode()
        assert 'data-testid="pemantauan-semester"' in body
        assert f'data-testid="pemantauan-{org_a.rekan.pk}-s1"' in body
        cell = body.split(f'data-testid="pemantauan-{org_a.pegawai.pk}-s1">')[1].split("</td>")[0]
        assert "Ada" in cell
        cell = body.split(f'data-testid="pemantauan-{org_a.pegawai.pk}-s2">')[1].split("</td>")[0]
        assert "Belum (semester berjalan)" in cell
        o = Client()
        o.force_login(org_b.admin.user)
        assert o.get(url).status_code == 404


def test_semesteran_evaluations_and_reminders_use_two_periods(org_a: Org) -> None:
    """With the semesteran cycle the periodic evaluations are two per SKP year (Semester 1 and 2) and the
    end-of-period reminders fire before 30 June and 31 December only (domain.md "Periodic cycle options")."""
    from dialog.models import Notifikasi
    from dialog.services.notifikasi import pengingat_periode
    from evaluasi.models import Evaluasi
    from evaluasi.services import evaluasi_ensure

    _semesteran(org_a.instansi)
    make_skp(org_a, org_a.pegawai)
    with scope(instansi=org_a.instansi.pk):
        evaluasi_ensure(instansi=org_a.instansi, tahun=2026, pegawai_ids=[org_a.pegawai.pk])
        periodik = Evaluasi.objects.filter(pegawai=org_a.pegawai, tahun=2026, jenis="periodik")
        assert sorted((e.periode.siklus, e.periode.nomor) for e in periodik) == [
            ("semesteran", 1),
            ("semesteran", 2),
        ]
        assert pengingat_periode(instansi=org_a.instansi, today=dt.date(2026, 5, 15)) == 0
        assert pengingat_periode(instansi=org_a.instansi, today=dt.date(2026, 6, 25)) >= 1
        kunci = set(Notifikasi.objects.filter(jenis__startswith="pengingat").values_list("kunci", flat=True))
        semester1 = periode_ensure_year(instansi=org_a.instansi, tahun=2026)[0]
        assert kunci
        assert all(f":{semester1.pk}" in k for k in kunci)
