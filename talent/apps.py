from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    """Talent teams (人才); built out by the talent and platforms issue."""

    name = "talent"
    verbose_name = _("人才")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Every recompute also writes the "talent" summary rows (zones imports no app)."""
        from talent.summary import recompute_step
        from zones.recompute import register_step

        register_step("talent", recompute_step)
