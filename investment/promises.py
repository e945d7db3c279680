"""Promise versus result (承诺兑现核查) wired to the database: gather the producing projects'
promises and their enterprises' figures with one query, judge them with
``investment.promise_scoring``, store one ``PromiseReview`` per project and raise one
supervision item per project that falls short — once per project, ever.

``recompute_step`` is registered with ``zones.recompute`` as the step ``promises`` (see
``investment.apps``), so the nightly run and the after-edit runs review the projects of the zones
they compute. Parameters are the methodology's ``promise`` section over its defaults (a version
stored before the section existed has none).

What is reviewed, as of the period's last day:

- projects now at 投产 or 达产 with signing promises (the latest ``SigningPromise``) and an
  enterprise (``Project.enterprise``, the enterprise the project became);
- in production since the first move to 投产 (or straight to 达产) in the stage history, else
  the date the project entered its current stage;
- the enterprise's figures of the latest year up to the period's year − 1 with an output or a
  tax recorded (``EnterpriseAnnual``), over the enterprise's land area (``land_area_mu``); the
  pure module refuses a year the project did not produce throughout (a partial first year) as
  missing data, so the first check waits for a complete year's figures.

A shortfall raises an item (source 承诺兑现核查) on the project, assigned to the zone's 一把手
(the lowest user id when several; active users only), else to the project's 责任领导 if they are
an active member of the zone, else nothing is raised and the review's note says why (a later run
raises it once someone can take it). The item is due ``deadline_days`` after the period's end,
or after today when that is later (a run of an old month must not raise an item already
overdue). Its title and text, in Chinese, state the promised and actual figures and ratios.

A run for a month older than a project's stored review leaves that review (and its follow-up)
alone: the latest month wins. Queries do not grow with the number of zones or projects: facts
(1), stored reviews (1), members (1 when a follow-up is due), one upsert per 500 reviews, and
for new follow-ups: claim (1), raise (5), link (1).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from devzone.access import Role
from investment import promise_scoring
from investment.models import (
    Project,
    ProjectStage,
    PromiseReview,
    SigningPromise,
    StageTransition,
    SupervisionItem,
    SupervisionSource,
)
from investment.services.supervision import raise_system_items
from zones.models import EnterpriseAnnual, Membership

if TYPE_CHECKING:
    from zones.recompute import StepContext

BATCH = 500
PRODUCING: tuple[str, ...] = (ProjectStage.IN_PRODUCTION, ProjectStage.FULL_CAPACITY)
REVIEW_FIELDS = ["period", "status", "months_in_production", "detail", "note", "reviewed_at"]


@dataclass
class Outcome:
    """What one review run did: reviews written, items raised, and the projects left without a
    follow-up for want of data or of an assignee."""

    reviewed: int = 0
    raised: list[int] = field(default_factory=list)  # item ids
    missing: list[int] = field(default_factory=list)  # project ids (status 数据缺失)
    unassigned: list[int] = field(default_factory=list)  # project ids due but not raised


def parameters_of(methodology) -> dict[str, Any]:
    """The ``promise`` section of ``methodology`` over the defaults."""
    return promise_scoring.merged_parameters(methodology.section("promise"))


# --- facts ---------------------------------------------------------------------------------


def _in_zones(queryset: QuerySet, lookup: str, zone_ids) -> QuerySet:
    return queryset if zone_ids is None else queryset.filter(**{f"{lookup}__in": list(zone_ids)})


def _project_rows(period: datetime.date, zone_ids) -> list[dict[str, Any]]:
    """One query: each producing project with promises and an enterprise, its production date,
    latest promise, enterprise land and the enterprise's latest annual figures before
    ``period``'s year."""
    money = DecimalField(max_digits=16, decimal_places=2)
    first_production = (
        StageTransition.objects.filter(project=OuterRef("pk"), to_stage__in=PRODUCING)
        .order_by("date", "pk")
        .values("date")[:1]
    )
    promise = SigningPromise.objects.filter(project=OuterRef("pk")).order_by("-created_at", "-pk")
    annual = (
        EnterpriseAnnual.objects.filter(
            enterprise_id=OuterRef("enterprise_id"), year__lte=period.year - 1
        )
        .filter(Q(output__isnull=False) | Q(tax__isnull=False))
        .order_by("-year")
    )
    return list(
        _in_zones(Project.objects.all(), "zone_id", zone_ids)
        .filter(stage__in=PRODUCING, enterprise__isnull=False)
        .filter(Exists(SigningPromise.objects.filter(project=OuterRef("pk"))))
        .annotate(
            production_since=Coalesce(Subquery(first_production), "stage_since"),
            promised_output=Subquery(promise.values("output_per_mu")[:1], output_field=money),
            promised_tax=Subquery(promise.values("tax_per_mu")[:1], output_field=money),
            annual_year=Subquery(annual.values("year")[:1]),
            annual_output=Subquery(annual.values("output")[:1], output_field=money),
            annual_tax=Subquery(annual.values("tax")[:1], output_field=money),
        )
        .order_by("pk")
        .values(
            "pk",
            "code",
            "name",
            "zone_id",
            "responsible_leader_id",
            "enterprise__name",
            "enterprise__land_area_mu",
            "production_since",
            "promised_output",
            "promised_tax",
            "annual_year",
            "annual_output",
            "annual_tax",
        )
    )


def fact_of(row: dict[str, Any]) -> promise_scoring.PromiseFact:
    return promise_scoring.PromiseFact(
        project_id=row["pk"],
        zone_id=row["zone_id"],
        in_production_since=row["production_since"],
        promised_output_per_mu=row["promised_output"],
        promised_tax_per_mu=row["promised_tax"],
        land_mu=row["enterprise__land_area_mu"],
        actual_year=row["annual_year"],
        actual_output=row["annual_output"],
        actual_tax=row["annual_tax"],
    )


def assignees_of(rows: list[dict[str, Any]]) -> dict[int, int | None]:
    """Who takes each project's follow-up: the zone's 一把手 (lowest user id), else the
    project's 责任领导 when an active member of the zone, else None. One query."""
    if not rows:
        return {}
    responsible = {r["responsible_leader_id"] for r in rows if r["responsible_leader_id"]}
    members = (
        Membership.objects.filter(zone_id__in={r["zone_id"] for r in rows}, user__is_active=True)
        .filter(Q(role=Role.ZONE_LEADER) | Q(user_id__in=responsible))
        .order_by("zone_id", "user_id")
        .values_list("zone_id", "user_id", "role")
    )
    leaders: dict[int, int] = {}
    in_zone: set[tuple[int, int]] = set()
    for zone_id, user_id, role in members:
        in_zone.add((zone_id, user_id))
        if role == Role.ZONE_LEADER:
            leaders.setdefault(zone_id, user_id)
    result: dict[int, int | None] = {}
    for row in rows:
        leader = leaders.get(row["zone_id"])
        fallback = row["responsible_leader_id"]
        if leader is None and fallback and (row["zone_id"], fallback) in in_zone:
            leader = fallback
        result[row["pk"]] = leader
    return result


# --- texts (stored in Chinese) -------------------------------------------------------------


def _figure(value: Decimal | None) -> str:
    return "—" if value is None else format(value.normalize(), "f")


def _percent(ratio: Decimal) -> str:
    return format((ratio * 100).normalize(), "f")


def _share(parameters: dict[str, Any]) -> str:
    return _percent(Decimal(str(parameters["min_share"])))


def missing_note(result: promise_scoring.PromiseResult) -> str:
    labels = {
        "promise": _("签约时未承诺亩均产值和亩均税收"),
        "production_date": _("无投产日期"),
        "land": _("落地企业用地面积缺失"),
        "annual": _("落地企业没有上一年度及以前的年度产值、税收数据"),
        "partial_year": _("落地企业最近的年度数据所在年份未全年投产"),
        "output": _("年度数据缺工业总产值"),
        "tax": _("年度数据缺实缴税收"),
    }
    return _("数据缺失：%(what)s。") % {"what": "；".join(labels[m] for m in result.missing)}


def _metric_line(label: str, promised, actual, ratio, short: bool, share: str) -> str:
    if promised is None or promised <= 0:
        return _("%(label)s：签约时未承诺。") % {"label": label}
    if ratio is None:
        return _("%(label)s：承诺%(promised)s万元/亩，实际数据缺失。") % {
            "label": label,
            "promised": _figure(promised),
        }
    line = _("%(label)s：承诺%(promised)s万元/亩，实际%(actual)s万元/亩，为承诺的%(ratio)s%%。") % {
        "label": label,
        "promised": _figure(promised),
        "actual": _figure(actual),
        "ratio": _percent(ratio),
    }
    if short:
        line += _("低于%(share)s%%。") % {"share": share}
    return line


def item_texts(
    row: dict[str, Any],
    result: promise_scoring.PromiseResult,
    as_of: datetime.date,
    parameters: dict[str, Any],
) -> tuple[str, str]:
    """The follow-up item's title and description."""
    share = _share(parameters)
    title = _("承诺兑现核查：%(project)s") % {"project": row["name"]}
    lines = [
        _("项目“%(name)s”（%(code)s）于%(since)s投产，截至%(as_of)s已投产%(months)s个月。")
        % {
            "name": row["name"],
            "code": row["code"],
            "since": row["production_since"].isoformat(),
            "as_of": as_of.isoformat(),
            "months": result.months_in_production,
        },
        _("签约承诺与落地企业“%(enterprise)s”%(year)s年实际数据（企业用地%(land)s亩）对比：")
        % {
            "enterprise": row["enterprise__name"],
            "year": result.actual_year,
            "land": _figure(row["enterprise__land_area_mu"]),
        },
        _metric_line(
            _("亩均产值"),
            result.promised_output_per_mu,
            result.actual_output_per_mu,
            result.output_ratio,
            result.output_shortfall,
            share,
        ),
        _metric_line(
            _("亩均税收"),
            result.promised_tax_per_mu,
            result.actual_tax_per_mu,
            result.tax_ratio,
            result.tax_shortfall,
            share,
        ),
        _("实际亩均产出低于签约承诺的%(share)s%%，请核查原因并反馈整改措施。") % {"share": share},
    ]
    return title[:200], "\n".join(lines)


# --- the review ----------------------------------------------------------------------------


@transaction.atomic
def review_promises(context: StepContext) -> Outcome:
    """Review the producing projects of ``context``'s zones as of its period's last day, store
    the reviews and raise the follow-ups due (see the module's docstring)."""
    period, as_of = context.period, context.period_end
    parameters = parameters_of(context.methodology)
    rows = _project_rows(period, context.zone_ids)
    by_project = {row["pk"]: row for row in rows}
    results = promise_scoring.review([fact_of(r) for r in rows], as_of, parameters)
    stored = {
        project_id: (stored_period, raised_at)
        for project_id, stored_period, raised_at in _in_zones(
            PromiseReview.objects.all(), "project__zone_id", context.zone_ids
        )
        .order_by()
        .values_list("project_id", "period", "raised_at")
    }
    # a run of an older month than the stored review leaves that review alone
    current = [r for r in results if stored.get(r.project_id, (period,))[0] <= period]
    due = [
        r
        for r in current
        if r.follow_up_due and (r.project_id not in stored or stored[r.project_id][1] is None)
    ]
    assignees = assignees_of([by_project[r.project_id] for r in due])
    outcome = Outcome()
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        reviews = []
        for result in current:
            note = ""
            if result.status == "missing":
                note = missing_note(result)
                outcome.missing.append(result.project_id)
            elif result.project_id in assignees and assignees[result.project_id] is None:
                note = _("未交办：开发区没有一把手，项目也没有本开发区的责任领导。")
                outcome.unassigned.append(result.project_id)
            reviews.append(
                PromiseReview(
                    project_id=result.project_id,
                    period=period,
                    status=result.status,
                    months_in_production=result.months_in_production,
                    detail=result.as_dict(),
                    note=note,
                    reviewed_at=now,
                )
            )
        for start in range(0, len(reviews), BATCH):
            PromiseReview.objects.bulk_create(
                reviews[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["project"],
                update_fields=REVIEW_FIELDS,
            )
        outcome.reviewed = len(reviews)
        outcome.raised = _raise_follow_ups(due, assignees, by_project, as_of, parameters, now)
    return outcome


def _raise_follow_ups(due, assignees, by_project, as_of, parameters, now) -> list[int]:
    """Claim the due reviews not raised yet (locked, so two runs never both raise) and raise
    one item each."""
    wanted = [r.project_id for r in due if assignees.get(r.project_id) is not None]
    if not wanted:
        return []
    claimed = dict(
        PromiseReview.objects.select_for_update()
        .filter(project_id__in=wanted, raised_at__isnull=True)
        .order_by("project_id")
        .values_list("project_id", "pk")
    )
    if not claimed:
        return []
    deadline = max(as_of, timezone.localdate()) + datetime.timedelta(
        days=parameters["deadline_days"]
    )
    items = []
    for result in due:
        if result.project_id not in claimed:
            continue
        row = by_project[result.project_id]
        title, description = item_texts(row, result, as_of, parameters)
        items.append(
            SupervisionItem(
                title=title,
                description=description,
                zone_id=row["zone_id"],
                project_id=row["pk"],
                assignee_id=assignees[row["pk"]],
                deadline=deadline,
                source=SupervisionSource.PROMISE,
            )
        )
    created = raise_system_items(items, note=_("承诺兑现核查：实际亩均产出低于签约承诺。"))
    PromiseReview.objects.bulk_update(
        [
            PromiseReview(pk=claimed[item.project_id], item_id=item.pk, raised_at=now)
            for item in created
        ],
        ["item", "raised_at"],
    )
    return [item.pk for item in created]


def recompute_step(context: StepContext) -> int:
    """The ``promises`` step of every recompute; returns the number of reviews written."""
    return review_promises(context).reviewed
