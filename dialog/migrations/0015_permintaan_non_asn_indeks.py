"""Validation of the foreign key and CHECK 0014 added NOT VALID (each statement in its own transaction:
validating takes only a SHARE UPDATE EXCLUSIVE lock) and the partial index of the open requests addressed to
a non-ASN official, built without blocking writes (docs/operations.md, "Migrations on a live database")."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

VALIDATE = (
    ("dialog_permintaanumpanbalik", "permintaan_diminta_non_asn_fk"),
    ("dialog_permintaanumpanbalik", "permintaan_satu_diminta"),
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dialog", "0014_permintaan_non_asn"),
    ]

    operations = [
        *(
            migrations.RunSQL(f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"', reverse_sql=migrations.RunSQL.noop)
            for table, name in VALIDATE
        ),
        AddIndexConcurrently(
            model_name='permintaanumpanbalik',
            index=models.Index(condition=models.Q(('diminta_non_asn__isnull', False)), fields=['instansi', 'diminta_non_asn', 'status'], name='permintaan_diminta_na_idx'),
        ),
    ]
