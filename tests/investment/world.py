"""Rows of the investment app in a foreign zone, for tests/test_url_scoping.py."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from investment.models import (
    AccountabilityScore,
    Evidence,
    Exemption,
    Milestone,
    ProgressReport,
    Project,
    ProjectStage,
    StageTransition,
    StepKind,
    SubjectKind,
    SupervisionItem,
    SupervisionStatus,
    SupervisionStep,
)
from zones.models import Membership, Methodology


def make_rows(zone, base_pk: int, marker: str) -> list:
    """A signed project with its transition, an open milestone and last month's report; an
    overdue supervision item on the project with its first step, and an exemption request for
    it (pks base_pk+4..6), the zone's score of last month naming the milestone and the item
    (base_pk+7); an evidence file on the milestone and one on the exemption (pks
    base_pk+17..18, their bytes stored under a fixed name in MEDIA_ROOT, overwritten each run)."""
    today = timezone.localdate()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    project = Project.objects.create(
        pk=base_pk,
        code=f"XM-{zone.code}-W-{base_pk}",
        name=f"{marker}项目",
        zone=zone,
        investor_name=f"{marker}投资方",
        planned_investment=Decimal("1000"),
        planned_investment_this_year=Decimal("100"),
        stage=ProjectStage.SIGNED,
        stage_since=today - datetime.timedelta(days=30),
    )
    transition = StageTransition.objects.create(
        pk=base_pk + 1,
        project=project,
        to_stage=ProjectStage.SIGNED,
        date=today - datetime.timedelta(days=30),
        note=marker,
    )
    milestone = Milestone.objects.create(
        pk=base_pk + 2,
        project=project,
        title=f"{marker}节点",
        planned_date=today + datetime.timedelta(days=30),
    )
    report = ProgressReport.objects.create(
        pk=base_pk + 3,
        project=project,
        year=year,
        month=month,
        investment_this_month=Decimal("10"),
        investment_cumulative=Decimal("10"),
        progress=f"{marker}进展",
    )
    assignee = Membership.objects.filter(zone=zone).order_by("pk").first().user
    item = SupervisionItem.objects.create(
        pk=base_pk + 4,
        title=f"{marker}督办事项",
        description=f"{marker}督办内容",
        zone=zone,
        project=project,
        deadline=today - datetime.timedelta(days=2),
        assignee=assignee,
    )
    step = SupervisionStep.objects.create(
        pk=base_pk + 5,
        item=item,
        kind=StepKind.ASSIGN,
        to_status=SupervisionStatus.ASSIGNED,
        note=marker,
    )
    exemption = Exemption.objects.create(
        pk=base_pk + 6, zone=zone, item=item, reason=f"{marker}免责理由", requested_by=assignee
    )
    evidence = [
        _evidence(base_pk + 17, zone, marker, milestone=milestone),
        _evidence(base_pk + 18, zone, marker, exemption=exemption),
    ]
    score = AccountabilityScore.objects.create(
        pk=base_pk + 7,
        subject_kind=SubjectKind.ZONE,
        subject_key=f"zone:{zone.pk}",
        zone=zone,
        prefecture=zone.prefecture,
        period=datetime.date(year, month, 1),
        methodology=Methodology.objects.get(is_active=True),
        score=Decimal("55.00"),
        colour="red",
        components={
            "milestones_on_time": {
                "code": "milestones_on_time",
                "score": "0",
                "missing": False,
                "weight": "0.25",
                "ids": {"on_time": [], "late": [milestone.pk], "exempted": []},
                "figures": {"due": 1, "on_time": 0, "late": 1},
            },
            "items_closed_on_time": {
                "code": "items_closed_on_time",
                "score": "0",
                "missing": False,
                "weight": "0.25",
                "ids": {"on_time": [], "late": [item.pk], "red": [], "exempted": []},
                "figures": {"due": 1},
            },
        },
    )
    return [project, transition, milestone, report, item, step, exemption, score, *evidence]


def _evidence(pk: int, zone, marker: str, **target) -> Evidence:
    content = b"%PDF-1.4\n%" + marker.encode() + b"\ntrailer\n<<>>\n%%EOF\n"
    storage = Evidence._meta.get_field("file").storage
    name = f"evidence/world/{pk}.pdf"
    storage.delete(name)
    storage.save(name, ContentFile(content))
    return Evidence.objects.create(
        pk=pk,
        zone=zone,
        file=name,
        original_name=f"{marker}佐证.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        description=marker,
        **target,
    )
