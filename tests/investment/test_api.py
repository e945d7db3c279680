"""The investment API: scoping (404 / 403), writes through the services, the transition action."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment import services
from investment.models import Milestone, MilestoneReschedule, ProgressReport, Project, ProjectStage
from tests.investment.helpers import days_ago, make_project
from tests.investment.test_milestones_reports import month_back

pytestmark = pytest.mark.django_db

PROMISE = {
    "investment": 40000,
    "output_per_mu": 300,
    "tax_per_mu": 15,
    "planned_start_date": "2027-01-01",
    "planned_production_date": "2027-12-01",
}


def payload(zone, **extra) -> dict:
    data = {
        "zone": zone.pk,
        "name": "接口新增项目",
        "investor_name": "接口投资有限公司",
        "origin_type": "foreign",
        "origin_country": "新加坡",
        "promotion_mode": "intermediary",
        "planned_investment": 20000,
        "planned_investment_this_year": 2000,
        "industry": "aluminium",
    }
    data.update(extra)
    return data


def count(api, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_staff_create_a_project_and_the_stage_is_read_only(api_for, cast):
    api = api_for(cast.staff_a)
    response = api.post("/api/v1/projects/", payload(cast.zone_a, stage="signed"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stage"] == "lead" and body["code"].startswith("XM-TZ-A-")
    response = api.patch(
        f"/api/v1/projects/{body['id']}/", {"stage": "full_capacity", "name": "改名"}, format="json"
    )
    assert response.status_code == 200
    project = Project.objects.get()
    assert (project.stage, project.name) == ("lead", "改名")


def test_api_errors_are_chinese_and_name_the_field(api_for, cast):
    api = api_for(cast.staff_a)
    response = api.post(
        "/api/v1/projects/",
        payload(cast.zone_a, planned_investment_this_year=30000, origin_country=""),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "本年计划投资不能大于计划总投资" in body["planned_investment_this_year"][0]
    assert "origin_country" in body
    response = api.post("/api/v1/projects/", payload(cast.zone_b), format="json")
    assert response.status_code == 400 and "zone" in response.json()
    assert not Project.objects.exists()


def test_the_transition_endpoint_applies_the_lifecycle_rules(api_for, cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.NEGOTIATING)
    api = api_for(cast.staff_a)
    url = f"/api/v1/projects/{project.pk}/transition/"
    today = days_ago(0).isoformat()
    response = api.post(url, {"to_stage": "signed", "date": today}, format="json")
    assert response.status_code == 400 and "investment" in response.json()
    response = api.post(
        url, {"to_stage": "started", "date": today, "promise": PROMISE}, format="json"
    )
    assert response.status_code == 400 and "跨阶段" in response.json()["reason"][0]
    response = api.post(
        url, {"to_stage": "signed", "date": "2999-01-01", "promise": PROMISE}, format="json"
    )
    assert response.status_code == 400 and "date" in response.json()
    response = api.post(
        url,
        {"to_stage": "signed", "date": today, "promise": PROMISE, "note": "接口签约"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "signed"
    project.refresh_from_db()
    assert project.stage == "signed" and project.promises.get().investment == 40000
    response = api.post(url, {"to_stage": "terminated", "date": today}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_other_zones_get_404_and_read_only_roles_403_on_writes(api_for, cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED)
    milestone = services.create_milestone(
        cast.staff_a, project, {"title": "节点", "planned_date": days_ago(-5)}
    )
    year, month = month_back(1)
    report = services.submit_report(
        cast.staff_a, project, year, month, {"investment_this_month": 10, "progress": "推进"}
    )
    before = (
        Project.objects.filter(pk=project.pk).values().get(),
        Milestone.objects.filter(pk=milestone.pk).values().get(),
        ProgressReport.objects.filter(pk=report.pk).values().get(),
    )
    urls = [
        f"/api/v1/projects/{project.pk}/",
        f"/api/v1/milestones/{milestone.pk}/",
        f"/api/v1/progress-reports/{report.pk}/",
    ]
    transition = f"/api/v1/projects/{project.pk}/transition/"
    move = {"to_stage": "terminated", "date": days_ago(0).isoformat(), "reason": "越权"}

    foreign = api_for(cast.staff_b)
    for url in urls:
        assert foreign.get(url).status_code == 404
        assert foreign.patch(url, {"name": "x", "title": "x"}, format="json").status_code == 404
        assert foreign.delete(url).status_code == 404
    assert foreign.post(transition, move, format="json").status_code == 404
    assert foreign.get("/api/v1/projects/").json()["count"] == 0

    for who in ("viewer_a", "province", "supervisor", "city"):
        api = api_for(getattr(cast, who))
        for url in urls:
            assert api.get(url).status_code == 200
            assert api.patch(url, {"name": "x", "title": "x"}, format="json").status_code == 403
            assert api.delete(url).status_code == 403
        assert api.post(transition, move, format="json").status_code == 403, who
        assert api.post("/api/v1/projects/", payload(cast.zone_a), format="json").status_code == 403
    after = (
        Project.objects.filter(pk=project.pk).values().get(),
        Milestone.objects.filter(pk=milestone.pk).values().get(),
        ProgressReport.objects.filter(pk=report.pk).values().get(),
    )
    assert after == before
    assert Project.objects.count() == 1


def test_milestone_api_keeps_old_dates_on_reschedule(api_for, cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    api = api_for(cast.staff_a)
    response = api.post(
        "/api/v1/milestones/",
        {"project": project.pk, "title": "开工", "planned_date": days_ago(-10).isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    url = f"/api/v1/milestones/{response.json()['id']}/"
    response = api.patch(url, {"planned_date": days_ago(-30).isoformat()}, format="json")
    assert response.status_code == 400 and "reschedule_reason" in response.json()
    response = api.patch(
        url,
        {"planned_date": days_ago(-30).isoformat(), "reschedule_reason": "手续延后"},
        format="json",
    )
    assert response.status_code == 200
    assert MilestoneReschedule.objects.get().old_date == days_ago(-10)
    other = make_project(cast.staff_b, cast.zone_b)
    response = api.post(
        "/api/v1/milestones/",
        {"project": other.pk, "title": "越权", "planned_date": days_ago(-10).isoformat()},
        format="json",
    )
    assert response.status_code == 400 and "project" in response.json()


def test_progress_report_api_enforces_one_per_month_and_the_cumulative_rule(api_for, cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED)
    api = api_for(cast.staff_a)
    y2, m2 = month_back(2)
    y1, m1 = month_back(1)
    base = {"project": project.pk, "progress": "推进中"}
    response = api.post(
        "/api/v1/progress-reports/",
        {**base, "year": y2, "month": m2, "investment_this_month": 100},
        format="json",
    )
    assert response.status_code == 201 and response.json()["investment_cumulative"] == 100
    response = api.post(
        "/api/v1/progress-reports/",
        {**base, "year": y2, "month": m2, "investment_this_month": 100},
        format="json",
    )
    assert response.status_code == 400 and "month" in response.json()
    response = api.post(
        "/api/v1/progress-reports/",
        {
            **base,
            "year": y1,
            "month": m1,
            "investment_this_month": 50,
            "investment_cumulative": 120,
        },
        format="json",
    )
    assert response.status_code == 400 and "150" in response.json()["investment_cumulative"][0]
    assert ProgressReport.objects.count() == 1


@pytest.mark.parametrize(
    "url", ["/api/v1/projects/", "/api/v1/milestones/", "/api/v1/progress-reports/"]
)
def test_api_lists_cost_the_same_queries_for_1_and_50_rows(url, api_for, cast):
    api = api_for(cast.staff_a)

    def add(i):
        project = make_project(
            cast.staff_a,
            cast.zone_a,
            stage=ProjectStage.STARTED,
            name=f"项目{i}",
            lead=cast.staff_a,
        )
        services.create_milestone(
            cast.staff_a,
            project,
            {"title": "节点", "planned_date": days_ago(-5), "owner": cast.staff_a},
        )
        year, month = month_back(1)
        services.submit_report(
            cast.staff_a, project, year, month, {"investment_this_month": 10, "progress": "推进"}
        )

    add(0)
    one = count(api, url)
    for i in range(1, 50):
        add(i)
    assert count(api, url) == one
    assert api.get(url).json()["count"] == 50
