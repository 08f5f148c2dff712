"""Backup and restore drill: scripts/backup.sh dumps this test database (pg_dump -Fc) and its files,
scripts/restore.sh restores them into a fresh database, and a signed document still verifies there.

Skipped (with the reason) when no pg_dump/pg_restore of the server's major version is installed;
the embedded pgserver ships its own, which is tried as well.
"""

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from kinerja.models import Dokumen
from kinerja.selectors.dokumen import _PUBLIC_FIELDS, _publik
from kinerja.services.dokumen import StatusVerifikasi, dokumen_verify_upload
from tests.conftest import Org, database_url
from tests.dokumen.conftest import full_plan, render

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
BASH = shutil.which("bash") or "/bin/bash"


def _major(binary: str) -> int | None:
    try:
        out = subprocess.run(  # noqa: S603 - our own candidate binaries
            [binary, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(m.group(1)) if m else None


def _pg_bin_dirs() -> list[Path]:
    dirs = []
    which = shutil.which("pg_dump")
    if which:
        dirs.append(Path(which).parent)
    try:
        import pgserver  # the embedded server's own binaries

        dirs.append(Path(pgserver.__file__).parent / "pginstall" / "bin")
    except ImportError:
        pass
    dirs += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    return [d for d in dirs if (d / "pg_dump").exists() and (d / "pg_restore").exists()]


def _tools_for_server() -> Path:
    server = connection.cursor().connection.info.server_version // 10000
    found = {d: _major(str(d / "pg_dump")) for d in _pg_bin_dirs()}
    for d, major in found.items():
        if major == server:
            return d
    pytest.skip(
        f"no pg_dump/pg_restore for PostgreSQL {server} (found: "
        f"{ {str(d): m for d, m in found.items()} or 'none' }); install postgresql-client-{server}"
    )


def _counts(conn: Any) -> dict[str, int]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        ).fetchall()
    ]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def test_dump_restore_and_the_signed_document_still_verifies(org_a: Org, api: Any, tmp_path: Path) -> None:
    bin_dir = _tools_for_server()
    # given a signed SKP document (rendered and signed by the same code the worker runs)
    skp = full_plan(api, org_a)["pegawai"]
    dok = render(org_a, skp["id"])
    source_db = connection.settings_dict["NAME"]
    restored_db = f"{source_db}_pulih"[:63]
    env = {
        **os.environ,
        "DATABASE_URL": database_url(source_db),
        "ADMIN_DATABASE_URL": database_url("postgres"),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PG_DUMP": str(bin_dir / "pg_dump"),
        "PG_RESTORE": str(bin_dir / "pg_restore"),
        "PSQL": str(bin_dir / "psql") if (bin_dir / "psql").exists() else "psql",
    }
    media_copy = tmp_path / "media"
    try:
        # when it is backed up and restored into a new database (and a new media directory)
        out = subprocess.run(  # noqa: S603
            [BASH, "scripts/backup.sh", str(tmp_path / "backups")],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        backup_dir = out.stdout.strip().splitlines()[-1]
        res = subprocess.run(  # noqa: S603
            [BASH, "scripts/restore.sh", backup_dir, restored_db, str(media_copy)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
        with (
            psycopg.connect(database_url(source_db), autocommit=True) as src,
            psycopg.connect(database_url(restored_db), autocommit=True) as dst,
        ):
            # then every table has the same rows ...
            assert _counts(dst) == _counts(src)
            # ... the database-side protections came along (RLS policies and forced RLS, the audit trigger)
            policies = "SELECT count(*) FROM pg_policy WHERE polname = 'kinerja_instansi'"
            assert dst.execute(policies).fetchone() == src.execute(policies).fetchone()
            forced = "SELECT count(*) FROM pg_class WHERE relforcerowsecurity"
            assert dst.execute(forced).fetchone() == src.execute(forced).fetchone()
            assert dst.execute(
                "SELECT 1 FROM pg_trigger WHERE tgname = 'kinerja_auditlog_append_only'"
            ).fetchone()
            # ... and the document, read from the restored database and the restored files, verifies
            cols = ", ".join(
                "i.nama AS instansi__nama" if f == "instansi__nama" else f"d.{f}" for f in _PUBLIC_FIELDS
            )
            with dst.cursor(row_factory=psycopg.rows.dict_row) as cur:
                row = cur.execute(
                    f"SELECT {cols}, d.berkas FROM kinerja_dokumen d "  # noqa: S608
                    "JOIN kinerja_instansi i ON i.id = d.instansi_id WHERE d.kode = %s",
                    [dok.kode],
                ).fetchone()
        assert row is not None
        data = (media_copy / row["berkas"]).read_bytes()
        result = dokumen_verify_upload(dokumen=_publik(row), data=data)
        assert result.status == StatusVerifikasi.ASLI, result
        assert Dokumen._base_manager.get(pk=dok.pk).sha256 == row["sha256"]
    finally:
        with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')
