"""The supervision loop and exemptions in the services: order, who may do what, history."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from devzone import history
from investment import selectors, services
from investment.models import (
    Exemption,
    Milestone,
    ProjectStage,
    SupervisionItem,
    SupervisionStep,
)
from tests.investment.helpers import days_ago, make_project
from tests.investment.supervision_helpers import make_overdue, raise_item, walk

pytestmark = pytest.mark.django_db


def state(item) -> tuple:
    item = SupervisionItem.objects.get(pk=item.pk)
    return item.status, item.reopened_count, item.steps.count()


def test_a_supervisor_raises_an_item_and_the_zone_walks_the_whole_loop(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    item = raise_item(cast.supervisor, None, project=project, assignee=cast.leader_a)
    assert (
        item.zone == cast.zone_a and item.status == "assigned" and item.raised_by == cast.supervisor
    )
    services.supervision_step(cast.leader_a, item, "acknowledge", note="收到")
    services.supervision_step(cast.staff_a, item, "start")
    services.supervision_step(cast.leader_a, item, "feedback", feedback="已完成开工准备")
    services.supervision_step(cast.supervisor, item, "review")
    services.supervision_step(cast.supervisor, item, "close", note="同意办结")
    item.refresh_from_db()
    assert item.status == "closed" and item.closed_at is not None
    steps = list(item.steps.order_by("at", "pk"))
    assert [s.kind for s in steps] == [
        "assign",
        "acknowledge",
        "start",
        "feedback",
        "review",
        "close",
    ]
    assert [s.user for s in steps] == [
        cast.supervisor,
        cast.leader_a,
        cast.staff_a,
        cast.leader_a,
        cast.supervisor,
        cast.supervisor,
    ]
    assert steps[3].feedback == "已完成开工准备"
    # every write is in the history, with who did it
    rows = history.history_rows(item)
    assert len(rows) == 6 and {r["user"] for r in rows} == {
        cast.supervisor,
        cast.leader_a,
        cast.staff_a,
    }


def test_a_return_sends_the_item_back_to_work_and_marks_it_reopened(cast):
    item = walk(
        raise_item(cast.city, cast.zone_a, assignee=cast.staff_a), cast.staff_a, cast.city, "review"
    )
    with pytest.raises(ValidationError) as error:
        services.supervision_step(cast.city, item, "return")
    assert "退回须填写退回原因" in str(error.value)
    services.supervision_step(cast.city, item, "return", note="佐证材料不全，请补充")
    item.refresh_from_db()
    assert (item.status, item.reopened_count) == ("in_progress", 1)
    assert item.colour_on() == "red"
    services.supervision_step(cast.staff_a, item, "feedback", feedback="已补充材料")
    assert SupervisionItem.objects.get(pk=item.pk).status == "feedback"


@pytest.mark.parametrize(
    ("reached", "illegal"),
    [
        ("assign", ["start", "feedback", "review", "return", "close"]),
        ("acknowledge", ["acknowledge", "feedback", "review", "return", "close"]),
        ("start", ["acknowledge", "start", "review", "return", "close"]),
        ("feedback", ["acknowledge", "start", "feedback", "return", "close"]),
        ("review", ["acknowledge", "start", "feedback", "review"]),
    ],
)
def test_a_step_out_of_order_is_refused_in_chinese_and_changes_nothing(cast, reached, illegal):
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a)
    if reached != "assign":
        item = walk(item, cast.staff_a, cast.supervisor, reached)
    before = state(item)
    for kind in illegal:
        user = cast.admin  # the administrator may act on both sides: only the order refuses
        with pytest.raises(ValidationError) as error:
            services.supervision_step(user, item, kind, note="x", feedback="x")
        assert "督办事项当前为" in str(error.value) and "不能" in str(error.value)
        assert state(item) == before


def test_a_closed_item_takes_no_further_step(cast):
    item = walk(
        raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a),
        cast.staff_a,
        cast.supervisor,
        "close",
    )
    for kind in ("acknowledge", "start", "feedback", "review", "return", "close"):
        with pytest.raises(ValidationError):
            services.supervision_step(cast.admin, item, kind, note="x", feedback="x")
    assert services.allowed_steps(cast.admin, item) == []


def test_an_unknown_step_and_feedback_without_text_are_refused(cast):
    item = walk(
        raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a),
        cast.staff_a,
        cast.supervisor,
        "start",
    )
    with pytest.raises(ValidationError) as error:
        services.supervision_step(cast.staff_a, item, "assign")
    assert "办理环节无效" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.supervision_step(cast.staff_a, item, "feedback", feedback="  ")
    assert "反馈须填写办理情况" in str(error.value)
    assert state(item)[0] == "in_progress"


@pytest.mark.parametrize(
    "who", ["viewer_a", "staff_b", "province", "outsider", "supervisor", "city"]
)
def test_only_the_zone_side_acknowledges_works_and_answers(cast, who):
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.leader_a)
    before = state(item)
    with pytest.raises(PermissionDenied):
        services.supervision_step(getattr(cast, who), item, "acknowledge")
    assert state(item) == before


@pytest.mark.parametrize(
    "who", ["leader_a", "staff_a", "viewer_a", "staff_b", "province", "outsider"]
)
def test_only_a_supervisor_of_the_zone_reviews_returns_and_closes(cast, who):
    item = walk(
        raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a),
        cast.staff_a,
        cast.supervisor,
        "feedback",
    )
    before = state(item)
    with pytest.raises(PermissionDenied):
        services.supervision_step(getattr(cast, who), item, "review")
    assert state(item) == before
    services.supervision_step(cast.city, item, "review")
    before = state(item)
    for kind in ("close", "return"):
        with pytest.raises(PermissionDenied):
            services.supervision_step(getattr(cast, who), item, kind, note="x")
        assert state(item) == before


def test_the_zone_staff_cannot_close_their_own_zones_item(cast):
    item = walk(
        raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a),
        cast.staff_a,
        cast.supervisor,
        "review",
    )
    with pytest.raises(PermissionDenied) as error:
        services.supervision_step(cast.staff_a, item, "close")
    assert "督查人员" in str(error.value)
    assert state(item)[0] == "under_review"


def test_an_assignee_with_a_read_only_role_may_still_answer_the_item(cast):
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.viewer_a)
    services.supervision_step(cast.viewer_a, item, "acknowledge")
    assert state(item)[0] == "acknowledged"
    assert services.allowed_steps(cast.viewer_a, item) == ["start"]


def test_the_city_supervisor_may_supervise_only_the_zones_of_its_prefecture(cast):
    assert raise_item(cast.city, cast.zone_a, assignee=cast.staff_a).raised_by == cast.city
    other = make_project(cast.staff_b, cast.zone_b)
    with pytest.raises(ValidationError) as error:
        raise_item(cast.city, cast.zone_a, assignee=cast.staff_a, project=other)
    assert "项目不存在或无权督办" in str(error.value)
    with pytest.raises(PermissionDenied):
        raise_item(cast.city, cast.zone_b, assignee=cast.staff_b)
    b_item = raise_item(cast.supervisor, cast.zone_b, assignee=cast.staff_b)
    b_item = walk(b_item, cast.staff_b, cast.supervisor, "feedback")
    with pytest.raises(PermissionDenied):
        services.supervision_step(cast.city, b_item, "review")
    assert state(b_item)[0] == "feedback"
    assert SupervisionItem.objects.filter(zone=cast.zone_b).count() == 1


@pytest.mark.parametrize("who", ["province", "leader_a", "staff_a", "viewer_a", "outsider"])
def test_only_supervisors_raise_items(cast, who):
    with pytest.raises(PermissionDenied):
        raise_item(getattr(cast, who), cast.zone_a, assignee=cast.staff_a)
    assert not SupervisionItem.objects.exists()


def test_raising_checks_the_assignee_the_project_the_deadline_and_the_instruction(cast):
    other = make_project(cast.staff_b, cast.zone_b)
    cases = [
        ({"assignee": cast.staff_b}, "assignee", "不是本开发区的人员"),
        ({"project": other}, "project", "关联项目必须是该开发区的项目"),
        ({"deadline": days_ago(1)}, "deadline", "办理时限不能早于今天"),
        ({"source": "instruction"}, "instruction_leader", "须填写批示领导"),
        ({"source": "instruction", "instruction_leader": "省长"}, "start_colour", "起始预警"),
        ({"start_colour": "red"}, "start_colour", "日常督办事项不设起始预警等级"),
        ({"title": ""}, "title", ""),
    ]
    for extra, field, message in cases:
        data = {"assignee": cast.staff_a, **extra}
        with pytest.raises(ValidationError) as error:
            raise_item(cast.supervisor, cast.zone_a, **data)
        assert field in error.value.message_dict, extra
        assert message in " ".join(error.value.message_dict[field])
    assert not SupervisionItem.objects.exists() and not SupervisionStep.objects.exists()
    item = raise_item(
        cast.supervisor,
        cast.zone_a,
        assignee=cast.staff_a,
        source="instruction",
        instruction_leader="演示省长",
        start_colour="red",
        days=30,
    )
    assert item.colour_on() == "red"


def test_a_project_of_another_zone_cannot_be_attached_even_by_a_provincial_supervisor(cast):
    other = make_project(cast.staff_b, cast.zone_b)
    with pytest.raises(ValidationError) as error:
        raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a, project=other)
    assert "关联项目必须是该开发区的项目" in str(error.value)


# --- exemptions ------------------------------------------------------------------------------


def overdue_milestone(cast) -> Milestone:
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    return services.create_milestone(
        cast.staff_a, project, {"title": "取得施工许可", "planned_date": days_ago(5)}
    )


def test_the_zone_requests_an_exemption_for_a_missed_milestone_and_a_supervisor_approves(cast):
    milestone = overdue_milestone(cast)
    exemption = services.request_exemption(
        cast.staff_a, {"milestone": milestone, "reason": "暴雨停工", "evidence": "气象预警"}
    )
    assert (exemption.status, exemption.zone, exemption.requested_by) == (
        "pending",
        cast.zone_a,
        cast.staff_a,
    )
    assert selectors.exempted([milestone.pk]).milestones == set()
    services.decide_exemption(cast.city, exemption, True, "情况属实")
    exemption.refresh_from_db()
    assert (exemption.status, exemption.decided_by, exemption.decision_note) == (
        "approved",
        cast.city,
        "情况属实",
    )
    assert selectors.exempted([milestone.pk], []).milestones == {milestone.pk}
    assert [r["action"] for r in history.history_rows(exemption)] == ["状态变更", "新增"]


def test_the_requester_can_never_decide_their_own_request_even_as_administrator(cast):
    milestone = overdue_milestone(cast)
    exemption = services.request_exemption(cast.admin, {"milestone": milestone, "reason": "停工"})
    for approve in (True, False):
        with pytest.raises(PermissionDenied) as error:
            services.decide_exemption(cast.admin, exemption, approve, "自批")
        assert "申请人不能审核本人" in str(error.value)
    assert Exemption.objects.get().status == "pending"
    services.decide_exemption(cast.supervisor, exemption, False, "理由不足")
    assert Exemption.objects.get().status == "rejected"


@pytest.mark.parametrize(
    "who", ["leader_a", "staff_a", "viewer_a", "province", "staff_b", "outsider"]
)
def test_only_a_supervisor_of_the_zone_decides_an_exemption(cast, who):
    exemption = services.request_exemption(
        cast.staff_a, {"milestone": overdue_milestone(cast), "reason": "停工"}
    )
    with pytest.raises(PermissionDenied):
        services.decide_exemption(getattr(cast, who), exemption, True)
    assert Exemption.objects.get().status == "pending"


def test_the_city_supervisor_cannot_decide_another_prefectures_exemption(cast):
    project = make_project(cast.staff_b, cast.zone_b, stage=ProjectStage.SIGNED)
    milestone = services.create_milestone(
        cast.staff_b, project, {"title": "开工", "planned_date": days_ago(3)}
    )
    exemption = services.request_exemption(cast.staff_b, {"milestone": milestone, "reason": "停工"})
    with pytest.raises(PermissionDenied):
        services.decide_exemption(cast.city, exemption, True)
    assert Exemption.objects.get().status == "pending"


def test_an_exemption_is_only_for_a_missed_milestone_or_an_overdue_item(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    future = services.create_milestone(
        cast.staff_a, project, {"title": "未来节点", "planned_date": days_ago(-10)}
    )
    on_time = services.create_milestone(
        cast.staff_a,
        project,
        {"title": "按期完成", "planned_date": days_ago(5), "actual_date": days_ago(6)},
    )
    late = services.create_milestone(
        cast.staff_a,
        project,
        {"title": "延期完成", "planned_date": days_ago(9), "actual_date": days_ago(2)},
    )
    for milestone in (future, on_time):
        with pytest.raises(ValidationError) as error:
            services.request_exemption(cast.staff_a, {"milestone": milestone, "reason": "x"})
        assert "只能对已逾期的节点申请容错免责" in str(error.value)
    item = raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a)
    with pytest.raises(ValidationError) as error:
        services.request_exemption(cast.staff_a, {"item": item, "reason": "x"})
    assert "只能对已逾期的督办事项申请容错免责" in str(error.value)
    with pytest.raises(ValidationError):
        services.request_exemption(cast.staff_a, {"reason": "x"})
    with pytest.raises(ValidationError):
        services.request_exemption(cast.staff_a, {"milestone": late, "item": item, "reason": "x"})
    assert not Exemption.objects.exists()
    services.request_exemption(cast.staff_a, {"milestone": late, "reason": "完成晚于计划"})
    make_overdue(item)
    services.request_exemption(cast.staff_a, {"item": item, "reason": "跨部门审批"})
    assert Exemption.objects.count() == 2


def test_a_second_request_waits_for_the_first_to_be_rejected(cast):
    milestone = overdue_milestone(cast)
    first = services.request_exemption(cast.staff_a, {"milestone": milestone, "reason": "停工"})
    with pytest.raises(ValidationError) as error:
        services.request_exemption(cast.leader_a, {"milestone": milestone, "reason": "再次申请"})
    assert "已有待审核或已批准" in str(error.value)
    services.decide_exemption(cast.supervisor, first, False, "理由不足")
    services.request_exemption(cast.leader_a, {"milestone": milestone, "reason": "补充理由"})
    with pytest.raises(ValidationError):
        services.decide_exemption(cast.supervisor, first, True)
    assert Exemption.objects.filter(status="pending").count() == 1


@pytest.mark.parametrize(
    "who", ["viewer_a", "staff_b", "city", "supervisor", "province", "outsider"]
)
def test_only_the_zones_leader_and_staff_request_exemptions(cast, who):
    milestone = overdue_milestone(cast)
    with pytest.raises(PermissionDenied):
        services.request_exemption(getattr(cast, who), {"milestone": milestone, "reason": "x"})
    assert not Exemption.objects.exists()


def test_a_rejection_needs_a_note(cast):
    exemption = services.request_exemption(
        cast.staff_a, {"milestone": overdue_milestone(cast), "reason": "停工"}
    )
    with pytest.raises(ValidationError) as error:
        services.decide_exemption(cast.supervisor, exemption, False, " ")
    assert "驳回须填写审核意见" in str(error.value)
    assert Exemption.objects.get().status == "pending"


def test_exempted_answers_for_items_too(cast):
    item = make_overdue(raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a))
    other = make_overdue(raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a))
    exemption = services.request_exemption(cast.staff_a, {"item": item, "reason": "跨部门"})
    services.decide_exemption(cast.city, exemption, True)
    assert selectors.exempted(item_ids=[item.pk, other.pk]) == (set(), {item.pk})
    assert selectors.exempted() == (set(), set())


def test_a_closed_late_item_counts_as_overdue(cast):
    item = walk(
        raise_item(cast.supervisor, cast.zone_a, assignee=cast.staff_a),
        cast.staff_a,
        cast.supervisor,
        "close",
    )
    assert not item.is_overdue
    SupervisionItem.objects.filter(pk=item.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    item.refresh_from_db()
    assert item.is_overdue
