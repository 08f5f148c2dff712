from django.apps import AppConfig


class PerjanjianConfig(AppConfig):
    name = "perjanjian"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Perjanjian Kinerja"
