from django.db import migrations


def seed(apps, schema_editor):
    from skp.core_values import core_values_seed

    core_values_seed(apps.get_model("skp", "CoreValue"))


def unseed(apps, schema_editor):
    apps.get_model("skp", "CoreValue").objects.filter(versi=1).delete()


class Migration(migrations.Migration):
    dependencies = [("skp", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
