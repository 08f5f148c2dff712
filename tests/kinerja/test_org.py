"""Org structure: unit kerja tree (materialised path) and pegawai mutasi."""

import datetime as dt
from typing import Any

import pytest

from kinerja.exceptions import ApplicationError
from kinerja.models import AuditLog, Instansi, Penempatan, UnitKerja, User
from kinerja.models.people import JenisPenempatan
from kinerja.selectors.org import unit_kerja_ancestors, unit_kerja_subtree
from kinerja.services.org import jabatan_get_or_create, unit_kerja_create, unit_kerja_move
from kinerja.services.people import pegawai_create, pegawai_mutasi
from tests.conftest import Org
from tests.factories import JabatanFactory, PegawaiFactory, UnitKerjaFactory, nip_for

pytestmark = pytest.mark.django_db


def _unit(instansi: Instansi, nama: str, induk: UnitKerja | None = None) -> UnitKerja:
    return unit_kerja_create(actor=None, instansi=instansi, nama=nama, induk=induk)


@pytest.fixture
def tree(tenant_a: Instansi, scope_a: None) -> dict[str, UnitKerja]:
    """dinas > bidang > seksi > subseksi, plus a second bidang and a second top unit."""
    dinas = _unit(tenant_a, "Dinas Pendidikan")
    bidang = _unit(tenant_a, "Bidang SD", dinas)
    seksi = _unit(tenant_a, "Seksi Kurikulum", bidang)
    subseksi = _unit(tenant_a, "Tim Penilaian", seksi)
    bidang2 = _unit(tenant_a, "Bidang SMP", dinas)
    badan = _unit(tenant_a, "Badan Kepegawaian")
    return {
        "dinas": dinas,
        "bidang": bidang,
        "seksi": seksi,
        "subseksi": subseksi,
        "bidang2": bidang2,
        "badan": badan,
    }


def _fresh(units: dict[str, UnitKerja]) -> dict[str, UnitKerja]:
    return {k: UnitKerja.objects.get(pk=u.pk) for k, u in units.items()}


def test_unit_kerja_create_sets_path_and_depth(tree: dict[str, UnitKerja]) -> None:
    d, b, s, ss = tree["dinas"], tree["bidang"], tree["seksi"], tree["subseksi"]
    assert (d.path, d.depth, d.induk_id) == (f"{d.pk}.", 0, None)
    assert (b.path, b.depth) == (f"{d.pk}.{b.pk}.", 1)
    assert (s.path, s.depth) == (f"{d.pk}.{b.pk}.{s.pk}.", 2)
    assert (ss.path, ss.depth) == (f"{d.pk}.{b.pk}.{s.pk}.{ss.pk}.", 3)
    # stored, not just set on the instance
    assert _fresh(tree)["subseksi"].path == ss.path
    assert AuditLog.objects.filter(action="unit_kerja.buat").count() == 6


def test_unit_kerja_create_refuses_duplicate_name_under_same_parent(
    tree: dict[str, UnitKerja], tenant_a: Instansi
) -> None:
    with pytest.raises(ApplicationError, match="sudah dipakai"):
        _unit(tenant_a, "Bidang SD", tree["dinas"])
    with pytest.raises(ApplicationError, match="sudah dipakai"):
        _unit(tenant_a, "Dinas Pendidikan")
    # the same name under another parent is fine
    _unit(tenant_a, "Bidang SD", tree["badan"])


def test_unit_kerja_create_refuses_parent_of_other_instansi(
    tenant_a: Instansi, tenant_b: Instansi, scope_a: None
) -> None:
    foreign = UnitKerjaFactory(instansi=tenant_b)
    with pytest.raises(ApplicationError):
        _unit(tenant_a, "Bidang Titipan", foreign)


def test_subtree_is_one_query(tree: dict[str, UnitKerja], django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        names = [u.nama for u in unit_kerja_subtree(unit=tree["dinas"])]
    assert names == ["Dinas Pendidikan", "Bidang SD", "Seksi Kurikulum", "Tim Penilaian", "Bidang SMP"]
    with django_assert_num_queries(1):
        below = [u.nama for u in unit_kerja_subtree(unit=tree["bidang"], include_self=False)]
    assert below == ["Seksi Kurikulum", "Tim Penilaian"]


def test_subtree_prefix_does_not_match_sibling_ids(tenant_a: Instansi, scope_a: None) -> None:
    # "1." must not match "12." (the trailing dot is part of the path)
    units = [_unit(tenant_a, f"Unit {i}") for i in range(12)]
    first = units[0]
    assert [u.pk for u in unit_kerja_subtree(unit=first)] == [first.pk]


def test_ancestors_is_one_query(tree: dict[str, UnitKerja], django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        names = [u.nama for u in unit_kerja_ancestors(unit=tree["subseksi"])]
    assert names == ["Dinas Pendidikan", "Bidang SD", "Seksi Kurikulum", "Tim Penilaian"]


def test_unit_kerja_move_moves_the_subtree(tree: dict[str, UnitKerja]) -> None:
    # when bidang (with seksi and subseksi) moves under badan
    moved = unit_kerja_move(actor=None, unit=tree["bidang"], induk_baru=tree["badan"])
    # then the paths and depths of the whole subtree follow
    t = _fresh(tree)
    badan = t["badan"]
    assert moved.induk_id == badan.pk
    assert (t["bidang"].path, t["bidang"].depth) == (f"{badan.pk}.{t['bidang'].pk}.", 1)
    assert (t["seksi"].path, t["seksi"].depth) == (f"{t['bidang'].path}{t['seksi'].pk}.", 2)
    assert (t["subseksi"].path, t["subseksi"].depth) == (f"{t['seksi'].path}{t['subseksi'].pk}.", 3)
    assert t["seksi"].induk_id == t["bidang"].pk  # inner parent links unchanged
    # the rest of the tree did not move
    assert t["bidang2"].path == f"{t['dinas'].pk}.{t['bidang2'].pk}."
    assert [u.nama for u in unit_kerja_subtree(unit=t["dinas"])] == ["Dinas Pendidikan", "Bidang SMP"]
    assert [u.nama for u in unit_kerja_subtree(unit=badan)] == [
        "Badan Kepegawaian", "Bidang SD", "Seksi Kurikulum", "Tim Penilaian",
    ]  # fmt: skip
    assert AuditLog.objects.filter(action="unit_kerja.pindah", object_id=str(moved.pk)).count() == 1


def test_unit_kerja_move_to_top(tree: dict[str, UnitKerja]) -> None:
    unit_kerja_move(actor=None, unit=tree["seksi"], induk_baru=None)
    t = _fresh(tree)
    assert (t["seksi"].path, t["seksi"].depth, t["seksi"].induk_id) == (f"{t['seksi'].pk}.", 0, None)
    assert (t["subseksi"].path, t["subseksi"].depth) == (f"{t['seksi'].pk}.{t['subseksi'].pk}.", 1)


@pytest.mark.parametrize("target", ["bidang", "seksi", "subseksi"])
def test_unit_kerja_move_refuses_a_cycle(tree: dict[str, UnitKerja], target: str) -> None:
    before = {u.pk: (u.path, u.depth, u.induk_id) for u in UnitKerja.objects.all()}
    with pytest.raises(ApplicationError, match="dirinya sendiri"):
        unit_kerja_move(actor=None, unit=tree["bidang"], induk_baru=tree[target])
    assert {u.pk: (u.path, u.depth, u.induk_id) for u in UnitKerja.objects.all()} == before


def test_jabatan_get_or_create_is_idempotent(tenant_a: Instansi, scope_a: None) -> None:
    a, created = jabatan_get_or_create(
        actor=None, instansi=tenant_a, nama="Perawat Mahir", jenis="fungsional", jenjang="mahir"
    )
    b, again = jabatan_get_or_create(
        actor=None, instansi=tenant_a, nama="Perawat Mahir", jenis="fungsional", jenjang="mahir"
    )
    assert (created, again, a.pk) == (True, False, b.pk)
    with pytest.raises(ApplicationError):
        jabatan_get_or_create(actor=None, instansi=tenant_a, nama="X", jenis="raja")


# ---------------------------------------------------------------- pegawai_mutasi


def test_pegawai_mutasi_closes_old_and_opens_new_placement(org_a: Org, scope_a: None) -> None:
    # given a pegawai placed since 2020 under atasan
    pegawai = org_a.pegawai
    new_unit = UnitKerjaFactory(instansi=org_a.instansi, nama="Bidang Baru", induk=org_a.kepala.unit_kerja)
    new_jabatan = JabatanFactory(instansi=org_a.instansi, nama="Penelaah Teknis Kebijakan")
    # when they move on 1 July
    pegawai_mutasi(
        actor=org_a.admin.user, pegawai=pegawai, unit_kerja=new_unit, jabatan=new_jabatan, atasan=org_a.kepala,
        tanggal=dt.date(2026, 7, 1),
    )  # fmt: skip
    # then the old stint ends on 30 June and a new one starts on 1 July
    stints = list(Penempatan.objects.filter(pegawai=pegawai).order_by("mulai"))
    assert len(stints) == 2
    old, new = stints
    assert (old.unit_kerja_id, old.atasan_id, old.selesai) == (
        org_a.atasan.unit_kerja_id,
        org_a.atasan.pk,
        dt.date(2026, 6, 30),
    )
    assert (new.unit_kerja_id, new.jabatan_id, new.atasan_id) == (
        new_unit.pk,
        new_jabatan.pk,
        org_a.kepala.pk,
    )
    assert (new.mulai, new.selesai, new.jenis) == (dt.date(2026, 7, 1), None, JenisPenempatan.MUTASI)
    pegawai.refresh_from_db()
    assert (pegawai.unit_kerja_id, pegawai.jabatan_id, pegawai.atasan_id) == (
        new_unit.pk,
        new_jabatan.pk,
        org_a.kepala.pk,
    )
    audit = AuditLog.objects.get(action="pegawai.mutasi", object_id=str(pegawai.pk))
    assert (audit.before["atasan"], audit.after["atasan"]) == (org_a.atasan.pk, org_a.kepala.pk)
    assert audit.actor_id == org_a.admin.user_id


def test_pegawai_mutasi_on_the_day_a_stint_began_corrects_it(org_a: Org, scope_a: None) -> None:
    # given a move on 1 July
    pegawai = org_a.pegawai
    new_unit = UnitKerjaFactory(instansi=org_a.instansi, nama="Bidang Koreksi", induk=org_a.kepala.unit_kerja)
    day = dt.date(2026, 7, 1)
    pegawai_mutasi(actor=None, pegawai=pegawai, unit_kerja=new_unit, jabatan=pegawai.jabatan, atasan=org_a.kepala,
                   tanggal=day)  # fmt: skip
    # when the admin corrects the atasan on the same day
    pegawai_mutasi(actor=None, pegawai=pegawai, unit_kerja=new_unit, jabatan=pegawai.jabatan, atasan=org_a.atasan,
                   tanggal=day)  # fmt: skip
    # then the 1 July stint is corrected in place and no stint ends before it starts
    stints = list(Penempatan.objects.filter(pegawai=pegawai).order_by("mulai"))
    assert [(s.mulai, s.selesai, s.atasan_id) for s in stints] == [
        (dt.date(2020, 1, 1), dt.date(2026, 6, 30), org_a.atasan.pk),
        (day, None, org_a.atasan.pk),
    ]


@pytest.mark.parametrize("who", ["self", "direct_subordinate", "grand_subordinate"])
def test_pegawai_mutasi_refuses_an_atasan_cycle(org_a: Org, scope_a: None, who: str) -> None:
    # kepala > atasan > pegawai
    grand = PegawaiFactory(instansi=org_a.instansi, unit_kerja=org_a.pegawai.unit_kerja, jabatan=org_a.pegawai.jabatan,
                           atasan=org_a.pegawai)  # fmt: skip
    new_atasan = {"self": org_a.kepala, "direct_subordinate": org_a.atasan, "grand_subordinate": grand}[who]
    stints = Penempatan.objects.count()
    with pytest.raises(ApplicationError, match=r"siklus|dirinya sendiri"):
        pegawai_mutasi(
            actor=None, pegawai=org_a.kepala, unit_kerja=org_a.kepala.unit_kerja, jabatan=org_a.kepala.jabatan,
            atasan=new_atasan,
        )  # fmt: skip
    org_a.kepala.refresh_from_db()
    assert org_a.kepala.atasan_id is None
    assert Penempatan.objects.count() == stints


def test_pegawai_mutasi_refuses_objects_of_another_instansi(org_a: Org, org_b: Org, scope_a: None) -> None:
    for kwargs in (
        {"unit_kerja": org_b.pegawai.unit_kerja},
        {"jabatan": org_b.pegawai.jabatan},
        {"atasan": org_b.atasan},
    ):
        params = {
            "unit_kerja": org_a.pegawai.unit_kerja,
            "jabatan": org_a.pegawai.jabatan,
            "atasan": org_a.atasan,
            **kwargs,
        }
        with pytest.raises(ApplicationError, match="tidak valid"):
            pegawai_mutasi(actor=None, pegawai=org_a.pegawai, **params)
    org_a.pegawai.refresh_from_db()
    assert org_a.pegawai.atasan_id == org_a.atasan.pk


def test_pegawai_create_refuses_objects_of_another_instansi(org_a: Org, org_b: Org, scope_a: None) -> None:
    with pytest.raises(ApplicationError, match="tidak valid") as exc:
        pegawai_create(
            actor=None, instansi=org_a.instansi, nip=nip_for(950), nama="Salah Tempat", status="pns",
            unit_kerja=org_b.pegawai.unit_kerja, jabatan=org_b.pegawai.jabatan, atasan=org_b.atasan,
        )  # fmt: skip
    assert set(exc.value.errors) == {"unit_kerja", "jabatan", "atasan"}
    assert not User.objects.filter(nip=nip_for(950)).exists()
