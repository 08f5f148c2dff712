"""Issue #17, the annual window (domain.md "Product decisions", row "Annual window"; PP 30/2019 (S001): the
annual evaluation at the end of December, its result in January). Ratings of annual evaluations open on
1 December and close on 31 January of the next year (per instansi, configurable); periodic ratings are not
affected; the year-end batch refuses a real run before the window unless forced with a written reason
(audited); a dry run is always allowed; after the close the batch is allowed (the closing act)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from evaluasi import jendela as J
from evaluasi.models import Evaluasi, PengaturanEvaluasi
from kinerja.models import AuditLog, Job
from tests.conftest import Org
from tests.evaluasi.conftest import TAHUN, ensure_all, make_skp, periode

SE, DA = "sesuai_ekspektasi", "di_atas_ekspektasi"
WIB = dt.timezone(dt.timedelta(hours=7))


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    """A moment in Asia/Jakarta (the tenant-local calendar decides the window)."""
    return dt.datetime(y, m, d, h, mi, tzinfo=WIB)


# ---------------------------------------------------------------------------------------------- pure rule


@pytest.mark.parametrize(
    ("tanggal", "status"),
    [
        (dt.date(2026, 11, 30), J.StatusJendela.BELUM),
        (dt.date(2026, 12, 1), J.StatusJendela.BUKA),  # opens on 1 December (domain "Annual window")
        (dt.date(2026, 12, 31), J.StatusJendela.BUKA),
        (dt.date(2027, 1, 31), J.StatusJendela.BUKA),  # closes on 31 January of the next year, inclusive
        (dt.date(2027, 2, 1), J.StatusJendela.TUTUP),
        (dt.date(2027, 6, 15), J.StatusJendela.TUTUP),
        (dt.date(2026, 3, 15), J.StatusJendela.BELUM),  # "an annual evaluation accepts ratings in March"
    ],
)
def test_default_window_1_december_to_31_january_domain_annual_window_pp30_s001(
    tanggal: dt.date, status: J.StatusJendela
) -> None:
    """domain.md "Annual window": 1 December .. 31 January of the next year; PP 30/2019 (S001) year end."""
    j = J.jendela_tahunan(2026)
    assert (j.buka, j.tutup) == (dt.date(2026, 12, 1), dt.date(2027, 1, 31))
    assert j.status(tanggal) == status
    assert j.is_open(tanggal) == (status == J.StatusJendela.BUKA)


def test_configured_window_within_one_year_and_wrapping_domain_annual_window_configurable() -> None:
    """domain.md "Annual window": per instansi, configurable. A close before the open wraps to next year."""
    dalam = J.jendela_tahunan(2026, buka=(11, 15), tutup=(12, 31))
    assert (dalam.buka, dalam.tutup) == (dt.date(2026, 11, 15), dt.date(2026, 12, 31))
    assert dalam.status(dt.date(2027, 1, 1)) == J.StatusJendela.TUTUP
    panjang = J.jendela_tahunan(2026, buka=(12, 15), tutup=(2, 28))
    assert (panjang.buka, panjang.tutup) == (dt.date(2026, 12, 15), dt.date(2027, 2, 28))
    # 29 February in a common year is clamped to the 28th; in a leap year it is kept
    assert J.jendela_tahunan(2026, tutup=(2, 29)).tutup == dt.date(2027, 2, 28)
    assert J.jendela_tahunan(2027, tutup=(2, 29)).tutup == dt.date(2028, 2, 29)
    assert J.validasi_bulan_hari(2, 29)
    assert not J.validasi_bulan_hari(2, 30)
    assert not J.validasi_bulan_hari(13, 1)
    assert not J.validasi_bulan_hari(4, 31)


@pytest.mark.parametrize(
    ("tanggal", "dry_run", "paksa", "boleh", "perlu_paksa"),
    [
        (dt.date(2026, 6, 15), True, False, True, False),  # dry run: always allowed
        (dt.date(2026, 6, 15), False, False, False, True),  # "the year-end batch finalises in June"
        (dt.date(2026, 6, 15), False, True, True, True),  # forced (the service demands the reason)
        (dt.date(2026, 12, 1), False, False, True, False),  # inside the window
        (dt.date(2027, 1, 31), False, False, True, False),
        (dt.date(2027, 3, 1), False, False, True, False),  # after the close: the closing act, allowed
    ],
)
def test_batch_refuses_before_the_window_unless_forced_domain_annual_window(
    tanggal: dt.date, dry_run: bool, paksa: bool, boleh: bool, perlu_paksa: bool
) -> None:
    """domain.md "Annual window": the batch refuses to finalise before the window opens; an admin may
    force it only with a written reason, audited."""
    k = J.batch_boleh(jendela=J.jendela_tahunan(2026), tanggal=tanggal, dry_run=dry_run, paksa=paksa)
    assert (k.boleh, k.perlu_paksa) == (boleh, perlu_paksa)


# ---------------------------------------------------------------------------------------------- ratings


def _annual_and_q(org: Org) -> tuple[Evaluasi, Evaluasi]:
    make_skp(org.pegawai)
    ensure_all(org.instansi)
    q2 = periode(org.instansi, 2)
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(
            instansi=org.instansi, pegawai=org.pegawai, jenis="tahunan", tahun=TAHUN
        )
        q = Evaluasi._base_manager.get(instansi=org.instansi, pegawai=org.pegawai, periode=q2)
    return ev, q


BODY = {"rating_hasil_kerja": SE, "rating_perilaku_kerja": SE, "justifikasi": "Observasi langsung."}


@pytest.mark.django_db
def test_annual_rating_outside_the_window_is_409_naming_it_and_periodic_unaffected(
    org_a: Org, org_b: Org, outsider: Any, api: Any, time_machine: Any
) -> None:
    """domain.md "Annual window": annual ratings in March are refused; periodic ratings are not."""
    time_machine.move_to(at(2026, 3, 20))
    ev, _q = _annual_and_q(org_a)
    q1 = periode(org_a.instansi, 1)
    with scopes_disabled():
        q1_ev = Evaluasi._base_manager.get(instansi=org_a.instansi, pegawai=org_a.pegawai, periode=q1)
    ppk = api(org_a.atasan.user)
    r = ppk.patch(f"/api/v1/evaluasi/{ev.pk}/", BODY, format="json")
    assert r.status_code == 409, r.content
    assert "1 Desember 2026" in r.json()["detail"]
    assert "31 Januari 2027" in r.json()["detail"]
    assert r.json()["jendela"] == {"buka": "2026-12-01", "tutup": "2027-01-31"}
    # the periodic rating of Q1 on 20 March is fine
    assert ppk.patch(f"/api/v1/evaluasi/{q1_ev.pk}/", BODY, format="json").status_code == 200
    # other instansi and the outsider still get 404, not the window message
    for who in (org_b.admin, outsider):
        assert api(who.user).patch(f"/api/v1/evaluasi/{ev.pk}/", BODY, format="json").status_code == 404
    # last minute of 30 November (WIB): still closed; first minute of 1 December: open
    # (a new client after each jump: tokens expire over months)
    time_machine.move_to(at(2026, 11, 30, 23, 59))
    assert api(org_a.atasan.user).patch(f"/api/v1/evaluasi/{ev.pk}/", BODY, format="json").status_code == 409
    time_machine.move_to(at(2026, 12, 1, 0, 1))
    r = api(org_a.atasan.user).patch(f"/api/v1/evaluasi/{ev.pk}/", BODY, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["predikat"] == "baik"
    # 31 January 23:59 still open; 1 February closed ("sudah ditutup")
    time_machine.move_to(at(2027, 1, 31, 23, 59))
    body = {**BODY, "rating_hasil_kerja": DA, "rating_perilaku_kerja": DA}
    assert api(org_a.atasan.user).patch(f"/api/v1/evaluasi/{ev.pk}/", body, format="json").status_code == 200
    time_machine.move_to(at(2027, 2, 1, 0, 1))
    r = api(org_a.atasan.user).patch(f"/api/v1/evaluasi/{ev.pk}/", BODY, format="json")
    assert r.status_code == 409
    assert "sudah ditutup" in r.json()["detail"]
    with scopes_disabled():
        assert Evaluasi._base_manager.get(pk=ev.pk).predikat == "sangat_baik"


@pytest.mark.django_db
def test_configured_window_per_instansi_is_used_by_the_api(org_a: Org, api: Any, time_machine: Any) -> None:
    """domain.md "Annual window": configurable per instansi (PengaturanEvaluasi), the other keeps the default."""
    with scopes_disabled():
        PengaturanEvaluasi._base_manager.create(
            instansi=org_a.instansi, jendela_buka_bulan=11, jendela_buka_tanggal=15
        )
    time_machine.move_to(at(2026, 11, 20))
    ev, _q = _annual_and_q(org_a)
    assert api(org_a.atasan.user).patch(f"/api/v1/evaluasi/{ev.pk}/", BODY, format="json").status_code == 200


@pytest.mark.django_db
def test_annual_rating_page_shows_the_window_and_refuses_outside_it(org_a: Org, time_machine: Any) -> None:
    """The annual evaluation page shows the window dates; a POST outside it is a 409 with the message."""
    time_machine.move_to(at(2026, 10, 5))
    ev, _q = _annual_and_q(org_a)
    c = Client()
    c.force_login(org_a.atasan.user)
    html = c.get(f"/evaluasi/{ev.pk}/").content.decode()
    assert 'data-testid="jendela-tahunan"' in html
    assert "1 Desember 2026 sampai 31 Januari 2027" in html
    assert "Belum dibuka." in html
    assert 'data-testid="form-penilaian"' not in html  # no form that can only fail
    lst = c.get(f"/evaluasi/?tahun={TAHUN}&periode=tahunan").content.decode()  # the annual list too
    assert "1 Desember 2026 sampai 31 Januari 2027" in lst
    q_id = periode(org_a.instansi, 4).pk
    assert (
        'data-testid="jendela-tahunan"'
        not in c.get(f"/evaluasi/?tahun={TAHUN}&periode={q_id}").content.decode()
    )
    resp = c.post(f"/evaluasi/{ev.pk}/", {**BODY, "versi": ev.versi})
    assert resp.status_code == 409
    assert "belum dibuka" in resp.content.decode()
    time_machine.move_to(at(2026, 12, 7))
    c.force_login(org_a.atasan.user)  # the session of October has expired
    html = c.get(f"/evaluasi/{ev.pk}/").content.decode()
    assert "Sedang dibuka." in html
    assert 'data-testid="form-penilaian"' in html


# ---------------------------------------------------------------------------------------------- batch


def _post_batch(api: Any, org: Org, **body: Any) -> Any:
    return api(org.admin.user).post("/api/v1/tahunan/", {"tahun": TAHUN, **body}, format="json")


@pytest.mark.django_db
def test_batch_api_before_the_window_409_force_needs_reason_and_is_audited(
    org_a: Org, org_b: Org, api: Any, time_machine: Any
) -> None:
    """api-contract §3 POST tahunan/: before the window a real run → 409 unless "paksa": true + "alasan"
    (audited); paksa without alasan → 400; a dry run → 202 (domain.md "Annual window")."""
    time_machine.move_to(at(2026, 6, 15))
    r = _post_batch(api, org_a, dry_run=False)
    assert r.status_code == 409, r.content
    assert "1 Desember 2026" in r.json()["detail"]
    r = _post_batch(api, org_a, dry_run=False, paksa=True)
    assert r.status_code == 400
    assert "alasan" in r.json()["errors"]
    r = _post_batch(api, org_a, dry_run=False, paksa=True, alasan="   ")
    assert r.status_code == 400
    with scopes_disabled():
        assert not Job._base_manager.filter(instansi=org_a.instansi, jenis="evaluasi_tahunan").exists()
    assert _post_batch(api, org_a, dry_run=True).status_code == 202
    r = _post_batch(api, org_a, dry_run=False, paksa=True, alasan="Pegawai pensiun 30 Juni: SK BKN mendesak.")
    assert r.status_code == 202, r.content
    assert set(r.json()) == {"job"}
    with scopes_disabled():
        job = Job._base_manager.get(pk=r.json()["job"])
        assert job.params["paksa"] is True
        log = AuditLog.objects.get(instansi=org_a.instansi, action="evaluasi.tahunan_paksa")
        assert not AuditLog.objects.filter(instansi=org_b.instansi, action="evaluasi.tahunan_paksa").exists()
    assert log.actor_id == org_a.admin.user.pk
    assert log.after["alasan"] == "Pegawai pensiun 30 Juni: SK BKN mendesak."
    assert log.after["jendela_buka"] == "2026-12-01"
    # non-admins stay 404 (forcing gives no extra power)
    for who in (org_a.hr, org_a.atasan, org_a.pegawai):
        body = {"tahun": TAHUN, "paksa": True, "alasan": "x"}
        assert api(who.user).post("/api/v1/tahunan/", body, format="json").status_code == 404, who
    # inside the window and after the close: no force needed
    time_machine.move_to(at(2026, 12, 7))
    assert _post_batch(api, org_a, dry_run=False).status_code == 202  # _post_batch: a fresh client
    time_machine.move_to(at(2027, 3, 1))
    assert _post_batch(api, org_a, dry_run=False).status_code == 202


@pytest.mark.django_db
def test_batch_page_shows_the_window_and_asks_for_force_with_reason(org_a: Org, time_machine: Any) -> None:
    """The batch page shows the window; before it opens a real run is a form error, the force box appears,
    and a forced run with a reason starts the job (domain.md "Annual window")."""
    time_machine.move_to(at(2026, 6, 15))
    c = Client()
    c.force_login(org_a.admin.user)
    html = c.get("/evaluasi/tahunan/").content.decode()
    assert "1 Desember 2026 sampai 31 Januari 2027" in html
    assert 'data-testid="paksa-batch"' in html
    resp = c.post("/evaluasi/tahunan/", {"tahun": TAHUN})
    assert resp.status_code == 409
    assert "hanya dengan paksa dan alasan tertulis" in resp.content.decode()
    resp = c.post("/evaluasi/tahunan/", {"tahun": TAHUN, "paksa": "on", "alasan": ""})
    assert resp.status_code == 400
    assert 'data-testid="galat-alasan"' in resp.content.decode()
    resp = c.post("/evaluasi/tahunan/", {"tahun": TAHUN, "paksa": "on", "alasan": "Audit BPK."})
    assert resp.status_code == 302
    with scopes_disabled():
        assert AuditLog.objects.filter(instansi=org_a.instansi, action="evaluasi.tahunan_paksa").count() == 1
    time_machine.move_to(at(2026, 12, 7))
    c.force_login(org_a.admin.user)  # the session of June has expired
    html = c.get("/evaluasi/tahunan/").content.decode()
    assert "Sedang dibuka." in html
    assert 'data-testid="paksa-batch"' not in html


@pytest.mark.django_db
def test_admin_configures_the_window_on_the_batch_page_domain_annual_window_configurable(
    org_a: Org, org_b: Org, time_machine: Any
) -> None:
    """domain.md "Annual window": per instansi, configurable; invalid days are field errors; audited;
    only the admin of that instansi; the other instansi keeps the default."""
    time_machine.move_to(at(2026, 11, 20))
    c = Client()
    c.force_login(org_a.admin.user)
    html = c.get("/evaluasi/tahunan/").content.decode()
    assert 'data-testid="pengaturan-jendela"' in html
    body = {"aksi": "jendela", "buka_tanggal": 31, "buka_bulan": 4, "tutup_tanggal": 31, "tutup_bulan": 1}
    resp = c.post("/evaluasi/tahunan/", body)
    assert resp.status_code == 400
    assert 'data-testid="galat-buka_tanggal"' in resp.content.decode()
    resp = c.post("/evaluasi/tahunan/", {**body, "buka_tanggal": 15, "buka_bulan": 11})
    assert resp.status_code == 302
    html = c.get("/evaluasi/tahunan/").content.decode()
    assert "15 November 2026 sampai 31 Januari 2027" in html
    assert "Sedang dibuka." in html
    with scopes_disabled():
        log = AuditLog.objects.get(instansi=org_a.instansi, action="evaluasi.jendela_tahunan")
        assert not PengaturanEvaluasi._base_manager.filter(instansi=org_b.instansi).exists()
    assert log.before["jendela_buka_bulan"] == 12
    assert log.after["jendela_buka_bulan"] == 11
    hr = Client()
    hr.force_login(org_a.hr.user)
    assert hr.post("/evaluasi/tahunan/", {**body, "buka_tanggal": 1, "buka_bulan": 1}).status_code == 404
    b = Client()
    b.force_login(org_b.admin.user)
    assert "1 Desember 2026 sampai 31 Januari 2027" in b.get("/evaluasi/tahunan/").content.decode()
