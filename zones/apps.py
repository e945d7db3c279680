from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZonesConfig(AppConfig):
    """The zone registry: provinces, prefectures, zones, memberships, enterprises, indicators;
    and the scoring engine's methodology, chain templates and results."""

    name = "zones"
    verbose_name = _("开发区")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zones.methodology import register_section
        from zones.scoring import capacities, land, quadrant, stage

        register_section("stage", lambda: dict(stage.DEFAULT_PARAMETERS), stage.validate_parameters)
        register_section(
            "capacities", lambda: capacities.DEFAULT_PARAMETERS, capacities.validate_parameters
        )
        register_section(
            "quadrant", lambda: quadrant.DEFAULT_PARAMETERS, quadrant.validate_parameters
        )
        register_section("land", lambda: land.DEFAULT_PARAMETERS, land.validate_parameters)

        from celery.signals import worker_ready

        worker_ready.connect(_check_pdf_toolchain, weak=False, dispatch_uid="zones-pdf-check")


def _check_pdf_toolchain(**kwargs) -> None:
    """At worker start-up (the worker renders the monthly PDF reports)."""
    from zones.reports import check_pdf_toolchain

    check_pdf_toolchain()
