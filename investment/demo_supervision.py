"""Demo supervision items (督查督办) in every colour and exemptions (容错免责), called by
investment.demo.load_app_demo after the projects exist."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.utils import timezone

from devzone.access import Role
from investment.models import (
    ACTIVE_STAGES,
    Exemption,
    Milestone,
    Project,
    StepKind,
    SupervisionItem,
    SupervisionStatus,
    SupervisionStep,
)
from zones.models import Membership, Zone

ZONE_STEPS = (StepKind.ACKNOWLEDGE, StepKind.START, StepKind.FEEDBACK)
STATUS_AFTER = {
    StepKind.ASSIGN: SupervisionStatus.ASSIGNED,
    StepKind.ACKNOWLEDGE: SupervisionStatus.ACKNOWLEDGED,
    StepKind.START: SupervisionStatus.IN_PROGRESS,
    StepKind.FEEDBACK: SupervisionStatus.FEEDBACK,
    StepKind.REVIEW: SupervisionStatus.UNDER_REVIEW,
    StepKind.RETURN: SupervisionStatus.IN_PROGRESS,
    StepKind.CLOSE: SupervisionStatus.CLOSED,
}
LOOP = (
    StepKind.ASSIGN,
    StepKind.ACKNOWLEDGE,
    StepKind.START,
    StepKind.FEEDBACK,
    StepKind.REVIEW,
    StepKind.CLOSE,
)
# (title, days from today to the deadline, status reached, times returned, an instruction's
#  start colour, raised by the city supervisor, on a project): open items of every colour and
#  closed full loops.
SUPERVISION_PLANS = (
    ("演示：加快项目用地报批", 20, SupervisionStatus.ACKNOWLEDGED, 0, "", True, True),
    ("演示：落实标准厂房交付", 2, SupervisionStatus.IN_PROGRESS, 0, "", True, True),
    ("演示：协调供电线路接入", -3, SupervisionStatus.IN_PROGRESS, 0, "", False, True),
    ("演示：推进停工项目复工", -15, SupervisionStatus.ASSIGNED, 0, "", False, True),
    ("演示：整改月报迟报问题", 10, SupervisionStatus.IN_PROGRESS, 1, "", True, False),
    ("演示：首位产业链招商攻坚", 25, SupervisionStatus.ACKNOWLEDGED, 0, "yellow", False, False),
    ("演示：重大项目开工清零", 12, SupervisionStatus.FEEDBACK, 0, "red", False, True),
    ("演示：签约项目资金到位", 5, SupervisionStatus.UNDER_REVIEW, 0, "", True, True),
    ("演示：清理批而未供土地", -40, SupervisionStatus.CLOSED, 0, "", True, False),
    ("演示：落实企业用工需求", -20, SupervisionStatus.CLOSED, 1, "", False, True),
    ("演示：完成园区环保督察整改", -60, SupervisionStatus.CLOSED, 0, "yellow", False, False),
)
INSTRUCTION_LEADERS = ("演示副省长", "演示市长", "演示市委书记")

BATCH = 2000


def _loop(final: str, returns: int) -> list[str]:
    """The steps that bring an item to ``final``, returned for rework ``returns`` times."""
    if not returns:
        return list(LOOP[: 1 + [STATUS_AFTER[k] for k in LOOP].index(final)])
    kinds = list(LOOP[:5]) + [StepKind.RETURN, StepKind.FEEDBACK, StepKind.REVIEW] * (returns - 1)
    kinds.append(StepKind.RETURN)  # reopened: back in 办理
    tail = {
        SupervisionStatus.IN_PROGRESS: [],
        SupervisionStatus.FEEDBACK: [StepKind.FEEDBACK],
        SupervisionStatus.UNDER_REVIEW: [StepKind.FEEDBACK, StepKind.REVIEW],
        SupervisionStatus.CLOSED: [StepKind.FEEDBACK, StepKind.REVIEW, StepKind.CLOSE],
    }
    return kinds + tail[final]


def _supervision_rows(rng, zone, projects, raisers, people, today, now):
    items, steps = [], []
    for n, (title, due, final, returns, colour, by_city, on_project) in enumerate(
        SUPERVISION_PLANS
    ):
        raiser = raisers["city"] if by_city and raisers.get("city") else raisers["supervisor"]
        assignee = people[n % len(people)]
        closed = final == SupervisionStatus.CLOSED
        created = now - datetime.timedelta(days=max(30, 30 - due) + rng.randint(0, 10))
        kinds = _loop(final, returns)
        span = (now - created).total_seconds()
        times = sorted(
            created + datetime.timedelta(seconds=span * (i / (len(kinds) + 1)))
            for i in range(len(kinds))
        )
        item = SupervisionItem(
            title=f"{title}（{zone.name[:6]}）",
            description=f"{title}：请按期办理并反馈办理情况。",
            zone_id=zone.pk,
            project_id=projects[n % len(projects)] if (on_project and projects) else None,
            deadline=today + datetime.timedelta(days=due),
            assignee_id=assignee,
            source="instruction" if colour else "ordinary",
            instruction_leader=rng.choice(INSTRUCTION_LEADERS) if colour else "",
            start_colour=colour,
            status=STATUS_AFTER[kinds[-1]],
            reopened_count=kinds.count(StepKind.RETURN),
            raised_by_id=raiser,
            created_at=times[0],
            closed_at=times[-1] if closed else None,
        )
        items.append(item)
        previous = ""
        for kind, at in zip(kinds, times, strict=True):
            zone_side = kind in ZONE_STEPS
            steps.append(
                SupervisionStep(
                    item=item,
                    kind=kind,
                    from_status=previous,
                    to_status=STATUS_AFTER[kind],
                    user_id=assignee if zone_side else raiser,
                    at=at,
                    note="演示：请补充佐证材料后重新反馈" if kind == StepKind.RETURN else "",
                    feedback="演示：已召开专题会议，明确责任人和完成时限。"
                    if kind == StepKind.FEEDBACK
                    else "",
                )
            )
            previous = STATUS_AFTER[kind]
    return items, steps


def load_supervision_demo(*, seed: int, log) -> dict[str, int]:
    """Supervision items (every colour, some from leaders' instructions, closed full loops) and
    exemptions (approved, rejected, pending) in the demo zones that have zone accounts: the 贵阳
    zone of ``leader``/``staff`` and the 遵义 zone of ``staff2``. Raised by ``supervisor`` and,
    in 贵阳, ``city``."""
    from django.contrib.auth import get_user_model

    users = dict(
        get_user_model()
        .objects.filter(username__in=["supervisor", "city"])
        .values_list("username", "pk")
    )
    counts = {"investment.supervision_items": 0, "investment.exemptions": 0}
    if "supervisor" not in users:
        return counts
    today, now = timezone.localdate(), timezone.now()
    people: dict[int, list[int]] = defaultdict(list)
    for zone_id, user_id in (
        Membership.objects.filter(zone__is_demo=True, role__in=[Role.ZONE_LEADER, Role.ZONE_STAFF])
        .order_by("role", "pk")
        .values_list("zone_id", "user_id")
    ):
        people[zone_id].append(user_id)
    items, steps, exemptions = [], [], []
    for zone in Zone.objects.filter(pk__in=list(people)).select_related("prefecture"):
        rng = random.Random(f"{seed}:supervision:{zone.code}")
        raisers = {"supervisor": users["supervisor"]}
        if zone.prefecture.code == "520100" and "city" in users:
            raisers["city"] = users["city"]
        projects = list(
            Project.objects.filter(zone=zone, stage__in=ACTIVE_STAGES)
            .order_by("pk")
            .values_list("pk", flat=True)[:20]
        )
        zone_items, zone_steps = _supervision_rows(
            rng, zone, projects, raisers, people[zone.pk], today, now
        )
        items += zone_items
        steps += zone_steps
        overdue = list(
            Milestone.objects.filter(project__zone=zone)
            .overdue(today)
            .order_by("pk")
            .values_list("pk", flat=True)[:3]
        )
        requester = people[zone.pk][-1]
        decider = raisers.get("city", raisers["supervisor"])
        for milestone_id, status in zip(overdue, ["approved", "rejected", "pending"], strict=False):
            decided = status != "pending"
            exemptions.append(
                Exemption(
                    zone_id=zone.pk,
                    milestone_id=milestone_id,
                    reason="演示：受极端天气影响，施工单位停工两周，节点顺延。",
                    evidence="演示：气象部门预警通知、监理停工令。",
                    status=status,
                    requested_by_id=requester,
                    requested_at=now - datetime.timedelta(days=12),
                    decided_by_id=decider if decided else None,
                    decided_at=now - datetime.timedelta(days=5) if decided else None,
                    decision_note=""
                    if not decided
                    else (
                        "演示：情况属实，予以免责。"
                        if status == "approved"
                        else "演示：理由不充分。"
                    ),
                )
            )
    SupervisionItem.objects.bulk_create(items, batch_size=BATCH)
    SupervisionStep.objects.bulk_create(steps, batch_size=BATCH)
    # a pending request for each overdue open item that is past its deadline by over a week
    for item in items:
        if item.status != SupervisionStatus.CLOSED and item.deadline < today - datetime.timedelta(
            days=7
        ):
            exemptions.append(
                Exemption(
                    zone_id=item.zone_id,
                    item=item,
                    reason="演示：涉及跨部门审批，非开发区可控因素导致逾期。",
                    evidence="演示：相关部门函件。",
                    requested_by_id=item.assignee_id,
                    requested_at=now - datetime.timedelta(days=2),
                )
            )
    Exemption.objects.bulk_create(exemptions, batch_size=BATCH)
    counts = {
        "investment.supervision_items": len(items),
        "investment.supervision_steps": len(steps),
        "investment.exemptions": len(exemptions),
    }
    log(f"investment: {len(items)} supervision items, {len(exemptions)} exemptions")
    return counts
