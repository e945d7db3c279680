"""The platforms section of the summary rows: each zone's platforms, coverage and services of a
month, as of its last day, written by the recompute step "platforms" in a fixed number of
queries.

The month is March 2025, long past, so the figures stand at 31 March 2025 and its twelve months
start on 31 March 2024 (``platforms.selectors.window_start``). Every record below says whether
it is counted and where."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from platforms.summary import empty_figures, recompute_step
from tests.factories import EnterpriseFactory, ZoneFactory, ensure_scoring_reference_data
from tests.platforms.factories import PlatformFactory, ServiceRecordFactory
from zones.methodology import active_methodology
from zones.models import Enterprise, ZoneSummary
from zones.recompute import StepContext, month_end, recompute

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2025, 3, 1)
AS_OF = datetime.date(2025, 3, 31)
AFTER = datetime.date(2025, 4, 2)
ENTERED = timezone.make_aware(datetime.datetime(2025, 1, 1, 10, 0))


def enterprise(zone, entered: datetime.datetime = ENTERED) -> Enterprise:
    """An enterprise of ``zone`` whose row was entered at ``entered`` (backdated)."""
    row = EnterpriseFactory(zone=zone)
    Enterprise.objects.filter(pk=row.pk).update(created_at=entered)
    return row


def serve(platform, company, day: datetime.date):
    return ServiceRecordFactory(platform=platform, enterprise=company, served_on=day)


@pytest.fixture
def zones(db):
    """Zone A with platforms and services before, in and after March 2025; zone B with one
    platform and service of its own; zone C with nothing."""
    ensure_scoring_reference_data()
    zone_a, zone_b, zone_c = ZoneFactory(), ZoneFactory(), ZoneFactory()

    basic = PlatformFactory(zone=zone_a, kind="basic", sub_kind="recruitment_training")
    PlatformFactory(zone=zone_a, kind="professional", sub_kind="testing_inspection",  # midstream
                    level="national", serves_leading_industry=True,
                    established_on=datetime.date(2025, 3, 10))  # fmt: skip
    lab = PlatformFactory(zone=zone_a, kind="innovation", sub_kind="key_laboratory",
                          level="national", established_on=datetime.date(2020, 1, 1))  # fmt: skip
    PlatformFactory(zone=zone_a, kind="professional", sub_kind="industrial_design",  # upstream
                    serves_leading_industry=False)  # fmt: skip
    PlatformFactory(zone=zone_a, kind="iur", sub_kind="incubator", status="planning")
    PlatformFactory(zone=zone_a, kind="basic", sub_kind="legal", status="suspended")
    PlatformFactory(zone=zone_a, kind="professional", sub_kind="logistics",  # established later
                    serves_leading_industry=True, established_on=AFTER)  # fmt: skip

    first, second, third, fourth = (enterprise(zone_a) for _ in range(4))
    enterprise(zone_a, entered=timezone.now())  # entered after the day: not among the 4
    serve(basic, first, datetime.date(2025, 3, 5))
    serve(basic, first, datetime.date(2025, 3, 20))
    serve(lab, second, datetime.date(2025, 2, 10))
    serve(basic, third, datetime.date(2024, 6, 1))
    serve(basic, fourth, datetime.date(2024, 3, 30))  # before the twelve months
    serve(lab, second, AFTER)  # after the day

    other = PlatformFactory(zone=zone_b, kind="innovation", sub_kind="key_laboratory")
    serve(other, enterprise(zone_b), datetime.date(2025, 3, 15))
    return zone_a, zone_b, zone_c


def stored(zone) -> dict:
    return ZoneSummary.objects.get(zone=zone, period=PERIOD, section="platforms").figures


def zone_a_figures() -> dict:
    figures = empty_figures(AS_OF)
    figures.update(
        {
            "platforms": 6,
            "operating": 4,
            "planning": 1,
            "suspended": 1,
            "national": 2,
            "national_innovation": 1,
            "serving_leading_industry": 1,
            "kinds_covered": 3,
            "sub_kinds_covered": 4,
            "segments_covered": 1,
            "service_records": 5,
            "service_records_month": 2,
            "service_records_year": 3,
            "service_records_12m": 4,
            "enterprises_served_month": 1,
            "enterprises_served_year": 2,
            "enterprises_served_12m": 3,
            "zone_enterprises": 4,
            "share_served_12m": 75.0,
            "share_served_year": 50.0,
        }
    )
    figures["by_kind"].update({"basic": 1, "professional": 2, "innovation": 1})
    figures["by_sub_kind"].update(
        {
            "recruitment_training": 1,
            "testing_inspection": 1,
            "key_laboratory": 1,
            "industrial_design": 1,
        }
    )
    figures["segments"]["midstream"] = 1
    return figures


def test_the_recompute_stores_each_zones_platforms_as_of_the_months_last_day(zones):
    zone_a = zones[0]

    run = recompute(PERIOD, zone_ids=[z.pk for z in zones], steps=["platforms"])

    figures = stored(zone_a)
    assert figures == zone_a_figures()
    assert (figures["as_of"], figures["since_12m"]) == ("2025-03-31", "2024-03-31")
    assert (figures["kinds_total"], figures["sub_kinds_total"], figures["segments_total"]) == (
        4,
        26,
        3,
    )
    assert ZoneSummary.objects.get(zone=zone_a, section="platforms").run_id == run.pk


def test_another_zones_platforms_and_services_stay_in_that_zone(zones):
    zone_b = zones[1]

    recompute(PERIOD, zone_ids=[z.pk for z in zones], steps=["platforms"])

    figures = stored(zone_b)
    assert (figures["platforms"], figures["by_kind"]["innovation"]) == (1, 1)
    assert (figures["service_records_month"], figures["enterprises_served_month"]) == (1, 1)
    assert (figures["zone_enterprises"], figures["share_served_12m"]) == (1, 100.0)


def test_a_zone_without_platforms_gets_a_row_of_zeros(zones):
    zone_c = zones[2]

    recompute(PERIOD, zone_ids=[zone_c.pk], steps=["platforms"])

    figures = stored(zone_c)
    assert figures == empty_figures(AS_OF)
    assert figures["platforms"] == figures["service_records"] == figures["zone_enterprises"] == 0
    assert not any(figures["by_kind"].values()) and not any(figures["segments"].values())
    assert figures["share_served_12m"] is None  # no enterprise: no share, as on the coverage page


def test_the_figures_are_plain_json(zones):
    recompute(PERIOD, zone_ids=[zones[0].pk], steps=["platforms"])

    figures = stored(zones[0])
    assert json.loads(json.dumps(figures)) == figures
    assert set(figures["segments"]) == {"upstream", "midstream", "downstream"}
    assert isinstance(figures["share_served_12m"], float)


def test_a_rerun_updates_the_zones_row_instead_of_adding_one(zones):
    zone_a = zones[0]
    first = recompute(PERIOD, zone_ids=[zone_a.pk], steps=["platforms"])
    PlatformFactory(zone=zone_a, kind="iur", sub_kind="joint_laboratory")

    second = recompute(PERIOD, zone_ids=[zone_a.pk], steps=["platforms"])

    rows = ZoneSummary.objects.filter(zone=zone_a, section="platforms")
    assert rows.count() == 1
    assert rows.get().run_id == second.pk != first.pk
    assert (stored(zone_a)["by_kind"]["iur"], stored(zone_a)["kinds_covered"]) == (1, 4)


def test_a_full_run_writes_every_zone_with_the_same_figures(zones):
    zone_a, zone_b, zone_c = zones

    recompute(PERIOD, steps=["platforms"])

    assert stored(zone_a) == zone_a_figures()
    assert stored(zone_c) == empty_figures(AS_OF)
    assert ZoneSummary.objects.filter(section="platforms", period=PERIOD).count() == 3


def step_context(zone_ids: list[int]) -> StepContext:
    return StepContext(PERIOD, month_end(PERIOD), active_methodology(), zone_ids, None)


def test_the_step_costs_the_same_queries_for_one_zone_and_for_many(zones):
    zone_c = zones[2]
    PlatformFactory(zone=zone_c)
    many = [ZoneFactory() for _ in range(6)]
    for zone in many:
        platforms = [
            PlatformFactory(zone=zone, kind="basic", sub_kind="legal"),
            PlatformFactory(
                zone=zone,
                kind="professional",
                sub_kind="logistics",
                serves_leading_industry=True,
                level="national",
            ),  # fmt: skip
            PlatformFactory(zone=zone, kind="iur", sub_kind="incubator", status="planning"),
        ]
        for platform in platforms:
            for day in (1, 10, 20):
                serve(platform, enterprise(zone), PERIOD.replace(day=day))
    single, six = step_context([zone_c.pk]), step_context([z.pk for z in many])

    with CaptureQueriesContext(connection) as one:
        assert recompute_step(single) == 1
    with CaptureQueriesContext(connection) as several:
        assert recompute_step(six) == 6

    # platforms, service records and enterprises, each grouped by zone, and the upsert
    assert len(one.captured_queries) == len(several.captured_queries) == 4
    figures = stored(many[0])
    assert (figures["operating"], figures["service_records_month"]) == (2, 9)
    assert figures["segments"]["downstream"] == 1
