"""Partial indexes for the non-ASN Pejabat Penilai columns, built without blocking writes."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("kinerja", "0009_pejabat_non_asn"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='pegawai',
            index=models.Index(condition=models.Q(('penilai_non_asn__isnull', False)), fields=['instansi', 'penilai_non_asn'], name='pegawai_penilai_non_asn_idx'),
        ),
    ]
