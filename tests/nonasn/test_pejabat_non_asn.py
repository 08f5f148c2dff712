"""Pejabat Penilai non-ASN (issue #16 part 2, api-contract §5): the command, the API as that login,
isolation, documents and the keberatan atasan."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scope, scopes_disabled

from evaluasi.models import Evaluasi, Keberatan
from kinerja.models import AuditLog, Pegawai, PejabatNonAsn, User
from skp.models import Skp
from tests.conftest import PASSWORD, Org
from tests.skp.test_api_skp import add_rhk, create_skp

pytestmark = pytest.mark.django_db

JENDELA = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)
BUPATI_PASS = "Sukamaju#Bupati2026"


def add_bupati(
    org: Org, *, menilai: list[Pegawai] | None = None, username: str = "bupati.a"
) -> PejabatNonAsn:
    out = StringIO()
    call_command(
        "add_pejabat_non_asn",
        "--instansi",
        org.instansi.kode,
        "--username",
        username,
        "--password",
        BUPATI_PASS,
        "--nama",
        "H. Ahmad Sukamaju, S.H.",
        "--jabatan",
        "Bupati Sukamaju",
        "--menilai",
        ",".join(p.nip for p in (menilai if menilai is not None else [org.kepala])),
        stdout=out,
    )
    with scopes_disabled():
        return PejabatNonAsn.objects.select_related("user").get(user__nip=username)


def login(api: Any, username: str = "bupati.a", password: str = BUPATI_PASS) -> Any:
    resp = api(None).post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert resp.status_code == 200, resp.content
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {resp.json()['token']}")
    return client


def submitted_kepala_skp(api: Any, org: Org) -> dict[str, Any]:
    c = api(org.kepala.user)
    skp = create_skp(c)
    add_rhk(c, skp["id"], "Meningkatnya kualitas pelayanan publik Kabupaten")
    resp = c.post(f"/api/v1/skp/{skp['id']}/ajukan/")
    assert resp.status_code == 200, resp.content
    return skp


# ------------------------------------------------------------------------------------------ command


def test_command_creates_login_without_pegawai_and_links_the_sekda(org_a: Org) -> None:
    official = add_bupati(org_a)
    assert official.instansi_id == org_a.instansi.pk
    assert official.jabatan == "Bupati Sukamaju"
    user = official.user
    assert user.check_password(BUPATI_PASS)
    assert not Pegawai._base_manager.filter(user=user).exists()
    kepala = Pegawai._base_manager.get(pk=org_a.kepala.pk)
    assert kepala.penilai_non_asn_id == official.pk
    assert kepala.atasan_id is None
    with scopes_disabled():
        assert AuditLog.objects.filter(action="pejabat_non_asn.buat", object_id=str(official.pk)).exists()


def test_command_updates_and_is_idempotent(org_a: Org) -> None:
    first = add_bupati(org_a)
    out = StringIO()
    call_command(
        "add_pejabat_non_asn",
        "--instansi",
        org_a.instansi.kode,
        "--username",
        "bupati.a",
        "--password",
        "Ganti#Sandi2026x",
        "--nama",
        "Hj. Siti Sukamaju",
        "--jabatan",
        "Pj. Bupati Sukamaju",
        "--menilai",
        f"{org_a.kepala.nip},{org_a.admin.nip}",
        stdout=out,
    )
    assert "diperbarui" in out.getvalue()
    with scopes_disabled():
        again = PejabatNonAsn.objects.select_related("user").get(pk=first.pk)
        assert PejabatNonAsn.objects.count() == 1
        assert set(Pegawai.objects.filter(penilai_non_asn=again).values_list("pk", flat=True)) == {
            org_a.kepala.pk,
            org_a.admin.pk,
        }
    assert again.nama == "Hj. Siti Sukamaju"
    assert again.jabatan == "Pj. Bupati Sukamaju"
    assert again.user.check_password("Ganti#Sandi2026x")


@pytest.mark.parametrize(
    ("args", "pesan"),
    [
        (["--instansi", "TIDAKADA"], "Instansi"),
        (["--instansi", "A", "--menilai", "199001012020011999"], "199001012020011999"),
    ],
)
def test_command_unknown_instansi_or_nip_exit_1_nothing_written(
    org_a: Org, args: list[str], pesan: str
) -> None:
    base = {"--username": "bupati.x", "--password": BUPATI_PASS, "--nama": "X", "--jabatan": "Bupati X"}
    argv = [*args]
    for k, v in base.items():
        argv += [k, v]
    if "--menilai" not in argv:
        argv += ["--menilai", org_a.kepala.nip]
    with pytest.raises(CommandError) as exc:
        call_command("add_pejabat_non_asn", *argv)
    assert pesan in str(exc.value)
    assert not User.objects.filter(nip="bupati.x").exists()
    with scopes_disabled():
        assert not PejabatNonAsn.objects.exists()


def test_command_exit_code_1_from_the_shell(org_a: Org) -> None:
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exc:
        execute_from_command_line(
            ["manage.py", "add_pejabat_non_asn", "--instansi", "A", "--username", "u1", "--password",
             BUPATI_PASS, "--nama", "N", "--jabatan", "J", "--menilai", "123"]
        )  # fmt: skip
    assert exc.value.code == 1


def test_username_of_a_pegawai_or_another_instansi_is_refused(org_a: Org, org_b: Org) -> None:
    with pytest.raises(CommandError, match="dipakai"):
        add_bupati(org_a, username=org_a.pegawai.nip)
    add_bupati(org_b, menilai=[org_b.kepala], username="bupati.b")
    with pytest.raises(CommandError, match="dipakai"):
        add_bupati(org_a, username="bupati.b")


# ------------------------------------------------------------------------------------------ API


def test_me_roles_and_pegawai_id_null(org_a: Org, api: Any) -> None:
    add_bupati(org_a)
    me = login(api).get("/api/v1/me/").json()
    assert me["pegawai_id"] is None
    assert "pejabat_penilai" in me["roles"]
    assert "pegawai" not in me["roles"]
    assert me["instansi"]["kode"] == org_a.instansi.kode
    assert me["nama"] == "H. Ahmad Sukamaju, S.H."


def test_bupati_approves_and_returns_the_sekda_skp(org_a: Org, org_b: Org, api: Any) -> None:
    add_bupati(org_a)
    skp = submitted_kepala_skp(api, org_a)
    bupati = login(api)
    listed = bupati.get("/api/v1/skp/").json()["results"]
    assert [s["id"] for s in listed] == [skp["id"]]
    detail = bupati.get(f"/api/v1/skp/{skp['id']}/").json()
    assert detail["pejabat_penilai"]["nama"] == "H. Ahmad Sukamaju, S.H."
    assert detail["pejabat_penilai"]["status_penilai"] == "NON ASN"
    # kembalikan needs a note; then the Sekda resubmits and the Bupati approves
    assert bupati.post(f"/api/v1/skp/{skp['id']}/kembalikan/", {}, format="json").status_code == 400
    resp = bupati.post(f"/api/v1/skp/{skp['id']}/kembalikan/", {"catatan": "Perjelas target."}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "dikembalikan"
    assert api(org_a.kepala.user).post(f"/api/v1/skp/{skp['id']}/ajukan/").status_code == 200
    resp = bupati.post(f"/api/v1/skp/{skp['id']}/setujui/")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "disetujui"
    assert body["snapshot_penilai"]["nama"] == "H. Ahmad Sukamaju, S.H."
    assert body["snapshot_penilai"]["jabatan"] == "Bupati Sukamaju"
    assert body["snapshot_penilai"]["nip"] == "-"
    with scopes_disabled():
        official = PejabatNonAsn.objects.get(user__nip="bupati.a")
        log = AuditLog.objects.filter(object_type="skp.skp", object_id=str(skp["id"])).order_by("-id").first()
    assert log is not None
    assert log.actor_id == official.user_id
    # another instansi's SKP: 404; the atasan's own SKP in A is not the Bupati's either
    other = create_skp(api(org_b.pegawai.user))
    assert bupati.get(f"/api/v1/skp/{other['id']}/").status_code == 404
    mine = create_skp(api(org_a.pegawai.user))
    assert bupati.get(f"/api/v1/skp/{mine['id']}/").status_code == 404
    assert bupati.post(f"/api/v1/skp/{mine['id']}/setujui/").status_code == 404


def test_pegawai_only_actions_refused_never_500(org_a: Org, api: Any) -> None:
    add_bupati(org_a)
    skp = submitted_kepala_skp(api, org_a)
    bupati = login(api)
    resp = bupati.post("/api/v1/skp/", {"tahun": 2026, "pendekatan": "kuantitatif"}, format="json")
    assert resp.status_code in (400, 403), resp.content
    assert resp.json()["detail"]
    resp = bupati.post(
        f"/api/v1/skp/{skp['id']}/rhk/",
        {
            "jenis": "utama",
            "rencana_hasil_kerja": "x",
            "rhk_pimpinan": None,
            "indikator": [{"aspek": "kuantitas", "iki": "Jumlah", "target": "1"}],
        },
        format="json",
    )
    assert resp.status_code in (403, 404), resp.content
    resp = bupati.post(
        "/api/v1/log-harian/",
        {"tanggal": "2026-03-02", "rhk": 1, "uraian": "x", "durasi_menit": 10},
        format="json",
    )
    assert resp.status_code in (400, 403, 404), resp.content


def test_bupati_rates_the_sekda_and_status_penilai(org_a: Org, api: Any, time_machine: Any) -> None:
    time_machine.move_to(JENDELA)
    add_bupati(org_a)
    skp = submitted_kepala_skp(api, org_a)
    bupati = login(api)
    assert bupati.post(f"/api/v1/skp/{skp['id']}/setujui/").status_code == 200
    rows = bupati.get("/api/v1/evaluasi/", {"tahun": 2026, "jenis": "tahunan"}).json()["results"]
    ev = next(e for e in rows if e["pegawai"]["id"] == org_a.kepala.pk and e["jenis"] == "tahunan")
    assert ev["pejabat_penilai"]["nama"] == "H. Ahmad Sukamaju, S.H."
    assert ev["status_penilai"] == "NON ASN"
    resp = bupati.patch(
        f"/api/v1/evaluasi/{ev['id']}/",
        {
            "rating_hasil_kerja": "di_atas_ekspektasi",
            "rating_perilaku_kerja": "sesuai_ekspektasi",
            "justifikasi": "Capaian kinerja organisasi di atas target.",
            "versi": ev["versi"],
        },
        format="json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["predikat"] == "baik"
    with scopes_disabled():
        row = Evaluasi.objects.get(pk=ev["id"])
        official = PejabatNonAsn.objects.get(user__nip="bupati.a")
        assert row.status_penilai == "NON ASN"
        assert row.dinilai_oleh_id == official.user_id
        assert AuditLog.objects.filter(
            object_type="evaluasi.evaluasi", object_id=str(ev["id"]), actor_id=official.user_id
        ).exists()
    # others' evaluations stay out of reach
    others = [e for e in rows if e["pegawai"]["id"] != org_a.kepala.pk]
    assert others == []


def test_existing_draft_moves_to_the_official_approved_snapshot_stays(org_a: Org, api: Any) -> None:
    c = api(org_a.atasan.user)
    draft = create_skp(c)
    add_bupati(org_a, menilai=[org_a.kepala, org_a.atasan])
    with scopes_disabled():
        moved = Skp.objects.get(pk=draft["id"])
        assert moved.pejabat_penilai_id is None
        assert moved.pejabat_penilai_non_asn.nama == "H. Ahmad Sukamaju, S.H."


def test_keberatan_goes_to_the_non_asn_atasan(org_a: Org, api: Any, time_machine: Any) -> None:
    """The Sekda (rated by the Bupati) rates the atasan; the atasan's keberatan goes to the Bupati."""
    from evaluasi.services import keberatan_pemutus_untuk

    official = add_bupati(org_a)
    with scopes_disabled():
        ev = Evaluasi(pejabat_penilai=Pegawai.objects.get(pk=org_a.kepala.pk))
        assert keberatan_pemutus_untuk(evaluasi=ev) == official
        ev_atasan = Evaluasi(pejabat_penilai=Pegawai.objects.get(pk=org_a.atasan.pk))
        assert keberatan_pemutus_untuk(evaluasi=ev_atasan) == Pegawai.objects.get(pk=org_a.kepala.pk)
    assert Keberatan._meta.get_field("pemutus_non_asn")


# ------------------------------------------------------------------------------------------ isolation


def test_non_asn_account_invisible_from_another_instansi(
    org_a: Org, org_b: Org, outsider: Pegawai, api: Any
) -> None:
    """Row-level security: a request of instansi B (even its admin) cannot read or change the account."""
    from kinerja.rls import rls_tenant

    official = add_bupati(org_a)
    with rls_tenant(org_b.instansi.pk, user_id=outsider.user_id):
        assert not User.objects.filter(pk=official.user_id).exists()
        assert User.objects.filter(pk=official.user_id).update(nama="x") == 0
        assert not PejabatNonAsn._base_manager.filter(pk=official.pk).exists()
    with rls_tenant(org_a.instansi.pk, user_id=org_a.admin.user_id):
        assert User.objects.filter(pk=official.user_id).exists()
    # and the API of B never shows it
    assert api(outsider.user).get(f"/api/v1/skp/?pegawai={org_a.kepala.pk}").json()["results"] == []


def test_outsider_token_cannot_use_bupati_objects(
    org_a: Org, org_b: Org, outsider: Pegawai, api: Any
) -> None:
    add_bupati(org_a)
    skp = submitted_kepala_skp(api, org_a)
    b = api(outsider.user)
    assert b.get(f"/api/v1/skp/{skp['id']}/").status_code == 404
    assert b.post(f"/api/v1/skp/{skp['id']}/setujui/").status_code == 404
    # the Bupati of A sees nothing of B
    other = create_skp(api(org_b.kepala.user))
    assert login(api).get(f"/api/v1/skp/{other['id']}/").status_code == 404


def test_password_only_through_account_set_password(org_a: Org, monkeypatch: Any) -> None:
    import kinerja.services.people as people

    calls: list[str] = []
    real = people.account_set_password

    def spy(user: Any, raw: Any, **kw: Any) -> None:
        calls.append(user.nip)
        real(user, raw, **kw)

    monkeypatch.setattr(people, "account_set_password", spy)
    from evaluasi.services_non_asn import pejabat_non_asn_tetapkan

    with scope(instansi=org_a.instansi.pk):
        pejabat_non_asn_tetapkan(
            actor=org_a.admin.user,
            instansi=org_a.instansi,
            username="wakil.a",
            nama="Wakil Bupati",
            jabatan="Wakil Bupati Sukamaju",
            password=PASSWORD + "x9",
            menilai=[],
        )
    assert calls == ["wakil.a"]


# ------------------------------------------------------------------------------------------ demo


def test_demo_has_the_bupati_rating_the_sekda_idempotently(db: Any, api: Any) -> None:
    from kinerja import demo

    call_command("seed_demo", "--tanpa-aktivitas", stdout=StringIO())
    call_command("seed_demo", "--tanpa-aktivitas", stdout=StringIO())
    with scopes_disabled():
        official = PejabatNonAsn.objects.select_related("user").get(user__nip="bupati.sukamaju")
        assert PejabatNonAsn.objects.count() == 1
        sekda = Pegawai.objects.get(nip=demo.instansi_def("DEMO").by_key("sekda").nip)
    assert sekda.penilai_non_asn_id == official.pk
    assert official.jabatan == "Bupati Sukamaju"
    me = login(api, "bupati.sukamaju", demo.DEMO_PASSWORD).get("/api/v1/me/").json()
    assert me["pegawai_id"] is None
    assert "pejabat_penilai" in me["roles"]
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "bupati.sukamaju" in out.getvalue()


# ------------------------------------------------------------------------------------------ keberatan

from tests.evaluasi.conftest import run_batch as run_batch  # noqa: E402  (the fixture)


def test_bupati_decides_the_keberatan_as_atasan_of_the_sekda(
    org_a: Org, api: Any, run_batch: Any, time_machine: Any
) -> None:
    """The atasan is rated by the Sekda (kepala), the Sekda by the Bupati: the atasan's keberatan goes to
    the Bupati, who decides it through the API; the Sekda himself may not (404)."""
    from tests.evaluasi.conftest import ensure_all, make_skp, set_rating

    official = add_bupati(org_a)
    time_machine.move_to(dt.datetime(2026, 12, 30, 3, 0, tzinfo=dt.UTC))
    make_skp(org_a.atasan)
    ensure_all(org_a.instansi)
    set_rating(org_a.atasan, "sesuai_ekspektasi", "di_bawah_ekspektasi")
    run_batch(org_a)
    with scopes_disabled():
        ev = Evaluasi.objects.get(instansi=org_a.instansi, pegawai=org_a.atasan, jenis="tahunan")
    assert ev.status == "final"
    resp = api(org_a.atasan.user).post(
        f"/api/v1/evaluasi/{ev.pk}/keberatan/",
        {"alasan": "Bukti dukung belum dipertimbangkan."},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    kb = resp.json()
    assert kb["pemutus"] is None
    assert kb["pemutus_non_asn"] == official.pk
    body = {
        "terima": True,
        "rating_hasil_kerja": "sesuai_ekspektasi",
        "rating_perilaku_kerja": "sesuai_ekspektasi",
        "catatan": "Bukti lengkap.",
    }
    assert (
        api(org_a.kepala.user).post(f"/api/v1/keberatan/{kb['id']}/putus/", body, format="json").status_code
        == 404
    )
    r = login(api).post(f"/api/v1/keberatan/{kb['id']}/putus/", body, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["predikat_baru"] == "baik"
    with scopes_disabled():
        decided = Keberatan.objects.get(pk=kb["id"])
        assert decided.diputus_oleh_id == official.user_id
        assert AuditLog.objects.filter(object_type="evaluasi.keberatan", actor_id=official.user_id).exists()
