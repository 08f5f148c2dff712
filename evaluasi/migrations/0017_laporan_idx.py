"""A covering index for the HR report (``kelengkapan_per_unit_sendiri``): the per-pegawai predikat of a
year/period becomes an index-only scan instead of an index scan that filters every evaluation row of the
pegawai (850 ms -> 430 ms for the whole query at 100,000 pegawai; docs/performance.md, "Cluster"). It has
the key columns of ``evaluasi_tahun_pegawai_idx`` in the same order, so it replaces it (built first,
then the old one dropped; both without blocking writes: docs/operations.md, "Migrations on a live
database")."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("evaluasi", "0016_kiriman_siasn_dikirim"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="evaluasi",
            index=models.Index(
                fields=["instansi", "tahun", "jenis", "pegawai"],
                include=["predikat", "periode"],
                name="evaluasi_laporan_idx",
            ),
        ),
        RemoveIndexConcurrently(model_name="evaluasi", name="evaluasi_tahun_pegawai_idx"),
    ]
