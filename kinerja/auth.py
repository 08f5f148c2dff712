"""Login guard: per-IP and per-NIP limits for both login paths (page and API), and axes' lockout answer.

Both login paths call ``authenticate_guarded``; nothing else in the product checks a password.

* **Per client address** (``client_ip``, proxy-aware; IPv6 by /64): at most
  ``KINERJA_LOGIN_IP_LIMIT`` = (failures, seconds) failed logins per window, whatever the NIPs; then
  every login from that address is refused until the window has passed. Stops spraying one password
  over many NIPs.
* **Per NIP** (whitespace removed, so "19890321 201406 1 001" and "198903212014061001" are one key;
  unknown NIPs are counted the same way, so the guard reveals nothing about which NIPs exist): the
  first ``KINERJA_LOGIN_NIP_FREE`` failures cost nothing; after that the NIP waits
  ``KINERJA_LOGIN_NIP_DELAY`` = (base, cap) seconds before the next attempt, doubling with each further
  failure, never longer than the cap. Attempts refused during the wait are not counted and do not
  extend it, and after the wait exactly one attempt is let through (claimed atomically, so parallel
  guesses do not multiply). An attacker therefore gets one guess per wait, and the owner is kept out
  at most ``cap`` seconds after the attacker stops. Failures are forgotten
  ``KINERJA_LOGIN_NIP_MEMORY`` seconds after the last one, and on a successful login.
* **Known device** (the login page only): a successful login leaves a signed cookie naming a hash of
  the NIP and a random device id (``PERANGKAT_COOKIE``). Attempts for that NIP that carry it are
  counted under their own key with the same limits, so an attacker who makes the NIP wait does not
  make its owner wait on a browser the owner has signed in with before (OWASP "device cookies").
* **django-axes** stays as the database-backed backstop (per NIP + address, ``AXES_*`` settings), so
  logins keep a limit when Redis, which holds the counters above, is down.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kinerja.client_ip import client_ip, rate_key

logger = logging.getLogger(__name__)

# Kept for callers written before the guard (the messages now say when to try again: ``Penolakan.pesan``).
LOCKOUT_MESSAGE = _("Terlalu banyak percobaan gagal. Akun dikunci sementara; coba lagi nanti.")


# ------------------------------------------------------------------------------------------ NIP


def normalise_nip(username: Any) -> str:
    """The login key: the NIP as typed, without any whitespace (the app prints NIPs with spaces)."""
    return "".join(str(username or "").split())


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """``AXES_USERNAME_CALLABLE``: axes counts the normalised NIP, like the guard."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        return normalise_nip(credentials[field])
    return normalise_nip(request.POST.get(field, "") if request is not None else "")


# ------------------------------------------------------------------------------------------ guard


@dataclass(frozen=True)
class Penolakan:
    """A login refused before the password was checked: why, and in how many seconds to try again."""

    alasan: str  # "nip" (this NIP waits) or "ip" (this address sent too many failures)
    detik: int

    @property
    def menit(self) -> int:
        return max(1, math.ceil(self.detik / 60))

    @property
    def pukul(self) -> str:
        return timezone.localtime(timezone.now() + timedelta(seconds=self.detik)).strftime("%H:%M %Z").strip()

    @property
    def pesan(self) -> str:
        waktu = ngettext("%(n)d menit", "%(n)d menit", self.menit) % {"n": self.menit}
        if self.alasan == "ip":
            return gettext(
                "Terlalu banyak percobaan masuk yang gagal dari jaringan ini, jadi percobaan masuk dikunci "
                "sementara. Coba lagi dalam %(waktu)s (sekitar pukul %(pukul)s)."
            ) % {"waktu": waktu, "pukul": self.pukul}
        return gettext(
            "Terlalu banyak percobaan gagal untuk NIP ini, jadi akun dikunci sementara. "
            "Coba lagi dalam %(waktu)s (sekitar pukul %(pukul)s)."
        ) % {"waktu": waktu, "pukul": self.pukul}


def _limits() -> tuple[int, int, int, int, int, int]:
    ip_count, ip_window = settings.KINERJA_LOGIN_IP_LIMIT
    base, cap = settings.KINERJA_LOGIN_NIP_DELAY
    return (
        int(ip_count),
        int(ip_window),
        int(settings.KINERJA_LOGIN_NIP_FREE),
        int(base),
        int(cap),
        int(settings.KINERJA_LOGIN_NIP_MEMORY),
    )


PERANGKAT_COOKIE = "kinerja_perangkat"
PERANGKAT_SALT = "kinerja.auth.perangkat"
PERANGKAT_MAX_AGE = 180 * 24 * 3600


def _nip_hash(nip: str) -> str:
    return hashlib.sha256(f"perangkat:{nip}".encode()).hexdigest()[:24]


def known_device(request: HttpRequest, nip: str) -> str | None:
    """The device id of a valid device cookie issued to ``nip`` on this browser, else None."""
    raw = getattr(request, "COOKIES", {}).get(PERANGKAT_COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=PERANGKAT_SALT, max_age=PERANGKAT_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("n") != _nip_hash(nip) or not isinstance(data.get("d"), str):
        return None
    return str(data["d"])


def device_cookie_value(request: HttpRequest, nip: str) -> str:
    """A fresh cookie value for ``nip`` (keeping this browser's device id when it has one)."""
    device = known_device(request, nip) or secrets.token_urlsafe(12)
    return signing.dumps({"n": _nip_hash(nip), "d": device}, salt=PERANGKAT_SALT)


def set_device_cookie(request: HttpRequest, response: HttpResponse, nip: str) -> None:
    from django.urls import reverse

    response.set_cookie(
        PERANGKAT_COOKIE,
        device_cookie_value(request, normalise_nip(nip)),
        max_age=PERANGKAT_MAX_AGE,
        path=reverse("login"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _nip_scope(request: HttpRequest, nip: str) -> str:
    """The key the NIP's failures are counted under: per known device, else shared."""
    device = known_device(request, nip)
    return f"{nip}|{device}" if device else nip


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]  # no NIP or address stored in Redis
    return f"kinerja:login:{settings.KINERJA_LOGIN_GUARD_NAMESPACE}:{kind}:{digest}"


def nip_delay(failures: int) -> int:
    """Seconds a NIP waits after ``failures`` failures: 0 until the free ones are used, then base·2^k ≤ cap."""
    _c, _w, free, base, cap, _m = _limits()
    if failures < free:
        return 0
    return min(base * 2 ** min(failures - free, 30), cap)


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def login_check(request: HttpRequest, username: str) -> Penolakan | None:
    """Whether a login for ``username`` from this client may check its password now."""
    now = time.time()
    ip = rate_key(client_ip(request))
    until = cache.get(_key("ip-blok", ip))
    if until and until > now:
        return Penolakan("ip", math.ceil(until - now))
    nip = _nip_scope(request, normalise_nip(username))
    failures = int(cache.get(_key("nip", nip)) or 0)
    delay = nip_delay(failures)
    if delay:
        gate = _key("nip-tunggu", nip)
        # One attempt per wait: whoever adds the gate may try; the others wait until it expires.
        if not cache.add(gate, now + delay, timeout=delay):
            until = cache.get(gate) or (now + delay)
            return Penolakan("nip", max(1, math.ceil(until - now)))
    return None


def login_failed(request: HttpRequest, username: str) -> None:
    """Count a wrong password for the client address and for the NIP."""
    ip_count, ip_window, _free, _b, _c, memory = _limits()
    now = time.time()
    ip = rate_key(client_ip(request))
    if _incr(_key("ip", ip), ip_window) >= ip_count:
        cache.set(_key("ip-blok", ip), now + ip_window, timeout=ip_window)
        logger.warning("login: address %s blocked for %ss after %s failures", ip, ip_window, ip_count)
    nip = _nip_scope(request, normalise_nip(username))
    key = _key("nip", nip)
    failures = _incr(key, memory)
    cache.touch(key, memory)
    delay = nip_delay(failures)
    if delay:
        cache.set(_key("nip-tunggu", nip), now + delay, timeout=delay)
        logger.warning("login: NIP %s waits %ss after %s failures", key[-8:], delay, failures)


def login_succeeded(request: HttpRequest, username: str) -> None:
    """The right password: the NIP's failures (on this known device, if any) are forgotten; the
    address's are not."""
    nip = _nip_scope(request, normalise_nip(username))
    cache.delete_many([_key("nip", nip), _key("nip-tunggu", nip)])


def authenticate_guarded(request: HttpRequest, username: str, password: str) -> tuple[Any, Penolakan | None]:
    """``authenticate`` behind the guard: (user or None, refusal or None). The one password check."""
    nip = normalise_nip(username)
    refused = login_check(request, nip)
    if refused is not None:
        return None, refused
    user = authenticate(request, username=nip, password=password)
    if getattr(request, "axes_locked_out", False):  # the database-backed backstop
        return None, Penolakan("nip", axes_cooloff_seconds(request))
    if user is None or not user.is_active:
        login_failed(request, nip)
        return None, None
    login_succeeded(request, nip)
    return user, None


# ------------------------------------------------------------------------------------------ axes


def axes_cooloff_seconds(request: HttpRequest | None = None) -> int:
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 3600


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """axes' answer when its backstop refuses a request outside ``authenticate_guarded``."""
    penolakan = Penolakan("nip", axes_cooloff_seconds(request))
    if request.path.startswith("/api/"):
        resp: HttpResponse = JsonResponse({"detail": penolakan.pesan}, status=401)
    else:
        resp = lockout_page(request, penolakan)
    resp["Retry-After"] = str(penolakan.detik)
    return resp


def lockout_page(request: HttpRequest, penolakan: Penolakan) -> HttpResponse:
    resp = render(
        request, "registration/lockout.html", {"pesan": penolakan.pesan, "penolakan": penolakan}, status=429
    )
    resp["Retry-After"] = str(penolakan.detik)
    return resp
