"""Load test (locust, headless, driven by ``scripts/bench.py --phases http``). Not a test.

Users come from the generated data (``BENCH_PROBES`` = bench/results/<db>-load.json):

- ``Leader`` (4 of 5 users): head of an ordinary leaf unit (~25 subordinates, ~10 % of their SKPs
  submitted): the inbox, a subordinate's SKP detail, the dashboard, and (if dialog's API is there)
  feedback on a subordinate's approved SKP for the current period, ``POST /api/v1/umpan-balik/``;
- ``UnitHead`` (1 of 5): head of a level-2 unit, who may open the distribution page of the units below
  (``unit_terlihat``: units strictly below the one they head): the unit distribution page, the inbox.

``on_start`` logs in through the real form (CSRF + the PBKDF2 password check). Users wait until all have
logged in; then the login-storm figures are kept (``BENCH_LOGIN_OUT``) and the stats reset, so the page
rows are the steady state with every user active; tasks run with 0.5-1.5 s think time.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

import gevent.event
from locust import HttpUser, between, events, task

from bench.generate import BENCH_PASSWORD

_DATA = json.loads(Path(os.environ["BENCH_PROBES"]).read_text())
_LEADERS = itertools.cycle(_DATA["leaders"])
_HEADS = itertools.cycle(_DATA["heads"])
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TARGET = int(os.environ.get("BENCH_USERS", "50"))
_LOGIN = "login (POST masuk/)"
_state = {"logged_in": 0, "login": {}}
_ALL_IN = gevent.event.Event()
# dialog's feedback API exists (dialog/api_urls.py has "umpan-balik/"): exercise it
_FEEDBACK = (
    '"umpan-balik/"' in (Path(__file__).resolve().parent.parent / "dialog" / "api_urls.py").read_text()
)


def _all_logged_in(environment) -> None:
    """Keep the login storm's figures, then reset the stats: the page rows measure the steady state."""
    e = environment.stats.get(_LOGIN, "POST")
    _state["login"] = {
        "requests": e.num_requests, "failures": e.num_failures, "p50_ms": e.get_response_time_percentile(0.5),
        "p95_ms": e.get_response_time_percentile(0.95), "p99_ms": e.get_response_time_percentile(0.99),
        "max_ms": e.max_response_time,
    }  # fmt: skip
    environment.stats.reset_all()
    _ALL_IN.set()
    measure = int(os.environ.get("BENCH_MEASURE_S", "0"))
    if measure and environment.runner is not None:
        gevent.spawn_later(measure, environment.runner.quit)  # the measured window starts now


@events.test_stop.add_listener
def _write_login(environment, **_kw) -> None:
    out = os.environ.get("BENCH_LOGIN_OUT")
    if out:
        Path(out).write_text(json.dumps(_state["login"]))


class _Login(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)

    def _login(self, nip: str) -> None:
        r = self.client.get("/masuk/", name="login form (GET masuk/)")
        token = _CSRF.search(r.text)
        with self.client.post(
            "/masuk/",
            data={
                "username": nip,
                "password": BENCH_PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/masuk/"},
            name="login (POST masuk/)",
            catch_response=True,
            allow_redirects=False,
        ) as resp:
            if resp.status_code != 302:
                resp.failure(f"login {resp.status_code}")
        _state["logged_in"] += 1
        if _state["logged_in"] == _TARGET:
            _all_logged_in(self.environment)
        _ALL_IN.wait()


class Leader(_Login):
    weight = 4

    def on_start(self) -> None:
        self.me = next(_LEADERS)
        self._login(self.me["nip"])

    @task(3)
    def inbox(self) -> None:
        self.client.get("/skp/persetujuan/", name="inbox (skp/persetujuan/)")

    @task(3)
    def skp_detail(self) -> None:
        self.client.get(f"/skp/{random.choice(self.me['skp'])}/", name="SKP detail (skp/<id>/)")  # noqa: S311

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/", name="dashboard (/)")

    @task(1)
    def feedback(self) -> None:
        """The leader gives feedback on a subordinate's approved SKP in the current period (dialog API)."""
        if not _FEEDBACK or not self.me.get("periode"):
            return
        with self.client.post(
            "/api/v1/umpan-balik/",
            json={
                "skp": random.choice(self.me["skp_ok"]),  # noqa: S311
                "periode": self.me["periode"],
                "isi": "Bagus, lanjutkan.",
                "sifat": "apresiasi",
            },
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": f"{self.host}/"},
            name="feedback (POST api/v1/umpan-balik/)",
            catch_response=True,
        ) as resp:
            if resp.status_code != 201:
                resp.failure(f"{resp.status_code}: {resp.text[:200]}")


class UnitHead(_Login):
    weight = 1

    def on_start(self) -> None:
        self.me = next(_HEADS)
        self._login(self.me["nip"])

    @task(3)
    def unit(self) -> None:
        uid = random.choice(self.me["units"])  # noqa: S311
        self.client.get(f"/evaluasi/unit/{uid}/", name="unit distribution (evaluasi/unit/<id>/)")

    @task(1)
    def inbox(self) -> None:
        self.client.get("/skp/persetujuan/", name="inbox (skp/persetujuan/)")
