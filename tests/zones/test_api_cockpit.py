"""GET /api/v1/cockpit/: the provincial cockpit's figures as JSON.

The figures are those of the rows a real recompute stores for a month three months back; a
few stored stages are set by hand so the stage distribution has more than one bar. Only
provincial roles and administrators may read it; parameters are checked (400 on a bad one).
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from investment.models import ProjectStage
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, UserFactory, ZoneFactory, guizhou, prefecture
from tests.investment.helpers import make_project
from zones.models import Stage, Zone, ZoneScore, ZoneSummary, ZoneType
from zones.recompute import month_end, recompute

pytestmark = pytest.mark.django_db

URL = "/api/v1/cockpit/"


def months_back(n: int) -> datetime.date:
    day = timezone.localdate().replace(day=1)
    for _ in range(n):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


def period() -> datetime.date:
    return months_back(3)


def previous() -> datetime.date:
    return months_back(4)


@pytest.fixture
def world(cast):
    """Zone A: a signed and a started project; zone B: a signed one; A2 nothing. Both months
    recomputed, then this month's stages set to 聚链 (A) and 聚集中 (A2, B)."""
    make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED)
    make_project(cast.staff_b, cast.zone_b, stage=ProjectStage.SIGNED)
    recompute(previous())
    recompute(period())
    ZoneScore.objects.filter(period=period()).update(stage=Stage.AGGLOMERATING)
    ZoneScore.objects.filter(period=period(), zone=cast.zone_a).update(stage=Stage.CHAIN)
    return cast


def cockpit(api, query: str = "", status: int = 200) -> dict:
    response = api.get(f"{URL}{query}")
    assert response.status_code == status, (query, response.content)
    return response.json()


def stored_projects(zones, month: datetime.date | None = None) -> int:
    rows = ZoneSummary.objects.filter(period=month or period(), section="pipeline", zone__in=zones)
    return sum(
        n for row in rows for stage, n in row.figures["stages"].items() if stage != "terminated"
    )


def test_provincial_roles_and_administrators_read_the_cockpit(world, api_for):
    for user in (world.province, world.supervisor, world.admin):
        body = cockpit(api_for(user))
        assert body["period"] == f"{period():%Y-%m}", user
        assert body["headline"]["zones"] == 3


def test_every_other_role_gets_403(world, api_for):
    for user in (
        world.city,
        world.leader_a,
        world.staff_a,
        world.viewer_a,
        world.staff_b,
        world.outsider,
    ):
        body = cockpit(api_for(user), status=403)
        assert "headline" not in body, user
        cockpit(api_for(user), f"?prefecture={world.zone_a.prefecture.code}", status=403)


def test_an_anonymous_request_is_refused(world):
    response = APIClient().get(URL)
    assert response.status_code == 403  # session auth first: no WWW-Authenticate, so 403
    assert "headline" not in response.json()


def test_the_figures_are_those_of_the_stored_rows(world, api_for):
    body = cockpit(api_for(world.province))
    zones = [world.zone_a, world.zone_a2, world.zone_b]
    assert body["headline"]["zones"] == Zone.objects.count() == 3
    assert body["headline"]["projects"] == stored_projects(zones) == 3
    by_stage = {r["stage"]: r["n"] for r in body["headline"]["projects_by_stage"]}
    assert (by_stage["signed"], by_stage["started"]) == (2, 1)
    counts = Counter(ZoneScore.objects.filter(period=period()).values_list("stage", flat=True))
    assert {r["stage"]: r["n"] for r in body["stages"]} == {
        code: counts.get(code, 0) for code, _label in Stage.choices
    }
    assert counts == {Stage.CHAIN: 1, Stage.AGGLOMERATING: 2}
    prefectures = [(r["name"], r["zones"]) for r in body["by_region"]]
    assert prefectures == [("贵阳市", 2), ("遵义市", 1)]
    assert body["as_of"] == f"{month_end(period()):%Y-%m-%d}"
    computed = max(ZoneScore.objects.filter(period=period()).values_list("computed_at", flat=True))
    assert datetime.datetime.fromisoformat(body["computed_at"]) == computed
    assert body["stale"] is False


def test_the_prefecture_type_and_period_parameters_narrow_the_figures(world, api_for):
    Zone.objects.filter(pk=world.zone_b.pk).update(type=ZoneType.HIGH_TECH)
    api = api_for(world.province)
    zunyi = cockpit(api, f"?prefecture={world.zone_b.prefecture.code}")
    assert zunyi["headline"]["zones"] == 1
    assert zunyi["headline"]["projects"] == stored_projects([world.zone_b]) == 1
    assert [r["name"] for r in zunyi["by_region"]] == ["遵义市"]
    assert sum(r["n"] for r in zunyi["stages"]) == 1

    high_tech = cockpit(api, f"?type={ZoneType.HIGH_TECH}")
    assert high_tech["headline"]["zones"] == 1
    assert {r["value"]: r["n"] for r in high_tech["by_type"]}[ZoneType.HIGH_TECH] == 1
    none = cockpit(api, f"?type={ZoneType.HIGH_TECH}&prefecture={world.zone_a.prefecture.code}")
    assert none["headline"]["zones"] == 0 and none["headline"]["projects"] == 0

    older = cockpit(api, f"?period={previous():%Y-%m}")
    assert older["period"] == f"{previous():%Y-%m}"
    assert older["as_of"] == f"{month_end(previous()):%Y-%m-%d}"
    # last month's stored stages, not this month's hand-set ones
    counts = Counter(ZoneScore.objects.filter(period=previous()).values_list("stage", flat=True))
    assert {r["stage"]: r["n"] for r in older["stages"] if r["n"]} == dict(counts)


@pytest.mark.parametrize(
    "query, field",
    [
        ("?period=2025-13", "period"),
        ("?period=garbage", "period"),
        ("?period=2001-01", "period"),  # well formed, but no results for that month
        ("?prefecture=000000", "prefecture"),
        ("?type=no_such_type", "type"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(world, api_for, query, field):
    body = cockpit(api_for(world.province), query, status=400)
    assert field in body


def test_stale_scores_are_flagged(world, api_for, settings):
    settings.DEVZONE_SCORES_STALE_HOURS = 36
    ZoneScore.objects.filter(zone=world.zone_b).update(
        computed_at=timezone.now() - datetime.timedelta(hours=37)
    )
    api = api_for(world.province)
    assert cockpit(api)["stale"] is True
    assert cockpit(api, f"?prefecture={world.zone_a.prefecture.code}")["stale"] is False
    assert cockpit(api, f"?period={previous():%Y-%m}")["stale"] is False


def test_the_cockpit_api_is_read_only(world, api_for):
    api = api_for(world.admin)
    before = list(ZoneSummary.objects.values_list("pk", "figures"))
    assert api.post(URL, {}, format="json").status_code == 405
    assert api.delete(URL).status_code == 405
    assert list(ZoneSummary.objects.values_list("pk", "figures")) == before


# --- query counts -----------------------------------------------------------------------------


def add_zones(n: int, start: int) -> list[Zone]:
    names = ("贵阳市", "遵义市", "安顺市")
    zones = []
    for i in range(start, start + n):
        zone = ZoneFactory(prefecture=prefecture(names[i % 3]), latest_output=Decimal(5000 * i))
        if i % 4 == 0:
            staff = UserFactory(username=f"t_qstaff_{i}", password=PASSWORD)
            MembershipFactory(user=staff, role="zone_staff", zone=zone)
            make_project(staff, zone, stage=ProjectStage.SIGNED)
        zones.append(zone)
    return zones


def count_queries(api, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_the_api_costs_the_same_queries_for_2_and_20_zones():
    """Scope, periods, zones, methodology, scores, summaries, accountability rows and latest
    period (8); a prefecture parameter adds its lookup by code (9)."""
    leader = UserFactory(username="t_q_province", password=PASSWORD)
    MembershipFactory(user=leader, role="provincial_leader", province=guizhou())

    def api() -> APIClient:  # a fresh user each time: the scope is cached on the user object
        client = APIClient()
        client.force_authenticate(user=type(leader).objects.get(pk=leader.pk))
        return client

    first = add_zones(2, 0)
    recompute(period())
    urls = (URL, f"{URL}?prefecture={first[0].prefecture.code}&type={ZoneType.ECONOMIC}")
    small = [count_queries(api(), url) for url in urls]
    add_zones(18, 2)
    recompute(period())
    assert Zone.objects.count() == 20
    assert cockpit(api())["headline"]["zones"] == 20
    large = [count_queries(api(), url) for url in urls]
    assert large == small
    assert max(small) <= 15
