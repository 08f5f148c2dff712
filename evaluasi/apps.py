from django.apps import AppConfig


class EvaluasiConfig(AppConfig):
    name = "evaluasi"
    default_auto_field = "django.db.models.BigAutoField"
