"""talent_counts_by_zone: the per-zone counts the scoring reads, in a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talent.models import Entrepreneur, ManagementCadre, SpecialSkillsPlacement
from talent.selectors import COUNT_KEYS, EMPTY_COUNTS, talent_counts_by_zone, twelve_months_ago
from tests.factories import EnterpriseFactory, ZoneFactory
from tests.talent.helpers import award, centre, session, team

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 30)


def test_counts_per_zone_for_each_team(cast):
    zone = cast.zone_a
    ManagementCadre.objects.create(zone=zone, name="甲", post="主任", education="master",
                                   appointed_on=TODAY, training_hours=1)  # fmt: skip
    ManagementCadre.objects.create(zone=zone, name="乙", post="主任", education="master",
                                   appointed_on=TODAY, is_active=False)  # fmt: skip
    Entrepreneur.objects.create(zone=zone, name="丙", enterprise=EnterpriseFactory(zone=zone),
                                title="董事长", activity_year=2025)  # fmt: skip
    team(zone, size=7, serves_leading_industry=True)
    team(zone, size=3)
    training = centre(zone)
    session(zone, centre=training, held_on=TODAY, trainees=40, certificates=30)
    session(zone, held_on=datetime.date(2024, 7, 1), trainees=10, certificates=10)
    session(zone, held_on=datetime.date(2024, 6, 30), trainees=500, certificates=1)  # too old
    for status in ("applied", "selected", "completed", "withdrawn"):
        SpecialSkillsPlacement.objects.create(zone=zone, name="丁", trade="焊工", year=2025,
                                              status=status)  # fmt: skip
    award(zone)
    team(cast.zone_b)

    counts = talent_counts_by_zone(today=TODAY)
    assert counts[zone.pk] == {
        "cadres": 1,
        "entrepreneurs": 1,
        "teams": 2,
        "team_people": 10,
        "teams_leading_industry": 1,
        "centres": 1,
        "sessions_12m": 2,
        "trainees_12m": 50,
        "certificates_12m": 40,
        "special_skills": 2,
        "awards": 1,
    }
    assert counts[cast.zone_b.pk]["teams"] == 1
    assert cast.zone_a2.pk not in counts
    assert set(EMPTY_COUNTS) == set(COUNT_KEYS)
    only_b = talent_counts_by_zone([cast.zone_b.pk], today=TODAY)
    assert list(only_b) == [cast.zone_b.pk]


def test_the_twelve_months_start_the_day_after_the_same_day_last_year():
    assert twelve_months_ago(TODAY) == datetime.date(2024, 7, 1)
    assert twelve_months_ago(datetime.date(2024, 2, 29)) == datetime.date(2023, 3, 1)


def test_the_counts_cost_the_same_queries_for_one_zone_and_for_many(cast):
    team(cast.zone_a)
    with CaptureQueriesContext(connection) as one:
        talent_counts_by_zone([cast.zone_a.pk])
    zones = [ZoneFactory() for _ in range(30)]
    for zone in zones:
        team(zone)
        session(zone, held_on=TODAY)
        award(zone)
    with CaptureQueriesContext(connection) as many:
        counts = talent_counts_by_zone([z.pk for z in zones])
    assert len(one.captured_queries) == len(many.captured_queries) == 7
    assert len(counts) == 30
