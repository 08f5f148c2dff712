"""HTTP client of the SIASN web service (httpx): two tokens, retries with backoff, a rate limit.

* Gateway token: OAuth2 client credentials against ``TOKEN_URL`` (consumer key/secret as HTTP Basic),
  sent as ``Authorization: Bearer ...``. SSO token: OAuth2 password grant against ``SSO_URL``
  (``client_id``, ``username``, ``password``), sent as ``Auth: bearer ...``. Both are cached (Django
  cache, i.e. Redis, shared by every worker; plus the process) until shortly before they expire, and
  fetched again once when SIASN answers 401.
* Every call has a timeout. 429, 5xx, timeouts and connection errors are retried at most
  ``max_retries`` times with exponential backoff (``backoff * 2**n``), honouring ``Retry-After`` (capped
  at ``retry_after_max``). Other 4xx are returned at once as ``SiasnError`` (reported per pegawai).
* Except a first save (``POST`` with ``"id": null``, not idempotent: SIASN has no idempotency key): after an
  ambiguous failure (a timeout or a dropped connection after the request went out, a 5xx) it is never
  repeated here; ``SiasnError(ragu=True)`` goes back to the sender, which asks SIASN's riwayat whether the
  record was stored (``kirim.py``). Only what cannot have reached SIASN is retried for it: 429, and a
  connection that was never made (``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``).
* A client-side rate limit spaces every request (tokens included) ``1/rps`` seconds apart.
* One client is shared by the send run's worker threads (``kirim.py``): httpx's client, the rate limiter,
  the token fetch (one thread fetches, the others wait for it) and the 401 handling (only the token that was
  refused is dropped, so N threads that all got a 401 fetch one new pair) are thread-safe.
* Nothing here logs a header, a token, a secret or a request body.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from django.core.cache import cache

from evaluasi.siasn.config import SiasnConfig

logger = logging.getLogger(__name__)

#: SIASN's answer and message are kept in the audit; a body larger than this is cut.
MAX_JAWABAN = 4000


class SiasnError(Exception):
    """SIASN refused or could not be reached. ``sementara``: a transient fault that outlived the retries.
    ``ragu``: a first save whose fate is unknown (SIASN may have stored it); it was not repeated."""

    def __init__(
        self,
        pesan: str,
        *,
        status: int | None = None,
        jawaban: Any = None,
        sementara: bool = False,
        ragu: bool = False,
    ) -> None:
        super().__init__(pesan)
        self.pesan, self.status, self.jawaban, self.sementara = pesan, status, jawaban, sementara
        self.ragu = ragu


class SiasnAuthError(SiasnError):
    """A token endpoint refused the credentials: nothing can be sent (a settings problem)."""


class RateLimiter:
    """At most ``rps`` calls per second (``rps <= 0``: no limit), spaced evenly; thread-safe."""

    def __init__(
        self,
        rps: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rps if rps > 0 else 0.0
        self._clock, self._sleep, self._next = clock, sleep, 0.0
        self._lock = threading.Lock()

    def tunggu(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self._sleep(slot - now)


def _pesan_dari(resp: httpx.Response) -> tuple[str, Any]:
    """SIASN's message and body (JSON when it is JSON, else text), cut to ``MAX_JAWABAN``."""
    try:
        body: Any = resp.json()
    except ValueError:
        text = resp.text[:MAX_JAWABAN]
        return (text.strip() or f"HTTP {resp.status_code}"), text
    pesan = ""
    if isinstance(body, dict):
        for key in ("message", "error_description", "error", "data"):
            if isinstance(body.get(key), str) and body[key].strip():
                pesan = body[key].strip()
                break
    if len(json.dumps(body, default=str)) > MAX_JAWABAN:
        body = {"terpotong": json.dumps(body, default=str)[:MAX_JAWABAN]}
    return (pesan or f"HTTP {resp.status_code}")[:1000], body


def _retry_after(resp: httpx.Response) -> float | None:
    raw = (resp.headers.get("Retry-After") or "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


#: failures of a request that never left this process: safe to repeat even for a first save
_BELUM_TERKIRIM = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class SiasnClient:
    """One instansi's connection to SIASN. ``sleep`` is injectable (tests, the benchmark)."""

    def __init__(
        self,
        config: SiasnConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self.limiter = RateLimiter(config.rps, sleep=sleep)
        self.http = httpx.Client(
            timeout=httpx.Timeout(config.timeout, connect=min(10.0, config.timeout)),
            transport=transport,
            headers={"Accept": "application/json"},
        )
        self._tokens: dict[str, tuple[str, float]] = {}
        self._token_lock = threading.Lock()
        self._hitung_lock = threading.Lock()
        self.jumlah_request = 0
        self.jumlah_ulang = 0

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SiasnClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------ tokens

    def _cache_key(self, jenis: str) -> str:
        c = self.config
        ident = c.token_url + "|" + c.consumer_key if jenis == "gateway" else c.sso_url + "|" + c.sso_username
        return f"siasn:token:{c.kode}:{jenis}:{hashlib.sha256(ident.encode()).hexdigest()[:24]}"

    def _token(self, jenis: str) -> str:
        hit = self._tokens.get(jenis)
        if hit and hit[1] > time.monotonic():
            return hit[0]
        with self._token_lock:  # one thread fetches; the others find it when they get the lock
            return self._token_terkunci(jenis)

    def _token_terkunci(self, jenis: str) -> str:
        now = time.monotonic()
        hit = self._tokens.get(jenis)
        if hit and hit[1] > now:
            return hit[0]
        key = self._cache_key(jenis)
        cached = cache.get(key)
        if isinstance(cached, str) and cached:
            self._tokens[jenis] = (cached, now + 60)
            return cached
        token, ttl = self._token_baru(jenis)
        ttl = max(1, int(ttl) - 30) if ttl > 60 else max(1, int(ttl))
        cache.set(key, token, timeout=ttl)
        self._tokens[jenis] = (token, now + min(ttl, 60))
        return token

    def _token_baru(self, jenis: str) -> tuple[str, float]:
        c = self.config
        if jenis == "gateway":
            url, data, auth = (
                c.token_url,
                {"grant_type": "client_credentials"},
                httpx.BasicAuth(c.consumer_key, c.consumer_secret),
            )
        else:
            url = c.sso_url
            data = {
                "grant_type": "password",
                "client_id": c.sso_client_id,
                "username": c.sso_username,
                "password": c.sso_password,
            }
            auth = None
        nama = "gateway" if jenis == "gateway" else "SSO"
        resp = self._dengan_ulang(
            lambda: self.http.post(url, data=data, auth=auth or httpx.USE_CLIENT_DEFAULT), f"token {nama}"
        )
        if resp.status_code != 200:
            # never echo the body: a token endpoint may repeat what it was sent
            raise SiasnAuthError(
                f"Token {nama} SIASN ditolak (HTTP {resp.status_code}); periksa pengaturan "
                f"KINERJA_SIASN_{c.kode.upper()}_*.",
                status=resp.status_code,
            )
        try:
            body = resp.json()
            token, ttl = str(body["access_token"]), float(body.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError):
            raise SiasnAuthError(f"Jawaban token {nama} SIASN tidak dapat dibaca.") from None
        return token, ttl

    def lupakan_token(self, ditolak: tuple[str, str] | None = None) -> None:
        """Drop both tokens (cache too). ``ditolak``: the (gateway, SSO) pair a 401 answered; dropped only
        while it is still the current pair (another thread may have fetched a new one meanwhile)."""
        with self._token_lock:
            if ditolak is not None:
                kini = (self._tokens.get("gateway", ("", 0.0))[0], self._tokens.get("sso", ("", 0.0))[0])
                if kini != ditolak and all(kini):
                    return
            self._tokens.clear()
            cache.delete_many([self._cache_key("gateway"), self._cache_key("sso")])

    # ------------------------------------------------------------------------------------------ calls

    def _dengan_ulang(
        self, kirim: Callable[[], httpx.Response], apa: str, *, idempoten: bool = True
    ) -> httpx.Response:
        """``kirim()`` under the rate limit; 429/5xx/timeouts/connection errors retried with backoff.
        ``idempoten=False`` (a first save): an ambiguous failure is raised at once with ``ragu=True``."""
        c = self.config
        for percobaan in range(c.max_retries + 1):
            terakhir = percobaan == c.max_retries
            self.limiter.tunggu()
            with self._hitung_lock:
                self.jumlah_request += 1
            try:
                resp = kirim()
            except httpx.TimeoutException as exc:
                ragu = not idempoten and not isinstance(exc, _BELUM_TERKIRIM)
                if terakhir or ragu:
                    raise SiasnError(
                        f"SIASN tidak menjawab dalam {c.timeout:g} detik ({apa}).", sementara=True, ragu=ragu
                    ) from None
                jeda = c.backoff * 2**percobaan
            except httpx.TransportError as exc:
                ragu = not idempoten and not isinstance(exc, _BELUM_TERKIRIM)
                if terakhir or ragu:
                    raise SiasnError(
                        f"Tidak dapat terhubung ke SIASN ({apa}): {type(exc).__name__}.",
                        sementara=True,
                        ragu=ragu,
                    ) from None
                jeda = c.backoff * 2**percobaan
            else:
                if resp.status_code != 429 and resp.status_code < 500:
                    return resp
                ragu = not idempoten and resp.status_code != 429
                if terakhir or ragu:
                    pesan, body = _pesan_dari(resp)
                    raise SiasnError(
                        f"SIASN sibuk atau gangguan (HTTP {resp.status_code}) setelah {percobaan + 1} "
                        f"percobaan: {pesan}",
                        status=resp.status_code,
                        jawaban=body,
                        sementara=True,
                        ragu=ragu,
                    )
                ra = _retry_after(resp)
                jeda = min(ra, c.retry_after_max) if ra is not None else c.backoff * 2**percobaan
            self._hitung_ulang()
            logger.info(
                "SIASN %s: percobaan %d gagal sementara, ulang dalam %.2f s", apa, percobaan + 1, jeda
            )
            self._sleep(jeda)
        raise AssertionError("unreachable")  # pragma: no cover

    def _hitung_ulang(self) -> None:
        with self._hitung_lock:
            self.jumlah_ulang += 1

    def jeda_ulang(self, percobaan: int) -> None:
        """The backoff before the ``percobaan``-th (0-based) repeat of a step the caller drives itself (the
        reconciliation of a first save in doubt, ``kirim.py``)."""
        self._hitung_ulang()
        self._sleep(self.config.backoff * 2**percobaan)

    def request(
        self, method: str, path: str, *, json_body: Any = None, idempoten: bool = True
    ) -> httpx.Response:
        """One authenticated call; on 401 both tokens are fetched again once and the call repeated (a 401
        was refused before anything was stored)."""
        url = f"{self.config.base_url}/{path.lstrip('/')}"
        for ulang_token in (False, True):
            pasangan = (self._token("gateway"), self._token("sso"))
            headers = {"Authorization": f"Bearer {pasangan[0]}", "Auth": f"bearer {pasangan[1]}"}
            resp = self._dengan_ulang(
                lambda h=headers: self.http.request(method, url, json=json_body, headers=h),  # type: ignore[misc]
                path.split("/")[0] if "/" in path else path,
                idempoten=idempoten,
            )
            if resp.status_code == 401 and not ulang_token:
                logger.info("SIASN menjawab 401: token diambil ulang sekali")
                self.lupakan_token(pasangan)
                continue
            return resp
        raise AssertionError("unreachable")  # pragma: no cover

    def data_utama(self, nip: str) -> dict[str, Any]:
        """``GET pns/data-utama/{nip}`` → its ``data`` object (with ``id``), or ``SiasnError``."""
        resp = self.request("GET", f"pns/data-utama/{nip}")
        pesan, body = _pesan_dari(resp)
        data = body.get("data") if isinstance(body, dict) else None
        if resp.status_code != 200 or not isinstance(data, dict) or not data.get("id"):
            raise SiasnError(
                pesan
                if resp.status_code != 200
                else f"Data utama NIP {nip} tidak ditemukan di SIASN: {pesan}",
                status=resp.status_code,
                jawaban=body,
            )
        return data

    def riwayat(self, jalur: str, nip: str) -> tuple[list[dict[str, Any]], int, Any]:
        """``GET pns/{jalur}/{nip}`` (``rw-skp22``, ``rw-kinerjaperiodik``, ``rw-angkakredit``) → (the
        pegawai's records of that kind in SIASN, HTTP status, its answer), or ``SiasnError``. Used only for
        a save that may have reached SIASN (``kirim.py``). ``data`` is a list of records (``id``, ``tahun``,
        ...); none at all may come back as an empty ``data`` or as SIASN's "tidak ditemukan" text. Any other
        shape is an error (never a guess). The shape is from the public clients: [VERIFY]."""
        resp = self.request("GET", f"pns/{jalur}/{nip}")
        pesan, body = _pesan_dari(resp)
        if resp.status_code != 200 or not isinstance(body, dict):
            raise SiasnError(pesan, status=resp.status_code, jawaban=body, sementara=resp.status_code >= 500)
        data = body.get("data")
        if data is None or data == "" or (isinstance(data, str) and "tidak ditemukan" in data.lower()):
            return [], resp.status_code, body
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise SiasnError(
                f"Riwayat {jalur} NIP {nip} dari SIASN tidak dapat dibaca.",
                status=resp.status_code,
                jawaban=body,
            )
        return data, resp.status_code, body

    def riwayat_skp22(self, nip: str) -> tuple[list[dict[str, Any]], int, Any]:
        """``GET pns/rw-skp22/{nip}`` (see ``riwayat``)."""
        return self.riwayat("rw-skp22", nip)

    def simpan(self, endpoint: str, payload: dict[str, Any]) -> tuple[str, int, Any]:
        """``POST {endpoint}`` → (SIASN's record id, HTTP status, its answer), or ``SiasnError``.

        The id is ``mapData.id`` (or ``data.id``; ``mapData.rwAngkaKreditId`` for angka kredit). A first save
        (``id`` None) is not repeated after an ambiguous failure: ``SiasnError(ragu=True)``."""
        resp = self.request("POST", endpoint, json_body=payload, idempoten=payload.get("id") is not None)
        pesan, body = _pesan_dari(resp)
        if not 200 <= resp.status_code < 300 or (isinstance(body, dict) and body.get("success") is False):
            raise SiasnError(pesan, status=resp.status_code, jawaban=body)
        rid = None
        if isinstance(body, dict):
            for key in ("mapData", "data"):
                part = body.get(key)
                if isinstance(part, dict):
                    rid = part.get("id") or part.get("rwAngkaKreditId")
                    if rid:
                        break
        if not rid:
            raise SiasnError("SIASN tidak mengembalikan id rekaman.", status=resp.status_code, jawaban=body)
        return str(rid), resp.status_code, body
