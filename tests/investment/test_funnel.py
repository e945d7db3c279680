"""The investment funnel (招商漏斗): its numbers on a small world, its page and its export.

The world (zone A, planned investment in 万元, dates in the past so every move is allowed):

====  ===========  =====  ==================================================================
P1    specialised   100   线索 2024-01-01, 洽谈 01-11, 签约 02-10, 注册 03-01, 开工 04-01,
                          投产 06-01
P2    specialised   200   线索 2024-01-01, 洽谈 01-21, 签约 01-31
P3    resident      300   线索 2024-02-01, 洽谈 02-06, 终止 03-01 (from 洽谈)
P4    resident      400   线索 2024-03-01
P5    platform      500   entered at 签约 2025-05-01 (skipping 线索 and 洽谈), 注册 05-11
P6    platform      600   线索 2025-01-01, 洽谈 01-08, 签约 02-02, back to 洽谈 03-01
P7    specialised   700   线索 2024-05-01, 洽谈 05-04, 签约 06-13, 注册 07-03, 终止 08-01
                          (from 注册)
====  ===========  =====  ==================================================================
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from investment import selectors, services
from investment.funnel import funnel
from investment.models import PIPELINE, Project, ProjectStage, PromotionMode
from tests.investment.helpers import PROMISES, make_project, project_data

pytestmark = pytest.mark.django_db

D = datetime.date
S = ProjectStage
PAGE = reverse("investment:funnel")
EXPORT = reverse("investment:funnel-export")


def walk(user, zone, mode: str, investment: int, moves: list[tuple[str, datetime.date]]):
    """A project created at ``moves[0]`` and moved through the rest, through the services."""
    (first_stage, first_date), *rest = moves
    project = services.create_project(
        user,
        project_data(
            zone,
            promotion_mode=mode,
            planned_investment=Decimal(investment),
            planned_investment_this_year=Decimal(0),
        ),
        start_stage=first_stage,
        start_date=first_date,
        promises=PROMISES,
    )
    for stage, date in rest:
        services.transition(user, project, stage, date, reason="测试", promises=PROMISES)
    project.refresh_from_db()
    return project


def build_world(cast) -> dict[str, Project]:
    u, z = cast.staff_a, cast.zone_a
    return {
        "P1": walk(
            u,
            z,
            "specialised",
            100,
            [
                (S.LEAD, D(2024, 1, 1)),
                (S.NEGOTIATING, D(2024, 1, 11)),
                (S.SIGNED, D(2024, 2, 10)),
                (S.REGISTERED, D(2024, 3, 1)),
                (S.STARTED, D(2024, 4, 1)),
                (S.IN_PRODUCTION, D(2024, 6, 1)),
            ],
        ),
        "P2": walk(
            u,
            z,
            "specialised",
            200,
            [(S.LEAD, D(2024, 1, 1)), (S.NEGOTIATING, D(2024, 1, 21)), (S.SIGNED, D(2024, 1, 31))],
        ),
        "P3": walk(
            u,
            z,
            "resident",
            300,
            [
                (S.LEAD, D(2024, 2, 1)),
                (S.NEGOTIATING, D(2024, 2, 6)),
                (S.TERMINATED, D(2024, 3, 1)),
            ],
        ),
        "P4": walk(u, z, "resident", 400, [(S.LEAD, D(2024, 3, 1))]),
        "P5": walk(
            u, z, "platform", 500, [(S.SIGNED, D(2025, 5, 1)), (S.REGISTERED, D(2025, 5, 11))]
        ),
        "P6": walk(
            u,
            z,
            "platform",
            600,
            [
                (S.LEAD, D(2025, 1, 1)),
                (S.NEGOTIATING, D(2025, 1, 8)),
                (S.SIGNED, D(2025, 2, 2)),
                (S.NEGOTIATING, D(2025, 3, 1)),
            ],
        ),
        "P7": walk(
            u,
            z,
            "specialised",
            700,
            [
                (S.LEAD, D(2024, 5, 1)),
                (S.NEGOTIATING, D(2024, 5, 4)),
                (S.SIGNED, D(2024, 6, 13)),
                (S.REGISTERED, D(2024, 7, 3)),
                (S.TERMINATED, D(2024, 8, 1)),
            ],
        ),
    }


def column(stages: list[dict], key: str) -> list:
    return [s[key] for s in stages]


def mode_of(result: dict, mode: str) -> dict:
    return next(m for m in result["modes"] if m["mode"] == mode)


def xlsx_sheets(response) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


# --- the numbers --------------------------------------------------------------------------


def test_the_world_is_where_the_table_in_the_docstring_says(cast):
    world = build_world(cast)
    stages = {name: p.stage for name, p in world.items()}
    assert stages == {
        "P1": S.IN_PRODUCTION,
        "P2": S.SIGNED,
        "P3": S.TERMINATED,
        "P4": S.LEAD,
        "P5": S.REGISTERED,
        "P6": S.NEGOTIATING,
        "P7": S.TERMINATED,
    }


def test_counts_reached_and_at_stage_follow_the_highest_stage_each_project_reached(cast):
    build_world(cast)
    result = funnel(selectors.projects_for(cast.staff_a))
    stages = result["stages"]
    assert column(stages, "stage") == list(PIPELINE)
    assert column(stages, "label") == ["线索", "洽谈", "签约", "注册", "开工", "投产", "达产"]
    # highest reached: P1 投产, P2 签约, P3 洽谈, P4 线索, P5 注册, P6 签约 (moved back), P7 注册
    assert column(stages, "reached") == [7, 6, 5, 3, 1, 1, 0]
    # current: P4 线索, P6 洽谈, P2 签约, P5 注册, P1 投产; P3 and P7 terminated
    assert column(stages, "at_stage") == [1, 1, 1, 1, 0, 1, 0]
    assert column(stages, "terminated") == [0, 1, 0, 1, 0, 0, 0]
    assert result["terminated"] == {"count": 2, "investment": Decimal(1000)}
    assert result["total"] == {"count": 7, "investment": Decimal(2800)}


def test_investment_of_a_stage_sums_the_projects_that_reached_it(cast):
    build_world(cast)
    stages = funnel(selectors.projects_for(cast.staff_a))["stages"]
    assert column(stages, "investment") == [
        Decimal(2800),  # all seven
        Decimal(2400),  # all but P4
        Decimal(2100),  # P1 P2 P5 P6 P7
        Decimal(1300),  # P1 P5 P7
        Decimal(100),  # P1
        Decimal(100),  # P1
        Decimal(0),
    ]


def test_conversion_is_reached_over_reached_of_the_previous_stage(cast):
    build_world(cast)
    result = funnel(selectors.projects_for(cast.staff_a))
    assert column(result["stages"], "conversion") == [None, 6 / 7, 5 / 6, 3 / 5, 1 / 3, 1.0, 0.0]
    assert result["signed_to_production"] == 1 / 5


def test_median_days_between_first_entries_of_consecutive_stages(cast):
    build_world(cast)
    stages = funnel(selectors.projects_for(cast.staff_a))["stages"]
    # 洽谈: P1 10, P2 20, P3 5, P6 7, P7 3 → 7
    # 签约: P1 30, P2 10, P6 25, P7 40 → (25 + 30) / 2; P5 skipped 洽谈 and gives none
    # 注册: P1 20 (2024 is a leap year), P5 10, P7 20 → 20
    # 开工: P1 31; 投产: P1 61; 达产: nobody
    assert column(stages, "median_days") == [None, 7, 27.5, 20, 31, 61, None]
    assert column(stages, "intervals") == [0, 5, 4, 3, 1, 1, 0]


def test_the_split_by_promotion_mode(cast):
    build_world(cast)
    result = funnel(selectors.projects_for(cast.staff_a))
    assert [m["mode"] for m in result["modes"]] == list(PromotionMode.values)
    specialised = mode_of(result, "specialised")  # P1 P2 P7
    assert column(specialised["stages"], "reached") == [3, 3, 3, 2, 1, 1, 0]
    assert column(specialised["stages"], "median_days") == [None, 10, 30, 20, 31, 61, None]
    assert specialised["terminated"] == {"count": 1, "investment": Decimal(700)}
    assert specialised["total"] == {"count": 3, "investment": Decimal(1000)}
    assert specialised["signed_to_production"] == 1 / 3
    resident = mode_of(result, "resident")  # P3 P4
    assert column(resident["stages"], "reached") == [2, 1, 0, 0, 0, 0, 0]
    assert column(resident["stages"], "conversion") == [None, 0.5, 0.0, None, None, None, None]
    assert resident["signed_to_production"] is None
    platform = mode_of(result, "platform")  # P5 P6
    assert column(platform["stages"], "reached") == [2, 2, 2, 1, 0, 0, 0]
    assert column(platform["stages"], "at_stage") == [0, 1, 0, 1, 0, 0, 0]
    assert column(platform["stages"], "conversion") == [None, 1.0, 1.0, 0.5, 0.0, None, None]
    assert column(platform["stages"], "median_days") == [None, 7, 25, 10, None, None, None]
    assert platform["signed_to_production"] == 0.0
    # the modes add up to the whole
    for index in range(len(PIPELINE)):
        assert (
            sum(m["stages"][index]["reached"] for m in result["modes"])
            == (result["stages"][index]["reached"])
        )


def test_an_empty_scope_gives_zeros_and_no_division_by_zero(cast):
    result = funnel(Project.objects.none())
    assert column(result["stages"], "reached") == [0] * 7
    assert column(result["stages"], "conversion") == [None] * 7
    assert column(result["stages"], "median_days") == [None] * 7
    assert result["signed_to_production"] is None
    assert result["total"] == {"count": 0, "investment": Decimal(0)}
    assert all(m["total"]["count"] == 0 for m in result["modes"])


def test_the_year_keeps_the_projects_started_in_that_year(cast):
    build_world(cast)
    projects = selectors.projects_for(cast.staff_a)
    in_2025 = funnel(projects, year=2025)  # P5 (entered at 签约) and P6
    assert in_2025["year"] == 2025
    assert column(in_2025["stages"], "reached") == [2, 2, 2, 1, 0, 0, 0]
    assert in_2025["total"] == {"count": 2, "investment": Decimal(1100)}
    in_2024 = funnel(projects, year=2024)
    assert column(in_2024["stages"], "reached") == [5, 4, 3, 2, 1, 1, 0]
    assert in_2024["terminated"]["count"] == 2
    assert column(in_2024["stages"], "median_days")[1] == 7.5  # P7 3, P3 5, P1 10, P2 20
    assert funnel(projects, year=2023)["total"]["count"] == 0


def test_a_project_without_transitions_counts_at_its_current_stage(cast):
    Project.objects.create(
        code="XM-RAW-1",
        name="无变更记录项目",
        zone=cast.zone_a,
        investor_name="测试",
        planned_investment=Decimal(90),
        stage=S.REGISTERED,
    )
    result = funnel(selectors.projects_for(cast.staff_a))
    assert column(result["stages"], "reached") == [1, 1, 1, 1, 0, 0, 0]
    assert column(result["stages"], "median_days") == [None] * 7
    assert result["total"]["count"] == 1
    assert (
        funnel(selectors.projects_for(cast.staff_a), year=timezone.localdate().year)["total"][
            "count"
        ]
        == 1
    )


def test_without_by_mode_there_is_no_split(cast):
    build_world(cast)
    result = funnel(selectors.projects_for(cast.staff_a), by_mode=False)
    assert result["modes"] == []
    assert result["total"]["count"] == 7


def test_the_funnel_takes_two_queries_whatever_the_number_of_projects(cast):
    make_project(cast.staff_a, cast.zone_a, stage=S.SIGNED)
    with CaptureQueriesContext(connection) as one:
        funnel(selectors.projects_for(cast.staff_a), year=2025)
    for i in range(10):
        make_project(cast.staff_a, cast.zone_a, stage=PIPELINE[i % 7], start=300 + i)
    with CaptureQueriesContext(connection) as many:
        funnel(selectors.projects_for(cast.staff_a), year=2025)
    # the membership query of the scope is cached on the user
    assert len(one.captured_queries) == len(many.captured_queries) == 2


# --- the page and the export --------------------------------------------------------------


def test_every_role_of_the_cast_gets_the_page_in_chinese(client_for, cast):
    build_world(cast)
    for name, user in cast.everyone().items():
        response = client_for(user).get(PAGE)
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "招商漏斗" in body and "按招商方式" in body and "到达项目数" in body, name
        assert '<meter class="w-100"' in body, name
        assert "<script>" not in body, name


def test_the_page_shows_the_numbers_of_the_users_scope(client_for, cast):
    build_world(cast)
    walk(cast.staff_b, cast.zone_b, "other", 9000, [(S.LEAD, D(2024, 4, 1))])
    totals = {}
    for name in ("province", "city", "staff_a", "staff_b", "outsider"):
        response = client_for(getattr(cast, name)).get(PAGE)
        totals[name] = response.context["result"]["total"]["count"]
    assert totals == {"province": 8, "city": 7, "staff_a": 7, "staff_b": 1, "outsider": 0}
    body = client_for(cast.staff_a).get(PAGE).content.decode()
    assert "85.7%" in body  # 洽谈: 6 of 7
    assert "27.5" in body  # median days to 签约
    assert '<td class="text-end">2800</td>' in body  # 万元 of all that reached 线索


def test_staff_of_zone_b_sees_nothing_of_zone_a_in_page_or_export(client_for, cast):
    build_world(cast)
    walk(cast.staff_b, cast.zone_b, "other", 9000, [(S.LEAD, D(2024, 4, 1))])
    client = client_for(cast.staff_b)
    result = client.get(PAGE).context["result"]
    assert result["total"] == {"count": 1, "investment": Decimal(9000)}
    assert column(result["stages"], "reached") == [1, 0, 0, 0, 0, 0, 0]
    sheets = xlsx_sheets(client.get(EXPORT))
    funnel_rows = sheets["招商漏斗"]
    assert funnel_rows[1][:4] == ("线索", 1, 1, 9000)
    assert [row[1] for row in funnel_rows[2:8]] == [0] * 6
    modes = {row[0]: row for row in sheets["按招商方式"][1:]}
    assert modes["其他"][1] == 1 and sum(row[1] for row in modes.values()) == 1


def test_a_foreign_zone_or_prefecture_in_the_filters_is_refused(client_for, cast):
    build_world(cast)
    client = client_for(cast.staff_b)
    for query in ({"zone": cast.zone_a.code}, {"prefecture": cast.zone_a.prefecture.code}):
        response = client.get(PAGE, query)
        assert response.status_code == 200
        assert response.context["result"] is None
        body = response.content.decode()
        assert 'id="funnel-invalid"' in body and 'id="funnel-table"' not in body
        assert client.get(EXPORT, query).status_code == 400
    city = client_for(cast.city)
    assert city.get(PAGE, {"zone": cast.zone_b.code}).context["result"] is None
    assert city.get(PAGE, {"year": "nineteen"}).context["result"] is None


def test_the_filters_narrow_the_funnel(client_for, cast):
    build_world(cast)
    walk(cast.staff_b, cast.zone_b, "specialised", 9000, [(S.LEAD, D(2025, 4, 1))])
    client = client_for(cast.province)

    def total(**query):
        return client.get(PAGE, query).context["result"]["total"]["count"]

    assert total() == 8
    assert total(zone=cast.zone_a.code) == 7
    assert total(zone=cast.zone_a2.code) == 0
    assert total(prefecture=cast.zone_b.prefecture.code) == 1
    assert total(promotion_mode="specialised") == 4
    assert total(promotion_mode="specialised", year="2025") == 1
    assert total(zone=cast.zone_a.code, year="2025") == 2
    response = client.get(PAGE, {"promotion_mode": "platform"})
    assert [m["mode"] for m in response.context["modes"]] == ["platform"]


def test_the_export_has_both_tables_with_the_same_filters(client_for, cast):
    build_world(cast)
    response = client_for(cast.staff_a).get(EXPORT, {"year": "2024"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheets = xlsx_sheets(response)
    assert list(sheets) == ["招商漏斗", "按招商方式", "筛选条件"]
    rows = sheets["招商漏斗"]
    assert rows[0][0] == "阶段"
    assert [row[1] for row in rows[1:8]] == [5, 4, 3, 2, 1, 1, 0]
    assert rows[2][4] == 80.0  # 洽谈: 4 of 5
    assert rows[8][0] == "终止" and rows[8][2] == 2 and rows[8][3] == 1000
    modes = {row[0]: row for row in sheets["按招商方式"][1:]}
    assert modes["专业招商"][1:8] == (3, 3, 3, 2, 1, 1, 0)
    assert modes["专业招商"][9] == 33.3
    assert modes["驻地招商"][9] is None
    assert "2024 年录入" in sheets["筛选条件"][1][1]


def test_the_export_escapes_text_a_spreadsheet_would_run(client_for, cast):
    from zones.models import Zone

    Zone.objects.filter(pk=cast.zone_a.pk).update(name="=HYPERLINK(1)")
    response = client_for(cast.staff_a).get(EXPORT, {"zone": cast.zone_a.code})
    scope = xlsx_sheets(response)["筛选条件"][1][1]
    assert scope.startswith("'=HYPERLINK")


def test_page_and_export_cost_the_same_queries_for_1_and_30_projects(client_for, cast):
    client = client_for(cast.staff_a)
    filters = {
        "zone": cast.zone_a.code,
        "prefecture": cast.zone_a.prefecture.code,
        "year": "2025",
        "promotion_mode": "specialised",
    }
    make_project(cast.staff_a, cast.zone_a, stage=S.SIGNED)

    def counts() -> list[int]:
        numbers = []
        for url in (PAGE, EXPORT):
            for query in ({}, filters):
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(url, query)
                assert response.status_code == 200
                numbers.append(len(ctx.captured_queries))
        return numbers

    one = counts()
    for i in range(29):
        make_project(
            cast.staff_a,
            cast.zone_a,
            stage=PIPELINE[i % 7],
            start=200 + i,
            promotion_mode=PromotionMode.values[i % 9],
        )
    assert Project.objects.count() == 30
    # page: session, user, scope, prefectures, zones, funnel (2) [+ chosen prefecture and zone]
    assert counts() == one


def test_the_project_list_and_the_zone_board_link_to_the_funnel(client_for, cast):
    client = client_for(cast.staff_a)
    assert f'href="{PAGE}"' in client.get(reverse("investment:project-list")).content.decode()
    board = client.get(reverse("investment:project-board", args=[cast.zone_a.pk]))
    link = f'href="{PAGE}?zone={cast.zone_a.code}"'
    assert link in board.content.decode()
    response = client.get(PAGE, {"zone": cast.zone_a.code})
    assert response.status_code == 200 and response.context["result"] is not None
