"""A fake SIASN (WSGI, stdlib ``wsgiref``) on a loopback port, in a thread: checks both tokens and the
payload shape, returns ids, and injects faults (401, 429 + Retry-After, 500, timeouts, per-NIP 400s).
``GET pns/rw-skp22/{nip}``, ``pns/rw-kinerjaperiodik/{nip}`` and ``pns/rw-angkakredit/{nip}`` list the records of
that kind it stored for that NIP (the reconciliation of a save in doubt). Faults ``"simpan-lalu-timeout"`` and
``"simpan-lalu-500"`` store the save and then stall past the client's timeout / answer 500 (SIASN's backend
stored it, the answer is lost).

Used by the tests (fixture ``fake_siasn``) and by ``scripts/bench_siasn.py``.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

CONSUMER_KEY, CONSUMER_SECRET = "ck-rahasia-gateway", "cs-rahasia-gateway"
SSO_CLIENT_ID, SSO_USERNAME, SSO_PASSWORD = "kinerja-client", "operator.bkd", "sso-rahasia-sandi"

SKP22_KEYS = {
    "id": (str, type(None)),
    "tahun": (int,),
    "pnsDinilaiOrang": (str,),
    "hasilKinerjaNilai": (int,),
    "perilakuKerjaNilai": (int,),
    "kuadranKinerjaNilai": (int,),
    "penilaiNipNrp": (str,),
    "penilaiNama": (str,),
    "penilaiJabatan": (str,),
    "penilaiUnorNama": (str,),
    "penilaiGolongan": (str,),
    "statusPenilai": (str,),
}
PERIODIK_KEYS = {
    **{k: v for k, v in SKP22_KEYS.items() if k != "pnsDinilaiOrang"},
    "pnsDinilaiId": (str,),
    "periodeMulai": (int,),
    "periodeSelesai": (int,),
}
AK_KEYS = {
    "id": (str, type(None)),
    "pnsId": (str,),
    **{
        k: (str,)
        for k in (
            "bulanMulaiPenailan", "tahunMulaiPenailan", "bulanSelesaiPenailan", "tahunSelesaiPenailan",
            "kreditUtamaBaru", "kreditPenunjangBaru", "kreditBaruTotal", "isAngkaKreditPertama", "isIntegrasi",
            "isKonversi", "nomorSk", "tanggalSk",
        )
    },
}  # fmt: skip
SHAPES: dict[str, dict[str, tuple[type, ...]]] = {
    "skp22/save": SKP22_KEYS,
    "kinerjaperiodik/save": PERIODIK_KEYS,
    "angkakredit/save": AK_KEYS,
}

#: riwayat path → (record id prefix, the key with the pegawai's SIASN id)
RIWAYAT = {
    "pns/rw-skp22": ("skp22-", "pnsDinilaiOrang"),
    "pns/rw-kinerjaperiodik": ("kinerjaperiodik-", "pnsDinilaiId"),
    "pns/rw-angkakredit": ("angkakredit-", "pnsId"),
}
SIMPAN_LALU = ("simpan-lalu-timeout", "simpan-lalu-500")


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


@dataclass
class FakeSiasn:
    """State and knobs. ``faults``: a list of (path-substring, status, headers, count) consumed in order;
    ``nip_400``: NIP → message returned with 400 on save; ``sleep_nip``: NIP → seconds to stall."""

    token_ttl: int = 3600
    url: str = ""
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: list[list[Any]] = field(default_factory=list)
    nip_400: dict[str, str] = field(default_factory=dict)
    sleep_nip: dict[str, float] = field(default_factory=dict)
    unknown_nip: set[str] = field(default_factory=set)
    gateway_tokens: set[str] = field(default_factory=set)
    sso_tokens: set[str] = field(default_factory=set)
    token_calls: Counter[str] = field(default_factory=Counter)
    record_requests: bool = True
    #: seconds every ``/apisiasn`` call takes (SIASN's own latency; the benchmark uses ~0.08)
    latency: float = 0.0
    #: seconds a save's answer takes AFTER SIASN stored the record (a hard kill then loses the answer)
    latency_after_save: float = 0.0
    #: calls being answered right now, and the most seen at once (the sender's concurrency)
    in_flight: int = 0
    max_in_flight: int = 0
    calls: int = 0  # every call answered (also when ``record_requests`` is off)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: _Server | None = None

    # -------------------------------------------------------------------------------------- control

    def start(self) -> FakeSiasn:
        self._server = make_server("127.0.0.1", 0, self.app, server_class=_Server, handler_class=_Quiet)
        port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{port}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def env(self, kode: str) -> dict[str, str]:
        from evaluasi.siasn.config import env_prefix

        p = env_prefix(kode)
        return {
            p + "BASE_URL": self.url + "/apisiasn/1.0",
            p + "TOKEN_URL": self.url + "/oauth2/token",
            p + "CONSUMER_KEY": CONSUMER_KEY,
            p + "CONSUMER_SECRET": CONSUMER_SECRET,
            p + "SSO_URL": self.url + "/auth/realms/public-siasn/protocol/openid-connect/token",
            p + "SSO_CLIENT_ID": SSO_CLIENT_ID,
            p + "SSO_USERNAME": SSO_USERNAME,
            p + "SSO_PASSWORD": SSO_PASSWORD,
        }

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (the next call gets 401)."""
        with self._lock:
            self.gateway_tokens.clear()
            self.sso_tokens.clear()

    def inject(
        self, path: str, status: int, *, count: int = 1, headers: dict[str, str] | None = None
    ) -> None:
        self.faults.append([path, status, headers or {}, count])

    def posts(self, endpoint: str = "skp22/save") -> list[dict[str, Any]]:
        """Every POST to ``endpoint`` that reached the fake, whatever it answered."""
        return [r for r in self.requests if r["method"] == "POST" and r["path"].endswith(endpoint)]

    def saves(self, endpoint: str = "skp22/save") -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith(endpoint) and r.get("status") == 200]

    # -------------------------------------------------------------------------------------- WSGI

    def app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        mulai = time.monotonic()
        with self._lock:
            self.in_flight += 1
            self.calls += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency and path.startswith("/apisiasn"):
                time.sleep(self.latency)
            status, body, headers = self._handle(method, path, environ, raw)
            if self.latency_after_save and method == "POST" and path.endswith("/save"):
                time.sleep(self.latency_after_save)
        finally:
            with self._lock:
                self.in_flight -= 1
        if self.record_requests:
            with self._lock:
                self.requests.append(
                    {
                        "method": method,
                        "path": path,
                        "status": status,
                        "json": _json(raw) if path.startswith("/apisiasn") else None,
                        "t": mulai,  # time.monotonic() when the call arrived
                    }
                )
        reason = {
            200: "OK",
            400: "Bad Request",
            401: "Unauthorized",
            404: "Not Found",
            429: "Too Many Requests",
        }
        start_response(
            f"{status} {reason.get(status, 'Error')}",
            [("Content-Type", "application/json"), *headers.items()],
        )
        return [json.dumps(body).encode()]

    def _handle(
        self, method: str, path: str, environ: dict[str, Any], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            for f in self.faults:
                if f[1] and f[0] in path and f[3] > 0:
                    f[3] -= 1
                    if f[1] in ("timeout", *SIMPAN_LALU):
                        break
                    return f[1], {"message": f"injected {f[1]}"}, dict(f[2])
            else:
                f = None
        if f is not None and f[1] == "timeout":
            # a gateway that gives up: the request never reaches SIASN's backend (a backend that stored
            # it before timing out would make a retried save a duplicate: docs/siasn.md "Limits")
            time.sleep(float(f[2].get("seconds", 3)))
            return 504, {"message": "gateway timeout"}, {}
        hasil = self._jawab(method, path, environ, raw)
        if f is not None and f[1] in SIMPAN_LALU and hasil[0] == 200:
            if f[1] == "simpan-lalu-500":
                return 500, {"message": "internal server error"}, {}
            time.sleep(float(f[2].get("seconds", 3)))  # stored; the answer comes after the client gave up
        return hasil

    def _jawab(
        self, method: str, path: str, environ: dict[str, Any], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        if path == "/oauth2/token":
            return self._gateway_token(environ, raw)
        if path.endswith("/openid-connect/token"):
            return self._sso_token(raw)
        if not path.startswith("/apisiasn/1.0/"):
            return 404, {"message": "not found"}, {}
        auth, sso = environ.get("HTTP_AUTHORIZATION", ""), environ.get("HTTP_AUTH", "")
        if not (auth.startswith("Bearer ") and auth[7:] in self.gateway_tokens):
            return 401, {"message": "Invalid gateway token"}, {}
        if not (sso.startswith("bearer ") and sso[7:] in self.sso_tokens):
            return 401, {"message": "Invalid SSO token"}, {}
        sub = path[len("/apisiasn/1.0/") :]
        if method == "GET" and sub.startswith("pns/data-utama/"):
            nip = sub.rsplit("/", 1)[1]
            if nip in self.unknown_nip:
                return 200, {"code": 0, "data": "Data tidak ditemukan"}, {}
            person = {
                "id": f"pns-{nip}",
                "nipBaru": nip,
                "nama": f"Pegawai {nip}",
                **self.people.get(nip, {}),
            }
            return 200, {"code": 1, "data": person}, {}
        jalur = sub.rsplit("/", 1)[0]
        if method == "GET" and jalur in RIWAYAT:
            # SIASN's riwayat: the records of that kind it holds for that NIP (what ``_save`` stored)
            awalan, kunci = RIWAYAT[jalur]
            pns = "pns-" + sub.rsplit("/", 1)[1]
            with self._lock:
                rows = [
                    dict(r)
                    for rid, r in self.records.items()
                    if rid.startswith(awalan) and r.get(kunci) == pns
                ]
            if not rows:
                return 200, {"code": 0, "data": "Data tidak ditemukan"}, {}
            return 200, {"code": 1, "data": rows}, {}
        if method == "POST" and sub in SHAPES:
            return self._save(sub, _json(raw))
        return 404, {"message": "not found"}, {}

    def _gateway_token(self, environ: dict[str, Any], raw: bytes) -> tuple[int, Any, dict[str, str]]:
        form = urllib.parse.parse_qs(raw.decode())
        basic = environ.get("HTTP_AUTHORIZATION", "")
        expected = "Basic " + base64.b64encode(f"{CONSUMER_KEY}:{CONSUMER_SECRET}".encode()).decode()
        if form.get("grant_type") != ["client_credentials"] or basic != expected:
            return 401, {"error": "invalid_client"}, {}
        token = f"gw-{next(self._ids)}"
        with self._lock:
            self.gateway_tokens.add(token)
            self.token_calls["gateway"] += 1
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl}, {}

    def _sso_token(self, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
        want = {
            "grant_type": "password",
            "client_id": SSO_CLIENT_ID,
            "username": SSO_USERNAME,
            "password": SSO_PASSWORD,
        }
        if form != want:
            return 401, {"error": "invalid_grant"}, {}
        token = f"sso-{next(self._ids)}"
        with self._lock:
            self.sso_tokens.add(token)
            self.token_calls["sso"] += 1
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": self.token_ttl}, {}

    def _save(self, endpoint: str, payload: Any) -> tuple[int, Any, dict[str, str]]:
        shape = SHAPES[endpoint]
        if not isinstance(payload, dict) or set(payload) != set(shape):
            got = sorted(payload) if isinstance(payload, dict) else type(payload).__name__
            return 400, {"success": False, "message": f"payload keys salah: {got}"}, {}
        for key, types in shape.items():
            if not isinstance(payload[key], types):
                return 400, {"success": False, "message": f"{key} bertipe salah"}, {}
        pns = payload.get("pnsDinilaiOrang") or payload.get("pnsDinilaiId") or payload.get("pnsId")
        nip = str(pns).removeprefix("pns-")
        if nip in self.sleep_nip:
            time.sleep(self.sleep_nip[nip])
        if nip in self.nip_400:
            return 400, {"success": False, "message": self.nip_400[nip]}, {}
        with self._lock:
            rid = payload["id"]
            if rid is not None and rid not in self.records:
                return 400, {"success": False, "message": f"id {rid} tidak dikenal"}, {}
            rid = rid or f"{endpoint.split('/')[0]}-{next(self._ids)}"
            self.records[rid] = {**payload, "id": rid}
        key = "rwAngkaKreditId" if endpoint == "angkakredit/save" else "id"
        return 200, {"success": True, "message": "success", "mapData": {key: rid}}, {}


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None
