"""The SIASN client alone: Retry-After and backoff, the rate limit, timeouts, tokens (no database)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from evaluasi.siasn.client import RateLimiter, SiasnAuthError, SiasnClient, SiasnError
from evaluasi.siasn.config import SiasnBelumDiatur, siasn_config_for
from tests.siasn.fake import CONSUMER_SECRET, SSO_PASSWORD, FakeSiasn


@pytest.fixture
def client(fake_siasn: FakeSiasn, monkeypatch: pytest.MonkeyPatch) -> Any:
    for k, v in fake_siasn.env("KLIEN").items():
        monkeypatch.setenv(k, v)
    sleeps: list[float] = []
    c = SiasnClient(siasn_config_for("KLIEN"), sleep=sleeps.append)
    c.lupakan_token()
    c.sleeps = sleeps  # type: ignore[attr-defined]
    yield c
    c.lupakan_token()
    c.close()


def test_retry_after_is_honoured_and_capped_and_5xx_backs_off_exponentially(
    fake_siasn: FakeSiasn, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_siasn.inject("skp22/save", 429, count=1, headers={"Retry-After": "0"})
    fake_siasn.inject("skp22/save", 429, count=1, headers={"Retry-After": "30"})  # capped at 0.2 (fixture)
    fake_siasn.inject("skp22/save", 502, count=1)
    with pytest.raises(SiasnError) as exc:  # an update (idempotent); the 4th attempt is a 400: not retried
        client.simpan("skp22/save", {"id": "skp22-1", "bad": 1})
    assert exc.value.status == 400
    assert client.sleeps == [0.0, 0.2, 0.01 * 2**2]
    assert client.jumlah_ulang == 3


def test_timeouts_are_bounded(fake_siasn: FakeSiasn, client: Any) -> None:
    fake_siasn.inject("data-utama", "timeout", count=10, headers={"seconds": "1.3"})
    t0 = time.monotonic()
    with pytest.raises(SiasnError, match="tidak menjawab dalam 1 detik") as exc:
        client.data_utama("198501012010011001")
    assert exc.value.sementara
    assert time.monotonic() - t0 < 4 * 1.3 + 2  # 1 + 3 retries, each cut at the 1 s timeout
    assert len(client.sleeps) == 3


def test_tokens_are_cached_across_clients_and_refused_credentials_stop(
    fake_siasn: FakeSiasn, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.data_utama("198501012010011001")["id"] == "pns-198501012010011001"
    other = SiasnClient(siasn_config_for("KLIEN"))  # another worker: the cache (Redis) has both tokens
    other.data_utama("198501012010011002")
    assert fake_siasn.token_calls == {"gateway": 1, "sso": 1}
    monkeypatch.setenv("KINERJA_SIASN_KLIEN_SSO_PASSWORD", "salah")
    bad = SiasnClient(siasn_config_for("KLIEN"))
    bad.lupakan_token()
    with pytest.raises(SiasnAuthError, match="Token SSO SIASN ditolak") as exc:
        bad.data_utama("198501012010011003")
    assert SSO_PASSWORD not in str(exc.value)
    assert "salah" not in str(exc.value)


def test_config_repr_hides_secrets_and_missing_settings_are_named(client: Any) -> None:
    assert CONSUMER_SECRET not in repr(client.config)
    assert SSO_PASSWORD not in repr(client.config)
    with pytest.raises(SiasnBelumDiatur, match="KINERJA_SIASN_TIDAK_ADA_BASE_URL"):
        siasn_config_for("tidak-ada")


def test_rate_limiter_spaces_requests() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(round(s, 6))

    limiter = RateLimiter(20, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limiter.tunggu()
    assert slept == [0.05, 0.1, 0.15, 0.2]
    assert RateLimiter(0).interval == 0


def test_rate_limit_against_the_fake(fake_siasn: FakeSiasn, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in fake_siasn.env("KLIEN").items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("KINERJA_SIASN_RPS", "20")
    c = SiasnClient(siasn_config_for("KLIEN"))
    c.data_utama("198501012010011001")  # tokens + 1 call
    t0 = time.monotonic()
    for i in range(10):
        c.data_utama(f"19850101201001100{i}")
    elapsed = time.monotonic() - t0
    assert elapsed >= 9 / 20 - 0.01
    c.close()


def test_a_first_save_is_not_repeated_after_an_ambiguous_failure_but_429_is(
    fake_siasn: FakeSiasn, client: Any
) -> None:
    fake_siasn.inject("skp22/save", 429, count=1, headers={"Retry-After": "0"})  # refused: repeated
    fake_siasn.inject("skp22/save", 502, count=1)  # may be stored: not repeated
    with pytest.raises(SiasnError) as exc:
        client.simpan("skp22/save", {"id": None, "bad": 1})
    assert (exc.value.status, exc.value.ragu, exc.value.sementara) == (502, True, True)
    assert [r["status"] for r in fake_siasn.posts()] == [429, 502]
    fake_siasn.inject("skp22/save", "timeout", count=1, headers={"seconds": "1.3"})  # a read timeout
    sebelum = fake_siasn.calls
    with pytest.raises(SiasnError, match="tidak menjawab") as exc:
        client.simpan("skp22/save", {"id": None, "bad": 1})
    assert exc.value.ragu
    assert fake_siasn.calls - sebelum == 1  # one call arrived (tokens are cached): not repeated


@pytest.mark.parametrize(
    ("galat", "id_", "ulang"),
    [
        ("ConnectError", None, True),  # never connected: nothing reached SIASN
        ("ConnectTimeout", None, True),
        ("PoolTimeout", None, True),
        ("RemoteProtocolError", None, False),  # dropped after the request went out: may be stored
        ("ReadError", None, False),
        ("ReadTimeout", None, False),
        ("WriteTimeout", None, False),
        ("ReadError", "skp22-1", True),  # an update is idempotent: repeated
    ],
)
def test_which_transport_failures_repeat_a_save(
    monkeypatch: pytest.MonkeyPatch, galat: str, id_: str | None, ulang: bool
) -> None:
    import httpx

    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        if len([c for c in calls if c.endswith("/save")]) < 3:
            raise getattr(httpx, galat)("gagal", request=request)
        return httpx.Response(200, json={"success": True, "mapData": {"id": "skp22-9"}})

    fake = FakeSiasn(url="http://siasn.invalid")
    for k, v in fake.env("KLIEN2").items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("KINERJA_SIASN_MAX_RETRIES", "3")
    c = SiasnClient(siasn_config_for("KLIEN2"), transport=httpx.MockTransport(handler), sleep=lambda s: None)
    c.lupakan_token()
    try:
        if ulang:
            assert c.simpan("skp22/save", {"id": id_})[0] == "skp22-9"
        else:
            with pytest.raises(SiasnError) as exc:
                c.simpan("skp22/save", {"id": id_})
            assert exc.value.ragu
    finally:
        c.lupakan_token()
        c.close()
    assert len([p for p in calls if p.endswith("/save")]) == (3 if ulang else 1)
