"""Seed the distribution-guideline rule sets (domain §7), version 1: see ``evaluasi.rules``."""

from django.db import migrations


def seed(apps, schema_editor):
    from evaluasi.rules import aturan_seed

    aturan_seed(apps.get_model("evaluasi", "AturanDistribusi"))


class Migration(migrations.Migration):
    dependencies = [("evaluasi", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
