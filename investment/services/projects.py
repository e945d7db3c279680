"""Projects and their stage lifecycle, plus the helpers the other service modules share."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from devzone import history
from devzone.access import ensure_in_scope
from devzone.models import ChangeRecord
from investment.models import (
    PIPELINE,
    STAGE_INDEX,
    OriginType,
    Project,
    ProjectCodeCounter,
    ProjectStage,
    SigningPromise,
    StageTransition,
)
from zones.models import Enterprise, Membership, Zone
from zones.services import facts_changed

PROJECT_FIELDS = (
    "zone",
    "name",
    "investor_name",
    "origin_type",
    "origin_province",
    "origin_city",
    "origin_country",
    "industry",
    "serves_leading_industry",
    "chain_position",
    "promotion_mode",
    "planned_investment",
    "planned_investment_this_year",
    "land_mu",
    "expected_annual_output",
    "expected_annual_tax",
    "expected_jobs",
    "responsible_leader",
    "lead",
    "blocking_problems",
    "coordination_requests",
    "enterprise",
)
MILESTONE_FIELDS = ("title", "planned_date", "actual_date", "owner", "status", "position", "note")
REPORT_FIELDS = (
    "investment_this_month",
    "investment_cumulative",
    "progress",
    "problems",
    "coordination",
)
PROMISE_FIELDS = (
    "investment",
    "output_per_mu",
    "tax_per_mu",
    "planned_start_date",
    "planned_production_date",
)
STAGE_LABELS = dict(ProjectStage.choices)


def _stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage or "—"))


def _require_zone(user, zone: Zone, action: str) -> None:
    if zone is None or not Zone.objects.for_user(user, action).filter(pk=zone.pk).exists():
        raise PermissionDenied(_("您无权在该开发区新增或修改招商项目。"))


def apply_fields(instance, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    for key, value in data.items():
        setattr(instance, key, value)


def check_zone_member(user_obj, zone_id: int, field: str, errors: dict) -> None:
    if user_obj is None:
        return
    if not Membership.objects.filter(user_id=user_obj.pk, zone_id=zone_id).exists():
        errors[field] = _("%(name)s 不是本开发区的人员，请选择本开发区的用户。") % {
            "name": user_obj.get_full_name() or user_obj.get_username()
        }


def _validate_project(project: Project) -> None:
    """Rules across fields, on top of the model's own validation."""
    errors: dict[str, str] = {}
    if project.origin_type == OriginType.DOMESTIC:
        if not project.origin_province_id:
            errors["origin_province"] = _("境内投资方须填写来源省份。")
        if project.origin_country:
            errors["origin_country"] = _("境内投资方不填写来源国家或地区。")
    else:
        if not project.origin_country:
            errors["origin_country"] = _("港澳台及境外投资方须填写来源国家或地区。")
        if project.origin_province_id:
            errors["origin_province"] = _("港澳台及境外投资方不填写来源省份。")
    total, this_year = project.planned_investment, project.planned_investment_this_year
    if total is not None and this_year is not None and this_year > total:
        errors["planned_investment_this_year"] = _("本年计划投资不能大于计划总投资。")
    if project.zone_id:
        check_zone_member(project.lead, project.zone_id, "lead", errors)
        check_zone_member(project.responsible_leader, project.zone_id, "responsible_leader", errors)
        if project.enterprise_id and project.enterprise.zone_id != project.zone_id:
            errors["enterprise"] = _("落地企业必须是本开发区的企业。")
    if errors:
        raise ValidationError(errors)


def _clean_project(project: Project) -> None:
    errors: dict[str, list] = {}
    try:
        project.full_clean(exclude=["code"], validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        _validate_project(project)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def next_project_code(zone: Zone, year: int) -> str:
    """``XM-<zone code>-<year>-<seq>``; call inside a transaction (the counter row is locked)."""
    counter, _created = ProjectCodeCounter.objects.select_for_update().get_or_create(
        zone=zone, year=year
    )
    ProjectCodeCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"XM-{zone.code}-{year}-{counter.last:04d}"


# --- projects ------------------------------------------------------------------------------


@transaction.atomic
def create_project(
    user,
    data: dict[str, Any],
    *,
    start_stage: str = ProjectStage.LEAD,
    start_date: datetime.date | None = None,
    note: str = "",
    promises: dict[str, Any] | None = None,
) -> Project:
    """Create a project in a zone the user may add to, with its first transition.

    A project entered at 签约 or later carries the signing promises like any signing does.
    """
    project = Project()
    apply_fields(project, data, PROJECT_FIELDS)
    _require_zone(user, project.zone, "add")
    if start_stage not in PIPELINE:
        raise ValidationError(
            {"start_stage": _("初始阶段无效：项目只能从线索至达产中的某一阶段开始。")}
        )
    start_date = start_date or timezone.localdate()
    try:
        _check_date(start_date, None)
    except ValidationError as error:
        raise ValidationError({"start_date": error.message_dict["date"]}) from error
    project.stage = start_stage
    project.stage_since = start_date
    _clean_project(project)
    promise_values = None
    if STAGE_INDEX[start_stage] >= STAGE_INDEX[ProjectStage.SIGNED]:
        promise_values = _clean_promises(promises)
    # Lock the zone row so two creations in one zone take numbers one after the other.
    Zone.objects.select_for_update().filter(pk=project.zone_id).exists()
    project.code = next_project_code(project.zone, timezone.localdate().year)
    project.save()
    first = StageTransition.objects.create(
        project=project, from_stage="", to_stage=start_stage, date=start_date, user=user, note=note
    )
    if promise_values is not None:
        SigningPromise.objects.create(project=project, transition=first, **promise_values)
    ensure_in_scope(project, user, "add")
    history.record(
        user,
        project,
        ChangeRecord.Action.CREATE,
        after=history.snapshot(project),
        zone_id=project.zone_id,
    )
    return project


@transaction.atomic
def update_project(user, project: Project, data: dict[str, Any]) -> Project:
    """Change a project's facts; its zone, code and stage are not changed here."""
    ensure_in_scope(project, user, "change")
    project.refresh_from_db()  # a form may have changed the instance already
    if "zone" in data and data["zone"] is not None and data["zone"].pk != project.zone_id:
        raise ValidationError({"zone": _("项目创建后不能更换所属开发区。")})
    data = {k: v for k, v in data.items() if k != "zone"}
    before = history.snapshot(project)
    apply_fields(project, data, PROJECT_FIELDS)
    _clean_project(project)
    project.save()
    ensure_in_scope(project, user, "change")
    history.record(
        user,
        project,
        ChangeRecord.Action.UPDATE,
        before=before,
        after=history.snapshot(project),
        zone_id=project.zone_id,
    )
    return project


@transaction.atomic
def delete_project(user, project: Project) -> None:
    """Delete a project the user may delete. A project that supervisors have raised items on
    stays: the items and any exemption requests are accountability records that a zone's own
    staff must not be able to erase (terminate the project instead)."""
    ensure_in_scope(project, user, "delete")
    if (
        project.supervision_items.exists()
        or project.milestones.filter(exemptions__isnull=False).exists()
    ):
        raise ValidationError(
            _("该项目已有督办事项或容错免责申请，不能删除；如项目不再推进，请将其终止。")
        )
    history.record(
        user,
        project,
        ChangeRecord.Action.DELETE,
        before=history.snapshot(project),
        zone_id=project.zone_id,
    )
    from investment.models import Evidence
    from investment.services.evidence import remove_files_after_commit

    remove_files_after_commit(
        Evidence.objects.filter(Q(milestone__project=project) | Q(report__project=project))
    )
    project.delete()


# --- the stage lifecycle --------------------------------------------------------------------


def _check_date(date: datetime.date | None, previous: datetime.date | None) -> None:
    if date is None:
        raise ValidationError({"date": _("请填写变更日期。")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("变更日期不能晚于今天。")})
    if previous is not None and date < previous:
        raise ValidationError(
            {
                "date": _("变更日期不能早于上一次阶段变更的日期（%(d)s）。")
                % {"d": previous.isoformat()}
            }
        )


def _clean_promises(promises: dict[str, Any] | None) -> dict[str, Any]:
    """The signing promises, complete and plausible, or a ValidationError naming each field."""
    promises = dict(promises or {})
    labels = {
        "investment": _("承诺投资"),
        "output_per_mu": _("承诺亩均产值"),
        "tax_per_mu": _("承诺亩均税收"),
        "planned_start_date": _("计划开工日期"),
        "planned_production_date": _("计划投产日期"),
    }
    errors: dict[str, str] = {}
    for name in PROMISE_FIELDS:
        value = promises.get(name)
        if value in (None, ""):
            errors[name] = _("签约须填写%(what)s。") % {"what": labels[name]}
        elif name in ("investment", "output_per_mu", "tax_per_mu") and Decimal(value) < 0:
            errors[name] = _("%(what)s不能为负数。") % {"what": labels[name]}
    start, production = promises.get("planned_start_date"), promises.get("planned_production_date")
    if not errors and production < start:
        errors["planned_production_date"] = _("计划投产日期不能早于计划开工日期。")
    if errors:
        raise ValidationError(errors)
    return {name: promises[name] for name in PROMISE_FIELDS}


@transaction.atomic
def transition(
    user,
    project: Project,
    to_stage: str,
    date: datetime.date | None,
    note: str = "",
    reason: str | None = None,
    promises: dict[str, Any] | None = None,
    enterprise: Enterprise | None = None,
) -> StageTransition:
    """Move a project to ``to_stage`` on ``date`` and record the move.

    Rules: the next stage of the pipeline needs no reason; a move backwards, a skip of stages,
    a termination (终止) and a reopening of a terminated project each need a reason. The date is
    not in the future and not before the previous move. Moving to 签约 records the promised
    figures (required); 注册 may link the enterprise the project became (of the same zone).
    """
    ensure_in_scope(project, user, "change")
    Project.objects.select_for_update().filter(pk=project.pk).exists()
    project.refresh_from_db()
    reason = (reason or "").strip()
    note = (note or "").strip()
    current = project.stage
    if to_stage not in STAGE_LABELS:
        raise ValidationError({"to_stage": _("目标阶段无效。")})
    if to_stage == current:
        raise ValidationError(
            {"to_stage": _("项目已处于“%(s)s”阶段。") % {"s": _stage_label(current)}}
        )
    last = project.transitions.order_by("-date", "-pk").first()
    _check_date(date, last.date if last else None)

    if current == ProjectStage.TERMINATED:
        if not reason:
            raise ValidationError({"reason": _("重新启动已终止的项目须填写原因。")})
    elif to_stage == ProjectStage.TERMINATED:
        if not reason:
            raise ValidationError({"reason": _("终止项目须填写终止原因。")})
    else:
        step = STAGE_INDEX[to_stage] - STAGE_INDEX[current]
        if step < 0 and not reason:
            raise ValidationError(
                {
                    "reason": _("从“%(a)s”退回到“%(b)s”须填写原因。")
                    % {"a": _stage_label(current), "b": _stage_label(to_stage)}
                }
            )
        if step > 1 and not reason:
            raise ValidationError(
                {
                    "reason": _("从“%(a)s”跨阶段直接进入“%(b)s”须填写原因。")
                    % {"a": _stage_label(current), "b": _stage_label(to_stage)}
                }
            )

    promise_values = None
    signed = STAGE_INDEX[ProjectStage.SIGNED]
    if to_stage == ProjectStage.SIGNED or (
        to_stage in STAGE_INDEX and STAGE_INDEX[to_stage] > signed and not project.promises.exists()
    ):
        promise_values = _clean_promises(promises)

    if enterprise is not None:
        if to_stage != ProjectStage.REGISTERED:
            raise ValidationError({"enterprise": _("只有进入“注册”阶段时才能关联落地企业。")})
        if enterprise.zone_id != project.zone_id:
            raise ValidationError({"enterprise": _("落地企业必须是本开发区的企业。")})

    before = history.snapshot(project)
    row = StageTransition(
        project=project,
        from_stage=current,
        to_stage=to_stage,
        date=date,
        user=user,
        note=note,
        reason=reason,
    )
    row.full_clean()
    row.save()
    if promise_values is not None:
        SigningPromise.objects.create(project=project, transition=row, **promise_values)
    project.stage = to_stage
    project.stage_since = date
    if to_stage == ProjectStage.TERMINATED:
        project.terminated_reason = reason
    elif current == ProjectStage.TERMINATED:
        project.terminated_reason = ""
    if enterprise is not None:
        project.enterprise = enterprise
    project.save()
    ensure_in_scope(project, user, "change")
    summary = _("阶段：%(a)s → %(b)s") % {"a": _stage_label(current), "b": _stage_label(to_stage)}
    history.record(
        user,
        project,
        ChangeRecord.Action.TRANSITION,
        before=before,
        after=history.snapshot(project),
        zone_id=project.zone_id,
        note="；".join(filter(None, [summary, reason, note])),
    )
    return row


def stage_durations(
    project: Project,
    transitions: list[StageTransition] | None = None,
    today: datetime.date | None = None,
) -> list[dict[str, Any]]:
    """Days spent in each stage, in the order first reached, derived from the transitions.

    The current stage counts up to ``today``; a stage visited twice adds both stays.
    """
    rows = transitions if transitions is not None else list(project.transitions.all())
    rows = sorted(rows, key=lambda t: (t.date, t.pk or 0))
    today = today or timezone.localdate()
    days: dict[str, int] = {}
    for current, following in zip(rows, [*rows[1:], None], strict=True):
        end = following.date if following is not None else today
        days[current.to_stage] = days.get(current.to_stage, 0) + max((end - current.date).days, 0)
    return [
        {"stage": stage, "label": _stage_label(stage), "days": n, "current": stage == project.stage}
        for stage, n in days.items()
    ]


def record_change(user, instance, action, before, project: Project, note: str = "") -> None:
    history.record(
        user,
        instance,
        action,
        before=before,
        after=history.snapshot(instance) if action != ChangeRecord.Action.DELETE else None,
        zone_id=project.zone_id,
        note=note,
    )
    # every project record's write passes here: the zone's scores follow (coalesced per zone)
    facts_changed(project.zone_id, reason="investment")
