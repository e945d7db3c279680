"""Small builders for the investment tests: real services, the shared cast."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from investment import services
from investment.models import ProjectStage

PROMISES = {
    "investment": Decimal("50000"),
    "output_per_mu": Decimal("300"),
    "tax_per_mu": Decimal("20"),
    "planned_start_date": datetime.date(2026, 1, 1),
    "planned_production_date": datetime.date(2026, 12, 1),
}


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def project_data(zone, **extra) -> dict:
    from zones.models import Province

    data = {
        "zone": zone,
        "name": "测试新能源电池项目",
        "investor_name": "测试投资有限公司",
        "origin_type": "domestic",
        "origin_province": Province.objects.get(code="440000"),
        "origin_city": "深圳市",
        "promotion_mode": "specialised",
        "planned_investment": Decimal("50000"),
        "planned_investment_this_year": Decimal("10000"),
    }
    data.update(extra)
    return data


def make_project(user, zone, *, stage: str = ProjectStage.LEAD, start: int = 400, **extra):
    """A project created by ``user`` at ``start`` days ago, moved step by step to ``stage``."""
    project = services.create_project(user, project_data(zone, **extra), start_date=days_ago(start))
    pipeline = [
        ProjectStage.NEGOTIATING,
        ProjectStage.SIGNED,
        ProjectStage.REGISTERED,
        ProjectStage.STARTED,
        ProjectStage.IN_PRODUCTION,
        ProjectStage.FULL_CAPACITY,
    ]
    if stage == ProjectStage.LEAD:
        return project
    day = start
    for step in pipeline:
        day -= 10
        services.transition(
            user,
            project,
            step,
            days_ago(day),
            promises=PROMISES if step == ProjectStage.SIGNED else None,
        )
        if step == stage:
            break
    project.refresh_from_db()
    return project
