from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    """Investment promotion projects (招商引资), supervision (督查督办) and accountability."""

    name = "investment"
    verbose_name = _("招商引资")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from investment import promise_scoring, promises, scoring, summary
        from investment.accountability import recompute_step
        from zones.methodology import register_section
        from zones.recompute import register_step

        register_section(
            "accountability", lambda: scoring.DEFAULT_PARAMETERS, scoring.validate_parameters
        )
        register_step("accountability", recompute_step)
        register_section(
            "promise",
            lambda: promise_scoring.DEFAULT_PARAMETERS,
            promise_scoring.validate_parameters,
        )
        register_step("promises", promises.recompute_step)
        register_step("summary", summary.recompute_step)
