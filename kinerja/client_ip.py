"""The client's address behind the documented reverse proxy, for every rate limit and lockout.

``KINERJA_TRUSTED_PROXIES`` (env ``KINERJA_TRUSTED_PROXIES``) is the number of reverse proxies in
front of the application that append to ``X-Forwarded-For`` (nginx ``$proxy_add_x_forwarded_for``,
HAProxy ``option forwardfor``). 0 (the default) ignores the header: ``REMOTE_ADDR`` is the client.
With N proxies, the client is the N-th address from the right: everything left of it was written by
the client and can be forged. A request that carries fewer addresses than N did not pass every proxy,
so the header is not trusted and ``REMOTE_ADDR`` is used.

Used by django-axes (``AXES_CLIENT_IP_CALLABLE``, via ``axes_client_ip``), the DRF login throttle (``get_ident``), the login
guard (``kinerja.auth``) and the public verification limits (``kinerja.views_dokumen``).
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


logger = logging.getLogger(__name__)
_warned = False


def _warn_proxy_without_setting(remote: str) -> None:
    """Once per process: a proxy seems to be in front (it sets X-Forwarded-Proto) but its address
    would be every client's, so one attacker would trip the per-address limits for everybody."""
    global _warned
    _warned = True
    logger.warning(
        "request via a proxy (%s sets X-Forwarded-Proto) but KINERJA_TRUSTED_PROXIES=0: every client "
        "shares the proxy's address in rate limits and lockouts; set KINERJA_TRUSTED_PROXIES",
        remote,
    )


def client_ip(request: HttpRequest | Any, *args: Any, **kwargs: Any) -> str:
    """The client address (``"-"`` when unknown); extra arguments are accepted for axes' callable."""
    request = getattr(request, "_request", request)  # a DRF Request
    meta = request.META
    remote = _valid(meta.get("REMOTE_ADDR") or "") or "-"
    trusted = int(getattr(settings, "KINERJA_TRUSTED_PROXIES", 0) or 0)
    if trusted <= 0:
        if meta.get("HTTP_X_FORWARDED_PROTO") and not _warned:
            _warn_proxy_without_setting(remote)
        return remote
    hops = [h for h in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    if len(hops) < trusted:
        return remote
    return _valid(hops[-trusted]) or remote


def rate_key(ip: str) -> str:
    """The bucket of an address for rate limits: IPv4 as is, IPv6 by its /64 (one subscriber's LAN)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if addr.version == 6:
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


def axes_client_ip(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE`` (axes stores it in an address column: None when unknown)."""
    ip = client_ip(request)
    return None if ip == "-" else ip
