"""Penugasan across instansi (issue #17; domain.md "Product decisions": "Penugasan across instansi: allowed
when the receiving pegawai's Pejabat Penilai accepts; the assigner gets time-bound feedback rights only";
§2.2 S002 "other officials ... even other instansi may assign; it must go to the PPK first").

Two instansi (A assigns, B receives) and an outsider instansi C; each side sees only its own record."""

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django_scopes import scope, scopes_disabled

from dialog.models import Notifikasi, PenugasanKeluar, PenugasanLintas, UmpanBalikLintas
from dialog.services.penugasan_lintas import penugasan_lintas_propose, umpan_balik_lintas_give
from kinerja.exceptions import ApplicationError, InvalidTransition
from kinerja.models import AuditLog
from kinerja.tenancy import tenant_context
from skp.models import Rhk
from tests.conftest import Org, build_org
from tests.dialog.conftest import make_skp

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _form(org_b: Org, **extra: Any) -> dict[str, Any]:
    data = {
        "instansi": org_b.instansi.kode,
        "nip": org_b.pegawai.nip,
        "hasil_kerja": "Naskah kajian kerja sama daerah",
        "aspek": "kuantitas",
        "iki": "Jumlah naskah kajian",
        "target": "1 naskah",
        "mulai": "2026-05-20",
        "selesai": "2026-08-31",
        "pesan": "Mohon dukungan analis Anda",
    }
    data.update(extra)
    return data


@pytest.fixture
def org_c(db: Any) -> Org:
    return build_org("C")


def _usul(org_a: Org, org_b: Org) -> tuple[PenugasanKeluar, PenugasanLintas]:
    resp = client_for(org_a.atasan.user).post("/dialog/penugasan-lintas/baru/", _form(org_b))
    assert resp.status_code == 302, resp.content.decode()[:3000]
    with scopes_disabled():
        keluar = PenugasanKeluar.objects.get()
        masuk = PenugasanLintas.objects.get()
    return keluar, masuk


def test_proposal_lands_in_each_instansi_as_its_own_record(org_a: Org, org_b: Org) -> None:
    """S002 §2.2 "submitted to the PPK first": the proposal waits for B's Pejabat Penilai; A keeps its own
    record (what it typed), B gets the proposal with the assigner by value; audited in both."""
    keluar, masuk = _usul(org_a, org_b)
    assert (keluar.instansi_id, keluar.pemberi_id, keluar.tujuan_nip) == (
        org_a.instansi.pk,
        org_a.atasan.pk,
        org_b.pegawai.nip,
    )
    assert (masuk.instansi_id, masuk.pegawai_id, masuk.penilai_id) == (
        org_b.instansi.pk,
        org_b.pegawai.pk,
        org_b.atasan.pk,
    )
    assert (masuk.pemberi_instansi_id, masuk.pemberi_nip, masuk.status) == (
        org_a.instansi.pk,
        org_a.atasan.nip,
        "diusulkan",
    )
    assert masuk.kunci == keluar.kunci
    with scopes_disabled():
        assert Notifikasi.objects.filter(instansi=org_b.instansi, penerima=org_b.atasan.user).count() == 1
        assert AuditLog.objects.filter(
            instansi=org_b.instansi, action="dialog.penugasan_lintas_usul"
        ).exists()
        assert AuditLog.objects.filter(
            instansi=org_a.instansi, action="dialog.penugasan_keluar_usul"
        ).exists()
    # B's Pejabat Penilai sees it in the list and on the page, with the assigner and instansi
    html = client_for(org_b.atasan.user).get("/dialog/penugasan/").content.decode()
    assert "Naskah kajian kerja sama daerah" in html
    page = client_for(org_b.atasan.user).get(f"/dialog/penugasan-lintas/{masuk.pk}/").content.decode()
    assert org_a.atasan.nama in page
    assert org_a.instansi.nama in page
    assert 'data-testid="form-putus-lintas"' in page


@pytest.mark.parametrize(
    ("field", "value"),
    [("nip", "199001012020011999"), ("nip", "KEPALA"), ("instansi", "TIDAKADA"), ("instansi", "A")],
)
def test_unknown_target_one_message_and_nothing_written(
    org_a: Org, org_b: Org, field: str, value: str
) -> None:
    """Unknown NIP, a pegawai without Pejabat Penilai (B's kepala) and one's own instansi are field errors;
    "not found" and "no Pejabat Penilai" read the same (no more than existence leaks to A)."""
    if value == "KEPALA":
        value = org_b.kepala.nip
    resp = client_for(org_a.atasan.user).post(
        "/dialog/penugasan-lintas/baru/", _form(org_b, **{field: value})
    )
    assert resp.status_code == 422
    html = resp.content.decode()
    if field == "nip":
        assert "NIP tidak ditemukan atau tidak dapat menerima penugasan." in html
        assert org_b.kepala.nama not in html
    with scopes_disabled():
        assert not PenugasanLintas.objects.exists()
        assert not PenugasanKeluar.objects.exists()


def test_accept_adds_the_result_to_b_skp_and_mirrors_to_a(org_a: Org, org_b: Org) -> None:
    """domain.md: allowed when B's Pejabat Penilai accepts; the hasil kerja joins the pegawai's SKP marked
    with the assigner and their instansi; A sees only the decision."""
    skp = make_skp(org_b, org_b.pegawai)
    keluar, masuk = _usul(org_a, org_b)
    # only B's Pejabat Penilai decides: the pegawai and A's assigner cannot
    assert (
        client_for(org_b.pegawai.user)
        .post(f"/dialog/penugasan-lintas/{masuk.pk}/", {"keputusan": "terima"})
        .status_code
        == 404
    )
    assert (
        client_for(org_a.atasan.user)
        .post(f"/dialog/penugasan-lintas/{masuk.pk}/", {"keputusan": "terima"})
        .status_code
        == 404
    )
    resp = client_for(org_b.atasan.user).post(
        f"/dialog/penugasan-lintas/{masuk.pk}/", {"keputusan": "terima", "catatan": "Silakan"}
    )
    assert resp.status_code == 302
    with scopes_disabled():
        masuk.refresh_from_db()
        keluar.refresh_from_db()
        rhk = Rhk.objects.get(pk=masuk.rhk_id)
    assert rhk.skp_id == skp.pk
    assert org_a.instansi.nama in rhk.penugasan_dari
    assert (keluar.status, keluar.catatan_keputusan) == ("diterima", "Silakan")
    with scopes_disabled():
        assert Notifikasi.objects.filter(instansi=org_a.instansi, penerima=org_a.atasan.user).exists()
    page = client_for(org_a.atasan.user).get(f"/dialog/penugasan-keluar/{keluar.pk}/").content.decode()
    assert 'data-testid="status-keluar">Diterima<' in page
    assert 'data-testid="form-ub-lintas"' not in page  # 15 May: the assignment starts on 20 May
    # a second decision is refused
    again = client_for(org_b.atasan.user).post(
        f"/dialog/penugasan-lintas/{masuk.pk}/", {"keputusan": "tolak"}
    )
    assert again.status_code == 404


def test_reject_needs_a_reason_which_a_sees(org_a: Org, org_b: Org) -> None:
    keluar, masuk = _usul(org_a, org_b)
    leader = client_for(org_b.atasan.user)
    resp = leader.post(f"/dialog/penugasan-lintas/{masuk.pk}/", {"keputusan": "tolak", "catatan": ""})
    assert resp.status_code == 422
    assert "wajib diisi" in resp.content.decode()
    resp = leader.post(
        f"/dialog/penugasan-lintas/{masuk.pk}/", {"keputusan": "tolak", "catatan": "Beban kerja penuh"}
    )
    assert resp.status_code == 302
    page = client_for(org_a.atasan.user).get(f"/dialog/penugasan-keluar/{keluar.pk}/").content.decode()
    assert 'data-testid="catatan-keputusan-keluar">Beban kerja penuh<' in page


def test_feedback_only_while_the_accepted_assignment_runs(org_a: Org, org_b: Org) -> None:
    """domain.md "the assigner gets time-bound feedback rights only": before acceptance, before the start
    and after the end the feedback is refused; inside, it lands in B for the pegawai and the leader."""
    make_skp(org_b, org_b.pegawai)
    keluar, masuk = _usul(org_a, org_b)
    with scope(instansi=org_a.instansi.pk), pytest.raises(InvalidTransition):
        umpan_balik_lintas_give(actor=org_a.atasan.user, keluar=keluar, isi="Terlalu dini")
    client_for(org_b.atasan.user).post(f"/dialog/penugasan-lintas/{masuk.pk}/", {"keputusan": "terima"})
    with scopes_disabled():
        keluar.refresh_from_db()
    with scope(instansi=org_a.instansi.pk), pytest.raises(InvalidTransition):  # 15 May: starts 20 May
        umpan_balik_lintas_give(actor=org_a.atasan.user, keluar=keluar, isi="Sebelum mulai")
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, 0, tzinfo=WIB), tick=False):
        c = client_for(org_a.atasan.user)
        assert (
            'data-testid="form-ub-lintas"' in c.get(f"/dialog/penugasan-keluar/{keluar.pk}/").content.decode()
        )
        assert c.post(f"/dialog/penugasan-keluar/{keluar.pk}/", {"isi": ""}).status_code == 422
        assert (
            c.post(f"/dialog/penugasan-keluar/{keluar.pk}/", {"isi": "Draf bab 1 sudah baik"}).status_code
            == 302
        )
        # a peer of the assigner in A cannot use A's record
        assert (
            client_for(org_a.rekan.user)
            .post(f"/dialog/penugasan-keluar/{keluar.pk}/", {"isi": "x"})
            .status_code
            == 404
        )
    with time_machine.travel(dt.datetime(2026, 9, 1, 9, 0, tzinfo=WIB), tick=False):
        with scope(instansi=org_a.instansi.pk), pytest.raises(InvalidTransition):
            umpan_balik_lintas_give(actor=org_a.atasan.user, keluar=keluar, isi="Sesudah selesai")
        page = client_for(org_b.pegawai.user).get(f"/dialog/penugasan-lintas/{masuk.pk}/").content.decode()
    assert "Draf bab 1 sudah baik" in page
    with scopes_disabled():
        assert list(UmpanBalikLintas.objects.values_list("instansi_id", "isi")) == [
            (org_b.instansi.pk, "Draf bab 1 sudah baik")
        ]
        assert PenugasanKeluar.objects.get(pk=keluar.pk).umpan_balik_terkirim == 1
        assert Notifikasi.objects.filter(
            instansi=org_b.instansi, penerima=org_b.pegawai.user, judul__contains="Umpan balik penugasan"
        ).exists()


def test_a_sees_nothing_else_of_b_and_the_outsider_nothing(org_a: Org, org_b: Org, org_c: Org) -> None:
    """Tenant isolation stays absolute: A's assigner gets 404 on B's record and B's pegawai/SKP pages, A's
    pages name no B data beyond what A typed; C (outsider) gets 404 on both records; B cannot open A's."""
    skp_b = make_skp(org_b, org_b.pegawai)
    keluar, masuk = _usul(org_a, org_b)
    client_for(org_b.atasan.user).post(f"/dialog/penugasan-lintas/{masuk.pk}/", {"keputusan": "terima"})
    a = client_for(org_a.atasan.user)
    for url in (
        f"/dialog/penugasan-lintas/{masuk.pk}/",
        f"/skp/{skp_b.pk}/",
        f"/pegawai/{org_b.pegawai.pk}/",
        f"/dialog/linimasa/{org_b.pegawai.pk}/",
        f"/dialog/skp/{skp_b.pk}/umpan-balik/",
    ):
        assert a.get(url).status_code == 404, url
    for url in (
        "/dialog/penugasan/",
        f"/dialog/penugasan-keluar/{keluar.pk}/",
        "/dialog/",
        "/dialog/notifikasi/",
    ):
        html = a.get(url).content.decode()
        assert org_b.pegawai.nama not in html, url
        assert org_b.atasan.nama not in html, url
    for who in (org_c.admin, org_c.atasan):
        c = client_for(who.user)
        assert c.get(f"/dialog/penugasan-lintas/{masuk.pk}/").status_code == 404
        assert c.get(f"/dialog/penugasan-keluar/{keluar.pk}/").status_code == 404
        assert org_a.atasan.nama not in c.get("/dialog/penugasan/").content.decode()
    assert client_for(org_b.atasan.user).get(f"/dialog/penugasan-keluar/{keluar.pk}/").status_code == 404
    assert client_for(org_b.admin.user).get(f"/dialog/penugasan-keluar/{keluar.pk}/").status_code == 404


def test_the_tenant_switch_is_restored_and_grep_audited(org_a: Org, org_b: Org) -> None:
    """After the cross-tenant step the connection is back in A (row-level security): a WHERE-less query sees
    only A's rows. And this module is the only place in dialog/ that switches tenants."""
    with tenant_context(org_a.instansi.pk):
        penugasan_lintas_propose(
            actor=org_a.atasan.user,
            instansi_kode="B",
            nip=org_b.pegawai.nip,
            hasil_kerja="Kajian",
            indikator=[{"aspek": "kuantitas", "iki": "Jumlah kajian", "target": "1"}],
            mulai=dt.date(2026, 6, 1),
            selesai=dt.date(2026, 6, 30),
        )
        with connection.cursor() as cur:
            cur.execute("SELECT current_setting('kinerja.instansi', true)")
            assert cur.fetchone()[0] == str(org_a.instansi.pk)
            cur.execute("SELECT DISTINCT instansi_id FROM kinerja_pegawai")
            assert [r[0] for r in cur.fetchall()] == [org_a.instansi.pk]
            cur.execute("SELECT count(*) FROM dialog_penugasanlintas")
            assert cur.fetchone()[0] == 0  # B's row is invisible from A
            cur.execute("SELECT count(*) FROM dialog_penugasankeluar")
            assert cur.fetchone()[0] == 1
    root = Path(__file__).resolve().parents[2] / "dialog"
    switching = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if "tenant_context(" in p.read_text() or "rls_tenant(" in p.read_text()
    )
    assert switching == ["services/penugasan_lintas.py"]


def test_service_rejects_bad_dates_in_one_transaction(org_a: Org, org_b: Org) -> None:
    with scope(instansi=org_a.instansi.pk), pytest.raises(ApplicationError) as exc:
        penugasan_lintas_propose(
            actor=org_a.atasan.user,
            instansi_kode="B",
            nip=org_b.pegawai.nip,
            hasil_kerja="Kajian",
            indikator=[{"aspek": "kuantitas", "iki": "Jumlah kajian", "target": "1"}],
            mulai=dt.date(2026, 6, 30),
            selesai=dt.date(2026, 6, 1),
        )
    assert "selesai" in exc.value.errors
    with scopes_disabled():
        assert not PenugasanLintas.objects.exists()
