"""Partial indexes for the non-ASN Pejabat Penilai columns, built without blocking writes."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("evaluasi", "0013_pejabat_non_asn"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='evaluasi',
            index=models.Index(condition=models.Q(('pejabat_penilai_non_asn__isnull', False)), fields=['instansi', 'pejabat_penilai_non_asn', 'tahun'], name='evaluasi_penilai_non_asn_idx'),
        ),
        AddIndexConcurrently(
            model_name='keberatan',
            index=models.Index(condition=models.Q(('pemutus_non_asn__isnull', False)), fields=['instansi', 'pemutus_non_asn', 'status'], name='keberatan_pemutus_non_asn_idx'),
        ),
    ]
