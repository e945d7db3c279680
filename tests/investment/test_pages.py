"""The investment pages: forms for zone staff, the timeline, the lists, the export, scoping."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from investment import services
from investment.models import Milestone, MilestoneReschedule, ProgressReport, Project, ProjectStage
from tests.investment.helpers import days_ago, make_project
from tests.investment.test_milestones_reports import month_back
from zones.models import Province

pytestmark = pytest.mark.django_db


def form_data(zone, **extra) -> dict:
    data = {
        "zone": zone.pk,
        "name": "页面新增的电池项目",
        "investor_name": "页面投资有限公司",
        "origin_type": "domestic",
        "origin_province": Province.objects.get(code="440000").pk,
        "origin_city": "深圳市",
        "promotion_mode": "business_referral",
        "planned_investment": "30000",
        "planned_investment_this_year": "5000",
        "start_stage": "lead",
    }
    data.update(extra)
    return data


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_staff_create_a_project_through_the_form_and_walk_it_to_signing(client_for, cast):
    client = client_for(cast.staff_a)
    response = client.post(
        reverse("investment:project-create"), form_data(cast.zone_a, lead=cast.staff_a.pk)
    )
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("investment:project-detail", args=[project.pk])
    assert project.code.startswith("XM-TZ-A-") and project.lead == cast.staff_a

    url = reverse("investment:project-transition", args=[project.pk])
    assert client.get(url).status_code == 200
    today = days_ago(0).isoformat()
    client.post(url, {"to_stage": "negotiating", "date": today})
    response = client.post(url, {"to_stage": "signed", "date": today})
    assert response.status_code == 200
    assert "签约须填写承诺投资" in response.content.decode()
    response = client.post(
        url,
        {
            "to_stage": "signed",
            "date": today,
            "note": "在招商推介会上签约",
            "investment": "28000",
            "output_per_mu": "320",
            "tax_per_mu": "18",
            "planned_start_date": "2027-03-01",
            "planned_production_date": "2028-03-01",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == ProjectStage.SIGNED

    response = client.post(
        reverse("investment:milestone-create", args=[project.pk]),
        {
            "title": "取得施工许可",
            "planned_date": days_ago(-20).isoformat(),
            "status": "not_started",
            "position": "1",
        },
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    reschedule_url = reverse("investment:milestone-reschedule", args=[milestone.pk])
    response = client.post(
        reschedule_url, {"planned_date": days_ago(-50).isoformat(), "reason": ""}
    )
    assert response.status_code == 200 and "调整计划日期须填写原因" in response.content.decode()
    client.post(reschedule_url, {"planned_date": days_ago(-50).isoformat(), "reason": "审批延后"})
    assert MilestoneReschedule.objects.get().old_date == days_ago(-20)
    client.post(
        reverse("investment:milestone-complete", args=[milestone.pk]),
        {"actual_date": today, "note": "提前完成"},
    )
    milestone.refresh_from_db()
    assert milestone.status == "done"

    year, month = month_back(0)
    response = client.post(
        reverse("investment:report-create", args=[project.pk]),
        {"year": year, "month": month, "investment_this_month": "1200", "progress": "场平完成"},
    )
    assert response.status_code == 302
    assert ProgressReport.objects.get().investment_cumulative == 1200

    page = client.get(reverse("investment:project-detail", args=[project.pk])).content.decode()
    for step in (
        "项目录入，阶段：线索",
        "阶段：线索 → 洽谈",
        "阶段：洽谈 → 签约",
        "在招商推介会上签约",
        "签约承诺：投资 28000",
        "新增节点：取得施工许可",
        "审批延后",
        "新增月报",
        "场平完成",
    ):
        assert step in page, step


def test_the_create_form_refuses_a_lead_from_another_zone(client_for, cast):
    client = client_for(cast.staff_a)
    response = client.post(
        reverse("investment:project-create"), form_data(cast.zone_a, lead=cast.staff_b.pk)
    )
    assert response.status_code == 200
    assert not Project.objects.exists()


def test_staff_cannot_create_in_another_zone_through_the_form(client_for, cast):
    response = client_for(cast.staff_a).post(
        reverse("investment:project-create"), form_data(cast.zone_b)
    )
    assert response.status_code == 200
    assert "zone" in response.context["form"].errors
    assert not Project.objects.exists()


@pytest.mark.parametrize("who", ["viewer_a", "province", "supervisor", "city", "outsider"])
def test_read_only_roles_cannot_create_edit_or_transition(who, client_for, cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    milestone = services.create_milestone(
        cast.staff_a, project, {"title": "节点", "planned_date": days_ago(-5)}
    )
    before = Project.objects.filter(pk=project.pk).values().get()
    client = client_for(getattr(cast, who))
    urls = [
        reverse("investment:project-create"),
        reverse("investment:project-edit", args=[project.pk]),
        reverse("investment:project-transition", args=[project.pk]),
        reverse("investment:milestone-create", args=[project.pk]),
        reverse("investment:milestone-reschedule", args=[milestone.pk]),
        reverse("investment:report-create", args=[project.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        response = client.post(
            url,
            {**form_data(cast.zone_a), "to_stage": "registered", "date": days_ago(0).isoformat()},
        )
        assert response.status_code == 404, url
    assert Project.objects.filter(pk=project.pk).values().get() == before
    assert Project.objects.count() == 1 and Milestone.objects.count() == 1
    assert not ProgressReport.objects.exists()


def test_staff_of_another_zone_gets_404_on_every_page_of_a_project(client_for, cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED)
    milestone = services.create_milestone(
        cast.staff_a, project, {"title": "节点", "planned_date": days_ago(-5)}
    )
    year, month = month_back(1)
    report = services.submit_report(
        cast.staff_a, project, year, month, {"investment_this_month": 10, "progress": "推进"}
    )
    client = client_for(cast.staff_b)
    urls = [
        reverse("investment:project-detail", args=[project.pk]),
        reverse("investment:project-edit", args=[project.pk]),
        reverse("investment:project-transition", args=[project.pk]),
        reverse("investment:project-board", args=[cast.zone_a.pk]),
        reverse("investment:milestone-create", args=[project.pk]),
        reverse("investment:milestone-edit", args=[milestone.pk]),
        reverse("investment:milestone-reschedule", args=[milestone.pk]),
        reverse("investment:milestone-complete", args=[milestone.pk]),
        reverse("investment:report-create", args=[project.pk]),
        reverse("investment:report-edit", args=[report.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"to_stage": "terminated", "reason": "x"}).status_code == 404, url
    project.refresh_from_db()
    assert project.stage == ProjectStage.STARTED
    assert Milestone.objects.get().status == "not_started"
    page = client.get(reverse("investment:project-list")).content.decode()
    assert project.name not in page


def test_the_list_filters_by_stage_mode_and_overdue_milestones(client_for, cast):
    signed = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED, name="已签约甲")
    make_project(cast.staff_a, cast.zone_a, name="线索乙", promotion_mode="returnee")
    services.create_milestone(
        cast.staff_a, signed, {"title": "逾期节点", "planned_date": days_ago(2)}
    )
    client = client_for(cast.staff_a)
    url = reverse("investment:project-list")

    def names(query):
        return [p.name for p in client.get(url, query).context["page"]]

    assert names({"stage": "signed"}) == ["已签约甲"]
    assert names({"promotion_mode": "returnee"}) == ["线索乙"]
    assert names({"overdue": "true"}) == ["已签约甲"]
    assert names({"q": "线索"}) == ["线索乙"]
    assert sorted(names({"sort": "-investment"})) == ["已签约甲", "线索乙"]


def test_the_project_list_costs_the_same_queries_for_1_and_50_rows(client_for, cast):
    # session, user, scope, zones, industries, leads, count, page
    client = client_for(cast.staff_a)
    make_project(cast.staff_a, cast.zone_a, lead=cast.staff_a)
    url = reverse("investment:project-list")
    one = count_queries(client, url)
    for i in range(49):
        make_project(
            cast.staff_a,
            cast.zone_a,
            name=f"项目{i}",
            lead=cast.staff_a,
            responsible_leader=cast.leader_a,
        )
    assert count_queries(client, url) == one


def test_the_board_and_reports_owed_pages_cost_the_same_queries_for_1_and_50_rows(client_for, cast):
    client = client_for(cast.staff_a)
    make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED)
    board = reverse("investment:project-board", args=[cast.zone_a.pk])
    owed = reverse("investment:reports-owed")
    counts = count_queries(client, board), count_queries(client, owed)
    for i in range(49):
        make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED, name=f"项目{i}")
    assert (count_queries(client, board), count_queries(client, owed)) == counts


def test_the_board_shows_counts_and_investment_per_stage(client_for, cast):
    make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED, name="看板签约项目")
    make_project(cast.staff_a, cast.zone_a, name="看板线索项目")
    response = client_for(cast.viewer_a).get(
        reverse("investment:project-board", args=[cast.zone_a.pk])
    )
    columns = {c["stage"]: c for c in response.context["columns"]}
    assert columns["signed"]["count"] == 1 and columns["lead"]["count"] == 1
    assert columns["signed"]["investment"] == 50000
    assert "看板签约项目" in response.content.decode()


def test_reports_owed_page_lists_the_users_zones_only(client_for, cast):
    make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED, name="A欠报项目")
    make_project(cast.staff_b, cast.zone_b, stage=ProjectStage.STARTED, name="B欠报项目")
    year, month = month_back(1)
    page = client_for(cast.staff_a).get(
        reverse("investment:reports-owed"), {"month": f"{year}-{month:02d}"}
    )
    text = page.content.decode()
    assert "A欠报项目" in text and "B欠报项目" not in text


def test_the_xlsx_export_is_scoped_and_escapes_formulas(client_for, cast):
    make_project(cast.staff_a, cast.zone_a, name='=HYPERLINK("x")')
    make_project(cast.staff_b, cast.zone_b, name="B区保密项目")
    response = client_for(cast.staff_a).get(reverse("investment:project-export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("项目编号", "项目名称")
    assert len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("x")'
    assert "B区保密项目" not in str(rows)


def test_the_edit_form_saves_and_records_history(client_for, cast):
    project = make_project(cast.staff_a, cast.zone_a)
    client = client_for(cast.staff_a)
    url = reverse("investment:project-edit", args=[project.pk])
    assert client.get(url).status_code == 200
    data = form_data(cast.zone_a, name="改名后的项目", blocking_problems="用地未落实")
    response = client.post(url, data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "改名后的项目"
    page = client.get(reverse("investment:project-detail", args=[project.pk])).content.decode()
    assert "用地未落实" in page and "修改项目" in page
