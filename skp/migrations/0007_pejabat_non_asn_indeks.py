"""Partial indexes for the non-ASN Pejabat Penilai columns, built without blocking writes."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("skp", "0006_pejabat_non_asn"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='skp',
            index=models.Index(condition=models.Q(('pejabat_penilai_non_asn__isnull', False)), fields=['instansi', 'pejabat_penilai_non_asn', 'status'], name='skp_penilai_non_asn_idx'),
        ),
    ]
