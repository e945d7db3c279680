"""Small builders of talent rows for the talent tests (unscoped, straight to the database)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from talent.models import SkillAward, TalentTeam, TrainingCentre, TrainingSession

DAY = datetime.date(2024, 3, 1)


def team(zone, **extra) -> TalentTeam:
    values = {"name": "演示团队", "leader": "王伟", "field": "新材料", "size": 8,
              "introduced_on": DAY, "guidance_fund": Decimal("500")}  # fmt: skip
    values.update(extra)
    return TalentTeam.objects.create(zone=zone, **values)


def centre(zone, **extra) -> TrainingCentre:
    values = {
        "name": "培训中心",
        "operator": "学院",
        "trades": "焊工、电工",
        "annual_capacity": 300,
    }
    values.update(extra)
    return TrainingCentre.objects.create(zone=zone, **values)


def session(zone, **extra) -> TrainingSession:
    values = {"trade": "焊工", "held_on": DAY, "trainees": 30, "certificates": 20}
    values.update(extra)
    return TrainingSession.objects.create(zone=zone, **values)


def award(zone, **extra) -> SkillAward:
    values = {"name": "李明", "award": "技能大赛奖", "level": "provincial", "awarded_on": DAY,
              "amount": Decimal("2")}  # fmt: skip
    values.update(extra)
    return SkillAward.objects.create(zone=zone, **values)
