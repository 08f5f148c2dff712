# A feedback request may be addressed to the pegawai's non-ASN Pejabat Penilai (issue #16): ``diminta``
# nullable + ``diminta_non_asn``, exactly one of the two. dialog_permintaanumpanbalik grows with use, so the
# live-database recipe of 0012 is followed (docs/operations.md, "Migrations on a live database"): a nullable
# column without a constraint, the foreign key and the CHECK NOT VALID here, their validation in 0015.
# ``DROP NOT NULL`` is catalogue-only; written as SQL because an AlterField of a foreign key drops and
# re-adds (re-validates) the existing foreign key.

import django.db.models.deletion
from django.db import migrations, models

TABLE = "dialog_permintaanumpanbalik"
FK = "permintaan_diminta_non_asn_fk"


class Migration(migrations.Migration):

    dependencies = [
        ('dialog', '0013_umpan_balik_non_asn_indeks'),
        ('kinerja', '0011_pejabat_non_asn_indeks'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='permintaanumpanbalik',
                    name='diminta_non_asn',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='kinerja.pejabatnonasn'),
                ),
                migrations.AlterField(
                    model_name='permintaanumpanbalik',
                    name='diminta',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='kinerja.pegawai'),
                ),
                migrations.AddConstraint(
                    model_name='permintaanumpanbalik',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('diminta__isnull', False), ('diminta_non_asn__isnull', True)), models.Q(('diminta__isnull', True), ('diminta_non_asn__isnull', False)), _connector='OR'), name='permintaan_satu_diminta'),
                ),
            ],
            database_operations=[
                migrations.AddField(
                    model_name='permintaanumpanbalik',
                    name='diminta_non_asn',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='kinerja.pejabatnonasn'),
                ),
                migrations.RunSQL(
                    f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{FK}" FOREIGN KEY ("diminta_non_asn_id") '
                    'REFERENCES "kinerja_pejabatnonasn" ("id") DEFERRABLE INITIALLY DEFERRED NOT VALID',
                    reverse_sql=f'ALTER TABLE "{TABLE}" DROP CONSTRAINT IF EXISTS "{FK}"',
                ),
                migrations.RunSQL(
                    f'ALTER TABLE "{TABLE}" ALTER COLUMN "diminta_id" DROP NOT NULL',
                    # only possible while every row still names a pegawai (no non-ASN row)
                    reverse_sql=f'ALTER TABLE "{TABLE}" ALTER COLUMN "diminta_id" SET NOT NULL',
                ),
                migrations.RunSQL(
                    f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "permintaan_satu_diminta" CHECK ('
                    '("diminta_id" IS NOT NULL AND "diminta_non_asn_id" IS NULL) '
                    'OR ("diminta_id" IS NULL AND "diminta_non_asn_id" IS NOT NULL)) NOT VALID',
                    reverse_sql=f'ALTER TABLE "{TABLE}" DROP CONSTRAINT IF EXISTS "permintaan_satu_diminta"',
                ),
            ],
        ),
    ]
