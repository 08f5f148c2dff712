"""Partial indexes for the non-ASN Pejabat Penilai columns, built without blocking writes, and the
validation of the constraints 0010 added NOT VALID (each statement in its own transaction: validating
takes only a SHARE UPDATE EXCLUSIVE lock; docs/operations.md, "Migrations on a live database")."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

VALIDATE = (
    "kinerja_pegawai_penilai_non_asn_id_fk_kinerja_pejabatnonasn_id",
    "pegawai_satu_penilai",
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("kinerja", "0010_pejabat_non_asn"),
    ]

    operations = [
        *(
            migrations.RunSQL(
                f'ALTER TABLE "kinerja_pegawai" VALIDATE CONSTRAINT "{name}"', reverse_sql=migrations.RunSQL.noop
            )
            for name in VALIDATE
        ),
        AddIndexConcurrently(
            model_name='pegawai',
            index=models.Index(condition=models.Q(('penilai_non_asn__isnull', False)), fields=['instansi', 'penilai_non_asn'], name='pegawai_penilai_non_asn_idx'),
        ),
    ]
