"""Supervision items (督查督办) and exemptions (容错免责): every write, atomic and recorded.

Who may do what, in one place (``step_rules`` answers it for pages and buttons):

- raise an item: a user who may ``supervise`` the item's zone (city or provincial supervisor,
  administrator); the same users correct an open item (``update_item``: title, content,
  deadline with a reason, assignee, project of the zone); 承诺兑现核查 items are raised only by
  the system (``raise_system_items``, called by the recompute's ``promises`` step);
- 签收 / 办理 / 反馈: the zone's side — a user who may ``change`` in the zone (its leader and
  staff) or the item's assignee;
- 复核 / 退回 / 办结: a user who may ``supervise`` the zone;
- an exemption is requested by the zone's side (``add`` in the zone) and decided by a supervisor
  of the zone who is not the requester (an administrator included).

Nobody else; a step out of the loop's order is refused with a Chinese message naming the status.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devzone import audit, history
from devzone.access import ensure_in_scope, zone_allows
from devzone.models import AuditEvent, ChangeRecord
from investment.models import (
    Exemption,
    ExemptionStatus,
    Milestone,
    MilestoneStatus,
    Project,
    StepKind,
    SupervisionItem,
    SupervisionSource,
    SupervisionStatus,
    SupervisionStep,
    WarningColour,
)
from investment.services.projects import apply_fields, check_zone_member
from zones.models import Membership, Zone
from zones.services import facts_changed

ITEM_FIELDS = (
    "zone",
    "project",
    "title",
    "description",
    "deadline",
    "assignee",
    "source",
    "instruction_leader",
    "start_colour",
)
ITEM_EDIT_FIELDS = ("title", "description", "deadline", "assignee", "project")
EXEMPTION_FIELDS = ("milestone", "item", "reason", "evidence")

# Sources only the system raises (``raise_system_items``), never a user.
SYSTEM_SOURCES = frozenset({SupervisionSource.PROMISE})

ZONE_SIDE = "zone"
SUPERVISOR_SIDE = "supervisor"


@dataclass(frozen=True)
class StepRule:
    kind: str
    sources: frozenset[str]
    target: str
    side: str


STEP_RULES: dict[str, StepRule] = {
    StepKind.ACKNOWLEDGE: StepRule(
        StepKind.ACKNOWLEDGE,
        frozenset({SupervisionStatus.ASSIGNED}),
        SupervisionStatus.ACKNOWLEDGED,
        ZONE_SIDE,
    ),
    StepKind.START: StepRule(
        StepKind.START,
        frozenset({SupervisionStatus.ACKNOWLEDGED}),
        SupervisionStatus.IN_PROGRESS,
        ZONE_SIDE,
    ),
    StepKind.FEEDBACK: StepRule(
        StepKind.FEEDBACK,
        frozenset({SupervisionStatus.IN_PROGRESS}),
        SupervisionStatus.FEEDBACK,
        ZONE_SIDE,
    ),
    StepKind.REVIEW: StepRule(
        StepKind.REVIEW,
        frozenset({SupervisionStatus.FEEDBACK}),
        SupervisionStatus.UNDER_REVIEW,
        SUPERVISOR_SIDE,
    ),
    StepKind.RETURN: StepRule(
        StepKind.RETURN,
        frozenset({SupervisionStatus.UNDER_REVIEW}),
        SupervisionStatus.IN_PROGRESS,
        SUPERVISOR_SIDE,
    ),
    StepKind.CLOSE: StepRule(
        StepKind.CLOSE,
        frozenset({SupervisionStatus.UNDER_REVIEW}),
        SupervisionStatus.CLOSED,
        SUPERVISOR_SIDE,
    ),
}
STEP_LABELS = dict(StepKind.choices)
STATUS_LABELS = dict(SupervisionStatus.choices)


def _label(kind: str) -> str:
    return str(STEP_LABELS.get(kind, kind))


def _zone_of(item: SupervisionItem) -> Zone:
    return Zone.objects.select_related("prefecture").get(pk=item.zone_id)


def sides_of(user, item: SupervisionItem, zone: Zone | None = None) -> set[str]:
    """The sides of the loop ``user`` may act on for ``item`` (no query when ``zone`` is given
    with its prefecture)."""
    zone = zone or _zone_of(item)
    sides = set()
    if zone_allows(user, "change", zone) or (
        getattr(user, "pk", None) is not None and user.pk == item.assignee_id
    ):
        sides.add(ZONE_SIDE)
    if zone_allows(user, "supervise", zone):
        sides.add(SUPERVISOR_SIDE)
    return sides


def allowed_steps(user, item: SupervisionItem, zone: Zone | None = None) -> list[str]:
    """The steps ``user`` may take on ``item`` now, in loop order (for buttons)."""
    if item.status == SupervisionStatus.CLOSED:
        return []
    sides = sides_of(user, item, zone or getattr(item, "zone", None))
    return [
        kind
        for kind, rule in STEP_RULES.items()
        if item.status in rule.sources and rule.side in sides
    ]


def awaits_zone(item: SupervisionItem) -> bool:
    """The item waits for the zone's side (签收, 办理 or 反馈)."""
    return item.status in (
        SupervisionStatus.ASSIGNED,
        SupervisionStatus.ACKNOWLEDGED,
        SupervisionStatus.IN_PROGRESS,
    )


def _record(user, instance, action, before, zone_id: int, note: str = "") -> None:
    history.record(
        user,
        instance,
        action,
        before=before,
        after=history.snapshot(instance),
        zone_id=zone_id,
        note=note,
    )
    facts_changed(zone_id, reason="supervision")


def _require_supervise(user, zone: Zone | None) -> None:
    if zone is None or not Zone.objects.for_user(user, "supervise").filter(pk=zone.pk).exists():
        raise PermissionDenied(_("您无权对该开发区交办督办事项。"))


def _clean_item(item: SupervisionItem, *, new_deadline: bool) -> None:
    errors: dict[str, list] = {}
    try:
        item.full_clean(exclude=["raised_by"])
    except ValidationError as error:
        errors.update(error.message_dict)
    extra: dict[str, str] = {}
    if item.project_id and item.zone_id and item.project.zone_id != item.zone_id:
        extra["project"] = _("关联项目必须是该开发区的项目。")
    if item.assignee_id and item.zone_id:
        check_zone_member(item.assignee, item.zone_id, "assignee", extra)
    extra.update(_rule_errors(item, new_deadline=new_deadline))
    for key, message in extra.items():
        errors.setdefault(key, []).append(message)
    if errors:
        raise ValidationError(errors)


def _rule_errors(item: SupervisionItem, *, new_deadline: bool) -> dict[str, str]:
    """The rules across an item's own fields (no query)."""
    extra: dict[str, str] = {}
    if new_deadline and item.deadline and item.deadline < timezone.localdate():
        extra["deadline"] = _("办理时限不能早于今天。")
    if item.source == SupervisionSource.INSTRUCTION:
        if not (item.instruction_leader or "").strip():
            extra["instruction_leader"] = _("领导批示事项须填写批示领导。")
        if item.start_colour not in (WarningColour.YELLOW, WarningColour.RED):
            extra["start_colour"] = _("领导批示事项须选择起始预警等级（黄色或红色）。")
    else:
        if item.instruction_leader:
            extra["instruction_leader"] = _("日常督办事项不填写批示领导。")
        if item.start_colour:
            extra["start_colour"] = _("日常督办事项不设起始预警等级。")
    return extra


@transaction.atomic
def raise_item(user, data: dict[str, Any], note: str = "") -> SupervisionItem:
    """Raise (交办) an item in a zone the user may supervise; its first step is 交办."""
    data = dict(data)
    project: Project | None = data.get("project")
    if project is not None and data.get("zone") is None:
        data["zone"] = project.zone
    item = SupervisionItem(raised_by=user if getattr(user, "is_authenticated", False) else None)
    apply_fields(item, data, ITEM_FIELDS)
    _require_supervise(user, item.zone if item.zone_id else None)
    if (
        project is not None
        and not Project.objects.filter(pk=project.pk).for_user(user, "supervise").exists()
    ):
        raise ValidationError({"project": _("项目不存在或无权督办。")})
    if item.source in SYSTEM_SOURCES:
        raise ValidationError({"source": _("承诺兑现核查事项由系统自动交办，不能手工交办。")})
    item.title = (item.title or "").strip()
    item.instruction_leader = (item.instruction_leader or "").strip()
    _clean_item(item, new_deadline=True)
    item.save()
    SupervisionStep.objects.create(
        item=item,
        kind=StepKind.ASSIGN,
        from_status="",
        to_status=SupervisionStatus.ASSIGNED,
        user=item.raised_by,
        note=(note or "").strip(),
    )
    ensure_in_scope(item, user, "supervise")
    _record(user, item, ChangeRecord.Action.CREATE, None, item.zone_id, _("交办"))
    return item


@transaction.atomic
def raise_system_items(items: list[SupervisionItem], note: str = "") -> list[SupervisionItem]:
    """Raise (交办) items on the system's behalf: ``raised_by`` is empty and the first step
    交办 and the history row name no user (the history row's note says 交办（系统自动）).

    The rules of ``raise_item`` hold except who raises: each item is validated by the model
    (its foreign keys are checked by the database), its project is one of its zone's projects,
    its assignee a member of its zone and its deadline not before today; one invalid item
    refuses them all. Queries do not grow with the number of items: projects (1), members (1),
    items (1), steps (1), history (1).

    Raised from inside a recompute, so no recompute is requested: the items are due after the
    month being computed and the next run counts them.
    """
    if not items:
        return []
    project_zone = dict(
        Project.objects.filter(pk__in={i.project_id for i in items if i.project_id})
        .order_by()
        .values_list("pk", "zone_id")
    )
    members = set(
        Membership.objects.filter(
            user_id__in={i.assignee_id for i in items}, zone_id__in={i.zone_id for i in items}
        )
        .order_by()
        .values_list("zone_id", "user_id")
    )
    for item in items:
        item.raised_by = None
        item.title = (item.title or "").strip()
        errors: dict[str, list] = {}
        try:
            item.full_clean(exclude=["raised_by", "zone", "project", "assignee"])
        except ValidationError as error:
            errors.update(error.message_dict)
        extra = _rule_errors(item, new_deadline=True)
        if item.project_id and project_zone.get(item.project_id) != item.zone_id:
            extra["project"] = _("关联项目必须是该开发区的项目。")
        if (item.zone_id, item.assignee_id) not in members:
            extra["assignee"] = _("承办人须为本开发区的人员。")
        for key, message in extra.items():
            errors.setdefault(key, []).append(message)
        if errors:
            raise ValidationError(errors)
    created = SupervisionItem.objects.bulk_create(items)
    note = (note or "").strip()
    SupervisionStep.objects.bulk_create(
        SupervisionStep(
            item=item,
            kind=StepKind.ASSIGN,
            from_status="",
            to_status=SupervisionStatus.ASSIGNED,
            user=None,
            note=note,
        )
        for item in created
    )
    content_type = ContentType.objects.get_for_model(SupervisionItem)
    ChangeRecord.objects.bulk_create(
        ChangeRecord(
            content_type=content_type,
            object_id=item.pk,
            object_repr=str(item)[:200],
            zone_id=item.zone_id,
            action=ChangeRecord.Action.CREATE,
            user=None,
            changes=history.diff(None, history.snapshot(item)),
            note=_("交办（系统自动）"),
        )
        for item in created
    )
    return created


@transaction.atomic
def update_item(
    user, item: SupervisionItem, data: dict[str, Any], reason: str = ""
) -> SupervisionItem:
    """Correct an open item after it was raised: its title, content, deadline, assignee or
    project. Only a user who may ``supervise`` the item's zone (the rule for raising it) and
    only before 办结; the zone stays the same, the assignee is a member of the zone and the
    project one of its projects.

    A new deadline needs ``reason`` and is not before today; the history row keeps the old
    and the new deadline with the reason as its note. The warning colour follows from the new
    deadline by itself (it is derived, never stored).
    """
    ensure_in_scope(item, user, "view")
    SupervisionItem.objects.select_for_update().filter(pk=item.pk).exists()
    item.refresh_from_db()  # compare with the stored values, not a form's edits
    zone = _zone_of(item)
    if not zone_allows(user, "supervise", zone):
        raise PermissionDenied(_("只有有权督查该开发区的督查人员才能修改督办事项。"))
    if item.is_closed:
        raise ValidationError({"status": _("督办事项已办结，不能修改。")})
    data = dict(data)
    if "zone" in data:
        new_zone = data.pop("zone")
        if new_zone is not None and getattr(new_zone, "pk", new_zone) != item.zone_id:
            raise ValidationError({"zone": _("督办事项交办后不能更换开发区。")})
    project: Project | None = data.get("project")
    if project is not None and (
        project.zone_id != item.zone_id
        or not Project.objects.filter(pk=project.pk).for_user(user, "supervise").exists()
    ):
        raise ValidationError({"project": _("关联项目必须是该开发区的项目。")})
    before = history.snapshot(item)
    old_deadline = item.deadline
    apply_fields(item, data, ITEM_EDIT_FIELDS)
    item.title = (item.title or "").strip()
    moved = item.deadline != old_deadline
    reason = (reason or "").strip()
    if moved and not reason:
        raise ValidationError({"reason": _("修改办理时限须填写调整原因。")})
    _clean_item(item, new_deadline=moved)
    item.save()
    ensure_in_scope(item, user, "supervise")
    note = ""
    if moved:
        note = _("调整办理时限 %(a)s → %(b)s，原因：%(r)s") % {
            "a": old_deadline.isoformat(),
            "b": item.deadline.isoformat(),
            "r": reason,
        }
    _record(user, item, ChangeRecord.Action.UPDATE, before, item.zone_id, note)
    return item


@transaction.atomic
def supervision_step(
    user, item: SupervisionItem, kind: str, note: str = "", feedback: str = ""
) -> SupervisionStep:
    """Take one step of the loop on ``item``, if the order and the user's side allow it.

    反馈 needs the feedback text; 退回 needs a note saying what to rework and counts the item
    as reopened (it turns red); 办结 records the closing time.
    """
    ensure_in_scope(item, user, "view")
    SupervisionItem.objects.select_for_update().filter(pk=item.pk).exists()
    item.refresh_from_db()
    note, feedback = (note or "").strip(), (feedback or "").strip()
    rule = STEP_RULES.get(kind)
    if rule is None:
        raise ValidationError({"step": _("办理环节无效。")})
    if rule.side not in sides_of(user, item):
        if rule.side == SUPERVISOR_SIDE:
            raise PermissionDenied(
                _("只有有权督查该开发区的督查人员才能%(step)s。") % {"step": _label(kind)}
            )
        raise PermissionDenied(
            _("只有该开发区的负责人、工作人员或承办人才能%(step)s。") % {"step": _label(kind)}
        )
    if item.status not in rule.sources:
        raise ValidationError(
            {
                "step": _("督办事项当前为“%(status)s”，不能%(step)s。")
                % {"status": STATUS_LABELS[item.status], "step": _label(kind)}
            }
        )
    if kind == StepKind.FEEDBACK and not feedback:
        raise ValidationError({"feedback": _("反馈须填写办理情况。")})
    if kind == StepKind.RETURN and not note:
        raise ValidationError({"note": _("退回须填写退回原因及整改要求。")})
    before = history.snapshot(item)
    step = SupervisionStep.objects.create(
        item=item,
        kind=kind,
        from_status=item.status,
        to_status=rule.target,
        user=user,
        note=note,
        feedback=feedback,
    )
    item.status = rule.target
    if kind == StepKind.RETURN:
        item.reopened_count += 1
    if kind == StepKind.CLOSE:
        item.closed_at = step.at
    item.save()
    ensure_in_scope(item, user, "view")
    summary = _("%(step)s：%(a)s → %(b)s") % {
        "step": _label(kind),
        "a": STATUS_LABELS[step.from_status],
        "b": STATUS_LABELS[step.to_status],
    }
    _record(
        user,
        item,
        ChangeRecord.Action.TRANSITION,
        before,
        item.zone_id,
        "；".join(filter(None, [summary, note, feedback])),
    )
    return step


# --- exemptions (容错免责) ------------------------------------------------------------------


def milestone_missed(milestone: Milestone, today: datetime.date | None = None) -> bool:
    """Overdue now, or completed after its planned date."""
    today = today or timezone.localdate()
    if milestone.status == MilestoneStatus.DONE:
        return bool(milestone.actual_date) and milestone.actual_date > milestone.planned_date
    return milestone.planned_date < today


@transaction.atomic
def request_exemption(user, data: dict[str, Any]) -> Exemption:
    """The zone asks to exempt one missed milestone or overdue item, with a reason."""
    data = dict(data)
    milestone: Milestone | None = data.get("milestone")
    item: SupervisionItem | None = data.get("item")
    if (milestone is None) == (item is None):
        raise ValidationError(
            {"milestone": _("容错免责申请须针对一个逾期节点或一个逾期督办事项。")}
        )
    target = milestone if milestone is not None else item
    field = "milestone" if milestone is not None else "item"
    if not type(target).objects.filter(pk=target.pk).for_user(user, "add").exists():
        raise PermissionDenied(_("只有该开发区的负责人或工作人员才能申请容错免责。"))
    target.refresh_from_db()
    if milestone is not None:
        zone_id = milestone.project.zone_id
        if not milestone_missed(milestone):
            raise ValidationError({"milestone": _("只能对已逾期的节点申请容错免责。")})
    else:
        zone_id = item.zone_id
        if not item.is_overdue:
            raise ValidationError({"item": _("只能对已逾期的督办事项申请容错免责。")})
    open_requests = Exemption.objects.filter(
        **{field: target}, status__in=[ExemptionStatus.PENDING, ExemptionStatus.APPROVED]
    )
    if open_requests.exists():
        raise ValidationError({field: _("该事项已有待审核或已批准的容错免责申请。")})
    exemption = Exemption(zone_id=zone_id, requested_by=user)
    apply_fields(exemption, data, EXEMPTION_FIELDS)
    exemption.reason = (exemption.reason or "").strip()
    exemption.evidence = (exemption.evidence or "").strip()
    try:
        exemption.full_clean(exclude=["requested_by", "zone"], validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    exemption.save()
    ensure_in_scope(exemption, user, "add")
    _record(user, exemption, ChangeRecord.Action.CREATE, None, zone_id)
    return exemption


@transaction.atomic
def decide_exemption(user, exemption: Exemption, approve: bool, note: str = "") -> Exemption:
    """A supervisor of the zone approves or rejects a pending request; never the requester."""
    ensure_in_scope(exemption, user, "view")
    Exemption.objects.select_for_update().filter(pk=exemption.pk).exists()
    exemption.refresh_from_db()
    if not Exemption.objects.filter(pk=exemption.pk).for_user(user, "supervise").exists():
        raise PermissionDenied(_("只有有权督查该开发区的督查人员才能审核容错免责申请。"))
    if exemption.requested_by_id is not None and exemption.requested_by_id == user.pk:
        raise PermissionDenied(_("申请人不能审核本人提出的容错免责申请。"))
    if exemption.status != ExemptionStatus.PENDING:
        done = exemption.get_status_display()
        raise ValidationError(
            {"decision": _("该申请已审核（%(s)s），不能重复审核。") % {"s": done}}
        )
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("驳回须填写审核意见。")})
    before = history.snapshot(exemption)
    exemption.status = ExemptionStatus.APPROVED if approve else ExemptionStatus.REJECTED
    exemption.decided_by = user
    exemption.decided_at = timezone.now()
    exemption.decision_note = note
    exemption.save()
    _record(
        user,
        exemption,
        ChangeRecord.Action.TRANSITION,
        before,
        exemption.zone_id,
        "；".join(filter(None, [exemption.get_status_display(), note])),
    )
    audit.log(
        AuditEvent.Kind.DECISION,
        user=user,
        summary=f"{exemption.get_status_display()}: {exemption}"[:300],
        detail={"exemption": exemption.pk, "zone": exemption.zone_id, "approve": approve},
    )
    return exemption
