"""Per-instansi SIASN settings, read from the environment only (api-contract §6).

``KINERJA_SIASN_<KODE>_BASE_URL``, ``_TOKEN_URL``, ``_CONSUMER_KEY``, ``_CONSUMER_SECRET``, ``_SSO_URL``,
``_SSO_CLIENT_ID``, ``_SSO_USERNAME``, ``_SSO_PASSWORD`` (``<KODE>`` = ``kinerja.signing.kode_env``);
optional ``_RPS``. Global: ``KINERJA_SIASN_RPS`` (default 20), ``KINERJA_SIASN_TIMEOUT`` (seconds, default
30), ``KINERJA_SIASN_MAX_RETRIES`` (default 4), ``KINERJA_SIASN_BACKOFF`` (seconds, default 1),
``KINERJA_SIASN_RETRY_AFTER_MAX`` (seconds, default 60), ``KINERJA_SIASN_CONCURRENCY`` (requests in flight at
once in a send run, default 8; all of them share the one rate limit). Secrets are never stored in the database and
never part of a repr, a log line or an audit row.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from kinerja.signing import kode_env

WAJIB = (
    "BASE_URL",
    "TOKEN_URL",
    "CONSUMER_KEY",
    "CONSUMER_SECRET",
    "SSO_URL",
    "SSO_CLIENT_ID",
    "SSO_USERNAME",
    "SSO_PASSWORD",
)


class SiasnBelumDiatur(Exception):
    """The instansi has no (complete) SIASN settings; the message names the missing variables."""


@dataclass(frozen=True)
class SiasnConfig:
    kode: str
    base_url: str
    token_url: str
    sso_url: str
    sso_client_id: str
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    sso_username: str = field(repr=False)
    sso_password: str = field(repr=False)
    rps: float = 20.0
    timeout: float = 30.0
    max_retries: int = 4
    backoff: float = 1.0
    retry_after_max: float = 60.0
    konkurensi: int = 8

    @property
    def rahasia(self) -> tuple[str, ...]:
        """The secret values (for tests and log scrubbing): never to be written anywhere."""
        return (self.consumer_key, self.consumer_secret, self.sso_username, self.sso_password)


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise SiasnBelumDiatur(f"{name} harus berupa angka.") from None


def env_prefix(kode: str) -> str:
    return f"KINERJA_SIASN_{kode_env(kode)}_"


def siasn_config_for(kode: str) -> SiasnConfig:
    """The settings of instansi ``kode``, or ``SiasnBelumDiatur`` naming what is missing (names only)."""
    prefix = env_prefix(kode)
    values = {key: os.environ.get(prefix + key, "").strip() for key in WAJIB}
    kurang = [prefix + key for key, v in values.items() if not v]
    if kurang:
        raise SiasnBelumDiatur("Pengaturan SIASN belum lengkap: " + ", ".join(kurang))
    rps = _float(prefix + "RPS", _float("KINERJA_SIASN_RPS", 20.0))
    return SiasnConfig(
        kode=kode,
        base_url=values["BASE_URL"].rstrip("/"),
        token_url=values["TOKEN_URL"],
        sso_url=values["SSO_URL"],
        sso_client_id=values["SSO_CLIENT_ID"],
        consumer_key=values["CONSUMER_KEY"],
        consumer_secret=values["CONSUMER_SECRET"],
        sso_username=values["SSO_USERNAME"],
        sso_password=values["SSO_PASSWORD"],
        rps=rps if rps > 0 else 0.0,
        timeout=_float("KINERJA_SIASN_TIMEOUT", 30.0),
        max_retries=int(_float("KINERJA_SIASN_MAX_RETRIES", 4)),
        backoff=_float("KINERJA_SIASN_BACKOFF", 1.0),
        retry_after_max=_float("KINERJA_SIASN_RETRY_AFTER_MAX", 60.0),
        konkurensi=max(1, int(_float("KINERJA_SIASN_CONCURRENCY", 8))),
    )


def siasn_diatur(kode: str) -> bool:
    try:
        siasn_config_for(kode)
    except SiasnBelumDiatur:
        return False
    return True
