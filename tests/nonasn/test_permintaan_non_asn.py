"""Feedback requests to a non-ASN Pejabat Penilai (issue #16): the Sekda asks the Bupati (a login without a
pegawai row) that rates it; the Bupati is notified, sees the open request on its feedback hub and on the
SKP's feedback page, and answers it (the answer links ``permintaan``). A pegawai the Bupati does not rate
cannot ask it (400), nothing crosses instansi (404), the CHECK holds, the API keeps its keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from dialog import selectors, services
from dialog.models import Notifikasi, PermintaanUmpanBalik, StatusPermintaan, UmpanBalik
from kinerja.exceptions import ApplicationError, NotFoundOrForbidden
from kinerja.models import AuditLog, PejabatNonAsn, Periode
from skp.models import Skp
from tests.conftest import Org
from tests.dialog.conftest import HARI_INI, make_skp, periods
from tests.nonasn.test_pejabat_non_asn import add_bupati, login
from tests.nonasn.test_umpan_balik_non_asn import client_for, page_url, sekda_skp

pytestmark = pytest.mark.django_db
URL = "/api/v1/permintaan-umpan-balik/"
UB_URL = "/api/v1/umpan-balik/"
BUPATI = "H. Ahmad Sukamaju, S.H."


@pytest.fixture(autouse=True)
def _waktu_tetap() -> Iterator[None]:
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


def minta(
    org: Org, skp: Skp, official: PejabatNonAsn, periode: Periode, pesan: str = ""
) -> PermintaanUmpanBalik:
    with scope(instansi=org.instansi.pk):
        return services.permintaan_create(
            actor=org.kepala.user, skp=skp, diminta_non_asn_id=official.pk, periode_id=periode.pk, pesan=pesan
        )


# ------------------------------------------------------------------------------------------ service


def test_service_sekda_asks_the_bupati_who_is_notified_and_answers(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    req = minta(org_a, skp_sekda, bupati, tw[1], pesan="Mohon arahan soal PAD")
    with scope(instansi=org_a.instansi.pk):
        req = PermintaanUmpanBalik.objects.select_related("diminta_non_asn").get(pk=req.pk)
        assert req.diminta_id is None
        assert req.diminta_non_asn_id == bupati.pk
        assert req.peminta_id == org_a.kepala.pk
        assert req.status == StatusPermintaan.TERBUKA
        assert req.diminta_nama == BUPATI
        audit = AuditLog.objects.get(action="dialog.permintaan", object_id=str(req.pk))
        assert audit.after == {"diminta": None, "diminta_non_asn": bupati.pk}
        n = Notifikasi.objects.get(penerima=bupati.user, jenis="permintaan_umpan_balik")
        assert org_a.kepala.nama in n.judul
        assert n.pesan == "Mohon arahan soal PAD"
        assert n.tautan.endswith(f"{page_url(skp_sekda)}?permintaan={req.pk}")
        # the Bupati's open requests: this one; a pegawai's are unaffected
        assert [r.pk for r in selectors.permintaan_masuk(user=bupati.user, instansi=org_a.instansi)] == [
            req.pk
        ]
        assert selectors.permintaan_masuk_count(user=bupati.user, instansi=org_a.instansi) == 1
        assert selectors.permintaan_masuk_count(user=org_a.atasan.user, instansi=org_a.instansi) == 0
        # the Bupati answers it
        ub = services.umpan_balik_give(
            actor=bupati.user, skp=skp_sekda, periode_id=tw[1].pk, isi="Percepat PAD", permintaan_id=req.pk
        )
        assert UmpanBalik.objects.get(pk=ub.pk).permintaan_id == req.pk
        req.refresh_from_db()
        assert req.status == StatusPermintaan.DIJAWAB
        assert req.dijawab_at is not None
        assert selectors.permintaan_masuk_count(user=bupati.user, instansi=org_a.instansi) == 0


def test_service_cannot_ask_an_official_who_does_not_rate_them(
    org_a: Org, org_b: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    skp = make_skp(org_a, org_a.pegawai)  # rated by org.atasan, not by the Bupati
    with scope(instansi=org_a.instansi.pk):
        with pytest.raises(ApplicationError) as exc:
            services.permintaan_create(
                actor=org_a.pegawai.user, skp=skp, diminta_non_asn_id=bupati.pk, periode_id=tw[1].pk
            )
        assert "diminta_non_asn" in exc.value.errors
        # both targets at once
        with pytest.raises(ApplicationError) as exc:
            services.permintaan_create(
                actor=org_a.kepala.user,
                skp=skp_sekda,
                diminta_id=org_a.atasan.pk,
                diminta_non_asn_id=bupati.pk,
                periode_id=tw[1].pk,
            )
        assert "diminta" in exc.value.errors
        # garbage id
        with pytest.raises(ApplicationError) as exc:
            services.permintaan_create(
                actor=org_a.kepala.user, skp=skp_sekda, diminta_non_asn_id="x", periode_id=tw[1].pk
            )
        assert "diminta_non_asn" in exc.value.errors
    # the Bupati of another instansi
    bupati_b = add_bupati(org_b, menilai=[org_b.kepala], username="bupati.b")
    with scope(instansi=org_a.instansi.pk):
        with pytest.raises(ApplicationError) as exc:
            services.permintaan_create(
                actor=org_a.kepala.user, skp=skp_sekda, diminta_non_asn_id=bupati_b.pk, periode_id=tw[1].pk
            )
        assert "diminta_non_asn" in exc.value.errors
        assert not PermintaanUmpanBalik.objects.exists()
        assert not Notifikasi.objects.filter(jenis="permintaan_umpan_balik").exists()


def test_service_bupati_cannot_answer_or_cancel_what_is_not_its_own(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    with scope(instansi=org_a.instansi.pk):
        # a request of the Sekda to a pegawai (its subordinate) is not the Bupati's to answer
        kandidat = selectors.kandidat_pemberi(skp=skp_sekda)
        assert kandidat, "the Sekda needs a pegawai to ask"
        lain = services.permintaan_create(
            actor=org_a.kepala.user, skp=skp_sekda, diminta_id=kandidat[0].pk, periode_id=tw[1].pk
        )
        with pytest.raises(ApplicationError) as exc:
            services.umpan_balik_give(
                actor=bupati.user, skp=skp_sekda, periode_id=tw[1].pk, isi="x", permintaan_id=lain.pk
            )
        assert "permintaan" in exc.value.errors
        req = services.permintaan_create(
            actor=org_a.kepala.user, skp=skp_sekda, diminta_non_asn_id=bupati.pk, periode_id=tw[1].pk
        )
        with pytest.raises(NotFoundOrForbidden):
            services.permintaan_cancel(actor=bupati.user, permintaan=req)
        # the pegawai asked never sees the Bupati's request as its own
        assert req.pk not in [
            r.pk for r in selectors.permintaan_masuk(user=kandidat[0].user, instansi=org_a.instansi)
        ]
        # the Sekda cancels it
        services.permintaan_cancel(actor=org_a.kepala.user, permintaan=req)
        req.refresh_from_db()
        assert req.status == StatusPermintaan.DIBATALKAN


def test_check_exactly_one_asked(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    common = {
        "instansi": org_a.instansi,
        "skp": skp_sekda,
        "peminta": org_a.kepala,
        "periode": tw[1],
    }
    with scope(instansi=org_a.instansi.pk):
        for target in ({"diminta": org_a.atasan, "diminta_non_asn": bupati}, {}):
            with pytest.raises(IntegrityError), transaction.atomic():
                PermintaanUmpanBalik.objects.create(**common, **target)
        PermintaanUmpanBalik.objects.create(**common, diminta_non_asn=bupati)
        PermintaanUmpanBalik.objects.create(**common, diminta=org_a.atasan)
        assert PermintaanUmpanBalik.objects.count() == 2


# ------------------------------------------------------------------------------------------ API


def test_api_token_sekda_asks_bupati_answers(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode], api: Any
) -> None:
    sekda = api(org_a.kepala.user)
    resp = sekda.post(
        URL,
        {"skp": skp_sekda.pk, "diminta_non_asn": bupati.pk, "periode": tw[1].pk, "pesan": "Mohon"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    req = resp.json()
    assert req == {
        "id": req["id"],
        "skp": skp_sekda.pk,
        "diminta": None,
        "periode": tw[1].pk,
        "status": "terbuka",
        "diminta_non_asn": bupati.pk,
        "diminta_nama": BUPATI,
    }
    # a pegawai target keeps the old keys (with the new ones added)
    with scope(instansi=org_a.instansi.pk):
        atasan_target = selectors.kandidat_pemberi(skp=skp_sekda)[0]
    resp = sekda.post(
        URL, {"skp": skp_sekda.pk, "diminta": atasan_target.pk, "periode": tw[1].pk}, format="json"
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["diminta"] == atasan_target.pk
    assert resp.json()["diminta_non_asn"] is None
    assert resp.json()["diminta_nama"] == atasan_target.nama
    # neither, or both → 400 on diminta
    resp = sekda.post(URL, {"skp": skp_sekda.pk, "periode": tw[1].pk}, format="json")
    assert resp.status_code == 400
    assert "diminta" in resp.json()["errors"]
    resp = sekda.post(
        URL,
        {"skp": skp_sekda.pk, "diminta": atasan_target.pk, "diminta_non_asn": bupati.pk, "periode": tw[1].pk},
        format="json",
    )
    assert resp.status_code == 400
    assert "diminta" in resp.json()["errors"]
    # the Bupati with a token answers it; the answer links the request
    b = login(api)
    resp = b.post(
        UB_URL,
        {
            "skp": skp_sekda.pk,
            "rhk": None,
            "core_value": None,
            "periode": tw[1].pk,
            "isi": "Ok",
            "permintaan": req["id"],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["permintaan"] == req["id"]
    with scope(instansi=org_a.instansi.pk):
        assert PermintaanUmpanBalik.objects.get(pk=req["id"]).status == StatusPermintaan.DIJAWAB
    # the Sekda cancels a second one through the API; the Bupati cannot
    req2 = sekda.post(
        URL, {"skp": skp_sekda.pk, "diminta_non_asn": bupati.pk, "periode": tw[1].pk}, format="json"
    )
    assert b.post(f"{URL}{req2.json()['id']}/batal/").status_code == 404
    resp = sekda.post(f"{URL}{req2.json()['id']}/batal/")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "dibatalkan"
    assert resp.json()["diminta_nama"] == BUPATI


def test_api_unrated_pegawai_400_other_instansi_and_outsider_404(
    org_a: Org, org_b: Org, outsider: Any, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode], api: Any
) -> None:
    skp = make_skp(org_a, org_a.pegawai)
    resp = api(org_a.pegawai.user).post(
        URL, {"skp": skp.pk, "diminta_non_asn": bupati.pk, "periode": tw[1].pk}, format="json"
    )
    assert resp.status_code == 400
    assert "diminta_non_asn" in resp.json()["errors"]
    # the Sekda cannot ask B's Bupati
    bupati_b = add_bupati(org_b, menilai=[org_b.kepala], username="bupati.b")
    resp = api(org_a.kepala.user).post(
        URL, {"skp": skp_sekda.pk, "diminta_non_asn": bupati_b.pk, "periode": tw[1].pk}, format="json"
    )
    assert resp.status_code == 400
    assert "diminta_non_asn" in resp.json()["errors"]
    # the outsider (every role in B) and B's Bupati: A's SKP and A's request are 404
    body = {"skp": skp_sekda.pk, "diminta_non_asn": bupati.pk, "periode": tw[1].pk}
    assert api(outsider.user).post(URL, body, format="json").status_code == 404
    b = login(api, "bupati.b")
    assert b.post(URL, body, format="json").status_code == 404
    req = minta(org_a, skp_sekda, bupati, tw[1])
    assert api(outsider.user).post(f"{URL}{req.pk}/batal/").status_code == 404
    assert b.post(f"{URL}{req.pk}/batal/").status_code == 404
    ub = {"skp": skp_sekda.pk, "periode": tw[1].pk, "isi": "x", "permintaan": req.pk}
    assert b.post(UB_URL, ub, format="json").status_code == 404
    # the Bupati cannot make a request (it has no SKP)
    assert login(api).post(URL, body, format="json").status_code == 404
    with scope(instansi=org_a.instansi.pk):
        assert PermintaanUmpanBalik.objects.get(pk=req.pk).status == StatusPermintaan.TERBUKA


# ------------------------------------------------------------------------------------------ pages


def test_page_sekda_asks_bupati_sees_it_on_the_hub_and_answers(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    sekda = client_for(org_a.kepala.user)
    html = sekda.get(page_url(skp_sekda)).content.decode()
    assert f'value="na:{bupati.pk}"' in html  # the form offers the Bupati
    resp = sekda.post(
        f"/dialog/skp/{skp_sekda.pk}/minta-umpan-balik/",
        {"diminta": f"na:{bupati.pk}", "periode": tw[1].pk, "sasaran": "", "pesan": "Mohon arahan Bapak"},
    )
    assert resp.status_code == 302, resp.content.decode()[:800]
    with scope(instansi=org_a.instansi.pk):
        req = PermintaanUmpanBalik.objects.get(diminta_non_asn=bupati)
    html = sekda.get(page_url(skp_sekda)).content.decode()
    assert f"{BUPATI} · " in html  # "Permintaan Anda" lists it under the Bupati's name
    c = client_for(bupati.user)
    home = c.get("/").content.decode()  # the home page counts it among the Pejabat Penilai's work
    assert 'data-testid="jumlah-permintaan">1<' in home
    hub = c.get("/dialog/").content.decode()
    assert 'data-testid="permintaan-masuk"' in hub
    assert "Mohon arahan Bapak" in hub
    assert f"?permintaan={req.pk}" in hub
    html = c.get(f"{page_url(skp_sekda)}?permintaan={req.pk}&periode={tw[1].pk}").content.decode()
    assert org_a.kepala.nama in html
    assert f'name="permintaan" value="{req.pk}"' in html
    resp = c.post(
        page_url(skp_sekda), {"sasaran": "", "periode": tw[1].pk, "isi": "Sudah baik", "permintaan": req.pk}
    )
    assert resp.status_code == 302, resp.content.decode()[:800]
    with scope(instansi=org_a.instansi.pk):
        req.refresh_from_db()
        assert req.status == StatusPermintaan.DIJAWAB
        assert UmpanBalik.objects.get(pemberi_non_asn=bupati).permintaan_id == req.pk
    assert 'data-testid="permintaan-masuk"' not in c.get("/dialog/").content.decode()
    assert 'data-testid="jumlah-permintaan">0<' in c.get("/").content.decode()


def test_page_pegawai_not_rated_is_not_offered_the_bupati(
    org_a: Org, org_b: Org, outsider: Any, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    skp = make_skp(org_a, org_a.pegawai)
    c = client_for(org_a.pegawai.user)
    html = c.get(page_url(skp)).content.decode()
    assert 'data-testid="form-minta"' in html
    assert "na:" not in html
    resp = c.post(
        f"/dialog/skp/{skp.pk}/minta-umpan-balik/", {"diminta": f"na:{bupati.pk}", "periode": tw[1].pk}
    )
    assert resp.status_code == 422
    with scope(instansi=org_a.instansi.pk):
        assert not PermintaanUmpanBalik.objects.exists()
    # the outsider and B's Bupati: 404 on A's request and A's page
    req = minta(org_a, skp_sekda, bupati, tw[1])
    bupati_b = add_bupati(org_b, menilai=[org_b.kepala], username="bupati.b")
    for user in (outsider.user, bupati_b.user):
        o = client_for(user)
        assert o.post(f"/dialog/permintaan/{req.pk}/batal/").status_code == 404
        assert o.get(f"{page_url(skp_sekda)}?permintaan={req.pk}").status_code == 404
        assert f"?permintaan={req.pk}" not in o.get("/dialog/").content.decode()


def test_hub_query_count_constant_for_the_bupati(
    org_a: Org, bupati: PejabatNonAsn, skp_sekda: Skp, tw: list[Periode]
) -> None:
    req = minta(org_a, skp_sekda, bupati, tw[1], pesan="satu")
    c = client_for(bupati.user)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    small_hub = count("/dialog/")
    small_page = count(f"{page_url(skp_sekda)}?permintaan={req.pk}")
    for i in range(8):
        minta(org_a, skp_sekda, bupati, tw[1], pesan=f"p{i}")
    assert count("/dialog/") == small_hub
    assert count(f"{page_url(skp_sekda)}?permintaan={req.pk}") == small_page
    assert small_hub <= 25, small_hub
    assert small_page <= 40, small_page
