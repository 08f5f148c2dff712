"""Feedback from a non-ASN Pejabat Penilai (issue #16): the Bupati (a login without a pegawai row) gives
feedback to the Sekda it rates, replies and sees the thread; nothing on pegawai it does not rate and nothing
across instansi (404); the CHECKs hold; every reader of the giver shows its nama and jabatan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from dialog import selectors, services
from dialog.models import BalasanUmpanBalik, Notifikasi, PeranPemberi, UmpanBalik
from evaluasi.documents import _umpan_balik
from evaluasi.models import Evaluasi
from evaluasi.services import evaluasi_ensure
from kinerja.exceptions import NotFoundOrForbidden, ReadOnly
from kinerja.models import AuditLog, PejabatNonAsn, Periode
from skp.models import Skp
from skp.services import skp_approve, skp_submit
from tests.conftest import Org
from tests.dialog.conftest import HARI_INI, make_skp, periods, rhk_of
from tests.dialog.test_api_umpan_balik import bulk_feedback
from tests.nonasn.test_pejabat_non_asn import add_bupati, login

pytestmark = pytest.mark.django_db
URL = "/api/v1/umpan-balik/"


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def page_url(skp: Skp) -> str:
    return f"/dialog/skp/{skp.pk}/umpan-balik/"


def sekda_skp(org: Org, official: PejabatNonAsn) -> Skp:
    """The Sekda's (org.kepala) SKP, submitted and approved by the Bupati (its non-ASN Pejabat Penilai)."""
    skp = make_skp(org, org.kepala, approve=False)
    with scope(instansi=org.instansi.pk):
        skp_submit(actor=org.kepala.user, skp=Skp.objects.get(pk=skp.pk))
        skp_approve(actor=official.user, skp=Skp.objects.get(pk=skp.pk))
        Notifikasi.objects.all().delete()
        return Skp.objects.select_related("pegawai__user").get(pk=skp.pk)


@pytest.fixture(autouse=True)
def _waktu_tetap() -> Iterator[None]:
    """15 May 2026 (Triwulan 2, semester 1), as the dialog tests."""
    with time_machine.travel(HARI_INI, tick=True):
        yield


@pytest.fixture
def bupati(org_a: Org) -> PejabatNonAsn:
    return add_bupati(org_a)


@pytest.fixture
def tw(org_a: Org) -> list[Periode]:
    return periods(org_a)


@pytest.fixture
def skp_sekda(org_a: Org, bupati: PejabatNonAsn, tw: list[Periode]) -> Skp:
    return sekda_skp(org_a, bupati)


# ------------------------------------------------------------------------------------------ service


def test_service_bupati_gives_feedback_to_the_sekda(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    with scope(instansi=org_a.instansi.pk):
        skp = Skp.objects.select_related("pegawai").get(pk=skp_sekda.pk)
        assert skp.pejabat_penilai_non_asn_id == bupati.pk
        ub = services.umpan_balik_give(
            actor=bupati.user, skp=skp, periode_id=tw[1].pk, isi="Capaian PAD perlu dipercepat"
        )
        ub = UmpanBalik.objects.select_related("pemberi_non_asn").get(pk=ub.pk)
        assert ub.pemberi_id is None
        assert ub.pemberi_non_asn_id == bupati.pk
        assert ub.peran_pemberi == PeranPemberi.PEJABAT_PENILAI
        assert ub.penerima_id == org_a.kepala.pk
        assert ub.pemberi_nama == "H. Ahmad Sukamaju, S.H."
        assert ub.pemberi_jabatan == "Bupati Sukamaju"
        audit = AuditLog.objects.get(action="dialog.umpan_balik", object_id=str(ub.pk))
        assert audit.actor_id == bupati.user_id
        assert audit.after["pemberi_non_asn"] == bupati.pk
        # the notification reaches the Sekda and names the Bupati
        n = Notifikasi.objects.get(penerima=org_a.kepala.user, jenis="umpan_balik")
        assert "H. Ahmad Sukamaju, S.H." in n.judul
        assert n.tautan.endswith(f"#ub-{ub.pk}")
        # the timeline of the Sekda has it under the Bupati's name
        row = selectors.linimasa_pegawai(instansi=org_a.instansi, pegawai=org_a.kepala).first()
        assert row["t_jenis"] == "umpan_balik.diberikan"
        assert row["t_ringkasan"].startswith("H. Ahmad Sukamaju, S.H. (")


def test_service_reply_both_ways_and_notifications(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    with scope(instansi=org_a.instansi.pk):
        ub = services.umpan_balik_give(actor=bupati.user, skp=skp_sekda, periode_id=tw[1].pk, isi="Awal")
        ub = UmpanBalik.objects.select_related("penerima", "pemberi_non_asn").get(pk=ub.pk)
        services.umpan_balik_reply(actor=org_a.kepala.user, umpan_balik=ub, isi="Siap, Pak Bupati")
        # the Sekda's reply notifies the Bupati's login
        n = Notifikasi.objects.get(penerima=bupati.user, jenis="balasan")
        assert org_a.kepala.nama in n.judul
        b = services.umpan_balik_reply(actor=bupati.user, umpan_balik=ub, isi="Terima kasih")
        assert b.penulis_id is None
        assert b.penulis_non_asn_id == bupati.pk
        assert Notifikasi.objects.filter(penerima=org_a.kepala.user, jenis="balasan").count() == 1
        # nobody notifies themself
        assert Notifikasi.objects.filter(penerima=bupati.user, jenis="balasan").count() == 1
        assert AuditLog.objects.filter(action="dialog.umpan_balik_balas", actor=bupati.user).exists()
        thread = selectors.umpan_balik_threads(skp=skp_sekda, viewer=bupati.user, lihat_semua=True).get()
        assert [x.penulis_nama for x in thread.balasan.all()] == [
            org_a.kepala.nama,
            "H. Ahmad Sukamaju, S.H.",
        ]
        assert [t.pk for t in selectors.umpan_balik_diberikan(user=bupati.user, instansi=org_a.instansi)] == [
            ub.pk
        ]


def test_service_not_for_pegawai_it_does_not_rate(
    org_a: Org, bupati: PejabatNonAsn, tw: list[Periode]
) -> None:
    skp = make_skp(org_a, org_a.pegawai)  # rated by org.atasan, not by the Bupati
    with scope(instansi=org_a.instansi.pk):
        with pytest.raises(NotFoundOrForbidden):
            services.umpan_balik_give(actor=bupati.user, skp=skp, periode_id=tw[1].pk, isi="x")
        ub = services.umpan_balik_give(actor=org_a.atasan.user, skp=skp, periode_id=tw[1].pk, isi="y")
        with pytest.raises(ReadOnly, match="Hanya penerima"):
            services.umpan_balik_reply(actor=bupati.user, umpan_balik=ub, isi="ikut")
        assert not UmpanBalik.objects.filter(pemberi_non_asn=bupati).exists()


def test_service_not_across_instansi(
    org_a: Org, org_b: Org, bupati: PejabatNonAsn, tw: list[Periode]
) -> None:
    periods(org_b)
    skp_b = make_skp(org_b, org_b.pegawai)
    with scope(instansi=org_b.instansi.pk):
        p = Periode.objects.filter(instansi=org_b.instansi).order_by("mulai")[1]
        with pytest.raises(NotFoundOrForbidden):
            services.umpan_balik_give(actor=bupati.user, skp=skp_b, periode_id=p.pk, isi="x")


def test_check_exactly_one_giver_and_one_author(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    with scope(instansi=org_a.instansi.pk):
        ub = services.umpan_balik_give(actor=bupati.user, skp=skp_sekda, periode_id=tw[1].pk, isi="a")
        common = {
            "instansi": org_a.instansi,
            "skp": skp_sekda,
            "penerima": org_a.kepala,
            "peran_pemberi": PeranPemberi.PEJABAT_PENILAI,
            "periode": tw[1],
            "isi": "b",
        }
        for giver in ({"pemberi": org_a.admin, "pemberi_non_asn": bupati}, {}):
            with pytest.raises(IntegrityError), transaction.atomic():
                UmpanBalik.objects.create(**common, **giver)
        # ub_bukan_diri_sendiri still holds for a pegawai giver
        with pytest.raises(IntegrityError), transaction.atomic():
            UmpanBalik.objects.create(**common, pemberi=org_a.kepala)
        for author in ({"penulis": org_a.kepala, "penulis_non_asn": bupati}, {}):
            with pytest.raises(IntegrityError), transaction.atomic():
                BalasanUmpanBalik.objects.create(instansi=org_a.instansi, umpan_balik=ub, isi="c", **author)


# ------------------------------------------------------------------------------------------ API


def test_api_token_bupati_posts_feedback_contract_shape(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode], api: Any
) -> None:
    c = login(api)
    rhk = rhk_of(org_a, skp_sekda)[0]
    body = {"skp": skp_sekda.pk, "rhk": rhk.pk, "core_value": None, "periode": tw[1].pk, "isi": "Bagus"}
    resp = c.post(URL, body, format="json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["skp"] == skp_sekda.pk
    assert data["rhk"] == rhk.pk
    assert data["periode"] == tw[1].pk
    assert data["peran_pemberi"] == "pejabat_penilai"
    assert data["pemberi"] is None
    assert data["pemberi_nama"] == "H. Ahmad Sukamaju, S.H."
    assert data["pemberi_jabatan"] == "Bupati Sukamaju"
    # reply, thread detail, given list
    resp = c.post(f"{URL}{data['id']}/balasan/", {"isi": "Lanjutkan"}, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["balasan"][0]["penulis"] is None
    assert resp.json()["balasan"][0]["penulis_nama"] == "H. Ahmad Sukamaju, S.H."
    assert c.get(f"{URL}{data['id']}/").status_code == 200
    given = c.get(URL, {"arah": "diberikan"}).json()
    assert [x["id"] for x in given["results"]] == [data["id"]]
    # the Sekda sees it with the same shape
    sekda = api(org_a.kepala.user).get(URL).json()
    assert [(x["id"], x["pemberi"], x["pemberi_nama"]) for x in sekda["results"]] == [
        (data["id"], None, "H. Ahmad Sukamaju, S.H.")
    ]
    # a pegawai giver keeps the old shape
    skp = make_skp(org_a, org_a.pegawai)
    resp = api(org_a.atasan.user).post(URL, {**body, "skp": skp.pk, "rhk": None}, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["pemberi"]["id"] == org_a.atasan.pk
    assert resp.json()["pemberi_jabatan"] == "Kepala Bidang"


def test_api_bupati_404_on_unrated_and_other_instansi_outsider_404(
    org_a: Org, org_b: Org, outsider: Any, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode], api: Any
) -> None:
    c = login(api)
    skp = make_skp(org_a, org_a.pegawai)
    body = {"skp": skp.pk, "rhk": None, "core_value": None, "periode": tw[1].pk, "isi": "x"}
    assert c.post(URL, body, format="json").status_code == 404
    periods(org_b)
    skp_b = make_skp(org_b, org_b.pegawai)
    assert c.post(URL, {**body, "skp": skp_b.pk}, format="json").status_code == 404
    resp = c.post(URL, {**body, "skp": skp_sekda.pk, "isi": " "}, format="json")
    assert resp.status_code == 400
    assert "isi" in resp.json()["errors"]
    # the outsider (every role in B) sees nothing of A's non-ASN feedback
    ub = c.post(URL, {**body, "skp": skp_sekda.pk}, format="json").json()
    o = api(outsider.user)
    assert o.get(f"{URL}{ub['id']}/").status_code == 404
    assert o.post(f"{URL}{ub['id']}/balasan/", {"isi": "x"}, format="json").status_code == 404
    assert o.post(URL, {**body, "skp": skp_sekda.pk}, format="json").status_code == 404
    # a peer of instansi A is no participant: 404 on the thread
    assert api(org_a.rekan.user).get(f"{URL}{ub['id']}/").status_code == 404
    # a second Bupati of instansi B cannot see A's thread
    add_bupati(org_b, menilai=[org_b.kepala], username="bupati.b")
    b = login(api, "bupati.b")
    assert b.get(f"{URL}{ub['id']}/").status_code == 404
    assert b.post(URL, {**body, "skp": skp_sekda.pk}, format="json").status_code == 404


# ------------------------------------------------------------------------------------------ pages


def test_page_bupati_gives_replies_and_sekda_sees_it(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    c = client_for(bupati.user)
    html = c.get(f"/skp/{skp_sekda.pk}/").content.decode()
    assert page_url(skp_sekda) in html  # the SKP page links to the feedback page
    html = c.get(page_url(skp_sekda)).content.decode()
    assert 'data-testid="form-umpan-balik"' in html
    resp = c.post(page_url(skp_sekda), {"sasaran": "", "periode": tw[1].pk, "isi": "Pertahankan kinerja"})
    assert resp.status_code == 302, resp.content.decode()[:500]
    with scope(instansi=org_a.instansi.pk):
        ub = UmpanBalik.objects.get(pemberi_non_asn=bupati)
    resp = c.post(f"/dialog/umpan-balik/{ub.pk}/balas/", {"isi": "Satu lagi"})
    assert resp.status_code == 302
    html = client_for(org_a.kepala.user).get(page_url(skp_sekda)).content.decode()
    assert "Pertahankan kinerja" in html
    assert "H. Ahmad Sukamaju, S.H." in html
    # the dialog hub lists the Sekda as whom the Bupati gives feedback to
    hub = c.get("/dialog/").content.decode()
    assert f'data-testid="beri-{org_a.kepala.pk}"' in hub
    # the pegawai it does not rate: 404 on the page and on posting
    skp = make_skp(org_a, org_a.pegawai)
    assert c.get(page_url(skp)).status_code == 404
    assert c.post(page_url(skp), {"periode": tw[1].pk, "isi": "x"}).status_code == 404


def test_thread_page_query_count_constant_for_the_bupati(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    c = client_for(bupati.user)
    with scope(instansi=org_a.instansi.pk):
        for i in range(3):
            ub = services.umpan_balik_give(actor=bupati.user, skp=skp_sekda, periode_id=tw[1].pk, isi=f"u{i}")
            services.umpan_balik_reply(actor=org_a.kepala.user, umpan_balik=ub, isi="ok")
            services.umpan_balik_reply(actor=bupati.user, umpan_balik=ub, isi="ok juga")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count(page_url(skp_sekda))
    bulk_feedback(org_a, skp_sekda, tw[1], 60)
    assert count(page_url(skp_sekda)) == small
    assert small <= 40, small


def test_rating_page_and_pdf_list_the_bupati_feedback(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    with scope(instansi=org_a.instansi.pk):
        ub = services.umpan_balik_give(
            actor=bupati.user, skp=skp_sekda, periode_id=tw[1].pk, isi="Catatan Bupati untuk Sekda"
        )
        services.umpan_balik_reply(
            actor=org_a.kepala.user, umpan_balik=UmpanBalik.objects.get(pk=ub.pk), isi="Dicatat"
        )
        evaluasi_ensure(instansi=org_a.instansi, tahun=2026, pegawai_ids=[org_a.kepala.pk])
        ev = (
            Evaluasi.objects.filter(skp=skp_sekda, periode=tw[1]).first()
            or Evaluasi.objects.filter(skp=skp_sekda).first()
        )
        assert ev is not None
        _per_rhk, _per_nilai, lain = _umpan_balik(
            Evaluasi.objects.select_related("pegawai", "periode").get(pk=ev.pk)
        )
    assert [x["pemberi"] for x in lain] == ["H. Ahmad Sukamaju, S.H."]
    html = client_for(bupati.user).get(f"/evaluasi/{ev.pk}/").content.decode()
    assert "Catatan Bupati untuk Sekda" in html
    assert "H. Ahmad Sukamaju, S.H." in html


def test_semester_report_counts_the_bupati_feedback(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    with scope(instansi=org_a.instansi.pk):
        unit_ids = [org_a.kepala.unit_kerja_id]
        before = {
            p.pk: p.ada_s1
            for p in selectors.pemantauan_semester_tanpa_dialog(
                instansi=org_a.instansi, unit_ids=unit_ids, tahun=2026
            )
        }
        assert before[org_a.kepala.pk] is False  # rated by the Bupati, so it is checked
        services.umpan_balik_give(actor=bupati.user, skp=skp_sekda, periode_id=tw[1].pk, isi="Semester 1")
        after = {
            p.pk
            for p in selectors.pemantauan_semester_tanpa_dialog(
                instansi=org_a.instansi, unit_ids=unit_ids, tahun=2026
            )
        }
        assert org_a.kepala.pk not in after


def test_outsider_web_404_on_the_bupati_thread(
    org_a: Org, outsider: Any, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    with scope(instansi=org_a.instansi.pk):
        ub = services.umpan_balik_give(actor=bupati.user, skp=skp_sekda, periode_id=tw[1].pk, isi="x")
    o = client_for(outsider.user)
    assert o.get(page_url(skp_sekda)).status_code == 404
    assert o.post(f"/dialog/umpan-balik/{ub.pk}/balas/", {"isi": "x"}).status_code == 404
    assert o.post(f"/dialog/umpan-balik/{ub.pk}/dibaca/").status_code == 404
    with scopes_disabled():
        assert not BalasanUmpanBalik.objects.filter(umpan_balik_id=ub.pk).exists()


def test_period_end_reminder_reaches_the_bupati_until_it_gives_feedback(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    """The leader's reminder "feedback not given yet" (a few days before the period ends) goes to the non-ASN
    official for the pegawai it rates, as it goes to a pegawai leader."""
    import datetime as dt

    with (
        time_machine.travel(dt.datetime(2026, 6, 25, 7, 0, tzinfo=HARI_INI.tzinfo)),
        scope(instansi=org_a.instansi.pk),
    ):
        services.pengingat_periode(instansi=org_a.instansi)
        n = Notifikasi.objects.get(penerima=bupati.user, jenis="pengingat_umpan_balik")
        assert org_a.kepala.nama in n.pesan
        assert n.tautan.startswith("/dialog/tim/")
    # once it gave feedback in that period, the next period's check does not name the Sekda for it
    with scope(instansi=org_a.instansi.pk):
        Notifikasi.objects.all().delete()
        services.umpan_balik_give(actor=bupati.user, skp=skp_sekda, periode_id=tw[2].pk, isi="T3")
    with (
        time_machine.travel(dt.datetime(2026, 9, 25, 7, 0, tzinfo=HARI_INI.tzinfo)),
        scope(instansi=org_a.instansi.pk),
    ):
        services.pengingat_periode(instansi=org_a.instansi)
        assert not Notifikasi.objects.filter(penerima=bupati.user, jenis="pengingat_umpan_balik").exists()
    # its team page (the reminder's link) lists the Sekda's feedback, and the Sekda's timeline opens for it;
    # the timeline of a pegawai it does not rate is a 404
    c = client_for(bupati.user)
    assert "T3" in c.get("/dialog/tim/").content.decode()
    assert "T3" in c.get(f"/dialog/linimasa/{org_a.kepala.pk}/").content.decode()
    assert c.get(f"/dialog/linimasa/{org_a.pegawai.pk}/").status_code == 404


def test_api_given_list_query_count_constant_for_the_bupati(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode], api: Any
) -> None:
    c = login(api)
    with scope(instansi=org_a.instansi.pk):
        for i in range(2):
            ub = services.umpan_balik_give(actor=bupati.user, skp=skp_sekda, periode_id=tw[1].pk, isi=f"u{i}")
            services.umpan_balik_reply(actor=org_a.kepala.user, umpan_balik=ub, isi="ok")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            resp = c.get(URL, {"arah": "diberikan"})
            assert resp.status_code == 200
        assert all(x["pemberi_nama"] == "H. Ahmad Sukamaju, S.H." for x in resp.json()["results"])
        return len(ctx.captured_queries)

    small = count()
    with scope(instansi=org_a.instansi.pk):
        for i in range(8):
            ub = services.umpan_balik_give(actor=bupati.user, skp=skp_sekda, periode_id=tw[1].pk, isi=f"v{i}")
            services.umpan_balik_reply(actor=bupati.user, umpan_balik=ub, isi="lanjut")
    assert count() == small
