from django.apps import AppConfig


class DialogConfig(AppConfig):
    name = "dialog"
    default_auto_field = "django.db.models.BigAutoField"
