"""Joins the two branches of issue #17 built in parallel (annual window/keberatan and follow-ups/angka
kredit/distribution); neither touches the other's tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("evaluasi", "0009_aturan1_jendela_diterima_matriks"),
        ("evaluasi", "0011_aturan3_langkah_tindak_lanjut"),
    ]
    operations: list[migrations.operations.base.Operation] = []
