"""The investment section of the summary rows ("pipeline"): each zone's pipeline, investment,
overdue milestones, supervision items and funnel of a month as of its last day, written by the
recompute step "summary" in a fixed number of queries.

The month is June 2024, long past, so the figures stand at 30 June 2024 and whatever is dated in
July 2024 happened after the month's end. Projects, moves, milestones, reports and items are made
through the services; the times the services stamp with the present (an item's creation, its
closing and its return for rework) are then moved back to the day each record names."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from investment import services
from investment.models import (
    Project,
    ProjectStage,
    StepKind,
    SupervisionItem,
    SupervisionStep,
    supervision_red_after_days,
)
from investment.summary import compute, empty_figures, recompute_step
from tests.factories import (
    MembershipFactory,
    UserFactory,
    ZoneFactory,
    ensure_scoring_reference_data,
)
from tests.investment.helpers import PROMISES, project_data
from tests.investment.supervision_helpers import raise_item, walk
from zones.methodology import active_methodology
from zones.models import ZoneSummary
from zones.recompute import StepContext, month_end, recompute

pytestmark = pytest.mark.django_db

D = datetime.date
S = ProjectStage
PERIOD = D(2024, 6, 1)
AS_OF = D(2024, 6, 30)
LONG_AGO = D(2023, 10, 1)


@pytest.fixture(autouse=True)
def _reference(db, settings):
    """The active methodology, and the documented red threshold (7 days late) whatever the
    environment says: the dates below are written relative to it."""
    ensure_scoring_reference_data()
    settings.DEVZONE_SUPERVISION_RED_AFTER_DAYS = 7


def days_before(n: int) -> datetime.date:
    return AS_OF - datetime.timedelta(days=n)


def days_after(n: int) -> datetime.date:
    return AS_OF + datetime.timedelta(days=n)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """``day`` at local ``hour:minute`` (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def project(user, zone, moves, *, mode="specialised", investment=1000, this_year=0) -> Project:
    """A project created at ``moves[0]`` and moved through the rest, through the services."""
    (first_stage, first_date), *rest = moves
    row = services.create_project(
        user,
        project_data(
            zone,
            promotion_mode=mode,
            planned_investment=Decimal(investment),
            planned_investment_this_year=Decimal(this_year),
        ),
        start_stage=first_stage,
        start_date=first_date,
        promises=PROMISES,
    )
    for stage, day in rest:
        services.transition(user, row, stage, day, reason="测试", promises=PROMISES)
    row.refresh_from_db()
    return row


def milestone(user, row: Project, planned: datetime.date, done: datetime.date | None = None):
    data: dict = {"title": "节点", "planned_date": planned}
    if done is not None:
        data["actual_date"] = done
    return services.create_milestone(user, row, data)


def report(user, row: Project, month: datetime.date, this_month: str, cumulative: str):
    return services.submit_report(
        user,
        row,
        month.year,
        month.month,
        {
            "investment_this_month": Decimal(this_month),
            "investment_cumulative": Decimal(cumulative),
            "progress": "按计划推进",
        },
    )


def item(
    supervisor,
    zone,
    staff,
    *,
    created: datetime.datetime,
    deadline: datetime.date,
    closed: datetime.datetime | None = None,
    returned: datetime.datetime | None = None,
    **extra,
) -> SupervisionItem:
    """An item raised in ``zone`` (assigned to ``staff``), backdated to ``created``, with its
    deadline, and closed or returned for rework at the given times."""
    row = raise_item(supervisor, zone, assignee=staff, **extra)
    if returned is not None:
        walk(row, staff, supervisor, "review")
        services.supervision_step(supervisor, row, StepKind.RETURN, note="请补充材料后重新反馈")
        SupervisionStep.objects.filter(item=row, kind=StepKind.RETURN).update(at=returned)
    if closed is not None:
        walk(row, staff, supervisor, "close")
        SupervisionItem.objects.filter(pk=row.pk).update(closed_at=closed)
    SupervisionItem.objects.filter(pk=row.pk).update(created_at=created, deadline=deadline)
    row.refresh_from_db()
    return row


def figures_of(zone, period: datetime.date = PERIOD) -> dict:
    return ZoneSummary.objects.get(zone=zone, period=period, section="pipeline").figures


def run(*zones, period: datetime.date = PERIOD):
    return recompute(period, zone_ids=[z.pk for z in zones], steps=["summary"])


def context(zone_ids: list[int] | None, period: datetime.date = PERIOD) -> StepContext:
    return StepContext(period, month_end(period), active_methodology(), zone_ids, None)


# --- the worlds -------------------------------------------------------------------------------


def pipeline(user, zone) -> dict[str, Project]:
    """Projects whose stage on 30 June 2024 differs from today's, or who did not exist yet."""
    return {
        # signed in June, registered in July: 签约 on the day
        "moved_after": project(
            user,
            zone,
            [
                (S.LEAD, D(2024, 1, 10)),
                (S.NEGOTIATING, D(2024, 3, 1)),
                (S.SIGNED, D(2024, 6, 10)),
                (S.REGISTERED, D(2024, 7, 5)),
            ],
            investment=1000,
            this_year=400,
        ),
        # signed in February, after a year of talks
        "signed_before": project(
            user,
            zone,
            [(S.LEAD, D(2023, 5, 1)), (S.NEGOTIATING, D(2023, 11, 1)), (S.SIGNED, D(2024, 2, 15))],
            investment=2000,
            this_year=600,
        ),
        # terminated in June: counted at 终止, not active
        "terminated": project(
            user,
            zone,
            [
                (S.LEAD, D(2024, 1, 5)),
                (S.NEGOTIATING, D(2024, 2, 1)),
                (S.TERMINATED, D(2024, 6, 20)),
            ],
            investment=300,
            this_year=100,
        ),
        # entered in July: not there on the day
        "created_after": project(user, zone, [(S.LEAD, D(2024, 7, 2))], investment=5000),
        # started last December: active, its moves are last year's
        "started": project(
            user,
            zone,
            [
                (S.LEAD, D(2023, 1, 1)),
                (S.NEGOTIATING, D(2023, 2, 1)),
                (S.SIGNED, D(2023, 3, 1)),
                (S.REGISTERED, D(2023, 4, 1)),
                (S.STARTED, D(2023, 12, 20)),
            ],
            investment=700,
            this_year=200,
        ),
        # a new lead of June: entering at 线索 counts as entering it in the month
        "lead": project(user, zone, [(S.LEAD, D(2024, 6, 3))], investment=50),
    }


PIPELINE_FIGURES = {
    "stages": {
        "lead": 1,
        "negotiating": 0,
        "signed": 2,
        "registered": 0,
        "started": 1,
        "in_production": 0,
        "full_capacity": 0,
        "terminated": 1,
    },
    "stage_investment": {
        "lead": 50.0,
        "negotiating": 0.0,
        "signed": 3000.0,
        "registered": 0.0,
        "started": 700.0,
        "in_production": 0.0,
        "full_capacity": 0.0,
        "terminated": 300.0,
    },
    "plan_this_year": 1200.0,  # moved_after 400 + signed_before 600 + started 200
    "month": {
        "lead": 1,  # the new lead of June
        "negotiating": 0,
        "signed": 1,
        "registered": 0,
        "started": 0,
        "in_production": 0,
        "full_capacity": 0,
        "terminated": 1,
    },
    "year": {
        "lead": 3,  # moved_after, terminated and lead were entered in 2024
        "negotiating": 2,
        "signed": 2,
        "registered": 0,
        "started": 0,
        "in_production": 0,
        "full_capacity": 0,
        "terminated": 1,
    },
    "signed_investment_month": 1000.0,
    "signed_investment_year": 3000.0,
}


def reports(user, zone) -> None:
    """Last December's, March's, June's and July's reports of one project; June's of another."""
    first = project(user, zone, [(S.SIGNED, LONG_AGO)])
    second = project(user, zone, [(S.SIGNED, LONG_AGO)])
    report(user, first, D(2023, 12, 1), "100", "100")
    report(user, first, D(2024, 3, 1), "200", "300")
    report(user, first, D(2024, 6, 1), "300.50", "600.50")
    report(user, first, D(2024, 7, 1), "400", "1000.50")
    report(user, second, D(2024, 6, 1), "50.25", "50.25")


def milestones(user, zone) -> None:
    """Milestones of an active project around the day: two red and two yellow on it."""
    red = supervision_red_after_days()
    row = project(user, zone, [(S.SIGNED, LONG_AGO)])
    milestone(user, row, days_before(red + 1))  # red: one day beyond the threshold
    milestone(user, row, days_before(red))  # yellow: exactly at the threshold
    milestone(user, row, days_before(1))  # yellow
    milestone(user, row, AS_OF)  # due on the day: not overdue yet
    milestone(user, row, days_before(3), days_before(1))  # done in time
    milestone(user, row, days_before(red + 13), AS_OF)  # done late, but on the day
    milestone(user, row, days_before(red + 13), days_after(10))  # done only after the month: red
    milestone(user, row, days_after(20))  # not due yet


def items(supervisor, zone, staff) -> dict[str, SupervisionItem]:
    red = supervision_red_after_days()
    june, may = D(2024, 6, 1), D(2024, 5, 1)
    return {
        "none": item(supervisor, zone, staff, created=at(D(2024, 5, 10)), deadline=days_after(10)),
        "blue": item(supervisor, zone, staff, created=at(D(2024, 6, 5)), deadline=days_after(2)),
        "yellow": item(supervisor, zone, staff, created=at(may), deadline=days_before(3)),
        "red": item(
            supervisor, zone, staff, created=at(D(2024, 4, 1)), deadline=days_before(red + 1)
        ),
        "instruction": item(
            supervisor,
            zone,
            staff,
            created=at(D(2024, 6, 12)),
            deadline=days_after(10),
            source="instruction",
            instruction_leader="王书记",
            start_colour="yellow",
        ),
        # closed half an hour into July: still open on the day, and yellow then
        "closed_after": item(
            supervisor,
            zone,
            staff,
            created=at(D(2024, 5, 20)),
            deadline=days_before(2),
            closed=at(D(2024, 7, 1), 0, 30),
        ),
        "closed_on_day": item(
            supervisor,
            zone,
            staff,
            created=at(D(2024, 5, 20)),
            deadline=days_before(2),
            closed=at(AS_OF, 23, 30),
        ),
        "closed_in_may": item(
            supervisor,
            zone,
            staff,
            created=at(D(2024, 4, 20)),
            deadline=D(2024, 5, 25),
            closed=at(D(2024, 5, 31), 23, 30),
        ),
        "created_after": item(
            supervisor, zone, staff, created=at(D(2024, 7, 1), 0, 30), deadline=days_after(10)
        ),
        "created_late_on_day": item(
            supervisor, zone, staff, created=at(AS_OF, 23, 50), deadline=days_after(10)
        ),
        "returned": item(
            supervisor,
            zone,
            staff,
            created=at(june),
            deadline=days_after(10),
            returned=at(D(2024, 6, 20)),
        ),
        "returned_after": item(
            supervisor,
            zone,
            staff,
            created=at(D(2024, 6, 2)),
            deadline=days_after(10),
            returned=at(D(2024, 7, 3)),
        ),
    }


def funnel_world(user, zone) -> None:
    """Projects by promotion mode; the figures after each say the highest stage reached."""
    project(user, zone, [(S.SIGNED, D(2024, 3, 1))], investment=100)  # 签约, skipped two
    project(
        user,
        zone,
        [
            (S.LEAD, D(2024, 1, 1)),
            (S.NEGOTIATING, D(2024, 2, 1)),
            (S.SIGNED, D(2024, 3, 1)),
            (S.REGISTERED, D(2024, 4, 1)),
            (S.TERMINATED, D(2024, 5, 1)),
        ],
        investment=200,
    )  # 注册, then terminated
    project(
        user,
        zone,
        [(S.LEAD, D(2024, 1, 1)), (S.NEGOTIATING, D(2024, 6, 1)), (S.SIGNED, D(2024, 7, 10))],
        mode="resident",
        investment=400,
    )  # 洽谈 on the day (signed only in July)
    project(user, zone, [(S.LEAD, D(2024, 7, 3))], mode="resident", investment=800)  # absent
    project(
        user,
        zone,
        [(S.LEAD, D(2024, 1, 1)), (S.STARTED, D(2024, 4, 1))],
        mode="platform",
        investment=1600,
    )  # 开工, straight from 线索
    project(
        user,
        zone,
        [
            (S.LEAD, D(2024, 1, 1)),
            (S.NEGOTIATING, D(2024, 2, 1)),
            (S.SIGNED, D(2024, 3, 1)),
            (S.NEGOTIATING, D(2024, 4, 1)),
        ],
        mode="platform",
        investment=3200,
    )  # 签约, then back to 洽谈
    # no recorded history at all: counts at its current stage, 注册
    Project.objects.create(
        code=f"XM-RAW-{zone.pk}",
        name="无变更记录项目",
        zone=zone,
        investor_name="测试",
        planned_investment=Decimal(90),
        stage=S.REGISTERED,
    )


FUNNEL = {
    "specialised": [2, 2, 2, 1, 0, 0, 0],
    "resident": [1, 1, 0, 0, 0, 0, 0],
    "platform": [2, 2, 2, 1, 1, 0, 0],
    "other": [1, 1, 1, 1, 0, 0, 0],
}
FUNNEL_INVESTMENT = {
    "specialised": [300.0, 300.0, 300.0, 200.0, 0.0, 0.0, 0.0],
    "resident": [400.0, 400.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    "platform": [4800.0, 4800.0, 4800.0, 1600.0, 1600.0, 0.0, 0.0],
    "other": [90.0, 90.0, 90.0, 90.0, 0.0, 0.0, 0.0],
}


# --- stages and moves -------------------------------------------------------------------------


def test_projects_count_at_the_stage_they_had_on_the_months_last_day(cast):
    pipeline(cast.staff_a, cast.zone_a)

    run(cast.zone_a)

    figures = figures_of(cast.zone_a)
    assert figures["as_of"] == "2024-06-30"
    assert figures["stages"] == PIPELINE_FIGURES["stages"]
    assert figures["stage_investment"] == PIPELINE_FIGURES["stage_investment"]


def test_a_project_entered_after_the_months_end_is_in_no_figure(cast):
    project(cast.staff_a, cast.zone_a, [(S.LEAD, D(2024, 7, 2))], investment=5000)

    run(cast.zone_a)

    figures = figures_of(cast.zone_a)
    assert sum(figures["stages"].values()) == 0
    assert sum(figures["stage_investment"].values()) == 0
    assert figures["plan_this_year"] == 0.0 and sum(figures["year"].values()) == 0
    assert figures["funnel"] == {} and figures["funnel_investment"] == {}


def test_plan_this_year_sums_the_projects_active_on_the_day(cast):
    pipeline(cast.staff_a, cast.zone_a)

    run(cast.zone_a)

    assert figures_of(cast.zone_a)["plan_this_year"] == PIPELINE_FIGURES["plan_this_year"]


def test_moves_of_the_month_and_of_the_year_up_to_the_day(cast):
    pipeline(cast.staff_a, cast.zone_a)

    run(cast.zone_a)

    figures = figures_of(cast.zone_a)
    for key in ("month", "year", "signed_investment_month", "signed_investment_year"):
        assert figures[key] == PIPELINE_FIGURES[key], key


def test_a_project_signed_twice_in_the_year_adds_its_investment_once(cast):
    project(
        cast.staff_a,
        cast.zone_a,
        [
            (S.LEAD, D(2024, 1, 1)),
            (S.NEGOTIATING, D(2024, 1, 10)),
            (S.SIGNED, D(2024, 2, 1)),
            (S.NEGOTIATING, D(2024, 3, 1)),
            (S.SIGNED, D(2024, 6, 5)),
        ],
        investment=500,
    )

    run(cast.zone_a)

    figures = figures_of(cast.zone_a)
    assert figures["year"]["signed"] == 1 and figures["month"]["signed"] == 1
    assert figures["signed_investment_month"] == 500.0
    # "the planned investment of the projects signed then": one project, 500 万元
    assert figures["signed_investment_year"] == 500.0


# --- investment -------------------------------------------------------------------------------


def test_completed_investment_sums_this_years_reports_up_to_the_month(cast):
    reports(cast.staff_a, cast.zone_a)

    run(cast.zone_a)

    figures = figures_of(cast.zone_a)
    assert figures["completed_this_year"] == 550.75  # March 200 + June 300.50 + June 50.25
    assert figures["completed_this_month"] == 350.75  # June's two reports


# --- milestones -------------------------------------------------------------------------------


def test_milestones_not_done_on_the_day_are_overdue_red_beyond_the_configured_days(cast):
    milestones(cast.staff_a, cast.zone_a)

    run(cast.zone_a)

    assert figures_of(cast.zone_a)["milestones_overdue"] == {"red": 2, "yellow": 2}


def test_the_red_threshold_of_milestones_follows_the_setting(cast, settings):
    milestones(cast.staff_a, cast.zone_a)
    settings.DEVZONE_SUPERVISION_RED_AFTER_DAYS = 30  # 20 days late is now only yellow

    run(cast.zone_a)

    assert figures_of(cast.zone_a)["milestones_overdue"] == {"red": 0, "yellow": 4}


def test_milestones_of_a_project_terminated_by_the_day_are_left_out(cast):
    user, zone = cast.staff_a, cast.zone_a
    in_june = project(user, zone, [(S.SIGNED, LONG_AGO)])
    in_july = project(user, zone, [(S.SIGNED, LONG_AGO)])
    milestone(user, in_june, days_before(20))
    milestone(user, in_july, days_before(1))
    services.transition(user, in_june, S.TERMINATED, D(2024, 6, 15), reason="投资方撤资")
    services.transition(user, in_july, S.TERMINATED, D(2024, 7, 15), reason="投资方撤资")

    run(zone)

    # terminated in June: out; terminated only in July: still overdue on the day
    assert figures_of(zone)["milestones_overdue"] == {"red": 0, "yellow": 1}


def test_a_project_terminated_on_the_day_and_reopened_later_leaves_its_milestones_out(cast):
    user, zone = cast.staff_a, cast.zone_a
    row = project(user, zone, [(S.SIGNED, LONG_AGO)])
    milestone(user, row, days_before(20))
    services.transition(user, row, S.TERMINATED, D(2024, 5, 15), reason="投资方撤资")
    services.transition(user, row, S.NEGOTIATING, D(2024, 7, 15), reason="投资方重新洽谈")

    run(zone)

    figures = figures_of(zone)
    assert figures["stages"]["terminated"] == 1  # terminated on 30 June …
    # … so, as "projects terminated by then left out" says, its milestone is not overdue then
    assert figures["milestones_overdue"] == {"red": 0, "yellow": 0}


# --- supervision items ------------------------------------------------------------------------


def test_items_open_on_the_day_are_counted_by_their_colour_on_that_day(cast):
    items(cast.supervisor, cast.zone_a, cast.staff_a)

    run(cast.zone_a)

    # red: past the threshold, returned in June; yellow: late, 批示 starting yellow, closed
    # only in July; blue: due within 3 days; none: the rest still open on the day
    assert figures_of(cast.zone_a)["items_open"] == {"red": 2, "yellow": 3, "blue": 1, "none": 3}


def test_an_item_closed_after_the_months_end_is_open_and_coloured_as_on_the_day(cast):
    item(
        cast.supervisor,
        cast.zone_a,
        cast.staff_a,
        created=at(D(2024, 5, 20)),
        deadline=days_before(2),
        closed=at(D(2024, 7, 1), 0, 30),
    )

    run(cast.zone_a)

    # closed long ago by today's reckoning, but two days late and open on 30 June
    assert figures_of(cast.zone_a)["items_open"] == {"red": 0, "yellow": 1, "blue": 0, "none": 0}


def test_an_item_returned_for_rework_by_the_day_is_red_and_one_returned_later_is_not(cast):
    returned = item(
        cast.supervisor,
        cast.zone_a,
        cast.staff_a,
        created=at(D(2024, 6, 1)),
        deadline=days_after(10),
        returned=at(D(2024, 6, 20)),
    )
    item(
        cast.supervisor,
        cast.zone_a2,
        member(cast.zone_a2, "t_staff_a2"),
        created=at(D(2024, 6, 1)),
        deadline=days_after(10),
        returned=at(D(2024, 7, 3)),
    )

    run(cast.zone_a, cast.zone_a2)

    assert returned.reopened_count == 1
    assert figures_of(cast.zone_a)["items_open"]["red"] == 1
    assert figures_of(cast.zone_a2)["items_open"] == {"red": 0, "yellow": 0, "blue": 0, "none": 1}


def test_items_raised_and_closed_in_the_month_count_by_the_local_day(cast):
    items(cast.supervisor, cast.zone_a, cast.staff_a)

    run(cast.zone_a)

    figures = figures_of(cast.zone_a)
    # raised 1, 2, 5, 12 and 30 June (23:50 local); not 1 July 00:30 local
    assert figures["items_opened"] == 5
    # closed 30 June 23:30 local; not 31 May nor 1 July 00:30 local
    assert figures["items_closed"] == 1


# --- the funnel -------------------------------------------------------------------------------


def test_the_funnel_counts_each_project_up_to_the_highest_stage_it_reached_by_the_day(cast):
    funnel_world(cast.staff_a, cast.zone_a)

    run(cast.zone_a)

    figures = figures_of(cast.zone_a)
    assert figures["funnel"] == FUNNEL
    assert figures["funnel_investment"] == FUNNEL_INVESTMENT


def test_the_funnel_of_the_pipeline_world_stands_at_the_day(cast):
    pipeline(cast.staff_a, cast.zone_a)

    run(cast.zone_a)

    # lead 线索, terminated 洽谈, moved_after and signed_before 签约 (moved_after registered
    # only in July), started 开工; created_after did not exist yet
    assert figures_of(cast.zone_a)["funnel"] == {"specialised": [5, 4, 3, 1, 1, 0, 0]}
    assert figures_of(cast.zone_a)["funnel_investment"] == {
        "specialised": [4050.0, 4000.0, 3700.0, 700.0, 700.0, 0.0, 0.0]
    }


# --- zones and rows ---------------------------------------------------------------------------


def member(zone, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, role="zone_staff", zone=zone)
    return user


def whole_world(cast, zone, staff) -> None:
    pipeline(staff, zone)
    reports(staff, zone)
    milestones(staff, zone)
    items(cast.supervisor, zone, staff)
    funnel_world(staff, zone)


def test_another_zones_records_never_count(cast):
    whole_world(cast, cast.zone_a, cast.staff_a)
    run(cast.zone_a, cast.zone_b)
    alone = figures_of(cast.zone_a)
    assert figures_of(cast.zone_b) == empty_figures(AS_OF)

    whole_world(cast, cast.zone_b, cast.staff_b)
    run(cast.zone_a, cast.zone_b)

    assert figures_of(cast.zone_a) == alone
    assert figures_of(cast.zone_b) == alone  # the same records in zone B give the same figures
    assert alone["items_open"] == {"red": 2, "yellow": 3, "blue": 1, "none": 3}
    assert alone["completed_this_year"] == 550.75


def test_every_zone_of_the_run_gets_a_row_even_with_nothing_to_count(cast):
    pipeline(cast.staff_a, cast.zone_a)

    recompute(PERIOD, steps=["summary"])  # a full run: every zone

    assert figures_of(cast.zone_a2) == empty_figures(AS_OF)
    assert figures_of(cast.zone_b) == empty_figures(AS_OF)
    assert figures_of(cast.zone_a)["stages"]["signed"] == 2
    assert ZoneSummary.objects.filter(period=PERIOD, section="pipeline").count() == 3


def test_empty_figures_have_every_key_and_only_zeros():
    figures = empty_figures(AS_OF)
    assert set(figures) == {
        "as_of",
        "stages",
        "stage_investment",
        "plan_this_year",
        "completed_this_year",
        "completed_this_month",
        "month",
        "year",
        "signed_investment_month",
        "signed_investment_year",
        "milestones_overdue",
        "items_open",
        "items_opened",
        "items_closed",
        "funnel",
        "funnel_investment",
    }
    assert list(figures["stages"]) == [s for s, _label in S.choices]
    assert figures["items_open"] == {"red": 0, "yellow": 0, "blue": 0, "none": 0}
    numbers = [figures[k] for k in ("plan_this_year", "items_opened", "signed_investment_year")]
    assert not any(numbers) and not any(figures["stages"].values())


def test_a_rerun_updates_the_zones_row_instead_of_adding_one(cast):
    first = run(cast.zone_a)
    project(cast.staff_a, cast.zone_a, [(S.SIGNED, D(2024, 6, 3))], investment=800)

    second = run(cast.zone_a)

    rows = ZoneSummary.objects.filter(zone=cast.zone_a, section="pipeline")
    assert rows.count() == 1
    assert rows.get().run_id == second.pk != first.pk
    assert figures_of(cast.zone_a)["stages"]["signed"] == 1


def test_the_figures_are_plain_json_with_money_as_floats(cast):
    whole_world(cast, cast.zone_a, cast.staff_a)

    figures = compute(context([cast.zone_a.pk]))[cast.zone_a.pk]

    assert json.loads(json.dumps(figures)) == figures
    assert isinstance(figures["plan_this_year"], float)
    assert isinstance(figures["stage_investment"]["signed"], float)
    assert isinstance(figures["stages"]["signed"], int)
    assert set(figures) == set(empty_figures(AS_OF))


def test_a_month_still_running_stands_at_today(cast):
    today = timezone.localdate()

    recompute(today.replace(day=1), zone_ids=[cast.zone_a.pk], steps=["summary"])

    assert figures_of(cast.zone_a, today.replace(day=1))["as_of"] == today.isoformat()


# --- query counts -----------------------------------------------------------------------------


def busy_zone(cast, zone, staff) -> None:
    """Eight projects across the pipeline with a milestone, a report and an item each."""
    moves = [(S.LEAD, D(2024, 1, 2))]
    for stage, day in (
        (S.NEGOTIATING, D(2024, 2, 1)),
        (S.SIGNED, D(2024, 3, 1)),
        (S.REGISTERED, D(2024, 4, 1)),
        (S.STARTED, D(2024, 5, 1)),
        (S.IN_PRODUCTION, D(2024, 6, 1)),
        (S.FULL_CAPACITY, D(2024, 6, 15)),
        (S.TERMINATED, D(2024, 6, 20)),
    ):
        moves = [*moves, (stage, day)]
    for i in range(8):
        row = project(staff, zone, moves[: i + 1], mode=("specialised", "resident")[i % 2])
        milestone(staff, row, days_before(3 + i))
        if i >= 2:
            report(staff, row, D(2024, 6, 1), "10", "10")
        item(
            cast.supervisor,
            zone,
            staff,
            created=at(D(2024, 6, 1 + i)),
            deadline=days_before(i),
            project=row,
        )


def test_the_step_costs_the_same_queries_for_one_zone_and_for_five_with_forty_projects(cast):
    single = project(cast.staff_a, cast.zone_a, [(S.SIGNED, D(2024, 3, 1))])
    milestone(cast.staff_a, single, days_before(10))
    report(cast.staff_a, single, D(2024, 6, 1), "10", "10")
    item(cast.supervisor, cast.zone_a, cast.staff_a, created=at(PERIOD), deadline=AS_OF)
    five = [ZoneFactory() for _ in range(5)]
    for n, zone in enumerate(five):
        busy_zone(cast, zone, member(zone, f"t_busy_{n}"))
    assert Project.objects.filter(zone__in=five).count() == 40

    single_zone, five_zones = context([cast.zone_a.pk]), context([z.pk for z in five])
    with CaptureQueriesContext(connection) as one:
        assert recompute_step(single_zone) == 1
    with CaptureQueriesContext(connection) as many:
        assert recompute_step(five_zones) == 5

    # stages, transitions, reports, milestones, open items, items raised and closed, funnel and
    # the upsert
    assert len(one.captured_queries) == len(many.captured_queries) == 8
    assert figures_of(five[0])["stages"]["terminated"] == 1
    assert sum(figures_of(five[0])["funnel"]["specialised"]) > 0


def test_a_full_run_adds_one_query_for_the_zones(cast):
    project(cast.staff_a, cast.zone_a, [(S.SIGNED, D(2024, 3, 1))])

    every_zone = context(None)
    with CaptureQueriesContext(connection) as full:
        assert recompute_step(every_zone) == 3

    assert len(full.captured_queries) == 9
