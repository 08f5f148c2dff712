"""siasn_kirim against the fake SIASN: contract payloads, idempotency, faults, resume, isolation."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope, scopes_disabled

from evaluasi.models import AngkaKredit, Evaluasi, KirimanSiasn, LogSiasn, PegawaiSiasn
from evaluasi.siasn import kirim as kirim_mod
from evaluasi.siasn.client import SiasnClient
from evaluasi.siasn.kode import KODE_SIASN
from kinerja.models import AuditLog
from tests.conftest import Org
from tests.siasn.conftest import TAHUN, finalise, setup_year
from tests.siasn.fake import CONSUMER_KEY, CONSUMER_SECRET, SSO_PASSWORD, SSO_USERNAME, FakeSiasn

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = [
    "id", "tahun", "pnsDinilaiOrang", "hasilKinerjaNilai", "perilakuKerjaNilai", "kuadranKinerjaNilai",
    "penilaiNipNrp", "penilaiNama", "penilaiJabatan", "penilaiUnorNama", "penilaiGolongan", "statusPenilai",
]  # fmt: skip


def run(kode: str = "A", *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("siasn_kirim", "--instansi", kode, "--tahun", str(TAHUN), *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def kiriman(org: Org) -> dict[str, KirimanSiasn]:
    with scopes_disabled():
        return {
            k.pegawai.nip: k
            for k in KirimanSiasn._base_manager.filter(instansi=org.instansi).select_related("pegawai")
        }


def test_dry_run_prints_the_contract_payloads_and_contacts_nobody(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any
) -> None:
    code, out, err = run("A", "--dry-run")
    assert code == 0, err
    lines = [json.loads(x) for x in out.splitlines()]
    assert len(lines) == 3
    assert all(list(p) == CONTRACT_KEYS for p in lines)
    by_nilai = {p["penilaiNipNrp"] + ":" + str(p["kuadranKinerjaNilai"]) for p in lines}
    assert f"{org_a.atasan.nip}:1" in by_nilai  # pegawai: di atas + di atas = sangat baik = 1
    assert f"{org_a.atasan.nip}:2" in by_nilai  # rekan: sesuai + sesuai = baik = 2
    p = next(x for x in lines if x["penilaiNipNrp"] == org_a.kepala.nip)  # atasan rated by kepala
    assert (p["hasilKinerjaNilai"], p["perilakuKerjaNilai"], p["kuadranKinerjaNilai"]) == (3, 2, 3)
    assert p["id"] is None
    assert p["pnsDinilaiOrang"] is None
    assert p["tahun"] == TAHUN
    assert p["statusPenilai"] == "ASN"
    assert p["penilaiNama"] == org_a.kepala.nama
    assert p["penilaiJabatan"] == "Kepala Dinas"
    assert p["penilaiUnorNama"] == "Sekretariat A"
    assert siasn_a.requests == []
    assert not kiriman(org_a)


def test_sends_everything_then_a_second_run_sends_nothing(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any
) -> None:
    code, out, err = run()
    assert code == 0, err
    assert "3 terkirim, 0 tidak berubah, 0 gagal" in out
    saves = siasn_a.saves()
    assert len(saves) == 3
    assert {s["json"]["pnsDinilaiOrang"] for s in saves} == {f"pns-{p.nip}" for p in year_a}
    assert all(s["json"]["id"] is None for s in saves)
    k = kiriman(org_a)
    assert {x.status for x in k.values()} == {"terkirim"}
    assert all(x.siasn_id.startswith("skp22-") and len(x.payload_hash) == 64 for x in k.values())
    with scopes_disabled():
        assert PegawaiSiasn._base_manager.filter(instansi=org_a.instansi).count() == 3
        assert LogSiasn._base_manager.filter(instansi=org_a.instansi, hasil="terkirim").count() == 3
    n = len(siasn_a.requests)
    # when run again with nothing changed
    code, out, _err = run()
    # then nothing is sent (not even a token is fetched)
    assert code == 0
    assert "0 terkirim, 3 tidak berubah" in out
    assert len(siasn_a.requests) == n


def test_a_changed_result_is_sent_again_with_the_stored_id(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any
) -> None:
    assert run()[0] == 0
    stored = kiriman(org_a)[org_a.rekan.nip].siasn_id
    lookups = sum(1 for r in siasn_a.requests if "data-utama" in r["path"])
    # an accepted keberatan changes the ratings
    finalise(org_a.rekan, "di_atas_ekspektasi", "sesuai_ekspektasi")
    code, out, _ = run()
    assert code == 0
    assert "1 terkirim, 2 tidak berubah" in out
    last = siasn_a.saves()[-1]["json"]
    assert last["id"] == stored
    assert (last["hasilKinerjaNilai"], last["kuadranKinerjaNilai"]) == (1, 2)
    assert siasn_a.records[stored]["hasilKinerjaNilai"] == 1
    assert len(siasn_a.saves()) == 4
    # the SIASN id of the pegawai was kept: no second lookup
    assert sum(1 for r in siasn_a.requests if "data-utama" in r["path"]) == lookups


def test_a_400_for_one_pegawai_is_reported_and_the_others_are_sent(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any
) -> None:
    siasn_a.nip_400[org_a.rekan.nip] = "Penilai tidak ditemukan pada unor"
    code, out, err = run()
    assert code == 1
    assert f"NIP {org_a.rekan.nip}" in err
    assert "Penilai tidak ditemukan pada unor" in err
    assert "2 terkirim, 0 tidak berubah, 1 gagal" in out
    k = kiriman(org_a)
    assert k[org_a.rekan.nip].status == "gagal"
    assert k[org_a.rekan.nip].http_status == 400
    assert "Penilai tidak ditemukan" in k[org_a.rekan.nip].pesan
    # SIASN fixed: the next run sends only the failed one
    del siasn_a.nip_400[org_a.rekan.nip]
    code, out, _ = run()
    assert code == 0
    assert "1 terkirim, 2 tidak berubah, 0 gagal" in out
    assert len(siasn_a.saves()) == 3


def test_an_expired_token_is_fetched_again_once(siasn_a: FakeSiasn, org_a: Org, year_a: Any) -> None:
    assert run()[0] == 0
    assert siasn_a.token_calls == {"gateway": 1, "sso": 1}
    siasn_a.expire_tokens()
    finalise(org_a.pegawai, "sesuai_ekspektasi", "di_atas_ekspektasi")
    code, _out, err = run()
    assert code == 0, err
    assert siasn_a.token_calls == {"gateway": 2, "sso": 2}
    assert [r["status"] for r in siasn_a.requests if r["path"].endswith("skp22/save")][-2:] == [401, 200]


def test_429_with_retry_after_500_and_a_timeout_are_retried(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_SIASN_MAX_RETRIES", "4")
    siasn_a.inject("skp22/save", 429, count=2, headers={"Retry-After": "1"})
    siasn_a.inject("skp22/save", 500, count=1)
    siasn_a.inject("skp22/save", "timeout", count=1, headers={"seconds": "1.5"})  # client timeout is 1 s
    code, out, err = run()
    assert code == 0, err
    assert "3 terkirim" in out
    statuses = [r["status"] for r in siasn_a.requests if r["path"].endswith("skp22/save")]
    assert statuses.count(429) == 2
    assert statuses.count(500) == 1
    assert len(siasn_a.records) == 3


def test_a_persistent_5xx_is_bounded_and_fails_the_run(siasn_a: FakeSiasn, org_a: Org, year_a: Any) -> None:
    siasn_a.inject("skp22/save", 503, count=1000)
    code, _out, err = run()
    assert code == 1
    assert err.count("GAGAL NIP") == 3
    assert "HTTP 503" in err
    posts = [r for r in siasn_a.requests if r["path"].endswith("skp22/save")]
    assert len(posts) == 3 * 4  # max 3 retries per pegawai (KINERJA_SIASN_MAX_RETRIES)
    assert {k.status for k in kiriman(org_a).values()} == {"gagal"}


def test_siasn_down_stops_after_consecutive_transient_failures(
    siasn_a: FakeSiasn, org_a: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_year(org_a)
    monkeypatch.setattr(kirim_mod, "MAX_BERUNTUN_SEMENTARA", 1)
    monkeypatch.setenv("KINERJA_SIASN_MAX_RETRIES", "0")
    siasn_a.inject("skp22/save", 500, count=1000)
    code, _out, err = run()
    assert code == 1
    assert len([r for r in siasn_a.requests if r["path"].endswith("skp22/save")]) == 1
    assert err.count("SIASN tidak tersedia") == 2


def test_a_crash_mid_run_resumes_without_duplicates(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = SiasnClient.simpan
    calls = {"n": 0}

    def crash_after_first(self: SiasnClient, endpoint: str, payload: dict[str, Any]) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("worker killed")
        return real(self, endpoint, payload)

    monkeypatch.setattr(SiasnClient, "simpan", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        run()
    # the senders run in parallel: the crash let the calls in flight end, and every answer SIASN gave
    # (the first, and the third when it was already in flight) was stored before the run stopped
    terkirim = [k for k in kiriman(org_a).values() if k.status == "terkirim"]
    stored = len(terkirim)
    assert 1 <= stored <= 2
    assert len(siasn_a.records) == stored
    # the crashed call keeps its write-ahead intent (issue #18: in doubt); one never started has no row
    sisa = [k for k in kiriman(org_a).values() if k not in terkirim]
    assert len(sisa) == 1
    assert (sisa[0].status, sisa[0].siasn_id, sisa[0].dikirim_at is not None) == ("dikirim", "", True)
    assert all(k.dikirim_at is None for k in terkirim)
    monkeypatch.setattr(SiasnClient, "simpan", real)
    code, out, _ = run()
    assert code == 0
    assert f"{3 - stored} terkirim, {stored} tidak berubah" in out
    assert len(siasn_a.records) == 3  # no duplicate record in SIASN
    assert all(s["json"]["id"] is None for s in siasn_a.saves())


def test_an_unmappable_value_is_reported_never_guessed(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(KODE_SIASN["kuadran"], "baik")
    with scopes_disabled():  # and one evaluation without a Pejabat Penilai
        Evaluasi._base_manager.filter(pegawai=org_a.atasan, tahun=TAHUN).update(pejabat_penilai=None)
    code, _out, err = run()
    assert code == 1
    assert f"NIP {org_a.rekan.nip}" in err
    assert "'baik' tidak punya kode SIASN (kuadran)" in err
    assert f"NIP {org_a.atasan.nip}" in err
    assert "Pejabat Penilai tidak tercatat" in err
    assert len(siasn_a.saves()) == 1
    assert kiriman(org_a)[org_a.rekan.nip].status == "gagal"


def test_secrets_and_tokens_never_reach_logs_audit_or_database(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    siasn_a.nip_400[org_a.rekan.nip] = "ditolak"
    siasn_a.inject("skp22/save", 429, count=1, headers={"Retry-After": "1"})
    run()
    siasn_a.expire_tokens()
    finalise(org_a.pegawai, "sesuai_ekspektasi", "di_atas_ekspektasi")
    run()
    tokens = siasn_a.gateway_tokens | siasn_a.sso_tokens | {"gw-1", "sso-2"}
    with scopes_disabled():
        dumped = json.dumps(
            [
                list(LogSiasn._base_manager.values()),
                list(KirimanSiasn._base_manager.values()),
                list(PegawaiSiasn._base_manager.values()),
                list(AuditLog._base_manager.values("action", "before", "after", "object_repr")),
            ],
            default=str,
        )
    for secret in (CONSUMER_KEY, CONSUMER_SECRET, SSO_USERNAME, SSO_PASSWORD, *tokens):
        assert secret not in caplog.text
        assert secret not in dumped
    assert "siasn.kirim" in dumped  # the runs are audited (counts only)


def test_periodic_and_angka_kredit_with_jenis_semua(siasn_a: FakeSiasn, org_a: Org, year_a: Any) -> None:
    finalise(org_a.pegawai, "sesuai_ekspektasi", "sesuai_ekspektasi", jenis="periodik")
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(pegawai=org_a.rekan, tahun=TAHUN, jenis="tahunan")
        AngkaKredit._base_manager.create(
            instansi=org_a.instansi, pegawai=org_a.rekan, tahun=TAHUN, evaluasi=ev, jenjang="ahli_muda",
            predikat="baik", persentase=100, koefisien="12.5", bulan=12, nilai="12.500",
        )  # fmt: skip
        n_periodik = Evaluasi._base_manager.filter(
            pegawai=org_a.pegawai, tahun=TAHUN, jenis="periodik"
        ).count()
    code, _out, err = run("A", "--jenis", "semua")
    assert code == 0, err
    assert len(siasn_a.saves("skp22/save")) == 3
    periodik = siasn_a.saves("kinerjaperiodik/save")
    assert len(periodik) == n_periodik >= 1
    assert periodik[0]["json"]["pnsDinilaiId"] == f"pns-{org_a.pegawai.nip}"
    assert 1 <= periodik[0]["json"]["periodeMulai"] <= periodik[0]["json"]["periodeSelesai"] <= 12
    ak = siasn_a.saves("angkakredit/save")
    assert len(ak) == 1
    assert ak[0]["json"]["kreditUtamaBaru"] == "12.5"
    assert ak[0]["json"]["pnsId"] == f"pns-{org_a.rekan.nip}"
    # and a second run sends nothing of the three kinds
    assert "0 terkirim" in run("A", "--jenis", "semua")[1]


def test_other_instansi_is_untouched_and_needs_its_own_settings(
    siasn_a: FakeSiasn, org_a: Org, org_b: Org, outsider: Any, year_a: Any
) -> None:
    setup_year(org_b)
    assert run("A")[0] == 0
    assert len(siasn_a.saves()) == 3
    sent = {s["json"]["pnsDinilaiOrang"] for s in siasn_a.saves()}
    assert not sent & {f"pns-{p.nip}" for p in (org_b.pegawai, org_b.rekan, org_b.atasan)}
    assert not kiriman(org_b)
    # B has no SIASN settings: the command names the missing variables, never a value
    with pytest.raises(CommandError, match="KINERJA_SIASN_B_BASE_URL"):
        call_command("siasn_kirim", "--instansi", "B", "--tahun", str(TAHUN), stdout=io.StringIO())
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("siasn_kirim", "--instansi", "ZZZ", "--tahun", str(TAHUN))


def test_the_planning_queries_do_not_grow_with_the_rows(
    siasn_a: FakeSiasn, org_a: Org, year_a: Any, django_assert_max_num_queries: Any
) -> None:
    assert run()[0] == 0
    from tests.evaluasi.conftest import ensure_all, make_skp
    from tests.factories import PegawaiFactory

    more = [
        PegawaiFactory(
            instansi=org_a.instansi,
            unit_kerja=org_a.pegawai.unit_kerja,
            jabatan=org_a.pegawai.jabatan,
            atasan=org_a.atasan,
        )
        for _ in range(6)
    ]
    for p in more:
        make_skp(p)
    ensure_all(org_a.instansi)
    for p in more:
        finalise(p, "sesuai_ekspektasi", "sesuai_ekspektasi")
    assert run()[0] == 0  # the 6 new ones are sent
    with scope(instansi=org_a.instansi.pk), django_assert_max_num_queries(8):
        hasil = kirim_mod.siasn_kirim(instansi=org_a.instansi, tahun=TAHUN, jenis=("skp22",))
    assert (hasil.total, hasil.tidak_berubah, hasil.terkirim) == (9, 9, 0)


def test_a_second_run_of_the_same_instansi_is_refused_while_the_first_runs(org_a: Org, org_b: Org) -> None:
    """The run's lock is a Redis lease (PgBouncer-safe), one per instansi: another instansi is not held up."""
    from evaluasi.siasn.kirim import kunci_kirim
    from kinerja.exceptions import InvalidTransition

    with kunci_kirim(org_a.instansi):
        with pytest.raises(InvalidTransition), kunci_kirim(org_a.instansi):
            pass
        with kunci_kirim(org_b.instansi):
            pass
    with kunci_kirim(org_a.instansi):  # released at the end of the first run
        pass
