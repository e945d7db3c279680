"""Milestones of a project's roadmap (路线图/时刻表) and their reschedules."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from devzone import history
from devzone.access import ensure_in_scope
from devzone.models import ChangeRecord
from investment.models import (
    Milestone,
    MilestoneReschedule,
    MilestoneStatus,
    Project,
)
from investment.services.projects import (
    MILESTONE_FIELDS,
    apply_fields,
    check_zone_member,
    record_change,
)


def _clean_milestone(milestone: Milestone) -> None:
    errors: dict[str, list] = {}
    try:
        milestone.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    extra: dict[str, str] = {}
    check_zone_member(milestone.owner, milestone.project.zone_id, "owner", extra)
    if milestone.status == MilestoneStatus.DONE and not milestone.actual_date:
        extra["actual_date"] = _("已完成的节点须填写实际完成日期。")
    if milestone.actual_date and milestone.status != MilestoneStatus.DONE:
        extra["status"] = _("填写了实际完成日期的节点，状态应为“已完成”。")
    for key, message in extra.items():
        errors.setdefault(key, []).append(message)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_milestone(user, project: Project, data: dict[str, Any]) -> Milestone:
    ensure_in_scope(project, user, "add")
    milestone = Milestone(project=project)
    apply_fields(milestone, data, MILESTONE_FIELDS)
    if milestone.actual_date and "status" not in data:
        milestone.status = MilestoneStatus.DONE
    _clean_milestone(milestone)
    milestone.save()
    ensure_in_scope(milestone, user, "add")
    record_change(user, milestone, ChangeRecord.Action.CREATE, None, project)
    return milestone


@transaction.atomic
def update_milestone(
    user, milestone: Milestone, data: dict[str, Any], *, reschedule_reason: str | None = None
) -> Milestone:
    """Change a milestone; a new planned date needs ``reschedule_reason`` and is kept as a
    ``MilestoneReschedule`` (old date, new date, reason, who, when)."""
    ensure_in_scope(milestone, user, "change")
    milestone.refresh_from_db()  # compare with the stored dates, not a form's edits
    before = history.snapshot(milestone)
    old_date = milestone.planned_date
    apply_fields(milestone, data, MILESTONE_FIELDS)
    reason = (reschedule_reason or "").strip()
    moved = milestone.planned_date != old_date
    if moved and not reason:
        raise ValidationError({"reschedule_reason": _("修改计划完成日期须填写调整原因。")})
    _clean_milestone(milestone)
    milestone.save()
    note = ""
    if moved:
        MilestoneReschedule.objects.create(
            milestone=milestone,
            old_date=old_date,
            new_date=milestone.planned_date,
            reason=reason,
            user=user,
        )
        note = _("调整计划日期 %(a)s → %(b)s，原因：%(r)s") % {
            "a": old_date.isoformat(),
            "b": milestone.planned_date.isoformat(),
            "r": reason,
        }
    ensure_in_scope(milestone, user, "change")
    record_change(user, milestone, ChangeRecord.Action.UPDATE, before, milestone.project, note)
    return milestone


def reschedule_milestone(
    user, milestone: Milestone, new_date: datetime.date, reason: str
) -> Milestone:
    if new_date is None:
        raise ValidationError({"planned_date": _("请填写新的计划完成日期。")})
    if new_date == milestone.planned_date:
        raise ValidationError({"planned_date": _("新的计划日期与原计划日期相同。")})
    return update_milestone(user, milestone, {"planned_date": new_date}, reschedule_reason=reason)


def complete_milestone(
    user, milestone: Milestone, actual_date: datetime.date | None, note: str = ""
) -> Milestone:
    if actual_date is None:
        raise ValidationError({"actual_date": _("请填写实际完成日期。")})
    data: dict[str, Any] = {"actual_date": actual_date, "status": MilestoneStatus.DONE}
    if note:
        data["note"] = "\n".join(filter(None, [milestone.note, note]))
    return update_milestone(user, milestone, data)


@transaction.atomic
def delete_milestone(user, milestone: Milestone) -> None:
    ensure_in_scope(milestone, user, "delete")
    record_change(
        user, milestone, ChangeRecord.Action.DELETE, history.snapshot(milestone), milestone.project
    )
    from investment.services.evidence import remove_files_after_commit

    remove_files_after_commit(milestone.evidence.all())
    milestone.delete()
