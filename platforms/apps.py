from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    """Service platforms (平台); built out by the talent and platforms issue."""

    name = "platforms"
    verbose_name = _("平台")
    default_auto_field = "django.db.models.BigAutoField"
