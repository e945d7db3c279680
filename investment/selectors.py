"""Reads of the investment app for pages, the API, exports and later reports.

Each list selector starts from ``for_user`` and fixes its joins, so a list costs the same number
of queries for one row or fifty. Later apps (supervision, accountability, the funnel) read
projects, milestones and reports through these functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from devzone import history
from devzone.access import get_scope
from devzone.models import ChangeRecord
from investment.models import (
    ACTIVE_STAGES,
    Exemption,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    Project,
    ProjectStage,
    StageTransition,
    StepKind,
    SupervisionItem,
    SupervisionStatus,
    SupervisionStep,
    WarningColour,
    report_due_date,
)
from zones.models import Zone


def projects_for(user, action: str = "view") -> QuerySet[Project]:
    return (
        Project.objects.for_user(user, action)
        .select_related(
            "zone", "zone__prefecture", "industry", "lead", "responsible_leader", "origin_province"
        )
        .with_overdue_flag()
        .order_by("zone__code", "-created_at")
    )


def milestones_for(user, action: str = "view") -> QuerySet[Milestone]:
    return (
        Milestone.objects.for_user(user, action)
        .select_related("project", "project__zone", "project__zone__prefecture", "owner")
        .order_by("project_id", "position", "planned_date", "pk")
    )


def reports_for(user, action: str = "view") -> QuerySet[ProgressReport]:
    return (
        ProgressReport.objects.for_user(user, action)
        .select_related("project", "project__zone", "project__zone__prefecture", "submitted_by")
        .order_by("-year", "-month", "project_id")
    )


def previous_month(today: datetime.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def _projects_of(user_or_zones) -> QuerySet[Project]:
    """The projects a user may see, or the projects of the given zones (ids or Zone rows)."""
    if isinstance(user_or_zones, list | tuple | set | frozenset | QuerySet):
        ids = [z.pk if isinstance(z, Zone) else int(z) for z in user_or_zones]
        return Project.objects.filter(zone_id__in=ids)
    return Project.objects.for_user(user_or_zones, "view")


def reports_owed(user_or_zones, year: int, month: int) -> QuerySet[Project]:
    """Projects in an active stage (签约 to 投产) with no report for ``year``/``month``.

    ``due_date`` of that month is ``report_due_date(year, month)``; before it the reports are
    still owed but not yet late.
    """
    has_report = ProgressReport.objects.filter(project=OuterRef("pk"), year=year, month=month)
    return (
        _projects_of(user_or_zones)
        .filter(stage__in=ACTIVE_STAGES)
        .exclude(Exists(has_report))
        .select_related("zone", "lead")
        .order_by("zone__code", "code")
    )


def late_reports(user_or_zones, year: int, month: int) -> QuerySet[ProgressReport]:
    """Reports of that month submitted after their due date."""
    due = report_due_date(year, month)
    start = timezone.make_aware(
        datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time.min)
    )
    projects = _projects_of(user_or_zones).values("pk")
    return (
        ProgressReport.objects.filter(
            project__in=projects, year=year, month=month, submitted_at__gte=start
        )
        .select_related("project", "project__zone", "submitted_by")
        .order_by("project__zone__code", "project__code")
    )


def board_columns(user, zone: Zone, per_column: int = 30) -> list[dict[str, Any]]:
    """The pipeline board of one zone: per stage, the count, the planned investment and the
    first ``per_column`` projects. Queries: the totals (1), one per stage (8)."""
    projects = Project.objects.for_user(user, "view").filter(zone=zone)
    totals = {
        row["stage"]: row
        for row in projects.order_by()
        .values("stage")
        .annotate(n=Count("id"), investment=Sum("planned_investment"))
    }
    columns = []
    for stage, label in ProjectStage.choices:
        rows = list(
            projects.filter(stage=stage)
            .select_related("lead", "industry")
            .with_overdue_flag()
            .order_by("-planned_investment", "pk")[:per_column]
        )
        total = totals.get(stage, {})
        columns.append(
            {
                "stage": stage,
                "label": label,
                "count": total.get("n", 0),
                "investment": total.get("investment") or 0,
                "projects": rows,
            }
        )
    return columns


def project_timeline(project: Project, milestones: list[Milestone], reports: list[ProgressReport]):
    """Every change of a project, newest first: its stage moves, the history records of the
    project, its milestones (reschedules carry their reason) and its progress reports, and the
    steps of its supervision items and its exemption requests and decisions.

    Queries: transitions (1), change records (1), supervision steps (1), exemptions (1),
    content types (cached).
    """
    entries: list[dict[str, Any]] = []
    transitions = list(
        StageTransition.objects.filter(project=project)
        .select_related("user", "promise")
        .order_by("-date", "-pk")
    )
    for row in transitions:
        title = (
            _("项目录入，阶段：%(b)s") % {"b": row.get_to_stage_display()}
            if not row.from_stage
            else _("阶段：%(a)s → %(b)s")
            % {"a": row.get_from_stage_display(), "b": row.get_to_stage_display()}
        )
        details = []
        if row.reason:
            details.append(_("原因：%(r)s") % {"r": row.reason})
        if row.note:
            details.append(row.note)
        promise = getattr(row, "promise", None)
        if promise is not None:
            details.append(
                _(
                    "签约承诺：投资 %(i)s 万元，亩均产值 %(o)s 万元/亩，亩均税收 %(t)s 万元/亩，"
                    "计划开工 %(s)s，计划投产 %(p)s"
                )
                % {
                    "i": promise.investment,
                    "o": promise.output_per_mu,
                    "t": promise.tax_per_mu,
                    "s": promise.planned_start_date,
                    "p": promise.planned_production_date,
                }
            )
        entries.append(
            {
                "at": row.created_at,
                "date": row.date,
                "recorded_later": timezone.localtime(row.created_at).date() != row.date,
                "kind": "stage",
                "icon": "signpost-split",
                "user": row.user,
                "title": title,
                "details": details,
                "changes": [],
            }
        )

    types = ContentType.objects.get_for_models(Project, Milestone, ProgressReport)
    kinds = {
        types[Project].pk: (Project, _("项目"), "briefcase"),
        types[Milestone].pk: (Milestone, _("节点"), "flag"),
        types[ProgressReport].pk: (ProgressReport, _("月报"), "journal-text"),
    }
    late = {r.pk for r in reports if r.is_late}
    query = Q(content_type=types[Project], object_id=project.pk) & ~Q(
        action=ChangeRecord.Action.TRANSITION
    )
    if milestones:
        query |= Q(content_type=types[Milestone], object_id__in=[m.pk for m in milestones])
    if reports:
        query |= Q(content_type=types[ProgressReport], object_id__in=[r.pk for r in reports])
    records = ChangeRecord.objects.filter(query).select_related("user").order_by("-at", "-pk")[:300]
    for record in records:
        model, kind_label, icon = kinds[record.content_type_id]
        details = [record.note] if record.note else []
        if model is ProgressReport and record.object_id in late and record.action == "create":
            details.append(_("逾期提交"))
        entries.append(
            {
                "at": record.at,
                "date": timezone.localtime(record.at).date(),
                "kind": "history",
                "icon": icon,
                "user": record.user,
                "title": f"{record.get_action_display()}{kind_label}：{record.object_repr}",
                "details": details,
                "changes": [
                    (history._label(model, name), old, new)
                    for name, (old, new) in sorted(record.changes.items())
                ],
            }
        )
    entries += supervision_timeline(project)
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries


# --- supervision items and exemptions --------------------------------------------------------

ZONE_SIDE_STATUSES = (
    SupervisionStatus.ASSIGNED,
    SupervisionStatus.ACKNOWLEDGED,
    SupervisionStatus.IN_PROGRESS,
)
SUPERVISOR_SIDE_STATUSES = (SupervisionStatus.FEEDBACK, SupervisionStatus.UNDER_REVIEW)
COLOUR_ORDER = Case(
    When(colour=WarningColour.RED, then=Value(0)),
    When(colour=WarningColour.YELLOW, then=Value(1)),
    When(colour=WarningColour.BLUE, then=Value(2)),
    When(colour=WarningColour.NONE, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


def awaiting_q(user) -> Q:
    """Items waiting for ``user``: the zone's side (签收/办理/反馈) in zones the user may change
    or assigned to them, or the supervisor's side (复核/办结) in zones the user may supervise."""
    scope = get_scope(user)
    paths = SupervisionItem.objects.all().scope_paths
    zone_side = scope.q("change", paths)
    if getattr(user, "pk", None) is not None:
        zone_side |= Q(assignee_id=user.pk)
    return (zone_side & Q(status__in=ZONE_SIDE_STATUSES)) | (
        scope.q("supervise", paths) & Q(status__in=SUPERVISOR_SIDE_STATUSES)
    )


def items_for(user, action: str = "view", today: datetime.date | None = None):
    """Items in the user's scope with their colour (``colour``) and whether they wait for the
    user (``awaits_me``); ordered: awaiting the user first, then the most urgent colour, then the
    nearest deadline."""
    return (
        SupervisionItem.objects.for_user(user, action)
        .with_colour(today)
        .annotate(
            awaits_me=Case(
                When(awaiting_q(user), then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            colour_order=COLOUR_ORDER,
        )
        .select_related("zone", "zone__prefecture", "project", "assignee", "raised_by")
        .order_by("-awaits_me", "colour_order", "deadline", "pk")
    )


def colour_counts(items: QuerySet[SupervisionItem]) -> dict[str, int]:
    """How many of ``items`` (annotated by ``with_colour``) show each colour (one query)."""
    values = list(WarningColour.values)
    row = items.order_by().aggregate(**{c: Count("pk", filter=Q(colour=c)) for c in values})
    return {c: row.get(c) or 0 for c in values}


def item_steps(item: SupervisionItem) -> list[SupervisionStep]:
    return list(item.steps.select_related("user").order_by("at", "pk"))


def exemptions_for(user, action: str = "view") -> QuerySet[Exemption]:
    return (
        Exemption.objects.for_user(user, action)
        .select_related(
            "zone",
            "zone__prefecture",
            "milestone",
            "milestone__project",
            "item",
            "requested_by",
            "decided_by",
        )
        .order_by("-requested_at", "-pk")
    )


class Exempted(NamedTuple):
    milestones: set[int]
    items: set[int]


def exempted(milestone_ids: Iterable[int] = (), item_ids: Iterable[int] = ()) -> Exempted:
    """Which of the given milestones and supervision items have an approved exemption, so that
    accountability scoring can leave them out. One query per kind asked about."""
    milestone_ids, item_ids = list(milestone_ids), list(item_ids)
    approved = Exemption.objects.approved()
    milestones = (
        set(approved.filter(milestone_id__in=milestone_ids).values_list("milestone_id", flat=True))
        if milestone_ids
        else set()
    )
    items = (
        set(approved.filter(item_id__in=item_ids).values_list("item_id", flat=True))
        if item_ids
        else set()
    )
    return Exempted(milestones, items)


def my_work(user, today: datetime.date | None = None, limit: int = 20) -> dict[str, Any]:
    """The my-work page of a project lead or zone user: the projects they lead or answer for
    (as 一把手), those projects' milestones (and the milestones they own) due in the next 30
    days or overdue, last month's reports owed for those projects, and the open supervision
    items assigned to them. At most ``limit`` rows per list, with the full counts.
    Queries: 2 per list (count and rows)."""
    today = today or timezone.localdate()
    mine = Q(lead_id=user.pk) | Q(responsible_leader_id=user.pk)
    projects = projects_for(user).filter(mine)
    milestones = (
        milestones_for(user)
        .filter(
            Q(owner_id=user.pk)
            | Q(project__lead_id=user.pk)
            | Q(project__responsible_leader_id=user.pk)
        )
        .exclude(status=MilestoneStatus.DONE)
        .filter(planned_date__lte=today + datetime.timedelta(days=30))
        .order_by("planned_date", "pk")
    )
    year, month = previous_month(today)
    owed = reports_owed(user, year, month).filter(mine)
    items = (
        items_for(user, today=today)
        .filter(assignee_id=user.pk)
        .exclude(status=SupervisionStatus.CLOSED)
    )
    return {
        "projects": list(projects[:limit]),
        "project_count": projects.count(),
        "milestones": list(milestones[:limit]),
        "milestone_count": milestones.count(),
        "owed": list(owed[:limit]),
        "owed_count": owed.count(),
        "owed_year": year,
        "owed_month": month,
        "owed_due": report_due_date(year, month),
        "items": list(items[:limit]),
        "item_count": items.count(),
        "today": today,
    }


def supervision_timeline(project: Project) -> list[dict[str, Any]]:
    """Timeline entries of a project's supervision: every step of its items and every
    exemption request and decision on its milestones and items. Queries: steps (1),
    exemptions (1)."""
    entries: list[dict[str, Any]] = []
    steps = (
        SupervisionStep.objects.filter(item__project=project)
        .select_related("user", "item")
        .order_by("-at", "-pk")[:300]
    )
    for step in steps:
        details = []
        if step.feedback:
            details.append(_("办理情况：%(f)s") % {"f": step.feedback})
        if step.note:
            details.append(step.note)
        if step.kind == StepKind.ASSIGN:
            details.append(_("办理时限：%(d)s") % {"d": step.item.deadline.isoformat()})
        entries.append(
            {
                "at": step.at,
                "date": timezone.localtime(step.at).date(),
                "kind": "supervision",
                "icon": "megaphone",
                "user": step.user,
                "title": _("督办%(step)s：%(title)s")
                % {"step": step.get_kind_display(), "title": step.item.title},
                "details": details,
                "changes": [],
                "url_item": step.item_id,
            }
        )
    exemptions = (
        Exemption.objects.filter(Q(milestone__project=project) | Q(item__project=project))
        .select_related("requested_by", "decided_by", "milestone", "item")
        .order_by("-requested_at", "-pk")[:100]
    )
    for exemption in exemptions:
        entries.append(
            {
                "at": exemption.requested_at,
                "date": timezone.localtime(exemption.requested_at).date(),
                "kind": "exemption",
                "icon": "shield-check",
                "user": exemption.requested_by,
                "title": _("申请容错免责（%(t)s）") % {"t": exemption.target_label},
                "details": [_("理由：%(r)s") % {"r": exemption.reason}],
                "changes": [],
            }
        )
        if exemption.decided_at:
            entries.append(
                {
                    "at": exemption.decided_at,
                    "date": timezone.localtime(exemption.decided_at).date(),
                    "kind": "exemption",
                    "icon": "shield-check",
                    "user": exemption.decided_by,
                    "title": _("容错免责%(s)s（%(t)s）")
                    % {"s": exemption.get_status_display(), "t": exemption.target_label},
                    "details": [exemption.decision_note] if exemption.decision_note else [],
                    "changes": [],
                }
            )
    return entries


def signed_counts_by_zone(
    zone_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, int]:
    """Projects signed (a move to 签约) between ``start`` and ``end`` per zone, for the scoring's
    drive capacity; one grouped query. A project signed twice (moved back and again) counts once.
    """
    rows = (
        StageTransition.objects.filter(
            project__zone_id__in=list(zone_ids),
            to_stage=ProjectStage.SIGNED,
            date__gte=start,
            date__lte=end,
        )
        .order_by()
        .values("project__zone_id")
        .annotate(n=Count("project_id", distinct=True))
    )
    return {row["project__zone_id"]: row["n"] for row in rows}
