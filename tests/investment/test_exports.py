"""XLSX exports of the supervision inbox and the exemption list: the page's filters and scope,
Chinese headers, escaped formulas, and the same query count for 1 row and for 30."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from investment import services
from investment.models import ProjectStage
from tests.investment.helpers import days_ago, make_project
from tests.investment.supervision_helpers import make_overdue, raise_item, walk

pytestmark = pytest.mark.django_db

INBOX = reverse("investment:supervision-export")
EXEMPTIONS = reverse("investment:exemption-export")


def sheet_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def headers(response) -> tuple:
    return next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def overdue_item_request(cast, title: str = "逾期督办事项", zone=None, staff=None):
    zone, staff = zone or cast.zone_a, staff or cast.staff_a
    item = make_overdue(raise_item(cast.supervisor, zone, assignee=staff, title=title), days=4)
    return services.request_exemption(staff, {"item": item, "reason": f"{title}的免责理由"})


# --- the supervision inbox -----------------------------------------------------------------


def test_the_inbox_export_has_chinese_columns_with_colour_status_and_days_overdue(client_for, cast):
    project = make_project(cast.staff_a, cast.zone_a)
    make_overdue(
        raise_item(
            cast.city, cast.zone_a, assignee=cast.staff_a, title="逾期事项", project=project
        ),
        days=3,
    )
    raise_item(cast.city, cast.zone_a, assignee=cast.leader_a, title="按期事项", days=10)
    response = client_for(cast.city).get(INBOX)
    assert headers(response)[:12] == (
        "预警",
        "督办事项",
        "督办内容",
        "开发区编码",
        "开发区",
        "关联项目编号",
        "关联项目",
        "承办人",
        "办理状态",
        "办理时限",
        "逾期天数",
        "来源",
    )
    rows = {row["督办事项"]: row for row in sheet_rows(response)}
    late, calm = rows["逾期事项"], rows["按期事项"]
    assert late["预警"] == "黄色预警" and calm["预警"] == "正常"
    assert late["逾期天数"] == 3 and calm["逾期天数"] == 0
    assert late["办理状态"] == "已交办" and late["开发区编码"] == "TZ-A"
    assert late["关联项目编号"] == project.code and calm["关联项目编号"] in (None, "")
    assert late["承办人"] == (cast.staff_a.get_full_name() or cast.staff_a.username)
    assert late["办理时限"].date() == timezone.localdate() - datetime.timedelta(days=3)
    assert late["交办人"] == (cast.city.get_full_name() or cast.city.username)
    assert late["交办时间"] is not None and late["办结时间"] is None


def test_a_closed_items_days_overdue_count_to_its_closing_day(client_for, cast):
    item = raise_item(cast.city, cast.zone_a, assignee=cast.staff_a, title="已办结事项")
    walk(item, cast.staff_a, cast.city, "close")
    make_overdue(item, days=6)  # closed today, six days after its deadline
    (row,) = sheet_rows(client_for(cast.city).get(INBOX))
    assert row["预警"] == "已办结" and row["办理状态"] == "已办结"
    assert row["逾期天数"] == 6 and row["办结时间"] is not None


def test_the_inbox_export_honours_the_filters_and_the_order_of_the_page(client_for, cast):
    make_overdue(raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a, title="甲黄"))
    raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a, title="甲蓝", days=2)
    make_overdue(raise_item(cast.supervisor, cast.zone_b, assignee=cast.staff_b, title="乙黄"))
    client = client_for(cast.supervisor)
    titles = [r["督办事项"] for r in sheet_rows(client.get(INBOX + "?colour=yellow"))]
    assert sorted(titles) == ["乙黄", "甲黄"]
    titles = [r["督办事项"] for r in sheet_rows(client.get(INBOX + "?zone=TZ-A"))]
    assert titles == ["甲黄", "甲蓝"]  # the page's order: most urgent colour first
    titles = [r["督办事项"] for r in sheet_rows(client.get(INBOX + "?zone=TZ-A&sort=-colour"))]
    assert titles == ["甲蓝", "甲黄"]
    assert [r["督办事项"] for r in sheet_rows(client.get(INBOX + "?q=乙"))] == ["乙黄"]


def test_zone_b_staff_export_has_none_of_zone_as_items(client_for, cast):
    raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a, title="甲区保密事项")
    raise_item(cast.supervisor, cast.zone_b, assignee=cast.staff_b, title="乙区事项")
    response = client_for(cast.staff_b).get(INBOX)
    rows = sheet_rows(response)
    assert [r["督办事项"] for r in rows] == ["乙区事项"]
    assert "甲区保密事项" not in str(rows) and "TZ-A" not in str(rows)
    # asking for zone A by filter does not widen the scope
    assert sheet_rows(client_for(cast.staff_b).get(INBOX + "?zone=TZ-A")) == []
    assert sheet_rows(client_for(cast.outsider).get(INBOX)) == []


def test_the_inbox_export_escapes_formulas(client_for, cast):
    raise_item(cast.city, cast.zone_a, assignee=cast.staff_a, title='=HYPERLINK("x")')
    (row,) = sheet_rows(client_for(cast.city).get(INBOX))
    assert row["督办事项"] == '\'=HYPERLINK("x")'


def test_the_inbox_export_costs_the_same_queries_for_one_item_and_for_thirty(client_for, cast):
    project = make_project(cast.staff_a, cast.zone_a)
    raise_item(cast.city, cast.zone_a, assignee=cast.staff_a, project=project)
    client = client_for(cast.city)
    one = count_queries(client, INBOX)
    for n in range(29):
        item = raise_item(
            cast.city,
            cast.zone_a,
            assignee=cast.leader_a if n % 2 else cast.staff_a,
            title=f"事项{n}",
            project=project if n % 3 else None,
        )
        if n % 5 == 0:
            walk(item, cast.staff_a, cast.city, "close")
    assert len(sheet_rows(client.get(INBOX))) == 30
    # session and user (2), the user's scope (1), the zones of the dropdown (1), the rows (1)
    assert count_queries(client, INBOX) == one
    assert count_queries(client, INBOX + "?sort=-deadline") == one


# --- the exemption list --------------------------------------------------------------------


def test_the_exemption_export_has_status_target_requester_decider_and_dates(client_for, cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    milestone = services.create_milestone(
        cast.staff_a, project, {"title": "开工节点", "planned_date": days_ago(5)}
    )
    on_milestone = services.request_exemption(
        cast.leader_a, {"milestone": milestone, "reason": "受汛期影响"}
    )
    services.decide_exemption(cast.city, on_milestone, approve=True, note="情况属实")
    overdue_item_request(cast, "逾期事项")
    response = client_for(cast.city).get(EXEMPTIONS)
    assert headers(response) == (
        "申请对象类型",
        "申请对象",
        "项目编号",
        "开发区编码",
        "开发区",
        "免责理由",
        "佐证材料说明",
        "审核状态",
        "申请人",
        "申请时间",
        "审核人",
        "审核时间",
        "审核意见",
    )
    rows = {row["申请对象"]: row for row in sheet_rows(response)}
    decided, pending = rows["开工节点"], rows["逾期事项"]
    assert decided["申请对象类型"] == "逾期节点" and pending["申请对象类型"] == "逾期督办事项"
    assert decided["项目编号"] == project.code
    assert decided["审核状态"] == "已批准" and pending["审核状态"] == "待审核"
    assert decided["申请人"] == (cast.leader_a.get_full_name() or cast.leader_a.username)
    assert decided["审核人"] == (cast.city.get_full_name() or cast.city.username)
    assert isinstance(decided["申请时间"], datetime.datetime)
    assert isinstance(decided["审核时间"], datetime.datetime)
    assert pending["审核人"] in (None, "") and pending["审核时间"] is None
    assert decided["审核意见"] == "情况属实" and decided["免责理由"] == "受汛期影响"


def test_the_exemption_export_honours_the_filters(client_for, cast):
    first = overdue_item_request(cast, "甲事项一")
    overdue_item_request(cast, "甲事项二")
    overdue_item_request(cast, "乙事项", zone=cast.zone_b, staff=cast.staff_b)
    services.decide_exemption(cast.city, first, approve=False, note="理由不充分")
    client = client_for(cast.supervisor)
    rows = sheet_rows(client.get(EXEMPTIONS + "?status=rejected"))
    assert [r["申请对象"] for r in rows] == ["甲事项一"] and rows[0]["审核状态"] == "已驳回"
    rows = sheet_rows(client.get(EXEMPTIONS + "?zone=TZ-B"))
    assert [r["申请对象"] for r in rows] == ["乙事项"]
    assert sheet_rows(client.get(EXEMPTIONS + "?target=milestone")) == []


def test_zone_b_staff_exemption_export_has_none_of_zone_as_requests(client_for, cast):
    overdue_item_request(cast, "甲区保密事项")
    overdue_item_request(cast, "乙区事项", zone=cast.zone_b, staff=cast.staff_b)
    rows = sheet_rows(client_for(cast.staff_b).get(EXEMPTIONS))
    assert [r["申请对象"] for r in rows] == ["乙区事项"]
    assert "甲区保密事项" not in str(rows)
    assert sheet_rows(client_for(cast.staff_b).get(EXEMPTIONS + "?zone=TZ-A")) == []


def test_the_exemption_export_escapes_formulas(client_for, cast):
    item = make_overdue(raise_item(cast.city, cast.zone_a, assignee=cast.staff_a))
    services.request_exemption(cast.staff_a, {"item": item, "reason": "@SUM(A1:A2)"})
    (row,) = sheet_rows(client_for(cast.city).get(EXEMPTIONS))
    assert row["免责理由"] == "'@SUM(A1:A2)"


def test_the_exemption_export_costs_the_same_queries_for_one_request_and_for_thirty(
    client_for, cast
):
    project = make_project(cast.staff_a, cast.zone_a)
    overdue_item_request(cast, "事项")
    client = client_for(cast.city)
    one = count_queries(client, EXEMPTIONS)
    for n in range(29):
        if n % 2:
            milestone = services.create_milestone(
                cast.staff_a, project, {"title": f"节点{n}", "planned_date": days_ago(3)}
            )
            exemption = services.request_exemption(
                cast.staff_a, {"milestone": milestone, "reason": "理由"}
            )
        else:
            exemption = overdue_item_request(cast, f"事项{n}")
        if n % 3 == 0:
            services.decide_exemption(cast.city, exemption, approve=True)
    assert len(sheet_rows(client.get(EXEMPTIONS))) == 30
    # session and user (2), the user's scope (1), the zones of the dropdown (1), the rows (1)
    assert count_queries(client, EXEMPTIONS) == one


# --- the buttons ---------------------------------------------------------------------------


def test_both_list_pages_link_their_export_with_the_current_filters(client_for, cast):
    client = client_for(cast.viewer_a)
    for page, export in (
        ("investment:supervision-inbox", INBOX),
        ("investment:exemption-list", EXEMPTIONS),
    ):
        body = client.get(reverse(page) + "?status=closed").content.decode()
        assert f'href="{export}?status=closed"' in body and "导出 Excel" in body
        assert client.get(export).status_code == 200  # a read-only role may export
