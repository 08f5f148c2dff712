"""Row-level security on every tenant table (see kinerja/rls.py and docs/security.md).

Idempotent: creates the NOLOGIN role ``kinerja_app`` if missing, grants it DML (the audit log:
SELECT/INSERT only), and enables + forces RLS with the ``kinerja_instansi`` policy on every table
that has an ``instansi_id`` column. Tables created by later migrations (any app) get the same from
the ``post_migrate`` handler in kinerja.rls, which runs after every ``migrate``.
"""

from django.db import migrations

from kinerja import rls


def forwards(apps, schema_editor):
    rls.ensure_rls(schema_editor.connection.alias)


def backwards(apps, schema_editor):
    rls.disable_rls(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0004_auditlog_append_only")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
