"""Tim kerja services and the SKP side of a team (issue #16): create with every bad input refused with a
field message and nothing written, membership history, cascading from the ketua's results, the team
label frozen at approval, the Matriks Peran Hasil per team, the ketua's feedback and no rating."""

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scope

from kinerja.exceptions import ApplicationError, NotFoundOrForbidden
from kinerja.models import AnggotaTim, AuditLog, TimKerja
from kinerja.services.tim import tim_anggota_add, tim_anggota_remove, tim_create, tim_update
from skp.documents import matriks_context, skp_document_context
from skp.models import Rhk, Skp
from skp.selectors import matriks_peran_hasil, rhk_pimpinan_pilihan, skp_detail_queryset
from skp.snapshots import skp_perilaku
from tests.conftest import Org
from tests.kinerja.tim_data import TimWorld, build_tim_world, draft_with, make_tim, submit_approve

TAHUN = 2026
HARI_INI = dt.datetime(2026, 5, 15, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.fixture(autouse=True)
def _waktu() -> Iterator[None]:
    with time_machine.travel(HARI_INI, tick=True):
        yield


@pytest.fixture
def w(org_a: Org) -> TimWorld:
    return build_tim_world(org_a, TAHUN)


def _create(w: TimWorld, **kw: Any) -> TimKerja:
    data = {"nama": "Tim SPBE", "tahun": TAHUN, "ketua": w.ketua.nip, "anggota": [w.anggota1.nip]} | kw
    actor = data.pop("actor", w.org.admin.user)
    with scope(instansi=w.org.instansi.pk):
        return tim_create(actor=actor, instansi=w.org.instansi, **data)


def test_create_records_anggota_from_two_units_with_dates_and_audit(w: TimWorld) -> None:
    tim = make_tim(w)
    with scope(instansi=w.org.instansi.pk):
        rows = list(AnggotaTim.objects.filter(tim=tim).select_related("pegawai__unit_kerja"))
        assert {r.pegawai_id for r in rows} == {w.anggota1.pk, w.anggota2.pk}
        assert len({r.pegawai.unit_kerja_id for r in rows}) == 2
        assert all(r.mulai == dt.date(2026, 5, 15) and r.selesai is None for r in rows)
        assert AuditLog.objects.filter(action="tim_kerja.buat", object_id=str(tim.pk)).count() == 1


def test_bad_input_gives_field_messages_and_writes_nothing(w: TimWorld, org_b: Org) -> None:
    with pytest.raises(ApplicationError) as e:
        _create(
            w,
            ketua=org_b.pegawai.nip,  # another instansi: "not found", nothing revealed
            anggota=[w.anggota1.nip, w.anggota1.nip, "199901012020011999", org_b.rekan.nip],
        )
    errors = e.value.errors
    assert errors["ketua"] == [
        f"NIP {org_b.pegawai.nip} tidak ditemukan di antara pegawai aktif instansi ini."
    ]
    assert any("lebih dari sekali" in m for m in errors["anggota"])
    assert any("199901012020011999" in m for m in errors["anggota"])
    assert any(org_b.rekan.nip in m for m in errors["anggota"])
    with pytest.raises(ApplicationError) as e:
        _create(w, anggota=[w.ketua.nip])
    assert "ketua tim" in e.value.errors["anggota"][0]
    with pytest.raises(ApplicationError) as e:
        _create(w, tahun=2031)
    assert "Belum ada periode penilaian untuk tahun 2031" in e.value.errors["tahun"][0]
    with pytest.raises(ApplicationError) as e:
        _create(w, nama="  ")
    assert "nama" in e.value.errors
    with scope(instansi=w.org.instansi.pk):
        assert not TimKerja.objects.exists()
        assert not AnggotaTim.objects.exists()


def test_who_may_create_and_manage(w: TimWorld) -> None:
    with pytest.raises(NotFoundOrForbidden):
        _create(w, actor=w.org.rekan.user)  # a plain pegawai
    tim = _create(w, actor=w.org.atasan.user)  # a Pejabat Penilai
    with scope(instansi=w.org.instansi.pk):
        with pytest.raises(NotFoundOrForbidden):
            tim_anggota_add(actor=w.ketua.user, tim=tim, anggota=[w.anggota2.nip])  # not the creator
        tim_anggota_add(actor=w.org.atasan.user, tim=tim, anggota=[w.anggota2.nip])
        tim_update(actor=w.org.admin.user, tim=tim, nama="Tim SPBE 2026")
        assert TimKerja.objects.get(pk=tim.pk).nama == "Tim SPBE 2026"


def test_leaving_keeps_history_and_rejoining_adds_a_row(w: TimWorld) -> None:
    tim = make_tim(w)
    with scope(instansi=w.org.instansi.pk):
        with time_machine.travel(dt.datetime(2026, 8, 1, 9, tzinfo=ZoneInfo("Asia/Jakarta"))):
            tim_anggota_remove(actor=w.org.admin.user, tim=tim, nip=w.anggota2.nip)
        with pytest.raises(NotFoundOrForbidden):
            tim_anggota_remove(actor=w.org.admin.user, tim=tim, nip=w.anggota2.nip)
        with pytest.raises(ApplicationError) as e:
            tim_anggota_add(actor=w.org.admin.user, tim=tim, anggota=[w.anggota1.nip])
        assert "sudah menjadi anggota" in e.value.errors["anggota"][0]
        with time_machine.travel(dt.datetime(2026, 10, 1, 9, tzinfo=ZoneInfo("Asia/Jakarta"))):
            tim_anggota_add(actor=w.org.admin.user, tim=tim, anggota=[w.anggota2.nip])
        rows = list(AnggotaTim.objects.filter(tim=tim, pegawai=w.anggota2).order_by("mulai"))
    assert [(r.mulai, r.selesai) for r in rows] == [
        (dt.date(2026, 5, 15), dt.date(2026, 8, 1)),
        (dt.date(2026, 10, 1), None),
    ]


def test_anggota_cascades_from_the_ketua_and_others_cannot(w: TimWorld) -> None:
    tim = make_tim(w)
    _, (kolom,) = draft_with(w.ketua, TAHUN, ["Aplikasi layanan terpadu berjalan"])
    skp1, (r1,) = draft_with(w.anggota1, TAHUN, ["Modul pengaduan selesai"], pimpinan=kolom)
    with scope(instansi=w.org.instansi.pk):
        assert Rhk.objects.get(pk=r1.pk).tim_kerja_id == tim.pk
        pilihan = rhk_pimpinan_pilihan(skp=Skp.objects.select_related("pegawai").get(pk=skp1.pk))
        assert [(r.pk, r.tim_sumber) for r in pilihan if r.pk == kolom.pk] == [(kolom.pk, tim)]
    # the rekan is not an anggota: the ketua's result is not theirs to cascade from
    with pytest.raises(ApplicationError) as e:
        draft_with(w.org.rekan, TAHUN, ["Hasil lain"], pimpinan=kolom)
    assert "rhk_pimpinan" in e.value.errors
    # an anggota who left cannot link a new result
    with scope(instansi=w.org.instansi.pk):
        tim_anggota_remove(actor=w.org.admin.user, tim=tim, nip=w.anggota2.nip)
    with pytest.raises(ApplicationError):
        draft_with(w.anggota2, TAHUN, ["Migrasi server"], pimpinan=kolom)


def test_approved_skp_keeps_the_team_label_whatever_the_team_becomes(w: TimWorld) -> None:
    tim = make_tim(w)
    _, (kolom,) = draft_with(w.ketua, TAHUN, ["Aplikasi layanan terpadu berjalan"])
    skp1, _ = draft_with(w.anggota1, TAHUN, ["Modul pengaduan selesai"], pimpinan=kolom)
    skp2, _ = draft_with(w.anggota2, TAHUN, ["Server aplikasi tersedia"], pimpinan=kolom)
    submit_approve(skp1, w.org.atasan)
    label = f"Tim: Tim Transformasi Digital (ketua {w.ketua.nama})"
    with scope(instansi=w.org.instansi.pk):
        tim_update(actor=w.org.admin.user, tim=tim, nama="Tim SPBE")
        tim_anggota_remove(actor=w.org.admin.user, tim=tim, nip=w.anggota1.nip)
        approved = skp_detail_queryset(instansi=w.org.instansi).get(pk=skp1.pk)
        draft = skp_detail_queryset(instansi=w.org.instansi).get(pk=skp2.pk)
        assert [r.tim_kerja_tampil for r in approved.rhk.all()] == [label]
        assert [r.tim_kerja_tampil for r in draft.rhk.all()] == [f"Tim: Tim SPBE (ketua {w.ketua.nama})"]
        # the PDF context shows the frozen label too
        ctx = skp_document_context(skp=approved, instansi=w.org.instansi, core_values=skp_perilaku(approved))
        assert ctx["bagian_hasil"][0]["rhk"][0]["tim_kerja"] == label


def test_matriks_per_team_has_one_row_per_current_anggota(w: TimWorld) -> None:
    tim = make_tim(w)
    ketua_skp, (kolom, kolom2) = draft_with(w.ketua, TAHUN, ["Aplikasi terpadu", "Data terpadu"])
    draft_with(w.anggota1, TAHUN, ["Modul pengaduan"], pimpinan=kolom)
    draft_with(w.anggota2, TAHUN, ["Server aplikasi"], pimpinan=kolom)
    with scope(instansi=w.org.instansi.pk):
        skp = Skp.objects.select_related("pegawai").get(pk=ketua_skp.pk)
        m = matriks_peran_hasil(leader_skp=skp, tahun=TAHUN, tim=tim)
        assert [r["pegawai"].pk for r in m["rows"]] == sorted(
            [w.anggota1.pk, w.anggota2.pk],
            key=lambda pk: next(p.nama for p in (w.anggota1, w.anggota2) if p.pk == pk),
        )
        assert all([len(c) for c in r["cells"]] == [1, 0] for r in m["rows"])
        assert [c.pk for c in m["uncovered"]] == [kolom2.pk]
        # without ?tim the ketua (a JF without subordinates) has no rows
        assert matriks_peran_hasil(leader_skp=skp, tahun=TAHUN)["rows"] == []
        ctx = matriks_context(leader_skp=skp, instansi=w.org.instansi, tim=tim)
        assert ctx["tim"] == {"id": tim.pk, "nama": tim.nama}
        assert {b["unit_kerja"] for b in ctx["baris"]} == {
            w.anggota1.unit_kerja.nama,
            w.anggota2.unit_kerja.nama,
        }


def test_ketua_gives_feedback_as_pemberi_penugasan_and_cannot_rate(w: TimWorld, api: Any) -> None:
    from dialog.models import PeranPemberi
    from dialog.services import umpan_balik_give
    from evaluasi.models import Evaluasi
    from evaluasi.services import evaluasi_periodik_ensure
    from kinerja.models import Periode

    make_tim(w)
    _, (kolom,) = draft_with(w.ketua, TAHUN, ["Aplikasi layanan terpadu berjalan"])
    skp1, (r1,) = draft_with(w.anggota1, TAHUN, ["Modul pengaduan selesai"], pimpinan=kolom)
    _, (kolom_atasan,) = draft_with(w.org.atasan, TAHUN, ["Layanan umum tertib"])
    _, (r_lain,) = draft_with(w.anggota1, TAHUN, ["Arsip surat tertib"], pimpinan=kolom_atasan)
    skp1 = submit_approve(skp1, w.org.atasan)
    with scope(instansi=w.org.instansi.pk):
        tw2 = Periode.objects.get(tahun=TAHUN, nomor=2)
        ub = umpan_balik_give(
            actor=w.ketua.user, skp=Skp.objects.select_related("pegawai").get(pk=skp1.pk), periode_id=tw2.pk,
            rhk_id=r1.pk, isi="Modul pengaduan sudah bisa diuji; tambahkan notifikasi SMS.",
        )  # fmt: skip
        assert ub.peran_pemberi == PeranPemberi.PEMBERI_PENUGASAN
        # ... on the results that support the ketua's, not on the others
        with pytest.raises(ApplicationError) as e:
            umpan_balik_give(
                actor=w.ketua.user, skp=Skp.objects.select_related("pegawai").get(pk=skp1.pk),
                periode_id=tw2.pk, rhk_id=r_lain.pk, isi="Catatan lain.",
            )  # fmt: skip
        assert "rhk" in e.value.errors
        evaluasi_periodik_ensure(instansi=w.org.instansi, tahun=TAHUN, pegawai_ids=[w.anggota1.pk])
        ev = Evaluasi.objects.get(pegawai=w.anggota1, periode=tw2)
    # the ketua cannot rate (the evaluation is not even visible to them), the Pejabat Penilai sees it
    resp = api(w.ketua.user).patch(
        f"/api/v1/evaluasi/{ev.pk}/",
        {"rating_hasil_kerja": "sesuai_ekspektasi", "rating_perilaku_kerja": "sesuai_ekspektasi", "versi": 1},
        format="json",
    )
    assert resp.status_code == 404
    assert api(w.ketua.user).get(f"/api/v1/evaluasi/{ev.pk}/").status_code == 404
    from evaluasi.selectors import umpan_balik_evaluasi

    with scope(instansi=w.org.instansi.pk):
        items = umpan_balik_evaluasi(
            evaluasi=Evaluasi.objects.select_related("pegawai", "periode").get(pk=ev.pk)
        )
    assert [(i.pemberi_id, i.peran_pemberi) for i in items] == [(w.ketua.pk, "pimpinan_pemberi_penugasan")]


def test_demo_seed_is_idempotent_and_cascades_from_the_ketua(w: TimWorld) -> None:
    from skp.demo_tim import demo_tim_seed

    _, (kolom,) = draft_with(w.ketua, TAHUN, ["Aplikasi layanan terpadu berjalan"])
    skp1, _ = draft_with(w.anggota1, TAHUN, ["Hasil lama"], pimpinan=None)
    submit_skp = draft_with(w.anggota2, TAHUN, [])[0]
    args = {
        "instansi": w.org.instansi,
        "tahun": TAHUN,
        "nama": "Tim Demo",
        "ketua_nip": w.ketua.nip,
        "anggota": [(w.anggota1.nip, "Modul A"), (w.anggota2.nip, "Modul B")],
        "admin_nip": w.org.admin.nip,
    }
    with scope(instansi=w.org.instansi.pk):
        assert demo_tim_seed(**args) == 3 + 4  # team + 2 anggota, 2 results + 2 indicators
        assert demo_tim_seed(**args) == 0
        linked = Rhk.objects.filter(tim_kerja__nama="Tim Demo", rhk_pimpinan=kolom)
        assert sorted(linked.values_list("skp_id", flat=True)) == sorted([skp1.pk, submit_skp.pk])
