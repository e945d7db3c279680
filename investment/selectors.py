"""Reads of the investment app for pages, the API, exports and later reports.

Each list selector starts from ``for_user`` and fixes its joins, so a list costs the same number
of queries for one row or fifty. Later apps (supervision, accountability, the funnel) read
projects, milestones and reports through these functions.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from devzone import history
from devzone.models import ChangeRecord
from investment.models import (
    ACTIVE_STAGES,
    Milestone,
    ProgressReport,
    Project,
    ProjectStage,
    StageTransition,
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
    """Every change of a project, newest first: its stage moves and the history records of the
    project, its milestones (reschedules carry their reason) and its progress reports.

    Queries: transitions (1), change records (1), content types (cached).
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
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries
