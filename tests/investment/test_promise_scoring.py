"""Promise versus result from plain facts (no database): months in production, per-mu figures,
ratios, shortfalls and when a follow-up is due, on both sides of every threshold."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from investment.promise_scoring import (
    DEFAULT_PARAMETERS,
    PromiseFact,
    months_between,
    review,
    review_one,
    validate_parameters,
    whole_year_in_production,
)

D = Decimal
AS_OF = datetime.date(2026, 10, 31)  # the period's last day


def fact(**changes) -> PromiseFact:
    """Promised 300 output and 20 tax per mu; 10 mu; in production since 2025-01-01; 2025's
    figures exactly as promised."""
    values = {
        "project_id": 1,
        "zone_id": 7,
        "in_production_since": datetime.date(2025, 1, 1),  # 21 months by AS_OF
        "promised_output_per_mu": D("300"),
        "promised_tax_per_mu": D("20"),
        "land_mu": D("10"),
        "actual_year": 2025,
        "actual_output": D("3000"),
        "actual_tax": D("200"),
    }
    values.update(changes)
    return PromiseFact(**values)


# --- months in production ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (datetime.date(2025, 10, 31), datetime.date(2026, 10, 31), 12),
        (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31), 11),  # a day short of 12
        (datetime.date(2025, 10, 15), datetime.date(2026, 10, 14), 11),
        (datetime.date(2025, 10, 15), datetime.date(2026, 10, 15), 12),
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), 1),  # month end to month end
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 29), 1),  # leap year
        (datetime.date(2026, 1, 30), datetime.date(2026, 2, 27), 0),
        (datetime.date(2026, 3, 31), datetime.date(2026, 4, 30), 1),
        (datetime.date(2026, 10, 31), datetime.date(2026, 10, 31), 0),
        (datetime.date(2026, 11, 5), datetime.date(2026, 10, 31), 0),  # production after as_of
    ],
)
def test_months_in_production_are_whole_calendar_months(start, end, months):
    assert months_between(start, end) == months


def test_a_year_counts_only_when_production_began_by_its_first_day():
    assert whole_year_in_production(datetime.date(2025, 1, 1), 2025)
    assert whole_year_in_production(datetime.date(2023, 6, 30), 2025)
    assert not whole_year_in_production(datetime.date(2025, 1, 2), 2025)
    assert not whole_year_in_production(datetime.date(2026, 1, 1), 2025)


# --- the months threshold ------------------------------------------------------------------


def short_tax(**changes) -> PromiseFact:
    """Tax at 50% of the promise (10 per mu against 20)."""
    return fact(**{"actual_tax": D("100"), **changes})


def test_a_shortfall_at_exactly_the_minimum_months_is_due():
    # in production since 2025-01-01: 21 months by AS_OF, with 2025 a complete year
    result = review_one(short_tax(), AS_OF, {"min_months_in_production": 21})
    assert result.months_in_production == 21
    assert result.status == "shortfall" and result.follow_up_due


def test_a_shortfall_a_month_before_the_minimum_is_not_due_yet_but_is_flagged():
    result = review_one(short_tax(), AS_OF, {"min_months_in_production": 22})
    assert result.months_in_production == 21
    assert result.status == "not_due" and not result.follow_up_due
    assert result.tax_shortfall and result.tax_ratio == D("0.5")  # computed for the record


def test_with_the_default_twelve_months_eleven_months_is_not_due():
    eleven = short_tax(in_production_since=datetime.date(2025, 11, 1))
    result = review_one(eleven, AS_OF)
    assert result.months_in_production == 11 and result.status == "not_due"


def test_zero_minimum_months_checks_from_the_first_day():
    result = review_one(short_tax(), AS_OF, {"min_months_in_production": 0})
    assert result.follow_up_due


# --- the share threshold -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tax", "ratio", "short"),
    [
        (D("119.99"), D("0.6000"), False),  # 11.999 / 20 = 0.59995 → shown 0.6000: not below
        (D("119.98"), D("0.5999"), True),
        (D("120"), D("0.6000"), False),  # exactly the share: not below
        (D("120.01"), D("0.6001"), False),
        (D("100"), D("0.5000"), True),
        (D("0"), D("0.0000"), True),  # nothing paid is a shortfall, not missing data
        (D("400"), D("2.0000"), False),  # above the promise
    ],
)
def test_a_ratio_below_the_share_is_a_shortfall_and_equal_is_not(tax, ratio, short):
    result = review_one(fact(actual_tax=tax), AS_OF)
    assert result.tax_ratio == ratio
    assert result.tax_shortfall is short
    assert result.status == ("shortfall" if short else "met")
    assert result.follow_up_due is short
    assert not result.output_shortfall and result.output_ratio == D("1.0000")


def test_the_share_is_configurable():
    assert review_one(short_tax(), AS_OF, {"min_share": 0.5}).status == "met"
    assert review_one(short_tax(), AS_OF, {"min_share": 0.51}).status == "shortfall"


def test_either_figure_falling_short_makes_a_follow_up_due():
    result = review_one(fact(actual_output=D("1500")), AS_OF)
    assert result.output_shortfall and not result.tax_shortfall
    assert result.output_ratio == D("0.5000") and result.follow_up_due


def test_per_mu_figures_are_the_annual_figures_over_the_enterprise_land():
    result = review_one(
        fact(actual_output=D("2000"), actual_tax=D("123.456"), land_mu=D("3")), AS_OF
    )
    assert result.actual_output_per_mu == D("666.67")  # shown to 0.01
    assert result.actual_tax_per_mu == D("41.15")
    assert result.output_ratio == D("2.2222")  # from the unrounded 666.666…
    assert result.tax_ratio == D("2.0576")
    assert result.status == "met"


# --- missing data, zero land, no promise ---------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"actual_year": None, "actual_output": None, "actual_tax": None}, ("annual",)),
        ({"land_mu": None}, ("land",)),
        ({"land_mu": D("0")}, ("land",)),
        ({"actual_output": None, "actual_tax": None}, ("output", "tax")),
        ({"in_production_since": None}, ("production_date",)),
        (
            {"in_production_since": datetime.date(2024, 3, 1), "actual_year": 2024},
            ("partial_year",),
        ),
    ],
)
def test_missing_actual_figures_are_missing_never_a_shortfall(changes, missing):
    result = review_one(short_tax(**changes), AS_OF)
    assert result.status == "missing" and not result.follow_up_due
    assert result.missing == missing
    assert not result.tax_shortfall and result.tax_ratio is None


def test_one_missing_figure_does_not_hide_the_other_falling_short():
    result = review_one(short_tax(actual_output=None), AS_OF)
    assert result.status == "shortfall" and result.missing == ("output",)
    assert result.output_ratio is None and result.tax_ratio == D("0.5000")


def test_one_missing_figure_with_the_other_met_is_missing():
    result = review_one(fact(actual_tax=None), AS_OF)
    assert result.status == "missing" and result.missing == ("tax",)


def test_no_promise_is_missing_data():
    result = review_one(fact(promised_output_per_mu=None, promised_tax_per_mu=None), AS_OF)
    assert result.status == "missing" and result.missing == ("promise",)
    assert result.output_ratio is None and result.tax_ratio is None


def test_a_figure_promised_as_zero_is_not_judged():
    result = review_one(fact(promised_tax_per_mu=D("0"), actual_tax=D("0")), AS_OF)
    assert result.tax_ratio is None and not result.tax_shortfall
    assert result.status == "met"
    both = review_one(fact(promised_output_per_mu=D("0"), promised_tax_per_mu=D("0")), AS_OF)
    assert both.status == "missing" and both.missing == ("promise",)


def test_not_due_comes_before_missing_data():
    young = fact(in_production_since=datetime.date(2026, 5, 1), actual_year=None)
    result = review_one(young, AS_OF)
    assert result.status == "not_due" and result.missing == ("annual",)


# --- many projects, parameters -------------------------------------------------------------


def test_review_returns_one_result_per_project_in_project_order():
    results = review([short_tax(project_id=3), fact(project_id=2)], AS_OF)
    assert [(r.project_id, r.status) for r in results] == [(2, "met"), (3, "shortfall")]


def test_a_result_is_json_safe():
    payload = review_one(short_tax(), AS_OF).as_dict()
    assert json.loads(json.dumps(payload)) == payload
    assert payload["tax_ratio"] == "0.5" and payload["actual_tax_per_mu"] == "10"
    assert payload["status"] == "shortfall" and payload["months_in_production"] == 21


def test_the_default_parameters_are_valid():
    assert validate_parameters(DEFAULT_PARAMETERS) == []
    assert validate_parameters({}) == []
    assert json.loads(json.dumps(DEFAULT_PARAMETERS)) == DEFAULT_PARAMETERS


@pytest.mark.parametrize(
    ("parameters", "problem"),
    [
        ([], "parameters must be an object"),
        ({"surprise": 1}, "unknown parameter 'surprise'"),
        ({"min_months_in_production": 12.5}, "min_months_in_production must be a whole number"),
        ({"min_months_in_production": True}, "min_months_in_production must be a whole number"),
        ({"min_months_in_production": -1}, "min_months_in_production must be between 0 and 600"),
        ({"min_share": "0.6"}, "min_share must be a number"),
        ({"min_share": 60}, "min_share must be above 0 and at most 1"),
        ({"min_share": 0}, "min_share must be above 0 and at most 1"),
        ({"min_share": float("nan")}, "min_share must be a number"),
        ({"deadline_days": 0}, "deadline_days must be between 1 and 365"),
        ({"deadline_days": 1.5}, "deadline_days must be a whole number"),
    ],
)
def test_bad_parameters_are_refused_with_the_reason(parameters, problem):
    problems = validate_parameters(parameters)
    assert any(p.startswith(problem) for p in problems), problems


@pytest.mark.parametrize(
    "parameters", [{"min_share": 1}, {"min_share": 0.01}, {"min_months_in_production": 0}]
)
def test_edge_parameters_are_accepted(parameters):
    assert validate_parameters(parameters) == []
