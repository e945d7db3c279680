"""Accountability scores (督查督办问责) wired to the database: gather the month's facts with
set-based queries, score them with ``investment.scoring`` and upsert ``AccountabilityScore`` rows.

``recompute_step`` is registered with ``zones.recompute`` (see ``investment.apps``), so the
nightly run, the after-edit run and the activation of a methodology version all compute these
scores with the zones' results in one transaction.

What counts as a fact of month M (the period, from its 1st to its last day):

- milestones planned on or before M's end and not done before M began (milestones of a project
  terminated before M began are history and left out);
- the reports *due* in M: the reports of month M−1 (due on the configured day of M, as
  ``report_due_date``) of the projects in an active stage (签约 to 投产) at the end of M−1 — the
  stage is read from the project's stage history — or that submitted one; a missing report is a
  fact with no submission date; a report counts as submitted on the local date of
  ``submitted_at``;
- the investment of the projects in an active stage at M's end: this year's plan
  (``planned_investment_this_year``, 0 meaning no plan) against the sum of ``investment_this_month``
  of this year's reports up to month M (no report: nothing completed);
- supervision items due in M, or due earlier and not closed before M began; an item is red when
  it was red on its last open day up to M's end (overdue past the red threshold, returned for
  rework by then, or a leader's red instruction), as ``warning_colour`` says;
- approved exemptions (``selectors.exempted``) leave a milestone or an item out.

Queries do not grow with the number of zones, projects or subjects: one per kind of fact, a few
for the targets of a partial run and the stored rows, and one bulk upsert per 500 rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from devzone.access import Role
from investment import scoring
from investment.models import (
    ACTIVE_STAGES,
    AccountabilityScore,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    Project,
    ProjectStage,
    StageTransition,
    StepKind,
    SubjectKind,
    SupervisionItem,
    SupervisionStatus,
    SupervisionStep,
    WarningColour,
    report_due_date,
    supervision_red_after_days,
    warning_colour,
)
from investment.models.accountability import subject_id_of, subject_key
from investment.selectors import exempted
from zones.models import Membership, Zone

if TYPE_CHECKING:
    from zones.recompute import StepContext

BATCH = 500
UPDATE_FIELDS = [
    "user",
    "zone",
    "prefecture",
    "run",
    "score",
    "colour",
    "components",
    "based_on",
    "rank",
    "previous_score",
    "movement",
    "rank_movement",
    "computed_at",
]
UNIQUE_FIELDS = ["subject_kind", "subject_key", "period", "methodology"]


class Facts(NamedTuple):
    """The month's facts, in the shape ``scoring.score_month`` takes them."""

    milestones: list[scoring.MilestoneFact]
    reports: list[scoring.ReportFact]
    investments: list[scoring.InvestmentFact]
    items: list[scoring.ItemFact]
    zone_prefecture: dict[int, int]
    zone_leaders: dict[int, list[int]]


# --- facts ---------------------------------------------------------------------------------


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return None if moment is None else timezone.localtime(moment).date()


def _in_zones(queryset: QuerySet, lookup: str, zone_ids: Iterable[int] | None) -> QuerySet:
    return queryset if zone_ids is None else queryset.filter(**{f"{lookup}__in": list(zone_ids)})


def stage_on(day: datetime.date) -> Case:
    """A project's stage at the end of ``day``: its current stage when that began on or before
    ``day`` (or its start is unknown), else the last stage its history records by ``day``, or
    none ('') when its history begins later. Only projects whose stage changed after ``day``
    read their history (an index lookup each)."""
    last = (
        StageTransition.objects.filter(project=OuterRef("pk"), date__lte=day)
        .order_by("-date", "-pk")
        .values("to_stage")[:1]
    )
    return Case(
        When(Q(stage_since__isnull=True) | Q(stage_since__lte=day), then=F("stage")),
        default=Coalesce(Subquery(last), Value("")),
        output_field=CharField(),
    )


def _projects(period: datetime.date, period_end: datetime.date, zone_ids) -> list[dict]:
    """One query: the projects owing the report due in the month or active at its end, with
    that report's submission time and this year's completed investment to the month."""
    report_end = period - datetime.timedelta(days=1)
    report = ProgressReport.objects.filter(
        project=OuterRef("pk"), year=report_end.year, month=report_end.month
    )
    completed = (
        ProgressReport.objects.filter(
            project=OuterRef("pk"), year=period.year, month__lte=period.month
        )
        .order_by()
        .values("project")
        .annotate(total=Sum("investment_this_month"))
        .values("total")
    )
    return list(
        _in_zones(Project.objects.all(), "zone_id", zone_ids)
        .annotate(
            stage_reported=stage_on(report_end),
            stage_at_end=stage_on(period_end),
            report_at=Subquery(report.values("submitted_at")[:1]),
            completed_to_month=Subquery(
                completed, output_field=DecimalField(max_digits=16, decimal_places=2)
            ),
        )
        .filter(
            Q(stage_reported__in=ACTIVE_STAGES)
            | Q(stage_at_end__in=ACTIVE_STAGES)
            | Q(report_at__isnull=False)
        )
        .order_by("pk")
        .values(
            "pk",
            "zone_id",
            "lead_id",
            "planned_investment_this_year",
            "stage_reported",
            "stage_at_end",
            "report_at",
            "completed_to_month",
        )
    )


def _milestones(period: datetime.date, period_end: datetime.date, zone_ids) -> list[dict]:
    return list(
        _in_zones(Milestone.objects.all(), "project__zone_id", zone_ids)
        .filter(planned_date__lte=period_end)
        .filter(~Q(status=MilestoneStatus.DONE) | Q(actual_date__gte=period))
        .exclude(project__stage=ProjectStage.TERMINATED, project__stage_since__lt=period)
        .order_by("pk")
        .values(
            "pk",
            "project_id",
            "project__zone_id",
            "project__lead_id",
            "owner_id",
            "planned_date",
            "actual_date",
            "status",
        )
    )


def _items(period: datetime.date, period_end: datetime.date, zone_ids) -> list[dict]:
    returns = (
        SupervisionStep.objects.filter(
            item=OuterRef("pk"),
            kind=StepKind.RETURN,
            at__lt=local_midnight(period_end + datetime.timedelta(days=1)),
        )
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        _in_zones(SupervisionItem.objects.all(), "zone_id", zone_ids)
        .filter(deadline__lte=period_end)
        .filter(
            Q(deadline__gte=period)
            | Q(closed_at__isnull=True)
            | Q(closed_at__gte=local_midnight(period))
        )
        .annotate(returns=Coalesce(Subquery(returns, output_field=IntegerField()), Value(0)))
        .order_by("pk")
        .values(
            "pk",
            "zone_id",
            "project_id",
            "assignee_id",
            "project__lead_id",
            "deadline",
            "closed_at",
            "status",
            "start_colour",
            "returns",
        )
    )


def _red(row: dict, closed_on: datetime.date | None, period_end: datetime.date) -> bool:
    """Red on the item's last open day up to the month's end (colours only rise while open)."""
    day = min(closed_on, period_end) if closed_on is not None else period_end
    colour = warning_colour(
        closed=False,
        deadline=row["deadline"],
        today=day,
        reopened=row["returns"],
        start_colour=row["start_colour"],
        red_after_days=supervision_red_after_days(),
    )
    return colour == WarningColour.RED


def gather_facts(
    period: datetime.date, period_end: datetime.date, zone_ids: Iterable[int] | None
) -> Facts:
    """The facts of the month from ``period`` (its 1st) to ``period_end`` of the given zones
    (None: every zone), with ``zone_prefecture`` and ``zone_leaders`` (the active users holding
    the 开发区一把手 role of each zone). Queries: projects (1), milestones (1), items (1),
    exemptions (one per kind with facts), zones (1), leaders (1)."""
    zone_ids = None if zone_ids is None else sorted(set(zone_ids))
    projects = _projects(period, period_end, zone_ids)
    milestone_rows = _milestones(period, period_end, zone_ids)
    item_rows = _items(period, period_end, zone_ids)
    exempt = exempted([m["pk"] for m in milestone_rows], [i["pk"] for i in item_rows])

    milestones = [
        scoring.MilestoneFact(
            id=m["pk"],
            project_id=m["project_id"],
            zone_id=m["project__zone_id"],
            lead_id=m["project__lead_id"],
            owner_id=m["owner_id"],
            planned_date=m["planned_date"],
            actual_date=m["actual_date"] if m["status"] == MilestoneStatus.DONE else None,
            exempted=m["pk"] in exempt.milestones,
        )
        for m in milestone_rows
    ]
    report_end = period - datetime.timedelta(days=1)
    due = report_due_date(report_end.year, report_end.month)
    reports, investments = [], []
    for p in projects:
        if p["stage_reported"] in ACTIVE_STAGES or p["report_at"] is not None:
            reports.append(
                scoring.ReportFact(
                    project_id=p["pk"],
                    zone_id=p["zone_id"],
                    lead_id=p["lead_id"],
                    due_date=due,
                    submitted_on=_local_date(p["report_at"]),
                )
            )
        if p["stage_at_end"] in ACTIVE_STAGES:
            planned = p["planned_investment_this_year"]
            investments.append(
                scoring.InvestmentFact(
                    project_id=p["pk"],
                    zone_id=p["zone_id"],
                    lead_id=p["lead_id"],
                    planned_this_year=planned if planned else None,
                    completed_this_year_to_month=p["completed_to_month"],
                )
            )
    items = []
    for i in item_rows:
        closed_on = _local_date(i["closed_at"]) if i["status"] == SupervisionStatus.CLOSED else None
        items.append(
            scoring.ItemFact(
                id=i["pk"],
                zone_id=i["zone_id"],
                project_id=i["project_id"],
                assignee_id=i["assignee_id"],
                lead_id=i["project__lead_id"],
                deadline=i["deadline"],
                closed_on=closed_on,
                colour_red=_red(i, closed_on, period_end),
                exempted=i["pk"] in exempt.items,
            )
        )
    zone_prefecture = dict(
        _in_zones(Zone.objects.all(), "pk", zone_ids).order_by().values_list("pk", "prefecture_id")
    )
    zone_leaders: dict[int, list[int]] = defaultdict(list)
    leader_rows = (
        _in_zones(Membership.objects.all(), "zone_id", zone_ids)
        .filter(role=Role.ZONE_LEADER, user__is_active=True)
        .order_by("zone_id", "user_id")
        .values_list("zone_id", "user_id")
    )
    for zone_id, user_id in leader_rows:
        zone_leaders[zone_id].append(user_id)
    return Facts(milestones, reports, investments, items, zone_prefecture, dict(zone_leaders))


# --- what a partial run computes -----------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """A partial run: the zones asked for, the zones whose facts their subjects need, and the
    leads whose scores those zones touch."""

    zones: frozenset[int]
    prefectures: frozenset[int]
    leads: frozenset[int]
    gather: list[int]


def targets_of(zone_ids: Iterable[int]) -> Targets:
    """The subjects a recompute of ``zone_ids`` rewrites: those zones, the leads of their
    projects (and assignees of their items who lead a project) and their leaders; and every zone
    whose facts those subjects pool (all zones where those leads lead a project or answer an
    item, all zones of those leaders). A prefecture pools every zone of it, so its score is left
    to the next full run (the nightly one): re-reading a whole prefecture after each edit of one
    zone would cost more than the edit's own recompute. Queries: zones (1), leads (1), gathered
    zones (1)."""
    rows = list(Zone.objects.filter(pk__in=list(zone_ids)).values_list("pk", "prefecture_id"))
    zones = frozenset(pk for pk, _ in rows)
    prefectures: frozenset[int] = frozenset()  # see the docstring: the full run's
    assignees = SupervisionItem.objects.filter(zone_id__in=zones).values("assignee_id")
    leads = frozenset(
        Project.objects.filter(Q(zone_id__in=zones) | Q(lead_id__in=assignees))
        .filter(lead__isnull=False)
        .order_by()
        .values_list("lead_id", flat=True)
        .distinct()
    )
    leaders = Membership.objects.filter(role=Role.ZONE_LEADER, zone_id__in=zones).values("user_id")
    gather = (
        Zone.objects.filter(
            Q(pk__in=zones)
            | Q(pk__in=Project.objects.filter(lead_id__in=leads).values("zone_id"))
            | Q(pk__in=SupervisionItem.objects.filter(assignee_id__in=leads).values("zone_id"))
            | Q(
                pk__in=Membership.objects.filter(role=Role.ZONE_LEADER, user_id__in=leaders).values(
                    "zone_id"
                )
            )
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return Targets(zones, prefectures, leads, list(gather))


# --- the recompute step --------------------------------------------------------------------


def _subject_places(
    facts: Facts,
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """The zones each lead's facts and each zone leader's zones lie in."""
    lead_zones: dict[int, set[int]] = defaultdict(set)
    for group in (facts.milestones, facts.reports, facts.investments, facts.items):
        for fact in group:
            if fact.lead_id is not None:
                lead_zones[fact.lead_id].add(fact.zone_id)
    for item in facts.items:
        if item.assignee_id in lead_zones:
            lead_zones[item.assignee_id].add(item.zone_id)
    leader_zones: dict[int, set[int]] = defaultdict(set)
    for zone_id, users in facts.zone_leaders.items():
        for user_id in users:
            leader_zones[user_id].add(zone_id)
    return lead_zones, leader_zones


def _row(
    result: scoring.SubjectScore,
    context: StepContext,
    zone_prefecture: dict[int, int],
    places: dict[str, dict[int, set[int]]],
    now: datetime.datetime,
) -> AccountabilityScore:
    kind, sid = result.kind, result.subject_id
    user_id = zone_id = prefecture_id = None
    if kind == SubjectKind.ZONE:
        zone_id, prefecture_id = sid, zone_prefecture.get(sid)
    elif kind == SubjectKind.PREFECTURE:
        prefecture_id = sid
    else:
        user_id = sid
        zones = places[kind].get(sid, set())
        prefectures = {zone_prefecture.get(z) for z in zones}
        zone_id = next(iter(zones)) if len(zones) == 1 else None
        prefecture_id = next(iter(prefectures)) if len(prefectures) == 1 else None
    return AccountabilityScore(
        subject_kind=kind,
        subject_key=subject_key(kind, sid),
        user_id=user_id,
        zone_id=zone_id,
        prefecture_id=prefecture_id,
        period=context.period,
        methodology=context.methodology,
        run=context.run,
        score=result.score,
        colour=result.colour or "",
        components=result.as_dict()["components"],
        based_on=[list(key) for key in result.based_on],
        computed_at=now,
    )


def _previous_period(period: datetime.date) -> datetime.date:
    return (period - datetime.timedelta(days=1)).replace(day=1)


def _as_of(period: datetime.date, period_end: datetime.date) -> datetime.date | None:
    """Today when the month is still running (later facts are unknown), else None."""
    today = timezone.localdate()
    return today if period <= today < period_end else None


def recompute_step(context: StepContext) -> int:
    """Score the month and upsert the rows; returns the number of rows written.

    With ``context.zone_ids`` only the subjects those zones touch are rewritten (see
    ``targets_of``); the ranks of the period's other stored rows are updated when the new scores
    move them. A full run also deletes the period's rows of subjects that no longer have a
    score (a partial run those of its own subjects)."""
    period, period_end, methodology = context.period, context.period_end, context.methodology
    targets = None if context.zone_ids is None else targets_of(context.zone_ids)
    facts = gather_facts(period, period_end, None if targets is None else targets.gather)
    results = scoring.score_month(
        period,
        period_end,
        *facts,
        parameters=methodology.section("accountability"),
        as_of=_as_of(period, period_end),
    )
    lead_zones, leader_zones = _subject_places(facts)
    places = {SubjectKind.LEAD: lead_zones, SubjectKind.ZONE_LEADER: leader_zones}
    stored = {
        row["subject_key"]: row
        for row in AccountabilityScore.objects.filter(period=period, methodology=methodology)
        .order_by()
        .values("pk", "subject_kind", "subject_key", "zone_id", "score", "rank", "rank_movement")
    }

    def affected(kind: str, sid: int, zone_id: int | None = None) -> bool:
        if targets is None:
            return True
        if kind == SubjectKind.ZONE:
            return sid in targets.zones
        if kind == SubjectKind.PREFECTURE:
            return sid in targets.prefectures
        if kind == SubjectKind.LEAD:
            return sid in targets.leads or zone_id in targets.zones
        return bool(leader_zones.get(sid, set()) & targets.zones) or zone_id in targets.zones

    now = timezone.now()
    written: dict[str, AccountabilityScore] = {}
    for result in results.values():
        if affected(result.kind, result.subject_id):
            row = _row(result, context, facts.zone_prefecture, places, now)
            written[row.subject_key] = row
    stale = [
        row["pk"]
        for key, row in stored.items()
        if key not in written and affected(row["subject_kind"], subject_id_of(key), row["zone_id"])
    ]
    kept = {
        key: row for key, row in stored.items() if key not in written and row["pk"] not in stale
    }

    previous: dict[str, dict[int, Decimal | None]] = defaultdict(dict)
    for kind, key, score in (
        AccountabilityScore.objects.filter(period=_previous_period(period), methodology=methodology)
        .order_by()
        .values_list("subject_kind", "subject_key", "score")
    ):
        previous[kind][subject_id_of(key)] = score

    rank_changes: list[AccountabilityScore] = []
    for kind in scoring.SUBJECT_KINDS:
        current = {
            subject_id_of(key): row.score
            for key, row in written.items()
            if row.subject_kind == kind
        }
        current.update(
            {
                subject_id_of(key): row["score"]
                for key, row in kept.items()
                if row["subject_kind"] == kind
            }
        )
        for ranked in scoring.rank(current, previous[kind]):
            key = subject_key(kind, ranked.key)
            if key in written:
                row = written[key]
                row.rank, row.rank_movement = ranked.rank, ranked.rank_movement
                row.previous_score, row.movement = ranked.previous_score, ranked.movement
            else:
                old = kept[key]
                if (old["rank"], old["rank_movement"]) != (ranked.rank, ranked.rank_movement):
                    rank_changes.append(
                        AccountabilityScore(
                            pk=old["pk"], rank=ranked.rank, rank_movement=ranked.rank_movement
                        )
                    )

    if stale:
        AccountabilityScore.objects.filter(pk__in=stale).delete()
    AccountabilityScore.objects.bulk_create(
        list(written.values()),
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=UNIQUE_FIELDS,
        update_fields=UPDATE_FIELDS,
    )
    if rank_changes:
        AccountabilityScore.objects.bulk_update(
            rank_changes, ["rank", "rank_movement"], batch_size=BATCH
        )
    return len(written) + len(rank_changes)
