"""Log harian through the API (contract §7) and its services: two instansi and an outsider, 404 across
instansi, the 400 cases, bulk verification (a foreign id → 404 and nothing changes), the recap, the
reminder task, query counts. Time is frozen on Friday 15 May 2026 (tests/dialog/conftest.py)."""

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope
from PIL import Image

from dialog.models import LogHarian, Notifikasi, PengaturanLogHarian, StatusLog
from skp.models import Skp
from tests.conftest import Org
from tests.dialog.conftest import make_skp, periods, rhk_of

URL = "/api/v1/log-harian/"


def body(rhk_id: int, **kw: Any) -> dict[str, Any]:
    return {
        "tanggal": "2026-05-14",
        "rhk": rhk_id,
        "rencana_aksi": None,
        "uraian": "Memverifikasi berkas usulan kenaikan pangkat",
        "durasi_menit": 120,
        "tautan": None,
        **kw,
    }


@pytest.fixture
def skp_pegawai(org_a: Org, tw: Any) -> Skp:
    return make_skp(org_a, org_a.pegawai)


@pytest.fixture
def rhk(org_a: Org, skp_pegawai: Skp) -> int:
    return rhk_of(org_a, skp_pegawai)[0].pk


@pytest.fixture
def rekan_rhk(org_a: Org, tw: Any) -> int:
    return rhk_of(org_a, make_skp(org_a, org_a.rekan))[0].pk


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    return buf.getvalue()


def test_create_201_menunggu(api: Any, org_a: Org, rhk: int) -> None:
    r = api(org_a.pegawai.user).post(URL, body(rhk), format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["status"] == "menunggu"
    assert data["durasi_menit"] == 120
    assert data["rhk"] == rhk
    assert data["tanggal"] == "2026-05-14"
    with scope(instansi=org_a.instansi.pk):
        assert LogHarian.objects.get(pk=data["id"]).pegawai_id == org_a.pegawai.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tanggal": "2026-05-16"}, "tanggal"),  # tomorrow
        ({"tanggal": "2025-12-31"}, "tanggal"),  # before the SKP period
        ({"tanggal": "2026-04-20"}, "tanggal"),  # April closed on 5 May
        ({"durasi_menit": 0}, "durasi_menit"),
        ({"durasi_menit": 1441}, "durasi_menit"),
        ({"uraian": "   "}, "uraian"),
        ({"tautan": "javascript:alert(1)"}, "tautan"),
        ({"rhk": 999999999}, "rhk"),
    ],
)
def test_create_400_cases(api: Any, org_a: Org, rhk: int, change: dict[str, Any], field: str) -> None:
    r = api(org_a.pegawai.user).post(URL, body(rhk, **change), format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["errors"], r.json()
    with scope(instansi=org_a.instansi.pk):
        assert not LogHarian.objects.exists()


def test_someone_elses_rhk_is_400(api: Any, org_a: Org, rhk: int, rekan_rhk: int) -> None:
    r = api(org_a.pegawai.user).post(URL, body(rekan_rhk), format="json")
    assert r.status_code == 400
    assert "rhk" in r.json()["errors"]


def test_other_instansi_rhk_is_400_not_a_leak(api: Any, org_a: Org, org_b: Org, rhk: int) -> None:
    periods(org_b)
    rhk_b = rhk_of(org_b, make_skp(org_b, org_b.pegawai))[0].pk
    r = api(org_a.pegawai.user).post(URL, body(rhk_b), format="json")
    assert r.status_code == 400
    assert "rhk" in r.json()["errors"]


def test_day_cap_1440_over_several_entries(api: Any, org_a: Org, rhk: int) -> None:
    c = api(org_a.pegawai.user)
    assert c.post(URL, body(rhk, durasi_menit=1000), format="json").status_code == 201
    assert c.post(URL, body(rhk, durasi_menit=440), format="json").status_code == 201
    r = c.post(URL, body(rhk, durasi_menit=1), format="json")
    assert r.status_code == 400
    assert "durasi_menit" in r.json()["errors"]
    # another day is free
    assert c.post(URL, body(rhk, tanggal="2026-05-13", durasi_menit=1), format="json").status_code == 201


def test_rencana_aksi_must_belong_to_the_rhk(api: Any, org_a: Org, skp_pegawai: Skp, tw: Any) -> None:
    from dialog import services

    r1, r2 = rhk_of(org_a, skp_pegawai)[:2]
    with scope(instansi=org_a.instansi.pk):
        ra = services.rencana_aksi_add(
            actor=org_a.pegawai.user, skp=skp_pegawai, rhk_id=r1.pk, periode_id=tw[1].pk, uraian="Langkah 1"
        )
    c = api(org_a.pegawai.user)
    assert c.post(URL, body(r2.pk, rencana_aksi=ra.pk), format="json").status_code == 400
    r = c.post(URL, body(r1.pk, rencana_aksi=ra.pk), format="json")
    assert r.status_code == 201
    assert r.json()["rencana_aksi"] == ra.pk


def test_evidence_file_checked_by_content(api: Any, org_a: Org, rhk: int) -> None:
    c = api(org_a.pegawai.user)
    fake = SimpleUploadedFile("bukti.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = c.post(URL, {**body(rhk), "rencana_aksi": "", "tautan": "", "berkas": fake}, format="multipart")
    assert r.status_code == 400
    assert "berkas" in r.json()["errors"]
    good = SimpleUploadedFile("foto.pdf", png_bytes(), content_type="application/pdf")
    r = c.post(URL, {**body(rhk), "rencana_aksi": "", "tautan": "", "berkas": good}, format="multipart")
    assert r.status_code == 201, r.json()
    assert r.json()["berkas"]["tipe"] == "image/png"
    assert r.json()["berkas"]["nama"] == "foto.png"


def test_log_switched_off_is_409(api: Any, org_a: Org, rhk: int) -> None:
    with scope(instansi=org_a.instansi.pk):
        PengaturanLogHarian.objects.create(instansi=org_a.instansi, aktif=False)
    assert api(org_a.pegawai.user).post(URL, body(rhk), format="json").status_code == 409


def _logs(api: Any, org: Org, rhk: int, n: int = 3) -> list[int]:
    c = api(org.pegawai.user)
    return [
        c.post(URL, body(rhk, tanggal=f"2026-05-{11 + i:02d}", durasi_menit=60 + i), format="json").json()[
            "id"
        ]
        for i in range(n)
    ]


def test_list_own_and_leader_and_isolation(api: Any, org_a: Org, org_b: Org, outsider: Any, rhk: int) -> None:
    ids = _logs(api, org_a, rhk)
    own = api(org_a.pegawai.user).get(URL).json()
    assert [x["id"] for x in own["results"]] == sorted(ids, reverse=True)
    # the leader sees them (all their pegawai, or filtered)
    lead = api(org_a.atasan.user).get(
        URL, {"pegawai": org_a.pegawai.pk, "dari": "2026-05-12", "sampai": "2026-05-13"}
    )
    assert lead.status_code == 200
    assert {x["id"] for x in lead.json()["results"]} == set(ids[1:3])
    assert {x["id"] for x in api(org_a.atasan.user).get(URL).json()["results"]} == set(ids)
    # a peer: 404 for the pegawai filter, nothing in their own list
    assert api(org_a.rekan.user).get(URL, {"pegawai": org_a.pegawai.pk}).status_code == 404
    assert api(org_a.rekan.user).get(URL).json()["results"] == []
    # another instansi (admin there): 404, never data
    assert api(outsider.user).get(URL, {"pegawai": org_a.pegawai.pk}).status_code == 404
    assert api(outsider.user).get(URL).json()["results"] == []
    assert api(outsider.user).get(f"{URL}{ids[0]}/").status_code == 404
    assert api(outsider.user).patch(f"{URL}{ids[0]}/", {"durasi_menit": 5}, format="json").status_code == 404
    assert api(outsider.user).delete(f"{URL}{ids[0]}/").status_code == 404
    r = api(outsider.user).get(f"{URL}rekap/", {"pegawai": org_a.pegawai.pk, "tahun": 2026, "bulan": 5})
    assert r.status_code == 404


def test_list_query_count_does_not_grow(
    api: Any, org_a: Org, rhk: int, django_assert_max_num_queries: Any
) -> None:
    _logs(api, org_a, rhk, n=5)
    c = api(org_a.atasan.user)
    with django_assert_max_num_queries(12):
        r = c.get(URL)
    assert len(r.json()["results"]) == 5


def test_patch_delete_only_own_and_not_accepted(api: Any, org_a: Org, rhk: int) -> None:
    a, b, _c = _logs(api, org_a, rhk)
    own = api(org_a.pegawai.user)
    assert api(org_a.rekan.user).patch(f"{URL}{a}/", {"durasi_menit": 5}, format="json").status_code == 404
    assert api(org_a.atasan.user).delete(f"{URL}{a}/").status_code == 404
    r = own.patch(f"{URL}{a}/", {"durasi_menit": 90}, format="json")
    assert r.status_code == 200
    assert r.json()["durasi_menit"] == 90
    assert api(org_a.atasan.user).post(
        f"{URL}verifikasi/", {"ids": [a], "status": "diterima"}, format="json"
    ).json() == {"diubah": 1}
    assert own.patch(f"{URL}{a}/", {"durasi_menit": 30}, format="json").status_code == 409
    assert own.delete(f"{URL}{a}/").status_code == 409
    assert own.delete(f"{URL}{b}/").status_code == 204
    with scope(instansi=org_a.instansi.pk):
        assert not LogHarian.objects.filter(pk=b).exists()


def test_rejected_entry_is_corrected_and_resubmitted(api: Any, org_a: Org, rhk: int) -> None:
    a, _b, _c = _logs(api, org_a, rhk)
    lead = api(org_a.atasan.user)
    r = lead.post(
        f"{URL}verifikasi/",
        {"ids": [a], "status": "ditolak", "catatan": "Sebutkan nomor berkas."},
        format="json",
    )
    assert r.json() == {"diubah": 1}
    with scope(instansi=org_a.instansi.pk):
        log = LogHarian.objects.get(pk=a)
        assert (log.status, log.catatan_verifikasi, log.verified_by_id) == (
            "ditolak",
            "Sebutkan nomor berkas.",
            org_a.atasan.user.pk,
        )
        assert (
            Notifikasi.objects.filter(penerima=org_a.pegawai.user, jenis="log_harian_diverifikasi").count()
            == 1
        )
    r = api(org_a.pegawai.user).patch(
        f"{URL}{a}/", {"uraian": "Memverifikasi berkas no. 12-19"}, format="json"
    )
    assert r.status_code == 200
    assert r.json()["status"] == "menunggu"


def test_verify_bulk_and_foreign_id_changes_nothing(
    api: Any, org_a: Org, org_b: Org, rhk: int, rekan_rhk: int
) -> None:
    ids = _logs(api, org_a, rhk)
    periods(org_b)
    rhk_b = rhk_of(org_b, make_skp(org_b, org_b.pegawai))[0].pk
    foreign = api(org_b.pegawai.user).post(URL, body(rhk_b), format="json").json()["id"]
    lead = api(org_a.atasan.user)
    url = f"{URL}verifikasi/"
    # an id of another instansi → 404, nothing changes
    assert lead.post(url, {"ids": [*ids, foreign], "status": "diterima"}, format="json").status_code == 404
    # an id that does not exist → 404
    assert lead.post(url, {"ids": [*ids, 999999999], "status": "diterima"}, format="json").status_code == 404
    # an id of someone the leader does not appraise (the leader's own entry) → 404
    with scope(instansi=org_a.instansi.pk):
        assert set(LogHarian.objects.values_list("status", flat=True)) == {"menunggu"}
    # the peer (no subordinates) → 404
    assert (
        api(org_a.rekan.user).post(url, {"ids": ids, "status": "diterima"}, format="json").status_code == 404
    )
    # reject without a note → 400
    r = lead.post(url, {"ids": ids, "status": "ditolak", "catatan": ""}, format="json")
    assert r.status_code == 400
    assert "catatan" in r.json()["errors"]
    assert lead.post(url, {"ids": ids, "status": "batal"}, format="json").status_code == 400
    r = lead.post(url, {"ids": ids, "status": "diterima", "catatan": "Baik"}, format="json")
    assert r.status_code == 200
    assert r.json() == {"diubah": 3}
    assert lead.post(url, {"ids": ids, "status": "diterima", "catatan": "Baik"}, format="json").json() == {
        "diubah": 0
    }
    with scope(instansi=org_a.instansi.pk):
        assert set(LogHarian.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"diterima"}
    with scope(instansi=org_b.instansi.pk):
        assert LogHarian.objects.get(pk=foreign).status == "menunggu"


def test_verify_query_count(api: Any, org_a: Org, rhk: int, django_assert_max_num_queries: Any) -> None:
    ids = _logs(api, org_a, rhk, n=5)
    lead = api(org_a.atasan.user)
    with django_assert_max_num_queries(20):
        r = lead.post(f"{URL}verifikasi/", {"ids": ids, "status": "ditolak", "catatan": "x"}, format="json")
    assert r.json() == {"diubah": 5}


def test_recap_per_rhk_and_status(api: Any, org_a: Org, skp_pegawai: Skp) -> None:
    r1, r2 = (x.pk for x in rhk_of(org_a, skp_pegawai)[:2])
    own = api(org_a.pegawai.user)
    a = own.post(URL, body(r1, durasi_menit=60), format="json").json()["id"]
    own.post(URL, body(r1, durasi_menit=30, tanggal="2026-05-13"), format="json")
    b = own.post(URL, body(r2, durasi_menit=45), format="json").json()["id"]
    own.post(URL, body(r2, durasi_menit=15, tanggal="2026-05-01"), format="json")
    api(org_a.atasan.user).post(f"{URL}verifikasi/", {"ids": [a], "status": "diterima"}, format="json")
    api(org_a.atasan.user).post(
        f"{URL}verifikasi/", {"ids": [b], "status": "ditolak", "catatan": "x"}, format="json"
    )
    r = api(org_a.atasan.user).get(f"{URL}rekap/", {"pegawai": org_a.pegawai.pk, "tahun": 2026, "bulan": 5})
    assert r.status_code == 200
    d = r.json()
    assert (d["menit"], d["jumlah"]) == (150, 4)
    assert d["per_status"] == {
        "menunggu": {"menit": 45, "jumlah": 2},
        "diterima": {"menit": 60, "jumlah": 1},
        "ditolak": {"menit": 45, "jumlah": 1},
    }
    per = {x["rhk"]: x for x in d["rhk"]}
    assert (per[r1]["menit"], per[r1]["jumlah"]) == (90, 2)
    assert per[r1]["per_status"]["diterima"] == {"menit": 60, "jumlah": 1}
    assert per[r2]["per_status"]["ditolak"] == {"menit": 45, "jumlah": 1}
    # another month is empty; the caller's own recap by default
    assert api(org_a.pegawai.user).get(f"{URL}rekap/", {"tahun": 2026, "bulan": 4}).json()["jumlah"] == 0
    assert api(org_a.pegawai.user).get(f"{URL}rekap/").json()["menit"] == 150
    # admin and HR may read it; a peer may not
    assert api(org_a.hr.user).get(f"{URL}rekap/", {"pegawai": org_a.pegawai.pk}).status_code == 200
    assert api(org_a.rekan.user).get(f"{URL}rekap/", {"pegawai": org_a.pegawai.pk}).status_code == 404


def test_reminder_task_set_based_and_idempotent(
    org_a: Org, skp_pegawai: Skp, rekan_rhk: int, api: Any
) -> None:
    from dialog.tasks import log_harian_pengingat_task

    # the rekan logged on Thursday; the pegawai logged nothing
    api(org_a.rekan.user).post(URL, body(rekan_rhk), format="json")
    assert log_harian_pengingat_task(org_a.instansi.pk) == 0  # off by default
    with scope(instansi=org_a.instansi.pk):
        PengaturanLogHarian.objects.create(
            instansi=org_a.instansi, pengingat_aktif=True, pengingat_hari_kerja=3
        )
    assert log_harian_pengingat_task(org_a.instansi.pk) == 1
    assert log_harian_pengingat_task(org_a.instansi.pk) == 0  # same day again: nothing new
    with scope(instansi=org_a.instansi.pk):
        sent = Notifikasi.objects.filter(jenis="pengingat_log_harian")
        assert [n.penerima_id for n in sent] == [org_a.pegawai.user.pk]
    # Monday: the window is Wed..Fri, the rekan's Thursday entry still counts
    assert log_harian_pengingat_task(org_a.instansi.pk, "2026-05-18") == 1


def test_concurrent_entries_cannot_pass_1440(transactional_db: Any) -> None:
    """Two requests for the same day at the same moment: the advisory lock makes the second one see the
    first one's minutes, so the day never exceeds 1440 minutes."""
    import threading

    from django.db import connection

    from dialog.services import log_harian as svc
    from tests.conftest import build_org

    org = build_org("K")
    periods(org)
    rhk_id = rhk_of(org, make_skp(org, org.pegawai))[0].pk
    results: list[str] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            with scope(instansi=org.instansi.pk):
                svc.log_harian_create(
                    actor=org.pegawai.user, instansi=org.instansi, tanggal=dt.date(2026, 5, 14), rhk_id=rhk_id,
                    uraian="Rapat", durasi_menit=800,
                )  # fmt: skip
            results.append("ok")
        except Exception as exc:
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ApplicationError", "ok"]
    with scope(instansi=org.instansi.pk):
        assert LogHarian.objects.filter(pegawai=org.pegawai).count() == 1
        assert LogHarian.objects.get(pegawai=org.pegawai).status == StatusLog.MENUNGGU


def test_lock_days_are_set_per_instansi(api: Any, org_a: Org, rhk: int) -> None:
    """The lock date is 5 days after the month's end unless the instansi set another number: on 15 May
    an April entry is refused by default (locked since 6 May) and allowed with 20 days (locked on 21 May)."""
    c = api(org_a.pegawai.user)
    resp = c.post(URL, body(rhk, tanggal="2026-04-29"), format="json")
    assert resp.status_code == 400
    assert "06-05-2026" in resp.json()["errors"]["tanggal"][0]
    with scope(instansi=org_a.instansi.pk):
        assert not LogHarian.objects.exists()
        PengaturanLogHarian.objects.create(instansi=org_a.instansi, hari_kunci=20)
    assert c.post(URL, body(rhk, tanggal="2026-04-29"), format="json").status_code == 201


PENGATURAN = "/api/v1/log-harian/pengaturan/"


def test_settings_defaults_and_only_the_admin_changes_them(
    api: Any, org_a: Org, org_b: Org, outsider: Any, rhk: int
) -> None:
    """domain.md "Daily log": optional per instansi, lock date configurable (default 5 days after the
    month), reminders configurable and off by default. Only admin_instansi writes (others 404); another
    instansi's admin changes their own settings, never A's; every change is audited."""
    from kinerja.models import AuditLog

    bawaan = {"aktif": True, "hari_kunci": 5, "pengingat_aktif": False, "pengingat_hari_kerja": 3}
    assert api(org_a.pegawai.user).get(PENGATURAN).json() == bawaan
    baru = {"aktif": True, "hari_kunci": 20, "pengingat_aktif": True, "pengingat_hari_kerja": 2}
    for user in (org_a.pegawai.user, org_a.atasan.user, org_a.hr.user):
        assert api(user).put(PENGATURAN, baru, format="json").status_code == 404
    assert api(org_b.admin.user).put(PENGATURAN, {**baru, "hari_kunci": 9}, format="json").status_code == 200
    assert api(org_a.pegawai.user).get(PENGATURAN).json() == bawaan  # B's change stays in B
    # the lock moved: on 15 May an April entry is refused with 5 days and accepted with 20
    c = api(org_a.pegawai.user)
    assert c.post(URL, body(rhk, tanggal="2026-04-29"), format="json").status_code == 400
    resp = api(org_a.admin.user).put(PENGATURAN, baru, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json() == baru
    assert c.post(URL, body(rhk, tanggal="2026-04-29"), format="json").status_code == 201
    with scope(instansi=org_a.instansi.pk):
        log = AuditLog.objects.get(action="log_harian.pengaturan", instansi=org_a.instansi)
    assert (log.before["hari_kunci"], log.after["hari_kunci"]) == (5, 20)
    # switched off: new entries are refused (409)
    api(org_a.admin.user).put(PENGATURAN, {**baru, "aktif": False}, format="json")
    assert c.post(URL, body(rhk), format="json").status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [({"hari_kunci": -1}, "hari_kunci"), ({"hari_kunci": 61}, "hari_kunci"),
     ({"pengingat_hari_kerja": 0}, "pengingat_hari_kerja"), ({"pengingat_hari_kerja": 21}, "pengingat_hari_kerja"),
     ({"aktif": "mungkin"}, "aktif")],
)  # fmt: skip
def test_settings_out_of_range_is_400_and_nothing_written(
    api: Any, org_a: Org, change: dict[str, Any], field: str
) -> None:
    baru = {"aktif": True, "hari_kunci": 10, "pengingat_aktif": True, "pengingat_hari_kerja": 3, **change}
    resp = api(org_a.admin.user).put(PENGATURAN, baru, format="json")
    assert resp.status_code == 400
    assert field in resp.json()["errors"]
    with scope(instansi=org_a.instansi.pk):
        assert not PengaturanLogHarian.objects.exists()


def test_reminders_switched_on_through_the_api(api: Any, org_a: Org, skp_pegawai: Skp) -> None:
    from dialog.tasks import log_harian_pengingat_task

    assert log_harian_pengingat_task(org_a.instansi.pk) == 0  # off by default
    baru = {"aktif": True, "hari_kunci": 5, "pengingat_aktif": True, "pengingat_hari_kerja": 3}
    assert api(org_a.admin.user).put(PENGATURAN, baru, format="json").status_code == 200
    assert log_harian_pengingat_task(org_a.instansi.pk) == 1
