"""Brute force against both login paths (issue #15) and the NIP typed with spaces (issue #14).

Every attack test runs the attack as it worked before the login guard and checks that it no longer
succeeds. Limits are the production defaults unless a test says otherwise (the short delays of the
timing tests are set with ``settings``, never loosened for the whole suite)."""

import secrets
import time
import uuid
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from kinerja.auth import PERANGKAT_COOKIE, nip_delay, normalise_nip
from kinerja.client_ip import client_ip, rate_key
from kinerja.validators import format_nip
from tests.conftest import PASSWORD, Org

pytestmark = pytest.mark.django_db

PROXY = "10.255.0.2"  # the documented reverse proxy in front of the web nodes
TOKEN_URL = "/api/v1/auth/token/"


def _ip() -> str:
    return f"198.51.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def _fake_nip() -> str:
    return f"1990010120150{secrets.randbelow(10)}1{secrets.randbelow(900) + 100:03d}"


def _web(client: Client, nip: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("login"), {"username": nip, "password": password}, **extra)


def _api(client: Client, nip: str, password: str, **extra: Any) -> Any:
    return client.post(
        TOKEN_URL, {"username": nip, "password": password}, content_type="application/json", **extra
    )


def _refused(path: str, resp: Any) -> bool:
    """The guard's refusal: the lockout page (429) or the API's 401 with the lockout message."""
    if path == "web":
        return resp.status_code == 429 and "registration/lockout.html" in [t.name for t in resp.templates]
    return resp.status_code == 401 and "dikunci" in resp.json()["detail"]


def _logged_in(path: str, resp: Any) -> bool:
    if path == "web":
        return resp.status_code == 302 and resp["Location"] == reverse("dashboard")
    return resp.status_code == 200 and bool(resp.json().get("token"))


LOGIN = {"web": _web, "api": _api}


# ------------------------------------------------------------------------------------ client address


def _req(remote: str = "203.0.113.9", xff: str | None = None) -> Any:
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


def test_client_ip_ignores_x_forwarded_for_without_trusted_proxies(settings: Any) -> None:
    settings.KINERJA_TRUSTED_PROXIES = 0
    assert client_ip(_req("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_client_ip_takes_the_address_the_trusted_proxies_wrote(settings: Any) -> None:
    settings.KINERJA_TRUSTED_PROXIES = 1
    # the client forged the left part; the proxy appended the real peer address
    assert client_ip(_req(PROXY, "1.2.3.4, 6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    settings.KINERJA_TRUSTED_PROXIES = 2  # CDN + nginx: the CDN wrote the client, nginx the CDN
    assert client_ip(_req(PROXY, "1.2.3.4, 198.51.100.7, 192.0.2.50")) == "198.51.100.7"
    # fewer hops than proxies (the request bypassed one) or garbage: the header is not trusted
    assert client_ip(_req(PROXY, "198.51.100.7")) == PROXY
    settings.KINERJA_TRUSTED_PROXIES = 1
    assert client_ip(_req(PROXY, "nonsense")) == PROXY
    assert client_ip(_req(PROXY, "")) == PROXY
    assert client_ip(_req(PROXY, "1.2.3.4, [2001:db8::5]:443")) == "2001:db8::5"


def test_rate_key_groups_ipv6_by_64() -> None:
    assert rate_key("2001:db8:1:2:aaaa::1") == rate_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert rate_key("2001:db8:1:3::1") != rate_key("2001:db8:1:2::1")
    assert rate_key("198.51.100.7") == "198.51.100.7"


def test_forged_x_forwarded_for_no_longer_escapes_the_api_login_throttle(
    org_a: Org, monkeypatch: Any
) -> None:
    # before: DRF's get_ident used the forged header, so a new value per request was a new client
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    client = APIClient(REMOTE_ADDR=_ip())
    codes = [
        client.post(
            TOKEN_URL,
            {"username": _fake_nip(), "password": "salah"},
            format="json",
            HTTP_X_FORWARDED_FOR=_ip(),
        ).status_code
        for _ in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]


def test_behind_the_proxy_each_client_has_its_own_throttle(
    org_a: Org, monkeypatch: Any, settings: Any
) -> None:
    settings.KINERJA_TRUSTED_PROXIES = 1
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    proxy = APIClient(REMOTE_ADDR=PROXY)
    attacker, victim = _ip(), _ip()
    codes = [
        proxy.post(
            TOKEN_URL,
            {"username": _fake_nip(), "password": "salah"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"{_ip()}, {attacker}",  # the forged left part changes every time
        ).status_code
        for _ in range(4)
    ]
    assert codes[-1] == 429
    resp = proxy.post(
        TOKEN_URL,
        {"username": org_a.pegawai.nip, "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR=victim,
    )
    assert resp.status_code == 200


# ------------------------------------------------------------------------------------ per address


@pytest.mark.parametrize("path", ["web", "api"])
def test_password_spraying_over_many_nips_is_stopped_per_address(
    org_a: Org, settings: Any, path: str
) -> None:
    # before: the lockout was per (NIP, address), so one password over 31 NIPs was never stopped
    limit, window = settings.KINERJA_LOGIN_IP_LIMIT
    assert (limit, window) == (30, 600)  # the production default
    login = LOGIN[path]
    sprayer = Client(REMOTE_ADDR=_ip())
    for _ in range(limit):
        resp = login(sprayer, _fake_nip(), "Password123!")
        assert not _refused(path, resp)
    # the next guess is refused, even with a real NIP and its right password
    resp = login(sprayer, org_a.pegawai.nip, PASSWORD)
    assert _refused(path, resp)
    assert 540 <= int(resp["Retry-After"]) <= window
    text = resp.content.decode()
    assert "jaringan ini" in text
    assert "10 menit" in text
    # another client is not affected
    assert _logged_in(path, login(Client(REMOTE_ADDR=_ip()), org_a.pegawai.nip, PASSWORD))


def test_behind_the_proxy_a_sprayer_does_not_lock_out_everyone(org_a: Org, settings: Any) -> None:
    # before: behind the proxy every client was the proxy's address, so one sprayer blocked everybody
    settings.KINERJA_TRUSTED_PROXIES = 1
    proxy = Client(REMOTE_ADDR=PROXY)
    sprayer = _ip()
    limit, _window = settings.KINERJA_LOGIN_IP_LIMIT
    for _ in range(limit + 3):
        _web(proxy, _fake_nip(), "Password123!", HTTP_X_FORWARDED_FOR=f"{_ip()}, {sprayer}")
    assert _refused("web", _web(proxy, org_a.rekan.nip, PASSWORD, HTTP_X_FORWARDED_FOR=sprayer))
    assert _logged_in("web", _web(proxy, org_a.pegawai.nip, PASSWORD, HTTP_X_FORWARDED_FOR=_ip()))


# ------------------------------------------------------------------------------------ per NIP


def test_nip_delays_grow_from_one_minute_and_stop_at_fifteen() -> None:
    assert [nip_delay(n) for n in range(12)] == [0, 0, 0, 0, 0, 60, 120, 240, 480, 900, 900, 900]
    assert nip_delay(10_000) == 900


@pytest.mark.parametrize("path", ["web", "api"])
def test_five_failures_make_the_nip_wait_one_minute_not_thirty(org_a: Org, settings: Any, path: str) -> None:
    login = LOGIN[path]
    nip = org_a.pegawai.nip
    for _ in range(settings.KINERJA_LOGIN_NIP_FREE):
        assert not _refused(path, login(Client(REMOTE_ADDR=_ip()), nip, "salah"))
    # from any address, even with the right password: wait one minute
    resp = login(Client(REMOTE_ADDR=_ip()), nip, PASSWORD)
    assert _refused(path, resp)
    assert 55 <= int(resp["Retry-After"]) <= 60
    assert "1 menit" in resp.content.decode()
    # hammering during the wait is refused without counting: the wait does not grow
    for _ in range(10):
        resp = login(Client(REMOTE_ADDR=_ip()), nip, "salah")
        assert _refused(path, resp)
        assert int(resp["Retry-After"]) <= 60
    # other NIPs are not affected
    assert _logged_in(path, login(Client(REMOTE_ADDR=_ip()), org_a.rekan.nip, PASSWORD))


def test_the_wait_doubles_is_capped_and_the_owner_gets_in_after_it(org_a: Org, settings: Any) -> None:
    # the production shape in seconds instead of minutes: a wait after every failure, 1 s doubling, cap 2 s
    settings.KINERJA_LOGIN_NIP_FREE = 1
    settings.KINERJA_LOGIN_NIP_DELAY = (1, 2)
    nip = org_a.pegawai.nip
    c = APIClient(REMOTE_ADDR=_ip())
    waits = []
    for _ in range(4):
        resp = _api(c, nip, "salah")
        while _refused("api", resp):  # an attacker retrying as soon as the wait is over
            time.sleep(0.2)
            resp = _api(c, nip, "salah")
        assert resp.status_code == 401
        probe = _api(c, nip, "salah")  # refused (so not counted): how long is the wait now?
        assert _refused("api", probe)
        waits.append(int(probe["Retry-After"]))
    assert waits == [1, 2, 2, 2]
    # an attacker who stops: the owner is kept out at most the cap
    time.sleep(2.1)
    assert _logged_in("api", _api(c, nip, PASSWORD))
    # and the success forgets the failures
    assert not _refused("api", _api(c, nip, "salah"))


def test_after_the_wait_only_one_guess_goes_through(org_a: Org, settings: Any) -> None:
    settings.KINERJA_LOGIN_NIP_FREE = 1
    settings.KINERJA_LOGIN_NIP_DELAY = (1, 1)
    nip = org_a.pegawai.nip
    assert _api(Client(REMOTE_ADDR=_ip()), nip, "salah").status_code == 401
    time.sleep(1.1)
    answers = [_api(Client(REMOTE_ADDR=_ip()), nip, "salah") for _ in range(5)]
    assert [_refused("api", r) for r in answers] == [False, True, True, True, True]


def test_unknown_nips_are_limited_like_real_ones(db: Any, settings: Any) -> None:
    # same answers for a NIP that does not exist, so the guard is no account oracle
    nip = _fake_nip()
    answers = [
        _api(Client(REMOTE_ADDR=_ip()), nip, "salah") for _ in range(settings.KINERJA_LOGIN_NIP_FREE + 1)
    ]
    assert [r.status_code for r in answers] == [401] * len(answers)
    assert _refused("api", answers[-1])


# ------------------------------------------------------------------------------------ known device


def test_an_attacker_does_not_keep_the_owner_waiting_on_a_known_device(org_a: Org, settings: Any) -> None:
    nip = org_a.pegawai.nip
    owner = Client(REMOTE_ADDR=_ip())
    assert _logged_in("web", _web(owner, nip, PASSWORD))
    assert PERANGKAT_COOKIE in owner.cookies
    owner.post(reverse("logout"))
    # an attacker elsewhere makes the NIP wait
    for _ in range(settings.KINERJA_LOGIN_NIP_FREE):
        _web(Client(REMOTE_ADDR=_ip()), nip, "salah")
    assert _refused("web", _web(Client(REMOTE_ADDR=_ip()), nip, PASSWORD))
    # the owner, on the browser they signed in with before, is not kept waiting
    assert _logged_in("web", _web(owner, nip, PASSWORD))
    # while the attacker still is
    assert _refused("web", _web(Client(REMOTE_ADDR=_ip()), nip, "tebakan"))


def test_a_device_cookie_of_another_nip_or_forged_gives_nothing(org_a: Org, settings: Any) -> None:
    victim = org_a.pegawai.nip
    attacker = Client(REMOTE_ADDR=_ip())
    assert _logged_in("web", _web(attacker, org_a.rekan.nip, PASSWORD))  # the attacker's own account
    attacker.post(reverse("logout"))
    for _ in range(settings.KINERJA_LOGIN_NIP_FREE):
        _web(Client(REMOTE_ADDR=_ip()), victim, "salah")
    # the attacker's own device cookie names another NIP: it does not open the victim's own counter
    assert _refused("web", _web(attacker, victim, "tebakan"))
    forged = Client(REMOTE_ADDR=_ip())
    forged.cookies[PERANGKAT_COOKIE] = "eyJuIjoiMSIsImQiOiJ4In0:1:forged"
    assert _refused("web", _web(forged, victim, "tebakan"))


def test_a_known_device_gets_the_same_growing_waits(org_a: Org, settings: Any) -> None:
    # a stolen device cookie is no free pass: its own counter has the same limits
    nip = org_a.pegawai.nip
    device = Client(REMOTE_ADDR=_ip())
    assert _logged_in("web", _web(device, nip, PASSWORD))
    device.post(reverse("logout"))
    for _ in range(settings.KINERJA_LOGIN_NIP_FREE):
        assert not _refused("web", _web(device, nip, "salah"))
    resp = _web(device, nip, PASSWORD)
    assert _refused("web", resp)
    assert 55 <= int(resp["Retry-After"]) <= 60
    # the device's failures do not make the NIP wait elsewhere
    assert _logged_in("web", _web(Client(REMOTE_ADDR=_ip()), nip, PASSWORD))


# ------------------------------------------------------------------------------------ NIP with spaces


@pytest.mark.parametrize("path", ["web", "api"])
def test_nip_typed_with_spaces_as_printed_logs_in(org_a: Org, path: str) -> None:
    printed = format_nip(org_a.pegawai.nip)
    assert " " in printed
    assert _logged_in(path, LOGIN[path](Client(REMOTE_ADDR=_ip()), printed, PASSWORD))
    assert _logged_in(path, LOGIN[path](Client(REMOTE_ADDR=_ip()), f"  {printed}\t", PASSWORD))


def test_nip_with_and_without_spaces_is_one_key(org_a: Org, settings: Any) -> None:
    nip = org_a.pegawai.nip
    assert normalise_nip(format_nip(nip)) == nip
    free = settings.KINERJA_LOGIN_NIP_FREE
    for i in range(free):
        typed = format_nip(nip) if i % 2 else nip
        assert not _refused("web", _web(Client(REMOTE_ADDR=_ip()), typed, "salah"))
    assert _refused("web", _web(Client(REMOTE_ADDR=_ip()), nip, PASSWORD))
    assert _refused("web", _web(Client(REMOTE_ADDR=_ip()), format_nip(nip), PASSWORD))


# ------------------------------------------------------------------------------------ axes backstop


def test_axes_records_the_normalised_nip_and_the_real_client(org_a: Org, settings: Any) -> None:
    settings.KINERJA_TRUSTED_PROXIES = 1
    client = _ip()
    _web(
        Client(REMOTE_ADDR=PROXY),
        format_nip(org_a.pegawai.nip),
        "salah",
        HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client}",
    )
    row = AccessAttempt.objects.get(username=org_a.pegawai.nip)
    assert row.ip_address == client


@pytest.mark.parametrize("path", ["web", "api"])
def test_without_redis_axes_still_limits_logins(org_a: Org, settings: Any, path: str) -> None:
    # Redis down: the guard's counters read as empty (fail open); axes' database backstop still locks
    settings.CACHES = {
        "default": {
            "BACKEND": "kinerja.resilience.FailSoftRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "KEY_PREFIX": f"mati-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.AXES_FAILURE_LIMIT = 3
    ip = _ip()
    for _ in range(3):
        LOGIN[path](Client(REMOTE_ADDR=ip), org_a.pegawai.nip, "salah")
    resp = LOGIN[path](Client(REMOTE_ADDR=ip), org_a.pegawai.nip, PASSWORD)
    assert _refused(path, resp)
    assert int(resp["Retry-After"]) == 15 * 60
    # per address: the owner elsewhere is not kept out
    assert _logged_in(path, LOGIN[path](Client(REMOTE_ADDR=_ip()), org_a.pegawai.nip, PASSWORD))


# ------------------------------------------------------------------------------------ verification


def test_forged_x_forwarded_for_does_not_escape_the_verification_limit(db: Any, settings: Any) -> None:
    settings.KINERJA_VERIFIKASI_LOOKUP_RATE = (3, 60)
    c = Client(REMOTE_ADDR=_ip())
    codes = [c.get("/verifikasi/T1DAKADA99/", HTTP_X_FORWARDED_FOR=_ip()).status_code for _ in range(5)]
    assert codes[:3] == [404, 404, 404]
    assert codes[3:] == [429, 429]


def test_behind_the_proxy_verification_limits_are_per_client(db: Any, settings: Any) -> None:
    settings.KINERJA_TRUSTED_PROXIES = 1
    settings.KINERJA_VERIFIKASI_LOOKUP_RATE = (3, 60)
    c = Client(REMOTE_ADDR=PROXY)
    noisy = _ip()
    codes = [
        c.get("/verifikasi/T1DAKADA99/", HTTP_X_FORWARDED_FOR=f"{_ip()}, {noisy}").status_code
        for _ in range(4)
    ]
    assert codes[-1] == 429
    assert c.get("/verifikasi/T1DAKADA99/", HTTP_X_FORWARDED_FOR=_ip()).status_code == 404
