"""Per-zone counts for scoring (constant queries) and the coverage structure of one zone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from platforms.selectors import coverage, platform_counts_by_zone
from tests.factories import EnterpriseFactory, ZoneFactory
from tests.platforms.factories import PlatformFactory, ServiceRecordFactory, days_ago

pytestmark = pytest.mark.django_db


def populate(zone) -> None:
    """Two operating innovation platforms (one national), a professional midstream one serving
    the leading industry, a planning IUR one and a suspended basic one; services to 2 firms."""
    firms = EnterpriseFactory.create_batch(3, zone=zone)
    lab = PlatformFactory(zone=zone, kind="innovation", sub_kind="key_laboratory", level="national")
    PlatformFactory(zone=zone, kind="innovation", sub_kind="enterprise_tech_centre")
    testing = PlatformFactory(
        zone=zone, kind="professional", sub_kind="testing_inspection", serves_leading_industry=True
    )
    PlatformFactory(
        zone=zone, kind="iur", sub_kind="incubator", status="planning", level="national"
    )
    PlatformFactory(zone=zone, kind="basic", sub_kind="legal", status="suspended")
    ServiceRecordFactory(platform=lab, enterprise=firms[0], served_on=days_ago(10))
    ServiceRecordFactory(platform=testing, enterprise=firms[0], served_on=days_ago(20))
    ServiceRecordFactory(platform=testing, enterprise=firms[1], served_on=days_ago(300))
    ServiceRecordFactory(platform=testing, enterprise=firms[2], served_on=days_ago(400))


def test_counts_by_zone_count_what_scoring_needs(cast):
    populate(cast.zone_a)
    counts = platform_counts_by_zone([cast.zone_a.pk, cast.zone_b.pk])
    a = counts[cast.zone_a.pk]
    assert a["platforms"] == 5
    assert (a["operating"], a["planning"], a["suspended"]) == (3, 1, 1)
    assert a["by_kind"] == {"basic": 0, "professional": 1, "innovation": 2, "iur": 0}
    assert a["by_sub_kind"]["key_laboratory"] == 1
    assert a["by_sub_kind"]["incubator"] == 0  # planning is not counted as present
    assert a["national_innovation"] == 1
    assert a["segments"] == {"upstream": 0, "midstream": 1, "downstream": 0}
    assert (a["kinds_covered"], a["sub_kinds_covered"], a["segments_covered"]) == (2, 3, 1)
    assert a["service_records"] == 4
    assert a["service_records_12m"] == 3
    # firm 0 twice, firm 1 once in the window, firm 2 outside it: two distinct enterprises
    assert a["enterprises_served_12m"] == 2
    b = counts[cast.zone_b.pk]
    assert b["platforms"] == 0 and b["enterprises_served_12m"] == 0


def test_counts_by_zone_cost_the_same_queries_for_1_and_many_zones(cast):
    populate(cast.zone_a)
    with CaptureQueriesContext(connection) as one:
        platform_counts_by_zone([cast.zone_a.pk])
    zones = [ZoneFactory() for _ in range(20)]
    for zone in zones:
        populate(zone)
    with CaptureQueriesContext(connection) as many:
        result = platform_counts_by_zone([z.pk for z in zones] + [cast.zone_a.pk])
    assert len(one.captured_queries) == len(many.captured_queries) == 2  # platforms, services
    assert len(result) == 21
    with CaptureQueriesContext(connection) as everything:
        result = platform_counts_by_zone()
    assert len(everything.captured_queries) == 3  # plus the zone ids
    assert result[zones[-1].pk]["operating"] == 3


def test_coverage_shows_present_planning_and_missing_sub_kinds(cast):
    populate(cast.zone_a)
    cov = coverage(cast.zone_a)
    states = {s.code: s.state for k in cov.kinds for s in k.sub_kinds}
    assert len(states) == 26
    assert states["key_laboratory"] == "present"
    assert states["incubator"] == "planning"
    assert states["legal"] == "missing"  # the only legal platform is suspended
    assert states["logistics"] == "missing"
    assert [k.present for k in cov.kinds] == [0, 1, 2, 0]
    assert cov.kinds_present == 2
    assert [s.code for s in cov.missing_segments] == ["upstream", "downstream"]
    assert cov.segments[1].covered
    assert cov.zone_enterprises == 3
    assert cov.enterprises_served_12m == 2
    assert str(cov.share_served) == "66.7"
    reach = {r.platform.sub_kind: r for r in cov.reach}
    assert reach["testing_inspection"].enterprises_12m == 2  # the 400-day-old one is out
    assert reach["testing_inspection"].records_12m == 2
    assert reach["key_laboratory"].enterprises_12m == 1
    assert str(reach["key_laboratory"].share) == "33.3"


def test_a_professional_platform_not_serving_the_leading_industry_covers_no_segment(cast):
    PlatformFactory(zone=cast.zone_a, kind="professional", sub_kind="logistics")
    cov = coverage(cast.zone_a)
    assert not any(s.covered for s in cov.segments)
    assert {s.code: s.state for s in cov.kinds[1].sub_kinds}["logistics"] == "present"
