"""The platforms section of the summary rows (``ZoneSummary`` section "platforms"): each zone's
service platforms, their coverage of the catalogue and of the leading industry's chain, and the
services they delivered, as of the month's end (or today while the month runs), for the
dashboards and the monthly reports, so that no page counts the raw rows per request.

Registered as the recompute step "platforms" (see ``platforms.apps``). The definitions are the
coverage pages' (``platforms.selectors.platform_counts_by_zone`` and ``coverage``): kinds,
sub-kinds and chain segments count platforms in operation, segments only professional ones
serving the leading industry; the twelve months are ``platforms.selectors.window_start``'s; the
share served is ``platforms.selectors.percent`` (a percentage to one place). Queries: the zones
of a full run (1), platforms grouped by zone, kind, sub-kind, level, status and leading-industry
flag (1), service records grouped by zone (1), enterprises grouped by zone (1), the upsert (one
per 500 zones), whatever the number of zones or records.

What "as of" can and cannot mean here:

- a platform counts from its establishment (认定) date; its status (operating, planning,
  suspended), level and leading-industry flag are the current ones (the model keeps no history),
  so a platform suspended since still shows as suspended when an earlier month is recomputed;
- service records count by the day they were served;
- the zone's enterprises have no date of entering the zone (their founding date predates it), so
  the day the row was entered (``created_at``, local date) stands in for it.

``figures`` (counts are ints; percentages floats; dicts keyed by catalogue codes):

- ``as_of``: the day the figures stand at (ISO date); ``since_12m``: the first day of the twelve
  months up to ``as_of`` (ISO date);
- ``platforms``: platforms established by ``as_of``, whatever their status; ``operating`` /
  ``planning`` / ``suspended``: those of them by status;
- ``by_kind``: {kind: operating platforms} for every ``PlatformKind`` (basic, professional,
  innovation, iur); ``by_sub_kind``: {sub-kind code: operating platforms} for every catalogue
  entry;
- ``national``: operating national-level platforms; ``national_innovation``: those of the
  enterprise-innovation and industry-university-research kinds;
- ``serving_leading_industry``: operating platforms serving the leading industry; ``segments``:
  {upstream, midstream, downstream: operating professional platforms serving the leading
  industry in that chain segment};
- ``kinds_covered`` of ``kinds_total``, ``sub_kinds_covered`` of ``sub_kinds_total``,
  ``segments_covered`` of ``segments_total``: kinds, sub-kinds and segments with at least one
  such platform, out of the catalogue's;
- ``service_records``: services delivered up to ``as_of``; ``service_records_month`` /
  ``service_records_year`` / ``service_records_12m``: in the period's month, from 1 January, in
  the twelve months, each up to ``as_of``;
- ``enterprises_served_month`` / ``enterprises_served_year`` / ``enterprises_served_12m``:
  distinct enterprises served in the same windows;
- ``zone_enterprises``: the zone's enterprises entered by ``as_of``;
  ``share_served_12m`` / ``share_served_year``: enterprises served in the twelve months / the
  year as a percentage of them (one decimal place), ``null`` when the zone has no enterprise
  (the coverage page's "—"); sum the counts, not the shares, over several zones.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet

from platforms.catalogue import CATALOGUE, SEGMENTS, PlatformKind, PlatformLevel, PlatformStatus
from platforms.models import Platform, ServiceRecord
from platforms.selectors import (
    INNOVATION_KINDS,
    SUB_KIND_INDEX,
    empty_counts,
    percent,
    window_start,
)
from zones.models import Enterprise
from zones.summaries import as_of, write_section, zone_ids_of

if TYPE_CHECKING:
    from zones.recompute import StepContext

SECTION = "platforms"


def _share(part: int, whole: int) -> float | None:
    value: Decimal | None = percent(part, whole)
    return None if value is None else float(value)


def empty_figures(day: datetime.date) -> dict[str, Any]:
    """A zone without platforms, services or enterprises by ``day``: every key, every count 0."""
    figures: dict[str, Any] = {
        "as_of": day.isoformat(),
        "since_12m": window_start(day).isoformat(),
    }
    figures.update(empty_counts())
    figures["segments"] = {str(segment): 0 for segment in SEGMENTS}  # plain keys, not enums
    figures.update(
        {
            "kinds_total": len(PlatformKind.values),
            "sub_kinds_total": len(CATALOGUE),
            "segments_total": len(SEGMENTS),
            "service_records_month": 0,
            "service_records_year": 0,
            "enterprises_served_month": 0,
            "enterprises_served_year": 0,
            "zone_enterprises": 0,
            "share_served_12m": None,
            "share_served_year": None,
        }
    )
    return figures


def _in_run(queryset: QuerySet, context: StepContext, path: str) -> QuerySet:
    """Restrict to the run's zones; no filter on a full run (no long IN list)."""
    if context.zone_ids is None:
        return queryset
    return queryset.filter(**{f"{path}__in": context.zone_ids})


def _platforms(figures: dict[int, dict], context: StepContext, day: datetime.date) -> None:
    rows = (
        _in_run(Platform.objects.filter(established_on__lte=day), context, "zone_id")
        .order_by()
        .values("zone_id", "kind", "sub_kind", "level", "status", "serves_leading_industry")
        .annotate(n=Count("id"))
    )
    for row in rows:
        doc = figures.get(row["zone_id"])
        if doc is None:  # a zone created after the run listed its zones
            continue
        n = row["n"]
        doc["platforms"] += n
        doc[row["status"]] += n
        if row["status"] != PlatformStatus.OPERATING:
            continue
        doc["by_kind"][row["kind"]] += n
        doc["by_sub_kind"][row["sub_kind"]] += n
        if row["level"] == PlatformLevel.NATIONAL:
            doc["national"] += n
            if row["kind"] in INNOVATION_KINDS:
                doc["national_innovation"] += n
        if row["serves_leading_industry"]:
            doc["serving_leading_industry"] += n
            segment = SUB_KIND_INDEX[row["sub_kind"]].segment
            if segment:
                doc["segments"][segment] += n


def _services(
    figures: dict[int, dict], context: StepContext, period: datetime.date, day: datetime.date
) -> None:
    in_month = Q(served_on__gte=period)
    in_year = Q(served_on__gte=datetime.date(day.year, 1, 1))
    in_12m = Q(served_on__gte=window_start(day))
    rows = (
        _in_run(ServiceRecord.objects.filter(served_on__lte=day), context, "platform__zone_id")
        .order_by()
        .values(zone=F("platform__zone_id"))
        .annotate(
            records=Count("id"),
            records_month=Count("id", filter=in_month),
            records_year=Count("id", filter=in_year),
            records_12m=Count("id", filter=in_12m),
            enterprises_month=Count("enterprise_id", distinct=True, filter=in_month),
            enterprises_year=Count("enterprise_id", distinct=True, filter=in_year),
            enterprises_12m=Count("enterprise_id", distinct=True, filter=in_12m),
        )
    )
    for row in rows:
        doc = figures.get(row["zone"])
        if doc is None:
            continue
        doc["service_records"] = row["records"]
        doc["service_records_month"] = row["records_month"]
        doc["service_records_year"] = row["records_year"]
        doc["service_records_12m"] = row["records_12m"]
        doc["enterprises_served_month"] = row["enterprises_month"]
        doc["enterprises_served_year"] = row["enterprises_year"]
        doc["enterprises_served_12m"] = row["enterprises_12m"]


def _enterprises(figures: dict[int, dict], context: StepContext, day: datetime.date) -> None:
    rows = (
        _in_run(Enterprise.objects.filter(created_at__date__lte=day), context, "zone_id")
        .order_by()
        .values("zone_id")
        .annotate(n=Count("id"))
    )
    for row in rows:
        doc = figures.get(row["zone_id"])
        if doc is not None:
            doc["zone_enterprises"] = row["n"]


def compute(context: StepContext) -> dict[int, dict[str, Any]]:
    """{zone id: figures} for every zone of the run, zeros included. Three grouped queries (plus
    the zone ids of a full run)."""
    day = as_of(context)
    figures = {pk: empty_figures(day) for pk in zone_ids_of(context)}
    if not figures:
        return figures
    _platforms(figures, context, day)
    _services(figures, context, context.period, day)
    _enterprises(figures, context, day)
    for doc in figures.values():
        doc["kinds_covered"] = sum(1 for n in doc["by_kind"].values() if n)
        doc["sub_kinds_covered"] = sum(1 for n in doc["by_sub_kind"].values() if n)
        doc["segments_covered"] = sum(1 for n in doc["segments"].values() if n)
        doc["share_served_12m"] = _share(doc["enterprises_served_12m"], doc["zone_enterprises"])
        doc["share_served_year"] = _share(doc["enterprises_served_year"], doc["zone_enterprises"])
    return figures


def recompute_step(context: StepContext) -> int:
    """Write the run's "platforms" rows (one per zone of the run); returns the rows written."""
    return write_section(context, SECTION, compute(context))
