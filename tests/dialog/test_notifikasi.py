"""Notifications: in-app list and unread count, immediate email after commit or a daily digest (once per
user per day), reminders before a period ends (once per person per period), SKP status hook."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django_scopes import scope

from dialog import services
from dialog.models import DigestHarian, Notifikasi, StatusEmail
from kinerja.models import Periode
from skp.models import Skp
from tests.conftest import Org
from tests.dialog.conftest import HARI_INI, indikator_of, make_skp

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def with_email(p: Any, email: str) -> None:
    p.user.email = email
    p.user.save(update_fields=["email"])


def give(org: Org, giver: Any, skp: Skp, periode: Periode, isi: str = "x") -> Any:
    with scope(instansi=org.instansi.pk):
        return services.umpan_balik_give(actor=giver.user, skp=skp, periode_id=periode.pk, isi=isi)


def test_list_unread_count_open_marks_read(org_a: Org, skp_pegawai: Skp, tw: list[Periode]) -> None:
    ub = give(org_a, org_a.atasan, skp_pegawai, tw[1], "Bagus")
    c = client_for(org_a.pegawai.user)
    assert 'data-testid="notifikasi-jumlah">1' in c.get("/dialog/notifikasi/jumlah/").content.decode()
    html = c.get("/dialog/notifikasi/").content.decode()
    assert f"Umpan balik baru dari {org_a.atasan.nama}" in html
    with scope(instansi=org_a.instansi.pk):
        n = Notifikasi.objects.get(penerima=org_a.pegawai.user)
    resp = c.post(f"/dialog/notifikasi/{n.pk}/buka/")
    assert resp.status_code == 302
    assert resp["Location"].endswith(f"/dialog/skp/{skp_pegawai.pk}/umpan-balik/#ub-{ub.pk}")
    assert "notifikasi-jumlah" not in c.get("/dialog/notifikasi/jumlah/").content.decode()
    # someone else's notification: 404
    assert client_for(org_a.rekan.user).post(f"/dialog/notifikasi/{n.pk}/buka/").status_code == 404
    # api list carries the unread count
    give(org_a, org_a.rekan, skp_pegawai, tw[1], "Satu lagi")
    from rest_framework.test import APIClient

    from tests.conftest import token_for

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(org_a.pegawai.user)}")
    data = api.get("/api/v1/notifikasi/").json()
    assert data["count"] == 2
    assert data["belum_dibaca"] == 1


def test_reply_emails_other_participant_after_commit(
    org_a: Org,
    skp_pegawai: Skp,
    tw: list[Periode],
    celery_eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with_email(org_a.atasan, "atasan@contoh.go.id")
    ub = give(org_a, org_a.atasan, skp_pegawai, tw[1])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_for(org_a.pegawai.user).post(
            f"/dialog/umpan-balik/{ub.pk}/balas/", {"isi": "Siap, Pak"}
        )
        assert resp.status_code == 302
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [["atasan@contoh.go.id"]]
    assert "Siap, Pak" in mail.outbox[0].body


def test_daily_digest_once_per_user_per_day(
    org_a: Org,
    skp_pegawai: Skp,
    tw: list[Periode],
    celery_eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with_email(org_a.pegawai, "pegawai@contoh.go.id")
    with scope(instansi=org_a.instansi.pk):
        services.preferensi_set(actor=org_a.pegawai.user, instansi=org_a.instansi, mode_email="harian")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for i in range(3):
            give(org_a, org_a.atasan if i % 2 else org_a.rekan, skp_pegawai, tw[1], f"masukan {i}")
    assert callbacks == []
    assert mail.outbox == []
    from dialog.tasks import digest_harian_task

    assert digest_harian_task(org_a.instansi.pk) == 1
    assert digest_harian_task(org_a.instansi.pk) == 0  # idempotent
    assert len(mail.outbox) == 1
    assert "3 pemberitahuan" in mail.outbox[0].subject
    assert mail.outbox[0].body.count("Umpan balik baru dari") == 3
    with scope(instansi=org_a.instansi.pk):
        assert DigestHarian.objects.get().jumlah == 3
        assert set(Notifikasi.objects.values_list("email_status", flat=True)) == {StatusEmail.TERKIRIM}
    # a notification later the same day waits for tomorrow's digest
    give(org_a, org_a.rekan, skp_pegawai, tw[1], "sore")
    assert digest_harian_task(org_a.instansi.pk) == 0
    with time_machine.travel(HARI_INI + dt.timedelta(days=1)):
        assert digest_harian_task(org_a.instansi.pk) == 1
    assert len(mail.outbox) == 2


def test_preference_off_means_in_app_only(
    org_a: Org,
    skp_pegawai: Skp,
    tw: list[Periode],
    celery_eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with_email(org_a.pegawai, "pegawai@contoh.go.id")
    resp = client_for(org_a.pegawai.user).post("/dialog/notifikasi/preferensi/", {"mode_email": "mati"})
    assert resp.status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        give(org_a, org_a.atasan, skp_pegawai, tw[1])
    assert mail.outbox == []
    with scope(instansi=org_a.instansi.pk):
        assert Notifikasi.objects.get(penerima=org_a.pegawai.user).email_status == StatusEmail.TIDAK_PERLU


def test_reminders_before_period_end_once(org_a: Org, skp_pegawai: Skp, tw: list[Periode]) -> None:
    rekan_skp = make_skp(org_a, org_a.rekan)
    ind = indikator_of(org_a, skp_pegawai)
    # the pegawai fills all indicators of Q2; the peer nothing; the leader gives feedback to the peer only
    with scope(instansi=org_a.instansi.pk):
        for i in ind:
            services.realisasi_save(
                actor=org_a.pegawai.user,
                skp=skp_pegawai,
                indikator_id=i.pk,
                periode_id=tw[1].pk,
                realisasi="ok",
            )
    give(org_a, org_a.atasan, rekan_skp, tw[1])
    # 15 May: Q2 ends 30 June, too far: nothing
    with scope(instansi=org_a.instansi.pk):
        assert services.pengingat_periode(instansi=org_a.instansi) == 0
    with time_machine.travel(dt.datetime(2026, 6, 25, 7, 0, tzinfo=HARI_INI.tzinfo)):
        from dialog.tasks import pengingat_periode_task

        assert pengingat_periode_task(org_a.instansi.pk) == 2
        assert pengingat_periode_task(org_a.instansi.pk) == 0  # idempotent
    with scope(instansi=org_a.instansi.pk):
        rows = {(n.penerima_id, n.jenis) for n in Notifikasi.objects.filter(jenis__startswith="pengingat")}
        assert rows == {
            (org_a.rekan.user_id, "pengingat_realisasi"),
            (org_a.atasan.user_id, "pengingat_umpan_balik"),
        }
        leader = Notifikasi.objects.get(jenis="pengingat_umpan_balik")
        assert org_a.pegawai.nama in leader.pesan
        assert org_a.rekan.nama not in leader.pesan


def test_skp_status_hook_notifies(org_a: Org, tw: list[Periode]) -> None:
    skp = make_skp(org_a, org_a.pegawai, approve=False)
    with scope(instansi=org_a.instansi.pk):
        services.skp_status_notify(skp=skp, ke="diajukan", actor=org_a.pegawai.user)
        services.skp_status_notify(
            skp=skp, ke="dikembalikan", actor=org_a.atasan.user, catatan="Target terlalu rendah"
        )
        services.skp_status_notify(skp=skp, ke="disetujui", actor=org_a.atasan.user)
        got = list(Notifikasi.objects.order_by("id").values_list("penerima_id", "jenis"))
    assert got == [
        (org_a.atasan.user_id, "skp_diajukan"),
        (org_a.pegawai.user_id, "skp_dikembalikan"),
        (org_a.pegawai.user_id, "skp_disetujui"),
    ]


def test_skp_workflow_notifies_through_the_registered_listener(org_a: Org, tw: list[Periode]) -> None:
    # when an SKP goes through submit and approval in skp.services (no direct dialog call)
    skp = make_skp(org_a, org_a.pegawai)
    # then dialog's listener, registered at start-up, wrote both notifications
    with scope(instansi=org_a.instansi.pk):
        rows = set(
            Notifikasi.objects.filter(tautan__endswith=f"/skp/{skp.pk}/").values_list("penerima_id", "jenis")
        )
    assert (org_a.atasan.user_id, "skp_diajukan") in rows
    assert (org_a.pegawai.user_id, "skp_disetujui") in rows


def test_bulk_notification_is_set_based_and_idempotent(
    org_a: Org, django_assert_max_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with_email(org_a.pegawai, "pegawai@contoh.go.id")
    users = [p.user_id for p in (org_a.pegawai, org_a.rekan, org_a.atasan, org_a.kepala)]
    with scope(instansi=org_a.instansi.pk):
        services.preferensi_set(actor=org_a.rekan.user, instansi=org_a.instansi, mode_email="mati")
        # savepoint, one INSERT ... SELECT ... RETURNING, the unsent e-mails, release
        with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(4):
            n = services.notifikasi_create_bulk(
                instansi=org_a.instansi, penerima_ids=users, jenis="evaluasi_final",
                judul="Evaluasi tahunan 2026 final", kunci="evaluasi-tahunan-final-2026",
            )  # fmt: skip
        assert n == 4
        # one e-mail task, only for the one user who has an address and wants immediate mail
        assert len(callbacks) == 1
        rows = dict(
            Notifikasi.objects.filter(jenis="evaluasi_final").values_list("penerima_id", "email_status")
        )
        assert rows[org_a.pegawai.user_id] == StatusEmail.SEGERA
        assert rows[org_a.rekan.user_id] == StatusEmail.TIDAK_PERLU
        # running the batch hook again writes nothing more
        again = services.notifikasi_create_bulk(
            instansi=org_a.instansi, penerima_ids=users, jenis="evaluasi_final",
            judul="Evaluasi tahunan 2026 final", kunci="evaluasi-tahunan-final-2026",
        )  # fmt: skip
        assert again == 0
        assert Notifikasi.objects.filter(jenis="evaluasi_final").count() == 4
