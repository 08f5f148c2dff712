"""Feedback thread page (give, reply, read, request), timeline and team feed: access and query counts."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from dialog import services
from dialog.models import Aktivitas, UmpanBalik
from kinerja.models import Periode
from skp.models import Skp
from tests.conftest import Org
from tests.dialog.conftest import make_skp, rhk_of
from tests.dialog.test_api_umpan_balik import bulk_feedback

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def page_url(skp: Skp) -> str:
    return f"/dialog/skp/{skp.pk}/umpan-balik/"


def queries(c: Client, url: str, htmx: bool = False) -> int:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with CaptureQueriesContext(connection) as ctx:
        resp = c.get(url, **headers)
        assert resp.status_code == 200, resp.status_code
    return len(ctx.captured_queries)


def test_leader_gives_on_result_pegawai_replies_and_reads(
    org_a: Org, skp_pegawai: Skp, tw: list[Periode]
) -> None:
    leader, pegawai = client_for(org_a.atasan.user), client_for(org_a.pegawai.user)
    rhk = rhk_of(org_a, skp_pegawai)[0]
    html = leader.get(page_url(skp_pegawai)).content.decode()
    assert 'data-testid="form-umpan-balik"' in html
    assert "Pejabat Penilai Kinerja" in html
    # invalid: empty text keeps the chosen target and period
    resp = leader.post(page_url(skp_pegawai), {"sasaran": f"rhk:{rhk.pk}", "periode": tw[1].pk, "isi": " "})
    assert resp.status_code == 422
    assert f'value="rhk:{rhk.pk}" selected' in resp.content.decode()
    resp = leader.post(
        page_url(skp_pegawai),
        {
            "sasaran": f"rhk:{rhk.pk}",
            "periode": tw[1].pk,
            "sifat": "apresiasi",
            "isi": "Draf SOP sangat rapi",
        },
    )
    assert resp.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        ub = UmpanBalik.objects.get()
    assert (ub.rhk_id, ub.sifat, ub.peran_pemberi) == (rhk.pk, "apresiasi", "pejabat_penilai")
    # the pegawai sees it as new, with the leader's status for the period
    html = pegawai.get(page_url(skp_pegawai)).content.decode()
    assert "Draf SOP sangat rapi" in html
    assert 'data-testid="baru"' in html
    assert 'data-testid="status-pimpinan"' in html
    # reply through htmx: the thread comes back with the reply
    resp = pegawai.post(
        f"/dialog/umpan-balik/{ub.pk}/balas/", {"isi": "Terima kasih, Pak"}, HTTP_HX_REQUEST="true"
    )
    assert resp.status_code == 200
    assert "Terima kasih, Pak" in resp.content.decode()
    # an empty reply is refused in place
    resp = pegawai.post(f"/dialog/umpan-balik/{ub.pk}/balas/", {"isi": ""}, HTTP_HX_REQUEST="true")
    assert "is-invalid" in resp.content.decode()
    # read state: the leader has an unread reply, marks it read
    assert 'data-testid="baru"' in leader.get(page_url(skp_pegawai)).content.decode()
    resp = leader.post(f"/dialog/umpan-balik/{ub.pk}/dibaca/", HTTP_HX_REQUEST="true")
    assert 'data-testid="baru"' not in resp.content.decode()


def test_peer_sees_only_own_threads(org_a: Org, skp_pegawai: Skp, tw: list[Periode]) -> None:
    with scope(instansi=org_a.instansi.pk):
        services.umpan_balik_give(
            actor=org_a.atasan.user, skp=skp_pegawai, periode_id=tw[1].pk, isi="Rahasia pimpinan"
        )
    peer = client_for(org_a.rekan.user)
    resp = peer.post(
        page_url(skp_pegawai),
        {"sasaran": "cv:kolaboratif", "periode": tw[1].pk, "isi": "Senang bekerja sama"},
    )
    assert resp.status_code == 302
    html = peer.get(page_url(skp_pegawai)).content.decode()
    assert "Senang bekerja sama" in html
    assert "Rahasia pimpinan" not in html
    with scope(instansi=org_a.instansi.pk):
        leader_ub = UmpanBalik.objects.get(isi="Rahasia pimpinan")
    assert peer.post(f"/dialog/umpan-balik/{leader_ub.pk}/balas/", {"isi": "x"}).status_code == 404
    # the owner sees both and may ask for feedback, but not give it
    html = client_for(org_a.pegawai.user).get(page_url(skp_pegawai)).content.decode()
    assert "Senang bekerja sama" in html
    assert "Rahasia pimpinan" in html
    assert 'data-testid="form-minta"' in html
    assert 'data-testid="form-umpan-balik"' not in html
    assert (
        client_for(org_a.pegawai.user)
        .post(page_url(skp_pegawai), {"periode": tw[1].pk, "isi": "x"})
        .status_code
        == 404
    )


def test_request_feedback_from_web(org_a: Org, skp_pegawai: Skp, tw: list[Periode]) -> None:
    c = client_for(org_a.pegawai.user)
    resp = c.post(
        f"/dialog/skp/{skp_pegawai.pk}/minta-umpan-balik/",
        {"diminta": org_a.rekan.pk, "periode": tw[1].pk, "sasaran": "", "pesan": "Masukan soal rapat"},
    )
    assert resp.status_code == 302
    html = client_for(org_a.rekan.user).get("/dialog/").content.decode()
    assert 'data-testid="permintaan-masuk"' in html
    assert "Masukan soal rapat" in html
    resp = c.post(
        f"/dialog/skp/{skp_pegawai.pk}/minta-umpan-balik/", {"diminta": org_a.admin.pk, "periode": tw[1].pk}
    )
    assert resp.status_code == 422  # not someone who may give feedback


def test_feedback_page_query_count_constant(org_a: Org, skp_pegawai: Skp, tw: list[Periode]) -> None:
    c = client_for(org_a.pegawai.user)
    for i in range(3):
        with scope(instansi=org_a.instansi.pk):
            ub = services.umpan_balik_give(
                actor=org_a.rekan.user, skp=skp_pegawai, periode_id=tw[1].pk, isi=f"ub {i}"
            )
            services.umpan_balik_reply(actor=org_a.pegawai.user, umpan_balik=ub, isi="ok")
    small = queries(c, page_url(skp_pegawai))
    bulk_feedback(org_a, skp_pegawai, tw[1], 297)
    assert queries(c, page_url(skp_pegawai)) == small
    assert queries(c, page_url(skp_pegawai) + "?hal=5") == small


def _activity(org: Org, n: int) -> None:
    """Volume for the timeline/feed query-count tests (set-up only)."""
    with scope(instansi=org.instansi.pk):
        Aktivitas.objects.bulk_create(
            [
                Aktivitas(
                    instansi=org.instansi,
                    pegawai=org.pegawai if i % 2 else org.rekan,
                    aktor=org.atasan.user,
                    jenis="umpan_balik.diberikan",
                    ringkasan=f"a{i}",
                    objek_tipe="umpanbalik",
                    objek_id=i,
                )
                for i in range(n)
            ]
        )


def test_timeline_and_team_feed_query_count_constant(org_a: Org, skp_pegawai: Skp, tw: list[Periode]) -> None:
    make_skp(org_a, org_a.rekan)
    with scope(instansi=org_a.instansi.pk):
        services.umpan_balik_give(actor=org_a.atasan.user, skp=skp_pegawai, periode_id=tw[1].pk, isi="x")
    own, leader = client_for(org_a.pegawai.user), client_for(org_a.atasan.user)
    tl_url, feed_url = f"/dialog/linimasa/{org_a.pegawai.pk}/", "/dialog/tim/"
    html = own.get(tl_url).content.decode()
    assert "Umpan balik diberikan" in html
    assert "SKP disetujui" in html
    leader.get(feed_url)  # warm-up: the first request of a session costs extra (session/auth bookkeeping)
    small_tl, small_feed = queries(own, tl_url), queries(leader, feed_url)
    small_feed_htmx = queries(leader, feed_url + "?hal=1", htmx=True)
    _activity(org_a, 300)
    assert queries(own, tl_url) == small_tl
    assert queries(own, tl_url + "?hal=4") == small_tl
    assert queries(leader, feed_url) == small_feed
    assert queries(leader, feed_url + "?hal=3", htmx=True) == small_feed_htmx
    # newest first
    body = own.get(tl_url).content.decode()
    assert body.index("a299") < body.index("a297") < body.index("a295")


def test_timeline_access(org_a: Org, outsider: Any, skp_pegawai: Skp) -> None:
    url = f"/dialog/linimasa/{org_a.pegawai.pk}/"
    for who, code in (
        (org_a.pegawai, 200),
        (org_a.atasan, 200),
        (org_a.admin, 200),
        (org_a.rekan, 404),
        (org_a.hr, 404),
        (org_a.kepala, 404),
        (outsider, 404),
    ):
        assert client_for(who.user).get(url).status_code == code, who
    assert client_for(org_a.pegawai.user).get("/dialog/tim/").status_code == 404  # not a leader
