"""Write and read the summary rows (``ZoneSummary``) that dashboards and reports use.

Each app that owns facts registers a recompute step that computes its section for the month
(``period`` … ``period_end``, as of the month's end, or as of today while the month runs) for
every zone of the run and calls ``write_section``; every zone of the run gets a row, zeros
included, so a page can tell "nothing happened" from "not computed". Readers call ``sections``
with a scoped zone queryset and a period: one query for any number of zones.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from zones.models import Zone, ZoneSummary

if TYPE_CHECKING:
    from zones.recompute import StepContext

BATCH = 500


def as_of(context: StepContext) -> datetime.date:
    """The day a section's figures stand at: the month's last day, or today while it runs."""
    today = timezone.localdate()
    return min(context.period_end, today) if context.period <= today else context.period_end


def zone_ids_of(context: StepContext) -> list[int]:
    """The zones a step writes: the run's zones, or every zone (one query) for a full run."""
    if context.zone_ids is not None:
        return list(context.zone_ids)
    return list(Zone.objects.order_by("pk").values_list("pk", flat=True))


def write_section(context: StepContext, section: str, figures: Mapping[int, dict[str, Any]]) -> int:
    """Upsert one ``section`` row per zone of ``figures`` for the run's period; returns rows."""
    now = timezone.now()
    rows = [
        ZoneSummary(
            zone_id=zone_id,
            period=context.period,
            section=section,
            figures=doc,
            run=context.run,
            computed_at=now,
        )
        for zone_id, doc in figures.items()
    ]
    ZoneSummary.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["zone", "period", "section"],
        update_fields=["figures", "run", "computed_at"],
    )
    return len(rows)


def sections(
    zones: QuerySet[Zone] | Iterable[int], period: datetime.date, names: Iterable[str]
) -> dict[str, dict[int, dict[str, Any]]]:
    """{section: {zone id: figures}} of ``period`` for the given zones (a scoped queryset or
    ids). One query."""
    result: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in names}
    rows = ZoneSummary.objects.filter(
        zone_id__in=zones.values("pk") if isinstance(zones, QuerySet) else list(zones),
        period=period,
        section__in=list(result),
    ).values_list("section", "zone_id", "figures")
    for section, zone_id, figures in rows:
        result[section][zone_id] = figures
    return result


def latest_period(section: str = "pipeline") -> datetime.date | None:
    """The most recent month that has summary rows (one query on the (period, section) index)."""
    return ZoneSummary.objects.filter(section=section).aggregate(p=Max("period"))["p"]


def available_periods(section: str = "pipeline", limit: int = 24) -> list[datetime.date]:
    """The months with summary rows, newest first (for the period filter)."""
    return list(
        ZoneSummary.objects.filter(section=section)
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()[:limit]
    )
