"""Dialog kinerja / bimbingan / konseling records: visibility, follow-ups carried over, Format B.1.8."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django_scopes import scope

from dialog import selectors, services
from dialog.models import CatatanKinerja, JawabanBimbingan, TindakLanjut
from kinerja.exceptions import ApplicationError, InvalidTransition, NotFoundOrForbidden
from tests.conftest import Org

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def form(jenis: str, pegawai: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "jenis": jenis,
        "pegawai": pegawai.pk,
        "tanggal": "2026-05-10",
        "periode": "",
        "agenda": "Capaian April",
        "catatan": "Laporan terlambat dua hari",
        "tl-TOTAL_FORMS": "3",
        "tl-INITIAL_FORMS": "0",
        "tl-MIN_NUM_FORMS": "0",
        "tl-MAX_NUM_FORMS": "20",
    }
    data.update(extra)
    return data


def test_leader_records_dialog_follow_ups_carry_over(org_a: Org) -> None:
    leader = client_for(org_a.atasan.user)
    resp = leader.post(
        "/dialog/catatan/baru/",
        form(
            "dialog_kinerja",
            org_a.pegawai,
            **{
                "tl-0-uraian": "Kirim laporan tiap Jumat",
                "tl-0-tenggat": "2026-05-30",
                "tl-1-uraian": "Ikut pelatihan",
                "tl-1-tenggat": "2026-06-15",
            },
        ),
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    with scope(instansi=org_a.instansi.pk):
        first = CatatanKinerja.objects.get()
        done = TindakLanjut.objects.get(catatan=first, uraian="Ikut pelatihan")
        services.tindak_lanjut_set_status(actor=org_a.pegawai.user, tindak_lanjut=done, selesai=True)
    # the new-record page warns what will be carried over
    html = leader.get(f"/dialog/catatan/baru/?pegawai={org_a.pegawai.pk}").content.decode()
    assert 'data-testid="akan-dibawa"' in html
    assert "Kirim laporan tiap Jumat" in html
    resp = leader.post(
        "/dialog/catatan/baru/", form("bimbingan_kinerja", org_a.pegawai, tanggal="2026-05-14")
    )
    assert resp.status_code == 302
    with scope(instansi=org_a.instansi.pk):
        second = CatatanKinerja.objects.exclude(pk=first.pk).get()
        carried = TindakLanjut.objects.get(catatan=second)
        assert carried.uraian == "Kirim laporan tiap Jumat"
        assert carried.status == "terbuka"
        assert carried.dibawa_dari.status == "dibawa"
        assert TindakLanjut.objects.get(pk=done.pk).status == "selesai"  # done ones stay behind
        with pytest.raises(InvalidTransition):
            services.tindak_lanjut_set_status(
                actor=org_a.atasan.user, tindak_lanjut=carried.dibawa_dari, selesai=True
            )


def test_form_errors_keep_input(org_a: Org) -> None:
    leader = client_for(org_a.atasan.user)
    resp = leader.post(
        "/dialog/catatan/baru/",
        form(
            "dialog_kinerja",
            org_a.pegawai,
            tanggal="2026-06-30",
            **{
                "tl-0-uraian": "Tanpa tenggat",
                "tl-0-tenggat": "",
            },
        ),
    )
    assert resp.status_code == 422
    html = resp.content.decode()
    assert "masa depan" in html
    assert "Isi tenggat" in html
    assert "Laporan terlambat dua hari" in html
    assert "Tanpa tenggat" in html
    with scope(instansi=org_a.instansi.pk):
        assert not CatatanKinerja.objects.exists()


def test_visibility_pegawai_leader_admin_only(org_a: Org, outsider: Any) -> None:
    with scope(instansi=org_a.instansi.pk):
        rec = services.catatan_create(
            actor=org_a.atasan.user,
            jenis="konseling_kinerja",
            pegawai=org_a.pegawai,
            tanggal=dt.date(2026, 5, 2),
            catatan="Masalah kehadiran",
        )
    url = f"/dialog/catatan/{rec.pk}/"
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
    assert "Masalah kehadiran" not in client_for(org_a.rekan.user).get("/dialog/catatan/").content.decode()


def test_who_may_record_what(org_a: Org) -> None:
    with scope(instansi=org_a.instansi.pk):
        # the pegawai may record a dialog with their leader, not a bimbingan/konseling
        rec = services.catatan_create(
            actor=org_a.pegawai.user,
            jenis="dialog_kinerja",
            pegawai=org_a.pegawai,
            tanggal=dt.date(2026, 5, 2),
            agenda="Target Juni",
        )
        assert rec.pimpinan_id == org_a.atasan.pk
        with pytest.raises(NotFoundOrForbidden):
            services.catatan_create(
                actor=org_a.pegawai.user,
                jenis="bimbingan_kinerja",
                pegawai=org_a.pegawai,
                tanggal=dt.date(2026, 5, 2),
                agenda="x",
            )
        with pytest.raises(NotFoundOrForbidden):  # a peer cannot record about a colleague
            services.catatan_create(
                actor=org_a.rekan.user,
                jenis="dialog_kinerja",
                pegawai=org_a.pegawai,
                tanggal=dt.date(2026, 5, 2),
                agenda="x",
            )
        with pytest.raises(ApplicationError) as exc:
            services.catatan_create(
                actor=org_a.atasan.user,
                jenis="dialog_kinerja",
                pegawai=org_a.pegawai,
                tanggal=dt.date(2026, 5, 2),
            )
        assert "catatan" in exc.value.errors


def test_b18_answered_once_by_the_pegawai(org_a: Org) -> None:
    with scope(instansi=org_a.instansi.pk):
        rec = services.catatan_create(
            actor=org_a.atasan.user,
            jenis="bimbingan_kinerja",
            pegawai=org_a.pegawai,
            tanggal=dt.date(2026, 5, 2),
            agenda="Penyusunan laporan",
        )
        statements = selectors.pernyataan_b18_current()
    assert len(statements) == 9
    c = client_for(org_a.pegawai.user)
    html = c.get(f"/dialog/catatan/{rec.pk}/").content.decode()
    assert 'data-testid="form-b18"' in html
    assert statements[0].teks in html
    # incomplete: errors, chosen answers kept
    partial = {f"p{statements[0].pk}": "ya", f"p{statements[0].pk}_ket": "jelas sekali"}
    resp = c.post(f"/dialog/catatan/{rec.pk}/b18/", partial)
    assert resp.status_code == 422
    assert "jelas sekali" in resp.content.decode()
    answers = {f"p{s.pk}": ("tidak" if i == 6 else "ya") for i, s in enumerate(statements)}
    assert client_for(org_a.atasan.user).post(f"/dialog/catatan/{rec.pk}/b18/", answers).status_code == 403
    assert c.post(f"/dialog/catatan/{rec.pk}/b18/", answers).status_code == 302
    with scope(instansi=org_a.instansi.pk):
        assert JawabanBimbingan.objects.filter(catatan=rec).count() == 9
        assert JawabanBimbingan.objects.get(catatan=rec, pernyataan=statements[6]).jawaban == "tidak"
    html = client_for(org_a.atasan.user).get(f"/dialog/catatan/{rec.pk}/").content.decode()
    assert 'data-testid="jawaban-b18"' in html
    with scope(instansi=org_a.instansi.pk), pytest.raises(InvalidTransition):
        services.bimbingan_jawab(
            actor=org_a.pegawai.user, catatan=CatatanKinerja.objects.get(pk=rec.pk), jawaban={}
        )
