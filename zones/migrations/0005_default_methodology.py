"""The documented default methodology version (docs/methodology.md), active on a new install.

Its parameters are the scoring modules' defaults at the time this migration runs and its
indicators ``zones.scoring.capacity_indicators.DEFAULT_INDICATORS``; later changes are new
versions derived from it, never edits of it.
"""

from django.db import migrations
from django.utils import timezone


def create(apps, schema_editor):
    from zones.methodology import DEFAULT_VERSION, default_indicators, default_parameters

    Methodology = apps.get_model("zones", "Methodology")
    IndicatorDefinition = apps.get_model("zones", "IndicatorDefinition")
    if Methodology.objects.filter(version=DEFAULT_VERSION).exists():
        return
    methodology = Methodology.objects.create(
        version=DEFAULT_VERSION,
        name="默认评价方法",
        description="四聚阶段、六力、亩均评价、象限与问责评分的默认规则，见 docs/methodology.md。",
        parameters=default_parameters(),
        is_active=not Methodology.objects.filter(is_active=True).exists(),
        activated_at=timezone.now(),
    )
    IndicatorDefinition.objects.bulk_create(
        IndicatorDefinition(methodology=methodology, **row) for row in default_indicators()
    )


class Migration(migrations.Migration):
    dependencies = [("zones", "0004_chain_templates")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
