from django.apps import AppConfig


class DialogConfig(AppConfig):
    name = "dialog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # SKP status notifications (submitted/returned/approved). skp must not import dialog (dependency
        # direction kinerja <- skp <- dialog), so dialog subscribes through skp's explicit registry.
        from dialog.services.notifikasi import rhk_pimpinan_diubah_notify, skp_status_notify
        from skp.hooks import register_rhk_pimpinan_listener
        from skp.transitions import register_skp_status_listener

        register_skp_status_listener(skp_status_notify)
        register_rhk_pimpinan_listener(rhk_pimpinan_diubah_notify)
