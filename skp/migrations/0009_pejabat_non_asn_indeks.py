"""Partial indexes for the non-ASN Pejabat Penilai columns, built without blocking writes, and the
validation of the constraints 0008 added NOT VALID (each statement in its own transaction: validating
takes only a SHARE UPDATE EXCLUSIVE lock; docs/operations.md, "Migrations on a live database")."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

VALIDATE = (
    "skp_skp_pejabat_penilai_non_asn_id_fk_kinerja_pejabatnonasn_id",
    "skp_satu_pejabat_penilai",
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("skp", "0008_pejabat_non_asn"),
    ]

    operations = [
        *(
            migrations.RunSQL(f'ALTER TABLE "skp_skp" VALIDATE CONSTRAINT "{name}"', reverse_sql=migrations.RunSQL.noop)
            for name in VALIDATE
        ),
        AddIndexConcurrently(
            model_name='skp',
            index=models.Index(condition=models.Q(('pejabat_penilai_non_asn__isnull', False)), fields=['instansi', 'pejabat_penilai_non_asn', 'status'], name='skp_penilai_non_asn_idx'),
        ),
    ]
