"""The accountability board (问责评价榜) and the drill-down behind each score.

A real recompute of a month three months back stores the rows from projects, milestones and
supervision items made with the services; the zones' scores, colours and movements are then
set by hand so sorting and the colour filter have distinct values to work on. One project lead
works in zone A (贵阳市) and zone B (遵义市): their score is made of both zones' records, so
zone A's staff may open it but must not see zone B's records in it.
"""

from __future__ import annotations

import datetime
import html
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from investment import services
from investment.models import AccountabilityScore, ProjectStage, SupervisionItem
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, UserFactory, ZoneFactory, guizhou, prefecture
from tests.investment.helpers import make_project
from tests.investment.supervision_helpers import raise_item
from zones.models import Zone
from zones.recompute import recompute

pytestmark = pytest.mark.django_db

BOARD = "/accountability/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def months_back(n: int) -> datetime.date:
    day = timezone.localdate().replace(day=1)
    for _ in range(n):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


def period() -> datetime.date:
    return months_back(3)


def on(day: int) -> datetime.date:
    return period().replace(day=day)


def member(username: str, *zones):
    user = UserFactory(username=username, password=PASSWORD)
    for zone in zones:
        MembershipFactory(user=user, role="zone_staff", zone=zone)
    return user


def milestone(user, project, title: str, planned: int, actual: int):
    return services.create_milestone(
        user,
        project,
        {"title": title, "planned_date": on(planned), "actual_date": on(actual)},
    )


def overdue_item(supervisor, zone, assignee, title: str, project) -> SupervisionItem:
    item = raise_item(supervisor, zone, assignee=assignee, title=title, project=project)
    SupervisionItem.objects.filter(pk=item.pk).update(deadline=on(5))
    return item


# Zone scores set after the recompute: (score, colour, rank, movement); zone C has no data.
SCORES = {
    "zone_a": (Decimal("91.50"), "green", 1, Decimal("5.00")),
    "zone_a2": (Decimal("72.00"), "yellow", 2, Decimal("-3.00")),
    "zone_b": (Decimal("40.00"), "red", 3, Decimal("10.00")),
}


@pytest.fixture
def world(cast):
    """Zones A, A2 and C (贵阳市) and B (遵义市); t_lead_two leads a project in A and one in B,
    t_lead_b one in B; milestones and an overdue item in each; then the month recomputed."""
    zone_c = ZoneFactory(code="TZ-C", name="测试开发区C", prefecture=prefecture("贵阳市"))
    lead_two = member("t_lead_two", cast.zone_a, cast.zone_b)
    lead_b = member("t_lead_b", cast.zone_b)
    pa = make_project(
        cast.admin, cast.zone_a, stage=ProjectStage.SIGNED, lead=lead_two, name="A区电池项目"
    )
    pb = make_project(
        cast.admin, cast.zone_b, stage=ProjectStage.SIGNED, lead=lead_two, name="B区电池项目"
    )
    pb2 = make_project(
        cast.admin, cast.zone_b, stage=ProjectStage.SIGNED, lead=lead_b, name="B区材料项目"
    )
    milestone(cast.admin, pa, "A区按期节点", 10, 9)
    milestone(cast.admin, pb, "B区逾期节点", 10, 14)
    milestone(cast.admin, pb2, "B区材料节点", 10, 10)
    overdue_item(cast.supervisor, cast.zone_a, lead_two, "A区督办事项", pa)
    overdue_item(cast.supervisor, cast.zone_b, lead_two, "B区督办事项", pb)
    recompute(period())
    for name, (score, colour, rank, movement) in SCORES.items():
        zone = getattr(cast, name)
        AccountabilityScore.objects.filter(period=period(), subject_kind="zone", zone=zone).update(
            score=score, colour=colour, rank=rank, movement=movement
        )
    cast.zone_c, cast.lead_two, cast.lead_b = zone_c, lead_two, lead_b
    return cast


def row_of(kind: str, subject_id: int) -> AccountabilityScore:
    return AccountabilityScore.objects.get(subject_key=f"{kind}:{subject_id}", period=period())


def detail_url(row: AccountabilityScore) -> str:
    return reverse("investment:accountability-detail", args=[row.pk])


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def board(client, query: str = "") -> list[tuple[str, str]]:
    """(name, data-score) of each row of the board, in order."""
    page = get(client, f"{BOARD}{query}").content.decode()
    body = re.search(r'id="board-table".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [
        (html.unescape(re.sub(r"<[^>]+>", "", name)).strip(), score)
        for score, name in re.findall(
            r'<tr data-score="([^"]*)">\s*<td>.*?</td>\s*<td>(.*?)</td>', body, re.S
        )
    ]


def names(client, query: str = "") -> list[str]:
    return [name for name, _score in board(client, query)]


def exported(client, query: str = "") -> list[list[object]]:
    response = get(client, f"{BOARD}?{query}&export=1" if query else f"{BOARD}?export=1")
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- the board --------------------------------------------------------------------------------


def test_the_board_ranks_the_months_zones_with_missing_scores_last(world, client_for):
    rows = board(client_for(world.province))
    assert rows == [
        (world.zone_a.name, "91.50"),
        (world.zone_a2.name, "72.00"),
        (world.zone_b.name, "40.00"),
        (world.zone_c.name, ""),
    ]


def test_sorting_by_score_goes_both_ways_and_keeps_missing_scores_last(world, client_for):
    client = client_for(world.province)
    a, a2, b, c = (z.name for z in (world.zone_a, world.zone_a2, world.zone_b, world.zone_c))
    assert names(client, "?sort=score") == [b, a2, a, c]
    assert names(client, "?sort=-score") == [a, a2, b, c]
    assert names(client, "?sort=-rank") == [b, a2, a, c]
    assert names(client, "?sort=-movement") == [b, a, a2, c]
    assert names(client, "?sort=movement") == [a2, a, b, c]
    assert names(client, "?sort=name;drop") == names(client, "?sort=rank") == [a, a2, b, c]


def test_the_colour_filter_keeps_only_that_colour(world, client_for):
    client = client_for(world.province)
    assert names(client, "?colour=green") == [world.zone_a.name]
    assert names(client, "?colour=yellow") == [world.zone_a2.name]
    assert names(client, "?colour=red") == [world.zone_b.name]


def test_the_kind_tabs_switch_between_zones_leaders_leads_and_prefectures(world, client_for):
    client = client_for(world.province)
    assert set(names(client, "?kind=lead")) == {"t_lead_two", "t_lead_b"}
    assert names(client, "?kind=zone_leader") == ["t_leader_a"]
    assert set(names(client, "?kind=prefecture")) == {"贵阳市", "遵义市"}
    page = get(client, f"{BOARD}?kind=lead").content.decode()
    active = re.findall(r'class="nav-link active" aria-current="page" href="\?kind=(\w+)', page)
    assert active == ["lead"]


def test_the_search_finds_a_zone_or_a_person(world, client_for):
    client = client_for(world.province)
    assert names(client, "?q=A2") == [world.zone_a2.name]
    assert names(client, "?kind=lead&q=lead_b") == ["t_lead_b"]


def test_the_export_has_the_rows_of_the_page_in_the_same_order(world, client_for):
    client = client_for(world.province)
    for query in ("", "sort=score", "sort=-movement", "colour=red", "kind=lead&sort=-score"):
        rows = exported(client, query)
        assert rows[0][:6] == ["名次", "评价对象", "所在开发区", "市州", "评分", "颜色"], query
        page = board(client, f"?{query}")
        assert [r[1] for r in rows[1:]] == [name for name, _score in page], query
        assert [None if r[4] is None else Decimal(str(r[4])) for r in rows[1:]] == [
            Decimal(score) if score else None for _name, score in page
        ], query


def test_the_export_is_named_after_the_kind_and_month(world, client_for):
    response = get(client_for(world.province), f"{BOARD}?kind=lead&export=1")
    assert f"accountability-lead-{period():%Y-%m}-" in response["Content-Disposition"]


def test_an_invalid_period_falls_back_to_the_latest_and_keeps_the_kind(world, client_for):
    """A month no longer offered (or a colour typo) must not reset the tab to zones."""
    client = client_for(world.province)
    assert set(names(client, "?period=2001-01")) == {
        z.name for z in (world.zone_a, world.zone_a2, world.zone_b, world.zone_c)
    }
    assert set(names(client, "?period=2001-01&kind=lead")) == {"t_lead_two", "t_lead_b"}


# --- scope --------------------------------------------------------------------------------


def test_zone_staff_never_see_another_zones_rows_on_the_board_or_its_export(world, client_for):
    client = client_for(world.staff_a)
    for kind in ("zone", "lead", "zone_leader", "prefecture"):
        page = get(client, f"{BOARD}?kind={kind}").content.decode()
        assert world.zone_b.name not in page and "t_lead_b" not in page, kind
        assert "遵义市" not in page, kind
        flat = [str(v) for row in exported(client, f"kind={kind}") for v in row]
        assert world.zone_b.name not in flat and "t_lead_b" not in flat, kind
    assert names(client) == [world.zone_a.name]
    assert names(client, "?kind=lead") == ["t_lead_two"]  # leads a project of zone A
    assert names(client, "?kind=prefecture") == []


def test_the_city_sees_the_rows_of_its_prefecture_only(world, client_for):
    client = client_for(world.city)
    assert set(names(client)) == {world.zone_a.name, world.zone_a2.name, world.zone_c.name}
    assert names(client, "?kind=prefecture") == ["贵阳市"]


def test_another_zones_rows_are_404_for_zone_staff(world, client_for):
    client = client_for(world.staff_a)
    for row in (
        row_of("zone", world.zone_b.pk),
        row_of("lead", world.lead_b.pk),
        row_of("prefecture", world.zone_b.prefecture_id),
        row_of("prefecture", world.zone_a.prefecture_id),
    ):
        get(client, detail_url(row), 404)
    own = row_of("zone", world.zone_a.pk)
    get(client, detail_url(own))
    get(client_for(world.staff_b), detail_url(own), 404)


def test_anonymous_visitors_are_sent_to_login(world, client):
    detail = detail_url(row_of("zone", world.zone_a.pk))
    for url in (BOARD, f"{BOARD}?export=1", detail):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


# --- the drill-down -------------------------------------------------------------------------------


def drill(client, row: AccountabilityScore) -> str:
    return get(client, detail_url(row)).content.decode()


def group(page: str, key: str) -> str:
    """The list of records of one component's group, e.g. ``milestones_on_time-late``."""
    match = re.search(rf'data-group="{key}">(.*?)</ul>', page, re.S)
    assert match, f"group {key} not on the page"
    return match.group(1)


def test_the_drill_down_lists_the_records_behind_each_component(world, client_for):
    page = drill(client_for(world.province), row_of("lead", world.lead_two.pk))
    assert 'id="subject-name">t_lead_two' in page
    assert "A区按期节点" in group(page, "milestones_on_time-on_time")
    assert "B区逾期节点" in group(page, "milestones_on_time-late")
    reports = group(page, "reports_on_time-missing")
    assert "A区电池项目" in reports and "B区电池项目" in reports
    items = group(page, "items_closed_on_time-late")
    assert "A区督办事项" in items and "B区督办事项" in items
    assert "不在您的查看范围内" not in page


def test_the_drill_down_hides_another_zones_records_and_counts_them(world, client_for):
    row = row_of("lead", world.lead_two.pk)
    assert row.zone is None  # the lead spans two prefectures: no zone, no prefecture
    for user in (world.staff_a, world.city):
        page = drill(client_for(user), row)
        for title in ("B区逾期节点", "B区电池项目", "B区督办事项", world.zone_b.name):
            assert title not in page, (user, title)
        assert "A区按期节点" in group(page, "milestones_on_time-on_time")
        assert "另有 1 条记录不在您的查看范围内" in group(page, "milestones_on_time-late")
        assert "另有 1 条记录不在您的查看范围内" in group(page, "reports_on_time-missing")
        items = group(page, "items_closed_on_time-late")
        assert "A区督办事项" in items and "另有 1 条记录不在您的查看范围内" in items


# --- query counts ----------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def add_zones(n: int, start: int) -> None:
    """``n`` zones over two prefectures, each with a lead and a signed project."""
    for i in range(start, start + n):
        zone = ZoneFactory(prefecture=prefecture(("贵阳市", "遵义市")[i % 2]))
        lead = member(f"t_qlead_{i}", zone)
        project = make_project(lead, zone, stage=ProjectStage.SIGNED, lead=lead)
        services.create_milestone(
            lead, project, {"title": f"节点{i}", "planned_date": on(10), "actual_date": on(11)}
        )


def test_the_board_costs_the_same_queries_for_2_and_20_zones(client):
    """Session, user, periods, methodology, scope, count, the page (7) — for zones and leads."""
    leader = UserFactory(username="t_q_province", password=PASSWORD)
    MembershipFactory(user=leader, role="provincial_leader", province=guizhou())
    client.force_login(leader)
    add_zones(2, 0)
    recompute(period())
    urls = (BOARD, f"{BOARD}?kind=lead&sort=-score", f"{BOARD}?colour=red")
    small = [count_queries(client, url) for url in urls]
    add_zones(18, 2)
    recompute(period())
    assert Zone.objects.count() == 20
    assert AccountabilityScore.objects.filter(period=period(), subject_kind="lead").count() == 20
    large = [count_queries(client, url) for url in urls]
    assert large == small
    assert max(small) <= 15
