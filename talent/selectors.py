"""Reads of the talent records for pages, the API, exports and the scoring.

List selectors start from ``for_user`` and fix their joins, so a list costs the same number of
queries for one row or fifty. ``talent_counts_by_zone`` is the figure the scoring reads: one
GROUP BY zone per record type, however many zones.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from talent.models import (
    Entrepreneur,
    ManagementCadre,
    PlacementStatus,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
    ZoneRecord,
)

# The keys of one zone's counts, in the order the pages show them.
COUNT_KEYS: tuple[str, ...] = (
    "cadres",
    "entrepreneurs",
    "teams",
    "team_people",
    "teams_leading_industry",
    "centres",
    "sessions_12m",
    "trainees_12m",
    "certificates_12m",
    "special_skills",
    "awards",
)


def records_for(model: type[ZoneRecord], user, action: str = "view"):
    """One record type's rows the user may ``action``, with what the list pages show joined."""
    related = ["zone", "zone__prefecture"]
    if model is Entrepreneur:
        related.append("enterprise")
    elif model is TalentTeam:
        related.append("host_enterprise")
    elif model is TrainingSession:
        related.append("centre")
    return model.objects.for_user(user, action).select_related(*related)


def twelve_months_ago(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - 1) + datetime.timedelta(days=1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28) + datetime.timedelta(days=1)


def _grouped(queryset, zone_ids, **aggregates) -> dict[int, dict]:
    if zone_ids is not None:
        queryset = queryset.filter(zone_id__in=zone_ids)
    rows = queryset.order_by().values("zone_id").annotate(**aggregates)
    return {row.pop("zone_id"): row for row in rows}


def talent_counts_by_zone(
    zone_ids: Iterable[int] | QuerySet | None = None, *, today: datetime.date | None = None
) -> dict[int, dict[str, int]]:
    """Per zone: the counts of each talent team, for the scoring and the overview pages.

    ``{zone_id: {"cadres": 12, "teams": 3, "team_people": 41, "trainees_12m": 380, ...}}`` with
    every key of ``COUNT_KEYS``; a zone without any record is absent (read it with
    ``.get(zone_id, EMPTY_COUNTS)``). ``zone_ids`` may be ids or a queryset of zone ids (used
    as a subquery); None means every zone. Cadres count the active ones; the special-skills
    plan counts the people selected or completed; training counts the last 12 months up to
    ``today``.
    Seven queries (one GROUP BY zone per record type), whatever the number of zones. Not scoped:
    callers pass the zone ids the user may see.
    """
    if zone_ids is not None and not isinstance(zone_ids, QuerySet):
        zone_ids = list(zone_ids)
    since = twelve_months_ago(today)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_KEYS, 0))

    def merge(grouped: dict[int, dict]) -> None:
        for zone_id, values in grouped.items():
            counts[zone_id].update({k: int(v or 0) for k, v in values.items()})

    merge(_grouped(ManagementCadre.objects.filter(is_active=True), zone_ids, cadres=Count("id")))
    merge(_grouped(Entrepreneur.objects.all(), zone_ids, entrepreneurs=Count("id")))
    merge(
        _grouped(
            TalentTeam.objects.all(),
            zone_ids,
            teams=Count("id"),
            team_people=Sum("size"),
            teams_leading_industry=Count("id", filter=Q(serves_leading_industry=True)),
        )
    )
    merge(_grouped(TrainingCentre.objects.all(), zone_ids, centres=Count("id")))
    merge(
        _grouped(
            TrainingSession.objects.filter(held_on__gte=since),
            zone_ids,
            sessions_12m=Count("id"),
            trainees_12m=Sum("trainees"),
            certificates_12m=Sum("certificates"),
        )
    )
    merge(
        _grouped(
            SpecialSkillsPlacement.objects.filter(
                status__in=[PlacementStatus.SELECTED, PlacementStatus.COMPLETED]
            ),
            zone_ids,
            special_skills=Count("id"),
        )
    )
    merge(_grouped(SkillAward.objects.all(), zone_ids, awards=Count("id")))
    return dict(counts)


EMPTY_COUNTS: dict[str, int] = dict.fromkeys(COUNT_KEYS, 0)


def zone_trend(zone_id: int, years: int = 5) -> list[dict[str, int]]:
    """The zone's last ``years`` calendar years: teams introduced (and their people), training
    sessions, trainees and certificates, and awards per year. Three queries."""
    this_year = timezone.localdate().year
    first = this_year - years + 1
    rows = {y: {"year": y, "teams": 0, "team_people": 0, "sessions": 0, "trainees": 0,
                "certificates": 0, "awards": 0} for y in range(first, this_year + 1)}  # fmt: skip
    teams = (
        TalentTeam.objects.filter(zone_id=zone_id, introduced_on__year__gte=first)
        .annotate(y=ExtractYear("introduced_on"))
        .order_by()
        .values("y")
        .annotate(teams=Count("id"), team_people=Sum("size"))
    )
    sessions = (
        TrainingSession.objects.filter(zone_id=zone_id, held_on__year__gte=first)
        .annotate(y=ExtractYear("held_on"))
        .order_by()
        .values("y")
        .annotate(sessions=Count("id"), trainees=Sum("trainees"), certificates=Sum("certificates"))
    )
    awards = (
        SkillAward.objects.filter(zone_id=zone_id, awarded_on__year__gte=first)
        .annotate(y=ExtractYear("awarded_on"))
        .order_by()
        .values("y")
        .annotate(awards=Count("id"))
    )
    for queryset in (teams, sessions, awards):
        for row in queryset:
            year = row.pop("y")
            if year in rows:
                rows[year].update({k: int(v or 0) for k, v in row.items()})
    return list(rows.values())
