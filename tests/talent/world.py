"""Talent rows for the URL scoping walk (tests/test_url_scoping.py): one of each record type."""

from __future__ import annotations

import datetime
from decimal import Decimal

from talent.models import (
    Entrepreneur,
    ManagementCadre,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
)
from tests.factories import EnterpriseFactory
from zones.models import Enterprise

DAY = datetime.date(2024, 5, 1)


def make_rows(zone, base_pk: int, marker: str) -> list:
    enterprise = Enterprise.objects.filter(zone=zone).first() or EnterpriseFactory(
        pk=base_pk + 19, zone=zone, name=f"{marker}人才企业"
    )
    centre = TrainingCentre.objects.create(
        pk=base_pk + 3,
        zone=zone,
        name=f"{marker}培训中心",
        operator=f"{marker}职业学院",
        trades="焊工、电工",
        annual_capacity=300,
    )
    return [
        ManagementCadre.objects.create(
            pk=base_pk,
            zone=zone,
            name=f"{marker}干部",
            post=f"{marker}主任",
            education="master",
            appointed_on=DAY,
            training_hours=24,
        ),
        Entrepreneur.objects.create(
            pk=base_pk + 1,
            zone=zone,
            name=f"{marker}企业家",
            enterprise=enterprise,
            title="董事长",
            activity_year=2024,
            activities_attended=3,
        ),
        TalentTeam.objects.create(
            pk=base_pk + 2,
            zone=zone,
            name=f"{marker}团队",
            leader=f"{marker}带头人",
            field="新材料",
            size=8,
            host_enterprise=enterprise,
            introduced_on=DAY,
            guidance_fund=Decimal("500"),
            venture_capital=Decimal("1200"),
        ),
        centre,
        TrainingSession.objects.create(
            pk=base_pk + 4,
            zone=zone,
            centre=centre,
            trade=f"{marker}焊工",
            held_on=DAY,
            trainees=40,
            certificates=30,
        ),
        SpecialSkillsPlacement.objects.create(
            pk=base_pk + 5, zone=zone, name=f"{marker}技师", trade="钳工", year=2024
        ),
        SkillAward.objects.create(
            pk=base_pk + 6,
            zone=zone,
            name=f"{marker}获奖人",
            award=f"{marker}技能大赛奖",
            level="provincial",
            awarded_on=DAY,
            amount=Decimal("2"),
        ),
    ]
