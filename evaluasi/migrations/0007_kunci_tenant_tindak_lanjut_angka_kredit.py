"""Tenant foreign keys for the batch's derived tables.

TindakLanjut and AngkaKredit had three single-column foreign keys (instansi, pegawai, evaluasi), each
checked per inserted row at commit. They become one composite key that also says more:
``(instansi_id, pegawai_id, evaluasi_id) -> evaluasi_evaluasi (instansi_id, pegawai_id, id)``, i.e. the
row points at an evaluation of the same instansi and the same pegawai (instansi and pegawai exist because
the evaluation's own keys say so). It is the shape Citus needs too (docs/scaling.md: keys between tenant
tables include the distribution column). Django keeps the relations (``db_constraint=False``), so
``on_delete`` and the ORM are unchanged. Measured: docs/performance.md, third pass.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluasi", "0006_instansi_tanpa_indeks_tunggal"),
        ("kinerja", "0005_row_level_security"),
        ("skp", "0003_teks_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="evaluasi",
            constraint=models.UniqueConstraint(
                fields=("instansi", "pegawai", "id"), name="uniq_evaluasi_kunci_tenant"
            ),
        ),
        migrations.AlterField(
            model_name="angkakredit",
            name="evaluasi",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="evaluasi.evaluasi",
            ),
        ),
        migrations.AlterField(
            model_name="angkakredit",
            name="instansi",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="kinerja.instansi",
            ),
        ),
        migrations.AlterField(
            model_name="angkakredit",
            name="pegawai",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="kinerja.pegawai",
            ),
        ),
        migrations.AlterField(
            model_name="tindaklanjut",
            name="evaluasi",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tindak_lanjut",
                to="evaluasi.evaluasi",
            ),
        ),
        migrations.AlterField(
            model_name="tindaklanjut",
            name="instansi",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="kinerja.instansi",
            ),
        ),
        migrations.AlterField(
            model_name="tindaklanjut",
            name="pegawai",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="kinerja.pegawai",
            ),
        ),
        migrations.RunSQL(
            sql=[
                f"ALTER TABLE {t} ADD CONSTRAINT {t}_evaluasi_tenant_fk FOREIGN KEY (instansi_id, pegawai_id, evaluasi_id)"
                " REFERENCES evaluasi_evaluasi (instansi_id, pegawai_id, id) DEFERRABLE INITIALLY DEFERRED"
                for t in ("evaluasi_tindaklanjut", "evaluasi_angkakredit")
            ],
            reverse_sql=[
                f"ALTER TABLE {t} DROP CONSTRAINT {t}_evaluasi_tenant_fk"
                for t in ("evaluasi_tindaklanjut", "evaluasi_angkakredit")
            ],
        ),
    ]
