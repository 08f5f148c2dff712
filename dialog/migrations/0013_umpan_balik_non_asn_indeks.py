"""Validation of the foreign keys and CHECKs 0012 added NOT VALID (each statement in its own transaction:
validating takes only a SHARE UPDATE EXCLUSIVE lock) and the partial index of the feedback a non-ASN
official gave, built without blocking writes (docs/operations.md, "Migrations on a live database")."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

VALIDATE = (
    ("dialog_umpanbalik", "dialog_umpanbalik_pemberi_non_asn_id_fk_kinerja_pejabatnonasn_id"),
    ("dialog_umpanbalik", "ub_satu_pemberi"),
    ("dialog_balasanumpanbalik", "dialog_balasanumpanbalik_penulis_non_asn_id_fk_kinerja_pejabatnonasn_id"),
    ("dialog_balasanumpanbalik", "balasan_satu_penulis"),
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dialog", "0012_umpan_balik_non_asn"),
    ]

    operations = [
        *(
            migrations.RunSQL(f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"', reverse_sql=migrations.RunSQL.noop)
            for table, name in VALIDATE
        ),
        AddIndexConcurrently(
            model_name='umpanbalik',
            index=models.Index(condition=models.Q(('pemberi_non_asn__isnull', False)), fields=['instansi', 'pemberi_non_asn', 'created_at'], name='ub_pemberi_non_asn_idx'),
        ),
    ]
