"""Monthly accountability scores (督查督办问责) as pure functions: each component on both sides
of its boundary, exemptions, weight redistribution, no data, colour bands, attribution to
leads, zones, zone leaders and prefectures, rankings and movers, parameter validation."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from investment.scoring import (
    COMPONENTS,
    DEFAULT_PARAMETERS,
    InvestmentFact,
    ItemFact,
    MilestoneFact,
    ReportFact,
    colour_for,
    investment_progress,
    items_closed_on_time,
    milestones_on_time,
    overdue_penalty,
    reports_on_time,
    score_facts,
    score_month,
    scores_of,
    validate_parameters,
)

START, END = datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)
LEAD, OTHER_LEAD = 100, 200
ZONE_A, ZONE_B, ZONE_C = 10, 20, 30


def d(day: int, month: int = 3) -> datetime.date:
    return datetime.date(2025, month, day)


def ms(id, planned, actual=None, *, project=1, zone=ZONE_A, lead=LEAD, exempted=False):
    return MilestoneFact(id, project, zone, lead, None, planned, actual, exempted)


def rep(project, due, submitted=None, *, zone=ZONE_A, lead=LEAD, exempted=False):
    return ReportFact(project, zone, lead, due, submitted, exempted)


def inv(project, planned, completed, *, zone=ZONE_A, lead=LEAD):
    p = None if planned is None else Decimal(planned)
    c = None if completed is None else Decimal(completed)
    return InvestmentFact(project, zone, lead, p, c)


def item(id, deadline, closed=None, *, zone=ZONE_A, project=None, assignee=None, lead=None,
         red=False, exempted=False):  # fmt: skip
    return ItemFact(id, zone, project, assignee, lead, deadline, closed, red, exempted)


def month(**facts):
    return score_month(START, END, **facts)


def component(result, key, code):
    return result[key].components[code]


# --- milestones on time ------------------------------------------------------------------


def test_a_milestone_done_on_its_planned_date_is_on_time_and_a_day_late_is_late():
    result = milestones_on_time([ms(1, d(10), d(10)), ms(2, d(10), d(11))], START, END)
    assert result.score == Decimal("50.00")
    assert result.ids["on_time"] == (1,) and result.ids["late"] == (2,)
    assert result.figures == {"due": 2, "on_time": 1, "late": 1}


def test_a_milestone_done_early_is_on_time_and_one_not_done_is_late():
    result = milestones_on_time(
        [ms(1, d(20), d(2, month=2)), ms(2, d(20)), ms(3, d(31))], START, END
    )
    assert result.ids == {"on_time": (1,), "late": (2, 3), "exempted": ()}
    assert result.score == Decimal("33.33")


def test_only_milestones_planned_in_the_month_are_judged_for_punctuality():
    facts = [ms(1, d(28, month=2)), ms(2, d(1, month=4)), ms(3, d(1), d(1)), ms(4, END)]
    result = milestones_on_time(facts, START, END)
    assert result.ids["on_time"] == (3,) and result.ids["late"] == (4,)


def test_a_milestone_finished_after_the_month_was_not_done_in_the_month():
    result = milestones_on_time([ms(1, d(15), d(2, month=4))], START, END)
    assert result.ids["late"] == (1,) and result.score == Decimal("0.00")


def test_no_milestone_due_means_the_punctuality_component_is_missing_not_zero():
    result = milestones_on_time([ms(1, d(5, month=4))], START, END)
    assert result.score is None and result.missing


# --- overdue penalty ---------------------------------------------------------------------


def test_an_open_milestone_loses_a_point_for_each_day_late_at_the_month_end():
    result = overdue_penalty([ms(1, d(21))], START, END)  # 10 days late on the 31st
    assert result.score == Decimal("90.00")
    assert result.figures["penalties"] == [
        {"id": 1, "days_late": 10, "counted_days": 10, "points": Decimal(10)}
    ]


def test_a_milestone_planned_on_the_last_day_and_still_open_is_not_yet_penalised():
    result = overdue_penalty([ms(1, END)], START, END)
    assert result.score == Decimal("100.00")
    assert result.ids["not_overdue"] == (1,) and result.ids["overdue"] == ()


@pytest.mark.parametrize(
    ("planned", "points"),
    [
        (d(2), 29),  # 29 days late
        (d(1), 30),  # 30 days late: exactly the cap
        (d(28, month=2), 30),  # 31 days late: capped at 30
        (d(1, month=1), 30),  # 89 days late: capped
    ],
)
def test_days_late_are_capped_per_milestone(planned, points):
    result = overdue_penalty([ms(1, planned)], START, END)
    assert result.score == Decimal(100 - points)
    assert result.figures["penalties"][0]["counted_days"] == points


def test_a_milestone_done_late_within_the_month_is_penalised_up_to_its_completion():
    result = overdue_penalty([ms(1, d(25, month=2), d(5))], START, END)  # done 8 days late
    assert result.score == Decimal("92.00") and result.ids["overdue"] == (1,)


def test_a_milestone_done_late_before_the_month_began_is_history():
    result = overdue_penalty([ms(1, d(1, month=2), d(27, month=2))], START, END)
    assert result.score is None
    assert result.ids == {"overdue": (), "not_overdue": (), "exempted": ()}


def test_overdue_penalties_add_up_across_milestones_and_floor_at_zero():
    three = [ms(i, d(1, month=1)) for i in (1, 2, 3)]
    assert overdue_penalty(three, START, END).score == Decimal("10.00")
    four = [*three, ms(4, d(1, month=1))]
    result = overdue_penalty(four, START, END)
    assert result.score == Decimal("0.00")
    assert result.figures["penalty_points"] == Decimal(120)


def test_the_penalty_is_missing_when_no_milestone_is_in_play_and_full_when_none_is_late():
    assert overdue_penalty([ms(1, d(5, month=4))], START, END).score is None
    assert overdue_penalty([], START, END).score is None
    assert overdue_penalty([ms(1, d(5), d(5))], START, END).score == Decimal("100.00")


def test_the_cap_and_points_per_day_are_parameters():
    facts = [ms(1, d(1, month=1))]  # 89 days late
    assert overdue_penalty(facts, START, END, {"overdue_cap_days": 60}).score == Decimal("40")
    half = overdue_penalty([ms(1, d(21))], START, END, {"overdue_points_per_day": 0.5})
    assert half.score == Decimal("95.00")


# --- exemptions --------------------------------------------------------------------------


def test_an_exempted_milestone_is_left_out_of_both_milestone_components_and_listed():
    facts = [ms(1, d(10)), ms(2, d(10), d(10)), ms(3, d(1, month=1), exempted=True)]
    result = month(milestones=facts)[("lead", LEAD)]
    on_time = result.components["milestones_on_time"]
    penalty = result.components["overdue_penalty"]
    assert on_time.score == Decimal("50.00") and on_time.ids["late"] == (1,)
    assert penalty.score == Decimal("79.00")  # only milestone 1: 21 days
    assert penalty.ids["exempted"] == (3,) and 3 not in penalty.ids["overdue"]


def test_a_subject_whose_only_fact_was_exempted_has_missing_components_and_no_score():
    result = month(milestones=[ms(1, d(10), exempted=True)])[("lead", LEAD)]
    assert result.components["milestones_on_time"].score is None
    assert result.components["milestones_on_time"].ids["exempted"] == (1,)
    assert result.components["overdue_penalty"].score is None
    assert result.score is None and result.colour is None and not result.has_data


def test_an_exempted_item_and_report_are_left_out():
    items = items_closed_on_time([item(1, d(5)), item(2, d(5), exempted=True)], START, END)
    assert items.ids["late"] == (1,) and items.ids["exempted"] == (2,)
    assert items.figures["due"] == 1
    reports = reports_on_time([rep(1, d(10), exempted=True)], START, END)
    assert reports.score is None and reports.ids["exempted"] == (1,)


# --- reports -----------------------------------------------------------------------------


def test_a_report_submitted_on_its_due_date_is_on_time_and_a_day_later_is_late():
    facts = [rep(1, d(10), d(10)), rep(2, d(10), d(11)), rep(3, d(10), d(3)), rep(4, d(10))]
    result = reports_on_time(facts, START, END)
    assert result.ids == {"on_time": (1, 3), "late": (2,), "missing": (4,), "exempted": ()}
    assert result.score == Decimal("50.00")
    assert result.figures == {"expected": 4, "on_time": 2}


def test_reports_due_outside_the_month_are_not_judged():
    facts = [rep(1, d(10, month=2)), rep(2, d(10, month=4)), rep(3, d(10), d(9))]
    result = reports_on_time(facts, START, END)
    assert result.score == Decimal("100.00") and result.figures["expected"] == 1


def test_a_report_submitted_after_the_month_is_missing_for_the_month():
    result = reports_on_time([rep(1, d(10), d(2, month=4))], START, END)
    assert result.ids["missing"] == (1,) and result.score == Decimal("0.00")


def test_no_report_expected_means_the_report_component_is_missing():
    assert reports_on_time([], START, END).score is None


# --- investment --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed", "score"),
    [("300", "100.00"), ("299.99", "100.00"), ("299.98", "99.99"), ("150", "50.00"),
     ("0", "0.00"), ("900", "100.00")],
)  # fmt: skip
def test_investment_is_judged_against_the_pro_rata_share_of_the_plan_capped_at_100(
    completed, score
):
    # March: 3/12 of 1,200 万元 = 300 expected
    result = investment_progress([inv(1, "1200", completed)], 3)
    assert result.score == Decimal(score)
    assert result.figures["expected_to_month"] == Decimal("300.00")


def test_investment_sums_every_project_of_the_subject_before_dividing():
    facts = [inv(1, "1200", "600"), inv(2, "1200", "0")]  # 600 of 600 expected
    assert investment_progress(facts, 3).score == Decimal("100.00")
    assert investment_progress(facts, 12).score == Decimal("25.00")


def test_nothing_planned_this_year_makes_investment_missing_instead_of_dividing_by_zero():
    assert investment_progress([inv(1, "0", "50")], 3).score is None
    assert investment_progress([inv(1, None, "50")], 3).score is None
    assert investment_progress([], 3).score is None


def test_a_project_without_a_plan_is_left_out_and_one_without_completions_counts_as_none():
    facts = [inv(1, "1200", "300"), inv(2, None, "999"), inv(3, "1200", None)]
    result = investment_progress(facts, 3)
    assert result.score == Decimal("50.00")  # 300 of 600 expected
    assert result.ids == {"projects": (1, 3), "no_plan": (2,), "no_completion": (3,)}


# --- supervision items -------------------------------------------------------------------


def test_an_item_closed_on_its_deadline_is_on_time_and_a_day_later_is_late():
    result = items_closed_on_time([item(1, d(10), d(10)), item(2, d(10), d(11))], START, END)
    assert result.ids["on_time"] == (1,) and result.ids["late"] == (2,)
    assert result.score == Decimal("50.00")


def test_an_item_overdue_from_an_earlier_month_counts_while_it_stays_open():
    open_old = item(1, d(20, month=2))
    closed_late_in_month = item(2, d(20, month=2), d(3))
    closed_after_month = item(3, d(20, month=2), d(2, month=4))
    not_yet_due = item(4, d(2, month=4))
    result = items_closed_on_time(
        [open_old, closed_late_in_month, closed_after_month, not_yet_due], START, END
    )
    assert result.ids["late"] == (1, 3) and result.ids["on_time"] == ()
    assert result.score == Decimal("0.00")


def test_a_red_item_weighs_double_by_default_and_the_weight_is_a_parameter():
    facts = [item(1, d(10), d(9)), item(2, d(10), red=True)]
    result = items_closed_on_time(facts, START, END)
    assert result.score == Decimal("33.33")  # 1 of 1 + 2
    assert result.ids["red"] == (2,) and result.figures["weight_due"] == Decimal(3)
    assert items_closed_on_time(facts, START, END, {"red_weight": 3}).score == Decimal("25.00")
    assert items_closed_on_time(facts, START, END, {"red_weight": 1}).score == Decimal("50.00")
    red_on_time = [item(1, d(10), red=True), item(2, d(10), d(10), red=True), item(3, d(4))]
    assert items_closed_on_time(red_on_time, START, END).score == Decimal("40.00")  # 2 of 5


def test_no_item_due_means_the_item_component_is_missing():
    assert items_closed_on_time([item(1, d(5, month=4))], START, END).score is None


# --- the score ---------------------------------------------------------------------------


def full_month_facts(lead=LEAD, zone=ZONE_A):
    """One subject with every component present: 50, 89, 50, 80, 33.33."""
    at = {"lead": lead, "zone": zone}
    return {
        "milestones": [ms(1, d(10), d(10), **at), ms(2, d(20), **at)],
        "reports": [
            rep(1, d(10), d(10), **at),
            rep(2, d(10), d(12), **at),
            rep(3, d(10), d(1), **at),
            rep(4, d(10), **at),
        ],
        "investments": [inv(1, "1200", "240", **at)],
        "items": [
            item(1, d(5), d(5), project=1, **at),
            item(2, d(5), project=1, red=True, **at),
        ],
    }


def test_the_score_is_the_weighted_mean_of_all_five_components():
    result = month(**full_month_facts())[("lead", LEAD)]
    scores = {code: c.score for code, c in result.components.items()}
    assert scores == {
        "milestones_on_time": Decimal("50.00"),
        "overdue_penalty": Decimal("89.00"),
        "reports_on_time": Decimal("50.00"),
        "investment_progress": Decimal("80.00"),
        "items_closed_on_time": Decimal("33.33"),
    }
    # 12.5 + 13.35 + 10 + 16 + 6.666 = 58.516
    assert result.score == Decimal("58.52") and result.colour == "red"
    assert result.components["overdue_penalty"].effective_weight == Decimal("0.15")


def test_missing_components_spread_their_weight_over_the_present_ones():
    facts = {"milestones": [ms(1, d(10), d(10))], "reports": [rep(1, d(10))]}
    result = month(**facts)[("lead", LEAD)]
    present = {c: x.score for c, x in result.components.items() if x.score is not None}
    assert present == {
        "milestones_on_time": Decimal("100.00"),
        "overdue_penalty": Decimal("100.00"),
        "reports_on_time": Decimal("0.00"),
    }
    assert result.score == Decimal("66.67")  # (25 + 15 + 0) / 0.60
    weights = {c: x.effective_weight for c, x in result.components.items()}
    assert weights == {
        "milestones_on_time": Decimal("0.4167"),
        "overdue_penalty": Decimal("0.25"),
        "reports_on_time": Decimal("0.3333"),
        "investment_progress": None,
        "items_closed_on_time": None,
    }


def test_a_subject_with_no_data_has_no_score_rather_than_zero():
    result = month(investments=[inv(1, "0", "0")], zone_prefecture={ZONE_B: 7})
    for key in (("lead", LEAD), ("zone", ZONE_A), ("zone", ZONE_B), ("prefecture", 7)):
        assert result[key].score is None and result[key].colour is None
        assert list(result[key].components) == list(COMPONENTS)
        assert all(
            c.missing and c.effective_weight is None for c in result[key].components.values()
        )


def test_a_subject_whose_present_components_all_weigh_zero_has_no_score():
    weights = dict.fromkeys(COMPONENTS, 0) | {"investment_progress": 1}
    result = month(reports=[rep(1, d(10), d(10))], parameters={"weights": weights})
    assert result[("lead", LEAD)].components["reports_on_time"].score == Decimal("100.00")
    assert result[("lead", LEAD)].score is None


def test_weights_are_parameters_and_change_the_score():
    facts = {"milestones": [ms(1, d(10), d(10))], "reports": [rep(1, d(10))]}
    only_reports = dict.fromkeys(COMPONENTS, 0) | {"reports_on_time": 1}
    result = month(**facts, parameters={"weights": only_reports})
    assert result[("lead", LEAD)].score == Decimal("0.00")
    equal = dict.fromkeys(COMPONENTS, 1)
    assert month(**facts, parameters={"weights": equal})[("lead", LEAD)].score == Decimal("66.67")
    tilted = {"reports_on_time": 0.6}  # 25 + 15 + 0 over 1.0
    assert month(**facts, parameters={"weights": tilted})[("lead", LEAD)].score == Decimal("40")


@pytest.mark.parametrize(
    ("score", "colour"),
    [("100", "green"), ("85", "green"), ("84.99", "yellow"), ("70", "yellow"),
     ("69.99", "red"), ("0", "red")],
)  # fmt: skip
def test_colour_bands_include_their_lower_bound(score, colour):
    assert colour_for(Decimal(score)) == colour
    assert colour_for(Decimal(score), DEFAULT_PARAMETERS["bands"]) == colour


def test_no_score_has_no_colour_and_bands_are_parameters():
    assert colour_for(None) is None
    assert colour_for(Decimal("80"), {"green": 80, "yellow": 60}) == "green"
    assert colour_for(Decimal("59.99"), {"green": 80, "yellow": 60}) == "red"


def test_a_subject_exactly_on_a_band_boundary_takes_the_higher_colour():
    # 17 of 20 reports on time: exactly 85
    reports = [rep(i, d(10), d(10) if i <= 17 else None) for i in range(1, 21)]
    result = month(reports=reports)[("lead", LEAD)]
    assert result.score == Decimal("85.00") and result.colour == "green"
    stricter = month(reports=reports, parameters={"bands": {"green": 90}})[("lead", LEAD)]
    assert stricter.colour == "yellow"


def test_score_facts_scores_one_pool_without_subjects():
    score, colour, components = score_facts(START, END, reports=[rep(1, d(10), d(10))])
    assert score == Decimal("100.00") and colour == "green"
    assert components["reports_on_time"].effective_weight == Decimal(1)


# --- the cut-off -------------------------------------------------------------------------


def test_a_month_still_running_is_scored_as_of_a_day():
    facts = [ms(1, d(10), d(10)), ms(2, d(20))]
    result = score_month(START, END, milestones=facts, as_of=d(15))[("lead", LEAD)]
    assert result.components["milestones_on_time"].ids["on_time"] == (1,)
    assert result.components["milestones_on_time"].ids["late"] == ()
    assert result.score == Decimal("100.00")
    later = score_month(START, END, milestones=facts, as_of=d(25))[("lead", LEAD)]
    assert later.components["overdue_penalty"].score == Decimal("95.00")


def test_an_as_of_day_after_the_month_is_the_month_end_and_impossible_periods_are_refused():
    facts = [ms(1, d(20), d(3, month=4))]
    after = score_month(START, END, milestones=facts, as_of=d(10, month=4))
    assert after == score_month(START, END, milestones=facts)
    with pytest.raises(ValueError, match="before the period starts"):
        score_month(START, END, as_of=d(28, month=2))
    with pytest.raises(ValueError, match="ends before it starts"):
        score_month(END, START)


# --- attribution -------------------------------------------------------------------------


def test_a_project_lead_is_scored_on_their_projects_and_the_items_assigned_to_them():
    facts = {
        "milestones": [ms(1, d(10), d(10)), ms(2, d(10), project=2, lead=OTHER_LEAD)],
        "items": [
            item(1, d(5), d(5), project=1, lead=LEAD),  # on LEAD's project
            item(2, d(5), project=2, lead=OTHER_LEAD, assignee=LEAD),  # assigned to LEAD
            item(3, d(5), project=1, lead=LEAD, assignee=LEAD),  # both: counted once
            item(4, d(5), assignee=999),  # assignee leads nothing: not a subject
        ],
    }
    result = month(**facts)
    mine = result[("lead", LEAD)].components
    assert mine["milestones_on_time"].ids["on_time"] == (1,)
    assert mine["milestones_on_time"].ids["late"] == ()
    assert mine["items_closed_on_time"].ids == {
        "on_time": (1,), "late": (2, 3), "red": (), "exempted": ()
    }  # fmt: skip
    theirs = result[("lead", OTHER_LEAD)].components
    assert theirs["items_closed_on_time"].ids["late"] == (2,)
    assert ("lead", 999) not in result
    assert result[("zone", ZONE_A)].components["items_closed_on_time"].figures["due"] == 4


def test_a_fact_without_a_lead_counts_for_its_zone_only():
    result = month(reports=[rep(1, d(10), d(10), lead=None)], items=[item(1, d(5), d(5))])
    assert [k for k in result if k[0] == "lead"] == []
    assert result[("zone", ZONE_A)].score == Decimal("100.00")
    # an unassigned item on a lead's project makes no subject of "nobody"
    led = month(
        reports=[rep(2, d(10), lead=None)],
        items=[item(1, d(5), project=1, lead=LEAD, assignee=None)],
    )
    assert list(led) == [("lead", LEAD), ("zone", ZONE_A)]


def test_a_zone_is_scored_on_every_fact_of_the_zone_and_no_other():
    facts = full_month_facts(lead=LEAD, zone=ZONE_A)
    facts["reports"] = [*facts["reports"], rep(9, d(10), zone=ZONE_B, lead=OTHER_LEAD)]
    result = month(**facts)
    assert result[("zone", ZONE_A)].score == Decimal("58.52")
    assert result[("zone", ZONE_A)].components["reports_on_time"].figures["expected"] == 4
    assert result[("zone", ZONE_B)].score == Decimal("0.00")


def test_a_prefecture_pools_the_facts_of_its_zones_rather_than_averaging_them():
    reports = [rep(1, d(10), d(10), zone=ZONE_A)] + [
        rep(i, d(10), zone=ZONE_B, lead=OTHER_LEAD) for i in (2, 3, 4)
    ]
    result = month(reports=reports, zone_prefecture={ZONE_A: 7, ZONE_B: 7, ZONE_C: 8})
    assert result[("zone", ZONE_A)].score == Decimal("100.00")
    assert result[("zone", ZONE_B)].score == Decimal("0.00")
    assert result[("prefecture", 7)].score == Decimal("25.00")  # 1 of 4, not (100 + 0) / 2
    assert result[("prefecture", 7)].components["reports_on_time"].ids["missing"] == (2, 3, 4)
    assert result[("prefecture", 8)].score is None  # its one zone has no facts
    assert result[("zone", ZONE_C)].score is None


def test_a_zone_leader_has_the_zones_numbers():
    facts = full_month_facts()
    result = month(**facts, zone_leaders={ZONE_A: 500})
    leader, zone = result[("zone_leader", 500)], result[("zone", ZONE_A)]
    assert leader.score == zone.score == Decimal("58.52")
    assert leader.colour == zone.colour and leader.components == zone.components
    assert leader.based_on == (("zone", ZONE_A),)


def test_a_leader_of_two_zones_gets_the_mean_of_the_two_zones_scores():
    reports = [rep(1, d(10), d(10), zone=ZONE_A)] + [
        rep(i, d(10), d(10) if i == 2 else None, zone=ZONE_B, lead=OTHER_LEAD) for i in (2, 3, 4)
    ]
    leaders = {ZONE_A: 500, ZONE_B: [500, 600], ZONE_C: 500}
    result = month(reports=reports, zone_leaders=leaders)
    leader = result[("zone_leader", 500)]
    # zone A 100, zone B 33.33, zone C no data (left out of the mean)
    assert leader.score == Decimal("66.67") and leader.colour == "red"
    assert leader.based_on == (("zone", ZONE_A), ("zone", ZONE_B), ("zone", ZONE_C))
    assert leader.components == {}
    assert result[("zone_leader", 600)].score == Decimal("33.33")
    assert result[("zone", ZONE_C)].score is None


def test_a_leader_whose_zones_have_no_data_has_no_score():
    result = month(zone_leaders={ZONE_A: 500, ZONE_B: None})
    assert result[("zone_leader", 500)].score is None
    assert result[("zone_leader", 500)].colour is None
    assert ("zone", ZONE_B) in result and result[("zone", ZONE_B)].score is None


def test_results_are_ordered_by_kind_then_id_and_facts_may_be_generators():
    facts = full_month_facts(lead=OTHER_LEAD, zone=ZONE_B)
    result = month(
        milestones=iter(facts["milestones"]),
        reports=(r for r in facts["reports"]),
        investments=iter(facts["investments"]),
        items=iter(facts["items"] + [item(9, d(5), zone=ZONE_A, lead=LEAD)]),
        zone_prefecture={ZONE_A: 7, ZONE_B: 7},
        zone_leaders={ZONE_B: 500},
    )
    assert list(result) == [
        ("lead", LEAD),
        ("lead", OTHER_LEAD),
        ("zone_leader", 500),
        ("zone", ZONE_A),
        ("zone", ZONE_B),
        ("prefecture", 7),
    ]
    assert result[("lead", OTHER_LEAD)].score == Decimal("58.52")
    assert scores_of(result, "zone") == {ZONE_A: Decimal("0.00"), ZONE_B: Decimal("58.52")}


def test_the_explanation_is_json_safe_and_names_the_facts_behind_each_component():
    result = month(**full_month_facts(), zone_leaders={ZONE_A: 500})
    data = json.loads(json.dumps(result[("lead", LEAD)].as_dict()))
    assert data["score"] == "58.52" and data["colour"] == "red" and data["has_data"]
    assert data["kind"] == "lead" and data["subject_id"] == LEAD and data["based_on"] == []
    overdue = data["components"]["overdue_penalty"]
    assert overdue["score"] == "89" and overdue["weight"] == "0.15"
    assert overdue["ids"] == {"overdue": [2], "not_overdue": [1], "exempted": []}
    assert overdue["figures"]["penalties"] == [
        {"id": 2, "days_late": 11, "counted_days": 11, "points": "11"}
    ]
    assert data["components"]["reports_on_time"]["ids"]["late"] == [2]
    assert data["components"]["investment_progress"]["figures"]["expected_to_month"] == "300"
    leader = json.loads(json.dumps(result[("zone_leader", 500)].as_dict()))
    assert leader["based_on"] == [["zone", ZONE_A]]


def test_no_data_is_shown_as_missing_in_the_explanation():
    data = month(zone_prefecture={ZONE_A: 7})[("zone", ZONE_A)].as_dict()
    assert data["score"] is None and data["colour"] is None and not data["has_data"]
    assert data["components"]["milestones_on_time"]["missing"] is True
    assert data["components"]["milestones_on_time"]["effective_weight"] is None


# --- parameters --------------------------------------------------------------------------


def test_the_defaults_and_partial_overrides_are_valid():
    assert validate_parameters(DEFAULT_PARAMETERS) == []
    assert validate_parameters({}) == []
    assert validate_parameters({"weights": {"reports_on_time": 0.5}, "bands": {"green": 90}}) == []
    assert json.loads(json.dumps(DEFAULT_PARAMETERS)) == DEFAULT_PARAMETERS


@pytest.mark.parametrize(
    ("parameters", "problem"),
    [
        ([1, 2], "parameters must be an object"),
        ({"colour": 1}, "unknown parameter 'colour'"),
        ({"weights": [0.5]}, "weights must be an object"),
        ({"bands": 85}, "bands must be an object"),
        ({"weights": {"speed": 1}}, "unknown weight 'speed'"),
        ({"weights": {"reports_on_time": "0.2"}}, "weight 'reports_on_time' must be a number"),
        ({"weights": {"reports_on_time": True}}, "weight 'reports_on_time' must be a number"),
        ({"weights": {"reports_on_time": float("nan")}}, "must be a number"),
        ({"weights": {"reports_on_time": -0.1}}, "weight 'reports_on_time' must not be negative"),
        ({"weights": dict.fromkeys(COMPONENTS, 0)}, "weights must not all be zero"),
        ({"bands": {"blue": 50}}, "unknown band 'blue'"),
        ({"bands": {"green": "85"}}, "band 'green' must be a number"),
        ({"bands": {"green": 101}}, "band 'green' must be between 0 and 100"),
        ({"bands": {"yellow": -1}}, "band 'yellow' must be between 0 and 100"),
        ({"bands": {"green": 70, "yellow": 85}}, "bands must ascend"),
        ({"bands": {"green": 70, "yellow": 70}}, "bands must ascend"),
        ({"overdue_cap_days": 30.5}, "overdue_cap_days must be a whole number"),
        ({"overdue_cap_days": True}, "overdue_cap_days must be a whole number"),
        ({"overdue_cap_days": 0}, "overdue_cap_days must be at least 1"),
        ({"overdue_points_per_day": None}, "overdue_points_per_day must be a number"),
        ({"overdue_points_per_day": 0}, "overdue_points_per_day must be above 0"),
        ({"overdue_points_per_day": 101}, "at most 100"),
        ({"red_weight": "2"}, "red_weight must be a number"),
        ({"red_weight": 0.5}, "red_weight must be at least 1"),
    ],
)
def test_validate_parameters_refuses_bad_edits_with_a_reason(parameters, problem):
    problems = validate_parameters(parameters)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    "parameters",
    [
        {"bands": {"green": 85, "yellow": 84.99}},
        {"bands": {"green": 100, "yellow": 0}},
        {"overdue_cap_days": 1},
        {"overdue_points_per_day": 100},
        {"overdue_points_per_day": 0.01},
        {"red_weight": 1},
        {"weights": dict.fromkeys(COMPONENTS, 0) | {"items_closed_on_time": 0.01}},
    ],
)
def test_values_at_the_edge_of_their_range_are_accepted(parameters):
    assert validate_parameters(parameters) == []


def test_every_problem_is_reported_at_once():
    problems = validate_parameters({"red_weight": 0, "overdue_cap_days": 0, "weights": {"x": 1}})
    assert len(problems) == 3


def test_scoring_with_invalid_parameters_is_refused_with_the_reasons():
    with pytest.raises(ValueError, match="red_weight must be at least 1"):
        month(parameters={"red_weight": 0})
    with pytest.raises(ValueError, match="unknown parameter 'foo'"):
        month(parameters={"foo": 1})


def test_a_parameter_change_reaches_every_subject_kind():
    facts = {"milestones": [ms(1, d(1, month=1))]}  # 89 days late, not done
    leaders = {ZONE_A: 500}
    base = month(**facts, zone_prefecture={ZONE_A: 7}, zone_leaders=leaders)
    capped = month(
        **facts,
        zone_prefecture={ZONE_A: 7},
        zone_leaders=leaders,
        parameters={"overdue_cap_days": 10},
    )
    for key in (("lead", LEAD), ("zone", ZONE_A), ("zone_leader", 500), ("prefecture", 7)):
        assert component(base, key, "overdue_penalty").score == Decimal("70.00")
        assert component(capped, key, "overdue_penalty").score == Decimal("90.00")
        # the milestone lies before the month: only the penalty is present
        assert capped[key].score == Decimal("90.00") and capped[key].colour == "green"
