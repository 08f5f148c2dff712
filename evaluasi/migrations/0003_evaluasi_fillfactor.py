"""Performance: leave room in each heap page of evaluasi_evaluasi so the year-end batch's updates are HOT.

The batch's ``UPDATE ... SET status = 'final', final_at, updated_at`` (and the predikat update) change no
indexed column, but with full pages (fillfactor 100) every new row version lands on another page and is
inserted into all 13 indexes of the table (bench: 225 HOT of 508,950 updates; the final UPDATE was ~75 %
of the batch's time). Rows of a chunk share pages (they are inserted in pegawai order) and are all updated
in one transaction, so about half of each page must be free for them to stay HOT. Applies to pages
written after the migration; an existing table needs ``VACUUM FULL``/``pg_repack`` (docs/performance.md).
No model state changes (a storage parameter only).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("evaluasi", "0002_seed_aturan_distribusi")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE evaluasi_evaluasi SET (fillfactor = 50)",
            reverse_sql="ALTER TABLE evaluasi_evaluasi RESET (fillfactor)",
        )
    ]
