from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZonesConfig(AppConfig):
    """The zone registry: provinces, prefectures, zones, memberships, enterprises, indicators."""

    name = "zones"
    verbose_name = _("开发区")
    default_auto_field = "django.db.models.BigAutoField"
