"""Contract: POST /api/v1/umpan-balik/ (api-contract.md §3) — who may, validation, error shape, emails."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django_scopes import scope

from dialog import services
from dialog.models import Notifikasi, StatusEmail, UmpanBalik
from kinerja.models import AuditLog, Periode
from kinerja.services.delegasi import delegasi_create
from skp.models import Skp
from tests.conftest import Org
from tests.dialog.conftest import HARI_INI, make_skp, penugasan_diterima, periods, rhk_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/umpan-balik/"


def body(skp: Skp, periode: Periode, **kw: Any) -> dict[str, Any]:
    return {
        "skp": skp.pk,
        "rhk": None,
        "core_value": None,
        "periode": periode.pk,
        "isi": "Laporan rapi dan tepat waktu",
        **kw,
    }


def test_penilai_gives_feedback_201_contract_shape(
    org_a: Org, api: Any, skp_pegawai: Skp, tw: list[Periode]
) -> None:
    rhk = rhk_of(org_a, skp_pegawai)
    resp = api(org_a.atasan.user).post(URL, body(skp_pegawai, tw[1], rhk=rhk[0].pk), format="json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["skp"] == skp_pegawai.pk
    assert data["rhk"] == rhk[0].pk
    assert data["core_value"] is None
    assert data["periode"] == tw[1].pk
    assert data["isi"] == "Laporan rapi dan tepat waktu"
    assert data["peran_pemberi"] == "pejabat_penilai"
    assert data["pemberi"]["id"] == org_a.atasan.pk
    assert data["balasan"] == []
    with scope(instansi=org_a.instansi.pk):
        assert AuditLog.objects.filter(action="dialog.umpan_balik", object_id=str(data["id"])).exists()
        n = Notifikasi.objects.get(penerima=org_a.pegawai.user, jenis="umpan_balik")
        assert n.jenis == "umpan_balik"
        assert n.tautan.endswith(f"#ub-{data['id']}")


def test_core_value_feedback(org_a: Org, api: Any, skp_pegawai: Skp, tw: list[Periode]) -> None:
    resp = api(org_a.atasan.user).post(URL, body(skp_pegawai, tw[1], core_value="akuntabel"), format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["core_value"] == "akuntabel"


def test_peer_and_subordinate_may_give(org_a: Org, api: Any, skp_pegawai: Skp, tw: list[Periode]) -> None:
    resp = api(org_a.rekan.user).post(URL, body(skp_pegawai, tw[1]), format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["peran_pemberi"] == "rekan_kerja"
    # the pegawai gives upward feedback on their leader's SKP
    skp_atasan = make_skp(org_a, org_a.atasan)
    resp = api(org_a.pegawai.user).post(URL, body(skp_atasan, tw[1]), format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["peran_pemberi"] == "bawahan"


def test_delegated_penilai_may_give(org_a: Org, api: Any, skp_pegawai: Skp, tw: list[Periode]) -> None:
    with scope(instansi=org_a.instansi.pk):
        delegasi_create(
            actor=org_a.admin.user,
            instansi=org_a.instansi,
            pemberi=org_a.atasan,
            penerima=org_a.hr,
            jenis="plt",
            mulai=dt.date(2026, 5, 1),
            selesai=dt.date(2026, 6, 30),
        )
    resp = api(org_a.hr.user).post(URL, body(skp_pegawai, tw[1]), format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["peran_pemberi"] == "pejabat_penilai"


@pytest.mark.parametrize("who", ["pegawai", "kepala", "admin", "hr"])
def test_owner_and_others_get_404(
    org_a: Org, api: Any, skp_pegawai: Skp, tw: list[Periode], who: str
) -> None:
    """The owner may not give themself feedback; the leader's leader, admins and HR are not givers."""
    resp = api(getattr(org_a, who).user).post(URL, body(skp_pegawai, tw[1]), format="json")
    assert resp.status_code == 404
    assert resp.json()["detail"]
    with scope(instansi=org_a.instansi.pk):
        assert not UmpanBalik.objects.exists()


def test_outsider_and_missing_skp_404(
    org_a: Org, outsider: Any, api: Any, skp_pegawai: Skp, tw: list[Periode]
) -> None:
    assert api(outsider.user).post(URL, body(skp_pegawai, tw[1]), format="json").status_code == 404
    assert (
        api(org_a.atasan.user)
        .post(URL, {**body(skp_pegawai, tw[1]), "skp": 999999}, format="json")
        .status_code
        == 404
    )
    assert api(None).post(URL, body(skp_pegawai, tw[1]), format="json").status_code in (401, 403)


def test_assigning_official_with_permission_for_the_duration(
    org_a: Org, api: Any, skp_pegawai: Skp, tw: list[Periode], pejabat_lain: Any
) -> None:
    c = api(pejabat_lain.user)
    # before any assignment: not a giver
    assert c.post(URL, body(skp_pegawai, tw[1]), format="json").status_code == 404
    p = penugasan_diterima(
        org_a, pejabat_lain, org_a.pegawai, mulai=dt.date(2026, 5, 1), selesai=dt.date(2026, 6, 30)
    )
    assert p.izin_aktif
    resp = c.post(URL, body(skp_pegawai, tw[1], rhk=p.rhk_id), format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["peran_pemberi"] == "pimpinan_pemberi_penugasan"
    # only on the assignment's own result
    other = next(r for r in rhk_of(org_a, skp_pegawai) if r.pk != p.rhk_id)
    resp = c.post(URL, body(skp_pegawai, tw[1], rhk=other.pk), format="json")
    assert resp.status_code == 400
    assert "rhk" in resp.json()["errors"]
    # after the assignment ends the beat task revokes the permission: 404 again
    with (
        time_machine.travel(dt.datetime(2026, 7, 2, 9, 0, tzinfo=HARI_INI.tzinfo)),
        scope(instansi=org_a.instansi.pk),
    ):
        assert services.penugasan_izin_sync(instansi=org_a.instansi) == (0, 1)
        assert services.penugasan_izin_sync(instansi=org_a.instansi) == (0, 0)  # idempotent
    assert c.post(URL, body(skp_pegawai, tw[2], rhk=p.rhk_id), format="json").status_code == 404


def test_validation_400_error_shape(
    org_a: Org, org_b: Org, api: Any, skp_pegawai: Skp, tw: list[Periode]
) -> None:
    c = api(org_a.atasan.user)
    skp_rekan = make_skp(org_a, org_a.rekan)
    other_rhk = rhk_of(org_a, skp_rekan)[0]
    periode_b = periods(org_b)[1]
    periode_2027 = periods(org_a, 2027)[0]
    cases = [
        ({"rhk": other_rhk.pk}, "rhk"),
        ({"rhk": 999999}, "rhk"),
        ({"core_value": "jujur"}, "core_value"),
        ({"periode": periode_b.pk}, "periode"),
        ({"periode": periode_2027.pk}, "periode"),
        ({"isi": "   "}, "isi"),
        ({"rhk": rhk_of(org_a, skp_pegawai)[0].pk, "core_value": "loyal"}, "core_value"),
    ]
    for change, field in cases:
        resp = c.post(URL, {**body(skp_pegawai, tw[1]), **change}, format="json")
        assert resp.status_code == 400, (change, resp.content)
        data = resp.json()
        assert set(data) == {"detail", "errors"}
        assert field in data["errors"], (change, data)
        assert all(isinstance(m, str) for m in data["errors"][field])
    resp = c.post(URL, {"skp": "x", "periode": tw[1].pk, "isi": "a"}, format="json")
    assert resp.status_code == 400
    assert "skp" in resp.json()["errors"]
    with scope(instansi=org_a.instansi.pk):
        assert not UmpanBalik.objects.exists()


def test_email_is_sent_only_after_commit(
    org_a: Org,
    api: Any,
    skp_pegawai: Skp,
    tw: list[Periode],
    celery_eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mail.outbox.clear()
    org_a.pegawai.user.email = "pegawai@contoh.go.id"
    org_a.pegawai.user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resp = api(org_a.atasan.user).post(URL, body(skp_pegawai, tw[1]), format="json")
        assert resp.status_code == 201
        assert mail.outbox == []  # still inside the transaction: nothing sent
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == ["pegawai@contoh.go.id"]
    assert org_a.atasan.nama in msg.subject
    assert "Laporan rapi dan tepat waktu" in msg.body
    with scope(instansi=org_a.instansi.pk):
        n = Notifikasi.objects.get(penerima=org_a.pegawai.user, jenis="umpan_balik")
        assert n.email_status == StatusEmail.TERKIRIM
        # running the task again sends nothing more (idempotent)
        assert services.notifikasi_email_send(instansi=org_a.instansi, notifikasi_ids=[n.pk]) == 0
    assert len(mail.outbox) == 1


def test_rollback_sends_nothing(
    org_a: Org,
    skp_pegawai: Skp,
    tw: list[Periode],
    celery_eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.db import transaction

    mail.outbox.clear()
    org_a.pegawai.user.email = "pegawai@contoh.go.id"
    org_a.pegawai.user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks, scope(instansi=org_a.instansi.pk):
        try:
            with transaction.atomic():
                services.umpan_balik_give(
                    actor=org_a.atasan.user, skp=skp_pegawai, periode_id=tw[1].pk, isi="x"
                )
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []


def test_thread_reply_read_state_and_request(
    org_a: Org, api: Any, skp_pegawai: Skp, tw: list[Periode]
) -> None:
    pegawai, atasan, rekan = api(org_a.pegawai.user), api(org_a.atasan.user), api(org_a.rekan.user)
    # the pegawai asks the leader for feedback
    resp = pegawai.post(
        "/api/v1/permintaan-umpan-balik/",
        {"skp": skp_pegawai.pk, "diminta": org_a.atasan.pk, "periode": tw[1].pk, "pesan": "Mohon masukan"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    req_id = resp.json()["id"]
    # someone unrelated cannot be asked
    resp = pegawai.post(
        "/api/v1/permintaan-umpan-balik/",
        {"skp": skp_pegawai.pk, "diminta": org_a.admin.pk, "periode": tw[1].pk},
        format="json",
    )
    assert resp.status_code == 400
    assert "diminta" in resp.json()["errors"]
    # the leader answers it
    ub = atasan.post(URL, body(skp_pegawai, tw[1], permintaan=req_id), format="json").json()
    assert ub["permintaan"] == req_id
    listed = pegawai.get(URL).json()["results"]
    assert [(x["id"], x["sudah_dibaca"]) for x in listed] == [(ub["id"], False)]
    # reply
    resp = pegawai.post(f"{URL}{ub['id']}/balasan/", {"isi": "Terima kasih, Pak"}, format="json")
    assert resp.status_code == 201
    assert [b["isi"] for b in resp.json()["balasan"]] == ["Terima kasih, Pak"]
    # the leader now has something unread; marks it read
    assert atasan.get(f"{URL}?arah=diberikan").json()["results"][0]["sudah_dibaca"] is False
    assert atasan.post(f"{URL}{ub['id']}/dibaca/").status_code == 204
    assert atasan.get(f"{URL}?arah=diberikan").json()["results"][0]["sudah_dibaca"] is True
    # a peer cannot read or reply to the leader's thread
    assert rekan.get(f"{URL}{ub['id']}/").status_code == 404
    assert rekan.post(f"{URL}{ub['id']}/balasan/", {"isi": "x"}, format="json").status_code == 404
    with scope(instansi=org_a.instansi.pk):
        from dialog.models import PermintaanUmpanBalik

        assert PermintaanUmpanBalik.objects.get(pk=req_id).status == "dijawab"


def test_feedback_list_query_count_constant(
    org_a: Org, api: Any, skp_pegawai: Skp, tw: list[Periode], django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = api(org_a.pegawai.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            resp = c.get(f"{URL}?limit=500")
            assert resp.status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        ub = services_give(org_a, org_a.atasan if i % 2 else org_a.rekan, skp_pegawai, tw[1], f"UB {i}")
        with scope(instansi=org_a.instansi.pk):
            services.umpan_balik_reply(actor=org_a.pegawai.user, umpan_balik=ub, isi="ok")
    small = count()
    bulk_feedback(org_a, skp_pegawai, tw[1], 297)
    assert c.get(f"{URL}?limit=500").json()["count"] == 300
    assert count() == small


def services_give(org: Org, giver: Any, skp: Skp, periode: Periode, isi: str) -> UmpanBalik:
    with scope(instansi=org.instansi.pk):
        return services.umpan_balik_give(actor=giver.user, skp=skp, periode_id=periode.pk, isi=isi)


def bulk_feedback(org: Org, skp: Skp, periode: Periode, n: int) -> None:
    """Volume for query-count tests (set-up only; the first rows went through the service)."""
    from dialog.models import BalasanUmpanBalik

    with scope(instansi=org.instansi.pk):
        rows = UmpanBalik.objects.bulk_create(
            [
                UmpanBalik(
                    instansi=org.instansi,
                    skp=skp,
                    penerima=org.pegawai,
                    pemberi=org.rekan,
                    peran_pemberi="rekan_kerja",
                    periode=periode,
                    isi=f"Masukan {i}",
                )
                for i in range(n)
            ]
        )
        BalasanUmpanBalik.objects.bulk_create(
            [
                BalasanUmpanBalik(instansi=org.instansi, umpan_balik=r, penulis=org.pegawai, isi="ok")
                for r in rows
            ]
        )
