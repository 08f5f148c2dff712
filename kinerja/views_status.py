"""System health page for admin_instansi / platform_admin: database, read replica (lag), task queues,
and the web node that served the page."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kinerja.models import Role
from kinerja.queues import KINDS, queue_name
from kinerja.replica import replica_lag
from kinerja.web import tenant_view

#: Above this many seconds of replica lag the page shows a warning.
LAG_PERINGATAN_DETIK = 30


def _primary() -> dict[str, Any]:
    t0 = time.monotonic()
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    except DatabaseError as exc:
        return {"up": False, "error": str(exc).splitlines()[0][:200]}
    return {"up": True, "ms": round((time.monotonic() - t0) * 1000, 1)}


def _queues() -> list[dict[str, Any]]:
    """Messages waiting per queue (Redis list length); None when the broker cannot be asked."""
    from kinerja.celery import app

    names = [(k, queue_name(k)) for k in KINDS] + [("massal", settings.KINERJA_QUEUE_MASSAL)]
    out = [{"kind": k, "name": n, "waiting": None} for k, n in names]
    try:
        with app.connection_for_read() as conn:
            client = conn.default_channel.client
            for row in out:
                row["waiting"] = int(client.llen(row["name"]))
    except Exception:  # noqa: S110 - the page shows "tidak tersedia" for a broker it cannot reach
        pass
    return out


@tenant_view(Role.ADMIN_INSTANSI, Role.PLATFORM_ADMIN)
def status_page(request: HttpRequest) -> HttpResponse:
    replika = replica_lag()
    lag = replika.get("lag_seconds")
    return render(
        request,
        "kinerja/status.html",
        {
            "primary": _primary(),
            "replika": replika,
            "lag_peringatan": lag is not None and lag > LAG_PERINGATAN_DETIK,
            "antrean": _queues(),
            "node": settings.KINERJA_NODE_NAME,
        },
    )
