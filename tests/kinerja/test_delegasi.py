"""Plt/Plh delegation of Pejabat Penilai authority: guardian object permissions granted and revoked
by the services and by delegasi_sync as the date moves (kinerja.services.delegasi)."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kinerja.exceptions import ApplicationError
from kinerja.models import AuditLog, DelegasiPenilai, Pegawai, User
from kinerja.selectors.people import PERM_NILAI, can_nilai, pegawai_dinilai_oleh
from kinerja.services.delegasi import delegasi_create, delegasi_revoke, delegasi_sync
from tests.conftest import Org
from tests.factories import JabatanFactory, PegawaiFactory

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=JAKARTA)


TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def plh(org_a: Org) -> Pegawai:
    """A peer of the delegator (another pengawas under the same kepala) who stands in for them."""
    jabatan = JabatanFactory(instansi=org_a.instansi, nama="Kepala Seksi Data", jenis="pengawas")
    return PegawaiFactory(
        instansi=org_a.instansi, unit_kerja=org_a.atasan.unit_kerja, jabatan=jabatan, atasan=org_a.kepala
    )


def _delegate(org: Org, plh: Pegawai, mulai: dt.date, selesai: dt.date) -> DelegasiPenilai:
    return delegasi_create(
        actor=org.admin.user, instansi=org.instansi, pemberi=org.atasan, penerima=plh, jenis="plh",
        mulai=mulai, selesai=selesai, keterangan="Cuti tahunan",
    )  # fmt: skip


def _may_nilai(user_id: int, pegawai: Pegawai) -> bool:
    user = User.objects.get(pk=user_id)  # fresh: no permission cache
    by_perm = user.has_perm(PERM_NILAI, pegawai)
    assert by_perm == can_nilai(user=user, pegawai=pegawai), pegawai
    return by_perm


def _subordinates(org: Org) -> list[Pegawai]:
    return [org.pegawai, org.rekan]


def _others(org: Org, plh: Pegawai) -> list[Pegawai]:
    return [org.kepala, org.atasan, org.admin, org.hr, plh]


def _roles(api: Any, user: User) -> list[str]:
    resp = api(user).get("/api/v1/me/")
    assert resp.status_code == 200, resp.content
    return resp.json()["roles"]


def test_current_range_grants_on_each_subordinate(
    org_a: Org, plh: Pegawai, scope_a: None, time_machine: Any, api: Any
) -> None:
    time_machine.move_to(at(TODAY), tick=False)
    assert "pejabat_penilai" not in _roles(api, plh.user)
    # when the delegation covers today
    d = _delegate(org_a, plh, TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=10))
    # then the delegate may appraise each subordinate of the delegator, and nobody else
    assert d.berlaku
    d.refresh_from_db()
    assert d.berlaku
    assert all(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    assert not any(_may_nilai(plh.user_id, p) for p in _others(org_a, plh))
    user = User.objects.get(pk=plh.user_id)
    assert not user.has_perm(PERM_NILAI)  # object permissions only, never a global one
    assert set(pegawai_dinilai_oleh(user=user, instansi=org_a.instansi)) == set(_subordinates(org_a))
    assert _roles(api, plh.user) == ["pegawai", "pejabat_penilai"]
    # and the delegator keeps their own authority
    assert all(can_nilai(user=org_a.atasan.user, pegawai=p) for p in _subordinates(org_a))
    audit = AuditLog.objects.get(action="delegasi.buat", object_id=str(d.pk))
    assert audit.actor_id == org_a.admin.user_id
    assert audit.after["penerima"] == plh.nip


def test_future_range_grants_only_when_sync_runs_on_start_date(
    org_a: Org, plh: Pegawai, scope_a: None, time_machine: Any, api: Any
) -> None:
    time_machine.move_to(at(TODAY), tick=False)
    mulai, selesai = TODAY + dt.timedelta(days=5), TODAY + dt.timedelta(days=10)
    # given a delegation that starts in five days
    d = _delegate(org_a, plh, mulai, selesai)
    # then nothing is granted yet, not even by a sync
    assert not any(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    assert delegasi_sync(instansi=org_a.instansi) == (0, 0)
    assert not any(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    assert "pejabat_penilai" not in _roles(api, plh.user)
    # when the start date comes, the sync grants it (once)
    time_machine.move_to(at(mulai, 1), tick=False)
    assert not any(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    assert delegasi_sync(instansi=org_a.instansi) == (1, 0)
    assert delegasi_sync(instansi=org_a.instansi) == (0, 0)
    assert all(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    assert "pejabat_penilai" in _roles(api, plh.user)
    # on the last day it still holds
    time_machine.move_to(at(selesai, 23), tick=False)
    assert delegasi_sync(instansi=org_a.instansi) == (0, 0)
    assert all(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    # the day after, the sync revokes it
    time_machine.move_to(at(selesai + dt.timedelta(days=1), 0), tick=False)
    assert delegasi_sync(instansi=org_a.instansi) == (0, 1)
    assert delegasi_sync(instansi=org_a.instansi) == (0, 0)
    assert not any(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    assert "pejabat_penilai" not in _roles(api, plh.user)
    d.refresh_from_db()
    assert (d.berlaku, d.dicabut) == (False, False)


def test_expired_range_is_revoked_by_sync(org_a: Org, plh: Pegawai, scope_a: None, time_machine: Any) -> None:
    # given a delegation granted while current
    time_machine.move_to(at(TODAY), tick=False)
    _delegate(org_a, plh, TODAY, TODAY + dt.timedelta(days=2))
    assert all(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    # when a sync runs after it ended (the hourly beat was down for a week)
    time_machine.move_to(at(TODAY + dt.timedelta(days=9)), tick=False)
    assert delegasi_sync(instansi=org_a.instansi) == (0, 1)
    # then the permissions are gone
    assert not any(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))


def test_past_range_grants_nothing(org_a: Org, plh: Pegawai, scope_a: None, time_machine: Any) -> None:
    time_machine.move_to(at(TODAY), tick=False)
    d = _delegate(org_a, plh, TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=10))
    assert delegasi_sync(instansi=org_a.instansi) == (0, 0)
    d.refresh_from_db()
    assert not d.berlaku
    assert not any(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))


def test_revoke_removes_permissions(
    org_a: Org, plh: Pegawai, scope_a: None, time_machine: Any, api: Any
) -> None:
    time_machine.move_to(at(TODAY), tick=False)
    d = _delegate(org_a, plh, TODAY, TODAY + dt.timedelta(days=10))
    assert all(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    # when the delegation is ended early
    d = delegasi_revoke(actor=org_a.admin.user, delegasi=d)
    # then the permissions are gone, and a later sync does not bring them back
    assert (d.berlaku, d.dicabut) == (False, True)
    assert not any(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    assert delegasi_sync(instansi=org_a.instansi) == (0, 0)
    assert not any(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    assert "pejabat_penilai" not in _roles(api, plh.user)
    assert (
        AuditLog.objects.filter(action="delegasi.cabut", object_id=str(d.pk), actor=org_a.admin.user).count()
        == 1
    )
    assert AuditLog.objects.filter(action="delegasi.buat", object_id=str(d.pk)).count() == 1


def test_revoke_of_a_future_delegation(org_a: Org, plh: Pegawai, scope_a: None, time_machine: Any) -> None:
    time_machine.move_to(at(TODAY), tick=False)
    d = delegasi_revoke(
        actor=None, delegasi=_delegate(org_a, plh, TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=4))
    )
    time_machine.move_to(at(TODAY + dt.timedelta(days=3)), tick=False)
    assert delegasi_sync(instansi=org_a.instansi) == (0, 0)
    assert d.dicabut
    assert not any(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))


def test_invalid_delegations_are_refused(org_a: Org, org_b: Org, plh: Pegawai, scope_a: None) -> None:
    cases: list[dict[str, Any]] = [
        {"penerima": org_a.atasan},  # to oneself
        {"selesai": TODAY - dt.timedelta(days=1)},  # ends before it starts
        {"penerima": org_b.atasan},  # another instansi
    ]
    for case in cases:
        kwargs = {
            "actor": None, "instansi": org_a.instansi, "pemberi": org_a.atasan, "penerima": plh, "jenis": "plt",
            "mulai": TODAY, "selesai": TODAY + dt.timedelta(days=1), **case,
        }  # fmt: skip
        with pytest.raises(ApplicationError):
            delegasi_create(**kwargs)
    assert not DelegasiPenilai.objects.exists()
    assert not AuditLog.objects.filter(action="delegasi.buat").exists()


def test_revoke_also_covers_a_subordinate_who_moved_away(
    org_a: Org, plh: Pegawai, scope_a: None, time_machine: Any
) -> None:
    from kinerja.services.people import pegawai_mutasi

    time_machine.move_to(at(TODAY), tick=False)
    d = _delegate(org_a, plh, TODAY, TODAY + dt.timedelta(days=10))
    # the pegawai moves to the kepala during the delegation
    pegawai_mutasi(actor=None, pegawai=org_a.pegawai, unit_kerja=org_a.pegawai.unit_kerja, jabatan=org_a.pegawai.jabatan,
                   atasan=org_a.kepala)  # fmt: skip
    delegasi_revoke(actor=org_a.admin.user, delegasi=d)
    assert not _may_nilai(plh.user_id, org_a.pegawai)
    assert not _may_nilai(plh.user_id, org_a.rekan)


def test_overlapping_delegations_do_not_cancel_each_other(
    org_a: Org, plh: Pegawai, scope_a: None, time_machine: Any
) -> None:
    time_machine.move_to(at(TODAY), tick=False)
    short = _delegate(org_a, plh, TODAY, TODAY + dt.timedelta(days=2))
    _delegate(org_a, plh, TODAY, TODAY + dt.timedelta(days=20))
    # when the short one ends, the long one still holds
    time_machine.move_to(at(TODAY + dt.timedelta(days=5)), tick=False)
    assert delegasi_sync(instansi=org_a.instansi) == (0, 1)
    short.refresh_from_db()
    assert not short.berlaku
    assert all(_may_nilai(plh.user_id, p) for p in _subordinates(org_a))
    assert AuditLog.objects.filter(action="delegasi.berakhir", object_id=str(short.pk)).count() == 1
