"""Migrations that are safe on a live database: refuse a NEW migration that would lock a big table.

Rules (docs/operations.md, "Migrations on a live database"), for operations on a big table
(``BIG_TABLES``) that was not created by a migration outside the baseline:

* ``AddIndex`` / ``AddConstraint`` (a unique constraint is a unique index) / ``AlterUniqueTogether`` /
  ``AlterIndexTogether``: build the index with ``AddIndexConcurrently`` in a non-atomic migration
  (``atomic = False``); a constraint from an index with ``RunSQL`` (``... USING INDEX``);
* ``CheckConstraint`` or a foreign key: ``RunSQL`` with ``NOT VALID`` then ``VALIDATE CONSTRAINT`` in a
  separate migration (validation takes a weak lock);
* ``AddField`` with an index, a unique flag, a foreign key, or a database default that is volatile
  (``db_default=Now()``: every row is rewritten);
* ``AlterField`` that changes the column type, sets ``NOT NULL``, or adds an index/unique/foreign key;
* ``RunSQL`` with ``CREATE INDEX`` without ``CONCURRENTLY``, ``ADD CONSTRAINT`` without ``NOT VALID``
  (except ``USING INDEX``), ``ALTER COLUMN ... TYPE``, ``SET NOT NULL``, ``VACUUM FULL``, ``CLUSTER``.

``CreateModel`` is always safe (a new, empty table), and so is everything on tables that a new
migration created. Migrations up to the baseline (``BASELINE``: what was on main when the check was
introduced) are not checked. A migration whose author has measured or scheduled the lock sets
``kinerja_lock_reviewed = "reason"`` on its ``Migration`` class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.operations import AddConstraintNotValid, AddIndexConcurrently
from django.db import connection
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader

#: Big tables: all tables of the skp, evaluasi and dialog apps, the pegawai table, the audit log and the
#: daily log (log harian) whatever its app calls it.
BIG_TABLE_PATTERNS = (
    re.compile(r"^skp_"),
    re.compile(r"^evaluasi_"),
    re.compile(r"^dialog_"),
    re.compile(r"^kinerja_pegawai$"),
    re.compile(r"^kinerja_auditlog$"),
    re.compile(r"log_?harian"),
)

#: Migrations on main when the check was introduced (2026-12-07): never checked again.
BASELINE = frozenset(
    {
        ("kinerja", "0001_initial"), ("kinerja", "0002_job"), ("kinerja", "0003_dokumen"),
        ("kinerja", "0004_auditlog_append_only"), ("kinerja", "0005_row_level_security"),
        ("kinerja", "0006_tokens_sesi_versi"), ("kinerja", "0007_job_heartbeat"),
        ("kinerja", "0008_aturan2_siklus_semesteran"),
        ("skp", "0001_initial"), ("skp", "0002_seed_core_values"), ("skp", "0003_teks_max_length"),
        ("skp", "0004_integrity_snapshots"), ("skp", "0005_integrity_fill_snapshots"),
        ("dialog", "0001_initial"), ("dialog", "0002_seed_pernyataan_b18"), ("dialog", "0003_default_ordering"),
        ("dialog", "0004_notifikasi_jenis_evaluasi"), ("dialog", "0005_teks_max_length"),
        ("dialog", "0006_instansi_tanpa_indeks_tunggal"), ("dialog", "0007_notifikasi_indeks_parsial"),
        ("dialog", "0008_integrity_jenis_rhk_pimpinan_diubah"), ("dialog", "0009_aturan2_penilaian_kompetensi_b19"),
        ("dialog", "0010_aturan2_penugasan_lintas_instansi"),
        ("evaluasi", "0001_initial"), ("evaluasi", "0002_seed_aturan_distribusi"),
        ("evaluasi", "0003_evaluasi_fillfactor"), ("evaluasi", "0004_teks_max_length"),
        ("evaluasi", "0005_evaluasi_pegawai_statistics"), ("evaluasi", "0006_instansi_tanpa_indeks_tunggal"),
        ("evaluasi", "0007_kunci_tenant_tindak_lanjut_angka_kredit"), ("evaluasi", "0008_robust_evaluasi_versi"),
        ("evaluasi", "0009_aturan1_jendela_diterima_matriks"), ("evaluasi", "0009_aturan3_angka_kredit_rincian"),
        ("evaluasi", "0010_aturan3_distribusi_bawaan"), ("evaluasi", "0011_aturan3_langkah_tindak_lanjut"),
        ("evaluasi", "0012_merge_aturan1_aturan3"),
    }
)  # fmt: skip
#: Only the project's apps are checked (third-party migrations are applied as shipped).
APPS = ("kinerja", "skp", "dialog", "evaluasi")

_SQL_RULES = (
    (re.compile(r"CREATE\s+(UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY)", re.I), "CREATE INDEX without CONCURRENTLY"),
    (
        re.compile(r"ADD\s+CONSTRAINT\s+(?![^;]*(NOT\s+VALID|USING\s+INDEX))[^;]*", re.I),
        "ADD CONSTRAINT without NOT VALID",
    ),
    (re.compile(r"ALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b", re.I), "ALTER COLUMN ... TYPE (rewrite)"),
    (re.compile(r"SET\s+NOT\s+NULL", re.I), "SET NOT NULL (full scan under an exclusive lock)"),
    (re.compile(r"VACUUM\s+FULL|\bCLUSTER\s+\w", re.I), "VACUUM FULL / CLUSTER (rewrite)"),
)
_VOLATILE = re.compile(r"\b(now|random|gen_random_uuid|clock_timestamp|statement_timestamp|uuid)\b", re.I)


@dataclass(frozen=True)
class Finding:
    app: str
    migration: str
    operation: str
    table: str
    reason: str

    def __str__(self) -> str:
        return f"{self.app}.{self.migration}: {self.operation} on {self.table}: {self.reason}"


def is_big(table: str) -> bool:
    return any(p.search(table) for p in BIG_TABLE_PATTERNS)


def _db_type(field: Any) -> str | None:
    return field.db_type(connection) if field is not None else None


def _volatile_default(field: Any) -> bool:
    expr = getattr(field, "db_default", None)
    if expr is None or type(expr).__name__ == "NOT_PROVIDED":
        return False
    return bool(_VOLATILE.search(repr(expr))) or type(expr).__name__ in {"Now", "RandomUUID", "Random"}


def _indexed(field: Any) -> bool:
    return bool(getattr(field, "db_index", False) or getattr(field, "unique", False) or field.is_relation)


def _tables_in_sql(sql: str) -> set[str]:
    return {
        m.group(1).strip('"').lower()
        for m in re.finditer(r"\b(?:ON|TABLE)\s+(?:ONLY\s+)?(\"?[\w.]+\"?)", sql, re.I)
    }


def check_operation(op: Any, *, table: str, before: Any, migration: Any) -> list[str]:
    """Reasons why ``op`` on ``table`` (``before``: the model state's field, where it applies) locks it."""
    reasons: list[str] = []
    if isinstance(op, AddIndexConcurrently | AddConstraintNotValid):
        return reasons  # the safe forms (ValidateConstraint follows in a later migration)
    if isinstance(op, ops.AddIndex):
        reasons.append(
            "index built without CONCURRENTLY: use AddIndexConcurrently in a migration with atomic = False"
        )
    elif isinstance(op, ops.AddConstraint):
        reasons.append(
            "constraint validated (or its unique index built) under a lock: RunSQL ... NOT VALID, then VALIDATE "
            "CONSTRAINT in a later migration (unique: CREATE UNIQUE INDEX CONCURRENTLY + ADD CONSTRAINT ... USING INDEX)"
        )
    elif isinstance(op, ops.AlterUniqueTogether | ops.AlterIndexTogether) and getattr(
        op, "option_value", None
    ):
        reasons.append("unique/index together builds an index under a lock: AddIndexConcurrently")
    elif isinstance(op, ops.AddField):
        f = op.field
        if _volatile_default(f):
            reasons.append(
                "volatile database default rewrites every row: add the column without it, backfill in batches"
            )
        if f.is_relation and getattr(f, "db_constraint", True) and f.many_to_one:
            reasons.append(
                "foreign key validated under a lock: db_constraint=False, then RunSQL ... NOT VALID + VALIDATE"
            )
        elif _indexed(f) and not f.many_to_many:
            reasons.append(
                "index built without CONCURRENTLY: add the field without it, then AddIndexConcurrently"
            )
    elif isinstance(op, ops.AlterField):
        f = op.field
        old_type, new_type = _db_type(before), _db_type(f)
        if before is not None and old_type != new_type:
            reasons.append(f"column type {old_type} -> {new_type} rewrites the table")
        if before is not None and before.null and not f.null:
            reasons.append(
                "SET NOT NULL scans the table under an exclusive lock: add a CHECK ... NOT VALID, validate, then SET NOT NULL"
            )
        if before is not None and not _indexed(before) and _indexed(f):
            reasons.append("index/foreign key added under a lock: AddIndexConcurrently / NOT VALID")
    return reasons


def check_runsql(op: Any) -> list[tuple[str, str]]:
    sqls = op.sql if isinstance(op.sql, list | tuple) else [op.sql]
    out: list[tuple[str, str]] = []
    for sql in sqls:
        text = sql[0] if isinstance(sql, list | tuple) else str(sql)
        for pattern, reason in _SQL_RULES:
            if pattern.search(text):
                out.extend((t, reason) for t in _tables_in_sql(text) or {"?"} if t == "?" or is_big(t))
    return out


def find_unsafe(
    loader: MigrationLoader | None = None, *, baseline: frozenset[tuple[str, str]] = BASELINE
) -> list[Finding]:
    """Every risky operation on a big table in a migration outside ``baseline``."""
    loader = loader or MigrationLoader(None, ignore_no_migrations=True)
    findings: list[Finding] = []
    new_tables: set[str] = set()
    plan: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(leaf):
            if node not in plan:
                plan.append(node)
    for app, name in plan:
        if app not in APPS or (app, name) in baseline:
            continue
        migration = loader.graph.nodes[(app, name)]
        if getattr(migration, "kinerja_lock_reviewed", ""):
            continue
        state = loader.project_state((app, name), at_end=False)
        for op in migration.operations:
            if isinstance(op, ops.CreateModel):
                op.state_forwards(app, state)
                new_tables.add(state.apps.get_model(app, op.name)._meta.db_table)
                continue
            if isinstance(op, ops.RunSQL):
                for table, reason in check_runsql(op):
                    if table not in new_tables:
                        findings.append(Finding(app, name, "RunSQL", table, reason))
                continue
            model_name = getattr(op, "model_name", None) or getattr(op, "name", None)
            table = ""
            before = None
            if model_name and not isinstance(op, ops.RunPython | ops.SeparateDatabaseAndState):
                try:
                    model = state.apps.get_model(app, model_name)
                    table = model._meta.db_table
                    if isinstance(op, ops.AlterField):
                        before = model._meta.get_field(op.name)
                except LookupError:  # a model the state does not know: nothing to check
                    table = ""
            if table and is_big(table) and table not in new_tables:
                findings.extend(
                    Finding(app, name, type(op).__name__, table, reason)
                    for reason in check_operation(op, table=table, before=before, migration=migration)
                )
            op.state_forwards(app, state)
    return findings
