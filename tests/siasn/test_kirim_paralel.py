"""The bounded concurrent sender (issue #18): N threads share ONE rate limit, every evaluation is sent once,
a crash mid-run resumes without duplicates, the database writes stay set-based."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from evaluasi.siasn import kirim as kirim_mod
from evaluasi.siasn.client import SiasnClient
from evaluasi.siasn.kirim import HasilKirim
from tests.conftest import Org
from tests.siasn.conftest import TAHUN, finalise, more_rated
from tests.siasn.fake import FakeSiasn
from tests.siasn.test_kirim import kiriman, run

pytestmark = pytest.mark.django_db

N_LAIN = 27  # + the 3 of year_a = 30 pegawai


@pytest.fixture
def tiga_puluh(org_a: Org, year_a: Any) -> list[Any]:
    return [*year_a, *more_rated(org_a, N_LAIN)]


def _per_detik_maks(ts: list[float]) -> int:
    """The most calls that arrived within any one second."""
    ts = sorted(ts)
    j, best = 0, 0
    for i, t in enumerate(ts):
        while ts[j] < t - 1.0:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_the_pool_reaches_the_rate_limit_and_never_exceeds_it(
    siasn_a: FakeSiasn, org_a: Org, tiga_puluh: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # SIASN answers in 100 ms: one sender alone could make at most ~10 calls/s
    siasn_a.latency = 0.1
    monkeypatch.setenv("KINERJA_SIASN_RPS", "20")
    monkeypatch.setenv("KINERJA_SIASN_CONCURRENCY", "8")
    code, out, err = run()
    assert code == 0, err
    assert "30 terkirim, 0 tidak berubah, 0 gagal" in out
    calls = [r["t"] for r in siasn_a.requests]
    assert len(calls) == 2 + 30 * 2  # two tokens, then a data-utama lookup + a save per pegawai
    assert 2 <= siasn_a.max_in_flight <= 8
    assert _per_detik_maks(calls) <= 20 + 2  # the one shared limiter (+ scheduling jitter)
    rate = (len(calls) - 1) / (max(calls) - min(calls))
    assert 14 <= rate <= 20 * 1.05, rate  # at the limit; sequential with 100 ms answers stays under 10/s
    # every evaluation was posted exactly once, each with its own pegawai's SIASN id
    saves = siasn_a.saves()
    assert len(saves) == 30
    assert len({s["json"]["pnsDinilaiOrang"] for s in saves}) == 30
    assert len(siasn_a.records) == 30
    assert len([r for r in siasn_a.requests if "data-utama" in r["path"]]) == 30
    assert {k.status for k in kiriman(org_a).values()} == {"terkirim"}
    assert len(kiriman(org_a)) == 30


def test_tokens_are_fetched_once_for_the_whole_pool_even_after_a_401(
    siasn_a: FakeSiasn, org_a: Org, tiga_puluh: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_SIASN_CONCURRENCY", "8")
    siasn_a.latency = 0.02
    assert run()[0] == 0
    assert siasn_a.token_calls == {"gateway": 1, "sso": 1}
    # every token expires; every result changed: eight threads meet the 401 at about the same time
    siasn_a.expire_tokens()
    for p in tiga_puluh:
        finalise(p, "di_atas_ekspektasi", "di_bawah_ekspektasi")
    code, out, err = run()
    assert code == 0, err
    assert "30 terkirim" in out
    assert siasn_a.token_calls == {"gateway": 2, "sso": 2}
    assert len(siasn_a.records) == 30  # sent again with the stored ids: updates, no new record


def test_a_4xx_for_some_is_reported_while_the_pool_sends_the_rest(
    siasn_a: FakeSiasn, org_a: Org, tiga_puluh: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_SIASN_CONCURRENCY", "8")
    bad = {tiga_puluh[4].nip, tiga_puluh[17].nip}
    for nip in bad:
        siasn_a.nip_400[nip] = "Unor penilai tidak sesuai"
    code, out, err = run()
    assert code == 1
    assert "28 terkirim, 0 tidak berubah, 2 gagal" in out
    for nip in bad:
        assert f"GAGAL NIP {nip} (skp22): Unor penilai tidak sesuai" in err
    k = kiriman(org_a)
    assert {nip for nip, x in k.items() if x.status == "gagal"} == bad
    assert all(k[nip].http_status == 400 for nip in bad)


def test_a_crash_mid_run_under_concurrency_resumes_without_duplicates(
    siasn_a: FakeSiasn, org_a: Org, tiga_puluh: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_SIASN_CONCURRENCY", "8")
    siasn_a.latency = 0.02
    real = SiasnClient.simpan
    calls = {"n": 0}

    def crash_at_the_tenth(self: SiasnClient, endpoint: str, payload: dict[str, Any]) -> Any:
        calls["n"] += 1
        if calls["n"] == 10:
            raise KeyboardInterrupt("worker killed")
        return real(self, endpoint, payload)

    monkeypatch.setattr(SiasnClient, "simpan", crash_at_the_tenth)
    with pytest.raises(KeyboardInterrupt):
        run()
    stored = {nip: k for nip, k in kiriman(org_a).items() if k.status == "terkirim"}
    # everything SIASN accepted (the calls before the crash and those in flight) is stored; nothing more
    assert 9 <= len(siasn_a.records) == len(stored) < 30
    # the call that crashed keeps its write-ahead intent (in doubt: reconciled next run); the intent of the
    # pegawai whose calls never started is withdrawn (no row, no extra lookup)
    semua = kiriman(org_a)
    ragu = [nip for nip in semua if nip not in stored]
    assert 1 <= len(ragu) <= 8
    assert all(semua[nip].status == "dikirim" and semua[nip].dikirim_at for nip in ragu)
    assert len(stored) + len(ragu) < 30
    assert {s.siasn_id for s in stored.values()} == set(siasn_a.records)
    siasn_a.requests.clear()
    monkeypatch.setattr(SiasnClient, "simpan", real)
    code, out, _ = run()
    assert code == 0
    assert f"{30 - len(stored)} terkirim, {len(stored)} tidak berubah, 0 gagal" in out
    assert len(siasn_a.records) == 30  # no duplicate record in SIASN
    assert len(siasn_a.saves()) == 30 - len(stored)  # and no evaluation posted twice
    # only the one in doubt paid the riwayat lookup
    assert sorted(r["path"].rsplit("/", 1)[1] for r in siasn_a.requests if "rw-skp22" in r["path"]) == sorted(
        ragu
    )


def test_progress_is_reported_in_order_and_never_ahead_of_what_is_stored(
    siasn_a: FakeSiasn, org_a: Org, tiga_puluh: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_SIASN_CONCURRENCY", "4")
    monkeypatch.setattr(kirim_mod, "PROGRES_SETIAP", 5)
    siasn_a.latency = 0.02
    seen: list[tuple[int, int]] = []

    def progres(done: int, hasil: HasilKirim) -> None:
        seen.append((done, len(kiriman(org_a))))

    with scope(instansi=org_a.instansi.pk):
        hasil = kirim_mod.siasn_kirim(instansi=org_a.instansi, tahun=TAHUN, jenis=("skp22",), progres=progres)
    assert hasil.terkirim == 30
    dones = [d for d, _stored in seen]
    assert dones == sorted(dones)
    assert dones[-1] == 30
    assert len(set(dones)) >= 3  # the bar moves during the run, not only at the end
    assert all(stored >= done for done, stored in seen)


def test_the_writes_are_set_based(
    siasn_a: FakeSiasn,
    org_a: Org,
    tiga_puluh: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries: Any,
) -> None:
    """30 first sends (30 SIASN ids, 30 results, 30 audit rows) in one batch: the same handful of queries as
    for 3 (planning 3 + lock-free upserts and one insert + the run's audit row)."""
    monkeypatch.setattr(kirim_mod, "SIMPAN_DETIK", 30.0)  # one batch: the count does not depend on timing
    monkeypatch.setattr(kirim_mod, "SIMPAN_MAKS", 1000)
    with scope(instansi=org_a.instansi.pk), django_assert_max_num_queries(14):
        hasil = kirim_mod.siasn_kirim(instansi=org_a.instansi, tahun=TAHUN, jenis=("skp22",))
    assert (hasil.total, hasil.terkirim) == (30, 30)
    assert len(kiriman(org_a)) == 30


def test_the_run_lock_is_renewed_from_its_thread(org_a: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lease is renewed by another thread than the one that took it (redis-py keeps a lock's token
    thread-local by default: the renewal then failed and a run longer than the lease lost its lock)."""
    import time

    from evaluasi.siasn.kirim import kunci_kirim
    from kinerja.exceptions import InvalidTransition

    monkeypatch.setattr(kirim_mod, "KUNCI_LEASE", 0.6)  # renewed every 0.2 s
    with kunci_kirim(org_a.instansi):
        time.sleep(1.5)  # well past the lease: only renewals keep it
        with pytest.raises(InvalidTransition), kunci_kirim(org_a.instansi):
            pass
    with kunci_kirim(org_a.instansi):
        pass


def test_a_run_that_loses_its_lock_starts_no_new_call(
    siasn_a: FakeSiasn, org_a: Org, tiga_puluh: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review: when the lease is found lost (lapsed, or Redis lost it: another run may have started), the run
    stops starting calls, stores what came back and fails; a re-run sends the rest, none twice."""
    import threading

    import redis
    from django.conf import settings
    from django.core.management import CommandError

    monkeypatch.setattr(kirim_mod, "KUNCI_LEASE", 0.6)  # renewed every 0.2 s
    monkeypatch.setenv("KINERJA_SIASN_CONCURRENCY", "2")
    siasn_a.latency = 0.1  # 30 pegawai: about 1.5 s
    conn = redis.Redis.from_url(settings.REDIS_URL)
    buang = threading.Timer(0.3, conn.delete, args=[f"kinerja:siasn_kirim:{org_a.instansi.pk}"])
    buang.start()
    try:
        with pytest.raises(CommandError, match="kunci pengiriman"):
            run()
    finally:
        buang.cancel()
    stored = {nip for nip, k in kiriman(org_a).items() if k.status == "terkirim"}
    assert 0 < len(siasn_a.records) == len(stored) < 30  # stopped early; every answer stored
    assert all(k.status == "terkirim" for k in kiriman(org_a).values())  # the intent of the rest withdrawn
    siasn_a.requests.clear()
    code, out, err = run()
    assert code == 0, err
    assert f"{30 - len(stored)} terkirim, {len(stored)} tidak berubah, 0 gagal" in out
    assert len(siasn_a.records) == 30
