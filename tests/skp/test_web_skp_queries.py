"""The SKP pages cost the same number of queries for small and large data (no N+1)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from kinerja.models import Pegawai
from skp import services
from skp.models import Skp, SkpStatus
from tests.conftest import Org
from tests.factories import PegawaiFactory
from tests.skp.conftest import IND, TAHUN, Rencana, add_rhk, build_rencana, client_for, draft, submit

pytestmark = pytest.mark.django_db


def queries(client: Client, url: str) -> int:
    client.get(url)  # warm up: session, user, content types
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries)


def subordinates(org: Org, n: int) -> list[Pegawai]:
    return [
        PegawaiFactory(
            instansi=org.instansi,
            unit_kerja=org.pegawai.unit_kerja,
            jabatan=org.pegawai.jabatan,
            atasan=org.atasan,
        )
        for _ in range(n)
    ]


def submitted_skps(org: Org, rencana: Rencana, people: list[Pegawai]) -> None:
    """One submitted SKP per pegawai, each with a linked result (through the services)."""
    for p in people:
        skp = draft(p)
        add_rhk(skp, f"Hasil {p.nama}", pimpinan=rencana.atasan_rhk[0], indikator=IND)
        submit(skp)


def test_inbox_query_count_is_the_same_for_3_and_300_pending(org_a: Org, rencana_a: Rencana) -> None:
    client = client_for(org_a.atasan.user)
    url = reverse("skp:inbox")
    team = subordinates(org_a, 300)
    submitted_skps(org_a, rencana_a, team[:3])
    small = queries(client, url)
    submitted_skps(org_a, rencana_a, team[3:])
    with scope(instansi=org_a.instansi.pk):
        assert Skp.objects.filter(status=SkpStatus.DIAJUKAN, pejabat_penilai=org_a.atasan).count() == 300
    big = queries(client, url)
    assert big == small, f"3 rows: {small} queries, 300 rows: {big}"


def _detail_with(org: Org, rencana: Rencana, n: int) -> Skp:
    skp = draft(org.pegawai, tahun=TAHUN) if n == 3 else draft(org.rekan, tahun=TAHUN)
    for i in range(n):
        add_rhk(
            skp,
            f"Hasil {i}",
            pimpinan=rencana.atasan_rhk[i % 2],
            indikator=IND,
            jenis=("utama", "tambahan")[i % 2],
        )
    return skp


@pytest.mark.parametrize("who", ["owner", "penilai"])
def test_detail_query_count_is_the_same_for_3_and_30_results(
    org_a: Org, rencana_a: Rencana, who: str
) -> None:
    # given two drafts of the same kind (JA, kuantitatif, same leader): 3 and 30 results of 2 indicators each
    small_skp = _detail_with(org_a, rencana_a, 3)
    big_skp = _detail_with(org_a, rencana_a, 30)
    with scope(instansi=org_a.instansi.pk):
        services.skp_ekspektasi_set(
            actor=org_a.atasan.user,
            skp=Skp.objects.get(pk=big_skp.pk),
            ekspektasi={"akuntabel": "Tepat waktu"},
        )
    if who == "owner":
        small = queries(client_for(org_a.pegawai.user), reverse("skp:detail", args=[small_skp.pk]))
        big = queries(client_for(org_a.rekan.user), reverse("skp:detail", args=[big_skp.pk]))
    else:
        client = client_for(org_a.atasan.user)
        small = queries(client, reverse("skp:detail", args=[small_skp.pk]))
        big = queries(client, reverse("skp:detail", args=[big_skp.pk]))
    assert big == small, f"3 results: {small} queries, 30 results: {big}"


def test_pohon_query_count_is_the_same_for_small_and_large_trees(org_a: Org, org_b: Org) -> None:
    # given two instansi with the same depth: B with a few pegawai, A with 30 more under the atasan
    rencana_b = build_rencana(org_b)
    submitted_skps(org_b, rencana_b, [org_b.pegawai])
    rencana_a = build_rencana(org_a)
    submitted_skps(org_a, rencana_a, [org_a.pegawai, *subordinates(org_a, 30)])
    small = queries(client_for(org_b.admin.user), reverse("skp:pohon"))
    big = queries(client_for(org_a.admin.user), reverse("skp:pohon"))
    assert big == small, f"small tree: {small} queries, large tree: {big}"


def test_matriks_query_count_is_the_same_for_2_and_30_subordinates(org_a: Org, org_b: Org) -> None:
    rencana_b = build_rencana(org_b)
    submitted_skps(org_b, rencana_b, [org_b.pegawai])
    rencana_a = build_rencana(org_a)
    submitted_skps(org_a, rencana_a, [org_a.pegawai, *subordinates(org_a, 30)])
    small = queries(client_for(org_b.atasan.user), reverse("skp:matriks", args=[rencana_b.atasan_skp.pk]))
    big = queries(client_for(org_a.atasan.user), reverse("skp:matriks", args=[rencana_a.atasan_skp.pk]))
    assert big == small, f"2 rows: {small} queries, 31 rows: {big}"


def test_saya_query_count_does_not_grow_with_years(org_a: Org) -> None:
    client = client_for(org_a.pegawai.user)
    draft(org_a.pegawai, tahun=TAHUN)
    small = queries(client, reverse("skp:saya"))
    for tahun in range(TAHUN - 10, TAHUN):
        draft(org_a.pegawai, tahun=tahun)
    assert queries(client, reverse("skp:saya")) == small
