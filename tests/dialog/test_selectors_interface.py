"""The interface the evaluation app calls: umpan_balik_counts, umpan_balik_for_periode, realisasi_for_periode."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from dialog import selectors, services
from kinerja.models import Periode
from skp.models import Skp
from tests.conftest import Org
from tests.dialog.conftest import indikator_of, make_skp, periods, rhk_of
from tests.factories.berkas import png_bytes

pytestmark = pytest.mark.django_db

PNG = png_bytes()


def give(org: Org, giver: Any, skp: Skp, periode: Periode, isi: str = "Bagus", **kw: Any) -> Any:
    with scope(instansi=org.instansi.pk):
        return services.umpan_balik_give(actor=giver.user, skp=skp, periode_id=periode.pk, isi=isi, **kw)


def test_counts_per_pegawai_in_range_one_query(
    org_a: Org, org_b: Org, tw: list[Periode], django_assert_num_queries: Any
) -> None:
    # given feedback for the pegawai (leader x2 in Q2, peer x1 in Q2, leader x1 in Q1) and the peer (leader x1)
    skp = make_skp(org_a, org_a.pegawai)
    skp_rekan = make_skp(org_a, org_a.rekan)
    q1, q2 = tw[0], tw[1]
    give(org_a, org_a.atasan, skp, q2, "Laporan rapi")
    give(org_a, org_a.atasan, skp, q2, "Perlu lebih cepat", sifat="perbaikan")
    give(org_a, org_a.rekan, skp, q2, "Membantu tim")
    give(org_a, org_a.atasan, skp, q1, "Awal yang baik")
    give(org_a, org_a.atasan, skp_rekan, q2, "Tepat waktu")
    ids = [org_a.pegawai.pk, org_a.rekan.pk, org_a.atasan.pk, org_b.pegawai.pk]
    # when the evaluation asks for Q2 (one query)
    with scope(instansi=org_a.instansi.pk), django_assert_num_queries(1):
        counts = selectors.umpan_balik_counts(
            instansi=org_a.instansi, pegawai_ids=ids, mulai=q2.mulai, selesai=q2.selesai
        )
    # then every id is a key; another instansi's pegawai counts 0
    assert counts == {org_a.pegawai.pk: 3, org_a.rekan.pk: 1, org_a.atasan.pk: 0, org_b.pegawai.pk: 0}
    with scope(instansi=org_a.instansi.pk):
        leader_only = selectors.umpan_balik_counts(
            instansi=org_a.instansi,
            pegawai_ids=ids,
            mulai=q2.mulai,
            selesai=q2.selesai,
            from_penilai_only=True,
        )
        year = selectors.umpan_balik_counts(
            instansi=org_a.instansi,
            pegawai_ids=ids[:1],
            mulai=dt.date(2026, 1, 1),
            selesai=dt.date(2026, 12, 31),
        )
        assert (
            selectors.umpan_balik_counts(
                instansi=org_a.instansi, pegawai_ids=[], mulai=q2.mulai, selesai=q2.selesai
            )
            == {}
        )
    assert leader_only == {org_a.pegawai.pk: 2, org_a.rekan.pk: 1, org_a.atasan.pk: 0, org_b.pegawai.pk: 0}
    assert year == {org_a.pegawai.pk: 4}


def test_replies_are_not_counted(org_a: Org, tw: list[Periode]) -> None:
    skp = make_skp(org_a, org_a.pegawai)
    ub = give(org_a, org_a.atasan, skp, tw[1])
    with scope(instansi=org_a.instansi.pk):
        services.umpan_balik_reply(actor=org_a.pegawai.user, umpan_balik=ub, isi="Terima kasih")
        counts = selectors.umpan_balik_counts(
            instansi=org_a.instansi, pegawai_ids=[org_a.pegawai.pk], mulai=tw[1].mulai, selesai=tw[1].selesai
        )
    assert counts == {org_a.pegawai.pk: 1}


def test_for_periode_with_authors_and_replies_constant_queries(
    org_a: Org, tw: list[Periode], django_assert_num_queries: Any
) -> None:
    skp = make_skp(org_a, org_a.pegawai)
    rhk = rhk_of(org_a, skp)
    first = give(org_a, org_a.atasan, skp, tw[1], "Hasil 1 baik", rhk_id=rhk[0].pk)
    give(org_a, org_a.rekan, skp, tw[1], "Kolaboratif", core_value="kolaboratif")
    give(org_a, org_a.atasan, skp, tw[0], "Q1 saja")
    with scope(instansi=org_a.instansi.pk):
        services.umpan_balik_reply(actor=org_a.pegawai.user, umpan_balik=first, isi="Siap")

    def fetch() -> list[Any]:
        with scope(instansi=org_a.instansi.pk):
            rows = list(
                selectors.umpan_balik_for_periode(
                    instansi=org_a.instansi, pegawai=org_a.pegawai, periode=tw[1]
                )
            )
            return [
                (
                    r.isi,
                    r.pemberi.nama,
                    r.pemberi.jabatan.nama,
                    r.peran_pemberi,
                    getattr(r.rhk, "pk", None),
                    r.core_value,
                    [(b.penulis.nama, b.isi) for b in r.balasan.all()],
                )
                for r in rows
            ]

    with django_assert_num_queries(2):
        rows = fetch()
    assert rows == [
        (
            "Hasil 1 baik",
            org_a.atasan.nama,
            "Kepala Bidang",
            "pejabat_penilai",
            rhk[0].pk,
            "",
            [(org_a.pegawai.nama, "Siap")],
        ),
        ("Kolaboratif", org_a.rekan.nama, "Pengadministrasi Umum", "rekan_kerja", None, "kolaboratif", []),
    ]
    for i in range(5):  # more rows, same number of queries
        give(org_a, org_a.rekan, skp, tw[1], f"Tambahan {i}")
    with django_assert_num_queries(2):
        assert len(fetch()) == 7


def test_realisasi_for_periode_with_bukti(
    org_a: Org, tw: list[Periode], django_assert_num_queries: Any
) -> None:
    skp = make_skp(org_a, org_a.pegawai)
    ind = indikator_of(org_a, skp)
    with scope(instansi=org_a.instansi.pk):
        services.realisasi_save(
            actor=org_a.pegawai.user,
            skp=skp,
            indikator_id=ind[0].pk,
            periode_id=tw[1].pk,
            realisasi="3 laporan",
            berkas=SimpleUploadedFile("foto.png", PNG),
            tautan="https://contoh.go.id/laporan",
        )
        services.realisasi_save(
            actor=org_a.pegawai.user, skp=skp, indikator_id=ind[2].pk, periode_id=tw[1].pk, realisasi="100 %"
        )
        services.realisasi_save(
            actor=org_a.pegawai.user, skp=skp, indikator_id=ind[1].pk, periode_id=tw[0].pk, realisasi="Q1"
        )

    def fetch() -> list[Any]:
        with scope(instansi=org_a.instansi.pk):
            return [
                (
                    r.indikator_id,
                    r.realisasi,
                    r.rhk.pk,
                    [(b.jenis, b.tipe_konten or b.tautan) for b in r.bukti.all()],
                )
                for r in selectors.realisasi_for_periode(instansi=org_a.instansi, skp=skp, periode=tw[1])
            ]

    with django_assert_num_queries(2):
        rows = fetch()
    assert rows == [
        (
            ind[0].pk,
            "3 laporan",
            ind[0].rhk_id,
            [("berkas", "image/png"), ("tautan", "https://contoh.go.id/laporan")],
        ),
        (ind[2].pk, "100 %", ind[2].rhk_id, []),
    ]


def test_interface_is_tenant_bound(org_a: Org, org_b: Org, tw: list[Periode]) -> None:
    skp = make_skp(org_a, org_a.pegawai)
    give(org_a, org_a.atasan, skp, tw[1])
    periods(org_b)
    with scope(instansi=org_b.instansi.pk):
        assert (
            list(
                selectors.umpan_balik_for_periode(
                    instansi=org_b.instansi, pegawai=org_a.pegawai, periode=tw[1]
                )
            )
            == []
        )
        counts = selectors.umpan_balik_counts(
            instansi=org_b.instansi, pegawai_ids=[org_a.pegawai.pk], mulai=tw[1].mulai, selesai=tw[1].selesai
        )
    assert counts == {org_a.pegawai.pk: 0}
