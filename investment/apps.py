from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    """Investment promotion projects (招商引资); built out by the investment issue."""

    name = "investment"
    verbose_name = _("招商引资")
    default_auto_field = "django.db.models.BigAutoField"
