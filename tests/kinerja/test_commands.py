"""Management commands: seed_demo (idempotent, realistic shape), grant_role (contract §1), demo_logins."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import base as management_base
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from guardian.models import UserObjectPermission

from kinerja import demo
from kinerja.exceptions import ApplicationError
from kinerja.models import (
    AuditLog,
    Instansi,
    Jabatan,
    JenisJabatan,
    JenjangJf,
    Pegawai,
    Penempatan,
    PeranInstansi,
    Periode,
    Role,
    UnitKerja,
    User,
)
from kinerja.selectors.people import roles_of
from kinerja.services.tenancy import role_grant
from kinerja.validators import nip_errors
from tests.conftest import Org

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
MODELS = [Instansi, User, Pegawai, Penempatan, UnitKerja, Jabatan, PeranInstansi, Periode, AuditLog]


def _counts() -> dict[str, int]:
    with scopes_disabled():
        counts = {m.__name__: m.objects.count() for m in MODELS}
    counts["UserObjectPermission"] = UserObjectPermission.objects.count()
    counts["platform_admins"] = User.objects.filter(is_platform_admin=True).count()
    return counts


def _seed() -> str:
    # People only: the activity (SKPs, feedback, ratings) has its own tests in test_demo_aktivitas.py.
    out = StringIO()
    call_command("seed_demo", "--tanpa-aktivitas", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db: Any) -> None:
    _seed()


# ---------------------------------------------------------------- seed_demo


def test_seed_demo_twice_changes_nothing(db: Any) -> None:
    # given a first run
    _seed()
    first = _counts()
    password_hashes = dict(User.objects.values_list("nip", "password"))
    # when it runs again
    out = _seed()
    # then no row (not even an audit row) and no password changed
    assert _counts() == first
    assert dict(User.objects.values_list("nip", "password")) == password_hashes
    assert "0 akun baru" in out


def test_seed_demo_instansi(seeded: None) -> None:
    demo_ = Instansi.objects.get(kode="DEMO")
    assert (demo_.nama, demo_.jenis, demo_.tempat) == ("Pemerintah Kabupaten Sukamaju", "daerah", "Sukamaju")
    demo2 = Instansi.objects.get(kode="DEMO2")
    assert demo2.nama == "Badan Kepegawaian Contoh"
    tahun = timezone.localdate().year
    with scope(instansi=demo_.pk):
        assert Periode.objects.filter(instansi=demo_, tahun=tahun).count() == 4  # triwulanan
    with scope(instansi=demo2.pk):
        assert Periode.objects.filter(instansi=demo2, tahun=tahun).count() == 12  # bulanan
        assert 5 <= Pegawai.objects.filter(instansi=demo2).count() <= 8


def test_seed_demo_shape(seeded: None) -> None:
    instansi = Instansi.objects.get(kode="DEMO")
    with scope(instansi=instansi.pk):
        pegawai = list(Pegawai.objects.filter(instansi=instansi).select_related("jabatan", "unit_kerja"))
        units = list(UnitKerja.objects.filter(instansi=instansi))

    assert len(pegawai) >= 60
    # at least three unit levels, plus a UPT(D)
    assert max(u.depth for u in units) >= 2
    assert any(u.nama.startswith("UPT") for u in units)
    assert {p.unit_kerja.depth for p in pegawai} >= {0, 1, 2}
    # every jenis jabatan of a kabupaten, several JF jenjang of both tracks
    jenis = {p.jabatan.jenis for p in pegawai}
    assert jenis >= {"jpt_pratama", "administrator", "pengawas", "pelaksana", "fungsional"}
    jenjang = {p.jabatan.jenjang for p in pegawai if p.jabatan.jenis == JenisJabatan.FUNGSIONAL}
    assert jenjang >= {"ahli_madya", "ahli_muda", "ahli_pertama", "penyelia", "mahir", "terampil"}
    # PNS, CPNS and PPPK
    assert {p.status for p in pegawai} == {"pns", "cpns", "pppk"}
    # exactly one pegawai on tugas belajar
    assert sum(p.tugas_belajar for p in pegawai) == 1
    # the jpt_pratama heads are the heads of the top units
    for p in pegawai:
        if p.jabatan.jenis == JenisJabatan.JPT_PRATAMA:
            assert p.unit_kerja.depth == 0, p


def test_seed_demo_has_every_jenis_jabatan_across_instansi(seeded: None) -> None:
    with scopes_disabled():
        jenis = set(
            Pegawai.objects.filter(instansi__kode__in=["DEMO", "DEMO2"]).values_list(
                "jabatan__jenis", flat=True
            )
        )
    assert jenis == set(JenisJabatan.values)


@pytest.mark.parametrize("kode", ["DEMO", "DEMO2"])
def test_seed_demo_nips_valid(seeded: None, kode: str) -> None:
    with scopes_disabled():
        rows = list(Pegawai.objects.filter(instansi__kode=kode).values_list("nip", "status", "nama"))
    assert rows
    for nip, status, nama in rows:
        assert nip_errors(nip, status) == [], (nip, status, nama)
        if status == "pppk":
            assert nip[12:14] == "21", nip  # "jumlah perjanjian kerja", commonly 21
            assert 2019 <= int(nip[8:12]) <= timezone.localdate().year, nip  # appointment year
    assert len({nip for nip, _, _ in rows}) == len(rows)


@pytest.mark.parametrize("kode", ["DEMO", "DEMO2"])
def test_seed_demo_atasan_chain(seeded: None, kode: str) -> None:
    with scopes_disabled():
        rows = {p.pk: p for p in Pegawai.objects.filter(instansi__kode=kode)}
    tops = [p for p in rows.values() if p.atasan_id is None]
    # one top leader; everyone else has a superior of the same instansi, and no chain loops
    assert len(tops) == 1
    for p in rows.values():
        seen = {p.pk}
        cur = p
        while cur.atasan_id is not None:
            assert cur.atasan_id in rows, f"{cur} has an atasan outside {kode}"
            assert cur.atasan_id not in seen, f"cycle through {cur}"
            seen.add(cur.atasan_id)
            cur = rows[cur.atasan_id]
        assert cur.pk == tops[0].pk


GOLONGAN = [
    "II/a",
    "II/b",
    "II/c",
    "II/d",
    "III/a",
    "III/b",
    "III/c",
    "III/d",
    "IV/a",
    "IV/b",
    "IV/c",
    "IV/d",
    "IV/e",
]
RANGE_BY_JENIS = {
    JenisJabatan.JPT_UTAMA: ("IV/d", "IV/e"),
    JenisJabatan.JPT_MADYA: ("IV/c", "IV/e"),
    JenisJabatan.JPT_PRATAMA: ("IV/c", "IV/e"),
    JenisJabatan.ADMINISTRATOR: ("III/d", "IV/c"),
    JenisJabatan.PENGAWAS: ("III/b", "IV/a"),
    JenisJabatan.PELAKSANA: ("II/a", "III/d"),
}
RANGE_BY_JENJANG = {
    JenjangJf.AHLI_UTAMA: ("IV/d", "IV/e"),
    JenjangJf.AHLI_MADYA: ("IV/a", "IV/c"),
    JenjangJf.AHLI_MUDA: ("III/c", "III/d"),
    JenjangJf.AHLI_PERTAMA: ("III/a", "III/b"),
    JenjangJf.PENYELIA: ("III/c", "III/d"),
    JenjangJf.MAHIR: ("III/a", "III/b"),
    JenjangJf.TERAMPIL: ("II/b", "II/d"),
    JenjangJf.PEMULA: ("II/a", "II/a"),
}


def test_seed_demo_pangkat_matches_jabatan(seeded: None) -> None:
    with scopes_disabled():
        rows = list(Pegawai.objects.filter(instansi__kode__in=["DEMO", "DEMO2"]).select_related("jabatan"))
    for p in rows:
        if p.status == "pppk":
            assert re.fullmatch(r"Golongan [IVX]+", p.pangkat_golongan), p.pangkat_golongan
            continue
        pangkat, _, gol = p.pangkat_golongan.partition(" / ")
        assert pangkat, p.pangkat_golongan
        assert gol in GOLONGAN, p.pangkat_golongan
        lo, hi = (
            RANGE_BY_JENJANG[p.jabatan.jenjang] if p.jabatan.jenis == JenisJabatan.FUNGSIONAL
            else RANGE_BY_JENIS[p.jabatan.jenis]
        )  # fmt: skip
        assert GOLONGAN.index(lo) <= GOLONGAN.index(gol) <= GOLONGAN.index(hi), (p.nama, p.jabatan.nama, gol)


def test_seed_demo_accounts_log_in_with_their_role(seeded: None) -> None:
    for account in demo.ACCOUNTS:
        user = User.objects.get(nip=demo.account_nip(account))
        assert user.check_password(demo.DEMO_PASSWORD), account
        instansi = Instansi.objects.filter(kode=account.instansi).first() if account.instansi else None
        with scope(instansi=instansi.pk if instansi else None):
            assert account.role in roles_of(user=user, instansi=instansi), account
    platform = User.objects.get(nip=demo.PLATFORM_ADMIN_NIP)
    assert platform.is_platform_admin
    assert not Pegawai._base_manager.filter(user=platform).exists()
    # the pegawai account's direct superior is the pejabat_penilai account
    by_role = {a.role: demo.account_nip(a) for a in demo.ACCOUNTS if a.instansi == "DEMO"}
    with scopes_disabled():
        assert Pegawai.objects.get(nip=by_role[Role.PEGAWAI]).atasan.nip == by_role[Role.PEJABAT_PENILAI]
        # every other pegawai has the demo password too
        assert all(
            u.check_password(demo.DEMO_PASSWORD) for u in User.objects.filter(pegawai__instansi__kode="DEMO")
        )


def test_seed_demo_api_login(seeded: None, api: Any) -> None:
    nip = demo.account_nip(demo.ACCOUNTS[0])
    resp = api(None).post(
        "/api/v1/auth/token/", {"username": nip, "password": demo.DEMO_PASSWORD}, format="json"
    )
    assert resp.status_code == 200, resp.content


# ---------------------------------------------------------------- grant_role


def run_cli(monkeypatch: Any, capsys: Any, *argv: str) -> tuple[int, str, str]:
    """Run ``manage.py <argv>`` in-process the way the shell does (``run_from_argv``): exit code + streams."""
    monkeypatch.setattr(management_base.connections, "close_all", lambda: None)  # keep the test transaction
    try:
        execute_from_command_line(["manage.py", *argv])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def _roles(org: Org, pegawai: Pegawai) -> list[str]:
    with scope(instansi=org.instansi.pk):
        return roles_of(user=User.objects.get(pk=pegawai.user_id), instansi=org.instansi)


@pytest.mark.parametrize("role", ["admin_instansi", "hr_viewer"])
def test_grant_role_then_revoke(org_a: Org, monkeypatch: Any, capsys: Any, role: str) -> None:
    nip = org_a.pegawai.nip
    # when the role is granted
    code, out, _ = run_cli(monkeypatch, capsys, "grant_role", "--instansi", "A", "--nip", nip, "--role", role)
    # then the pegawai has it in their instansi, and the grant is audited
    assert code == 0
    assert "diberikan" in out
    assert role in _roles(org_a, org_a.pegawai)
    with scopes_disabled():
        assert (
            AuditLog.objects.filter(
                instansi=org_a.instansi, action="peran.beri", after={"role": role}
            ).count()
            == 1
        )
    # granting again is a no-op with exit code 0
    code, out, _ = run_cli(monkeypatch, capsys, "grant_role", "--instansi", "A", "--nip", nip, "--role", role)
    assert code == 0
    assert "sudah memiliki" in out
    # when it is revoked
    code, out, _ = run_cli(
        monkeypatch, capsys, "grant_role", "--instansi", "A", "--nip", nip, "--role", role, "--revoke"
    )
    assert code == 0
    assert "dicabut" in out
    assert role not in _roles(org_a, org_a.pegawai)
    with scopes_disabled():
        assert AuditLog.objects.filter(instansi=org_a.instansi, action="peran.cabut").count() == 1


def test_grant_role_platform_admin(org_a: Org, platform_admin: User) -> None:
    user = org_a.pegawai.user
    call_command("grant_role", "--nip", user.nip, "--role", "platform_admin", stdout=StringIO())
    user.refresh_from_db()
    assert user.is_platform_admin
    assert AuditLog._base_manager.filter(instansi=None, action="peran.beri", object_id=str(user.pk)).exists()
    call_command("grant_role", "--nip", user.nip, "--role", "platform_admin", "--revoke", stdout=StringIO())
    user.refresh_from_db()
    assert not user.is_platform_admin
    # a platform admin need not be a pegawai (its login id is not a NIP)
    call_command(
        "grant_role", "--nip", platform_admin.nip, "--role", "platform_admin", "--revoke", stdout=StringIO()
    )
    platform_admin.refresh_from_db()
    assert not platform_admin.is_platform_admin


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--instansi", "A", "--nip", "199001012015011999", "--role", "hr_viewer"], "tidak ditemukan"),
        (
            ["--instansi", "ZZZ", "--nip", "{nip}", "--role", "hr_viewer"],
            "Instansi dengan kode 'ZZZ' tidak ditemukan",
        ),
        (["--instansi", "A", "--nip", "{nip}", "--role", "raja"], "Peran tidak dikenal"),
        (["--instansi", "A", "--nip", "{nip}", "--role", "pegawai"], "Peran tidak dikenal"),
        (["--nip", "{nip}", "--role", "admin_instansi"], "memerlukan --instansi"),
        (["--instansi", "A", "--nip", "{nip_b}", "--role", "admin_instansi"], "bukan pegawai instansi A"),
        (["--instansi", "A", "--nip", "{nip}", "--role", "platform_admin"], "jangan memakai --instansi"),
        (["--nip", "199001012015011999", "--role", "platform_admin"], "tidak ditemukan"),
        (["--instansi", "A", "--role", "hr_viewer"], "--nip"),
        (["--instansi", "A", "--nip", "{nip}"], "Peran tidak dikenal"),
    ],
)
def test_grant_role_errors_exit_1(
    org_a: Org, org_b: Org, monkeypatch: Any, capsys: Any, argv: list[str], message: str
) -> None:
    argv = [a.format(nip=org_a.pegawai.nip, nip_b=org_b.pegawai.nip) for a in argv]
    before = _counts()
    code, out, err = run_cli(monkeypatch, capsys, "grant_role", *argv)
    assert code == 1
    assert message in err
    assert "Traceback" not in err
    assert out == ""
    assert _counts() == before  # nothing granted, nothing audited


def test_role_grant_service_refuses_a_user_of_another_instansi(org_a: Org, org_b: Org) -> None:
    # the rule lives in the service, not only in the command
    with scope(instansi=org_a.instansi.pk), pytest.raises(ApplicationError, match="bukan pegawai"):
        role_grant(actor=None, user=org_b.pegawai.user, role="admin_instansi", instansi=org_a.instansi)
    assert not PeranInstansi._base_manager.filter(user=org_b.pegawai.user, instansi=org_a.instansi).exists()


def test_grant_role_errors_raise_command_error(org_a: Org) -> None:
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("grant_role", "--instansi", "A", "--nip", "000", "--role", "hr_viewer")


def test_grant_role_exit_code_in_a_real_process() -> None:
    # an unknown role is refused before any database access, so a subprocess needs no test data
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kinerja.settings.test"}
    proc = subprocess.run(
        [sys.executable, "manage.py", "grant_role", "--instansi", "A", "--nip", "1", "--role", "raja"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "Peran tidak dikenal" in proc.stderr


# ---------------------------------------------------------------- demo_logins


def test_demo_logins_prints_the_accounts(seeded: None) -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for account in demo.ACCOUNTS:
        line = next(line for line in text.splitlines() if demo.account_nip(account) in line)
        assert account.role in line
        assert demo.DEMO_PASSWORD in line
        assert (account.instansi or "semua instansi") in line
        assert User.objects.get(nip=demo.account_nip(account)).nama in line
    assert {"pegawai", "pejabat_penilai", "admin_instansi", "hr_viewer", "platform_admin"} <= set(
        text.split()
    )
    assert "Semua pegawai demo lainnya" in text


def test_demo_logins_without_seed(db: Any) -> None:
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("demo_logins", stdout=StringIO())
