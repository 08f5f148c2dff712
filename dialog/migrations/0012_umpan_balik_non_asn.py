# Feedback from a non-ASN Pejabat Penilai (issue #16): the giver of a feedback item and the author of a reply
# may be a PejabatNonAsn instead of a pegawai. dialog_umpanbalik and dialog_balasanumpanbalik grow with
# use, so the live-database recipe of skp 0008/0009 is followed (docs/operations.md, "Migrations on a live
# database"): nullable columns without a constraint, then the foreign keys and CHECKs NOT VALID here, and
# their validation in 0013. ``DROP NOT NULL`` is a catalogue-only change; it is written as SQL because an
# AlterField of a foreign key drops and re-adds (re-validates) the existing foreign key.

import django.db.models.deletion
from django.db import migrations, models


def _fk(table: str, column: str) -> migrations.RunSQL:
    name = f"{table}_{column}_fk_kinerja_pejabatnonasn_id"
    return migrations.RunSQL(
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" FOREIGN KEY ("{column}") '
        'REFERENCES "kinerja_pejabatnonasn" ("id") DEFERRABLE INITIALLY DEFERRED NOT VALID',
        reverse_sql=f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"',
    )


def _check(table: str, name: str, sql: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" CHECK ({sql}) NOT VALID',
        reverse_sql=f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"',
    )


def _drop_not_null(table: str, column: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP NOT NULL',
        # only possible while every row still has the pegawai (no non-ASN row)
        reverse_sql=f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET NOT NULL',
    )


class Migration(migrations.Migration):

    dependencies = [
        ('dialog', '0011_log_harian'),
        ('kinerja', '0011_pejabat_non_asn_indeks'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='umpanbalik',
                    name='pemberi_non_asn',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='umpan_balik_diberikan', to='kinerja.pejabatnonasn'),
                ),
                migrations.AlterField(
                    model_name='umpanbalik',
                    name='pemberi',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='umpan_balik_diberikan', to='kinerja.pegawai'),
                ),
                migrations.AddField(
                    model_name='balasanumpanbalik',
                    name='penulis_non_asn',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='kinerja.pejabatnonasn'),
                ),
                migrations.AlterField(
                    model_name='balasanumpanbalik',
                    name='penulis',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='kinerja.pegawai'),
                ),
            ],
            database_operations=[
                migrations.AddField(
                    model_name='umpanbalik',
                    name='pemberi_non_asn',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='umpan_balik_diberikan', to='kinerja.pejabatnonasn'),
                ),
                _fk("dialog_umpanbalik", "pemberi_non_asn_id"),
                _drop_not_null("dialog_umpanbalik", "pemberi_id"),
                migrations.AddField(
                    model_name='balasanumpanbalik',
                    name='penulis_non_asn',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='kinerja.pejabatnonasn'),
                ),
                _fk("dialog_balasanumpanbalik", "penulis_non_asn_id"),
                _drop_not_null("dialog_balasanumpanbalik", "penulis_id"),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name='umpanbalik',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('pemberi__isnull', False), ('pemberi_non_asn__isnull', True)), models.Q(('pemberi__isnull', True), ('pemberi_non_asn__isnull', False)), _connector='OR'), name='ub_satu_pemberi'),
                ),
                migrations.AddConstraint(
                    model_name='balasanumpanbalik',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('penulis__isnull', False), ('penulis_non_asn__isnull', True)), models.Q(('penulis__isnull', True), ('penulis_non_asn__isnull', False)), _connector='OR'), name='balasan_satu_penulis'),
                ),
            ],
            database_operations=[
                _check(
                    "dialog_umpanbalik",
                    "ub_satu_pemberi",
                    '("pemberi_id" IS NOT NULL AND "pemberi_non_asn_id" IS NULL) '
                    'OR ("pemberi_id" IS NULL AND "pemberi_non_asn_id" IS NOT NULL)',
                ),
                _check(
                    "dialog_balasanumpanbalik",
                    "balasan_satu_penulis",
                    '("penulis_id" IS NOT NULL AND "penulis_non_asn_id" IS NULL) '
                    'OR ("penulis_id" IS NULL AND "penulis_non_asn_id" IS NOT NULL)',
                ),
            ],
        ),
    ]
