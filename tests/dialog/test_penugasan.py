"""Penugasan: from outside the leader line via the Pejabat Penilai, into the SKP, feedback permission."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django_scopes import scope
from guardian.shortcuts import get_users_with_perms

from dialog import selectors, services
from dialog.models import Notifikasi, Penugasan
from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden
from kinerja.models import Periode
from skp.models import Rhk, Skp
from tests.conftest import Org

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def propose_form(target: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "pegawai": f"{target.nip} {target.nama}",
        "hasil_kerja": "Tersusunnya kajian lintas bidang",
        "mulai": "2026-05-15",
        "selesai": "2026-06-30",
        "pesan": "Mohon izin",
        "ind-TOTAL_FORMS": "2",
        "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "4",
        "ind-0-aspek": "kuantitas",
        "ind-0-iki": "Jumlah kajian",
        "ind-0-target": "1 dokumen",
    }
    data.update(extra)
    return data


def test_assignment_from_other_unit_goes_to_leader_then_into_skp(
    org_a: Org, skp_pegawai: Skp, tw: list[Periode], pejabat_lain: Any
) -> None:
    other = client_for(pejabat_lain.user)
    resp = other.post("/dialog/penugasan/baru/", propose_form(org_a.pegawai))
    assert resp.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        p = Penugasan.objects.get()
        assert (p.status, p.penilai_id) == ("diusulkan", org_a.atasan.pk)
        assert Notifikasi.objects.filter(penerima=org_a.atasan.user, jenis="penugasan").exists()
    # the pegawai's leader sees it waiting and decides; nobody else can
    assert (
        'data-testid="perlu-keputusan"'
        in client_for(org_a.atasan.user).get("/dialog/penugasan/").content.decode()
    )
    assert (
        client_for(pejabat_lain.user)
        .post(f"/dialog/penugasan/{p.pk}/terima/", {"jenis": "tambahan"})
        .status_code
        == 404
    )
    assert (
        client_for(org_a.pegawai.user)
        .post(f"/dialog/penugasan/{p.pk}/terima/", {"jenis": "tambahan"})
        .status_code
        == 404
    )
    resp = client_for(org_a.atasan.user).post(
        f"/dialog/penugasan/{p.pk}/terima/", {"jenis": "tambahan", "catatan": "Silakan"}
    )
    assert resp.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        p.refresh_from_db()
        rhk = Rhk.objects.get(pk=p.rhk_id)
        assert (p.status, p.skp_id, p.izin_aktif) == ("diterima", skp_pegawai.pk, True)
        assert rhk.skp_id == skp_pegawai.pk
        assert rhk.jenis == "tambahan"
        assert rhk.penugasan_dari == f"Kepala Bidang Perencanaan ({pejabat_lain.nama})"
        assert [i.iki for i in rhk.indikator.all()] == ["Jumlah kajian"]
        assert pejabat_lain.user in get_users_with_perms(p, only_with_perms_in=["beri_umpan_balik_penugasan"])
        assert Skp.objects.get(pk=skp_pegawai.pk).status == "disetujui"
        assert (
            selectors.peran_pemberi_untuk(user=pejabat_lain.user, skp=skp_pegawai)
            == "pimpinan_pemberi_penugasan"
        )
    # twice is a 409-style message, not a second RHK
    with scope(instansi=org_a.instansi.pk), pytest.raises(InvalidTransition):
        services.penugasan_accept(actor=org_a.atasan.user, penugasan=p)


def test_reject_needs_reason_and_notifies(org_a: Org, skp_pegawai: Skp, pejabat_lain: Any) -> None:
    with scope(instansi=org_a.instansi.pk):
        p = services.penugasan_propose(
            actor=pejabat_lain.user,
            pegawai=org_a.pegawai,
            hasil_kerja="x",
            indikator=[{"aspek": "waktu", "iki": "Tepat waktu", "target": "Juni"}],
            mulai=dt.date(2026, 5, 20),
            selesai=dt.date(2026, 6, 1),
        )
    leader = client_for(org_a.atasan.user)
    assert leader.post(f"/dialog/penugasan/{p.pk}/tolak/", {"catatan": ""}).status_code == 422
    assert (
        leader.post(f"/dialog/penugasan/{p.pk}/tolak/", {"catatan": "Beban kerja penuh"}).status_code == 302
    )
    with scope(instansi=org_a.instansi.pk):
        p.refresh_from_db()
        assert (p.status, p.catatan_keputusan, p.rhk_id) == ("ditolak", "Beban kerja penuh", None)
        assert Notifikasi.objects.filter(
            penerima=pejabat_lain.user, judul__icontains="tidak disetujui"
        ).exists()


def test_validation_keeps_form(org_a: Org, pejabat_lain: Any) -> None:
    resp = client_for(pejabat_lain.user).post(
        "/dialog/penugasan/baru/", propose_form(org_a.pegawai, selesai="2026-05-01", **{"ind-0-iki": ""})
    )
    assert resp.status_code == 422
    html = resp.content.decode()
    assert "sebelum tanggal mulai" in html
    assert "Indikator kinerja wajib diisi" in html
    assert "Tersusunnya kajian lintas bidang" in html
    resp = client_for(pejabat_lain.user).post(
        "/dialog/penugasan/baru/", propose_form(org_a.pegawai, pegawai="999 tidak ada")
    )
    assert resp.status_code == 422
    assert "Pilih pegawai dari daftar" in resp.content.decode()


def test_no_skp_yet_is_a_clear_400(org_a: Org, tw: list[Periode], pejabat_lain: Any) -> None:
    with scope(instansi=org_a.instansi.pk):
        p = services.penugasan_propose(
            actor=pejabat_lain.user,
            pegawai=org_a.rekan,
            hasil_kerja="x",
            indikator=[{"aspek": "waktu", "iki": "Tepat", "target": ""}],
            mulai=dt.date(2026, 5, 20),
            selesai=dt.date(2026, 6, 1),
        )
        with pytest.raises(ApplicationError) as exc:
            services.penugasan_accept(actor=org_a.atasan.user, penugasan=p)
        assert "skp" in exc.value.errors
        p.refresh_from_db()
        assert p.status == "diusulkan"  # nothing lost; accept again once the SKP exists


def test_leader_assigning_own_subordinate_is_accepted_at_once(org_a: Org, skp_pegawai: Skp) -> None:
    with scope(instansi=org_a.instansi.pk):
        p = services.penugasan_propose(
            actor=org_a.atasan.user,
            pegawai=org_a.pegawai,
            hasil_kerja="Rapat koordinasi",
            indikator=[{"aspek": "kuantitas", "iki": "Notulen", "target": "2"}],
            mulai=dt.date(2026, 5, 15),
            selesai=dt.date(2026, 5, 31),
        )
        assert p.status == "diterima"
        assert p.rhk_id


def test_volunteer_for_open_assignment_needs_own_leader(
    org_a: Org, skp_pegawai: Skp, pejabat_lain: Any
) -> None:
    resp = client_for(pejabat_lain.user).post(
        "/dialog/penugasan/baru/", propose_form(org_a.pegawai, terbuka="on", pegawai="")
    )
    assert resp.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        call = Penugasan.objects.get(status="terbuka")
    pegawai = client_for(org_a.pegawai.user)
    assert 'data-testid="terbuka"' in pegawai.get("/dialog/penugasan/").content.decode()
    resp = pegawai.post(f"/dialog/penugasan/{call.pk}/relawan/", {"pesan": "Saya berminat"})
    assert resp.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        mine = Penugasan.objects.get(lowongan=call)
        assert (mine.status, mine.sukarela, mine.penilai_id, mine.pegawai_id) == (
            "diusulkan",
            True,
            org_a.atasan.pk,
            org_a.pegawai.pk,
        )
        with pytest.raises(InvalidTransition):  # twice
            services.penugasan_volunteer(actor=org_a.pegawai.user, lowongan=call)
        with pytest.raises(NotFoundOrForbidden):  # the open call itself has no pegawai to decide on
            services.penugasan_accept(actor=org_a.atasan.user, penugasan=call)
        services.penugasan_accept(actor=org_a.atasan.user, penugasan=mine)
        assert Penugasan.objects.get(pk=mine.pk).rhk_id is not None
    # the official closes the call (confirm in the page), volunteers can no longer join
    assert client_for(pejabat_lain.user).post(f"/dialog/penugasan/{call.pk}/batal/").status_code == 302
    with scope(instansi=org_a.instansi.pk), pytest.raises(InvalidTransition):
        services.penugasan_volunteer(actor=org_a.rekan.user, lowongan=Penugasan.objects.get(pk=call.pk))


def test_permission_granted_when_the_range_starts_revoked_after(
    org_a: Org, skp_pegawai: Skp, pejabat_lain: Any
) -> None:
    import time_machine

    from tests.dialog.conftest import HARI_INI

    with scope(instansi=org_a.instansi.pk):
        p = services.penugasan_propose(
            actor=pejabat_lain.user,
            pegawai=org_a.pegawai,
            hasil_kerja="Mulai Juni",
            indikator=[{"aspek": "kuantitas", "iki": "x", "target": "1"}],
            mulai=dt.date(2026, 6, 1),
            selesai=dt.date(2026, 6, 30),
        )
        p = services.penugasan_accept(actor=org_a.atasan.user, penugasan=p)
        assert not p.izin_aktif  # not yet
        assert services.penugasan_izin_sync(instansi=org_a.instansi) == (0, 0)
    with (
        time_machine.travel(dt.datetime(2026, 6, 2, 8, 0, tzinfo=HARI_INI.tzinfo)),
        scope(instansi=org_a.instansi.pk),
    ):
        assert services.penugasan_izin_sync(instansi=org_a.instansi) == (1, 0)
        assert services.penugasan_izin_sync(instansi=org_a.instansi) == (0, 0)
        assert (
            selectors.peran_pemberi_untuk(user=pejabat_lain.user, skp=skp_pegawai)
            == "pimpinan_pemberi_penugasan"
        )
    with (
        time_machine.travel(dt.datetime(2026, 7, 1, 8, 0, tzinfo=HARI_INI.tzinfo)),
        scope(instansi=org_a.instansi.pk),
    ):
        assert services.penugasan_izin_sync(instansi=org_a.instansi) == (0, 1)
        assert selectors.peran_pemberi_untuk(user=pejabat_lain.user, skp=skp_pegawai) is None


def test_task_runs_twice_safely(org_a: Org, skp_pegawai: Skp, pejabat_lain: Any) -> None:
    import time_machine

    from dialog.tasks import penugasan_izin_sync_task
    from tests.dialog.conftest import HARI_INI, penugasan_diterima

    p = penugasan_diterima(
        org_a, pejabat_lain, org_a.pegawai, mulai=dt.date(2026, 5, 1), selesai=dt.date(2026, 5, 31)
    )
    assert p.izin_aktif
    with time_machine.travel(dt.datetime(2026, 6, 1, 1, 0, tzinfo=HARI_INI.tzinfo)):
        assert penugasan_izin_sync_task(org_a.instansi.pk) == {"granted": 0, "revoked": 1}
        assert penugasan_izin_sync_task(org_a.instansi.pk) == {"granted": 0, "revoked": 0}
