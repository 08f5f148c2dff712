from django.apps import AppConfig


class KinerjaConfig(AppConfig):
    name = "kinerja"
    verbose_name = "Kinerja: instansi, organisasi, pegawai"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Row-level security: post_migrate (policies on new tables) and connection_created
        # (per-thread RLS state on lazily opened connections). Framework wiring only.
        from kinerja import rls

        rls.connect_signals()
