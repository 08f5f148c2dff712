"""A covering index for the HR report (``kelengkapan_per_unit_sendiri``): the SKP state of every pegawai
of an instansi-year is an index-only scan (docs/performance.md, "Cluster"). Built without blocking
writes (docs/operations.md, "Migrations on a live database")."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("skp", "0009_pejabat_non_asn_indeks"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="skp",
            index=models.Index(
                fields=["instansi", "tahun", "pegawai"],
                include=["status", "periode_mulai", "periode_selesai"],
                name="skp_laporan_idx",
            ),
        ),
    ]
