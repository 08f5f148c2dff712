from django.db import migrations

# The audit log is append-only for the application: any UPDATE or DELETE raises, whatever the
# caller (ORM, raw SQL, admin). Archiving old rows is an operator task: disable the trigger in a
# maintenance session (ALTER TABLE ... DISABLE TRIGGER) as the table owner, documented in
# docs/operations.md.
SQL = """
CREATE OR REPLACE FUNCTION kinerja_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'kinerja_auditlog is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS kinerja_auditlog_append_only ON kinerja_auditlog;
CREATE TRIGGER kinerja_auditlog_append_only
    BEFORE UPDATE OR DELETE ON kinerja_auditlog
    FOR EACH ROW EXECUTE FUNCTION kinerja_auditlog_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS kinerja_auditlog_append_only ON kinerja_auditlog;
DROP FUNCTION IF EXISTS kinerja_auditlog_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0003_dokumen")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
