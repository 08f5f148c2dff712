"""A larger statistics sample for ``evaluasi_evaluasi.pegawai_id`` (storage setting, no model change).

With the default sample (100) PostgreSQL estimated ~140,000 distinct pegawai among 6 million rows of a
1M-pegawai deployment instead of 1,000,000, so a leader's evaluation list (``pegawai_id = ANY(...)``)
was planned as a scan of the whole instansi (85-125 ms); with 1000 it uses the index (1.4 ms,
docs/performance.md). Takes effect at the next ANALYZE (autovacuum, or run it after migrating).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("evaluasi", "0004_teks_max_length")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE evaluasi_evaluasi ALTER COLUMN pegawai_id SET STATISTICS 1000",
            reverse_sql="ALTER TABLE evaluasi_evaluasi ALTER COLUMN pegawai_id SET STATISTICS -1",
        )
    ]
