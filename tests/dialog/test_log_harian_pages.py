"""Log harian pages: the pegawai's entry page (preset date, last RHK remembered, copy yesterday, day total),
correcting a rejected entry, the leader's bulk verification page (a foreign id → 404, nothing changes),
the recap next to the realisasi, the XLSX export, query counts. Frozen on Friday 15 May 2026."""

import datetime as dt
import io
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client
from django_scopes import scope
from openpyxl import load_workbook

from dialog.models import LogHarian
from dialog.services import log_harian as svc
from skp.models import Skp
from tests.conftest import Org
from tests.dialog.conftest import make_skp, periods, rhk_of

URL = "/dialog/log-harian/"
VERIF = "/dialog/log-harian/verifikasi/"


def login(client: Client, pegawai: Any) -> Client:
    client.force_login(pegawai.user)
    return client


@pytest.fixture
def skp_pegawai(org_a: Org, tw: Any) -> Skp:
    return make_skp(org_a, org_a.pegawai)


def add(
    org: Org, pegawai: Any, rhk_id: int, tanggal: dt.date, menit: int = 60, uraian: str = "Rapat"
) -> LogHarian:
    with scope(instansi=org.instansi.pk):
        return svc.log_harian_create(
            actor=pegawai.user, instansi=org.instansi, tanggal=tanggal, rhk_id=rhk_id, uraian=uraian,
            durasi_menit=menit,
        )  # fmt: skip


def test_entry_page_presets_and_day_total(
    client: Client, org_a: Org, skp_pegawai: Skp, django_assert_max_num_queries: Any
) -> None:
    r1, r2 = rhk_of(org_a, skp_pegawai)[:2]
    for i in range(3):
        add(org_a, org_a.pegawai, r1.pk, dt.date(2026, 5, 11 + i), uraian=f"Kegiatan {i}")
    add(org_a, org_a.pegawai, r2.pk, dt.date(2026, 5, 14), menit=90, uraian="Menyusun laporan bulanan")
    add(org_a, org_a.pegawai, r2.pk, dt.date(2026, 5, 15), menit=30, uraian="Pagi ini")
    login(client, org_a.pegawai)
    with django_assert_max_num_queries(30):
        r = client.get(URL)
    assert r.status_code == 200
    form = r.context["form"]
    assert form.initial["tanggal"] == dt.date(2026, 5, 15)
    assert form.initial["rhk"] == r2.pk  # the last RHK remembered
    assert r.context["menit_hari"] == 30
    html = r.content.decode()
    assert "30 dari 1440 menit" in html
    assert html.count('data-testid="status-log"') == 5
    assert r.context["rekap"].menit == 3 * 60 + 90 + 30


def test_query_count_does_not_grow_with_rows(
    client: Client, org_a: Org, skp_pegawai: Skp, django_assert_max_num_queries: Any
) -> None:
    rhk = rhk_of(org_a, skp_pegawai)[0]
    for i in range(12):
        add(org_a, org_a.pegawai, rhk.pk, dt.date(2026, 5, 1 + i), menit=30)
    login(client, org_a.pegawai)
    with django_assert_max_num_queries(30):
        assert client.get(URL).status_code == 200


def test_copy_yesterday_prefills(client: Client, org_a: Org, skp_pegawai: Skp) -> None:
    r1, r2 = rhk_of(org_a, skp_pegawai)[:2]
    add(org_a, org_a.pegawai, r1.pk, dt.date(2026, 5, 13), menit=45, uraian="Lama")
    add(org_a, org_a.pegawai, r2.pk, dt.date(2026, 5, 14), menit=75, uraian="Kemarin: input data SIASN")
    login(client, org_a.pegawai)
    r = client.get(URL, {"salin": "kemarin"})
    init = r.context["form"].initial
    assert (init["tanggal"], init["rhk"], init["durasi_menit"], init["uraian"]) == (
        dt.date(2026, 5, 15), r2.pk, 75, "Kemarin: input data SIASN",
    )  # fmt: skip
    assert client.get(URL, {"salin": "²"}).status_code == 200  # review: int("²") fails, never a 500


def test_post_creates_and_shows_errors(client: Client, org_a: Org, skp_pegawai: Skp) -> None:
    rhk = rhk_of(org_a, skp_pegawai)[0]
    login(client, org_a.pegawai)
    r = client.post(
        URL, {"tanggal": "2026-05-15", "rhk": rhk.pk, "uraian": "Rapat koordinasi", "durasi_menit": 1500}
    )
    assert r.status_code == 422
    assert "durasi_menit" in r.context["form"].errors
    r = client.post(URL, {"tanggal": "2026-05-16", "rhk": rhk.pk, "uraian": "Besok", "durasi_menit": 30})
    assert r.status_code == 422
    assert "masa depan" in str(r.context["form"].errors["tanggal"])
    r = client.post(
        URL, {"tanggal": "2026-05-15", "rhk": rhk.pk, "uraian": "Rapat koordinasi", "durasi_menit": 60}
    )
    assert r.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        assert LogHarian.objects.get().status == "menunggu"


def test_empty_state_without_approved_skp(client: Client, org_a: Org, tw: Any) -> None:
    login(client, org_a.pegawai)
    r = client.get(URL)
    assert r.status_code == 200
    assert 'data-testid="log-tanpa-rhk"' in r.content.decode()


def test_rejected_entry_corrected_on_the_page(client: Client, org_a: Org, skp_pegawai: Skp) -> None:
    rhk = rhk_of(org_a, skp_pegawai)[0]
    log = add(org_a, org_a.pegawai, rhk.pk, dt.date(2026, 5, 14))
    with scope(instansi=org_a.instansi.pk):
        svc.log_harian_verify(
            actor=org_a.atasan.user,
            instansi=org_a.instansi,
            ids=[log.pk],
            status="ditolak",
            catatan="Kurang rinci",
        )
    login(client, org_a.pegawai)
    assert "Kurang rinci" in client.get(URL).content.decode()
    url = f"/dialog/log-harian/{log.pk}/ubah/"
    r = client.post(
        url, {"tanggal": "2026-05-14", "rhk": rhk.pk, "uraian": "Rapat: 3 keputusan", "durasi_menit": 60}
    )
    assert r.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        log.refresh_from_db()
        assert (log.status, log.uraian) == ("menunggu", "Rapat: 3 keputusan")
    # someone else's entry: 404
    client.force_login(org_a.rekan.user)
    assert client.get(url).status_code == 404
    assert client.post(f"/dialog/log-harian/{log.pk}/hapus/").status_code == 404


def test_verification_page_bulk(
    client: Client, org_a: Org, org_b: Org, skp_pegawai: Skp, django_assert_max_num_queries: Any
) -> None:
    rhk = rhk_of(org_a, skp_pegawai)[0]
    rekan_rhk = rhk_of(org_a, make_skp(org_a, org_a.rekan))[0]
    ids = [add(org_a, org_a.pegawai, rhk.pk, dt.date(2026, 5, 11 + i)).pk for i in range(3)]
    ids.append(add(org_a, org_a.rekan, rekan_rhk.pk, dt.date(2026, 5, 12)).pk)
    ids.append(add(org_a, org_a.rekan, rekan_rhk.pk, dt.date(2026, 5, 4)).pk)  # last week
    periods(org_b)
    rhk_b = rhk_of(org_b, make_skp(org_b, org_b.pegawai))[0]
    foreign = add(org_b, org_b.pegawai, rhk_b.pk, dt.date(2026, 5, 12)).pk
    login(client, org_a.atasan)
    with django_assert_max_num_queries(25):
        r = client.get(VERIF, {"minggu": "2026-05-13"})
    assert r.status_code == 200
    assert r.context["minggu"] == dt.date(2026, 5, 11)
    assert {x.pk for x in r.context["logs"]} == set(ids[:4])  # this week, the whole team, not last week
    r = client.get(VERIF, {"minggu": "2026-05-13", "pegawai": org_a.rekan.pk})
    assert {x.pk for x in r.context["logs"]} == {ids[3]}
    # a pegawai filter outside the team → 404
    assert client.get(VERIF, {"pegawai": org_a.kepala.pk}).status_code == 404
    # a foreign id among the selection → 404, nothing changes
    r = client.post(VERIF, {"minggu": "2026-05-11", "ids": [*ids[:3], foreign], "aksi": "diterima"})
    assert r.status_code == 404
    with scope(instansi=org_a.instansi.pk):
        assert set(LogHarian.objects.values_list("status", flat=True)) == {"menunggu"}
    # reject without a note → 422 with the reason, the selection kept
    r = client.post(VERIF, {"minggu": "2026-05-11", "ids": ids[:2], "aksi": "ditolak", "catatan": ""})
    assert r.status_code == 422
    assert "alasan penolakan" in r.content.decode()
    r = client.post(VERIF, {"minggu": "2026-05-11", "ids": ids[:4], "aksi": "diterima"})
    assert r.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        assert set(LogHarian.objects.filter(pk__in=ids[:4]).values_list("status", flat=True)) == {"diterima"}
    # a plain pegawai has no verification page
    client.force_login(org_a.pegawai.user)
    assert client.get(VERIF).status_code == 404
    # another instansi's leader sees none of A's
    client.force_login(org_b.atasan.user)
    r = client.get(VERIF, {"minggu": "2026-05-11"})
    assert {x.pk for x in r.context["logs"]} == {foreign}


def test_verification_query_count_does_not_grow(
    client: Client, org_a: Org, skp_pegawai: Skp, django_assert_max_num_queries: Any
) -> None:
    rhk = rhk_of(org_a, skp_pegawai)[0]
    for i in range(5):
        for j in range(3):
            add(org_a, org_a.pegawai, rhk.pk, dt.date(2026, 5, 11 + i), menit=30 + j)
    login(client, org_a.atasan)
    with django_assert_max_num_queries(25):
        r = client.get(VERIF, {"minggu": "2026-05-11"})
    assert len(r.context["logs"]) == 15


def test_recap_next_to_realisasi(client: Client, org_a: Org, skp_pegawai: Skp) -> None:
    rhk = rhk_of(org_a, skp_pegawai)[0]
    add(org_a, org_a.pegawai, rhk.pk, dt.date(2026, 5, 14), menit=95)
    login(client, org_a.pegawai)
    r = client.get(f"/dialog/skp/{skp_pegawai.pk}/realisasi/")
    html = r.content.decode()
    assert 'data-testid="rekap-log-harian"' in html
    assert ">95<" in html


def test_xlsx_export_per_unit_and_month(client: Client, org_a: Org, org_b: Org, skp_pegawai: Skp) -> None:
    rhk = rhk_of(org_a, skp_pegawai)[0]
    add(org_a, org_a.pegawai, rhk.pk, dt.date(2026, 5, 14), menit=95, uraian="Menyusun SOP")
    add(org_a, org_a.pegawai, rhk.pk, dt.date(2026, 5, 1), menit=15, uraian="Awal bulan")
    login(client, org_a.admin)
    unit = org_a.pegawai.unit_kerja_id
    r = client.get("/dialog/log-harian/ekspor/", {"unit": unit, "bulan": "2026-05"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert [row[4] for row in rows[2:]] == ["Awal bulan", "Menyusun SOP"]
    assert rows[3][1:6] == (
        org_a.pegawai.nip,
        org_a.pegawai.nama,
        rhk.rencana_hasil_kerja,
        "Menyusun SOP",
        95,
    )
    total = list(wb.worksheets[1].iter_rows(values_only=True))
    assert total[1] == (org_a.pegawai.nip, org_a.pegawai.nama, 2, 110, 0)
    # another instansi's unit → 404; a plain pegawai → 404
    client.force_login(org_b.admin.user)
    assert client.get("/dialog/log-harian/ekspor/", {"unit": unit, "bulan": "2026-05"}).status_code == 404
    client.force_login(org_a.rekan.user)
    assert client.get("/dialog/log-harian/ekspor/", {"unit": unit}).status_code == 404


def test_demo_seed_is_idempotent(org_a: Org, skp_pegawai: Skp) -> None:
    from dialog.log_harian_demo import log_harian_demo_seed

    with scope(instansi=org_a.instansi.pk):
        n = log_harian_demo_seed(instansi_id=org_a.instansi.pk, pegawai_ids=[org_a.pegawai.pk])
        assert n > 20  # two entries per working day of the last four weeks
        assert log_harian_demo_seed(instansi_id=org_a.instansi.pk, pegawai_ids=[org_a.pegawai.pk]) == 0
        logs = LogHarian.objects.filter(pegawai=org_a.pegawai)
        assert logs.count() == n
        assert not logs.filter(tanggal__gte=dt.date(2026, 5, 15)).exists()  # today is left to the user
        assert set(logs.values_list("status", flat=True)) == {"menunggu", "diterima", "ditolak"}
        per_hari = logs.values("tanggal").annotate(m=Sum("durasi_menit")).values_list("m", flat=True)
        assert max(per_hari) <= 1440


def test_recap_on_the_rating_page(
    client: Client, org_a: Org, skp_pegawai: Skp, tw: Any, django_assert_max_num_queries: Any
) -> None:
    """domain.md "Daily log": the month's recap is shown next to the rating form too (the last begun month
    of the quarter being rated: May on 15 May), and not at all where the instansi switched the log off."""
    from dialog.models import PengaturanLogHarian
    from evaluasi.models import Evaluasi
    from evaluasi.services import evaluasi_periodik_ensure

    r1, r2 = rhk_of(org_a, skp_pegawai)[:2]
    add(org_a, org_a.pegawai, r1.pk, dt.date(2026, 5, 14), menit=95)
    add(org_a, org_a.pegawai, r2.pk, dt.date(2026, 5, 15), menit=40)
    with scope(instansi=org_a.instansi.pk):
        evaluasi_periodik_ensure(instansi=org_a.instansi, tahun=2026, pegawai_ids=[org_a.pegawai.pk])
        ev = Evaluasi.objects.get(pegawai=org_a.pegawai, periode=tw[1])
    login(client, org_a.atasan)
    with django_assert_max_num_queries(60):
        r = client.get(f"/evaluasi/{ev.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('data-testid="rekap-log-harian"') == 1
    assert "Rekap log harian Mei 2026" in html
    rekap = html.split('data-testid="rekap-log-harian"', 1)[1].split("</section>", 1)[0]
    assert [n for n in ("95", "40", "135") if f">{n}<" in rekap] == ["95", "40", "135"]  # per RHK, total
    with scope(instansi=org_a.instansi.pk):
        PengaturanLogHarian.objects.create(instansi=org_a.instansi, aktif=False)
    assert 'data-testid="rekap-log-harian"' not in client.get(f"/evaluasi/{ev.pk}/").content.decode()


def test_empty_recap_points_the_pegawai_to_the_log(
    client: Client, org_a: Org, skp_pegawai: Skp, tw: Any
) -> None:
    """An empty month's recap says what to do next, to the pegawai whose log it is (not to the leader)."""
    from evaluasi.models import Evaluasi
    from evaluasi.services import evaluasi_periodik_ensure

    login(client, org_a.pegawai)
    html = client.get(f"/dialog/skp/{skp_pegawai.pk}/realisasi/").content.decode()
    assert "Belum ada log harian pada bulan ini." in html
    assert f'href="{URL}" data-testid="rekap-log-catat"' in html
    with scope(instansi=org_a.instansi.pk):
        evaluasi_periodik_ensure(instansi=org_a.instansi, tahun=2026, pegawai_ids=[org_a.pegawai.pk])
        ev = Evaluasi.objects.get(pegawai=org_a.pegawai, periode=tw[1])
    login(client, org_a.atasan)
    html = client.get(f"/evaluasi/{ev.pk}/").content.decode()
    assert "Belum ada log harian pada bulan ini." in html
    assert 'data-testid="rekap-log-catat"' not in html
