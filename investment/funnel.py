"""The investment funnel (招商漏斗): how far the projects of a scope got through the pipeline.

One selector, ``funnel``, returns plain data (dicts, lists, ints, Decimals, floats) so the funnel
page, its XLSX export, the dashboard chart and the monthly report all show the same numbers.

Definitions:

- A project has *reached* a stage when the highest pipeline stage it ever entered (by its
  ``StageTransition`` rows) is that stage or a later one. A skipped stage counts as reached
  (a project entered at 签约 has passed 线索 and 洽谈); a project moved back keeps the highest
  stage it reached; a terminated project counts up to the highest stage it reached before 终止.
  So the counts never grow down the funnel and a conversion is never above 100 %.
- *At stage*: the project's current stage.
- *Conversion* of a stage: reached this stage / reached the previous one (None for 线索 and when
  no project reached the previous stage).
- *Median days* of a stage: over the projects that entered both the previous stage and this
  one, the days from the first entry of the previous stage to the first entry of this one
  (skipped stages give no interval; an interval that would be negative, from a move back, is
  left out).
- *Terminated*: projects currently at 终止, with their planned investment; ``terminated`` of a
  stage counts those whose termination moved them out of that stage.
- With ``year``, only projects that started in that year count: the date of their first
  transition (the creation row, dated with the project's start date), or of ``created_at`` for a
  project without transitions.

Queries: two, whatever the number of projects. (1) the projects grouped by promotion mode,
current stage, highest stage reached and stage terminated from, with their count and planned
investment: at most a few hundred groups, summed up in Python; (2) the first entry date of each
(project, pipeline stage), one row per stage a project entered (at most seven per project) for
the medians. The second query's rows grow with the number of projects: about 70,000 small
tuples for 10,000 projects, a few tens of milliseconds; if a national scope ever needs more,
compute the medians in SQL with ``percentile_cont`` on PostgreSQL.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from investment.models import (
    PIPELINE,
    STAGE_INDEX,
    Project,
    ProjectStage,
    PromotionMode,
    StageTransition,
)

STAGE_LABELS = dict(ProjectStage.choices)
MODE_LABELS = dict(PromotionMode.choices)


def stage_index(field: str) -> Case:
    """The pipeline position (0 = 线索 … 6 = 达产) of a stage column; NULL for 终止."""
    return Case(
        *[When(**{field: stage}, then=Value(i)) for i, stage in enumerate(PIPELINE)],
        default=None,
        output_field=IntegerField(),
    )


def _scoped(projects_qs: QuerySet[Project], year: int | None) -> QuerySet[Project]:
    """A clean queryset over the given projects (their scope and filters kept as a subquery,
    their joins, annotations and ordering dropped), limited to those started in ``year``."""
    pks = projects_qs.order_by().values("pk")
    if year is None:
        return Project.objects.filter(pk__in=pks).order_by()
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    started = (
        StageTransition.objects.filter(project__in=pks)
        .values("project")
        .annotate(first=Min("date"))
        .filter(first__gte=first, first__lte=last)
        .values("project")
    )
    unrecorded = Q(pk__in=pks, created_at__year=year) & ~Exists(
        StageTransition.objects.filter(project=OuterRef("pk"))
    )
    return Project.objects.filter(Q(pk__in=started) | unrecorded).order_by()


def _groups(projects: QuerySet[Project]) -> list[dict[str, Any]]:
    """Query 1: count and planned investment per (mode, current stage, reached, terminated from)."""
    highest = (
        StageTransition.objects.filter(project=OuterRef("pk"), to_stage__in=PIPELINE)
        .annotate(position=stage_index("to_stage"))
        .order_by("-position")
        .values("position")[:1]
    )
    terminated_from = (
        StageTransition.objects.filter(project=OuterRef("pk"), to_stage=ProjectStage.TERMINATED)
        .order_by("-date", "-pk")
        .values("from_stage")[:1]
    )
    return list(
        projects.annotate(
            reached=Coalesce(
                Subquery(highest, output_field=IntegerField()),
                stage_index("stage"),
                Value(0),
            ),
            terminated_from=Case(
                When(
                    stage=ProjectStage.TERMINATED,
                    then=Coalesce(Subquery(terminated_from), Value("")),
                ),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .values("promotion_mode", "stage", "reached", "terminated_from")
        .annotate(n=Count("pk"), investment=Sum("planned_investment"))
        .order_by()
    )


def _intervals(projects: QuerySet[Project]) -> dict[str, dict[int, list[int]]]:
    """Query 2: days between first entries of consecutive stages, per mode and stage index."""
    rows = (
        StageTransition.objects.filter(project__in=projects.values("pk"), to_stage__in=PIPELINE)
        .values_list("project_id", "project__promotion_mode", "to_stage")
        .annotate(first=Min("date"))
        .order_by()
    )
    entered: dict[int, dict[int, datetime.date]] = defaultdict(dict)
    modes: dict[int, str] = {}
    for project_id, mode, stage, first in rows:
        entered[project_id][STAGE_INDEX[stage]] = first
        modes[project_id] = mode
    days: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for project_id, dates in entered.items():
        for index, date in dates.items():
            previous = dates.get(index - 1)
            if previous is not None and date >= previous:
                days[modes[project_id]][index].append((date - previous).days)
    return days


def _summarise(groups: list[dict[str, Any]], days: dict[int, list[int]]) -> dict[str, Any]:
    """The funnel of one set of grouped rows (all modes, or one mode)."""
    size = len(PIPELINE)
    reached = [0] * size
    reached_investment = [Decimal(0)] * size
    at_stage = [0] * size
    terminated_here = [0] * size
    terminated = {"count": 0, "investment": Decimal(0)}
    total = {"count": 0, "investment": Decimal(0)}
    for group in groups:
        n, investment = group["n"], group["investment"] or Decimal(0)
        total["count"] += n
        total["investment"] += investment
        for index in range(group["reached"] + 1):
            reached[index] += n
            reached_investment[index] += investment
        if group["stage"] == ProjectStage.TERMINATED:
            terminated["count"] += n
            terminated["investment"] += investment
            if group["terminated_from"] in STAGE_INDEX:
                terminated_here[STAGE_INDEX[group["terminated_from"]]] += n
        else:
            at_stage[STAGE_INDEX[group["stage"]]] += n
    stages = []
    for index, stage in enumerate(PIPELINE):
        previous = reached[index - 1] if index else 0
        intervals = days.get(index, [])
        stages.append(
            {
                "stage": stage,
                "label": str(STAGE_LABELS[stage]),
                "reached": reached[index],
                "at_stage": at_stage[index],
                "investment": reached_investment[index],
                "terminated": terminated_here[index],
                "conversion": reached[index] / previous if index and previous else None,
                "median_days": statistics.median(intervals) if intervals else None,
                "intervals": len(intervals),
            }
        )
    signed = reached[STAGE_INDEX[ProjectStage.SIGNED]]
    production = reached[STAGE_INDEX[ProjectStage.IN_PRODUCTION]]
    return {
        "stages": stages,
        "terminated": terminated,
        "total": total,
        "signed_to_production": production / signed if signed else None,
    }


def funnel(
    projects_qs: QuerySet[Project], *, year: int | None = None, by_mode: bool = True
) -> dict[str, Any]:
    """The funnel of ``projects_qs`` (already scoped to a user and filtered), optionally only
    of the projects started in ``year``, with the same funnel per promotion mode.

    Returns ``{"year", "stages": [{stage, label, reached, at_stage, investment (万元),
    terminated, conversion, median_days, intervals}], "terminated": {count, investment},
    "total": {count, investment}, "signed_to_production", "modes": [{mode, label, **the same}]}``
    (``modes`` lists every promotion mode in its choice order; empty when ``by_mode`` is
    False). Two queries; see the module docstring for the definitions.
    """
    projects = _scoped(projects_qs, year)
    groups = _groups(projects)
    intervals = _intervals(projects)
    overall: dict[int, list[int]] = defaultdict(list)
    for per_stage in intervals.values():
        for index, values in per_stage.items():
            overall[index].extend(values)
    result = {"year": year, **_summarise(groups, overall), "modes": []}
    if by_mode:
        by_mode_groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for group in groups:
            by_mode_groups[group["promotion_mode"]].append(group)
        for mode in PromotionMode.values:
            result["modes"].append(
                {
                    "mode": mode,
                    "label": str(MODE_LABELS[mode]),
                    **_summarise(by_mode_groups.get(mode, []), intervals.get(mode, {})),
                }
            )
    return result
