"""The talent section of the summary rows (``ZoneSummary`` section "talent"): each zone's talent
records as of the month's end (or today while the month runs), for the dashboards and the
monthly reports, so that no page counts the raw rows per request.

Registered as the recompute step "talent" (see ``talent.apps``). The definitions are the talent
overview's (``talent.selectors.talent_counts_by_zone``), dated: a record counts when its own
date is on or before ``as_of`` (the day of ``zones.summaries.as_of``). Queries: the zones of a
full run (1), one GROUP BY zone per record type (7), the upsert (one per 500 zones), whatever
the number of zones or records.

What "as of" can and cannot mean here, per record type:

- management cadres: appointed on or before ``as_of`` *and active now*: ``is_active`` is the
  current state (the model keeps no leaving date), so a cadre who left since still drops out of
  an earlier month when it is recomputed;
- entrepreneurs: one row per person and activity year; the row counts from its year;
- teams, training sessions, awards: by their dates (introduced, held, awarded on);
- training centres: the model has no date of its own, so the day the row was entered
  (``created_at``, local date) stands in for it; the capacity is the current one;
- special-skills plan: rows of plan years up to ``as_of``'s year whose status is *now* selected
  or completed (the status is current; the model keeps no history of it).

``figures`` (counts are ints; money in 万元, floats rounded to 2 places):

- ``as_of``: the day the figures stand at (ISO date); ``since_12m``: the first day of the
  twelve months up to ``as_of`` (ISO date, ``talent.selectors.twelve_months_ago``);
- ``cadres``: active management cadres appointed by ``as_of`` (管理人才);
- ``entrepreneurs``: entrepreneur rows of activity years up to ``as_of``'s year (the overview's
  count); ``entrepreneurs_year``: the rows of ``as_of``'s year;
  ``entrepreneur_activities_year``: the training and exchange activities they attended that year;
- ``teams``: high-level talent teams introduced by ``as_of``; ``team_people``: their members;
  ``teams_leading_industry``: those of them serving the leading industry;
  ``teams_introduced_month`` / ``teams_introduced_year``: teams introduced in the period's month
  / from 1 January, up to ``as_of``;
- ``guidance_fund_wan`` / ``venture_capital_wan``: the industry guidance fund and venture capital
  those teams raised; ``team_funding_wan``: the two together;
- ``centres``: high-skill talent training centres entered by ``as_of``; ``centre_capacity``: their
  annual training capacity (人次);
- ``sessions_month`` / ``trainees_month`` / ``certificates_month``: training sessions held in the
  period's month up to ``as_of``, their trainees and certificates; ``…_year``: the same from
  1 January of ``as_of``'s year; ``…_12m``: the same over the twelve months up to ``as_of`` (the
  overview's "近12个月" figures, which the scoring reads);
- ``special_skills``: special-skills plan people selected or completed, plan years up to
  ``as_of``'s year (the overview's count); ``special_skills_year``: those of ``as_of``'s year;
- ``awards``: skill awards given by ``as_of``; ``awards_month`` / ``awards_year``: given in the
  period's month / from 1 January up to ``as_of``; ``award_amount_year_wan``: the money of the
  year's awards.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum

from talent.models import (
    Entrepreneur,
    ManagementCadre,
    PlacementStatus,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
)
from talent.selectors import twelve_months_ago
from zones.summaries import as_of, write_section, zone_ids_of

if TYPE_CHECKING:
    from zones.recompute import StepContext

SECTION = "talent"

COUNT_KEYS: tuple[str, ...] = (
    "cadres",
    "entrepreneurs",
    "entrepreneurs_year",
    "entrepreneur_activities_year",
    "teams",
    "team_people",
    "teams_leading_industry",
    "teams_introduced_month",
    "teams_introduced_year",
    "centres",
    "centre_capacity",
    "sessions_month",
    "trainees_month",
    "certificates_month",
    "sessions_year",
    "trainees_year",
    "certificates_year",
    "sessions_12m",
    "trainees_12m",
    "certificates_12m",
    "special_skills",
    "special_skills_year",
    "awards",
    "awards_month",
    "awards_year",
)
MONEY_KEYS: tuple[str, ...] = (
    "guidance_fund_wan",
    "venture_capital_wan",
    "team_funding_wan",
    "award_amount_year_wan",
)


def _amount(value: Decimal | float | None) -> float:
    return round(float(value or 0), 2)


def empty_figures(day: datetime.date) -> dict[str, Any]:
    """A zone without any talent record by ``day``: every key present, every figure zero."""
    figures: dict[str, Any] = {
        "as_of": day.isoformat(),
        "since_12m": twelve_months_ago(day).isoformat(),
    }
    figures.update(dict.fromkeys(COUNT_KEYS, 0))
    figures.update(dict.fromkeys(MONEY_KEYS, 0.0))
    return figures


def _grouped(queryset: QuerySet, context: StepContext, **aggregates: Any) -> list[dict]:
    """One GROUP BY zone over ``queryset``; no zone filter on a full run (no long IN list)."""
    if context.zone_ids is not None:
        queryset = queryset.filter(zone_id__in=context.zone_ids)
    return list(queryset.order_by().values("zone_id").annotate(**aggregates))


def compute(context: StepContext) -> dict[int, dict[str, Any]]:
    """{zone id: figures} for every zone of the run, zeros included. Seven grouped queries (plus
    the zone ids of a full run)."""
    day = as_of(context)
    month = context.period
    year = datetime.date(day.year, 1, 1)
    since = twelve_months_ago(day)
    figures = {pk: empty_figures(day) for pk in zone_ids_of(context)}
    if not figures:
        return figures

    def merge(rows: list[dict], money: tuple[str, ...] = ()) -> None:
        for row in rows:
            doc = figures.get(row.pop("zone_id"))
            if doc is None:  # a zone created after the run listed its zones
                continue
            for key, value in row.items():
                doc[key] = _amount(value) if key in money else int(value or 0)

    merge(
        _grouped(
            ManagementCadre.objects.filter(is_active=True, appointed_on__lte=day),
            context,
            cadres=Count("id"),
        )
    )
    this_year = Q(activity_year=day.year)
    merge(
        _grouped(
            Entrepreneur.objects.filter(activity_year__lte=day.year),
            context,
            entrepreneurs=Count("id"),
            entrepreneurs_year=Count("id", filter=this_year),
            entrepreneur_activities_year=Sum("activities_attended", filter=this_year),
        )
    )
    merge(
        _grouped(
            TalentTeam.objects.filter(introduced_on__lte=day),
            context,
            teams=Count("id"),
            team_people=Sum("size"),
            teams_leading_industry=Count("id", filter=Q(serves_leading_industry=True)),
            teams_introduced_month=Count("id", filter=Q(introduced_on__gte=month)),
            teams_introduced_year=Count("id", filter=Q(introduced_on__gte=year)),
            guidance_fund_wan=Sum("guidance_fund"),
            venture_capital_wan=Sum("venture_capital"),
        ),
        money=("guidance_fund_wan", "venture_capital_wan"),
    )
    merge(
        _grouped(
            TrainingCentre.objects.filter(created_at__date__lte=day),
            context,
            centres=Count("id"),
            centre_capacity=Sum("annual_capacity"),
        )
    )
    in_month, in_year, in_12m = Q(held_on__gte=month), Q(held_on__gte=year), Q(held_on__gte=since)
    merge(
        _grouped(
            TrainingSession.objects.filter(held_on__lte=day, held_on__gte=min(year, since)),
            context,
            sessions_month=Count("id", filter=in_month),
            trainees_month=Sum("trainees", filter=in_month),
            certificates_month=Sum("certificates", filter=in_month),
            sessions_year=Count("id", filter=in_year),
            trainees_year=Sum("trainees", filter=in_year),
            certificates_year=Sum("certificates", filter=in_year),
            sessions_12m=Count("id", filter=in_12m),
            trainees_12m=Sum("trainees", filter=in_12m),
            certificates_12m=Sum("certificates", filter=in_12m),
        )
    )
    merge(
        _grouped(
            SpecialSkillsPlacement.objects.filter(
                status__in=[PlacementStatus.SELECTED, PlacementStatus.COMPLETED],
                year__lte=day.year,
            ),
            context,
            special_skills=Count("id"),
            special_skills_year=Count("id", filter=Q(year=day.year)),
        )
    )
    awarded_this_year = Q(awarded_on__gte=year)
    merge(
        _grouped(
            SkillAward.objects.filter(awarded_on__lte=day),
            context,
            awards=Count("id"),
            awards_month=Count("id", filter=Q(awarded_on__gte=month)),
            awards_year=Count("id", filter=awarded_this_year),
            award_amount_year_wan=Sum("amount", filter=awarded_this_year),
        ),
        money=("award_amount_year_wan",),
    )
    for doc in figures.values():
        doc["team_funding_wan"] = round(doc["guidance_fund_wan"] + doc["venture_capital_wan"], 2)
    return figures


def recompute_step(context: StepContext) -> int:
    """Write the run's "talent" rows (one per zone of the run); returns the rows written."""
    return write_section(context, SECTION, compute(context))
