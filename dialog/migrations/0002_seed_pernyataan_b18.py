from django.db import migrations


def seed(apps, schema_editor):
    from dialog.pernyataan_b18 import PERNYATAAN_B18_V1

    PernyataanBimbingan = apps.get_model("dialog", "PernyataanBimbingan")
    for urutan, (kode, teks) in enumerate(PERNYATAAN_B18_V1, start=1):
        PernyataanBimbingan.objects.update_or_create(kode=kode, versi=1, defaults={"urutan": urutan, "teks": teks})


def unseed(apps, schema_editor):
    apps.get_model("dialog", "PernyataanBimbingan").objects.filter(versi=1).delete()


class Migration(migrations.Migration):
    dependencies = [("dialog", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
