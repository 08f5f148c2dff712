"""`make test` and `make run` only touch Redis servers they started themselves (scripts/services.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import services


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


@pytest.fixture
def no_redis_url(monkeypatch: Any, tmp_path: Path) -> Path:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("KINERJA_DATA_DIR", str(tmp_path / "clone1"))
    return tmp_path


def test_test_mode_starts_its_own_redis_even_when_one_runs_on_6379(no_redis_url: Path) -> None:
    svc = services.Services("test")
    try:
        services._pick_redis(svc)
        port = _port(svc.redis_url)
        # never the developer's (or CI's) Redis on 6379, always a server this run owns
        assert port != 6379
        assert svc.embedded
        assert services.redis_ping("127.0.0.1", port)
    finally:
        svc.stop()
    assert not services.redis_ping("127.0.0.1", port)  # stopped, its directory removed with it


def test_two_clones_never_share_the_run_redis(no_redis_url: Path, monkeypatch: Any) -> None:
    started: list[services.Services] = []
    try:
        one = services.Services("run")
        started.append(one)
        services._pick_redis(one)
        # the same clone's second `make run` reuses its Redis without owning it
        again = services.Services("run")
        services._pick_redis(again)
        assert again.redis_url == one.redis_url
        assert not again.embedded
        # another clone (its own .data) gets its own server
        monkeypatch.setenv("KINERJA_DATA_DIR", str(no_redis_url / "clone2"))
        two = services.Services("run")
        started.append(two)
        services._pick_redis(two)
        assert two.embedded
        assert _port(two.redis_url) != _port(one.redis_url)
        assert _port(one.redis_url) != 6379
    finally:
        for svc in started:
            svc.stop()
