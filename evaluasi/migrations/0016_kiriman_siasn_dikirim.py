"""The SIASN send's write-ahead intent (issue #18): ``KirimanSiasn.dikirim_at``, a nullable column (no table
rewrite, no default to backfill: an instant catalog change), and the status "dikirim" (choices only: no SQL)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluasi', '0015_pejabat_non_asn_indeks'),
    ]

    operations = [
        migrations.AddField(
            model_name='kirimansiasn',
            name='dikirim_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='kirimansiasn',
            name='status',
            field=models.CharField(choices=[('terkirim', 'Terkirim'), ('gagal', 'Gagal'), ('dikirim', 'Sedang dikirim')], max_length=10),
        ),
    ]
