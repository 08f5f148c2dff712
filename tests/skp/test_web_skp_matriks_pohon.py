"""Matriks Peran Hasil (columns = leader results, rows = direct subordinates) and the pohon kinerja."""

import pytest
from django.urls import reverse
from django_scopes import scope

from skp.models import Rhk, Skp
from tests.conftest import Org
from tests.skp.conftest import TAHUN, Rencana, add_rhk, client_for, draft, htmx, reload, submit, text

pytestmark = pytest.mark.django_db


def cell(body: str, pegawai_pk: int, kolom_pk: int) -> str:
    return body.split(f'id="sel-{pegawai_pk}-{kolom_pk}"', 1)[1].split("</td>", 1)[0]


@pytest.fixture
def tim(org_a: Org, rencana_a: Rencana) -> dict[str, Skp]:
    pegawai = draft(org_a.pegawai)
    add_rhk(pegawai, "Tersusunnya arsip surat masuk yang tertib", pimpinan=rencana_a.atasan_rhk[0])
    add_rhk(pegawai, "Terlaksananya tugas lain", jenis="tambahan")
    return {"pegawai": pegawai, "rekan": draft(org_a.rekan)}


# ---------------------------------------------------------------- matrix


def test_matriks_grid_cells_na_and_unsupported_columns(org_a: Org, rencana_a: Rencana, tim: dict) -> None:
    kol0, kol1 = rencana_a.atasan_rhk
    body = text(client_for(org_a.atasan.user).get(reverse("skp:matriks", args=[rencana_a.atasan_skp.pk])))
    # columns: the leader's results with their indicators
    assert body.count('data-testid="mph-kolom"') == 2
    assert "Jumlah laporan yang diselesaikan" in body
    # rows: the direct subordinates with an SKP this year or not
    assert body.count('data-testid="mph-baris"') == 2  # the pegawai and the rekan
    # the pegawai's linked result in the right column, N/A elsewhere
    assert "Tersusunnya arsip surat masuk yang tertib" in cell(body, org_a.pegawai.pk, kol0.pk)
    assert 'data-testid="mph-na"' in cell(body, org_a.pegawai.pk, kol1.pk)
    assert 'data-testid="mph-na"' in cell(body, org_a.rekan.pk, kol0.pk)
    # the unlinked tambahan is listed apart; the unsupported column is highlighted
    assert "Terlaksananya tugas lain" in body
    assert 'data-testid="mph-tidak-didukung"' in body
    assert f'mph-kolom mph-tidak-didukung" data-testid="mph-kolom" data-rhk="{kol1.pk}"' in body
    # the leader may propose into an empty cell of an editable draft
    assert 'data-testid="mph-usul"' in cell(body, org_a.rekan.pk, kol1.pk)


def test_matriks_rows_are_the_direct_subordinates(org_a: Org, rencana_a: Rencana, tim: dict) -> None:
    body = text(client_for(org_a.atasan.user).get(reverse("skp:matriks", args=[rencana_a.atasan_skp.pk])))
    rows = body.split('data-testid="mph-baris"')[1:]
    assert len(rows) == 2
    assert org_a.pegawai.nama in body
    assert org_a.rekan.nama in body
    assert org_a.admin.nama not in body  # under the kepala, not the atasan


def test_matriks_usul_adds_a_linked_result_to_the_subordinate_draft(
    org_a: Org, rencana_a: Rencana, tim: dict
) -> None:
    kol1 = rencana_a.atasan_rhk[1]
    rekan = tim["rekan"]
    client = client_for(org_a.atasan.user)
    url = reverse("skp:matriks-usul", args=[rencana_a.atasan_skp.pk, rekan.pk, kol1.pk])
    form = text(htmx(client, "get", url))
    assert 'data-testid="mph-usul-form"' in form
    assert f'name="versi" value="{rekan.versi}"' in form
    # an incomplete proposal comes back with the error under the field
    resp = htmx(
        client,
        "post",
        url,
        {"versi": rekan.versi, "rencana_hasil_kerja": "Bahan laporan", "aspek": "kuantitas"},
    )
    assert resp["HX-Retarget"] == "this"
    assert 'data-testid="galat-iki"' in text(resp)
    assert "Bahan laporan" in text(resp)
    # a complete one lands in the rekan's draft, linked to the column, and the grid shows it
    data = {"versi": rekan.versi, "rencana_hasil_kerja": "Tersusunnya bahan laporan kinerja", "aspek": "kuantitas",
            "iki": "Jumlah bahan laporan", "target": "4 dokumen", "cascading_tipe": "non_direct"}  # fmt: skip
    body = text(htmx(client, "post", url, data))
    assert 'id="mph"' in body
    assert "Tersusunnya bahan laporan kinerja" in cell(body, org_a.rekan.pk, kol1.pk)
    assert 'data-testid="mph-tidak-didukung"' not in body
    with scope(instansi=org_a.instansi.pk):
        rhk = Rhk.objects.get(skp=rekan)
    assert (rhk.rhk_pimpinan_id, rhk.jenis, rhk.cascading_tipe) == (kol1.pk, "utama", "non_direct")


def test_matriks_usul_stale_versi_is_a_conflict(org_a: Org, rencana_a: Rencana, tim: dict) -> None:
    rekan = tim["rekan"]
    stale = rekan.versi
    add_rhk(rekan, "Rekan menulis sendiri", jenis="tambahan")
    url = reverse("skp:matriks-usul", args=[rencana_a.atasan_skp.pk, rekan.pk, rencana_a.atasan_rhk[0].pk])
    data = {
        "versi": stale,
        "rencana_hasil_kerja": "Usulan",
        "aspek": "kuantitas",
        "iki": "IKI",
        "target": "1",
    }
    body = text(htmx(client_for(org_a.atasan.user), "post", url, data))
    assert 'data-testid="pesan-konflik"' in body
    assert reverse("skp:matriks", args=[rencana_a.atasan_skp.pk]) in body
    with scope(instansi=org_a.instansi.pk):
        assert Rhk.objects.filter(skp=rekan).count() == 1


def test_matriks_no_usul_into_a_submitted_skp(org_a: Org, rencana_a: Rencana, tim: dict) -> None:
    submit(tim["pegawai"])
    kol1 = rencana_a.atasan_rhk[1]
    client = client_for(org_a.atasan.user)
    body = text(client.get(reverse("skp:matriks", args=[rencana_a.atasan_skp.pk])))
    assert 'data-testid="mph-usul"' not in cell(body, org_a.pegawai.pk, kol1.pk)
    url = reverse("skp:matriks-usul", args=[rencana_a.atasan_skp.pk, tim["pegawai"].pk, kol1.pk])
    data = {
        "versi": reload(tim["pegawai"]).versi,
        "rencana_hasil_kerja": "x",
        "aspek": "kuantitas",
        "iki": "y",
        "target": "1",
    }
    assert "hanya dapat diubah selama berstatus draf" in text(htmx(client, "post", url, data))


def test_matriks_usul_is_only_for_the_leader_and_their_columns(
    org_a: Org, rencana_a: Rencana, tim: dict
) -> None:
    rekan = tim["rekan"]
    own_col = rencana_a.atasan_rhk[0]
    # the admin sees the matrix but cannot propose
    url = reverse("skp:matriks-usul", args=[rencana_a.atasan_skp.pk, rekan.pk, own_col.pk])
    assert htmx(client_for(org_a.admin.user), "get", url).status_code == 404
    assert 'data-testid="mph-usul"' not in text(
        client_for(org_a.admin.user).get(reverse("skp:matriks", args=[rencana_a.atasan_skp.pk]))
    )
    # a column that is not a result of this leader SKP
    bad = reverse("skp:matriks-usul", args=[rencana_a.atasan_skp.pk, rekan.pk, rencana_a.kepala_rhk.pk])
    assert htmx(client_for(org_a.atasan.user), "get", bad).status_code == 404
    # the subordinate cannot use the leader's matrix
    assert htmx(client_for(org_a.rekan.user), "post", url, {}).status_code == 404


def test_matriks_empty_states(org_a: Org) -> None:
    skp = draft(org_a.atasan)
    body = text(client_for(org_a.atasan.user).get(reverse("skp:matriks", args=[skp.pk])))
    assert "SKP ini belum memiliki hasil kerja." in body
    lone = draft(org_a.pegawai)
    add_rhk(lone, "Hasil")
    body = text(client_for(org_a.pegawai.user).get(reverse("skp:matriks", args=[lone.pk])))
    assert "Tidak ada bawahan langsung." in body


# ---------------------------------------------------------------- pohon kinerja


def test_pohon_for_admin_starts_at_the_top_leader_with_links_and_coverage(
    org_a: Org, rencana_a: Rencana, tim: dict
) -> None:
    body = text(client_for(org_a.admin.user).get(reverse("skp:pohon")))
    # the tree starts at the kepala and goes down through the atasan to the pegawai
    assert body.index(org_a.kepala.nama) < body.index(org_a.atasan.nama) < body.index(org_a.pegawai.nama)
    assert body.count('data-testid="pohon-node"') == 6  # kepala, atasan, admin, hr, pegawai, rekan
    # each result is shown with the result it supports
    pegawai_rhk = body.split("Tersusunnya arsip surat masuk yang tertib", 1)[1].split("</li>", 1)[0]
    assert "mendukung:" in pegawai_rhk
    assert f'href="#pohon-rhk-{rencana_a.atasan_rhk[0].pk}"' in pegawai_rhk
    # coverage: the leader's second result nobody supports; the links are complete otherwise
    unsupported = body.split('data-testid="cakupan-tidak-didukung"', 1)[1].split("</div>\n  </div>", 1)[0]
    assert rencana_a.atasan_rhk[1].rencana_hasil_kerja in unsupported
    assert rencana_a.atasan_rhk[0].rencana_hasil_kerja not in unsupported
    assert rencana_a.kepala_rhk.rencana_hasil_kerja not in unsupported  # the atasan supports it


def test_pohon_lists_unlinked_main_results_of_subordinates(org_a: Org, rencana_a: Rencana, tim: dict) -> None:
    add_rhk(tim["rekan"], "Hasil rekan tanpa kaitan")
    body = text(client_for(org_a.atasan.user).get(reverse("skp:pohon")))
    unlinked = body.split('data-testid="cakupan-tidak-terkait"', 1)[1]
    assert "Hasil rekan tanpa kaitan" in unlinked
    assert "Terlaksananya tugas lain" not in unlinked  # tambahan need no link
    assert 'data-testid="belum-terkait"' in body


def test_pohon_for_a_leader_starts_at_themselves(org_a: Org, rencana_a: Rencana, tim: dict) -> None:
    body = text(client_for(org_a.atasan.user).get(reverse("skp:pohon")))
    assert org_a.kepala.nama not in body.split('data-testid="pohon"', 1)[1]
    assert body.count('data-testid="pohon-node"') == 3
    # their subordinates' SKP pages are linked, the rest is not
    assert reverse("skp:detail", args=[tim["pegawai"].pk]) in body


def test_pohon_akar_narrows_and_is_404_outside_the_callers_subtree(
    org_a: Org, rencana_a: Rencana, tim: dict
) -> None:
    atasan = client_for(org_a.atasan.user)
    narrowed = text(atasan.get(reverse("skp:pohon") + f"?akar={org_a.pegawai.pk}"))
    assert narrowed.count('data-testid="pohon-node"') == 1
    assert atasan.get(reverse("skp:pohon") + f"?akar={org_a.kepala.pk}").status_code == 404
    assert atasan.get(reverse("skp:pohon") + "?akar=xyz").status_code == 404
    admin = text(client_for(org_a.admin.user).get(reverse("skp:pohon") + f"?akar={org_a.atasan.pk}"))
    assert admin.count('data-testid="pohon-node"') == 3


def test_pohon_other_year_and_bad_year(org_a: Org, rencana_a: Rencana) -> None:
    client = client_for(org_a.admin.user)
    body = text(client.get(reverse("skp:pohon") + f"?tahun={TAHUN - 5}"))
    assert f"Belum ada SKP {TAHUN - 5}" in body
    assert client.get(reverse("skp:pohon") + "?tahun=abc").status_code == 200
    assert client.get(reverse("skp:pohon") + "?tahun=99999").status_code == 200


def test_pohon_shows_the_skp_in_force(org_a: Org, rencana_a: Rencana) -> None:
    # given the atasan's approved SKP and a revision in progress
    approved = rencana_a.atasan_skp
    with scope(instansi=org_a.instansi.pk):
        from skp.services import skp_revise

        revision = skp_revise(actor=org_a.atasan.user, skp=Skp.objects.get(pk=approved.pk))
    body = text(client_for(org_a.admin.user).get(reverse("skp:pohon")))
    # then the approved one is shown (the links of the subordinates point to it)
    assert reverse("skp:detail", args=[approved.pk]) in body
    assert reverse("skp:detail", args=[revision.pk]) not in body
