"""The investment section of the summary rows (``ZoneSummary`` section "pipeline"): each zone's
pipeline, investment, overdue milestones, supervision items and funnel for a month, as of the
month's end (or today while it runs), for the dashboards and the monthly reports.

Registered as the recompute step "summary" (see ``investment.apps``). Queries: zones of a full
run (1), stages (1), transitions (1), reports (1), milestones (1), open items (1), items opened
and closed (1), funnel (1) and the upsert (one per 500 zones), whatever the number of projects.

``figures`` (amounts in 万元, floats rounded to 2 places; counts are ints):

- ``as_of``: the day the figures stand at (ISO date);
- ``stages``: {stage: projects at that stage on ``as_of``} for every ``ProjectStage``;
- ``stage_investment``: {stage: their planned investment};
- ``plan_this_year``: this year's planned investment of the projects active (签约…投产) on
  ``as_of``; ``completed_this_year``: investment reported this year up to the month (every
  project's ``investment_this_month``); ``completed_this_month``: the month's part of it;
- ``month`` / ``year``: {stage: projects that entered it in the month / from 1 January to
  ``as_of``, by a move or by being entered at that stage}; ``signed_investment_month`` /
  ``signed_investment_year``: the planned investment of the projects signed then (each
  project once);
- ``milestones_overdue``: {"red": n, "yellow": n}: milestones past their planned date and not
  done on ``as_of`` (projects terminated by then left out), coloured by the supervision rule
  (``warning_colour``: red beyond the configured days late);
- ``items_open``: {colour: n} of the supervision items open on ``as_of``, coloured as on that
  day (red, yellow, blue, none); ``items_opened`` / ``items_closed``: items assigned / closed
  in the month;
- ``funnel``: {promotion mode: [projects that reached 线索 … 达产 by ``as_of``]} (highest
  stage reached, as ``investment.funnel`` defines it); ``funnel_investment``: the same with
  their planned investment.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from investment.accountability import local_midnight, stage_on
from investment.funnel import stage_index
from investment.models import (
    ACTIVE_STAGES,
    PIPELINE,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    Project,
    ProjectStage,
    StageTransition,
    StepKind,
    SupervisionItem,
    SupervisionStep,
    WarningColour,
    supervision_red_after_days,
    warning_colour,
)
from zones.summaries import as_of, write_section, zone_ids_of

if TYPE_CHECKING:
    from zones.recompute import StepContext

SECTION = "pipeline"
ITEM_COLOURS = (WarningColour.RED, WarningColour.YELLOW, WarningColour.BLUE, WarningColour.NONE)


def _amount(value: Decimal | None) -> float:
    return round(float(value or 0), 2)


def empty_figures(day: datetime.date) -> dict[str, Any]:
    """A zone's figures when nothing happened: every key present, every count zero."""
    stages = [s for s, _ in ProjectStage.choices]
    return {
        "as_of": day.isoformat(),
        "stages": dict.fromkeys(stages, 0),
        "stage_investment": dict.fromkeys(stages, 0.0),
        "plan_this_year": 0.0,
        "completed_this_year": 0.0,
        "completed_this_month": 0.0,
        "month": dict.fromkeys(stages, 0),
        "year": dict.fromkeys(stages, 0),
        "signed_investment_month": 0.0,
        "signed_investment_year": 0.0,
        "milestones_overdue": {"red": 0, "yellow": 0},
        "items_open": {str(c): 0 for c in ITEM_COLOURS},
        "items_opened": 0,
        "items_closed": 0,
        "funnel": {},
        "funnel_investment": {},
    }


def compute(context: StepContext) -> dict[int, dict[str, Any]]:
    """{zone id: figures} of the run's zones."""
    day = as_of(context)
    zone_ids = zone_ids_of(context)
    figures = {pk: empty_figures(day) for pk in zone_ids}
    if not zone_ids:
        return figures
    _stages(figures, zone_ids, context.period, day)
    _transitions(figures, zone_ids, context.period, day)
    _reports(figures, zone_ids, context.period)
    _milestones(figures, zone_ids, day)
    _items(figures, zone_ids, context.period, day)
    _funnel(figures, zone_ids, day)
    return figures


def recompute_step(context: StepContext) -> int:
    return write_section(context, SECTION, compute(context))


def _stages(
    figures: dict[int, dict], zone_ids: list[int], period: datetime.date, day: datetime.date
) -> None:
    """Projects by stage on ``day`` with their investment, and the planned investment of the
    projects signed in the month and the year (each project once, however often it was
    signed)."""

    def signed_since(first: datetime.date) -> Exists:
        return Exists(
            StageTransition.objects.filter(
                project=OuterRef("pk"),
                to_stage=ProjectStage.SIGNED,
                date__gte=first,
                date__lte=day,
            )
        )

    rows = (
        Project.objects.filter(zone_id__in=zone_ids)
        .annotate(stage_then=stage_on(day))
        .exclude(stage_then="")
        .values("zone_id", "stage_then")
        .annotate(
            n=Count("pk"),
            investment=Sum("planned_investment"),
            plan=Sum("planned_investment_this_year"),
            signed_year=Sum(
                "planned_investment", filter=signed_since(datetime.date(period.year, 1, 1))
            ),
            signed_month=Sum("planned_investment", filter=signed_since(period)),
        )
        .order_by()
    )
    for row in rows:
        doc = figures[row["zone_id"]]
        stage = row["stage_then"]
        doc["stages"][stage] = row["n"]
        doc["stage_investment"][stage] = _amount(row["investment"])
        if stage in ACTIVE_STAGES:
            doc["plan_this_year"] = round(doc["plan_this_year"] + _amount(row["plan"]), 2)
        doc["signed_investment_year"] = round(
            doc["signed_investment_year"] + _amount(row["signed_year"]), 2
        )
        doc["signed_investment_month"] = round(
            doc["signed_investment_month"] + _amount(row["signed_month"]), 2
        )


def _transitions(
    figures: dict[int, dict], zone_ids: list[int], period: datetime.date, day: datetime.date
) -> None:
    """Projects that entered each stage in the month and in the year: a project created at a
    stage (its first transition, e.g. a signed project entered afterwards) entered it then."""
    rows = (
        StageTransition.objects.filter(
            project__zone_id__in=zone_ids,
            date__gte=datetime.date(period.year, 1, 1),
            date__lte=day,
        )
        .values("project__zone_id", "to_stage")
        .annotate(
            year=Count("project", distinct=True),
            month=Count("project", distinct=True, filter=Q(date__gte=period)),
        )
        .order_by()
    )
    for row in rows:
        doc = figures[row["project__zone_id"]]
        doc["year"][row["to_stage"]] = row["year"]
        doc["month"][row["to_stage"]] = row["month"]


def _reports(figures: dict[int, dict], zone_ids: list[int], period: datetime.date) -> None:
    rows = (
        ProgressReport.objects.filter(
            project__zone_id__in=zone_ids, year=period.year, month__lte=period.month
        )
        .values("project__zone_id")
        .annotate(
            year=Sum("investment_this_month"),
            month=Sum("investment_this_month", filter=Q(month=period.month)),
        )
        .order_by()
    )
    for row in rows:
        doc = figures[row["project__zone_id"]]
        doc["completed_this_year"] = _amount(row["year"])
        doc["completed_this_month"] = _amount(row["month"])


def _milestones(figures: dict[int, dict], zone_ids: list[int], day: datetime.date) -> None:
    red_before = day - datetime.timedelta(days=supervision_red_after_days())
    # projects terminated on the day (one reopened since still was): their milestones are history
    terminated = (
        Project.objects.filter(zone_id__in=zone_ids)
        .annotate(stage_then=stage_on(day))
        .filter(stage_then=ProjectStage.TERMINATED)
        .values("pk")
    )
    rows = (
        Milestone.objects.filter(project__zone_id__in=zone_ids, planned_date__lt=day)
        .filter(~Q(status=MilestoneStatus.DONE) | Q(actual_date__gt=day))
        .exclude(project__in=terminated)
        .values("project__zone_id")
        .annotate(
            red=Count("pk", filter=Q(planned_date__lt=red_before)),
            yellow=Count("pk", filter=Q(planned_date__gte=red_before)),
        )
        .order_by()
    )
    for row in rows:
        figures[row["project__zone_id"]]["milestones_overdue"] = {
            "red": row["red"],
            "yellow": row["yellow"],
        }


def _items(
    figures: dict[int, dict], zone_ids: list[int], period: datetime.date, day: datetime.date
) -> None:
    """Open items on ``day`` with their colour then (one query), and the month's flow (one)."""
    day_after = local_midnight(day + datetime.timedelta(days=1))
    returns = (
        SupervisionStep.objects.filter(item=OuterRef("pk"), kind=StepKind.RETURN, at__lt=day_after)
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    open_rows = (
        SupervisionItem.objects.filter(zone_id__in=zone_ids, created_at__lt=day_after)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=day_after))
        .annotate(returns=Coalesce(Subquery(returns, output_field=IntegerField()), Value(0)))
        .values_list("zone_id", "deadline", "start_colour", "returns")
        .order_by()
    )
    red_after = supervision_red_after_days()
    for zone_id, deadline, start_colour, reopened in open_rows:
        colour = warning_colour(
            closed=False,
            deadline=deadline,
            today=day,
            reopened=reopened,
            start_colour=start_colour,
            red_after_days=red_after,
        )
        figures[zone_id]["items_open"][str(colour)] += 1
    month_start = local_midnight(period)
    flow = (
        SupervisionItem.objects.filter(zone_id__in=zone_ids)
        .filter(
            Q(created_at__gte=month_start, created_at__lt=day_after)
            | Q(closed_at__gte=month_start, closed_at__lt=day_after)
        )
        .values("zone_id")
        .annotate(
            opened=Count("pk", filter=Q(created_at__gte=month_start, created_at__lt=day_after)),
            closed=Count("pk", filter=Q(closed_at__gte=month_start, closed_at__lt=day_after)),
        )
        .order_by()
    )
    for row in flow:
        doc = figures[row["zone_id"]]
        doc["items_opened"], doc["items_closed"] = row["opened"], row["closed"]


def _funnel(figures: dict[int, dict], zone_ids: list[int], day: datetime.date) -> None:
    """Projects by mode and highest pipeline stage reached by ``day``; a project without any
    recorded transition counts at its current stage (as the funnel page does)."""
    highest = (
        StageTransition.objects.filter(project=OuterRef("pk"), to_stage__in=PIPELINE, date__lte=day)
        .annotate(position=stage_index("to_stage"))
        .order_by("-position")
        .values("position")[:1]
    )
    unrecorded = ~Exists(StageTransition.objects.filter(project=OuterRef("pk")))
    rows = (
        Project.objects.filter(zone_id__in=zone_ids)
        .annotate(
            reached=Coalesce(
                Subquery(highest, output_field=IntegerField()),
                Case(
                    When(unrecorded, then=Coalesce(stage_index("stage"), Value(0))),
                    default=None,
                    output_field=IntegerField(),
                ),
            )
        )
        .filter(reached__isnull=False)
        .values("zone_id", "promotion_mode", "reached")
        .annotate(n=Count("pk"), investment=Sum("planned_investment"))
        .order_by()
    )
    counts: dict[int, dict[str, list[int]]] = defaultdict(dict)
    amounts: dict[int, dict[str, list[float]]] = defaultdict(dict)
    for row in rows:
        mode_counts = counts[row["zone_id"]].setdefault(row["promotion_mode"], [0] * len(PIPELINE))
        mode_amounts = amounts[row["zone_id"]].setdefault(
            row["promotion_mode"], [0.0] * len(PIPELINE)
        )
        for index in range(row["reached"] + 1):  # reaching a stage means passing the earlier ones
            mode_counts[index] += row["n"]
            mode_amounts[index] = round(mode_amounts[index] + _amount(row["investment"]), 2)
    for zone_id, by_mode in counts.items():
        figures[zone_id]["funnel"] = by_mode
        figures[zone_id]["funnel_investment"] = amounts[zone_id]
