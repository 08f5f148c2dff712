"""docker-compose.yml runs the same Celery workers as `make cluster` (scripts/cluster.py ``worker_specs``):
one per kind of work, consuming the same queues, every queue of the settings consumed by some worker,
plus beat. And the file is valid for Compose itself (``config``), when a Compose binary is installed
(images cannot be pulled on the development machine, so ``up`` is not tested here)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from cluster import worker_specs  # noqa: E402

DEFAULTS = {"KINERJA_QUEUE_MASSAL": "massal"}


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data["services"]


def _arg(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def _expand(value: str) -> str:
    """``${VAR:-default}`` with the defaults (no variables set)."""
    while "${" in value:
        start = value.index("${")
        end = value.index("}", start)
        var, _sep, default = value[start + 2 : end].partition(":-")
        value = value[:start] + (DEFAULTS.get(var) or default) + value[end + 1 :]
    return value


def _workers() -> dict[str, dict[str, Any]]:
    out = {}
    for name, svc in _compose().items():
        cmd = [_expand(str(c)) for c in svc.get("command") or []]
        if cmd[:4] == ["celery", "-A", "kinerja", "worker"]:
            kind = _arg(cmd, "-n").split("@")[0]
            out[kind] = {"service": name, "queues": _arg(cmd, "-Q").split(","), "cmd": cmd}
    return out


def test_compose_has_the_workers_of_make_cluster() -> None:
    compose = _workers()
    cluster = worker_specs({})
    assert set(compose) == set(cluster)
    for kind, (queues, _concurrency, extra) in cluster.items():
        assert compose[kind]["queues"] == queues, kind
        for i in range(0, len(extra), 2):  # the same tuning (prefetch, memory limit)
            assert extra[i] in compose[kind]["cmd"], (kind, extra[i])
            assert _arg(compose[kind]["cmd"], extra[i]) == extra[i + 1], (kind, extra[i])
    consumed = {q for w in compose.values() for q in w["queues"]}
    assert set(settings.KINERJA_QUEUES.values()) | {"massal"} <= consumed
    beat = [
        s for s in _compose().values() if (s.get("command") or [])[:4] == ["celery", "-A", "kinerja", "beat"]
    ]
    assert len(beat) == 1


def _compose_binary() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)  # noqa: S607
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_compose_config_is_valid() -> None:
    binary = _compose_binary()
    if binary is None:
        pytest.skip("no docker-compose / docker compose plugin installed")
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "kinerja.example.go.id",
        "KINERJA_PUBLIC_BASE_URL": "https://kinerja.example.go.id",
    }
    r = subprocess.run(  # noqa: S603 - fixed arguments
        [*binary, "-f", str(ROOT / "docker-compose.yml"), "config", "--services"],
        capture_output=True, text=True, env=env, check=False, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    services = set(r.stdout.split())
    assert {"db", "redis", "web", "beat"} | {w["service"] for w in _workers().values()} == services
    # the mandatory settings are enforced: without a secret key, config refuses
    env.pop("DJANGO_SECRET_KEY")
    r = subprocess.run(  # noqa: S603 - fixed arguments
        [*binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True, text=True, env=env, check=False, timeout=60,
    )  # fmt: skip
    assert r.returncode != 0
    assert "DJANGO_SECRET_KEY" in r.stderr
