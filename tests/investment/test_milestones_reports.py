"""Milestones (reschedules keep the old date) and monthly progress reports (one per month, the
cumulative rule, reports owed and late)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from investment import selectors, services
from investment.models import (
    Milestone,
    MilestoneReschedule,
    ProgressReport,
    ProjectStage,
    report_due_date,
)
from tests.investment.helpers import days_ago, make_project

pytestmark = pytest.mark.django_db


def month_back(n: int) -> tuple[int, int]:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - n
    return index // 12, index % 12 + 1


def report(user, project, n_back: int, this: str, cumulative: str | None = None):
    year, month = month_back(n_back)
    data = {"investment_this_month": Decimal(this), "progress": "按计划推进"}
    if cumulative is not None:
        data["investment_cumulative"] = Decimal(cumulative)
    return services.submit_report(user, project, year, month, data)


# --- milestones -----------------------------------------------------------------------------


def test_a_milestone_past_its_planned_date_and_not_done_is_overdue(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    late = services.create_milestone(
        cast.staff_a, project, {"title": "取得用地批复", "planned_date": days_ago(3)}
    )
    ahead = services.create_milestone(
        cast.staff_a, project, {"title": "主体开工", "planned_date": days_ago(-30)}
    )
    assert late.is_overdue and late.get_effective_status_display() == "已延期"
    assert not ahead.is_overdue
    assert list(Milestone.objects.overdue()) == [late]
    services.complete_milestone(cast.staff_a, late, days_ago(1))
    late.refresh_from_db()
    assert (late.status, late.actual_date, late.is_overdue) == ("done", days_ago(1), False)


def test_rescheduling_keeps_the_old_date_and_needs_a_reason(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED)
    planned = days_ago(-10)
    milestone = services.create_milestone(
        cast.staff_a, project, {"title": "设备进场", "planned_date": planned}
    )
    with pytest.raises(ValidationError) as error:
        services.reschedule_milestone(cast.staff_a, milestone, days_ago(-40), "")
    assert "调整原因" in str(error.value)
    with pytest.raises(ValidationError):
        services.update_milestone(cast.staff_a, milestone, {"planned_date": days_ago(-40)})
    milestone.refresh_from_db()
    assert milestone.planned_date == planned
    assert not MilestoneReschedule.objects.exists()

    services.reschedule_milestone(cast.staff_a, milestone, days_ago(-40), "雨季影响施工")
    milestone.refresh_from_db()
    assert milestone.planned_date == days_ago(-40)
    row = MilestoneReschedule.objects.get()
    assert (row.old_date, row.new_date, row.reason, row.user) == (
        planned,
        days_ago(-40),
        "雨季影响施工",
        cast.staff_a,
    )


def test_a_milestone_owner_must_belong_to_the_zone_and_actual_dates_are_not_future(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    with pytest.raises(ValidationError) as error:
        services.create_milestone(
            cast.staff_a,
            project,
            {"title": "x", "planned_date": days_ago(1), "owner": cast.staff_b},
        )
    assert "owner" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_milestone(
            cast.staff_a,
            project,
            {"title": "x", "planned_date": days_ago(1), "actual_date": days_ago(-3)},
        )
    assert "actual_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_milestone(
            cast.staff_a, project, {"title": "x", "planned_date": days_ago(1), "status": "done"}
        )
    assert "actual_date" in error.value.message_dict
    assert not Milestone.objects.exists()


def test_read_only_roles_and_other_zones_cannot_touch_milestones(cast):
    project = make_project(cast.staff_a, cast.zone_a)
    milestone = services.create_milestone(
        cast.staff_a, project, {"title": "节点", "planned_date": days_ago(-5)}
    )
    for user in (cast.viewer_a, cast.city, cast.supervisor, cast.staff_b):
        with pytest.raises(PermissionDenied):
            services.create_milestone(user, project, {"title": "越权", "planned_date": days_ago(1)})
        with pytest.raises(PermissionDenied):
            services.reschedule_milestone(user, milestone, days_ago(-50), "越权")
    milestone.refresh_from_db()
    assert milestone.planned_date == days_ago(-5)
    assert Milestone.objects.count() == 1


# --- progress reports -----------------------------------------------------------------------


def test_one_report_per_project_and_month(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED)
    report(cast.staff_a, project, 1, "100")
    with pytest.raises(ValidationError) as error:
        report(cast.staff_a, project, 1, "50")
    assert "每个项目每月只能填报一份" in str(error.value)
    assert ProgressReport.objects.count() == 1


def test_the_cumulative_follows_the_previous_month(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED)
    first = report(cast.staff_a, project, 3, "100", "250")  # earlier spending before reporting
    assert first.investment_cumulative == Decimal("250")
    with pytest.raises(ValidationError) as error:
        report(cast.staff_a, project, 3 - 1, "100", "300")
    assert "应等于上月" in str(error.value) and "350" in str(error.value)
    second = report(cast.staff_a, project, 2, "100")  # blank cumulative is computed
    assert second.investment_cumulative == Decimal("350")
    # a gap month: at least the latest earlier cumulative plus this month
    with pytest.raises(ValidationError) as error:
        report(cast.staff_a, project, 0, "10", "300")
    assert "不能小于此前最近一期" in str(error.value)
    report(cast.staff_a, project, 0, "10", "400")
    project.refresh_from_db()
    assert project.completed_investment == Decimal("400")


def test_a_first_report_cannot_have_less_cumulative_than_this_month(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED)
    with pytest.raises(ValidationError) as error:
        report(cast.staff_a, project, 1, "100", "50")
    assert "investment_cumulative" in error.value.message_dict


def test_editing_a_report_must_keep_the_following_month_consistent(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED)
    older = report(cast.staff_a, project, 2, "100")
    report(cast.staff_a, project, 1, "100")
    with pytest.raises(ValidationError) as error:
        services.update_report(
            cast.staff_a,
            older,
            {"investment_this_month": Decimal("150"), "investment_cumulative": Decimal("150")},
        )
    assert "后续月份" in str(error.value)
    older.refresh_from_db()
    assert older.investment_cumulative == Decimal("100")
    with pytest.raises(ValidationError):
        services.delete_report(cast.staff_a, older)


def test_future_months_cannot_be_reported(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED)
    with pytest.raises(ValidationError) as error:
        report(cast.staff_a, project, -1, "10")
    assert "未来月份" in str(error.value)


def test_the_due_date_is_a_configurable_day_of_the_next_month(settings):
    assert report_due_date(2025, 3) == datetime.date(2025, 4, 5)
    assert report_due_date(2025, 12) == datetime.date(2026, 1, 5)
    settings.DEVZONE_PROGRESS_REPORT_DUE_DAY = 10
    assert report_due_date(2025, 3) == datetime.date(2025, 4, 10)


def test_reports_owed_lists_active_projects_missing_the_month_and_late_reports(cast):
    year, month = month_back(2)
    owing = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED, name="欠报项目")
    reported = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.SIGNED, name="已报项目")
    make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.NEGOTIATING, name="洽谈项目")
    make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.FULL_CAPACITY, name="达产项目")
    other_zone = make_project(cast.staff_b, cast.zone_b, stage=ProjectStage.STARTED, name="B项目")
    on_time = report(cast.staff_a, reported, 2, "10")
    due = report_due_date(year, month)
    ProgressReport.objects.filter(pk=on_time.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime.combine(due, datetime.time(17)))
    )
    on_time.refresh_from_db()
    assert not on_time.is_late

    assert [p.name for p in selectors.reports_owed(cast.staff_a, year, month)] == ["欠报项目"]
    assert [p.name for p in selectors.reports_owed([cast.zone_b], year, month)] == ["B项目"]
    assert {p.name for p in selectors.reports_owed(cast.province, year, month)} == {
        "欠报项目",
        "B项目",
    }
    assert owing and other_zone

    late = report(cast.staff_a, owing, 2, "10")
    ProgressReport.objects.filter(pk=late.pk).update(
        submitted_at=timezone.make_aware(
            datetime.datetime.combine(
                report_due_date(year, month) + datetime.timedelta(days=2), datetime.time(9)
            )
        )
    )
    late.refresh_from_db()
    assert late.is_late
    assert list(selectors.late_reports(cast.staff_a, year, month)) == [late]
    assert list(selectors.late_reports(cast.staff_b, year, month)) == []
    assert list(selectors.reports_owed(cast.staff_a, year, month)) == []


def test_read_only_roles_and_other_zones_cannot_report(cast):
    project = make_project(cast.staff_a, cast.zone_a, stage=ProjectStage.STARTED)
    for user in (cast.viewer_a, cast.city, cast.province, cast.staff_b):
        with pytest.raises(PermissionDenied):
            report(user, project, 1, "10")
    assert not ProgressReport.objects.exists()
