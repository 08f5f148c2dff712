"""Markers of the security suite (registered here so the suite owns them)."""

from typing import Any


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "fuzz: schema-driven fuzzing against a live server (bounded; part of the default run)"
    )
