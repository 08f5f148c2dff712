"""The home page per role (issue #14): the pegawai's one next step, the Pejabat Penilai's counts and
ratings due, the admin's completeness and batch readiness, HR's exports and files; the "Nilai" link;
the SKP approval count of the navbar. Two instansi everywhere: B's data never shows up in A's counts.

Time is frozen in the second quarter of 2026 (Triwulan 2: 1 April - 30 June).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from evaluasi.models import Evaluasi
from kinerja.models import Job, JobStatus, Pegawai
from kinerja.services.tenancy import periode_ensure_year
from skp.models import Skp, SkpStatus
from tests.conftest import Org, build_org
from tests.evaluasi.conftest import make_skp
from tests.factories import PegawaiFactory
from tests.skp.test_api_skp import approved_skp, atasan_plan

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
HARI_INI = dt.datetime(2026, 5, 15, 9, 0, tzinfo=WIB)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(HARI_INI, tick=False):
        yield


def client_for(p: Pegawai) -> Client:
    c = Client()
    c.force_login(p.user)
    return c


def home(p: Pegawai) -> str:
    resp = client_for(p).get(reverse("dashboard"))
    assert resp.status_code == 200
    return resp.content.decode()


def langkah_utama(body: str) -> str:
    m = re.search(r'data-testid="langkah-utama" data-kode="([^"]+)"', body)
    assert m, "no main next step on the page"
    return m.group(1)


def tw2(org: Org) -> Any:
    with scope(instansi=org.instansi.pk):
        return periode_ensure_year(instansi=org.instansi, tahun=2026)[1]


def rate(skp: Skp, periode: Any) -> None:
    """Mark the periodic evaluation of ``skp`` for ``periode`` rated (the rating service is tested elsewhere)."""
    from evaluasi.services import evaluasi_ensure

    with scope(instansi=skp.instansi_id):
        evaluasi_ensure(instansi=skp.instansi, tahun=2026, pegawai_ids=[skp.pegawai_id])
    with scopes_disabled():
        n = Evaluasi._base_manager.filter(skp=skp, periode=periode).update(
            rating_hasil_kerja="sesuai_ekspektasi",
            rating_perilaku_kerja="sesuai_ekspektasi",
            predikat="baik",
            status="dinilai",
        )
    assert n == 1


# ---------------------------------------------------------------------------------------------- pegawai


def test_pegawai_without_skp_is_told_to_draft_it(org_a: Org, org_b: Org) -> None:
    make_skp(org_b.pegawai, status=SkpStatus.DIKEMBALIKAN)  # B's data must not matter
    body = home(org_a.pegawai)
    assert langkah_utama(body) == "skp-susun"
    assert "Susun SKP 2026" in body
    assert f'href="{reverse("skp:saya")}"' in body
    assert "Belum ada SKP 2026" in body


def test_returned_skp_shows_the_note_and_links_to_the_skp(org_a: Org) -> None:
    skp = make_skp(org_a.pegawai, status=SkpStatus.DIKEMBALIKAN)
    with scopes_disabled():
        Skp._base_manager.filter(pk=skp.pk).update(catatan_pengembalian="Target kuantitas belum terukur.")
    body = home(org_a.pegawai)
    assert langkah_utama(body) == "skp-perbaiki"
    assert 'data-testid="catatan-pengembalian">Target kuantitas belum terukur.<' in body
    assert f'href="{reverse("skp:detail", args=[skp.pk])}"' in body


def test_draft_skp_is_to_be_completed_and_submitted(org_a: Org) -> None:
    skp = make_skp(org_a.pegawai, status=SkpStatus.DRAFT)
    body = home(org_a.pegawai)
    assert langkah_utama(body) == "skp-ajukan"
    assert f'href="{reverse("skp:detail", args=[skp.pk])}"' in body


def test_submitted_skp_waits_without_a_step(org_a: Org) -> None:
    make_skp(org_a.pegawai, status=SkpStatus.DIAJUKAN)
    body = home(org_a.pegawai)
    assert 'data-testid="langkah-kosong"' in body
    assert f"menunggu persetujuan {org_a.atasan.nama}" in body


def test_approved_skp_asks_for_this_periods_realisasi_then_feedback(org_a: Org, api: Any) -> None:
    lead = atasan_plan(api, org_a)
    own = approved_skp(api, org_a.pegawai, org_a.atasan, ["Laporan keuangan"], [lead["rhk"][0]["id"]])
    periode = tw2(org_a)
    body = home(org_a.pegawai)
    assert langkah_utama(body) == "realisasi"
    assert f"{reverse('dialog:realisasi', args=[own['skp']['id']])}?periode={periode.pk}" in body
    assert "0 dari 2 indikator sudah terisi" in body

    # when every indicator is filled and the leader gives feedback
    from dialog.services.dokumentasi import realisasi_save
    from dialog.services.umpan_balik import umpan_balik_give

    with scope(instansi=org_a.instansi.pk):
        skp = Skp.objects.get(pk=own["skp"]["id"])
        for ind in own["rhk"][0]["indikator"]:
            realisasi_save(
                actor=org_a.pegawai.user, skp=skp, indikator_id=ind["id"], periode_id=periode.pk,
                realisasi="3 laporan", tautan="https://drive.example.go.id/l", judul_bukti="Laporan",
            )  # fmt: skip
        umpan_balik_give(actor=org_a.atasan.user, skp=skp, periode_id=periode.pk, isi="Bagus, pertahankan.")
    body = home(org_a.pegawai)
    # then the next step is to respond to the feedback
    assert langkah_utama(body) == "umpan-balik"
    assert "Tanggapi 1 umpan balik" in body
    assert "realisasi Triwulan 2 2026: 2/2" in body


def test_everything_done_says_so_and_what_next(org_a: Org) -> None:
    make_skp(org_a.pegawai)  # approved, no indicators -> nothing to fill
    body = home(org_a.pegawai)
    assert 'data-testid="langkah-kosong"' in body
    assert "Tidak ada yang perlu Anda kerjakan sekarang." in body


# ---------------------------------------------------------------------------------------------- pejabat penilai


def _team(org: Org, n: int) -> list[Pegawai]:
    return [
        PegawaiFactory(
            instansi=org.instansi,
            unit_kerja=org.pegawai.unit_kerja,
            jabatan=org.pegawai.jabatan,
            atasan=org.atasan,
        )
        for _ in range(n)
    ]


def test_penilai_counts_and_nilai_links_never_include_the_other_instansi(org_a: Org, org_b: Org) -> None:
    # given in A: the pegawai's SKP approved (not rated), the rekan's submitted, one more approved and rated
    periode = tw2(org_a)
    skp_pegawai = make_skp(org_a.pegawai)
    make_skp(org_a.rekan, status=SkpStatus.DIAJUKAN)
    (dinilai,) = _team(org_a, 1)
    rate(make_skp(dinilai), periode)
    # and the same shapes in B
    make_skp(org_b.pegawai)
    make_skp(org_b.rekan, status=SkpStatus.DIAJUKAN)
    body = home(org_a.atasan)
    assert 'data-testid="jumlah-skp-persetujuan">1<' in body
    assert 'data-testid="jumlah-nilai">1<' in body
    assert 'data-testid="jumlah-permintaan">0<' in body
    url = f"{reverse('evaluasi:nilai-skp', args=[skp_pegawai.pk])}?periode={periode.pk}"
    assert f'href="{url}"' in body
    assert f'data-testid="nilai-{org_a.pegawai.pk}"' in body
    assert f'data-testid="nilai-{dinilai.pk}"' not in body  # already rated
    assert org_b.pegawai.nama not in body
    # B's leader sees B's numbers only
    body_b = home(org_b.atasan)
    assert 'data-testid="jumlah-skp-persetujuan">1<' in body_b
    assert org_a.pegawai.nama not in body_b


def test_penilai_with_nothing_due_gets_empty_states(org_a: Org) -> None:
    body = home(org_a.atasan)
    assert "Tidak ada SKP yang menunggu persetujuan Anda." in body
    assert 'data-testid="nilai-kosong"' in body


def test_penilai_home_query_count_is_constant_in_team_size(
    org_a: Org, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for p in [org_a.pegawai, org_a.rekan, *_team(org_a, 1)]:
        make_skp(p)
    c = client_for(org_a.atasan)
    c.get(reverse("dashboard"))  # warm caches (content types, periods)
    with CaptureQueriesContext(connection) as few:
        assert c.get(reverse("dashboard")).status_code == 200
    for p in _team(org_a, 6):
        make_skp(p)
    for p in _team(org_a, 3):
        make_skp(p, status=SkpStatus.DIAJUKAN)
    with django_assert_max_num_queries(len(few)):
        body = c.get(reverse("dashboard")).content.decode()
    assert 'data-testid="jumlah-nilai">9<' in body
    assert 'data-testid="jumlah-skp-persetujuan">3<' in body


def test_navbar_approval_count_fragment(org_a: Org, org_b: Org) -> None:
    make_skp(org_a.pegawai, status=SkpStatus.DIAJUKAN)
    make_skp(org_a.rekan, status=SkpStatus.DIAJUKAN)
    make_skp(org_b.pegawai, status=SkpStatus.DIAJUKAN)
    frag = client_for(org_a.atasan).get(reverse("skp:inbox-jumlah")).content.decode()
    assert 'data-testid="persetujuan-jumlah">2<' in frag
    # the menu asks for it
    assert reverse("skp:inbox-jumlah") in home(org_a.atasan)
    # nothing waiting: no badge
    assert (
        "persetujuan-jumlah" not in client_for(org_a.kepala).get(reverse("skp:inbox-jumlah")).content.decode()
    )


# ---------------------------------------------------------------------------------------------- "Nilai" link


def test_nilai_link_opens_the_periods_evaluation_for_the_penilai(org_a: Org) -> None:
    periode = tw2(org_a)
    skp = make_skp(org_a.pegawai)
    resp = client_for(org_a.atasan).get(reverse("evaluasi:nilai-skp", args=[skp.pk]))
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(skp=skp, periode=periode)
    assert resp.status_code == 302
    assert resp["Location"] == reverse("evaluasi:detail", args=[ev.pk])
    # an explicit period of the stint
    with scope(instansi=org_a.instansi.pk):
        q1 = periode_ensure_year(instansi=org_a.instansi, tahun=2026)[0]
    resp = client_for(org_a.atasan).get(f"{reverse('evaluasi:nilai-skp', args=[skp.pk])}?periode={q1.pk}")
    with scopes_disabled():
        ev1 = Evaluasi._base_manager.get(skp=skp, periode=q1)
    assert resp["Location"] == reverse("evaluasi:detail", args=[ev1.pk])


def test_nilai_link_is_404_for_others_and_explains_unapproved(org_a: Org, org_b: Org) -> None:
    skp = make_skp(org_a.pegawai)
    url = reverse("evaluasi:nilai-skp", args=[skp.pk])
    assert client_for(org_b.atasan).get(url).status_code == 404  # other instansi
    assert client_for(org_a.rekan).get(url).status_code == 404  # a peer
    with scope(instansi=org_b.instansi.pk):
        periode_b = periode_ensure_year(instansi=org_b.instansi, tahun=2026)[1]
    assert client_for(org_a.atasan).get(f"{url}?periode={periode_b.pk}").status_code == 404
    draft = make_skp(org_a.rekan, status=SkpStatus.DRAFT)
    resp = client_for(org_a.atasan).get(reverse("evaluasi:nilai-skp", args=[draft.pk]), follow=True)
    assert resp.redirect_chain[0][0] == reverse("skp:detail", args=[draft.pk])
    assert "Penilaian dimulai setelah SKP disetujui." in resp.content.decode()


# ---------------------------------------------------------------------------------------------- admin


def test_admin_sees_completeness_and_readiness_counting_pegawai_without_skp(org_a: Org, org_b: Org) -> None:
    # given 6 active pegawai in A: one approved+rated (annual), one approved, one submitted, three without SKP
    from evaluasi.services import evaluasi_ensure

    s1 = make_skp(org_a.pegawai)
    make_skp(org_a.rekan)
    make_skp(org_a.atasan, status=SkpStatus.DIAJUKAN)
    with scope(instansi=org_a.instansi.pk):
        evaluasi_ensure(instansi=org_a.instansi, tahun=2026, pegawai_ids=[s1.pegawai_id])
    with scopes_disabled():
        Evaluasi._base_manager.filter(skp=s1, jenis="tahunan").update(
            rating_hasil_kerja="sesuai_ekspektasi", rating_perilaku_kerja="sesuai_ekspektasi",
            predikat="baik", status="dinilai",
        )  # fmt: skip
    for p in _team(org_b, 4):  # B is bigger and must not count
        make_skp(p)
    body = home(org_a.admin)
    assert 'data-testid="kesiapan-pegawai">6<' in body
    assert 'data-testid="kesiapan-dinilai">1<' in body
    assert 'data-testid="kesiapan-belum-dinilai">1<' in body
    assert 'data-testid="kesiapan-skp-belum-disetujui">1<' in body
    assert 'data-testid="kesiapan-tanpa-skp">3<' in body
    assert 'data-testid="unit-tertinggal"' in body
    assert reverse("evaluasi:tahunan") in body
    # the old dashboard numbers stay
    assert 'data-testid="jumlah-pegawai">6<' in body


def test_plain_pegawai_sees_no_admin_or_penilai_sections(org_a: Org) -> None:
    body = home(org_a.pegawai)
    for testid in ("beranda-penilai", "beranda-kesiapan", "beranda-hr"):
        assert f'data-testid="{testid}"' not in body


# ---------------------------------------------------------------------------------------------- HR


def test_hr_sees_exports_and_last_files_of_own_instansi(
    org_a: Org, org_b: Org, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    body = home(org_a.hr)
    assert 'data-testid="hr-ekspor"' in body
    assert reverse("dokumen-ekspor") in body
    assert 'data-testid="hr-berkas-kosong"' in body
    from kinerja.documents import all_jobs

    jenis = all_jobs()[0].key
    with scopes_disabled():
        for org in (org_a, org_b):
            job = Job._base_manager.create(
                instansi=org.instansi, jenis=jenis, status=JobStatus.SELESAI, finished_at=HARI_INI
            )
            job.hasil.save(f"hasil-{org.instansi.kode}.zip", ContentFile(b"PK"), save=True)
        mine = Job._base_manager.get(instansi=org_a.instansi, jenis=jenis)
        theirs = Job._base_manager.get(instansi=org_b.instansi, jenis=jenis)
    body = home(org_a.hr)
    assert reverse("job-download", args=[mine.pk]) in body
    assert reverse("job-download", args=[theirs.pk]) not in body
    assert 'data-testid="kesiapan-batch"' not in body  # readiness is for the admin


# ---------------------------------------------------------------------------------------------- batch page


def test_batch_page_opens_with_dry_run_ticked_and_shows_readiness(org_a: Org) -> None:
    make_skp(org_a.pegawai)
    body = client_for(org_a.admin).get(reverse("evaluasi:tahunan")).content.decode()
    assert re.search(r'<input[^>]*name="dry_run"[^>]*checked', body)
    assert 'data-testid="kesiapan-pegawai">6<' in body
    assert 'data-testid="kesiapan-belum-dinilai">1<' in body
    assert 'data-testid="kesiapan-tanpa-skp">5<' in body


def test_empty_instansi_admin_home_does_not_break() -> None:
    org = build_org("K")
    with scopes_disabled():
        Pegawai._base_manager.filter(instansi=org.instansi).exclude(pk=org.admin.pk).update(aktif=False)
    body = home(org.admin)
    assert 'data-testid="kesiapan-pegawai">1<' in body


def test_nilai_link_on_tim_skp_and_realisasi_pages_for_the_penilai_only(org_a: Org) -> None:
    periode = tw2(org_a)
    skp = make_skp(org_a.pegawai)
    draft = make_skp(org_a.rekan, status=SkpStatus.DRAFT)
    nilai = reverse("evaluasi:nilai-skp", args=[skp.pk])
    penilai = client_for(org_a.atasan)
    tim = penilai.get(f"{reverse('dialog:tim')}?periode={periode.pk}").content.decode()
    assert f'href="{nilai}?periode={periode.pk}" data-testid="tim-nilai-{org_a.pegawai.pk}"' in tim
    assert f'data-testid="tim-nilai-{org_a.rekan.pk}"' not in tim  # draft SKP: nothing to rate yet
    detail = penilai.get(reverse("skp:detail", args=[skp.pk])).content.decode()
    assert f'href="{nilai}" data-testid="skp-nilai"' in detail
    assert (
        'data-testid="skp-nilai"' not in penilai.get(reverse("skp:detail", args=[draft.pk])).content.decode()
    )
    realisasi = penilai.get(
        f"{reverse('dialog:realisasi', args=[skp.pk])}?periode={periode.pk}"
    ).content.decode()
    assert f'href="{nilai}?periode={periode.pk}" data-testid="realisasi-nilai"' in realisasi
    # the owner never sees a "Nilai" link on their own pages
    owner = client_for(org_a.pegawai)
    assert 'data-testid="skp-nilai"' not in owner.get(reverse("skp:detail", args=[skp.pk])).content.decode()
    assert (
        'data-testid="realisasi-nilai"'
        not in owner.get(reverse("dialog:realisasi", args=[skp.pk])).content.decode()
    )


def test_home_in_english(org_a: Org) -> None:
    make_skp(org_a.pegawai, status=SkpStatus.DRAFT)
    c = client_for(org_a.atasan)
    c.post(reverse("set_language"), {"language": "en", "next": reverse("dashboard")})
    body = c.get(reverse("dashboard")).content.decode()
    assert "Next step" in body
    assert "As Pejabat Penilai" in body
    assert "Draw up your 2026 SKP" in body
    assert "Langkah berikutnya" not in body
