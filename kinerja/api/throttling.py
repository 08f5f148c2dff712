"""DRF throttles keyed on the proxy-aware client address (``kinerja.client_ip``)."""

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

from kinerja.client_ip import client_ip, rate_key


class LoginRateThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` whose client is ``client_ip``: a forged ``X-Forwarded-For`` is a no-op
    unless ``KINERJA_TRUSTED_PROXIES`` says proxies write it (DRF's own ``get_ident`` trusts it)."""

    def get_ident(self, request: Request | Any) -> str:
        return rate_key(client_ip(request))
