"""Accountability scores wired to the database: the recompute gathers the month's milestones,
reports, investment and supervision items, stores every subject's score with its components
and ranks, and the API lists them scoped to the user.

The month scored is fixed relative to today (three months back) so that every date the
services check (not in the future) holds; the expected scores come from the pure
``score_month`` on facts written out by hand from the records created here."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from investment import services
from investment.models import (
    AccountabilityScore,
    ProgressReport,
    ProjectStage,
    SupervisionItem,
    report_due_date,
)
from investment.scoring import InvestmentFact, ItemFact, MilestoneFact, ReportFact, score_month
from tests.factories import MembershipFactory, UserFactory, ZoneFactory, prefecture
from tests.investment.helpers import make_project
from tests.investment.supervision_helpers import raise_item, walk
from zones.methodology import active_methodology, create_default_version
from zones.models import ScoreRun
from zones.recompute import month_end, recompute

pytestmark = pytest.mark.django_db
URL = "/api/v1/accountability/"


def months_back(n: int) -> datetime.date:
    day = timezone.localdate().replace(day=1)
    for _ in range(n):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


def period() -> datetime.date:
    return months_back(3)


def previous() -> datetime.date:
    return months_back(4)


def on(day: int, month: datetime.date | None = None) -> datetime.date:
    return (month or period()).replace(day=day)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


@pytest.fixture
def methodology(db):
    """The active version created by the zones data migration (recreated when a transactional
    test flushed it)."""
    return active_methodology() or create_default_version()


def member(zone, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, role="zone_staff", zone=zone)
    return user


def milestone(user, project, planned, actual=None, title="节点"):
    data = {"title": title, "planned_date": planned}
    if actual is not None:
        data["actual_date"] = actual
    return services.create_milestone(user, project, data)


def report(user, project, month: datetime.date, this_month, cumulative, submitted_on):
    row = services.submit_report(
        user,
        project,
        month.year,
        month.month,
        {
            "investment_this_month": Decimal(this_month),
            "investment_cumulative": Decimal(cumulative),
            "progress": "按计划推进",
        },
    )
    ProgressReport.objects.filter(pk=row.pk).update(submitted_at=at(submitted_on))
    row.refresh_from_db()
    return row


def item(supervisor, zone, assignee, deadline, *, closed_on=None, zone_user=None, **extra):
    row = raise_item(supervisor, zone, assignee=assignee, **extra)
    SupervisionItem.objects.filter(pk=row.pk).update(deadline=deadline)
    row.refresh_from_db()
    if closed_on is not None:
        walk(row, zone_user or assignee, supervisor, "close")
        SupervisionItem.objects.filter(pk=row.pk).update(closed_at=at(closed_on))
        row.refresh_from_db()
    return row


def approve_exemption(cast, **target):
    exemption = services.request_exemption(cast.staff_a, {"reason": "不可抗力", **target})
    return services.decide_exemption(cast.supervisor, exemption, True)


def stored(kind: str, subject_id: int, month: datetime.date | None = None) -> AccountabilityScore:
    return AccountabilityScore.objects.get(
        subject_key=f"{kind}:{subject_id}", period=month or period()
    )


def this_year(*reports) -> Decimal | None:
    """Completed this year to the month: the reports of the period's year up to its month."""
    figures = [
        r.investment_this_month
        for r in reports
        if r.year == period().year and r.month <= period().month
    ]
    return sum(figures, Decimal(0)) if figures else None


@pytest.fixture
def world(cast, methodology):
    """Zone A (贵阳市): lead_a leads pa1 (four milestones in the month — on time, late, still
    open with a pending exemption request, open with an approved one — one done last month,
    last month's report on time, this month's report) and pa2 (no report); three items (closed
    on time, open and red, open with an approved exemption). Zone B (遵义市): lead_b leads pb1
    (one milestone on time, last month's report late). Zone A2 has nothing."""
    lead_a, lead_b = member(cast.zone_a, "t_lead_a"), member(cast.zone_b, "t_lead_b")
    pa1 = make_project(
        cast.staff_a,
        cast.zone_a,
        stage=ProjectStage.SIGNED,
        lead=lead_a,
        planned_investment_this_year=Decimal("12000"),
    )
    pa2 = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED, lead=lead_a)
    pb1 = make_project(cast.staff_b, cast.zone_b, stage=ProjectStage.SIGNED, lead=lead_b)
    m = {
        "on_time": milestone(cast.staff_a, pa1, on(10), on(8)),
        "late": milestone(cast.staff_a, pa1, on(12), on(20)),
        "open": milestone(cast.staff_a, pa1, on(15)),
        "exempt": milestone(cast.staff_a, pa1, on(5)),
        "old": milestone(cast.staff_a, pa1, on(10, previous()), on(9, previous())),
        "b": milestone(cast.staff_b, pb1, on(10), on(10)),
    }
    approve_exemption(cast, milestone=m["exempt"])
    services.request_exemption(cast.staff_a, {"milestone": m["open"], "reason": "待审核"})
    due = report_due_date(previous().year, previous().month)
    reports = {
        "a_prev": report(cast.staff_a, pa1, previous(), "1000", "1000", due),
        "a_now": report(cast.staff_a, pa1, period(), "2000", "3000", on(28)),
        "b_prev": report(cast.staff_b, pb1, previous(), "500", "500", due + datetime.timedelta(3)),
    }
    items = {
        "on_time": item(
            cast.supervisor, cast.zone_a, lead_a, on(18), closed_on=on(17), project=pa1
        ),
        "red": item(cast.supervisor, cast.zone_a, cast.staff_a, on(3)),
        "exempt": item(cast.supervisor, cast.zone_a, cast.staff_a, on(6)),
    }
    approve_exemption(cast, item=items["exempt"])
    return {
        "lead_a": lead_a,
        "lead_b": lead_b,
        "pa1": pa1,
        "pa2": pa2,
        "pb1": pb1,
        "m": m,
        "reports": reports,
        "items": items,
        "due": due,
    }


def expected(cast, world, methodology):
    """``score_month`` on the month's facts written out by hand."""
    w, a, b = world, cast.zone_a.pk, cast.zone_b.pk
    la, lb = w["lead_a"].pk, w["lead_b"].pk
    pa1, pa2, pb1 = w["pa1"].pk, w["pa2"].pk, w["pb1"].pk
    m, i, r = w["m"], w["items"], w["reports"]
    milestones = [
        MilestoneFact(m["on_time"].pk, pa1, a, la, None, on(10), on(8)),
        MilestoneFact(m["late"].pk, pa1, a, la, None, on(12), on(20)),
        MilestoneFact(m["open"].pk, pa1, a, la, None, on(15)),
        MilestoneFact(m["exempt"].pk, pa1, a, la, None, on(5), exempted=True),
        MilestoneFact(m["b"].pk, pb1, b, lb, None, on(10), on(10)),
    ]
    reports = [
        ReportFact(pa1, a, la, w["due"], w["due"]),
        ReportFact(pa2, a, la, w["due"], None),
        ReportFact(pb1, b, lb, w["due"], w["due"] + datetime.timedelta(3)),
    ]
    investments = [
        InvestmentFact(pa1, a, la, Decimal("12000"), this_year(r["a_prev"], r["a_now"])),
        InvestmentFact(pa2, a, la, Decimal("10000"), None),
        InvestmentFact(pb1, b, lb, Decimal("10000"), this_year(r["b_prev"])),
    ]
    items = [
        ItemFact(i["on_time"].pk, a, pa1, la, la, on(18), on(17)),
        ItemFact(i["red"].pk, a, None, cast.staff_a.pk, None, on(3), None, colour_red=True),
        ItemFact(i["exempt"].pk, a, None, cast.staff_a.pk, None, on(6), None, True, True),
    ]
    return score_month(
        period(),
        month_end(period()),
        milestones,
        reports,
        investments,
        items,
        {
            a: cast.zone_a.prefecture_id,
            cast.zone_a2.pk: cast.zone_a2.prefecture_id,
            b: cast.zone_b.prefecture_id,
        },
        {a: [cast.leader_a.pk]},
        methodology.section("accountability"),
    )


def test_stored_scores_are_score_month_on_the_months_facts(cast, world, methodology):
    run = recompute(period())
    assert run.status == "done"
    want = expected(cast, world, methodology)
    subjects = [
        ("zone", cast.zone_a.pk),
        ("zone", cast.zone_b.pk),
        ("lead", world["lead_a"].pk),
        ("lead", world["lead_b"].pk),
        ("zone_leader", cast.leader_a.pk),
        ("prefecture", cast.zone_a.prefecture_id),
        ("prefecture", cast.zone_b.prefecture_id),
    ]
    for kind, subject_id in subjects:
        row, result = stored(kind, subject_id), want[(kind, subject_id)]
        assert row.score is not None and row.score == result.score, (kind, subject_id)
        assert row.colour == result.colour
        assert row.components == result.as_dict()["components"]
        assert row.methodology == methodology and row.run == run
    empty = stored("zone", cast.zone_a2.pk)
    assert empty.score is None and empty.colour == "" and empty.rank is None


def test_the_components_list_the_records_behind_them(cast, world):
    recompute(period())
    m, i, w = world["m"], world["items"], world
    parts = stored("zone", cast.zone_a.pk).components
    milestones = parts["milestones_on_time"]["ids"]
    assert milestones == {
        "on_time": [m["on_time"].pk],
        "late": sorted([m["late"].pk, m["open"].pk]),
        "exempted": [m["exempt"].pk],
    }
    assert m["old"].pk not in parts["overdue_penalty"]["ids"]["not_overdue"]
    assert parts["reports_on_time"]["ids"]["on_time"] == [w["pa1"].pk]
    assert parts["reports_on_time"]["ids"]["missing"] == [w["pa2"].pk]
    assert parts["investment_progress"]["ids"]["projects"] == sorted([w["pa1"].pk, w["pa2"].pk])
    assert parts["items_closed_on_time"]["ids"]["on_time"] == [i["on_time"].pk]
    assert parts["items_closed_on_time"]["ids"]["late"] == [i["red"].pk]
    assert parts["items_closed_on_time"]["ids"]["red"] == [i["red"].pk]
    assert parts["items_closed_on_time"]["ids"]["exempted"] == [i["exempt"].pk]
    b = stored("zone", cast.zone_b.pk).components
    assert b["reports_on_time"]["ids"]["late"] == [w["pb1"].pk]


def test_an_approved_exemption_is_left_out_and_a_pending_one_is_not(cast, world):
    recompute(period())
    m = world["m"]
    lead = stored("lead", world["lead_a"].pk).components
    assert lead["overdue_penalty"]["ids"]["exempted"] == [m["exempt"].pk]
    assert m["exempt"].pk not in lead["overdue_penalty"]["ids"]["overdue"]
    # the request on the open milestone is still pending: it is late and overdue
    assert m["open"].pk in lead["overdue_penalty"]["ids"]["overdue"]
    assert world["items"]["exempt"].pk not in lead["items_closed_on_time"]["ids"]["late"]


def test_the_rows_place_each_subject_for_scoping(cast, world):
    recompute(period())
    lead = stored("lead", world["lead_a"].pk)
    assert (lead.user, lead.zone, lead.prefecture) == (
        world["lead_a"],
        cast.zone_a,
        cast.zone_a.prefecture,
    )
    leader = stored("zone_leader", cast.leader_a.pk)
    assert (leader.zone, leader.prefecture) == (cast.zone_a, cast.zone_a.prefecture)
    assert leader.components == stored("zone", cast.zone_a.pk).components
    pref = stored("prefecture", cast.zone_a.prefecture_id)
    assert pref.zone is None and pref.user is None


def rows() -> list[tuple]:
    fields = ["subject_key", "period", "score", "colour", "components", "rank", "movement"]
    return sorted(
        tuple(str(v) for v in row)
        for row in AccountabilityScore.objects.values_list(*fields, "zone", "prefecture", "user")
    )


def test_running_the_same_recompute_twice_gives_the_same_rows(cast, world):
    recompute(period())
    first = rows()
    recompute(period())
    assert rows() == first
    assert AccountabilityScore.objects.count() == len(first)


def test_movement_and_rank_movement_compare_with_the_previous_month(cast, world):
    recompute(previous())
    recompute(period())
    before, now = stored("zone", cast.zone_a.pk, previous()), stored("zone", cast.zone_a.pk)
    assert before.score is not None and now.score is not None
    assert now.previous_score == before.score
    assert now.movement == now.score - before.score
    assert now.rank_movement == before.rank - now.rank
    zones = AccountabilityScore.objects.filter(period=period(), subject_kind="zone")
    ranked = sorted((r for r in zones if r.score is not None), key=lambda r: -r.score)
    assert [r.rank for r in ranked][:1] == [1]
    assert all(r.rank is None for r in zones if r.score is None)


def test_a_zones_recompute_gives_the_rows_a_full_recompute_gives(cast, world):
    recompute(period())
    services.complete_milestone(cast.staff_a, world["m"]["open"], on(25))
    untouched = stored("zone", cast.zone_b.pk).computed_at
    # the run row is passed in, as the zone task does (the edit above queued one for the
    # last complete month, which must not collide with this one)
    run = ScoreRun.objects.create(
        kind=ScoreRun.Kind.ZONE,
        status=ScoreRun.Status.RUNNING,
        methodology=active_methodology(),
        period=period(),
        zone=cast.zone_a,
    )
    prefecture_before = rows_of("prefecture")
    run = recompute(period(), zone_ids=[cast.zone_a.pk], run=run)
    assert run.status == "done"
    assert stored("zone", cast.zone_b.pk).computed_at == untouched
    # the prefecture pools all its zones: its score waits for the next full run
    assert rows_of("prefecture") == prefecture_before
    partial = rows_of("zone", "lead", "zone_leader")
    recompute(period())
    assert rows_of("zone", "lead", "zone_leader") == partial
    assert rows_of("prefecture") != prefecture_before  # the full run brought it up to date


def rows_of(*kinds: str) -> list[tuple]:
    keys = tuple(f"{kind}:" for kind in kinds)
    return [row for row in rows() if row[0].startswith(keys)]


# --- query counts ---------------------------------------------------------------------------


def zone_with_facts(cast, zone, n: int):
    """A lead, a signed project with a milestone done late, last month's report and an open
    item past its deadline."""
    lead = member(zone, f"t_lead_{n}")
    project = make_project(cast.admin, zone, stage=ProjectStage.SIGNED, lead=lead)
    milestone(cast.admin, project, on(10), on(12))
    report(cast.admin, project, previous(), "100", "100", on(3))
    item(cast.supervisor, zone, lead, on(20), project=project)


def count(func, *args, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func(*args, **kwargs)
    return len(ctx.captured_queries)


def test_the_query_count_of_the_recompute_does_not_grow_with_the_zones(cast, methodology):
    for n, zone in enumerate((cast.zone_a, cast.zone_b)):
        zone_with_facts(cast, zone, n)
    recompute(period())
    small = count(recompute, period())
    step_small = count(recompute, period(), steps=["accountability"])
    for n in range(4):
        zone_with_facts(cast, ZoneFactory(prefecture=prefecture("遵义市")), n + 10)
    recompute(period())
    assert count(recompute, period()) == small
    assert count(recompute, period(), steps=["accountability"]) == step_small
    assert AccountabilityScore.objects.filter(subject_kind="lead", period=period()).count() == 6


def test_the_query_count_of_the_api_does_not_grow_with_the_rows(cast, api_for, methodology):
    def province():  # a fresh user each time: the scope is cached on the user object
        return api_for(type(cast.province).objects.get(pk=cast.province.pk))

    zone_with_facts(cast, cast.zone_a, 0)
    recompute(period())
    small = count(province().get, f"{URL}?kind=lead")
    for n in range(4):
        zone_with_facts(cast, ZoneFactory(), n + 10)
    recompute(period())
    assert count(province().get, f"{URL}?kind=lead") == small
    assert province().get(f"{URL}?kind=lead").json()["count"] == 5


# --- the API ----------------------------------------------------------------------------------


def listed(api_for, user, query: str = "") -> list[dict]:
    response = api_for(user).get(f"{URL}{query}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_api_lists_a_ranking_with_its_explanation(cast, world, api_for):
    recompute(period())
    rows_ = listed(api_for, cast.province)
    assert {r["kind"] for r in rows_} == {"zone"}
    assert rows_[0]["rank"] == 1 and rows_[-1]["score"] is None  # zone A2 has no data
    zone_a = next(r for r in rows_ if r["subject_id"] == cast.zone_a.pk)
    assert zone_a["subject_label"] == cast.zone_a.name
    assert zone_a["period"] == f"{period():%Y-%m}"
    assert zone_a["score"] == float(stored("zone", cast.zone_a.pk).score)
    ids = zone_a["components"]["milestones_on_time"]["ids"]
    assert ids["exempted"] == [world["m"]["exempt"].pk]


def test_staff_of_another_zone_see_none_of_zone_as_rows(cast, world, api_for):
    recompute(period())
    for kind in ("zone", "lead", "zone_leader", "prefecture"):
        body = api_for(cast.staff_b).get(f"{URL}?kind={kind}").content.decode()
        assert cast.zone_a.name not in body and "t_lead_a" not in body
    assert [r["subject_id"] for r in listed(api_for, cast.staff_b)] == [cast.zone_b.pk]
    assert [r["subject_label"] for r in listed(api_for, cast.staff_b, "?kind=lead")] == ["t_lead_b"]
    assert listed(api_for, cast.staff_b, "?kind=prefecture") == []
    assert listed(api_for, cast.outsider) == []


def test_a_zones_staff_see_their_zone_its_leads_and_its_leader(cast, world, api_for):
    recompute(period())
    assert [r["subject_id"] for r in listed(api_for, cast.staff_a)] == [cast.zone_a.pk]
    leads = listed(api_for, cast.viewer_a, "?kind=lead")
    assert [r["subject_label"] for r in leads] == ["t_lead_a"]
    leaders = listed(api_for, cast.staff_a, "?kind=zone_leader")
    assert [r["subject_id"] for r in leaders] == [cast.leader_a.pk]


def test_the_city_sees_its_prefecture_and_the_province_sees_both(cast, world, api_for):
    recompute(period())
    city = {r["subject_id"] for r in listed(api_for, cast.city)}
    assert city == {cast.zone_a.pk, cast.zone_a2.pk}
    assert [r["subject_id"] for r in listed(api_for, cast.city, "?kind=prefecture")] == [
        cast.zone_a.prefecture_id
    ]
    province = {r["subject_id"] for r in listed(api_for, cast.province)}
    assert {cast.zone_a.pk, cast.zone_b.pk, cast.zone_a2.pk} <= province
    prefectures = {r["subject_id"] for r in listed(api_for, cast.province, "?kind=prefecture")}
    assert prefectures == {cast.zone_a.prefecture_id, cast.zone_b.prefecture_id}


def test_a_lead_of_two_zones_is_seen_by_the_staff_of_each(cast, methodology, api_for):
    lead = member(cast.zone_a, "t_lead_two")
    MembershipFactory(user=lead, role="zone_staff", zone=cast.zone_a2)
    staff_a2 = member(cast.zone_a2, "t_staff_a2")
    for zone in (cast.zone_a, cast.zone_a2):
        project = make_project(cast.admin, zone, stage=ProjectStage.SIGNED, lead=lead)
        milestone(cast.admin, project, on(10), on(10))
    recompute(period())
    row = stored("lead", lead.pk)
    assert row.zone is None and row.prefecture == cast.zone_a.prefecture
    for user in (cast.staff_a, staff_a2, cast.city, cast.province):
        assert [r["subject_label"] for r in listed(api_for, user, "?kind=lead")] == [
            "t_lead_two"
        ], user
    assert listed(api_for, cast.staff_b, "?kind=lead") == []


def test_the_period_and_kind_filters(cast, world, api_for):
    recompute(previous())
    recompute(period())
    latest = listed(api_for, cast.province)
    assert {r["period"] for r in latest} == {f"{period():%Y-%m}"}
    older = listed(api_for, cast.province, f"?period={previous():%Y-%m}")
    assert older and {r["period"] for r in older} == {f"{previous():%Y-%m}"}
    assert listed(api_for, cast.province, "?period=2001-01") == []
    leads = listed(api_for, cast.province, "?kind=lead")
    assert {r["subject_id"] for r in leads} == {world["lead_a"].pk, world["lead_b"].pk}
    by_zone = listed(api_for, cast.province, f"?kind=lead&zone={cast.zone_b.pk}")
    assert [r["subject_id"] for r in by_zone] == [world["lead_b"].pk]
    by_pref = listed(api_for, cast.province, f"?prefecture={cast.zone_b.prefecture_id}")
    assert [r["subject_id"] for r in by_pref] == [cast.zone_b.pk]
    api = api_for(cast.province)
    assert api.get(f"{URL}?period=2025-13").status_code == 400
    assert api.get(f"{URL}?kind=nobody").status_code == 400
    assert api.get(f"{URL}?methodology=no-such-version").status_code == 400


def test_the_api_is_read_only(cast, world, api_for):
    recompute(period())
    before = rows()
    api = api_for(cast.admin)
    assert api.post(URL, {"kind": "zone"}, format="json").status_code == 405
    assert api.delete(URL).status_code == 405
    assert rows() == before
