"""Who may open which SKP page: owner, Pejabat Penilai, admin and HR see it; a peer and instansi B get 404."""

from typing import Any

import pytest
from django.urls import reverse

from skp.models import Skp
from tests.conftest import Org
from tests.skp.conftest import Rencana, add_rhk, client_for, draft, htmx, reload, submit, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def skp_pegawai(org_a: Org, rencana_a: Rencana) -> Skp:
    skp = draft(org_a.pegawai)
    add_rhk(skp, "Tersusunnya arsip surat masuk yang tertib", pimpinan=rencana_a.atasan_rhk[0])
    return reload(skp)


def _rhk_id(skp: Skp) -> int:
    from django_scopes import scope

    with scope(instansi=skp.instansi_id):
        return skp.rhk.get().pk


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize("who", ["pegawai", "atasan", "admin", "hr"])
def test_detail_is_open_to_owner_penilai_admin_and_hr(org_a: Org, skp_pegawai: Skp, who: str) -> None:
    resp = client_for(getattr(org_a, who).user).get(reverse("skp:detail", args=[skp_pegawai.pk]))
    assert resp.status_code == 200
    assert "Tersusunnya arsip surat masuk yang tertib" in text(resp)


@pytest.mark.parametrize("who", ["rekan", "kepala"])
def test_detail_is_404_for_a_peer_and_for_the_leader_two_levels_up(
    org_a: Org, skp_pegawai: Skp, who: str
) -> None:
    # the kepala appraises the atasan, not the pegawai: the SKP is not theirs to see
    resp = client_for(getattr(org_a, who).user).get(reverse("skp:detail", args=[skp_pegawai.pk]))
    assert resp.status_code == 404
    assert "Tersusunnya arsip" not in text(resp)


def test_anonymous_is_sent_to_login(org_a: Org, skp_pegawai: Skp) -> None:
    for url in (reverse("skp:saya"), reverse("skp:detail", args=[skp_pegawai.pk]), reverse("skp:inbox")):
        resp = client_for(None).get(url)
        assert resp.status_code == 302
        assert resp["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["skp:saya", "skp:inbox", "skp:pohon"])
@pytest.mark.parametrize("who", ["pegawai", "atasan", "admin", "hr", "kepala"])
def test_list_pages_open_to_every_member(org_a: Org, name: str, who: str) -> None:
    assert client_for(getattr(org_a, who).user).get(reverse(name)).status_code == 200


def test_matriks_is_open_to_the_leader_and_admin_not_to_subordinates(org_a: Org, rencana_a: Rencana) -> None:
    url = reverse("skp:matriks", args=[rencana_a.atasan_skp.pk])
    assert client_for(org_a.atasan.user).get(url).status_code == 200
    assert client_for(org_a.admin.user).get(url).status_code == 200
    assert client_for(org_a.kepala.user).get(url).status_code == 200  # the atasan's own Pejabat Penilai
    assert client_for(org_a.pegawai.user).get(url).status_code == 404
    assert client_for(org_a.rekan.user).get(url).status_code == 404


# ---------------------------------------------------------------- instansi B


def _urls_of_a(skp: Skp, rhk_id: int, rencana: Rencana, rekan_skp: Skp) -> list[tuple[str, str]]:
    """Every SKP page and action of this app that takes an id, with an object of instansi A."""
    s = skp.pk
    usul = reverse("skp:matriks-usul", args=[rencana.atasan_skp.pk, rekan_skp.pk, rencana.atasan_rhk[0].pk])
    return [
        ("get", reverse("skp:detail", args=[s])),
        ("get", reverse("skp:matriks", args=[s])),
        ("get", reverse("skp:lampiran", args=[s]) + "?ubah=1"),
        ("post", reverse("skp:lampiran", args=[s])),
        ("post", reverse("skp:ekspektasi", args=[s])),
        ("post", reverse("skp:pendekatan", args=[s])),
        ("post", reverse("skp:salin", args=[s])),
        ("post", reverse("skp:ajukan", args=[s])),
        ("post", reverse("skp:setujui", args=[s])),
        ("post", reverse("skp:kembalikan", args=[s])),
        ("post", reverse("skp:revisi", args=[s])),
        ("get", reverse("skp:rhk-tambah", args=[s]) + "?jenis=utama"),
        ("post", reverse("skp:rhk-tambah", args=[s])),
        ("get", reverse("skp:rhk-baris", args=[rhk_id])),
        ("get", reverse("skp:rhk-ubah", args=[rhk_id])),
        ("post", reverse("skp:rhk-ubah", args=[rhk_id])),
        ("post", reverse("skp:rhk-hapus", args=[rhk_id])),
        ("get", usul),
        ("post", usul),
    ]


@pytest.mark.parametrize("as_htmx", [False, True])
def test_outsider_of_instansi_b_gets_404_for_every_skp_and_rhk_of_a(
    org_a: Org, outsider: Any, skp_pegawai: Skp, rencana_a: Rencana, as_htmx: bool
) -> None:
    # given the admin of instansi B, and every kind of object of A
    client = client_for(outsider.user)
    rekan_skp = draft(org_a.rekan)
    urls = _urls_of_a(skp_pegawai, _rhk_id(skp_pegawai), rencana_a, rekan_skp)
    body = {"catatan": "x", "versi": "1", "dari": str(skp_pegawai.pk), "rencana_hasil_kerja": "x"}
    for method, url in urls:
        # when they ask for it
        resp = htmx(client, method, url, body) if as_htmx else getattr(client, method)(url, body)
        # then 404, never 403 and never data
        assert resp.status_code == 404, f"{method.upper()} {url}: {resp.status_code}"
        assert org_a.pegawai.nama not in text(resp)
    assert reload(skp_pegawai).status == "draft"


def test_peer_gets_404_for_every_skp_action(org_a: Org, skp_pegawai: Skp, rencana_a: Rencana) -> None:
    client = client_for(org_a.rekan.user)
    rekan_skp = draft(org_a.rekan)
    for method, url in _urls_of_a(skp_pegawai, _rhk_id(skp_pegawai), rencana_a, rekan_skp):
        if "matriks/usul" in url:
            continue  # the rekan's own SKP is in that URL; covered in the matrix tests
        resp = getattr(client, method)(url, {"catatan": "x"})
        assert resp.status_code == 404, f"{method.upper()} {url}: {resp.status_code}"


def test_outsider_lists_show_nothing_of_a(
    org_a: Org, outsider: Any, skp_pegawai: Skp, rencana_a: Rencana
) -> None:
    submit(skp_pegawai)
    client = client_for(outsider.user)
    for name in ("skp:saya", "skp:inbox", "skp:pohon"):
        body = text(client.get(reverse(name)))
        assert org_a.pegawai.nama not in body
        assert org_a.atasan.nama not in body
    assert client.get(reverse("skp:pohon") + f"?akar={org_a.kepala.pk}").status_code == 404


def test_penilai_sees_but_may_not_edit_the_pegawai_draft(org_a: Org, skp_pegawai: Skp) -> None:
    # given the Pejabat Penilai on the pegawai's draft
    client = client_for(org_a.atasan.user)
    page = text(client.get(reverse("skp:detail", args=[skp_pegawai.pk])))
    assert 'data-testid="tambah-rhk-utama"' not in page
    assert 'data-testid="ubah-rhk"' not in page
    # when they post a result anyway
    resp = htmx(
        client, "post", reverse("skp:rhk-tambah", args=[skp_pegawai.pk]),
        {"jenis": "utama", "rencana_hasil_kerja": "Tidak boleh", "indikator-0-aspek": "kuantitas",
         "indikator-0-iki": "x", "indikator-0-target": "1"},
    )  # fmt: skip
    # then visible but read-only: 403, nothing added
    assert resp.status_code == 403
    assert "Tidak boleh" not in text(client.get(reverse("skp:detail", args=[skp_pegawai.pk])))
