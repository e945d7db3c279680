from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    """Service platforms (平台); built out by the talent and platforms issue."""

    name = "platforms"
    verbose_name = _("平台")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Every recompute also writes the "platforms" summary rows (zones imports no app)."""
        from platforms.summary import recompute_step
        from zones.recompute import register_step

        register_step("platforms", recompute_step)
