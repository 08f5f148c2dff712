"""Shared fixtures: two instansi (A, B), a pegawai/atasan/admin trio in A, an outsider in B."""

import os
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django_scopes import scope
from rest_framework.test import APIClient

from kinerja.models import Instansi, Pegawai, PeranInstansi, User
from kinerja.models.org import JenisJabatan
from tests.factories import InstansiFactory, JabatanFactory, PegawaiFactory, UnitKerjaFactory
from tests.fast_flush import _fast_flush  # noqa: F401 - autouse fixture of this conftest
from tests.template_db import (  # noqa: F401 - fixtures and hooks of this conftest
    django_db_modify_db_settings,
    pytest_configure_node,
    pytest_sessionfinish,
)
from tests.xdist_schedule import pytest_xdist_make_scheduler  # noqa: F401 - hook of this conftest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

PASSWORD = "rahasia-123"


def _reseed_reference_data() -> None:
    """Reference rows written by data migrations (BerAKHLAK texts, distribution rules, B.1.8
    statements). A transactional test's flush deletes them; put them back before the next test."""
    from skp.core_values import core_values_seed
    from skp.models import CoreValue

    if not CoreValue.objects.exists():
        core_values_seed(CoreValue)
    try:
        from evaluasi.models import AturanDistribusi
        from evaluasi.rules import aturan_seed
    except ImportError:
        pass
    else:
        if not AturanDistribusi.objects.exists():
            aturan_seed(AturanDistribusi)
    try:
        from dialog.models import PernyataanBimbingan
        from dialog.pernyataan_b18 import PERNYATAAN_B18_V1
    except ImportError:
        pass
    else:
        if not PernyataanBimbingan.objects.exists():
            for urutan, (kode, teks) in enumerate(PERNYATAAN_B18_V1, start=1):
                PernyataanBimbingan.objects.update_or_create(
                    kode=kode, versi=1, defaults={"urutan": urutan, "teks": teks}
                )
    try:
        from dialog.kompetensi_b19 import kompetensi_b19_seed
        from dialog.models import KompetensiB19
    except ImportError:
        pass
    else:
        if not KompetensiB19.objects.exists():
            kompetensi_b19_seed(KompetensiB19)


_DB_FIXTURES = ("db", "transactional_db", "django_db_reset_sequences", "live_server")


@pytest.fixture(autouse=True)
def _fresh_login_guard(settings: Any) -> None:
    """The login guard counts in Redis, which outlives a test: every test gets its own counters."""
    import uuid

    settings.KINERJA_LOGIN_GUARD_NAMESPACE = f"t-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the site's language (Indonesian): a test or a request that activated English
    must not change the messages the next test of the same process reads (the suite runs on several
    workers, so the order of tests is not fixed)."""
    from django.conf import settings as dj_settings
    from django.utils import translation

    translation.activate(dj_settings.LANGUAGE_CODE)
    yield
    translation.activate(dj_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & set(_DB_FIXTURES):
        return
    transactional = (marker is not None and marker.kwargs.get("transaction", False)) or bool(
        names & {"transactional_db", "live_server", "django_db_reset_sequences"}
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    _reseed_reference_data()


@dataclass
class Org:
    instansi: Instansi
    kepala: Pegawai  # top leader (atasan of atasan)
    atasan: Pegawai  # pejabat penilai of pegawai
    pegawai: Pegawai
    rekan: Pegawai  # peer of pegawai (same atasan)
    admin: Pegawai  # admin_instansi
    hr: Pegawai  # hr_viewer


def build_org(kode: str) -> Org:
    instansi = InstansiFactory(kode=kode, nama=f"Instansi {kode}")
    top = UnitKerjaFactory(instansi=instansi, nama=f"Sekretariat {kode}")
    bidang = UnitKerjaFactory(instansi=instansi, nama=f"Bidang Umum {kode}", induk=top)
    jpt = JabatanFactory(instansi=instansi, nama="Kepala Dinas", jenis=JenisJabatan.JPT_PRATAMA)
    adm = JabatanFactory(instansi=instansi, nama="Kepala Bidang", jenis=JenisJabatan.ADMINISTRATOR)
    pel = JabatanFactory(instansi=instansi, nama="Pengadministrasi Umum", jenis=JenisJabatan.PELAKSANA)
    kepala = PegawaiFactory(instansi=instansi, unit_kerja=top, jabatan=jpt)
    atasan = PegawaiFactory(instansi=instansi, unit_kerja=bidang, jabatan=adm, atasan=kepala)
    pegawai = PegawaiFactory(instansi=instansi, unit_kerja=bidang, jabatan=pel, atasan=atasan)
    rekan = PegawaiFactory(instansi=instansi, unit_kerja=bidang, jabatan=pel, atasan=atasan, status="pppk")
    admin = PegawaiFactory(instansi=instansi, unit_kerja=top, jabatan=pel, atasan=kepala)
    hr = PegawaiFactory(instansi=instansi, unit_kerja=top, jabatan=pel, atasan=kepala)
    PeranInstansi._base_manager.create(instansi=instansi, user=admin.user, role="admin_instansi")
    PeranInstansi._base_manager.create(instansi=instansi, user=hr.user, role="hr_viewer")
    return Org(instansi, kepala, atasan, pegawai, rekan, admin, hr)


@pytest.fixture
def org_a(db: Any) -> Org:
    return build_org("A")


@pytest.fixture
def org_b(db: Any) -> Org:
    return build_org("B")


@pytest.fixture
def tenant_a(org_a: Org) -> Instansi:
    return org_a.instansi


@pytest.fixture
def tenant_b(org_b: Org) -> Instansi:
    return org_b.instansi


@pytest.fixture
def outsider(org_b: Org) -> Pegawai:
    """A user of instansi B with every role there (admin included): must see nothing of A."""
    PeranInstansi._base_manager.get_or_create(
        instansi=org_b.instansi, user=org_b.atasan.user, role="admin_instansi"
    )
    return org_b.atasan


@pytest.fixture
def scope_a(tenant_a: Instansi) -> Iterator[None]:
    with scope(instansi=tenant_a.pk):
        yield


@pytest.fixture
def platform_admin(db: Any) -> User:
    return User.objects.create_user(
        nip="platform-admin", password=PASSWORD, nama="Admin Platform", is_platform_admin=True
    )


def database_url(dbname: str) -> str:
    """DATABASE_URL of this run with another database name (TCP or pgserver's unix socket alike), for
    subprocesses (manage.py, gunicorn, pg_dump) that must reach the test database."""
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/kinerja"
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(base)._replace(path="/" + dbname))


def api_client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def api() -> Any:
    return api_client_for


@contextmanager
def private_celery_queue(prefix: str) -> Iterator[str]:
    """Tasks queued inside go to a queue of their own that nobody consumes (the test runs the task
    bodies itself, or not at all); the queue is deleted afterwards."""
    from kinerja.celery import app

    old, queue = app.conf.task_default_queue, f"{prefix}-{os.getpid()}"
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = old
        try:
            with app.connection_for_write() as conn:
                conn.default_channel.queue_delete(queue)
        except Exception:  # noqa: S110 - broker cleanup is best effort
            pass


def browser_login(page: Any, base: str, nip: str, password: str = PASSWORD) -> None:
    """Sign in through the login page (Playwright) and wait until the app answered with another page."""
    import re

    from playwright.sync_api import expect

    page.goto(f"{base}/masuk/")
    page.get_by_label("NIP / NI PPPK").fill(nip)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/masuk/"))


def token_for(user: User) -> str:
    """A new API token of ``user`` (the raw value; the database keeps only its digest)."""
    from kinerja.services.auth import token_create

    return token_create(user=user)[0]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's chromium; never a downloaded browser."""
    exe = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
    return {
        **browser_type_launch_args,
        "executable_path": exe,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
