"""The supervision and exemption API: scoping (404), who may raise, the step and decide
actions with the same rules as the pages, and constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment import services
from investment.models import Exemption, ProjectStage, SupervisionItem
from tests.investment.helpers import days_ago, make_project
from tests.investment.supervision_helpers import make_overdue, raise_item, walk

pytestmark = pytest.mark.django_db
ITEMS = "/api/v1/supervision-items/"
EXEMPTIONS = "/api/v1/exemptions/"


def count(api, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def snapshot() -> tuple:
    return (
        sorted(map(str, SupervisionItem.objects.values())),
        sorted(map(str, Exemption.objects.values())),
    )


def test_a_supervisor_raises_an_item_on_a_project_and_the_loop_runs_through_step(api_for, cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    response = api_for(cast.city).post(
        ITEMS,
        {
            "project": project.pk,
            "title": "接口交办事项",
            "description": "请按期办理",
            "deadline": days_ago(-10).isoformat(),
            "assignee": cast.leader_a.pk,
            "note": "市督查交办",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["zone"] == cast.zone_a.pk and body["status"] == "assigned"
    assert body["colour"] == "none" and [s["kind"] for s in body["steps"]] == ["assign"]
    url = f"{ITEMS}{body['id']}/step/"
    leader = api_for(cast.leader_a)
    assert leader.post(url, {"step": "acknowledge"}, format="json").status_code == 200
    assert leader.post(url, {"step": "start"}, format="json").status_code == 200
    response = leader.post(url, {"step": "feedback"}, format="json")
    assert response.status_code == 400 and "反馈须填写办理情况" in str(response.json())
    assert (
        leader.post(url, {"step": "feedback", "feedback": "已办"}, format="json").status_code == 200
    )
    response = leader.post(url, {"step": "review"}, format="json")
    assert response.status_code == 403 and "督查人员" in response.json()["detail"]
    city = api_for(cast.city)
    assert city.post(url, {"step": "review"}, format="json").status_code == 200
    response = city.post(url, {"step": "return", "note": "请补充"}, format="json")
    assert response.json()["reopened_count"] == 1 and response.json()["colour"] == "red"
    response = city.post(url, {"step": "close"}, format="json")
    assert response.status_code == 400 and "不能办结" in str(response.json())
    response = city.post(url, {"step": "jump"}, format="json")
    assert response.status_code == 400 and "无效" in str(response.json())


@pytest.mark.parametrize("who", ["staff_a", "leader_a", "viewer_a", "province", "outsider"])
def test_only_supervisors_may_raise_items_through_the_api(api_for, cast, who):
    response = api_for(getattr(cast, who)).post(
        ITEMS,
        {
            "zone": cast.zone_a.pk,
            "title": "x",
            "description": "x",
            "deadline": days_ago(-5).isoformat(),
            "assignee": cast.staff_a.pk,
        },
        format="json",
    )
    assert response.status_code == 403
    assert not SupervisionItem.objects.exists()


def test_the_city_supervisor_cannot_raise_in_another_prefecture(api_for, cast):
    response = api_for(cast.city).post(
        ITEMS,
        {
            "zone": cast.zone_b.pk,
            "title": "x",
            "description": "x",
            "deadline": days_ago(-5).isoformat(),
            "assignee": cast.staff_b.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "zone" in response.json()
    assert not SupervisionItem.objects.exists()


@pytest.mark.parametrize("who", ["staff_b", "outsider"])
def test_another_zones_items_and_exemptions_are_404_and_unchanged(api_for, cast, who):
    item = make_overdue(raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a))
    exemption = services.request_exemption(cast.staff_a, {"item": item, "reason": "停工"})
    before = snapshot()
    api = api_for(getattr(cast, who))
    assert api.get(f"{ITEMS}{item.pk}/").status_code == 404
    assert api.post(f"{ITEMS}{item.pk}/step/", {"step": "acknowledge"}).status_code == 404
    assert api.get(f"{EXEMPTIONS}{exemption.pk}/").status_code == 404
    assert api.post(f"{EXEMPTIONS}{exemption.pk}/decide/", {"approve": True}).status_code == 404
    assert api.get(ITEMS).json()["count"] == 0 and api.get(EXEMPTIONS).json()["count"] == 0
    response = api.post(EXEMPTIONS, {"item": item.pk, "reason": "越权"}, format="json")
    assert response.status_code in (400, 403)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["viewer_a", "province", "city", "staff_b"])
def test_a_step_the_user_may_not_take_is_refused_by_the_api(api_for, cast, who):
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a)
    before = snapshot()
    response = api_for(getattr(cast, who)).post(
        f"{ITEMS}{item.pk}/step/", {"step": "acknowledge"}, format="json"
    )
    assert response.status_code in (403, 404)
    assert snapshot() == before


def test_items_cannot_be_replaced_or_deleted_through_the_api(api_for, cast):
    """PATCH corrects an open item (tests/investment/test_supervision_edit.py); PUT and DELETE
    do not exist."""
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a)
    before = snapshot()
    api = api_for(cast.supervisor)
    assert api.put(f"{ITEMS}{item.pk}/", {"title": "改"}, format="json").status_code == 405
    assert api.delete(f"{ITEMS}{item.pk}/").status_code == 405
    assert snapshot() == before


def test_exemptions_through_the_api_request_and_decide(api_for, cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    milestone = services.create_milestone(
        cast.staff_a, project, {"title": "开工", "planned_date": days_ago(3)}
    )
    on_time = services.create_milestone(
        cast.staff_a, project, {"title": "未来", "planned_date": days_ago(-3)}
    )
    staff = api_for(cast.staff_a)
    response = staff.post(EXEMPTIONS, {"milestone": on_time.pk, "reason": "x"}, format="json")
    assert response.status_code == 400 and "只能对已逾期的节点" in str(response.json())
    assert (
        api_for(cast.viewer_a)
        .post(EXEMPTIONS, {"milestone": milestone.pk, "reason": "x"}, format="json")
        .status_code
        == 403
    )
    response = staff.post(EXEMPTIONS, {"milestone": milestone.pk, "reason": "停工"}, format="json")
    assert response.status_code == 201, response.json()
    url = f"{EXEMPTIONS}{response.json()['id']}/decide/"
    for who in ("staff_a", "leader_a", "province"):
        assert api_for(getattr(cast, who)).post(url, {"approve": True}).status_code == 403
    response = api_for(cast.supervisor).post(url, {"approve": False}, format="json")
    assert response.status_code == 400 and "驳回须填写审核意见" in str(response.json())
    response = api_for(cast.supervisor).post(url, {"approve": True, "note": "属实"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = api_for(cast.supervisor).post(url, {"approve": False, "note": "改判"}, format="json")
    assert response.status_code == 400 and Exemption.objects.get().status == "approved"


def test_the_requester_cannot_approve_their_own_request_through_the_api(api_for, cast):
    item = make_overdue(raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a))
    admin = api_for(cast.admin)
    response = admin.post(EXEMPTIONS, {"item": item.pk, "reason": "自己申请"}, format="json")
    assert response.status_code == 201
    response = admin.post(f"{EXEMPTIONS}{response.json()['id']}/decide/", {"approve": True})
    assert response.status_code == 403 and "申请人不能审核本人" in response.json()["detail"]
    assert Exemption.objects.get().status == "pending"


def test_the_item_list_filters_by_colour_and_costs_the_same_queries_for_1_and_50(api_for, cast):
    walk(
        raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a),
        cast.staff_a,
        cast.supervisor,
        "review",
    )
    api = api_for(cast.supervisor)
    one = count(api, ITEMS)
    for n in range(49):
        item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.leader_a, title=f"事项{n}")
        if n % 3 == 0:
            make_overdue(item, days=n)
    assert count(api, ITEMS) == one
    body = api.get(ITEMS + "?colour=yellow").json()
    assert body["count"] and {row["colour"] for row in body["results"]} == {"yellow"}
    assert api.get(ITEMS + "?colour=purple").status_code == 400


def test_the_exemption_list_costs_the_same_queries_for_1_and_50(api_for, cast):
    api = api_for(cast.supervisor)
    for n in range(50):
        item = make_overdue(raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a))
        services.request_exemption(cast.staff_a, {"item": item, "reason": f"理由{n}"})
        if n == 0:
            one = count(api, EXEMPTIONS)
    assert count(api, EXEMPTIONS) == one
