from django.apps import AppConfig


class DevzoneConfig(AppConfig):
    """The project package as an app: worker heartbeats and other cross-app bookkeeping rows."""

    name = "devzone"
    verbose_name = "devzone"
    default_auto_field = "django.db.models.BigAutoField"
