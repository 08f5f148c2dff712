"""API tokens move to django-rest-knox (digests, expiry); web sessions get a revocation counter.

DRF's ``authtoken_token`` table kept every token in plain text. A digest cannot be made from it
that the clients' raw tokens would still match without keeping the raw value, so the table is
dropped: every API client logs in again (``POST /api/v1/auth/token/``) after this migration.
The migration rows of the removed ``authtoken`` app go too, so re-adding it would start clean.
Stale content types of it: ``manage.py remove_stale_contenttypes``.
"""

from django.db import migrations, models

DROP_AUTHTOKEN = """
DROP TABLE IF EXISTS authtoken_token CASCADE;
DELETE FROM django_migrations WHERE app = 'authtoken';
"""


class Migration(migrations.Migration):
    dependencies = [
        ("kinerja", "0005_row_level_security"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="sesi_versi",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunSQL(DROP_AUTHTOKEN, reverse_sql=migrations.RunSQL.noop),
    ]
