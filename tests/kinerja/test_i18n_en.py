"""English UI: the SKP, dialog and evaluasi pages render in English once a user picks it, and the
English catalogue has no untranslated or fuzzy entries and a compiled .mo that matches the .po.

Indonesian stays the default (tests elsewhere compare Indonesian text); only the user's choice
through ``set_language`` switches the language.
"""

from __future__ import annotations

import datetime as dt
import gettext
import html
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from evaluasi.models import Evaluasi
from skp.models import Skp
from tests.conftest import Org
from tests.evaluasi.conftest import ensure_all
from tests.skp.conftest import IND, TAHUN, add_rhk, approve, build_rencana, draft, reload, submit

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture(autouse=True)
def _back_to_default_language() -> Any:
    """The test client's LocaleMiddleware leaves the last request's language active in this thread;
    later tests (management commands, services) must not inherit English."""
    yield
    translation.deactivate()


def english_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    resp = client.post(reverse("set_language"), {"language": "en", "next": reverse("dashboard")})
    assert resp.status_code == 302
    return client


def page(client: Client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, url
    body = resp.content.decode()
    assert 'lang="en"' in body
    return html.unescape(body)


def approved_skp(org: Org) -> Skp:
    rencana = build_rencana(org)
    skp = draft(org.pegawai)
    add_rhk(skp, "Tersusunnya laporan administrasi umum", pimpinan=rencana.atasan_rhk[0], indikator=IND)
    submit(skp)
    approve(skp, org.atasan)
    return reload(skp)


# ------------------------------------------------------------------------------------------ pages


@pytest.mark.django_db
def test_skp_pages_in_english(org_a: Org) -> None:
    skp = approved_skp(org_a)
    pegawai = english_client(org_a.pegawai.user)

    body = page(pegawai, reverse("skp:saya"))
    assert "My SKP" in body
    assert "SKP Saya" not in body

    body = page(pegawai, reverse("skp:detail", args=[skp.pk]))
    assert "EMPLOYEE PERFORMANCE TARGETS (SKP)" in body
    assert "WORK RESULTS" in body
    assert "WORK BEHAVIOUR" in body
    assert "PERFORMANCE APPRAISER" in body
    assert "SASARAN KINERJA PEGAWAI" not in body
    assert "PEJABAT PENILAI KINERJA" not in body

    atasan = english_client(org_a.atasan.user)
    body = page(atasan, reverse("skp:inbox"))
    assert "SKP approvals" in body
    body = page(atasan, reverse("skp:pohon"))
    assert "Performance tree" in body


@pytest.mark.django_db
def test_dialog_pages_in_english(org_a: Org) -> None:
    skp = approved_skp(org_a)
    pegawai = english_client(org_a.pegawai.user)

    body = page(pegawai, reverse("dialog:beranda"))
    assert "Performance Dialogue" in body
    assert "Dialog Kinerja" not in body

    body = page(pegawai, reverse("dialog:realisasi", args=[skp.pk]))
    assert "Achievements & Supporting Evidence" in body
    assert "Realisasi & Bukti Dukung" not in body

    body = page(pegawai, reverse("dialog:umpan-balik-skp", args=[skp.pk]))
    assert "Continuous Feedback" in body
    assert "Request feedback" in body
    assert "Umpan Balik Berkelanjutan" not in body

    body = page(pegawai, reverse("dialog:catatan"))
    assert "Dialogue, Coaching & Counselling" in body
    body = page(pegawai, reverse("dialog:penugasan"))
    assert "Assignments for me" in body
    body = page(pegawai, reverse("dialog:notifikasi"))
    assert "Notifications" in body

    atasan = english_client(org_a.atasan.user)
    body = page(atasan, reverse("dialog:tim"))
    assert "Team status" in body


@pytest.mark.django_db
def test_evaluasi_pages_in_english(org_a: Org, time_machine: Any) -> None:
    # inside the annual window (1 Dec - 31 Jan), whenever the suite runs: the rating form is shown then
    time_machine.move_to(dt.datetime(TAHUN, 12, 15, 10, 0, tzinfo=dt.UTC))
    skp = approved_skp(org_a)
    ensure_all(org_a.instansi, tahun=TAHUN)
    with scopes_disabled():
        ev = Evaluasi._base_manager.get(
            instansi=org_a.instansi, pegawai=org_a.pegawai, skp=skp, jenis="tahunan"
        )

    atasan = english_client(org_a.atasan.user)
    body = page(atasan, reverse("evaluasi:daftar") + f"?tahun={TAHUN}")
    assert "Performance evaluation" in body
    assert "Evaluasi kinerja" not in body

    body = page(atasan, reverse("evaluasi:detail", args=[ev.pk]))
    assert "Annual evaluation" in body
    assert "Assessment by the Performance Appraiser" in body
    assert "Work result rating" in body
    # the matrix's corner cell (it stayed Indonesian while its msgid had a backslash)
    assert "WR ↓ / WB →" in body
    assert "Evaluasi tahunan" not in body

    admin = english_client(org_a.admin.user)
    body = page(admin, reverse("evaluasi:unit", args=[org_a.pegawai.unit_kerja_id]) + f"?tahun={TAHUN}")
    assert "Organisational performance and distribution pattern" in body


@pytest.mark.django_db
def test_service_errors_follow_the_language(org_a: Org) -> None:
    """Validation messages raised by the services are translated too (submitting an empty SKP)."""
    skp = draft(org_a.pegawai)
    client = english_client(org_a.pegawai.user)
    resp = client.post(reverse("skp:ajukan", args=[skp.pk]), {"versi": skp.versi}, follow=True)
    body = resp.content.decode()
    assert "Add at least one main planned work result before submitting." in body
    assert "Tambahkan minimal satu rencana hasil kerja utama" not in body


# -------------------------------------------------------------------------------------- catalogue


def _msgattrib(*args: str) -> str:
    if shutil.which("msgattrib") is None:
        pytest.skip("gettext tools (msgattrib) not installed")
    out = subprocess.run(  # noqa: S603 - fixed command on a repository file
        ["msgattrib", *args, str(PO)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


@pytest.mark.parametrize("which", ["--untranslated", "--only-fuzzy"])
def test_english_catalogue_is_complete(which: str) -> None:
    entries = [line for line in _msgattrib(which, "--no-obsolete").splitlines() if line.startswith("msgid ")]
    # msgattrib repeats the header (msgid "") when it prints anything at all
    entries = [line for line in entries if line != 'msgid ""']
    assert entries == [], f"{len(entries)} {which} entries in {PO.name}, e.g. {entries[:5]}"


def test_compiled_catalogue_matches_the_po(tmp_path: Path) -> None:
    """The tracked django.mo is what compilemessages makes of the current django.po."""
    if shutil.which("msgfmt") is None:
        pytest.skip("gettext tools (msgfmt) not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True)  # noqa: S603, S607
    with fresh.open("rb") as a, MO.open("rb") as b:
        expected = gettext.GNUTranslations(a)._catalog  # type: ignore[attr-defined]
        actual = gettext.GNUTranslations(b)._catalog  # type: ignore[attr-defined]
    missing = sorted(str(k) for k in expected.keys() - actual.keys())
    assert not missing, f"django.mo is stale (run compilemessages): {missing[:5]}"
    assert actual == expected, "django.mo differs from django.po (run compilemessages)"
