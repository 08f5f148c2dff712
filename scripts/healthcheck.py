#!/usr/bin/env python
"""Container healthcheck: GET http://127.0.0.1:$PORT/healthz/ must return 200. Stdlib only.

Sends a Host header from DJANGO_ALLOWED_HOSTS and ``X-Forwarded-Proto: https`` so that production
settings (ALLOWED_HOSTS, SECURE_SSL_REDIRECT behind a TLS proxy) answer directly instead of 400/301.
"""

import http.client
import os
import sys


def main() -> int:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h.lstrip(".") for h in hosts if h != "*"), "localhost")
    conn = http.client.HTTPConnection("127.0.0.1", int(os.environ.get("PORT", "8000")), timeout=5)
    try:
        conn.request("GET", "/healthz/", headers={"Host": host, "X-Forwarded-Proto": "https"})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"healthz: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    print(f"healthz: {status}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
