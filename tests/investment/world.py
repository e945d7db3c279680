"""Rows of the investment app in a foreign zone, for tests/test_url_scoping.py."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from investment.models import (
    Milestone,
    ProgressReport,
    Project,
    ProjectStage,
    StageTransition,
)


def make_rows(zone, base_pk: int, marker: str) -> list:
    """A signed project with its transition, an open milestone and last month's report."""
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
    return [project, transition, milestone, report]
