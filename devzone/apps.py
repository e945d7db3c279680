from django.apps import AppConfig


class DevzoneConfig(AppConfig):
    """The project package as an app: worker heartbeats and other cross-app bookkeeping rows."""

    name = "devzone"
    verbose_name = "devzone"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from devzone import audit, choices
        from devzone.middleware import stamp_session

        audit.connect_signals()
        choices.install()
        user_logged_in.connect(stamp_session, dispatch_uid="devzone.session.stamp")
