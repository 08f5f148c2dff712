"""Schemathesis over the whole OpenAPI schema against a live server: no input may cause a 5xx, and the
schema tells the truth (issue #15): every answer's status code is declared for its operation
(``status_code_conformance``), and every answer to valid input matches its declared body schema and
content type (``response_schema_conformance``, ``content_type_conformance``): paginated lists are
declared paginated, plain lists plain, errors in the one error shape.

Real HTTP (pytest-django's ``live_server``: its own threads and database connections, so the
row-level-security role switch runs per connection), real token auth as the admin_instansi of a
seeded instansi, every operation of ``/api/schema/``. Each operation gets a few fully generated
cases (random ids: mostly 404s, random bodies: 400s), more with its path ids fixed to real objects
of the instansi, so bodies reach the services, and a few schema-violating ones on those objects. Deterministic by default (derandomized,
small), so CI is stable; ``KINERJA_FUZZ_EXAMPLES=50 KINERJA_FUZZ_RANDOM=1`` for a deeper local run.

Tasks queued by write operations go to a private queue that no worker consumes, then it is deleted.
"""

import contextlib
import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import schemathesis
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kinerja.celery import app as celery_app
from tests.conftest import Org, token_for
from tests.test_tenant_isolation import AObjects, Route, Values, _walk

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

EXAMPLES = int(os.environ.get("KINERJA_FUZZ_EXAMPLES", "6"))
RANDOM = os.environ.get("KINERJA_FUZZ_RANDOM", "") == "1"


@pytest.fixture
def private_queue() -> Iterator[None]:
    queue = f"kinerja-fuzz-{uuid.uuid4().hex[:12]}"
    saved = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield
    finally:
        celery_app.conf.task_default_queue = saved
        try:
            with redis.Redis.from_url(str(celery_app.conf.broker_url), socket_timeout=2) as conn:
                conn.delete(queue)
        except redis.RedisError:
            pass


def _routes_by_name() -> dict[str, Route]:
    from django.urls import get_resolver

    return {r.name: r for r in _walk(get_resolver().url_patterns)}


def _real_ids(path: str, objs: AObjects, routes: dict[str, Route]) -> dict[str, Any] | None:
    """OpenAPI path params -> ids of real objects of the instansi, via the Django route of the path."""
    names = re.findall(r"{(\w+)}", path)
    if not names:
        return None
    match = resolve(re.sub(r"{\w+}", "1", path))
    route = routes.get(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name or "")
    if route is None or len(route.kwargs) != len(names):
        return None
    ids = {}
    for api_name, kwarg in zip(names, route.kwargs, strict=True):
        target = route.target(kwarg)
        if target is None or isinstance(target, Values):
            return None
        ids[api_name] = objs.get(target).pk
    return ids


def test_no_input_causes_a_server_error(
    live_server: Any, org_a: Org, org_b: Org, private_queue: None
) -> None:
    # given an admin_instansi of A with a token, and objects of A for the path ids
    headers = {"Authorization": f"Token {token_for(org_a.admin.user)}"}
    objs = AObjects(org_a)
    routes = _routes_by_name()
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/", headers=headers, timeout=30)
    failures: list[str] = []
    nonconforming: list[str] = []
    operations = 0
    statuses: dict[int, int] = {}
    positive_checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    # schema-violating input is refused somewhere before the view's happy path: only the code is checked
    negative_checks = [not_a_server_error, status_code_conformance]

    def run(op: Any, strategy: Any, n: int, checks: list[Any]) -> None:
        @given(case=strategy)
        @settings(
            max_examples=n,
            deadline=None,
            database=None,
            derandomize=not RANDOM,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def check(case: Any) -> None:
            resp = case.call(base_url=live_server.url, headers=headers, timeout=30)
            statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
            if resp.status_code >= 500:
                failures.append(
                    f"{op.method.upper()} {op.path} -> {resp.status_code}: "
                    f"{case.as_curl_command(headers=headers)}\n  {resp.text[:300]}"
                )
                return
            try:
                case.validate_response(resp, checks=checks, headers=headers)
            except BaseExceptionGroup as exc:  # schemathesis FailureGroup: keep going, report all at the end
                nonconforming.append(
                    f"{op.method.upper()} {op.path} -> {resp.status_code}: {str(exc)[:600]}\n"
                    f"  {case.as_curl_command(headers=headers)}\n  {resp.text[:200]}"
                )

        check()

    # when every operation is called with generated input (those that can revoke the admin's token last:
    # signing a pegawai out everywhere (a generated id may be the admin's own), signing out everywhere,
    # the logout)
    ops = [result.ok() for result in schema.get_all_operations()]

    def last(op: Any) -> int:
        if op.method.upper() == "DELETE" and op.path.endswith("/auth/token/"):
            return 3
        if op.path.endswith("/auth/keluar-semua/"):
            return 2
        return 1 if op.path.endswith("/keluarkan/") else 0

    ops.sort(key=last)
    for op in ops:
        operations += 1
        run(op, op.as_strategy(), max(2, EXAMPLES // 3), positive_checks)
        ids = _real_ids(op.path, objs, routes)
        if ids:
            run(op, op.as_strategy(path_parameters=ids), EXAMPLES, positive_checks)
            # schema-violating input (wrong types, missing fields) aimed at real objects
            # (an operation whose only inputs are the fixed ids cannot violate the schema: Unsatisfiable)
            with contextlib.suppress(Unsatisfiable):
                run(
                    op,
                    op.as_strategy(GenerationMode.NEGATIVE, path_parameters=ids),
                    max(2, EXAMPLES // 2),
                    negative_checks,
                )
    # then nothing answered with a server error
    assert operations >= 30, f"only {operations} operations in the schema?"
    # the run was not vacuous: requests were made, and some got past validation and access checks
    assert sum(statuses.values()) >= operations * 2, statuses
    assert sum(n for code, n in statuses.items() if code < 300) > 0, statuses
    print(f"fuzz: {operations} operations, statuses {sorted(statuses.items())}")
    assert not failures, "server errors:\n" + "\n".join(failures[:20])
    assert not nonconforming, f"{len(nonconforming)} answers the schema does not describe:\n" + "\n".join(
        nonconforming[:25]
    )
