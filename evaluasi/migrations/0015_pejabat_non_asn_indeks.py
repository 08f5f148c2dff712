"""Partial indexes for the non-ASN Pejabat Penilai columns, built without blocking writes, and the
validation of the constraints 0014 added NOT VALID (each statement in its own transaction: validating
takes only a SHARE UPDATE EXCLUSIVE lock; docs/operations.md, "Migrations on a live database")."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

VALIDATE = (
    ("evaluasi_evaluasi", "evaluasi_evaluasi_pejabat_penilai_non_asn_id_fk_kinerja_pejabatnonasn_id"),
    ("evaluasi_evaluasi", "evaluasi_satu_pejabat_penilai"),
    ("evaluasi_keberatan", "evaluasi_keberatan_pemutus_non_asn_id_fk_kinerja_pejabatnonasn_id"),
    ("evaluasi_keberatan", "keberatan_satu_pemutus"),
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("evaluasi", "0014_pejabat_non_asn"),
    ]

    operations = [
        *(
            migrations.RunSQL(f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"', reverse_sql=migrations.RunSQL.noop)
            for table, name in VALIDATE
        ),
        AddIndexConcurrently(
            model_name='evaluasi',
            index=models.Index(condition=models.Q(('pejabat_penilai_non_asn__isnull', False)), fields=['instansi', 'pejabat_penilai_non_asn', 'tahun'], name='evaluasi_penilai_non_asn_idx'),
        ),
        AddIndexConcurrently(
            model_name='keberatan',
            index=models.Index(condition=models.Q(('pemutus_non_asn__isnull', False)), fields=['instansi', 'pemutus_non_asn', 'status'], name='keberatan_pemutus_non_asn_idx'),
        ),
    ]
