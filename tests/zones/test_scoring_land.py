"""Per-mu grades (亩均论英雄) as pure functions: the indicators, the score and its cap, fallback
and renormalisation, every band boundary on both sides, ties, the managed categories (veto,
exempt, deferred, missing), the zone summary, parameter changes and parameter refusals."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal

import pytest

from zones.scoring.land import (
    CATEGORIES,
    DEFAULT_PARAMETERS,
    GRADES,
    EnterpriseFigures,
    grade_enterprises,
    indicator_values,
    validate_parameters,
)

D = Decimal
YEAR = 2024


def above(id="big", **over) -> EnterpriseFigures:
    """An above-size firm exactly at every default benchmark (score 100): 3 亩, tax 45 → 15/亩,
    value added 300 → 100/亩, 150 tce → 2/tce, 10 people → 30/人, R&D 30 of 1000 → 3 %."""
    figures = {
        "above_size": True,
        "land_mu": D("3"),
        "tax": D("45"),
        "revenue": D("1000"),
        "value_added": D("300"),
        "energy_tce": D("150"),
        "employees": 10,
        "rd_spending": D("30"),
    }
    return EnterpriseFigures(id=id, **{**figures, **over})


def small(id="s", tax: Decimal | int | None = 80, **over) -> EnterpriseFigures:
    """A small firm on 10 亩 with revenue 1500 (150/亩, 40 points): its score is 40 + 0.75 × tax
    (tax 80 → 8/亩, the benchmark, 60 points)."""
    figures = {"land_mu": D("10"), "tax": None if tax is None else D(tax), "revenue": D("1500")}
    return EnterpriseFigures(id=id, **{**figures, **over})


def ranked_zone(n: int) -> list[EnterpriseFigures]:
    """``n`` small firms with distinct scores: firm k (1…n) has tax k, so k = n is the best and
    firm k has n − k firms above it."""
    return [small(k, tax=k) for k in range(1, n + 1)]


def grade(figures, parameters=None, year=YEAR):
    results, _summary = grade_enterprises(figures, year, parameters)
    return results


def with_params(**change):
    params = copy.deepcopy(DEFAULT_PARAMETERS)
    params.update(change)
    return params


# --- indicators -----------------------------------------------------------------------------------


def test_each_indicator_divides_its_own_figures():
    values = indicator_values(above())
    assert values == {
        "tax_per_mu": D("15"),
        "revenue_per_mu": D("1000") / D("3"),
        "value_added_per_mu": D("100"),
        "value_added_per_energy": D("2"),
        "labour_productivity": D("30"),
        "rd_share": D("0.03"),
    }


def test_missing_inputs_and_zero_denominators_make_indicators_missing_not_zero():
    values = indicator_values(above(land_mu=D("0"), energy_tce=None, employees=0, revenue=D(0)))
    assert values["tax_per_mu"] is None and values["value_added_per_mu"] is None
    assert values["revenue_per_mu"] is None and values["rd_share"] is None
    assert values["value_added_per_energy"] is None and values["labour_productivity"] is None
    assert indicator_values(above(land_mu=D("-2")))["tax_per_mu"] is None


# --- the score ------------------------------------------------------------------------------------


def test_a_firm_at_every_benchmark_scores_100_points_with_each_weight_as_its_points():
    result = grade([above()])["big"]
    assert result.score == D("100.00")
    points = {code: r.points for code, r in result.indicators.items()}
    assert points == {
        "tax_per_mu": D("35"),
        "value_added_per_mu": D("25"),
        "value_added_per_energy": D("15"),
        "labour_productivity": D("15"),
        "rd_share": D("10"),
    }
    tax = result.indicators["tax_per_mu"]
    assert (tax.value, tax.benchmark, tax.weight, tax.ratio) == (D(15), D(15), D("0.35"), D(1))
    assert not tax.missing and not tax.capped and not tax.fallback
    assert result.missing == () and result.missing_inputs == ()


def test_points_are_rounded_for_display_and_the_score_from_their_exact_sum():
    # tax 10/亩 → ratio 2/3 → 23.333… points; 33.33 万元/人 → ratio 1.1111 → 16.666… points
    result = grade([above(tax=D("30"), employees=9)])["big"]
    assert result.indicators["tax_per_mu"].points == D("23.33")
    assert result.indicators["labour_productivity"].ratio == D("1.1111")
    assert result.indicators["labour_productivity"].points == D("16.67")
    assert result.score == D("90.00")
    # weights renormalised by ninths: the rounded points add up to 100.01, the score is 100.00
    renormalised = grade([above(rd_spending=None)])["big"]
    assert sum(r.points for r in renormalised.indicators.values() if r.points) == D("100.01")
    assert renormalised.score == D("100.00")


def test_a_missing_optional_indicator_drops_out_and_the_other_weights_are_renormalised():
    # no R&D figure; tax at twice its benchmark: 100 × (2×0.35 + 0.25 + 0.15 + 0.15) / 0.9
    result = grade([above(rd_spending=None, tax=D("90"))])["big"]
    rd = result.indicators["rd_share"]
    assert rd.missing and rd.value is None and rd.points is None and rd.effective_weight is None
    assert result.indicators["tax_per_mu"].effective_weight == D("0.3889")
    assert result.indicators["tax_per_mu"].points == D("77.78")
    assert result.indicators["value_added_per_mu"].points == D("27.78")
    assert result.indicators["labour_productivity"].points == D("16.67")
    assert result.score == D("138.89")
    assert result.category == "ranked" and result.grade == "A"
    assert result.missing == ("rd_share",) and result.missing_inputs == ("rd_spending",)


def test_without_value_added_the_value_added_per_mu_slot_falls_back_to_revenue_per_mu():
    # revenue 1800 on 3 亩 = 600/亩 against the fallback benchmark 300 → ratio 2;
    # value added is also behind energy and labour productivity, which drop out
    firm = above(value_added=None, revenue=D("1800"), rd_spending=D("27"))
    result = grade([firm])["big"]
    slot = result.indicators["value_added_per_mu"]
    assert slot.fallback and slot.source == "revenue_per_mu" and not slot.missing
    assert (slot.value, slot.benchmark, slot.ratio) == (D("600"), D("300"), D("2"))
    assert slot.points == D("71.43")  # 2 × 0.25 / 0.7
    assert result.indicators["tax_per_mu"].points == D("50")  # 0.35 / 0.7
    assert result.indicators["rd_share"].points == D("7.14")  # 0.015 / 0.03 × 0.1 / 0.7
    assert result.score == D("128.57")
    assert result.missing == ("value_added_per_energy", "labour_productivity")
    assert result.missing_inputs == ("value_added",)


def test_when_the_fallback_is_missing_too_the_slot_is_missing():
    result = grade([above(value_added=None, revenue=None)])["big"]
    slot = result.indicators["value_added_per_mu"]
    assert slot.missing and not slot.fallback and slot.benchmark == D("100")
    assert "value_added_per_mu" in result.missing
    assert result.missing_inputs == ("revenue", "value_added")
    # only tax is left: at its benchmark it carries the whole 100 points
    assert result.score == D("100.00") and result.category == "ranked"


def test_a_recorded_value_added_is_used_even_when_revenue_per_mu_would_score_higher():
    slot = grade([above(revenue=D("9000"))])["big"].indicators["value_added_per_mu"]
    assert not slot.fallback and slot.source == "value_added_per_mu" and slot.ratio == D(1)


@pytest.mark.parametrize(
    ("cap", "tax_points", "capped"),
    [(3, D("105"), True), (5, D("175"), True), (None, D("350"), True), (10, D("350"), False)],
)
def test_the_cap_ratio_limits_what_one_outlier_indicator_contributes(cap, tax_points, capped):
    # tax 150/亩 is ten times the benchmark
    result = grade([above(tax=D("450"))], with_params(score_cap_ratio=cap))["big"]
    tax = result.indicators["tax_per_mu"]
    assert tax.ratio == D("10") and tax.points == tax_points
    assert tax.capped is (capped and cap is not None)
    assert result.score == tax_points + D("65")


def test_a_ratio_exactly_at_the_cap_is_not_marked_capped():
    tax = grade([above(tax=D("135"))])["big"].indicators["tax_per_mu"]
    assert tax.ratio == D("3") and not tax.capped and tax.points == D("105")


def test_a_small_firm_is_scored_on_tax_and_revenue_per_mu_only():
    firm = small(revenue=D("3000"), value_added=D("1"), energy_tce=D("1000"), employees=500)
    result = grade([firm])["s"]
    assert list(result.indicators) == ["tax_per_mu", "revenue_per_mu"]
    assert result.size_class == "small"
    assert result.indicators["revenue_per_mu"].ratio == D("2")
    assert result.score == D("60") + D("80")


def test_a_small_firm_without_revenue_is_scored_on_tax_alone():
    result = grade([small(revenue=None, tax=D("40"))])["s"]
    assert result.score == D("50.00")  # half the tax benchmark, weight renormalised to 1
    assert result.missing == ("revenue_per_mu",) and result.missing_inputs == ("revenue",)


# --- bands and ranking ----------------------------------------------------------------------------


def test_twenty_firms_with_distinct_scores_give_5_a_9_b_5_c_and_1_d():
    results, summary = grade_enterprises(ranked_zone(20), YEAR, None)
    assert summary.grade_counts == {"A": 5, "B": 9, "C": 5, "D": 1}
    assert summary.category_counts["ranked"] == 20
    assert [results[k].grade for k in range(20, 0, -1)] == list("AAAAABBBBBBBBBCCCCCD")


@pytest.mark.parametrize(
    ("firm", "percentile", "expected"),
    [
        (16, D("0.2"), "A"),
        (15, D("0.25"), "B"),  # exactly at the A bound: B
        (7, D("0.65"), "B"),
        (6, D("0.7"), "C"),  # exactly at the B bound: C
        (2, D("0.9"), "C"),
        (1, D("0.95"), "D"),  # exactly at the C bound: D
    ],
)
def test_each_band_boundary_on_both_sides_among_twenty(firm, percentile, expected):
    result = grade(ranked_zone(20))[firm]
    assert result.percentile == percentile and result.grade == expected
    assert result.rank == 21 - firm and result.ranked_among == 20


@pytest.mark.parametrize(
    ("firm", "expected"),
    [(76, "A"), (75, "B"), (31, "B"), (30, "C"), (6, "C"), (5, "D"), (1, "D")],
)
def test_each_band_boundary_on_both_sides_among_a_hundred(firm, expected):
    # firm k has 100 − k firms above it: 76 → 0.24, 75 → 0.25, 31 → 0.69, 30 → 0.70 …
    result = grade(ranked_zone(100))[firm]
    assert result.grade == expected and result.percentile == D(100 - firm) / 100


def test_a_hundred_firms_give_25_a_45_b_25_c_and_5_d():
    _results, summary = grade_enterprises(ranked_zone(100), YEAR)
    assert summary.grade_counts == {"A": 25, "B": 45, "C": 25, "D": 5}


def test_equal_scores_at_a_boundary_share_the_better_grade():
    zone = ranked_zone(20)
    zone[14] = small(15, tax=16)  # firm 15 ties firm 16: both have 4 firms above
    results, summary = grade_enterprises(zone, YEAR)
    assert results[15].score == results[16].score
    assert results[15].grade == results[16].grade == "A"
    assert results[15].rank == results[16].rank == 5
    assert results[14].grade == "B" and results[14].rank == 7  # 6 firms above
    assert summary.grade_counts == {"A": 6, "B": 8, "C": 5, "D": 1}


def test_a_tie_at_the_last_boundary_leaves_no_d():
    zone = ranked_zone(20)
    zone[0] = small(1, tax=2)  # the two lowest tie with 18 firms above: 0.9 → C
    results, summary = grade_enterprises(zone, YEAR)
    assert results[1].grade == results[2].grade == "C"
    assert summary.grade_counts == {"A": 5, "B": 9, "C": 6, "D": 0}


def test_one_ranked_firm_is_graded_a():
    result = grade([small(tax=D("1"))])["s"]
    assert (result.grade, result.rank, result.ranked_among, result.percentile) == ("A", 1, 1, 0)


@pytest.mark.parametrize(("n", "grades"), [(2, "AB"), (3, "ABB"), (4, "ABBC")])
def test_small_groups_are_graded_by_the_same_percentile_rule(n, grades):
    results = grade(ranked_zone(n))
    assert "".join(results[k].grade for k in range(n, 0, -1)) == grades


def test_above_size_and_small_firms_are_ranked_separately():
    zone = [*ranked_zone(4), above("b1"), above("b2", tax=D("90"))]
    results, summary = grade_enterprises(zone, YEAR)
    # the small firms score 40.75–43 and the above-size ones 100 and 135: each class ranks alone
    assert results["b1"].grade == "B" and results["b2"].grade == "A"
    assert results["b1"].ranked_among == 2
    assert [results[k].grade for k in (4, 3, 2, 1)] == list("ABBC")
    assert results[4].ranked_among == 4
    assert summary.ranked_counts == {"above_size": 2, "small": 4}


# --- categories -----------------------------------------------------------------------------------


def test_a_veto_grades_d_even_an_exempt_firm_with_missing_land():
    zone = [
        *ranked_zone(3),
        small("v", category="exempt", land_mu=None, veto_reason="重大安全事故"),
    ]
    results = grade(zone)
    veto = results["v"]
    assert (veto.category, veto.grade, veto.veto_reason) == ("veto", "D", "重大安全事故")
    assert veto.score is None and veto.rank is None
    assert results[3].ranked_among == 3  # not ranked with the others


def test_a_veto_grades_d_even_the_best_firm_and_leaves_the_ranking_to_the_others():
    zone = [*ranked_zone(3), small("v", tax=D("999"), veto_reason="环境污染")]
    results = grade(zone)
    assert results["v"].grade == "D" and results["v"].score == D("220.00")  # tax capped at 3×
    assert results[3].grade == "A" and results[3].rank == 1


def test_a_blank_veto_reason_is_no_veto():
    assert grade([small(veto_reason="   ")])["s"].category == "ranked"


@pytest.mark.parametrize("category", ["exempt", "deferred"])
def test_exempt_and_deferred_firms_are_b_and_not_ranked(category):
    zone = [*ranked_zone(3), small("m", tax=D("999"), category=category)]
    results, summary = grade_enterprises(zone, YEAR)
    managed = results["m"]
    assert (managed.category, managed.grade) == (category, "B")
    assert managed.score == D("220.00")  # shown, but outside the ranking
    assert managed.rank is None and managed.percentile is None
    assert not managed.deferred_automatically
    assert [results[k].grade for k in (3, 2, 1)] == list("ABB")
    assert results[3].ranked_among == 3
    assert summary.category_counts[category] == 1 and summary.grade_counts["B"] == 3


def test_an_exempt_or_deferred_firm_with_missing_data_is_still_b():
    assert grade([small(category="exempt", land_mu=None)])["s"].grade == "B"
    assert grade([small(category="deferred", tax=None)])["s"].grade == "B"


@pytest.mark.parametrize(
    ("started", "deferred"),
    [
        (date(2021, 12, 31), False),  # three full years before the end of 2024
        (date(2022, 1, 1), True),
        (date(2024, 12, 31), True),
        (date(2025, 2, 1), True),  # started after the evaluated year
        (date(2015, 6, 1), False),
        (None, False),
    ],
)
def test_a_firm_that_started_production_within_three_years_is_deferred_automatically(
    started, deferred
):
    result = grade([small(production_started=started)])["s"]
    assert (result.category == "deferred") is deferred
    assert result.deferred_automatically is deferred
    assert result.grade == ("B" if deferred else "A")


def test_the_deferral_period_is_a_parameter():
    firm = small(production_started=date(2022, 6, 1))
    assert grade([firm], with_params(deferred_years=2))["s"].category == "ranked"
    assert grade([firm], with_params(deferred_years=3))["s"].category == "deferred"
    assert grade([firm], with_params(deferred_years=0), year=2022)["s"].category == "ranked"
    assert grade([firm], with_params(deferred_years=0), year=2021)["s"].category == "deferred"


def test_a_veto_beats_an_automatic_deferral():
    result = grade([small(production_started=date(2024, 3, 1), veto_reason="违法排污")])["s"]
    assert (result.category, result.grade, result.deferred_automatically) == ("veto", "D", False)


@pytest.mark.parametrize("land", [None, D("0")])
def test_a_firm_without_usable_land_is_missing_never_d(land):
    zone = [*ranked_zone(19), small("x", land_mu=land)]
    results, summary = grade_enterprises(zone, YEAR)
    missing = results["x"]
    assert (missing.category, missing.grade, missing.score) == ("missing", None, None)
    assert missing.missing == ("tax_per_mu", "revenue_per_mu")
    assert missing.missing_inputs == ("land_mu",)
    assert results[1].ranked_among == 19
    assert summary.missing_ids == ("x",) and summary.category_counts["missing"] == 1
    assert sum(summary.grade_counts.values()) == 19


def test_a_firm_without_tax_is_missing_and_shows_its_other_figures_without_points():
    result = grade([above(tax=None)])["big"]
    assert (result.category, result.grade, result.score) == ("missing", None, None)
    assert result.missing == ("tax_per_mu",) and result.missing_inputs == ("tax",)
    vam = result.indicators["value_added_per_mu"]
    assert vam.value == D("100") and vam.ratio == D(1) and vam.points is None


def test_the_required_indicators_are_a_parameter():
    firm = small(tax=None, revenue=D("3000"))
    assert grade([firm])["s"].category == "missing"
    relaxed = grade([firm], with_params(required_indicators=[]))["s"]
    assert relaxed.category == "ranked" and relaxed.score == D("200.00")  # ratio 2 at weight 1
    empty = grade([small(tax=None, revenue=None)], with_params(required_indicators=[]))["s"]
    assert empty.category == "missing" and empty.score is None


def test_a_firm_whose_present_indicators_all_weigh_nothing_is_missing():
    params = with_params(
        required_indicators=[],
        small=[
            {"indicator": "tax_per_mu", "weight": 1, "benchmark": 8},
            {"indicator": "revenue_per_mu", "weight": 0, "benchmark": 150},
        ],
    )
    assert grade([small(tax=None)], params)["s"].category == "missing"


# --- the zone summary -----------------------------------------------------------------------------


def test_the_zone_summary_counts_every_grade_and_category_and_the_land_efficiency():
    zone = [
        small("a", tax=D("100"), land_mu=D("10")),  # ranked
        small("b", tax=D("50"), land_mu=D("30"), revenue=D("900")),  # ranked
        small("c", tax=D("999"), land_mu=None, revenue=D("999")),  # missing: no land
        small("d", tax=None, land_mu=D("20"), revenue=D("400")),  # missing: no tax
        small("e", tax=D("150"), land_mu=D("40"), category="exempt"),
        small("f", tax=D("0"), land_mu=D("5"), revenue=None, veto_reason="事故"),
    ]
    _results, summary = grade_enterprises(zone, YEAR)
    assert summary.enterprises == 6
    assert summary.category_counts == {
        "ranked": 2,
        "exempt": 1,
        "deferred": 0,
        "veto": 1,
        "missing": 2,
    }
    assert summary.grade_counts == {"A": 1, "B": 2, "C": 0, "D": 1}
    assert summary.ranked_land_mu == D("40")
    # tax: a, b, e, f — 300 万元 on 85 亩
    assert (summary.tax_total, summary.tax_land_mu) == (D("300"), D("85"))
    assert summary.tax_per_mu == D("3.5294")
    # revenue: a, b, d, e — 1500 + 900 + 400 + 1500 on 100 亩
    assert (summary.revenue_total, summary.revenue_land_mu) == (D("4300"), D("100"))
    assert summary.revenue_per_mu == D("43")
    assert summary.missing_ids == ("c", "d")


def test_a_zone_with_no_ranked_firm_has_no_ranked_land_and_zero_counts():
    results, summary = grade_enterprises([small(category="exempt")], YEAR)
    assert results["s"].grade == "B"
    assert summary.ranked_counts == {"above_size": 0, "small": 0}
    assert summary.ranked_land_mu is None
    assert summary.tax_per_mu == D("8")


def test_an_empty_zone_has_every_count_zero_and_every_figure_missing():
    results, summary = grade_enterprises([], YEAR)
    assert results == {}
    assert list(summary.grade_counts) == list(GRADES) and not any(summary.grade_counts.values())
    assert list(summary.category_counts) == list(CATEGORIES)
    assert not any(summary.category_counts.values())
    assert summary.ranked_land_mu is None
    assert summary.tax_per_mu is None and summary.tax_total is None
    assert summary.revenue_per_mu is None and summary.revenue_land_mu is None


def test_results_and_summary_are_json_safe_with_decimals_as_strings():
    results, summary = grade_enterprises([above(rd_spending=None), small()], YEAR)
    data = json.loads(json.dumps(results["big"].as_dict()))
    assert data["score"] == "100" and data["grade"] == "A" and data["percentile"] == "0"
    assert data["indicators"]["rd_share"] == {
        "code": "rd_share",
        "source": "rd_share",
        "value": None,
        "benchmark": "0.03",
        "weight": "0.1",
        "effective_weight": None,
        "ratio": None,
        "capped": False,
        "points": None,
        "fallback": False,
        "missing": True,
    }
    assert data["missing"] == ["rd_share"] and data["missing_inputs"] == ["rd_spending"]
    plain = json.loads(json.dumps(summary.as_dict()))
    assert plain["tax_per_mu"] == "9.6154" and plain["ranked_land_mu"] == "13"


# --- parameters -----------------------------------------------------------------------------------


def test_new_bands_change_the_grades():
    params = with_params(bands={"A": 0.5, "B": 0.8, "C": 0.9})
    _results, summary = grade_enterprises(ranked_zone(20), YEAR, params)
    assert summary.grade_counts == {"A": 10, "B": 6, "C": 2, "D": 2}


def test_new_weights_change_who_ranks_first():
    taxing = above("taxing", tax=D("90"), value_added=D("150"), revenue=D("500"), rd_spending=D(15))
    adding = above(
        "adding",
        tax=D("30"),
        value_added=D("600"),
        revenue=D("2000"),
        rd_spending=D(60),
        energy_tce=D("600"),
        employees=40,
    )
    default = grade([taxing, adding])
    assert default["taxing"].grade == "A" and default["adding"].grade == "B"
    heavy_value_added = with_params(
        above_size=[
            {"indicator": "tax_per_mu", "weight": 0.1, "benchmark": 15},
            {"indicator": "value_added_per_mu", "weight": 0.9, "benchmark": 100},
        ]
    )
    changed = grade([taxing, adding], heavy_value_added)
    assert changed["adding"].grade == "A" and changed["taxing"].grade == "B"
    assert list(changed["adding"].indicators) == ["tax_per_mu", "value_added_per_mu"]


def test_a_partial_parameter_section_takes_the_other_defaults():
    assert grade(ranked_zone(20), {"deferred_years": 1})[1].grade == "D"


def test_the_default_parameters_are_valid():
    assert validate_parameters(DEFAULT_PARAMETERS) == []


def _row(index: int, **change):
    rows = copy.deepcopy(DEFAULT_PARAMETERS["above_size"])
    rows[index].update(change)
    return {"above_size": rows}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_row(0, weight=-0.1), "above_size[0].weight: must not be negative"),
        (_row(1, weight="heavy"), "above_size[1].weight: expected a number"),
        (_row(1, weight=True), "above_size[1].weight: expected a number"),
        (_row(2, benchmark=0), "above_size[2].benchmark: must be greater than 0"),
        (_row(2, benchmark=-5), "above_size[2].benchmark: must be greater than 0"),
        (_row(3, indicator="profit_per_mu"), "above_size[3]: unknown indicator 'profit_per_mu'"),
        (_row(3, indicator="tax_per_mu"), "above_size[3]: indicator 'tax_per_mu' listed twice"),
        (_row(4, colour="red"), "above_size[4]: unknown key 'colour'"),
        ({"small": []}, "small: expected a non-empty list"),
        ({"small": [{"indicator": "tax_per_mu", "weight": 1}]}, "small[0]: missing 'benchmark'"),
        (
            {"small": [{"indicator": "tax_per_mu", "weight": 0, "benchmark": 8}]},
            "small: the weights must not all be zero",
        ),
        ({"bands": {"A": 0.7, "B": 0.25, "C": 0.95}}, "bands: the bounds of A, B and C must be"),
        ({"bands": {"A": 0.25, "B": 0.25, "C": 0.95}}, "bands: the bounds of A, B and C must be"),
        ({"bands": {"A": 0.25, "B": 0.7, "C": 1.2}}, "bands.C: a share above 0 and at most 1"),
        ({"bands": {"A": 0, "B": 0.7, "C": 0.95}}, "bands.A: a share above 0 and at most 1"),
        ({"bands": {"A": 0.25, "B": 0.7}}, "bands: expected an object with the upper bounds"),
        ({"bands": {"A": "a", "B": 0.7, "C": 0.9}}, "bands.A: expected a number"),
        ({"fallback": {"value_added_per_mu": {"indicator": "land", "benchmark": 3}}},
         "fallback.value_added_per_mu: unknown indicator 'land'"),
        ({"fallback": {"output_per_mu": {"indicator": "revenue_per_mu", "benchmark": 3}}},
         "fallback: unknown indicator 'output_per_mu'"),
        ({"fallback": {"value_added_per_mu": {"indicator": "revenue_per_mu", "benchmark": 0}}},
         "fallback.value_added_per_mu.benchmark: must be greater than 0"),
        ({"fallback": {"tax_per_mu": {"indicator": "tax_per_mu", "benchmark": 3}}},
         "fallback.tax_per_mu: an indicator cannot fall back to itself"),
        ({"required_indicators": ["tax_per_mu", "jobs"]},
         "required_indicators: unknown indicator 'jobs'"),
        ({"required_indicators": "tax_per_mu"}, "required_indicators: expected a list"),
        ({"deferred_years": -1}, "deferred_years: between 0 and 50 years"),
        ({"deferred_years": 2.5}, "deferred_years: expected a whole number of years"),
        ({"score_cap_ratio": 0}, "score_cap_ratio: must be greater than 0"),
        ({"score_cap_ratio": "3"}, "score_cap_ratio: expected a number or null"),
        ({"surprise": 1}, "unknown parameter 'surprise'"),
    ],
)  # fmt: skip
def test_bad_land_parameters_are_refused_with_a_reason(change, problem):
    problems = validate_parameters({**DEFAULT_PARAMETERS, **change})
    assert any(p.startswith(problem) for p in problems), problems


def test_a_missing_land_parameter_is_refused():
    params = dict(DEFAULT_PARAMETERS)
    del params["bands"]
    assert validate_parameters(params) == ["missing parameter 'bands'"]


def test_a_null_cap_is_a_valid_parameter():
    assert validate_parameters(with_params(score_cap_ratio=None)) == []


def test_grading_with_invalid_parameters_is_refused():
    with pytest.raises(ValueError, match="bands"):
        grade_enterprises(ranked_zone(3), YEAR, {"bands": {"A": 0.9, "B": 0.5, "C": 0.95}})


def test_an_unknown_managed_category_or_a_repeated_enterprise_is_refused():
    with pytest.raises(ValueError, match="unknown category 'vip'"):
        grade_enterprises([small(category="vip")], YEAR)
    with pytest.raises(ValueError, match="appears twice"):
        grade_enterprises([small(), small()], YEAR)
