from django.apps import AppConfig


class DialogConfig(AppConfig):
    name = "dialog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # SKP status notifications (submitted/returned/approved). skp must not import dialog (dependency
        # direction kinerja ← skp ← dialog), so dialog subscribes through an explicit registry in
        # skp.hooks once the SKP owner adds it (see the dialog report); until then this is a no-op.
        from skp import hooks

        register = getattr(hooks, "register_skp_status_listener", None)
        if register is not None:
            from dialog.services import skp_status_notify

            register(skp_status_notify)
