"""Supervision and exemption pages: the inbox, item detail and steps, raise form, exemptions,
my-work, permissions (404 outside scope, nothing changed), query counts, and the done-when
scenario of issue 3 through the web pages."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from investment import services
from investment.models import (
    Exemption,
    Milestone,
    Project,
    ProjectStage,
    SupervisionItem,
)
from tests.investment.helpers import days_ago, make_project
from tests.investment.supervision_helpers import make_overdue, raise_item, walk
from tests.investment.test_pages import form_data

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def snapshot(model) -> list:
    return sorted(map(str, model.objects.values()))


def test_the_inbox_shows_a_supervisor_the_items_they_supervise_with_colour_counts(client_for, cast):
    raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a, title="甲开发区事项", days=2)
    make_overdue(
        raise_item(cast.supervisor, cast.zone_b, assignee=cast.staff_b, title="乙开发区事项")
    )
    body = client_for(cast.city).get(reverse("investment:supervision-inbox")).content.decode()
    assert "甲开发区事项" in body and "乙开发区事项" not in body
    assert 'data-colour="blue">蓝色预警 <span class="badge text-bg-light">1</span>' in body
    body = client_for(cast.supervisor).get(reverse("investment:supervision-inbox")).content.decode()
    assert "甲开发区事项" in body and "乙开发区事项" in body
    response = client_for(cast.supervisor).get(
        reverse("investment:supervision-inbox") + "?colour=yellow"
    )
    body = response.content.decode()
    assert "乙开发区事项" in body and "甲开发区事项" not in body
    body = (
        client_for(cast.supervisor)
        .get(reverse("investment:supervision-inbox") + "?zone=TZ-A&status=assigned")
        .content.decode()
    )
    assert "甲开发区事项" in body and "乙开发区事项" not in body


def test_the_zone_sees_its_items_awaiting_its_action_first(client_for, cast):
    waiting = raise_item(
        cast.supervisor, cast.zone_a, assignee=cast.staff_a, title="待签收事项", days=30
    )
    answered = walk(
        raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a, title="已反馈事项", days=1),
        cast.staff_a,
        cast.supervisor,
        "feedback",
    )
    assert waiting and answered
    body = client_for(cast.staff_a).get(reverse("investment:supervision-inbox")).content.decode()
    assert body.index("待签收事项") < body.index("已反馈事项")
    assert body.count("待我处理") == 1
    # for the supervisor it is the other way round
    body = client_for(cast.supervisor).get(reverse("investment:supervision-inbox")).content.decode()
    assert body.index("已反馈事项") < body.index("待签收事项")
    assert (
        "待签收事项"
        not in client_for(cast.staff_b)
        .get(reverse("investment:supervision-inbox"))
        .content.decode()
    )


def test_the_inbox_costs_the_same_queries_for_one_item_and_for_fifty(client_for, cast):
    raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a)
    client = client_for(cast.supervisor)
    url = reverse("investment:supervision-inbox")
    one = count_queries(client, url)
    for n in range(49):
        raise_item(
            cast.supervisor,
            cast.zone_a,
            assignee=cast.leader_a,
            title=f"事项{n}",
            days=n - 5 if n > 5 else 5,
        )
    assert count_queries(client, url) == one
    assert count_queries(client, url + "?sort=-deadline") == one


def test_the_detail_shows_only_the_buttons_the_user_may_press(client_for, cast):
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a)
    url = reverse("investment:supervision-detail", args=[item.pk])
    body = client_for(cast.staff_a).get(url).content.decode()
    assert 'value="acknowledge"' in body and 'value="close"' not in body
    for who in ("viewer_a", "supervisor", "province"):
        body = client_for(getattr(cast, who)).get(url).content.decode()
        assert 'name="step"' not in body, who
    walk(item, cast.staff_a, cast.supervisor, "review")
    body = client_for(cast.city).get(url).content.decode()
    assert 'value="close"' in body and 'value="return"' in body
    assert 'name="step"' not in client_for(cast.staff_a).get(url).content.decode()


@pytest.mark.parametrize("who", ["staff_b", "outsider"])
def test_another_zones_item_and_exemption_are_404_and_unchanged(client_for, cast, who):
    item = make_overdue(raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a))
    exemption = services.request_exemption(cast.staff_a, {"item": item, "reason": "停工"})
    before = (snapshot(SupervisionItem), snapshot(Exemption))
    client = client_for(getattr(cast, who))
    assert client.get(reverse("investment:supervision-detail", args=[item.pk])).status_code == 404
    assert (
        client.post(
            reverse("investment:supervision-step", args=[item.pk]), {"step": "acknowledge"}
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("investment:exemption-detail", args=[exemption.pk])).status_code == 404
    )
    assert (
        client.post(
            reverse("investment:exemption-decide", args=[exemption.pk]), {"decision": "approve"}
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("investment:exemption-create") + f"?item={item.pk}").status_code == 404
    )
    assert (snapshot(SupervisionItem), snapshot(Exemption)) == before


def test_a_step_the_user_may_not_take_is_403_and_changes_nothing(client_for, cast):
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a)
    before = snapshot(SupervisionItem)
    for who in ("viewer_a", "province", "city"):
        response = client_for(getattr(cast, who)).post(
            reverse("investment:supervision-step", args=[item.pk]), {"step": "acknowledge"}
        )
        assert response.status_code == 403, who
    assert snapshot(SupervisionItem) == before


def test_a_step_out_of_order_through_the_page_says_why_in_chinese(client_for, cast):
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a)
    client = client_for(cast.staff_a)
    response = client.post(
        reverse("investment:supervision-step", args=[item.pk]),
        {"step": "feedback", "feedback": "x"},
        follow=True,
    )
    assert "督办事项当前为“已交办”，不能反馈。" in response.content.decode()
    assert SupervisionItem.objects.get().status == "assigned"
    assert client.get(reverse("investment:supervision-step", args=[item.pk])).status_code == 405


def test_the_raise_form_is_for_supervisors_of_the_zone_only(client_for, cast):
    project = make_project(cast.staff_a, cast.zone_a)
    url = reverse("investment:supervision-create")
    for who in ("staff_a", "viewer_a", "province", "outsider"):
        client = client_for(getattr(cast, who))
        assert client.get(url + f"?project={project.pk}").status_code == 404, who
    assert client_for(cast.city).get(url + f"?zone={cast.zone_b.pk}").status_code == 404
    body = client_for(cast.city).get(url).content.decode()
    assert cast.zone_a.name in body and cast.zone_b.name not in body
    response = client_for(cast.city).post(
        url + f"?zone={cast.zone_b.pk}",
        {
            "title": "越权",
            "description": "x",
            "deadline": days_ago(-5).isoformat(),
            "assignee": cast.staff_b.pk,
        },
    )
    assert response.status_code == 404
    assert not SupervisionItem.objects.exists()


def test_a_raise_with_bad_input_names_the_field(client_for, cast):
    client = client_for(cast.supervisor)
    url = reverse("investment:supervision-create") + f"?zone={cast.zone_a.pk}"
    response = client.post(
        url,
        {
            "title": "事项",
            "description": "x",
            "deadline": days_ago(3).isoformat(),
            "assignee": cast.staff_a.pk,
            "source": "instruction",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "办理时限不能早于今天" in body and "领导批示事项须填写批示领导" in body
    response = client.post(
        url,
        {
            "title": "事项",
            "description": "x",
            "deadline": days_ago(-3).isoformat(),
            "assignee": cast.staff_b.pk,
            "source": "ordinary",
        },
    )
    assert list(response.context["form"].errors) == ["assignee"]  # another zone's user
    assert not SupervisionItem.objects.exists()


def test_exemption_pages_request_and_decide(client_for, cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    milestone = services.create_milestone(
        cast.staff_a, project, {"title": "取得施工许可", "planned_date": days_ago(4)}
    )
    detail = (
        client_for(cast.staff_a)
        .get(reverse("investment:project-detail", args=[project.pk]))
        .content.decode()
    )
    assert f"?milestone={milestone.pk}" in detail
    url = reverse("investment:exemption-create") + f"?milestone={milestone.pk}"
    assert client_for(cast.viewer_a).get(url).status_code == 404
    response = client_for(cast.staff_a).post(url, {"reason": "", "evidence": ""})
    assert "请填写免责理由" in response.content.decode()
    response = client_for(cast.staff_a).post(
        url, {"reason": "暴雨停工两周", "evidence": "气象预警"}
    )
    exemption = Exemption.objects.get()
    assert response.status_code == 302
    detail_url = reverse("investment:exemption-detail", args=[exemption.pk])
    assert 'id="decision-form"' not in client_for(cast.staff_a).get(detail_url).content.decode()
    assert 'id="decision-form"' in client_for(cast.city).get(detail_url).content.decode()
    decide = reverse("investment:exemption-decide", args=[exemption.pk])
    for who in ("staff_a", "leader_a", "province"):
        assert (
            client_for(getattr(cast, who)).post(decide, {"decision": "approve"}).status_code == 403
        )
    assert Exemption.objects.get().status == "pending"
    response = client_for(cast.city).post(decide, {"decision": "reject"}, follow=True)
    assert "驳回须填写审核意见" in response.content.decode()
    client_for(cast.city).post(decide, {"decision": "approve", "note": "属实"})
    assert Exemption.objects.get().status == "approved"
    body = (
        client_for(cast.staff_a)
        .get(reverse("investment:project-detail", args=[project.pk]))
        .content.decode()
    )
    assert "免责已批准" in body and f"?milestone={milestone.pk}" not in body
    assert "容错免责已批准" in body  # on the timeline


def test_the_requester_cannot_approve_their_own_request_through_the_page(client_for, cast):
    project = make_project(cast.admin, cast.zone_a, stage=ProjectStage.SIGNED)
    milestone = services.create_milestone(
        cast.admin, project, {"title": "开工", "planned_date": days_ago(4)}
    )
    exemption = services.request_exemption(cast.admin, {"milestone": milestone, "reason": "停工"})
    client = client_for(cast.admin)
    body = client.get(reverse("investment:exemption-detail", args=[exemption.pk])).content.decode()
    assert 'id="decision-form"' not in body and "须由其他督查人员审核" in body
    response = client.post(
        reverse("investment:exemption-decide", args=[exemption.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert Exemption.objects.get().status == "pending"


def test_the_exemption_list_is_scoped_and_counts_queries(client_for, cast):
    item_a = make_overdue(raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a))
    item_b = make_overdue(raise_item(cast.supervisor, cast.zone_b, assignee=cast.staff_b))
    services.request_exemption(cast.staff_a, {"item": item_a, "reason": "甲的理由"})
    services.request_exemption(cast.staff_b, {"item": item_b, "reason": "乙的理由"})
    url = reverse("investment:exemption-list")
    body = client_for(cast.city).get(url).content.decode()
    assert "甲的理由" in body and "乙的理由" not in body
    client = client_for(cast.supervisor)
    one = count_queries(client, url)
    for n in range(49):
        item = make_overdue(
            raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a, title=f"事项{n}")
        )
        services.request_exemption(cast.staff_a, {"item": item, "reason": f"理由{n}"})
    assert count_queries(client, url) == one


def test_my_work_lists_my_projects_milestones_reports_owed_and_items(client_for, cast):
    project = make_project(
        cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED, lead=cast.staff_a, name="我负责的项目"
    )
    make_project(cast.leader_a, cast.zone_a, name="别人的项目")
    services.create_milestone(
        cast.staff_a, project, {"title": "逾期节点", "planned_date": days_ago(3)}
    )
    services.create_milestone(
        cast.staff_a, project, {"title": "近期节点", "planned_date": days_ago(-20)}
    )
    services.create_milestone(
        cast.staff_a, project, {"title": "远期节点", "planned_date": days_ago(-90)}
    )
    raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a, title="交办给我的事项")
    raise_item(cast.supervisor, cast.zone_a, assignee=cast.leader_a, title="交办给领导的事项")
    client = client_for(cast.staff_a)
    body = client.get(reverse("investment:my-work")).content.decode()
    assert "我负责的项目" in body and "别人的项目" not in body
    assert "逾期节点" in body and "近期节点" in body and "远期节点" not in body
    assert "交办给我的事项" in body and "交办给领导的事项" not in body
    assert reverse("investment:report-create", args=[project.pk]) in body  # last month owed
    one = count_queries(client, reverse("investment:my-work"))
    for n in range(5):
        p = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED, lead=cast.staff_a)
        services.create_milestone(
            cast.staff_a, p, {"title": f"节点{n}", "planned_date": days_ago(-n)}
        )
        raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a, title=f"事项{n}")
    assert count_queries(client, reverse("investment:my-work")) == one
    assert client_for(cast.outsider).get(reverse("investment:my-work")).status_code == 200


def test_the_project_page_offers_supervisors_to_raise_an_item(client_for, cast):
    project = make_project(cast.staff_a, cast.zone_a)
    url = reverse("investment:project-detail", args=[project.pk])
    link = reverse("investment:supervision-create") + f"?project={project.pk}"
    assert link in client_for(cast.city).get(url).content.decode()
    assert link not in client_for(cast.staff_a).get(url).content.decode()
    assert link not in client_for(cast.province).get(url).content.decode()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_done_when_staff_logs_a_project_supervisor_raises_an_item_leader_answers_it(cast):
    """Issue 3, done when: through the web pages only, and the timeline shows each step."""
    staff = signed_in(cast.staff_a)
    response = staff.post(
        reverse("investment:project-create"), form_data(cast.zone_a, lead=cast.staff_a.pk)
    )
    project = Project.objects.get()
    assert response.status_code == 302
    url = reverse("investment:project-transition", args=[project.pk])
    today = timezone.localdate().isoformat()
    staff.post(url, {"to_stage": "negotiating", "date": today})
    response = staff.post(
        url,
        {
            "to_stage": "signed",
            "date": today,
            "investment": "28000",
            "output_per_mu": "320",
            "tax_per_mu": "18",
            "planned_start_date": "2027-03-01",
            "planned_production_date": "2028-03-01",
        },
    )
    assert response.status_code == 302
    response = staff.post(
        reverse("investment:milestone-create", args=[project.pk]),
        {
            "title": "取得施工许可",
            "planned_date": days_ago(-30).isoformat(),
            "status": "not_started",
            "position": 1,
        },
    )
    assert response.status_code == 302 and Milestone.objects.filter(project=project).exists()
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    response = staff.post(
        reverse("investment:report-create", args=[project.pk]),
        {
            "year": last.year,
            "month": last.month,
            "investment_this_month": "500",
            "progress": "完成场平",
        },
    )
    assert response.status_code == 302

    supervisor = signed_in(cast.supervisor)
    response = supervisor.post(
        reverse("investment:supervision-create") + f"?project={project.pk}",
        {
            "title": "督促项目按期开工",
            "description": "请落实施工许可办理并反馈进度。",
            "deadline": days_ago(-14).isoformat(),
            "assignee": cast.leader_a.pk,
            "source": "ordinary",
            "note": "省督查交办",
        },
    )
    item = SupervisionItem.objects.get()
    assert response.status_code == 302 and item.project == project

    leader = signed_in(cast.leader_a)
    step_url = reverse("investment:supervision-step", args=[item.pk])
    for data in (
        {"step": "acknowledge", "note": "已签收"},
        {"step": "start"},
        {"step": "feedback", "feedback": "施工许可已于本周取得"},
    ):
        assert leader.post(step_url, data).status_code == 302
    for data in ({"step": "review"}, {"step": "close", "note": "同意办结"}):
        assert supervisor.post(step_url, data).status_code == 302
    item.refresh_from_db()
    assert item.status == "closed"

    body = staff.get(reverse("investment:project-detail", args=[project.pk])).content.decode()
    timeline = body[body.index('id="timeline"') :]
    for title in ("督办交办", "督办签收", "督办办理", "督办反馈", "督办复核", "督办办结"):
        assert f"{title}：督促项目按期开工" in timeline, title
    assert "施工许可已于本周取得" in timeline and "同意办结" in timeline
    assert (
        timeline.count(cast.leader_a.username) >= 3
        and timeline.count(cast.supervisor.username) >= 3
    )
    assert "阶段：洽谈 → 签约" in timeline and "月报" in timeline and "节点" in timeline
    stamp = timezone.localtime(item.closed_at).strftime("%Y-%m-%d %H:%M")
    assert stamp in timeline
