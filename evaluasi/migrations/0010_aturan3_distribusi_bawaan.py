"""Issue #17: the distribution rule version faithful to the source (``pmk6_2022`` v1) becomes the default;
SE 3/2023 and PP 30/2019 stay as optional stricter versions. See ``evaluasi.rules`` for the decision on
existing instansi (an explicit choice is kept; instansi on the default follow the new default)."""

from django.db import migrations


def forward(apps, schema_editor):
    from django_scopes import scopes_disabled

    from evaluasi.rules import aturan_bawaan_pmk6

    with scopes_disabled():
        aturan_bawaan_pmk6(apps.get_model("evaluasi", "AturanDistribusi"))


def backward(apps, schema_editor):
    model = apps.get_model("evaluasi", "AturanDistribusi")
    model.objects.filter(kode="pmk6_2022", versi=1).update(bawaan=False)
    model.objects.filter(kode="se3_2023", versi=1).update(bawaan=True)


class Migration(migrations.Migration):
    dependencies = [("evaluasi", "0009_aturan3_angka_kredit_rincian")]

    operations = [migrations.RunPython(forward, backward)]
