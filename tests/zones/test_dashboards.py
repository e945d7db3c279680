"""The dashboards as plain data (``zones.dashboards``): the overview of a set of zones (the
provincial cockpit and the prefecture dashboard) and one zone's dashboard.

They read only the rows the recompute keeps, so most tests write those rows directly with known
figures — ``ZoneScore`` (stage, quality, scale, quadrant, capacities), ``ZoneSummary`` (the
"pipeline" section, shaped by ``investment.summary.empty_figures``) and ``AccountabilityScore``
— and check what the dashboards make of them. One test runs the real recompute first."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from devzone.access import get_scope
from investment.models import AccountabilityScore, ProjectStage
from investment.summary import empty_figures
from tests.factories import (
    MembershipFactory,
    UserFactory,
    ZoneFactory,
    ensure_scoring_reference_data,
    prefecture,
)
from tests.investment.helpers import PROMISES, project_data
from zones.dashboards import overview, zone_dashboard
from zones.methodology import active_methodology
from zones.models import (
    Methodology,
    Prefecture,
    Province,
    Zone,
    ZoneLevel,
    ZoneScore,
    ZoneSummary,
    ZoneType,
)
from zones.recompute import month_end, recompute

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD = D(2025, 6, 1)
PIPELINE_NONE = [0, 0, 0, 0, 0, 0, 0]


@pytest.fixture
def methodology(db, settings) -> Methodology:
    ensure_scoring_reference_data()
    settings.DEVZONE_SCORES_STALE_HOURS = 36
    return active_methodology()


def months_back(period: datetime.date, n: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 - n
    return D(index // 12, index % 12 + 1, 1)


def score(
    zone,
    *,
    period: datetime.date = PERIOD,
    stage: str = "core",
    quality: str | None = "60",
    scale: str | None = "100000",
    quadrant: str | None = None,
    capacities: dict[str, str] | None = None,
    computed_at: datetime.datetime | None = None,
    methodology: Methodology | None = None,
) -> ZoneScore:
    """A ZoneScore as the recompute stores it (capacities as decimal strings)."""
    return ZoneScore.objects.create(
        zone=zone,
        period=period,
        methodology=methodology or active_methodology(),
        stage=stage,
        quality=None if quality is None else Decimal(quality),
        scale=None if scale is None else Decimal(scale),
        quadrant=quadrant,
        capacities=capacities or {},
        computed_at=computed_at or timezone.now(),
    )


def summary(zone, *, period: datetime.date = PERIOD, **figures: Any) -> ZoneSummary:
    """The zone's pipeline row: every key of an empty month, nested dicts merged."""
    doc = empty_figures(month_end(period))
    for key, value in figures.items():
        doc[key] = {**doc[key], **value} if isinstance(doc[key], dict) else value
    return ZoneSummary.objects.create(zone=zone, period=period, section="pipeline", figures=doc)


def accountability(
    kind: str,
    *,
    subject_id: int,
    period: datetime.date = PERIOD,
    value: str | None = "80",
    movement: str | None = None,
    colour: str = "green",
    zone=None,
    pref=None,
    user=None,
    rank: int | None = None,
    based_on: list | None = None,
) -> AccountabilityScore:
    return AccountabilityScore.objects.create(
        subject_kind=kind,
        subject_key=f"{kind}:{subject_id}",
        user=user,
        zone=zone,
        prefecture=pref or (zone.prefecture if zone is not None else None),
        period=period,
        methodology=active_methodology(),
        score=None if value is None else Decimal(value),
        colour=colour if value is not None else "",
        movement=None if movement is None else Decimal(movement),
        rank=rank,
        based_on=based_on or [],
    )


def zone_row(zone) -> AccountabilityScore:
    return accountability("zone", subject_id=zone.pk, zone=zone)


def set_output(zone, wanyuan: int | None, tier: str | None) -> None:
    Zone.objects.filter(pk=zone.pk).update(latest_output=wanyuan, output_tier=tier)


def only(*zones) -> Any:
    return Zone.objects.filter(pk__in=[z.pk for z in zones])


def fresh(user):
    """The same user without the scope cached on the object (as a new request has)."""
    return get_user_model().objects.get(pk=user.pk)


# --- the headline -------------------------------------------------------------------------


def test_the_headline_adds_up_the_zones_pipeline_summaries(cast, methodology):
    Zone.objects.filter(pk=cast.zone_b.pk).update(level=ZoneLevel.NATIONAL)
    set_output(cast.zone_a, 1_500_000, "100-200")
    set_output(cast.zone_b, 500_000, "50-100")
    summary(
        cast.zone_a,
        stages={"lead": 2, "signed": 3, "terminated": 1},
        year={"signed": 2, "started": 1, "in_production": 1},
        month={"signed": 1},
        signed_investment_year=30000.0,
        plan_this_year=20000.0,
        completed_this_year=5000.0,
        milestones_overdue={"red": 1, "yellow": 2},
        items_open={"red": 1, "blue": 2, "none": 1},
    )
    summary(
        cast.zone_b,
        stages={"negotiating": 4, "started": 1, "terminated": 5},
        year={"signed": 1},
        signed_investment_year=20000.0,
        plan_this_year=30000.0,
        completed_this_year=10000.0,
        milestones_overdue={"red": 2},
        items_open={"yellow": 1, "none": 3},
    )

    data = overview(
        cast.province, period=PERIOD, zones=only(cast.zone_a, cast.zone_a2, cast.zone_b)
    )

    headline = data["headline"]
    assert headline["zones"] == 3 and headline["national"] == 1
    assert headline["summarised_zones"] == 2  # zone A2 has no row
    assert headline["output_yi"] == 200.0
    assert headline["projects"] == 10  # 终止 is not in the pipeline
    assert {r["stage"]: r["n"] for r in headline["projects_by_stage"]} == {
        "lead": 2,
        "negotiating": 4,
        "signed": 3,
        "registered": 0,
        "started": 1,
        "in_production": 0,
        "full_capacity": 0,
        "terminated": 6,
    }
    assert headline["projects_by_stage"][0]["label"] == "线索"
    assert (headline["signed_year"], headline["signed_month"]) == (3, 1)
    assert (headline["started_year"], headline["produced_year"]) == (1, 1)
    assert headline["signed_investment_yi"] == 5.0
    assert (headline["plan_yi"], headline["completed_yi"]) == (5.0, 1.5)
    assert headline["completed_rate"] == 30.0
    assert headline["overdue"] == {"red": 3, "yellow": 2}
    assert headline["items_open"] == {"red": 1, "yellow": 1, "blue": 2, "none": 4}
    assert headline["items_open_total"] == 8
    listed = {z["code"]: z for z in data["zones"]}
    assert (listed["TZ-A"]["projects"], listed["TZ-A"]["signed_year"]) == (5, 2)
    assert (listed["TZ-B"]["overdue_red"], listed["TZ-B"]["items_red"]) == (2, 0)
    assert listed["TZ-A2"]["projects"] == 0 and listed["TZ-A2"]["output_yi"] is None


def test_zones_without_summaries_give_a_headline_of_zeros(cast, methodology):
    """A zone added since the last recompute, or a type filter that leaves no zone: the
    cockpit's 逾期节点 tile reads "0 / 0", not an empty pair."""
    for zones in (only(cast.zone_a), Zone.objects.none()):
        headline = overview(cast.province, period=PERIOD, zones=zones)["headline"]

        assert headline["projects"] == 0 and headline["summarised_zones"] == 0
        assert headline["completed_rate"] is None and headline["items_open_total"] == 0
        assert headline["overdue"] == {"red": 0, "yellow": 0}


def test_the_real_recompute_feeds_the_overview(cast, methodology):
    from investment import services

    services.create_project(
        cast.staff_a,
        project_data(cast.zone_a, planned_investment=Decimal(20000)),
        start_stage=ProjectStage.SIGNED,
        start_date=D(2025, 5, 20),
        promises=PROMISES,
    )
    row = services.create_project(cast.staff_a, project_data(cast.zone_a), start_date=D(2025, 1, 2))
    services.transition(cast.staff_a, row, ProjectStage.NEGOTIATING, D(2025, 6, 3))
    services.transition(cast.staff_a, row, ProjectStage.SIGNED, D(2025, 6, 9), promises=PROMISES)

    recompute(PERIOD, steps=["summary"])

    data = overview(cast.province, period=PERIOD, zones=Zone.objects.for_user(cast.province))
    assert data["headline"]["projects"] == 2
    # the project entered at 签约 in May was signed this year too
    assert (data["headline"]["signed_year"], data["headline"]["signed_month"]) == (2, 1)
    assert data["headline"]["summarised_zones"] == 3
    assert data["freshness"]["missing"] is False
    assert data["freshness"]["as_of"] == D(2025, 6, 30)
    assert sum(r["n"] for r in data["stages"]) == 3


# --- distributions ------------------------------------------------------------------------


def test_the_stage_distribution_is_the_zones_scores_and_unscored_zones_are_未评价(
    cast, methodology
):
    network = ZoneFactory()
    score(cast.zone_a, stage="core")
    score(cast.zone_b, stage="core")
    score(network, stage="network")
    other = Methodology.objects.create(version="test-other", name="另一版本")
    score(cast.zone_a2, stage="network", methodology=other)  # not the active version
    score(cast.zone_a2, stage="chain", period=months_back(PERIOD, 1))  # not the period

    data = overview(
        cast.province, period=PERIOD, zones=only(cast.zone_a, cast.zone_a2, cast.zone_b, network)
    )

    assert [(r["stage"], r["n"]) for r in data["stages"]] == [
        ("agglomerating", 0),
        ("agglomerated", 0),
        ("core", 2),
        ("chain", 0),
        ("network", 1),
        ("", 1),
    ]
    assert data["stages"][-1]["label"] == "未评价"
    assert data["stages"][2]["label"] == "聚核"


def test_a_distribution_without_unscored_zones_has_no_未评价_row(cast, methodology):
    score(cast.zone_a, stage="chain")

    data = overview(cast.province, period=PERIOD, zones=only(cast.zone_a))

    assert [r["stage"] for r in data["stages"]] == [
        "agglomerating",
        "agglomerated",
        "core",
        "chain",
        "network",
    ]


@pytest.fixture
def registry(methodology):
    """Four zones of two prefectures: types, founding years and outputs known."""
    gy, zy = prefecture("贵阳市"), prefecture("遵义市")
    zones = {
        "high_tech": ZoneFactory(
            type=ZoneType.HIGH_TECH, prefecture=gy, founded_year=1992, level=ZoneLevel.NATIONAL
        ),
        "eco_gy": ZoneFactory(type=ZoneType.ECONOMIC, prefecture=gy, founded_year=1995),
        "eco_zy": ZoneFactory(type=ZoneType.ECONOMIC, prefecture=zy, founded_year=2011),
        "park": ZoneFactory(type=ZoneType.INDUSTRIAL_PARK, prefecture=zy, founded_year=2015),
    }
    set_output(zones["high_tech"], 12_000_000, "1000+")
    set_output(zones["eco_gy"], 600_000, "50-100")
    set_output(zones["eco_zy"], 600_000, "50-100")
    return zones


def test_zones_are_counted_by_type_with_their_output(cast, registry):
    data = overview(cast.province, period=PERIOD, zones=only(*registry.values()))

    assert [(r["value"], r["n"], r["output_yi"]) for r in data["by_type"]] == [
        ("high_tech", 1, 1200.0),
        ("economic", 2, 120.0),
        ("industrial_park", 1, 0.0),
        ("bonded", 0, 0.0),
    ]
    assert data["by_type"][0]["label"] == "高新区"


def test_zones_are_counted_by_output_tier_and_zones_without_output_apart(cast, registry):
    data = overview(cast.province, period=PERIOD, zones=only(*registry.values()))

    assert [(r["value"], r["n"]) for r in data["by_tier"]] == [
        ("1000+", 1),
        ("500-1000", 0),
        ("300-500", 0),
        ("200-300", 0),
        ("100-200", 0),
        ("50-100", 2),
        ("<50", 0),
        ("", 1),
    ]
    assert data["by_tier"][-1]["label"] == "无产值数据"


def test_zones_are_counted_by_founding_period(cast, registry):
    data = overview(cast.province, period=PERIOD, zones=only(*registry.values()))

    founding = data["founding"]
    assert founding["years"] == list(range(1992, 2016))
    assert sum(founding["counts"]) == 4
    assert founding["counts"][0] == 1 and founding["counts"][1995 - 1992] == 1
    assert [(p["label"], p["start"], p["end"], p["n"]) for p in founding["periods"]] == [
        ("1992", 1992, 1992, 1),
        ("1993—1998", 1993, 1998, 1),
        ("1999—2009", 1999, 2009, 0),
        ("2010—2012", 2010, 2012, 1),
        ("2013年以后", 2013, 2015, 1),
    ]
    assert founding["unknown"] == 0


def test_each_prefecture_gets_one_row_with_every_map_measure(cast, registry):
    z = registry
    score(z["high_tech"], stage="core", quality="80")
    score(z["eco_gy"], stage="agglomerating", quality="60")
    score(z["eco_zy"], stage="network", quality="50")
    summary(
        z["high_tech"],
        year={"signed": 1},
        plan_this_year=1000.0,
        completed_this_year=250.0,
        milestones_overdue={"red": 2},
        items_open={"red": 1},
    )
    summary(z["eco_gy"], year={"signed": 2}, milestones_overdue={"red": 1, "yellow": 4})
    gy = z["high_tech"].prefecture
    accountability("prefecture", subject_id=gy.pk, pref=gy, value="88.5", colour="green")

    data = overview(cast.province, period=PERIOD, zones=only(*z.values()))

    rows = {r["name"]: r for r in data["by_region"]}
    assert [r["name"] for r in data["by_region"]] == ["贵阳市", "遵义市"]  # by code
    guiyang, zunyi = rows["贵阳市"], rows["遵义市"]
    assert (guiyang["zones"], guiyang["national"], guiyang["output"]) == (2, 1, 1260.0)
    assert guiyang["advanced"] == 50.0  # 聚核 of two scored zones
    assert guiyang["quality"] == 70.0
    assert (guiyang["accountability"], guiyang["accountability_colour"]) == (88.5, "green")
    assert (guiyang["signed_year"], guiyang["investment_rate"]) == (3, 25.0)
    assert (guiyang["overdue"], guiyang["red_items"]) == (3, 1)
    assert guiyang["stages"] == {"core": 1, "agglomerating": 1}
    assert (zunyi["zones"], zunyi["output"]) == (2, 60.0)
    assert zunyi["advanced"] == 100.0  # the park is not scored: one of one
    assert zunyi["quality"] == 50.0
    assert zunyi["accountability"] is None and zunyi["investment_rate"] is None


# --- the quadrant and the capacities ------------------------------------------------------


def test_quadrant_x_is_the_scale_percentile_and_y_split_the_median_quality(cast, methodology):
    small, mid_a, mid_b, large, unknown = (ZoneFactory() for _ in range(5))
    score(small, scale="1000000", quality="40", quadrant="small_low")
    score(mid_a, scale="2000000", quality="70", quadrant="small_high")
    score(mid_b, scale="2000000", quality="60", quadrant="large_low")
    score(large, scale="4000000", quality="90", quadrant="large_high")
    score(unknown, scale=None, quality="10")  # no scale: not placed

    data = overview(cast.province, period=PERIOD, zones=only(small, mid_a, mid_b, large, unknown))

    quadrant = data["quadrant"]
    x = {p["pk"]: p["x"] for p in quadrant["points"]}
    assert x == {small.pk: 0.0, mid_a.pk: 50.0, mid_b.pk: 50.0, large.pk: 100.0}
    assert quadrant["x_split"] == 50.0
    assert quadrant["y_split"] == 65.0  # median of 40, 60, 70, 90; the unplaced 10 left out
    point = next(p for p in quadrant["points"] if p["pk"] == large.pk)
    assert (point["y"], point["scale_yi"], point["quadrant"]) == (90.0, 400.0, "large_high")
    assert quadrant["counts"] == {"small_low": 1, "small_high": 1, "large_low": 1, "large_high": 1}


def test_a_single_placed_zone_sits_in_the_middle(cast, methodology):
    score(cast.zone_a, scale="5000", quality="55")

    quadrant = overview(cast.province, period=PERIOD, zones=only(cast.zone_a))["quadrant"]

    assert [(p["x"], p["y"]) for p in quadrant["points"]] == [(50.0, 55.0)]
    assert quadrant["y_split"] == 55.0


def test_capacity_medians_skip_zones_without_the_capacity(cast, methodology):
    score(cast.zone_a, capacities={"drive": "50.00", "leading_industry": "10.00"})
    score(cast.zone_a2, capacities={"drive": "70.00", "leading_industry": "20.00"})
    score(cast.zone_b, capacities={"drive": "90.00"})

    data = overview(
        cast.province, period=PERIOD, zones=only(cast.zone_a, cast.zone_a2, cast.zone_b)
    )

    medians = {r["code"]: r["median"] for r in data["capacity_medians"]}
    assert medians == {
        "drive": 70.0,
        "leading_industry": 15.0,
        "leading_enterprise": None,
        "platform": None,
        "resource": None,
        "radiation": None,
    }
    assert data["capacity_medians"][0]["label"] == "内生发展动力"


# --- accountability -----------------------------------------------------------------------


def test_the_accountability_ranking_orders_by_score_and_picks_movers(cast, methodology):
    extra = ZoneFactory(name="测试开发区X")
    scores = {
        cast.zone_a: ("90", "5", "green"),
        cast.zone_a2: ("70", "-3", "yellow"),
        cast.zone_b: ("80", "10", "green"),
        extra: (None, None, ""),
    }
    for zone, (value, movement, colour) in scores.items():
        accountability(
            "zone", subject_id=zone.pk, zone=zone, value=value, movement=movement, colour=colour
        )

    data = overview(
        cast.province, period=PERIOD, zones=only(cast.zone_a, cast.zone_a2, cast.zone_b, extra)
    )

    ranking = data["accountability"]["zone"]
    names = [r["name"] for r in ranking["rows"]]
    assert names == ["测试开发区A", "测试开发区B", "测试开发区A2", "测试开发区X"]  # no score last
    assert [r["name"] for r in ranking["bottom"]] == ["测试开发区A2", "测试开发区B", "测试开发区A"]
    assert [r["name"] for r in ranking["risers"]] == ["测试开发区B", "测试开发区A"]
    assert [r["name"] for r in ranking["fallers"]] == ["测试开发区A2"]
    assert ranking["colours"] == {"green": 2, "yellow": 1}
    listed = {z["code"]: z for z in data["zones"]}
    assert listed["TZ-A"]["accountability"] == Decimal("90")
    assert listed["TZ-A2"]["accountability_colour"] == "yellow"


def test_the_ranking_keeps_five_at_the_top_and_the_bottom(cast, methodology):
    zones = [ZoneFactory(name=f"排名开发区{n}") for n in range(7)]
    for n, zone in enumerate(zones):
        accountability(
            "zone", subject_id=zone.pk, zone=zone, value=str(60 + n), movement=str(n - 3)
        )

    ranking = overview(cast.province, period=PERIOD, zones=only(*zones))["accountability"]["zone"]

    assert [r["name"] for r in ranking["top"]] == [f"排名开发区{n}" for n in (6, 5, 4, 3, 2)]
    assert [r["name"] for r in ranking["bottom"]] == [f"排名开发区{n}" for n in (0, 1, 2, 3, 4)]
    assert [r["movement"] for r in ranking["risers"]] == [Decimal(3), Decimal(2), Decimal(1)]
    assert [r["movement"] for r in ranking["fallers"]] == [Decimal(-3), Decimal(-2), Decimal(-1)]


# --- the funnel ---------------------------------------------------------------------------


def test_the_funnel_adds_the_zones_modes_with_conversions(cast, methodology):
    summary(
        cast.zone_a,
        funnel={"specialised": [3, 2, 1, 0, 0, 0, 0], "resident": [1, 1, 1, 1, 0, 0, 0]},
        funnel_investment={
            "specialised": [30000.0, 20000.0, 10000.0, 0.0, 0.0, 0.0, 0.0],
            "resident": [5000.0, 5000.0, 5000.0, 5000.0, 0.0, 0.0, 0.0],
        },
    )
    summary(
        cast.zone_b,
        funnel={"specialised": [1, 1, 1, 1, 1, 0, 0]},
        funnel_investment={"specialised": [10000.0, 10000.0, 10000.0, 10000.0, 10000.0, 0, 0]},
    )

    funnel = overview(cast.province, period=PERIOD, zones=only(cast.zone_a, cast.zone_b))["funnel"]

    assert funnel["stages"] == ["线索", "洽谈", "签约", "注册", "开工", "投产", "达产"]
    assert funnel["total"] == [5, 4, 3, 2, 1, 0, 0]
    assert funnel["conversions"] == [None, 80.0, 75.0, 66.7, 50.0, 0.0, None]
    assert [m["mode"] for m in funnel["modes"]] == ["specialised", "resident"]
    specialised, resident = funnel["modes"]
    assert specialised["label"] == "专业招商"
    assert specialised["counts"] == [4, 3, 2, 1, 1, 0, 0]
    assert specialised["investment_yi"] == [4.0, 3.0, 2.0, 1.0, 1.0, 0.0, 0.0]
    assert resident["counts"] == [1, 1, 1, 1, 0, 0, 0]


def test_an_empty_funnel_has_zero_totals_and_no_modes(cast, methodology):
    summary(cast.zone_a)

    funnel = overview(cast.province, period=PERIOD, zones=only(cast.zone_a))["funnel"]

    assert funnel["total"] == PIPELINE_NONE
    assert funnel["conversions"] == [None] * 7
    assert funnel["modes"] == []


# --- scoping ------------------------------------------------------------------------------


def lead_of(zone, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, role="zone_staff", zone=zone)
    return user


def leader_of(username: str, *zones):
    user = UserFactory(username=username)
    for zone in zones:
        MembershipFactory(user=user, role="zone_leader", zone=zone)
    return user


@pytest.fixture
def everywhere(cast, methodology):
    """Summaries, scores and accountability rows of every zone, lead, zone leader and
    prefecture: zone A's leader, zone B's, a leader of two zones of 遵义市 and a leader of zone
    A2 and zone B (rows of a leader of several zones name no zone, only ``based_on``)."""
    gy, zy = cast.zone_a.prefecture, cast.zone_b.prefecture
    zunyi_two = ZoneFactory(code="TZ-B2", prefecture=zy)
    lead_a, lead_b = lead_of(cast.zone_a, "t_lead_a"), lead_of(cast.zone_b, "t_lead_b")
    for n, zone in enumerate((cast.zone_a, cast.zone_a2, cast.zone_b)):
        summary(zone, stages={"signed": n + 1}, items_open={"red": 10**n})
        score(zone, stage="core")
        zone_row(zone)
    accountability("prefecture", subject_id=gy.pk, pref=gy)
    accountability("prefecture", subject_id=zy.pk, pref=zy)
    accountability("lead", subject_id=lead_a.pk, user=lead_a, zone=cast.zone_a)
    accountability("lead", subject_id=lead_b.pk, user=lead_b, zone=cast.zone_b)
    leader = cast.leader_a
    accountability("zone_leader", subject_id=leader.pk, user=leader, zone=cast.zone_a)
    leader_b = leader_of("t_leader_b", cast.zone_b)
    accountability("zone_leader", subject_id=leader_b.pk, user=leader_b, zone=cast.zone_b)
    two = leader_of("t_leader_zunyi", cast.zone_b, zunyi_two)
    accountability(
        "zone_leader",
        subject_id=two.pk,
        user=two,
        pref=zy,
        based_on=[["zone", cast.zone_b.pk], ["zone", zunyi_two.pk]],
    )
    both = leader_of("t_leader_both", cast.zone_a2, cast.zone_b)
    accountability(
        "zone_leader",
        subject_id=both.pk,
        user=both,
        based_on=[["zone", cast.zone_a2.pk], ["zone", cast.zone_b.pk]],
    )
    return {"gy": gy, "zy": zy}


def keys(data, *kinds: str) -> set[tuple[str, str]]:
    return {
        (row["kind"], row["name"])
        for kind, rows in data["accountability"].items()
        for row in rows["rows"]
        if not kinds or kind in kinds
    }


def test_a_city_supervisor_sees_only_the_zones_and_rows_of_the_prefecture(cast, everywhere):
    data = overview(cast.city, period=PERIOD, zones=Zone.objects.for_user(cast.city))

    assert [z["code"] for z in data["zones"]] == ["TZ-A", "TZ-A2"]
    assert data["headline"]["projects"] == 3  # 1 + 2 signed; zone B's 3 not counted
    assert data["headline"]["items_open"]["red"] == 11
    assert sum(r["n"] for r in data["stages"]) == 2
    assert [r["name"] for r in data["by_region"]] == ["贵阳市"]
    assert keys(data) == {
        ("zone", "测试开发区A"),
        ("zone", "测试开发区A2"),
        ("prefecture", "贵阳市"),
        ("zone_leader", "t_leader_a"),
        ("zone_leader", "t_leader_both"),  # leads zone A2 too
    }


def test_the_province_sees_every_zone_and_row_but_the_project_leads(cast, everywhere):
    data = overview(cast.province, period=PERIOD, zones=Zone.objects.for_user(cast.province))

    assert [z["code"] for z in data["zones"]] == ["TZ-A", "TZ-A2", "TZ-B", "TZ-B2"]
    assert data["headline"]["items_open"]["red"] == 111
    assert keys(data, "zone_leader", "prefecture") == {
        ("prefecture", "贵阳市"),
        ("prefecture", "遵义市"),
        ("zone_leader", "t_leader_a"),
        ("zone_leader", "t_leader_b"),
        ("zone_leader", "t_leader_zunyi"),
        ("zone_leader", "t_leader_both"),
    }
    assert "lead" not in data["accountability"]  # the leads are the accountability board's


def test_an_overview_of_some_zones_keeps_only_their_zones_and_zone_leaders(cast, everywhere):
    guiyang = Zone.objects.for_user(cast.province).filter(prefecture=everywhere["gy"])

    data = overview(cast.province, period=PERIOD, zones=guiyang)

    assert [z["code"] for z in data["zones"]] == ["TZ-A", "TZ-A2"]
    assert [r["name"] for r in data["by_region"]] == ["贵阳市"]
    assert keys(data, "zone", "zone_leader") == {
        ("zone", "测试开发区A"),
        ("zone", "测试开发区A2"),
        ("zone_leader", "t_leader_a"),
        ("zone_leader", "t_leader_both"),
    }
    assert data["by_region"][0]["accountability"] == 80.0  # 贵阳市's own row


# --- freshness ----------------------------------------------------------------------------


def hours_ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def test_scores_older_than_the_setting_are_stale_for_the_latest_period(cast, methodology):
    old, recent = hours_ago(37), hours_ago(2)
    score(cast.zone_a, computed_at=old)
    score(cast.zone_b, computed_at=recent)
    summary(cast.zone_a)

    freshness = overview(cast.province, period=PERIOD, zones=only(cast.zone_a, cast.zone_b))[
        "freshness"
    ]

    assert freshness["stale"] is True and freshness["missing"] is False
    assert freshness["is_latest_period"] is True
    assert (freshness["oldest"], freshness["computed_at"]) == (old, recent)
    assert freshness["as_of"] == D(2025, 6, 30)


def test_scores_within_the_setting_are_not_stale(cast, methodology):
    score(cast.zone_a, computed_at=hours_ago(35))
    summary(cast.zone_a)

    freshness = overview(cast.province, period=PERIOD, zones=only(cast.zone_a))["freshness"]

    assert freshness["stale"] is False and freshness["missing"] is False


def test_old_scores_of_an_older_period_are_not_stale(cast, methodology):
    earlier = months_back(PERIOD, 1)
    score(cast.zone_a, period=earlier, computed_at=hours_ago(24 * 40))
    summary(cast.zone_a, period=earlier)
    summary(cast.zone_a)  # a later month exists

    freshness = overview(cast.province, period=earlier, zones=only(cast.zone_a))["freshness"]

    assert freshness["is_latest_period"] is False
    assert freshness["stale"] is False and freshness["missing"] is False
    assert freshness["as_of"] == month_end(earlier)


def test_a_period_without_scores_is_missing(cast, methodology):
    summary(cast.zone_a)

    data = overview(cast.province, period=PERIOD, zones=only(cast.zone_a))

    assert data["freshness"]["missing"] is True and data["freshness"]["stale"] is False
    assert data["freshness"]["computed_at"] is None
    assert overview(cast.province, period=None, zones=only(cast.zone_a))["freshness"]["missing"]


# --- one zone -----------------------------------------------------------------------------


def test_the_zone_dashboard_sets_its_capacities_beside_the_provinces_medians(cast, methodology):
    elsewhere = Prefecture.objects.create(
        code="440100", name="广州市", province=Province.objects.get(code="440000")
    )
    score(cast.zone_a, quality="50", capacities={"drive": "40.00", "platform": "75.50"})
    score(cast.zone_a2, quality="70", capacities={"drive": "60.00", "platform": "80.00"})
    score(cast.zone_b, quality="90", capacities={"drive": "80.00"})
    score(ZoneFactory(prefecture=elsewhere), quality="5", capacities={"drive": "1.00"})
    score(cast.zone_b, period=months_back(PERIOD, 1), capacities={"drive": "99.00"})

    data = zone_dashboard(cast.leader_a, cast.zone_a, period=PERIOD)

    capacities = {r["code"]: (r["value"], r["median"]) for r in data["capacities"]}
    assert capacities == {
        "drive": (40.0, 60.0),  # median of Guizhou's 40, 60, 80 this month
        "leading_industry": (None, None),
        "leading_enterprise": (None, None),
        "platform": (75.5, 77.75),
        "resource": (None, None),
        "radiation": (None, None),
    }
    assert data["province_quality_median"] == 70.0
    assert data["score"]["stage"] == "core" and data["score"]["period"] == PERIOD


def test_the_zone_dashboard_has_twelve_months_of_trends_with_gaps_as_none(cast, methodology):
    zone = cast.zone_a
    for back, quality, signed in ((0, "60", 3), (2, "55", 1), (11, "40", 0)):
        month = months_back(PERIOD, back)
        score(zone, period=month, quality=quality)
        summary(
            zone,
            period=month,
            month={"signed": signed},
            completed_this_month=1000.0 * back,
            milestones_overdue={"red": back},
        )
        accountability("zone", subject_id=zone.pk, zone=zone, period=month, value=str(70 + back))
    score(zone, period=months_back(PERIOD, 12), quality="10")  # thirteen months back
    summary(zone, period=months_back(PERIOD, 12), month={"signed": 9})
    score(zone, period=months_back(PERIOD, -1), quality="99")  # the month after

    trends = zone_dashboard(cast.province, zone, period=PERIOD)["trends"]

    assert trends["months"] == [months_back(PERIOD, n) for n in range(11, -1, -1)]
    assert trends["labels"][0] == "2024-07" and trends["labels"][-1] == "2025-06"
    gap = None
    assert trends["quality"] == [40.0] + [gap] * 8 + [55.0, gap, 60.0]
    assert trends["stage"] == ["core"] + [gap] * 8 + ["core", gap, "core"]
    assert trends["signed"] == [0] + [gap] * 8 + [1, gap, 3]
    assert trends["completed_yi"] == [1.1] + [gap] * 8 + [0.2, gap, 0.0]
    assert trends["overdue_red"] == [11] + [gap] * 8 + [2, gap, 0]
    assert trends["accountability"] == [81.0] + [gap] * 8 + [72.0, gap, 70.0]


def test_the_zone_dashboard_lists_its_leader_and_leads_of_the_period_only(cast, methodology):
    lead_a, lead_b = lead_of(cast.zone_a, "t_lead_a"), lead_of(cast.zone_b, "t_lead_b")
    lead_gone = lead_of(cast.zone_a, "t_lead_gone")
    accountability("zone_leader", subject_id=cast.leader_a.pk, user=cast.leader_a, zone=cast.zone_a)
    accountability("lead", subject_id=lead_a.pk, user=lead_a, zone=cast.zone_a, value="66")
    accountability("lead", subject_id=lead_b.pk, user=lead_b, zone=cast.zone_b)
    accountability(
        "lead",
        subject_id=lead_gone.pk,
        user=lead_gone,
        zone=cast.zone_a,
        period=months_back(PERIOD, 1),
    )
    zone_row(cast.zone_a)

    people = zone_dashboard(cast.province, cast.zone_a, period=PERIOD)["people"]

    assert sorted((p["kind"], p["name"]) for p in people) == [
        ("lead", "t_lead_a"),
        ("zone_leader", "t_leader_a"),
    ]
    assert next(p for p in people if p["kind"] == "lead")["score"] == Decimal("66")


def test_a_leader_of_two_zones_is_among_the_people_of_each(cast, methodology):
    """A 一把手 of two zones has one row naming no zone (its ``based_on`` names both): each
    zone's dashboard still lists the zone's own leader."""
    both = leader_of("t_leader_both", cast.zone_a2, cast.zone_b)
    accountability(
        "zone_leader",
        subject_id=both.pk,
        user=both,
        based_on=[["zone", cast.zone_a2.pk], ["zone", cast.zone_b.pk]],
    )

    for zone in (cast.zone_a2, cast.zone_b):
        people = zone_dashboard(cast.province, zone, period=PERIOD)["people"]

        assert [(p["kind"], p["name"]) for p in people] == [("zone_leader", "t_leader_both")]


def test_the_zone_dashboard_shows_the_periods_pipeline_and_funnel(cast, methodology):
    summary(
        cast.zone_a,
        stages={"signed": 2, "started": 1},
        year={"signed": 2},
        plan_this_year=10000.0,
        completed_this_year=2500.0,
        funnel={"platform": [3, 3, 3, 1, 0, 0, 0]},
    )
    summary(cast.zone_a, period=months_back(PERIOD, 1), stages={"signed": 9})
    score(cast.zone_a)

    data = zone_dashboard(cast.staff_a, cast.zone_a, period=PERIOD)

    assert data["headline"]["projects"] == 3 and data["headline"]["signed_year"] == 2
    assert data["headline"]["completed_rate"] == 25.0
    assert data["funnel"]["total"] == [3, 3, 3, 1, 0, 0, 0]
    assert [m["mode"] for m in data["funnel"]["modes"]] == ["platform"]
    assert data["freshness"]["missing"] is False


def test_a_zone_dashboard_without_a_period_is_empty(cast, methodology):
    data = zone_dashboard(cast.staff_a, cast.zone_a, period=None)

    assert data["score"] is None and data["pipeline"] == {} and data["people"] == []
    assert data["trends"]["months"] == [] and data["freshness"]["missing"] is True


# --- query counts -------------------------------------------------------------------------


def populate(zone, period: datetime.date = PERIOD) -> None:
    summary(zone, period=period, stages={"signed": 2}, funnel={"other": [1, 1, 0, 0, 0, 0, 0]})
    score(zone, period=period, capacities={"drive": "50.00"}, quadrant="small_low")
    if period == PERIOD:
        zone_row(zone)


def count_queries(func, *args, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func(*args, **kwargs)
    return len(ctx.captured_queries)


def test_the_overview_costs_the_same_queries_for_one_zone_and_for_thirty(cast, methodology):
    populate(cast.zone_a)
    one = fresh(cast.province)
    get_scope(one)
    small = count_queries(
        overview, one, period=PERIOD, zones=Zone.objects.for_user(one), methodology=methodology
    )
    for _ in range(29):
        populate(ZoneFactory(prefecture=prefecture("遵义市")))
    many = fresh(cast.province)
    get_scope(many)

    # the zones, their scores, their summaries, the accountability rows, the latest period
    assert small == 5
    assert (
        count_queries(
            overview,
            many,
            period=PERIOD,
            zones=Zone.objects.for_user(many),
            methodology=methodology,
        )
        == small
    )
    data = overview(many, period=PERIOD, zones=Zone.objects.for_user(many))
    assert data["headline"]["zones"] == 32 and data["headline"]["projects"] == 60
    assert len(data["accountability"]["zone"]["rows"]) == 30


def test_the_zone_dashboard_costs_the_same_queries_for_one_month_and_for_twelve(cast, methodology):
    user = fresh(cast.province)
    get_scope(user)
    populate(cast.zone_a)
    zone = Zone.objects.select_related("prefecture").get(pk=cast.zone_a.pk)
    small = count_queries(zone_dashboard, user, zone, period=PERIOD, methodology=methodology)
    for back in range(1, 12):
        month = months_back(PERIOD, back)
        populate(cast.zone_a, month)
        accountability("zone", subject_id=cast.zone_a.pk, zone=cast.zone_a, period=month)

    # the zone's scores, the province's scores, its summaries, its accountability rows, the
    # latest period
    assert small == 5
    assert (
        count_queries(zone_dashboard, user, zone, period=PERIOD, methodology=methodology) == small
    )
    trends = zone_dashboard(user, zone, period=PERIOD)["trends"]
    assert None not in trends["quality"] and None not in trends["accountability"]
