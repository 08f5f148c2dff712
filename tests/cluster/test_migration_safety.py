"""Migrations safe on a live database (kinerja/migration_safety.py, `manage.py cek_migrasi_aman`):
the repository's migrations pass, and each kind of risky operation on a big table in a NEW migration
is refused while its safe form, new tables and small tables pass."""

from typing import Any

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.core.management import CommandError, call_command
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

from kinerja.migration_safety import find_unsafe


def _with(app: str, *operations: Any, reviewed: str = "", name: str = "9999_uji") -> MigrationLoader:
    """The project's migration graph plus one new migration of ``app`` after its leaf."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaf = loader.graph.leaf_nodes(app)[0]
    migration = type("Migration", (migrations.Migration,), {"operations": list(operations)})(name, app)
    if reviewed:
        migration.kinerja_lock_reviewed = reviewed
    migration.dependencies = [leaf]
    loader.graph.add_node((app, name), migration)
    loader.graph.add_dependency(migration, (app, name), leaf)
    return loader


def _reasons(loader: MigrationLoader) -> list[str]:
    return [f"{f.operation} {f.table}: {f.reason}" for f in find_unsafe(loader)]


def test_the_repositorys_migrations_are_safe(capsys: Any) -> None:
    call_command("cek_migrasi_aman")
    assert "aman" in capsys.readouterr().out


RISKY = {
    "add index": (
        "evaluasi",
        migrations.AddIndex("evaluasi", models.Index(fields=["tahun"], name="uji_idx")),
    ),
    "unique constraint": (
        "skp",
        migrations.AddConstraint("skp", models.UniqueConstraint(fields=["id", "tahun"], name="uji_uniq")),
    ),
    "check constraint": (
        "evaluasi",
        migrations.AddConstraint(
            "evaluasi", models.CheckConstraint(condition=models.Q(tahun__gt=2000), name="uji_ck")
        ),
    ),
    "foreign key": (
        "kinerja",
        migrations.AddField(
            "pegawai",
            "uji_unit",
            models.ForeignKey("kinerja.unitkerja", null=True, on_delete=models.SET_NULL),
        ),
    ),
    "indexed field": (
        "kinerja",
        migrations.AddField("pegawai", "uji", models.IntegerField(null=True, db_index=True)),
    ),
    "volatile db default": (
        "evaluasi",
        migrations.AddField("evaluasi", "uji_at", models.DateTimeField(db_default=models.functions.Now())),
    ),
    "type change": ("kinerja", migrations.AlterField("pegawai", "nama", models.TextField())),
    "raw create index": ("evaluasi", migrations.RunSQL("CREATE INDEX uji ON evaluasi_evaluasi (tahun)")),
    "raw foreign key": (
        "dialog",
        migrations.RunSQL(
            "ALTER TABLE dialog_notifikasi ADD CONSTRAINT uji FOREIGN KEY (aktor_id) REFERENCES kinerja_user (id)"
        ),
    ),
}


@pytest.mark.parametrize("kind", list(RISKY))
def test_a_risky_operation_on_a_big_table_is_refused(kind: str) -> None:
    app, op = RISKY[kind]
    found = _reasons(_with(app, op))
    assert len(found) >= 1, kind
    assert all("9999" not in r for r in found)  # the message names operation, table and the safe form


def test_the_command_fails_with_the_list() -> None:
    import kinerja.migration_safety as ms

    loader = _with(*RISKY["add index"])
    original = ms.MigrationLoader
    ms.MigrationLoader = lambda *a, **k: loader  # type: ignore[assignment,misc]
    try:
        with pytest.raises(CommandError, match="lock a big table"):
            call_command("cek_migrasi_aman")
    finally:
        ms.MigrationLoader = original  # type: ignore[misc]


def test_safe_forms_new_tables_small_tables_and_reviewed_migrations_pass() -> None:
    concurrently = AddIndexConcurrently("evaluasi", models.Index(fields=["tahun"], name="uji_idx"))
    assert _reasons(_with("evaluasi", concurrently)) == []
    assert _reasons(_with("evaluasi", migrations.RunSQL(
        "CREATE INDEX CONCURRENTLY uji ON evaluasi_evaluasi (tahun)"))) == []  # fmt: skip
    assert _reasons(_with("dialog", migrations.RunSQL(
        "ALTER TABLE dialog_notifikasi ADD CONSTRAINT uji FOREIGN KEY (aktor_id) REFERENCES kinerja_user (id) NOT VALID"
    ))) == []  # fmt: skip
    assert (
        _reasons(_with("kinerja", migrations.AddField("pegawai", "uji", models.IntegerField(null=True))))
        == []
    )
    # a new table (a new app's log harian, say) takes indexes and foreign keys freely
    new = _with(
        "kinerja",
        migrations.CreateModel(
            "LogHarianUji",
            [("id", models.BigAutoField(primary_key=True)), ("tanggal", models.DateField())],
        ),
        migrations.AddIndex("logharianuji", models.Index(fields=["tanggal"], name="uji_log_idx")),
    )
    assert _reasons(new) == []
    # a small table (the instansi list)
    small = _with(
        "kinerja", migrations.AddIndex("instansi", models.Index(fields=["nama"], name="uji_ins_idx"))
    )
    assert _reasons(small) == []
    reviewed = _with(*RISKY["add index"], reviewed="measured: 0.4 s on 1M rows at night")
    assert _reasons(reviewed) == []
