from django.db import migrations


def seed(apps, schema_editor):
    from skp.core_values import BERAKHLAK_V1

    CoreValue = apps.get_model("skp", "CoreValue")
    for urutan, (kode, nama, panduan, tagline) in enumerate(BERAKHLAK_V1, start=1):
        CoreValue.objects.update_or_create(
            kode=kode, versi=1, defaults={"nama": nama, "urutan": urutan, "panduan": panduan, "tagline": tagline}
        )


def unseed(apps, schema_editor):
    apps.get_model("skp", "CoreValue").objects.filter(versi=1).delete()


class Migration(migrations.Migration):
    dependencies = [("skp", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
