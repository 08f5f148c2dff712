from django.apps import AppConfig


class KinerjaConfig(AppConfig):
    name = "kinerja"
    verbose_name = "Kinerja: instansi, organisasi, pegawai"
    default_auto_field = "django.db.models.BigAutoField"
