"""Migrate once, clone per worker: the test database of a pytest-xdist run.

Without this, every xdist worker builds its own test database by running every migration (the
RLS policies and the data migrations included), in parallel on the same cores. Instead, the first
worker that gets here builds a *template* database with Django's own ``create_test_db`` (all the
migrations, ``post_migrate`` and so the row-level security, exactly as a one-process run), under a
file lock; every worker's test database is then ``CREATE DATABASE ... TEMPLATE`` of it (a file copy:
schema, data-migration rows, policies, grants; the ``kinerja_app`` role is cluster-wide anyway).

The template is new for every run (its name comes from the controller process, whose pid is in the
test database name), so ``--create-db`` holds: nothing is reused between runs. The controller drops
it when the run ends. A one-process run (a path given, ``-p no:xdist``), ``--reuse-db`` and
``--nomigrations`` keep pytest-django's usual set-up.
"""

from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

WORKERINPUT_KEY = "kinerja_template_db"


def _template_name(config: pytest.Config) -> str:
    from django.conf import settings

    test = settings.DATABASES["default"].get("TEST", {})
    return f"{test.get('NAME') or 'test_' + settings.DATABASES['default']['NAME']}_tpl"


def _marker(template: str) -> tuple[Path, Path]:
    base = Path(tempfile.gettempdir()) / template
    return base.with_suffix(".lock"), base.with_suffix(".ready")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Controller: every worker (a restarted one too) clones the same template of this run."""
    config = node.config
    if config.getvalue("nomigrations") or (config.getvalue("reuse_db") and not config.getvalue("create_db")):
        return
    node.workerinput[WORKERINPUT_KEY] = _template_name(config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Controller of an xdist run: drop the template (and its marker files)."""
    config = session.config
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    if config.getvalue("nomigrations") or (config.getvalue("reuse_db") and not config.getvalue("create_db")):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    template = _template_name(config)
    creation = connections["default"].creation
    with config.stash[blocking_manager_key].unblock():
        with creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {creation._quote_name(template)} WITH (FORCE)")
        connections["default"].close()
    for path in _marker(template):
        path.unlink(missing_ok=True)


def _build_template(template: str) -> None:
    """``create_test_db`` under the template's name; the settings go back to this worker's names."""
    from django.conf import settings
    from django.db import connections

    connection = connections["default"]
    alias = connection.alias
    old_name, old_test_name = connection.settings_dict["NAME"], connection.settings_dict["TEST"]["NAME"]
    connection.settings_dict["TEST"]["NAME"] = template
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = old_name
        connection.settings_dict["TEST"]["NAME"] = old_test_name
        settings.DATABASES[alias]["NAME"] = old_name
        settings.DATABASES[alias]["TEST"]["NAME"] = old_test_name


def _clone(template: str) -> None:
    from django.db import connections

    connection = connections["default"]
    creation = connection.creation
    target = creation._quote_name(creation._get_test_db_name())
    suffix = creation._get_database_create_suffix(template=template)
    with creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {target}")
        cursor.execute(f"CREATE DATABASE {target} {suffix}")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    request: pytest.FixtureRequest,
    django_db_blocker: Any,
) -> Iterator[None]:
    """xdist worker: clone this run's template (built here first if no worker did yet) and make
    ``create_test_db`` of the default alias connect to the clone instead of migrating a new one."""
    template = getattr(request.config, "workerinput", {}).get(WORKERINPUT_KEY)
    if not template:
        yield
        return
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    lock_path, ready_path = _marker(template)
    with django_db_blocker.unblock(), open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait here while the first one migrates
        try:
            if not ready_path.exists():
                _build_template(template)
                ready_path.touch()
            _clone(template)  # under the lock too: CREATE DATABASE needs the template idle
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

    connection = connections["default"]
    creation = connection.creation

    def create_test_db(
        verbosity: int = 1, autoclobber: bool = False, serialize: bool = True, keepdb: bool = False
    ) -> str:
        """Django's ``create_test_db`` minus the migrations: the database exists already."""
        name = creation._get_test_db_name()
        if verbosity >= 1:
            creation.log(f"Using test database {name!r} (a clone of {template!r})...")
        connection.close()
        settings.DATABASES[connection.alias]["NAME"] = name
        connection.settings_dict["NAME"] = name
        if serialize:
            connection._test_serialized_contents = creation.serialize_db_to_string()
        call_command("createcachetable", database=connection.alias)
        connection.ensure_connection()
        return name

    def destroy_test_db(test_database_name: str, verbosity: int) -> None:
        """Drop the clone even if a connection of this worker outlived its test (a thread a test
        left behind): the database is this worker's alone, and the run is over."""
        connection.close_pool()
        with creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {creation._quote_name(test_database_name)} WITH (FORCE)")

    creation.create_test_db = create_test_db  # type: ignore[method-assign]
    creation._destroy_test_db = destroy_test_db  # type: ignore[method-assign]
    try:
        yield
    finally:
        del creation.create_test_db
        del creation._destroy_test_db
