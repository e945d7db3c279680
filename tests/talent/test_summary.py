"""The talent section of the summary rows: each zone's talent figures of a month, as of its last
day, written by the recompute step "talent" in a fixed number of queries.

The month is March 2025, long past, so the figures stand at 31 March 2025 and its twelve months
start on 1 April 2024. Every record below says whether it is counted and where."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from talent.models import (
    Entrepreneur,
    ManagementCadre,
    SpecialSkillsPlacement,
    TrainingCentre,
)
from talent.summary import empty_figures, recompute_step
from tests.factories import EnterpriseFactory, ZoneFactory, ensure_scoring_reference_data
from tests.talent.helpers import award, centre, session, team
from zones.methodology import active_methodology
from zones.models import ZoneSummary
from zones.recompute import StepContext, month_end, recompute

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2025, 3, 1)
AS_OF = datetime.date(2025, 3, 31)
AFTER = datetime.date(2025, 4, 1)


def entered_at(record, day: datetime.date, hour: int = 10, minute: int = 0) -> None:
    """Backdate the row's ``created_at`` (auto_now_add) to ``day`` at local ``hour:minute``."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
    type(record).objects.filter(pk=record.pk).update(created_at=moment)


def cadre(zone, appointed_on: datetime.date, **extra) -> ManagementCadre:
    return ManagementCadre.objects.create(zone=zone, name="张三", post="主任", education="master",
                                          appointed_on=appointed_on, **extra)  # fmt: skip


def entrepreneur(zone, year: int, activities: int = 0) -> Entrepreneur:
    return Entrepreneur.objects.create(zone=zone, name="李四", title="董事长", activity_year=year,
                                       activities_attended=activities,
                                       enterprise=EnterpriseFactory(zone=zone))  # fmt: skip


def placement(zone, year: int, status: str) -> SpecialSkillsPlacement:
    return SpecialSkillsPlacement.objects.create(zone=zone, name="王五", trade="焊工", year=year,
                                                 status=status)  # fmt: skip


@pytest.fixture
def zones(db):
    """Zone A with records before, in and after March 2025; zone B with a few of its own; zone
    C with none."""
    ensure_scoring_reference_data()
    zone_a, zone_b, zone_c = ZoneFactory(), ZoneFactory(), ZoneFactory()

    cadre(zone_a, datetime.date(2025, 3, 10))
    cadre(zone_a, datetime.date(2020, 1, 1))
    cadre(zone_a, datetime.date(2020, 1, 1), is_active=False)  # left: not counted
    cadre(zone_a, AFTER)  # appointed after the day

    entrepreneur(zone_a, 2025, activities=3)
    entrepreneur(zone_a, 2024, activities=5)
    entrepreneur(zone_a, 2026, activities=9)  # a later year

    team(zone_a, size=7, introduced_on=datetime.date(2025, 3, 5), serves_leading_industry=True,
         guidance_fund=Decimal("500.50"), venture_capital=Decimal("1200.25"))  # fmt: skip
    team(zone_a, size=3, introduced_on=datetime.date(2025, 1, 20), guidance_fund=Decimal("100"))
    team(zone_a, size=5, introduced_on=datetime.date(2023, 6, 1), guidance_fund=Decimal("0"))
    team(zone_a, size=40, introduced_on=AFTER, guidance_fund=Decimal("9000"))

    entered_at(centre(zone_a, annual_capacity=300), AS_OF, hour=23, minute=30)  # local day
    entered_at(centre(zone_a, annual_capacity=900), AFTER, hour=0, minute=30)  # next local day

    session(zone_a, held_on=datetime.date(2025, 3, 15), trainees=40, certificates=30)
    session(zone_a, held_on=datetime.date(2025, 2, 1), trainees=10, certificates=8)
    session(zone_a, held_on=datetime.date(2024, 12, 1), trainees=20, certificates=15)
    session(zone_a, held_on=datetime.date(2024, 3, 31), trainees=500, certificates=1)  # > 12m
    session(zone_a, held_on=AFTER, trainees=99, certificates=99)

    placement(zone_a, 2025, "selected")
    placement(zone_a, 2024, "completed")
    placement(zone_a, 2025, "applied")
    placement(zone_a, 2025, "withdrawn")
    placement(zone_a, 2026, "selected")

    award(zone_a, awarded_on=AS_OF, amount=Decimal("2"))
    award(zone_a, awarded_on=datetime.date(2025, 1, 1), amount=Decimal("1.5"))
    award(zone_a, awarded_on=datetime.date(2024, 6, 1), amount=Decimal("10"))
    award(zone_a, awarded_on=AFTER, amount=Decimal("50"))

    team(zone_b, size=4, introduced_on=datetime.date(2025, 3, 2))
    session(zone_b, held_on=datetime.date(2025, 3, 20), trainees=12, certificates=6)
    return zone_a, zone_b, zone_c


def stored(zone) -> dict:
    return ZoneSummary.objects.get(zone=zone, period=PERIOD, section="talent").figures


ZONE_A = {
    "as_of": "2025-03-31",
    "since_12m": "2024-04-01",
    "cadres": 2,
    "entrepreneurs": 2,
    "entrepreneurs_year": 1,
    "entrepreneur_activities_year": 3,
    "teams": 3,
    "team_people": 15,
    "teams_leading_industry": 1,
    "teams_introduced_month": 1,
    "teams_introduced_year": 2,
    "guidance_fund_wan": 600.5,
    "venture_capital_wan": 1200.25,
    "team_funding_wan": 1800.75,
    "centres": 1,
    "centre_capacity": 300,
    "sessions_month": 1,
    "trainees_month": 40,
    "certificates_month": 30,
    "sessions_year": 2,
    "trainees_year": 50,
    "certificates_year": 38,
    "sessions_12m": 3,
    "trainees_12m": 70,
    "certificates_12m": 53,
    "special_skills": 2,
    "special_skills_year": 1,
    "awards": 3,
    "awards_month": 1,
    "awards_year": 2,
    "award_amount_year_wan": 3.5,
}


def test_the_recompute_stores_each_zones_talent_as_of_the_months_last_day(zones):
    zone_a, zone_b, zone_c = zones

    run = recompute(PERIOD, zone_ids=[z.pk for z in zones], steps=["talent"])

    assert stored(zone_a) == ZONE_A
    assert ZoneSummary.objects.get(zone=zone_a, section="talent").run_id == run.pk


def test_another_zones_records_stay_in_that_zone(zones):
    zone_a, zone_b, zone_c = zones

    recompute(PERIOD, zone_ids=[z.pk for z in zones], steps=["talent"])

    figures = stored(zone_b)
    assert (figures["teams"], figures["team_people"], figures["teams_introduced_month"]) == (
        1,
        4,
        1,
    )
    assert (figures["sessions_month"], figures["trainees_month"]) == (1, 12)
    assert figures["cadres"] == figures["awards"] == figures["centres"] == 0


def test_a_zone_without_records_gets_a_row_of_zeros(zones):
    zone_c = zones[2]

    recompute(PERIOD, zone_ids=[zone_c.pk], steps=["talent"])

    figures = stored(zone_c)
    assert figures == empty_figures(AS_OF)
    numbers = [v for k, v in figures.items() if k not in ("as_of", "since_12m")]
    assert len(numbers) == 29 and not any(numbers)


def test_the_figures_are_plain_json_with_money_as_floats(zones):
    recompute(PERIOD, zone_ids=[zones[0].pk], steps=["talent"])

    figures = stored(zones[0])
    assert json.loads(json.dumps(figures)) == figures
    assert isinstance(figures["guidance_fund_wan"], float)
    assert isinstance(figures["trainees_year"], int)


def test_a_rerun_updates_the_zones_row_instead_of_adding_one(zones):
    zone_a = zones[0]
    first = recompute(PERIOD, zone_ids=[zone_a.pk], steps=["talent"])
    session(zone_a, held_on=datetime.date(2025, 3, 3), trainees=5, certificates=5)

    second = recompute(PERIOD, zone_ids=[zone_a.pk], steps=["talent"])

    rows = ZoneSummary.objects.filter(zone=zone_a, section="talent")
    assert rows.count() == 1
    assert rows.get().run_id == second.pk != first.pk
    assert (stored(zone_a)["sessions_month"], stored(zone_a)["trainees_month"]) == (2, 45)


def test_a_full_run_writes_every_zone_with_the_same_figures(zones):
    zone_a, zone_b, zone_c = zones

    recompute(PERIOD, steps=["talent"])

    assert stored(zone_a) == ZONE_A
    assert stored(zone_c) == empty_figures(AS_OF)
    assert ZoneSummary.objects.filter(section="talent", period=PERIOD).count() == 3


def test_a_training_centre_counts_from_the_local_day_it_was_entered(zones):
    zone_c = zones[2]
    late = centre(zone_c)
    entered_at(late, AS_OF, hour=7, minute=59)  # 23:59 UTC on the 30th, 07:59 local on the 31st

    recompute(PERIOD, zone_ids=[zone_c.pk], steps=["talent"])

    assert TrainingCentre.objects.get(pk=late.pk).created_at.date() == datetime.date(2025, 3, 30)
    assert stored(zone_c)["centres"] == 1


def step_context(zone_ids: list[int]) -> StepContext:
    return StepContext(PERIOD, month_end(PERIOD), active_methodology(), zone_ids, None)


def test_the_step_costs_the_same_queries_for_one_zone_and_for_many(zones):
    zone_c = zones[2]
    team(zone_c, introduced_on=PERIOD)
    many = [ZoneFactory() for _ in range(6)]
    for zone in many:
        for day in (1, 10, 20):
            team(zone, introduced_on=PERIOD.replace(day=day))
            session(zone, held_on=PERIOD.replace(day=day))
            award(zone, awarded_on=PERIOD.replace(day=day))
            cadre(zone, PERIOD.replace(day=day))
            entrepreneur(zone, 2025)
            placement(zone, 2025, "selected")
            centre(zone)

    single, six = step_context([zone_c.pk]), step_context([z.pk for z in many])

    with CaptureQueriesContext(connection) as one:
        assert recompute_step(single) == 1
    with CaptureQueriesContext(connection) as several:
        assert recompute_step(six) == 6

    # one GROUP BY zone per record type (cadres, entrepreneurs, teams, centres, sessions,
    # special skills, awards) and the upsert
    assert len(one.captured_queries) == len(several.captured_queries) == 8
    assert stored(many[0])["teams"] == 3 and stored(many[0])["awards_month"] == 3
