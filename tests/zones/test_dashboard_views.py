"""The leaders' dashboards: the provincial cockpit, a prefecture's dashboard and a zone's.

The figures come from the rows a real recompute writes (``ZoneScore``, ``ZoneSummary``,
``AccountabilityScore``) for a month three months back, over projects made with the real
services; a few stored stages and outputs are then set by hand so the distributions are not all
alike. Pages are read as text (the headline figures by id, the tables row by row) and their
inline charts parsed as SVG, so each test also proves the markup the browser gets.
"""

from __future__ import annotations

import datetime
import html
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal, InvalidOperation

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from investment.models import ProjectStage
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, UserFactory, ZoneFactory, guizhou, prefecture
from tests.investment.helpers import make_project
from zones.models import Stage, Zone, ZoneScore, ZoneSummary, ZoneType
from zones.recompute import month_end, recompute

pytestmark = pytest.mark.django_db

NS = "{http://www.w3.org/2000/svg}"
COCKPIT = "/cockpit/"
API = "/api/v1/cockpit/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def months_back(n: int) -> datetime.date:
    day = timezone.localdate().replace(day=1)
    for _ in range(n):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


def period() -> datetime.date:
    return months_back(3)


def previous() -> datetime.date:
    return months_back(4)


def zone_url(zone) -> str:
    return reverse("zones:zone-dashboard", args=[zone.pk])


def prefecture_url(pref) -> str:
    return reverse("zones:prefecture-dashboard", args=[pref.pk])


@pytest.fixture
def world(cast):
    """Outputs of 30, 5 and 15 亿元; zone A has a signed and a started project, zone A2 a lead,
    zone B a signed one (four projects in all); both months recomputed, then this month's
    stages set to 聚核 (A, B) and 聚集中 (A2) so the distribution has two bars."""
    for zone, output in ((cast.zone_a, 300000), (cast.zone_a2, 50000), (cast.zone_b, 150000)):
        Zone.objects.filter(pk=zone.pk).update(latest_output=Decimal(output))
    make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED, name="A区签约项目")
    make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED, name="A区开工项目")
    make_project(cast.admin, cast.zone_a2, name="A2区线索项目")
    make_project(cast.staff_b, cast.zone_b, stage=ProjectStage.SIGNED, name="B区签约项目")
    recompute(previous())
    recompute(period())
    ZoneScore.objects.filter(period=period(), zone__in=[cast.zone_a, cast.zone_b]).update(
        stage=Stage.CORE
    )
    ZoneScore.objects.filter(period=period(), zone=cast.zone_a2).update(stage=Stage.AGGLOMERATING)
    return cast


# --- reading pages --------------------------------------------------------------------------


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def text(response) -> str:
    return response.content.decode()


def stat(response, name: str) -> str:
    """The text of a headline figure (``#stat-<name>``), tags removed."""
    match = re.search(rf'id="stat-{name}">(.*?)</div>', text(response), re.S)
    assert match, f"#stat-{name} not on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def _cells(row_html: str) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row_html, re.S)
    ]


def page_table(response, key: str) -> tuple[list[str], list[list[str]]]:
    """The header and body rows (cell texts) of the table ``#table-<key>``."""
    match = re.search(rf'id="table-{key}".*?</table>', text(response), re.S)
    assert match, f"#table-{key} not on the page"
    head, body = match.group(0).split("<tbody>")
    rows = [_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return _cells(head.split("<thead")[1]), [r for r in rows if r != ["暂无数据"]]


def inline_chart(response, chart_id: str) -> ET.Element:
    """The chart drawn inline on the page, parsed as XML (it must be well formed)."""
    match = re.search(rf'<svg [^>]*\bid="{chart_id}".*?</svg>', text(response), re.S)
    assert match, f"chart {chart_id} not on the page"
    return ET.fromstring(match.group(0))


def mark_values(root: ET.Element) -> dict[str, float]:
    return {
        g.get("data-label"): float(g.get("data-value"))
        for g in root.iter(f"{NS}g")
        if g.get("class") == "dz-mark"
    }


def xlsx_rows(response) -> list[list[object]]:
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def same(value: object) -> object:
    """A cell as a comparable value: numbers as floats, empty as the page's dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, int | float | Decimal):
        return float(value)
    try:
        return float(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def stored_projects(zones) -> int:
    """Projects in the pipeline (every stage but 终止) by the month's summary rows."""
    rows = ZoneSummary.objects.filter(period=period(), section="pipeline", zone__in=zones)
    return sum(
        n for row in rows for stage, n in row.figures["stages"].items() if stage != "terminated"
    )


# --- access ---------------------------------------------------------------------------------


def test_provincial_roles_and_the_administrator_open_the_cockpit(world, client_for):
    for user in (world.province, world.supervisor, world.admin):
        response = get(client_for(user), COCKPIT)
        assert "开发区驾驶舱" in text(response), user


def test_city_zone_roles_and_outsiders_get_403_on_the_cockpit_and_its_downloads(world, client_for):
    for user in (
        world.city,
        world.leader_a,
        world.staff_a,
        world.viewer_a,
        world.staff_b,
        world.outsider,
    ):
        client = client_for(user)
        for url in (COCKPIT, f"{COCKPIT}?chart=stages", f"{COCKPIT}?export=zones"):
            get(client, url, 403)


def test_anonymous_visitors_are_sent_to_login_from_every_dashboard(world, client):
    urls = [
        COCKPIT,
        f"{COCKPIT}?chart=quadrant",
        prefecture_url(world.zone_a.prefecture),
        zone_url(world.zone_a),
        f"{zone_url(world.zone_a)}?export=trends",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_the_city_supervisor_opens_their_prefectures_dashboard_but_another_is_404(
    world, client_for
):
    client = client_for(world.city)
    response = get(client, prefecture_url(world.zone_a.prefecture))
    _head, rows = page_table(response, "zones")
    assert [r[0] for r in rows] == [world.zone_a.name, world.zone_a2.name]
    assert world.zone_b.name not in text(response)
    get(client, prefecture_url(world.zone_b.prefecture), 404)
    get(client, f"{prefecture_url(world.zone_b.prefecture)}?export=zones", 404)


def test_zone_roles_get_404_on_every_prefecture_dashboard(world, client_for):
    for user in (world.leader_a, world.staff_a, world.viewer_a, world.staff_b, world.outsider):
        client = client_for(user)
        for pref in (world.zone_a.prefecture, world.zone_b.prefecture):
            get(client, prefecture_url(pref), 404)


def test_zone_roles_open_their_zones_dashboard_and_get_404_for_another_zone(world, client_for):
    for user in (world.leader_a, world.staff_a, world.viewer_a):
        client = client_for(user)
        response = get(client, zone_url(world.zone_a))
        assert f'id="dashboard-title">{world.zone_a.name}<' in text(response)
        for other in (world.zone_a2, world.zone_b):
            get(client, zone_url(other), 404)
            get(client, f"{zone_url(other)}?chart=radar", 404)
            get(client, f"{zone_url(other)}?export=trends", 404)
    get(client_for(world.staff_b), zone_url(world.zone_a), 404)
    get(client_for(world.outsider), zone_url(world.zone_a), 404)


def test_provincial_roles_open_every_zone_dashboard_and_the_city_those_of_its_prefecture(
    world, client_for
):
    for user in (world.province, world.supervisor, world.admin):
        client = client_for(user)
        for zone in (world.zone_a, world.zone_a2, world.zone_b):
            get(client, zone_url(zone))
    city = client_for(world.city)
    get(city, zone_url(world.zone_a))
    get(city, zone_url(world.zone_a2))
    get(city, zone_url(world.zone_b), 404)


# --- the cockpit's figures ------------------------------------------------------------------


def test_the_cockpit_headline_counts_the_zones_and_projects_of_the_summaries(world, client_for):
    response = get(client_for(world.province), COCKPIT)
    assert int(stat(response, "zones")) == Zone.objects.count() == 3
    zones = [world.zone_a, world.zone_a2, world.zone_b]
    assert int(stat(response, "projects")) == stored_projects(zones) == 4
    _head, rows = page_table(response, "zones")
    assert [r[0] for r in rows] == [z.name for z in zones]
    # the table's project column is the summaries' per zone
    assert [int(r[7]) for r in rows] == [2, 1, 1]


def test_the_stage_chart_shows_the_stored_stages_as_the_api_does(world, client_for, api_for):
    response = get(client_for(world.province), COCKPIT)
    drawn = mark_values(inline_chart(response, "stages"))
    counts = Counter(ZoneScore.objects.filter(period=period()).values_list("stage", flat=True))
    assert counts == {Stage.CORE: 2, Stage.AGGLOMERATING: 1}
    assert drawn == {str(label): float(counts.get(code, 0)) for code, label in Stage.choices}
    api = api_for(world.province).get(API).json()
    assert {row["label"]: float(row["n"]) for row in api["stages"]} == drawn
    _head, rows = page_table(response, "stages")
    assert {r[0]: float(r[1]) for r in rows} == drawn


def test_the_prefecture_and_type_filters_narrow_the_figures(world, client_for):
    Zone.objects.filter(pk=world.zone_b.pk).update(type=ZoneType.HIGH_TECH)
    client = client_for(world.province)
    zunyi = get(client, f"{COCKPIT}?prefecture={world.zone_b.prefecture.code}")
    assert stat(zunyi, "zones") == "1"
    assert int(stat(zunyi, "projects")) == stored_projects([world.zone_b]) == 1
    assert [r[0] for r in page_table(zunyi, "zones")[1]] == [world.zone_b.name]
    assert sum(mark_values(inline_chart(zunyi, "stages")).values()) == 1

    guiyang = get(client, f"{COCKPIT}?prefecture={world.zone_a.prefecture.code}")
    assert stat(guiyang, "zones") == "2"
    assert int(stat(guiyang, "projects")) == stored_projects([world.zone_a, world.zone_a2]) == 3

    high_tech = get(client, f"{COCKPIT}?type={ZoneType.HIGH_TECH}")
    assert stat(high_tech, "zones") == "1"
    assert [r[0] for r in page_table(high_tech, "zones")[1]] == [world.zone_b.name]
    economic_in_zunyi = get(
        client, f"{COCKPIT}?type={ZoneType.ECONOMIC}&prefecture={world.zone_b.prefecture.code}"
    )
    assert stat(economic_in_zunyi, "zones") == "0"
    assert stat(economic_in_zunyi, "projects") == "0"


def test_an_invalid_period_falls_back_to_the_latest_month(world, client_for):
    client = client_for(world.province)
    latest = f"统计月份：{period().year}年{period().month}月"
    for query in ("", "?period=2001-01", "?period=garbage", "?period=2025-13"):
        assert latest in text(get(client, f"{COCKPIT}{query}")), query
    older = get(client, f"{COCKPIT}?period={previous():%Y-%m}")
    assert f"统计月份：{previous().year}年{previous().month}月" in text(older)


def test_an_invalid_period_keeps_the_other_filters(world, client_for):
    """A stale bookmark (a month no longer offered) must not silently widen the figures to the
    whole province while the form still shows the prefecture chosen."""
    client = client_for(world.province)
    response = get(client, f"{COCKPIT}?period=2001-01&prefecture={world.zone_b.prefecture.code}")
    assert f"统计月份：{period().year}年{period().month}月" in text(response)
    assert stat(response, "zones") == "1"


def test_the_page_says_as_of_which_day_and_when_the_figures_were_computed(world, client_for):
    response = get(client_for(world.province), COCKPIT)
    computed = max(ZoneScore.objects.filter(period=period()).values_list("computed_at", flat=True))
    assert f"数据截至 {month_end(period()):%Y-%m-%d}" in text(response)
    assert f"最近计算于 {timezone.localtime(computed):%Y-%m-%d %H:%M}" in text(response)
    assert 'id="data-stale"' not in text(response)


def test_scores_older_than_the_stale_hours_show_a_warning(world, client_for, settings):
    settings.DEVZONE_SCORES_STALE_HOURS = 36
    old = timezone.now() - datetime.timedelta(hours=37)
    ZoneScore.objects.filter(zone=world.zone_a2).update(computed_at=old)
    client = client_for(world.province)
    response = get(client, COCKPIT)
    assert 'id="data-stale"' in text(response)
    assert f"{timezone.localtime(old):%Y-%m-%d %H:%M}" in text(response)
    assert 'id="data-stale"' in text(get(client, zone_url(world.zone_a2)))
    assert 'id="data-stale"' not in text(get(client, zone_url(world.zone_a)))
    # an older month is expected to be old: no warning
    assert 'id="data-stale"' not in text(get(client, f"{COCKPIT}?period={previous():%Y-%m}"))
    settings.DEVZONE_SCORES_STALE_HOURS = 48
    assert 'id="data-stale"' not in text(get(client, COCKPIT))


def test_a_month_without_scores_says_so_instead_of_showing_a_date(cast, client_for):
    response = get(client_for(cast.province), COCKPIT)
    assert 'id="data-missing"' in text(response)
    assert stat(response, "zones") == "3"
    assert stat(response, "projects") == "0"


# --- the prefecture's and the zone's own pages --------------------------------------------------


def test_the_prefecture_dashboard_has_no_province_map_or_prefecture_table(world, client_for):
    client = client_for(world.city)
    url = prefecture_url(world.zone_a.prefecture)
    response = get(client, url)
    assert stat(response, "zones") == "2"
    assert 'id="chart-map"' not in text(response)
    assert 'id="table-prefectures"' not in text(response)
    get(client, f"{url}?chart=map", 404)
    get(client, f"{url}?chart=by-prefecture", 404)
    get(client, f"{url}?export=prefectures", 404)
    rows = xlsx_rows(get(client, f"{url}?export=zones"))
    assert [r[0] for r in rows[1:]] == [world.zone_a.name, world.zone_a2.name]


def test_the_zone_dashboard_shows_the_zones_own_figures(world, client_for):
    response = get(client_for(world.staff_a), zone_url(world.zone_a))
    score = ZoneScore.objects.get(zone=world.zone_a, period=period())
    assert stat(response, "quality") == str(score.quality)
    assert stat(response, "stage") == str(Stage.CORE.label)
    assert int(stat(response, "projects")) == stored_projects([world.zone_a]) == 2
    drawn = mark_values(inline_chart(response, "pipeline"))
    assert drawn[str(ProjectStage.SIGNED.label)] == 1
    assert drawn[str(ProjectStage.STARTED.label)] == 1
    _head, trends = page_table(response, "trends")
    assert [r[0] for r in trends] == [f"{months_back(n):%Y-%m}" for n in range(14, 2, -1)]
    assert world.zone_b.name not in text(response)


# --- downloads --------------------------------------------------------------------------------


def test_the_quadrant_chart_downloads_as_an_svg_file_linking_to_zone_dashboards(world, client_for):
    response = get(client_for(world.province), f"{COCKPIT}?chart=quadrant")
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Disposition"] == 'attachment; filename="cockpit-quadrant.svg"'
    root = ET.fromstring(response.content)  # a well-formed document, declaration included
    assert root.tag == f"{NS}svg" and root.get("id") == "quadrant"
    links = {a.get("href") for a in root.iter(f"{NS}a")}
    zones = (world.zone_a, world.zone_a2, world.zone_b)
    assert links == {zone_url(z) for z in zones}
    labels = " ".join(g.get("data-label") for g in root.iter(f"{NS}g") if g.get("data-label"))
    assert all(z.name in labels for z in zones)


def test_every_chart_on_the_page_downloads_under_its_key_with_the_filters(world, client_for):
    client = client_for(world.province)
    code = world.zone_b.prefecture.code
    response = get(client, f"{COCKPIT}?prefecture={code}")
    keys = re.findall(r'href="\?prefecture=\d+&amp;chart=([\w-]+)"', text(response))
    assert {"stages", "quadrant", "map", "funnel"} <= set(keys)
    for key in keys:
        download = get(client, f"{COCKPIT}?prefecture={code}&chart={key}")
        assert ET.fromstring(download.content).get("id") == key
    stages = ET.fromstring(get(client, f"{COCKPIT}?prefecture={code}&chart=stages").content)
    assert mark_values(stages) == mark_values(inline_chart(response, "stages"))


def test_an_unknown_chart_or_table_key_is_404(world, client_for):
    province = client_for(world.province)
    for url in (COCKPIT, zone_url(world.zone_a), prefecture_url(world.zone_a.prefecture)):
        get(province, f"{url}?chart=no-such-chart", 404)
        get(province, f"{url}?export=no-such-table", 404)
        get(province, f"{url}?chart=", 404)


def test_the_zone_table_exports_one_row_per_zone_with_the_figures_of_the_page(world, client_for):
    client = client_for(world.province)
    page_head, page_rows = page_table(get(client, COCKPIT), "zones")
    rows = xlsx_rows(get(client, f"{COCKPIT}?export=zones"))
    assert rows[0] == page_head
    assert len(rows) - 1 == Zone.objects.count() == 3
    assert [[same(v) for v in row] for row in rows[1:]] == [
        [same(v) for v in row] for row in page_rows
    ]
    # the figures are the stored ones, not only the page's
    quality = {r[0]: r[5] for r in rows[1:]}
    assert quality[world.zone_a.name] == float(
        ZoneScore.objects.get(zone=world.zone_a, period=period()).quality
    )


def test_the_export_keeps_the_pages_filters(world, client_for):
    client = client_for(world.province)
    code = world.zone_b.prefecture.code
    rows = xlsx_rows(get(client, f"{COCKPIT}?prefecture={code}&export=zones"))
    assert [r[0] for r in rows[1:]] == [world.zone_b.name]


def test_zone_names_that_look_like_formulas_are_exported_as_text(world, client_for):
    names = {
        world.zone_a2.pk: '=HYPERLINK("http://example.test","点击")',
        world.zone_b.pk: "@SUM(1)",
    }
    for pk, name in names.items():
        Zone.objects.filter(pk=pk).update(name=name)
    response = get(client_for(world.province), f"{COCKPIT}?export=zones")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {sheet.cell(row, 1).value: sheet.cell(row, 1) for row in range(2, sheet.max_row + 1)}
    for name in names.values():
        cell = cells["'" + name]
        assert cell.data_type == "s"
    assert world.zone_a.name in cells  # an ordinary name is left as it is
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_the_zone_dashboard_downloads_its_charts_and_tables(world, client_for):
    client = client_for(world.staff_a)
    url = zone_url(world.zone_a)
    radar = get(client, f"{url}?chart=radar")
    assert radar["Content-Disposition"] == (
        f'attachment; filename="zone-{world.zone_a.code}-radar.svg"'
    )
    assert ET.fromstring(radar.content).get("id") == "radar"
    head, page_rows = page_table(get(client, url), "trends")
    rows = xlsx_rows(get(client, f"{url}?export=trends"))
    assert rows[0] == head and len(rows) == 13
    assert [[same(v) for v in r] for r in rows[1:]] == [[same(v) for v in r] for r in page_rows]


# --- query counts -----------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def add_zones(n: int, start: int) -> list[Zone]:
    """``n`` zones spread over three prefectures, every third with a signed project."""
    names = ("贵阳市", "遵义市", "六盘水市")
    zones = []
    for i in range(start, start + n):
        zone = ZoneFactory(prefecture=prefecture(names[i % 3]), latest_output=Decimal(10000 * i))
        if i % 3 == 0:
            staff = UserFactory(username=f"t_qstaff_{i}", password=PASSWORD)
            MembershipFactory(user=staff, role="zone_staff", zone=zone)
            make_project(staff, zone, stage=ProjectStage.SIGNED)
        zones.append(zone)
    return zones


def test_the_cockpit_and_a_zone_dashboard_cost_the_same_queries_for_2_and_20_zones(client):
    """Cockpit (11): session, user, scope, periods, zones, methodology, scores, summaries,
    accountability rows, latest period (freshness), the form's prefecture choices; with a
    prefecture filter one more (the form looks the chosen code up).
    Zone dashboard (14): session, user, scope, the zone, periods, methodology, its 12 months of
    scores, the province's scores, its summaries, its accountability rows, latest period, and
    the scorecard's score, indicator names and stage history."""
    leader = UserFactory(username="t_q_province", password=PASSWORD)
    MembershipFactory(user=leader, role="provincial_leader", province=guizhou())
    client.force_login(leader)
    first = add_zones(2, 0)
    recompute(period())
    urls = (COCKPIT, zone_url(first[0]), f"{COCKPIT}?prefecture={first[0].prefecture.code}")
    small = [count_queries(client, url) for url in urls]
    add_zones(18, 2)
    recompute(period())
    assert Zone.objects.count() == 20
    large = [count_queries(client, url) for url in urls]
    assert large == small
    assert max(small) <= 15
