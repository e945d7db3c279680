"""The six capacities (六力) as pure functions: each normalisation in both directions, equal
values, one-zone groups, missing values, ties, weights, coverage, the composite quality, peer
groups, rounding, the explanation, parameters and their refusals."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from zones.scoring.capacities import (
    CAPACITIES,
    DEFAULT_PARAMETERS,
    IndicatorDef,
    ZoneValues,
    compute_capacities,
    quality_score,
    validate_indicators,
    validate_parameters,
)

D = Decimal


def ind(code="x", capacity="drive", **over) -> IndicatorDef:
    return IndicatorDef(code=code, capacity=capacity, **over)


def zones(*values, peer="p", code="x") -> list[ZoneValues]:
    """Zones 1, 2, 3 ... of one peer group with one value each for indicator ``code``."""
    return [ZoneValues(i, peer, {code: v}) for i, v in enumerate(values, start=1)]


def scores(defs, zone_values, parameters=None, code="x") -> dict:
    """Each zone's normalised score for indicator ``code``."""
    results = compute_capacities(defs, zone_values, parameters)
    return {
        zid: next(c.normalised for c in r.contributions if c.indicator == code)
        for zid, r in results.items()
    }


# --- minmax_floor ----------------------------------------------------------------------------


def test_minmax_higher_is_better_spreads_the_group_from_the_floor_of_20_to_100():
    assert scores([ind()], zones(10, 20, 30)) == {1: D(20), 2: D(60), 3: D(100)}


def test_minmax_lower_is_better_gives_the_smallest_value_100_and_the_largest_20():
    assert scores([ind(direction="lower")], zones(10, 20, 30)) == {1: D(100), 2: D(60), 3: D(20)}


@pytest.mark.parametrize("direction", ["higher", "lower"])
def test_minmax_equal_values_all_get_the_middle_of_the_band(direction):
    assert scores([ind(direction=direction)], zones(7, 7, 7)) == {1: D(60), 2: D(60), 3: D(60)}


def test_minmax_a_group_of_one_zone_gets_the_middle_of_the_band():
    assert scores([ind()], zones(123)) == {1: D(60)}
    assert scores([ind(direction="lower")], zones(123)) == {1: D(60)}


def test_the_minmax_floor_is_a_parameter_and_moves_the_middle_too():
    assert scores([ind()], zones(10, 20, 30), {"minmax_floor": 0}) == {1: 0, 2: 50, 3: 100}
    assert scores([ind()], zones(5, 5), {"minmax_floor": 40}) == {1: D(70), 2: D(70)}


def test_minmax_uses_the_whole_value_range_including_negative_growth():
    result = scores([ind()], zones(D("-10"), D("0"), D("30")))
    assert result == {1: D(20), 2: D(40), 3: D(100)}


# --- benchmark --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1.25"), D(50)),
        (D("2.5"), D(100)),  # exactly at the benchmark
        (D("5"), D(100)),  # above the benchmark is capped
        (D("0"), D(0)),
        (D("-1"), D(0)),  # clipped at 0
    ],
)
def test_benchmark_higher_is_better_scores_the_ratio_to_the_benchmark(value, expected):
    defs = [ind(normalisation="benchmark", benchmark=D("2.5"))]
    assert scores(defs, zones(value)) == {1: expected}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1"), D(50)),
        (D("0.5"), D(100)),
        (D("0.25"), D(100)),
        (D("0"), D(100)),  # nothing used is as good as it gets
        (D("-1"), D(100)),
        (D("2"), D(25)),
    ],
)
def test_benchmark_lower_is_better_scores_the_benchmark_over_the_value(value, expected):
    defs = [ind(normalisation="benchmark", benchmark=D("0.5"), direction="lower")]
    assert scores(defs, zones(value)) == {1: expected}


def test_a_benchmark_cap_below_one_limits_the_best_score():
    higher = [ind(normalisation="benchmark", benchmark=D("2.5"), cap=D("0.8"))]
    assert scores(higher, zones(D("5"), D("1.25"), D("2"))) == {1: D(80), 2: D(50), 3: D(80)}
    lower = [ind(normalisation="benchmark", benchmark=D("2"), cap=D("0.8"), direction="lower")]
    assert scores(lower, zones(D("0"), D("4"))) == {1: D(80), 2: D(50)}


def test_benchmark_scores_do_not_depend_on_the_peers():
    defs = [ind(normalisation="benchmark", benchmark=D("10"))]
    alone = scores(defs, zones(D("6")))
    assert scores(defs, zones(D("6"), D("100"), D("1"))) == {1: alone[1], 2: D(100), 3: D(10)}


# --- rank -------------------------------------------------------------------------------------


def test_rank_higher_is_better_gives_mid_rank_percentiles():
    result = scores([ind(normalisation="rank")], zones(30, 10, 40, 20))
    assert result == {1: D("66.67"), 2: D(0), 3: D(100), 4: D("33.33")}


def test_rank_lower_is_better_reverses_the_percentiles():
    result = scores([ind(normalisation="rank", direction="lower")], zones(30, 10, 40, 20))
    assert result == {1: D("33.33"), 2: D(100), 3: D(0), 4: D("66.67")}


def test_tied_values_share_the_mid_rank_in_both_directions():
    higher = scores([ind(normalisation="rank")], zones(10, 20, 20, 30))
    assert higher == {1: D(0), 2: D(50), 3: D(50), 4: D(100)}
    lower = scores([ind(normalisation="rank", direction="lower")], zones(10, 20, 20, 30))
    assert lower == {1: D(100), 2: D(50), 3: D(50), 4: D(0)}
    # 0 leading enterprises for three zones, 2 for one: the three share the middle of 0–66.67
    shared = scores([ind(normalisation="rank")], zones(0, 0, 0, 2))
    assert shared == {1: D("33.33"), 2: D("33.33"), 3: D("33.33"), 4: D(100)}


def test_rank_of_a_group_of_one_or_all_tied_is_50():
    assert scores([ind(normalisation="rank")], zones(5)) == {1: D(50)}
    assert scores([ind(normalisation="rank")], zones(5, 5, 5)) == {1: D(50), 2: D(50), 3: D(50)}


# --- missing values ---------------------------------------------------------------------------


@pytest.mark.parametrize("normalisation", ["minmax_floor", "rank"])
def test_a_missing_value_scores_none_and_takes_no_part_in_the_group(normalisation):
    result = compute_capacities([ind(normalisation=normalisation)], zones(10, None, 30))
    missing = result[2].contributions[0]
    assert missing.missing and missing.value is None
    assert missing.normalised is None and missing.points is None and missing.share is None
    assert result[2].capacities["drive"] is None and result[2].reasons["drive"] == "no_values"
    low, high = result[1].contributions[0], result[3].contributions[0]
    expected_low = D(20) if normalisation == "minmax_floor" else D(0)
    assert (low.normalised, high.normalised) == (expected_low, D(100))
    assert (low.peer_n, low.peer_min, low.peer_max) == (2, D(10), D(30))
    assert (missing.peer_n, missing.peer_min, missing.peer_max) == (2, D(10), D(30))


def test_a_zone_missing_from_the_values_mapping_is_missing_not_zero():
    result = compute_capacities([ind()], [ZoneValues(1, "p", {}), ZoneValues(2, "p", {"x": 0})])
    assert result[1].contributions[0].missing
    assert result[2].contributions[0].normalised == D(60)  # alone among those with a value


def test_a_group_where_nobody_has_a_value_reports_no_peers():
    result = compute_capacities([ind()], zones(None, None))
    c = result[1].contributions[0]
    assert (c.peer_n, c.peer_min, c.peer_max) == (0, None, None)


# --- capacity score, weights and coverage -----------------------------------------------------


def two_indicator_defs(**over_b) -> list[IndicatorDef]:
    return [ind("a", weight=D(3)), ind("b", **{"weight": D(1), **over_b})]


def test_a_capacity_is_the_weighted_mean_of_its_indicators_with_their_shares_and_points():
    zone_values = [ZoneValues(1, "p", {"a": 10, "b": 5}), ZoneValues(2, "p", {"a": 30, "b": 1})]
    result = compute_capacities(two_indicator_defs(), zone_values)
    # zone 1: a → 20, b → 100; (3·20 + 1·100) / 4 = 40
    assert result[1].capacities["drive"] == D(40) and result[1].coverage["drive"] == D(1)
    a, b = result[1].contributions
    assert (a.weight, a.share, a.points) == (D(3), D("0.75"), D(15))
    assert (b.weight, b.share, b.points) == (D(1), D("0.25"), D(25))
    assert a.points + b.points == result[1].capacities["drive"]
    assert result[2].capacities["drive"] == D(80)  # (3·100 + 1·20) / 4


def test_a_missing_indicator_leaves_the_others_to_carry_the_capacity_with_lower_coverage():
    zone_values = [ZoneValues(1, "p", {"a": 10}), ZoneValues(2, "p", {"a": 30, "b": 1})]
    result = compute_capacities(two_indicator_defs(), zone_values)
    assert result[1].capacities["drive"] == D(20)  # a alone, not (3·20 + 1·0) / 4
    assert result[1].coverage["drive"] == D("0.75")
    assert result[1].contributions[0].share == D(1)
    assert result[2].coverage["drive"] == D(1)


def test_min_coverage_drops_a_capacity_below_it_and_keeps_one_exactly_at_it():
    zone_values = [ZoneValues(1, "p", {"a": 10}), ZoneValues(2, "p", {"a": 30, "b": 1})]
    defs = two_indicator_defs()
    below = compute_capacities(defs, zone_values, {"min_coverage": 0.8})
    assert below[1].capacities["drive"] is None
    assert below[1].reasons["drive"] == "below_min_coverage"
    assert below[1].coverage["drive"] == D("0.75")  # still reported
    assert below[2].capacities["drive"] == D(90)  # (3·100 + 1·60) / 4, b alone in its group
    at = compute_capacities(defs, zone_values, {"min_coverage": 0.75})
    assert at[1].capacities["drive"] == D(20) and at[1].reasons["drive"] is None


def test_an_indicator_of_weight_zero_is_shown_but_does_not_move_the_capacity():
    zone_values = [ZoneValues(1, "p", {"a": 10, "b": 5}), ZoneValues(2, "p", {"a": 30, "b": 1})]
    result = compute_capacities(two_indicator_defs(weight=D(0)), zone_values)
    assert result[1].capacities["drive"] == D(20)
    b = result[1].contributions[1]
    assert (b.normalised, b.share, b.points) == (D(100), D(0), D(0))


def test_a_capacity_whose_present_indicators_all_weigh_zero_is_missing():
    defs = [ind("a", weight=D(0)), ind("b", weight=D(2))]
    result = compute_capacities(defs, [ZoneValues(1, "p", {"a": 5})])
    assert result[1].capacities["drive"] is None and result[1].reasons["drive"] == "zero_weight"
    assert result[1].coverage["drive"] == D(0)
    all_zero = compute_capacities([ind("a", weight=D(0))], [ZoneValues(1, "p", {"a": 5})])
    assert all_zero[1].capacities["drive"] is None and all_zero[1].coverage["drive"] is None


def test_every_capacity_is_reported_and_one_without_indicators_says_so():
    result = compute_capacities([ind()], zones(10))
    assert list(result[1].capacities) == list(CAPACITIES)
    assert result[1].capacities["platform"] is None
    assert result[1].reasons["platform"] == "no_indicators"
    assert result[1].coverage["platform"] is None


def test_scores_are_rounded_half_up_to_hundredths():
    # (1 − 0) / 20000 · 100 = 0.005 → 0.01 (half up, not half even)
    result = scores([ind()], zones(0, 1, 20000), {"minmax_floor": 0})
    assert result == {1: D(0), 2: D("0.01"), 3: D(100)}


# --- composite quality ------------------------------------------------------------------------


def six_capacity_defs() -> list[IndicatorDef]:
    return [ind(f"i_{c}", c, normalisation="benchmark", benchmark=D(100)) for c in CAPACITIES]


def zone_with(**by_capacity) -> list[ZoneValues]:
    return [ZoneValues(1, "p", {f"i_{c}": v for c, v in by_capacity.items()})]


def test_quality_is_the_mean_of_the_present_capacities_and_counts_them():
    result = compute_capacities(six_capacity_defs(), zone_with(drive=80, platform=40))[1]
    assert result.quality == D(60) and result.capacities_present == 2
    assert result.quality_reason is None
    assert result.capacities["resource"] is None  # missing, and not averaged in as 0


def test_composite_weights_weigh_the_capacities_and_default_the_rest_to_one():
    defs, zone_values = six_capacity_defs(), zone_with(drive=80, platform=40, radiation=10)
    result = compute_capacities(defs, zone_values, {"composite_weights": {"drive": 3}})[1]
    assert result.quality == D(58)  # (3·80 + 40 + 10) / 5


def test_a_present_capacity_of_composite_weight_zero_is_left_out_of_the_mean():
    defs, zone_values = six_capacity_defs(), zone_with(drive=80, platform=40)
    result = compute_capacities(defs, zone_values, {"composite_weights": {"platform": 0}})[1]
    assert result.quality == D(80) and result.capacities_present == 2
    only = compute_capacities(defs, zone_with(platform=40), {"composite_weights": {"platform": 0}})
    assert only[1].quality is None and only[1].quality_reason == "zero_weight"


def test_no_present_capacity_means_no_quality():
    result = compute_capacities(six_capacity_defs(), zone_with())[1]
    assert result.quality is None and result.capacities_present == 0
    assert result.quality_reason == "too_few_capacities"


def test_min_capacities_withholds_the_quality_until_enough_capacities_are_present():
    defs = six_capacity_defs()
    two = zone_with(drive=80, platform=40)
    assert compute_capacities(defs, two, {"min_capacities": 3})[1].quality is None
    assert compute_capacities(defs, two, {"min_capacities": 2})[1].quality == D(60)


def test_quality_score_reproduces_the_quality_from_stored_capacities():
    defs = six_capacity_defs()
    params = {"composite_weights": {"drive": 2, "resource": D("0.5")}}
    result = compute_capacities(defs, zone_with(drive=77, resource=33, radiation=51), params)[1]
    stored = {k: None if v is None else str(v) for k, v in result.capacities.items()}
    assert quality_score(stored, params) == result.quality


# --- peer groups ------------------------------------------------------------------------------


def test_two_peer_groups_are_normalised_separately():
    zone_values = [
        ZoneValues("a1", "guizhou", {"x": 10}),
        ZoneValues("a2", "guizhou", {"x": 30}),
        ZoneValues("b1", ("yunnan", "high_tech"), {"x": 100}),
        ZoneValues("b2", ("yunnan", "high_tech"), {"x": 300}),
        ZoneValues("b3", ("yunnan", "high_tech"), {"x": 200}),
    ]
    result = compute_capacities([ind()], zone_values)
    got = {z: r.contributions[0].normalised for z, r in result.items()}
    assert got == {"a1": D(20), "a2": D(100), "b1": D(20), "b2": D(100), "b3": D(60)}
    assert (result["a1"].contributions[0].peer_max, result["b1"].contributions[0].peer_n) == (
        D(30),
        3,
    )


# --- explanation and inputs -------------------------------------------------------------------


def test_the_explanation_is_json_safe_and_names_every_figure_used():
    defs = [
        ind("a", weight=D(2)),
        ind("b", normalisation="benchmark", benchmark=D("2.5"), direction="lower"),
    ]
    zone_values = [ZoneValues(1, "p", {"a": 10, "b": None}), ZoneValues(2, "p", {"a": 30})]
    data = compute_capacities(defs, zone_values)[1].as_dict()
    json.dumps(data)
    assert data["capacities"]["drive"] == "20" and data["capacities"]["platform"] is None
    assert data["coverage"]["drive"] == "0.6667"
    assert data["quality"] == "20" and data["capacities_present"] == 1
    assert data["contributions"][0] == {
        "indicator": "a",
        "capacity": "drive",
        "normalisation": "minmax_floor",
        "direction": "higher",
        "value": "10",
        "normalised": "20",
        "weight": "2",
        "share": "1",
        "points": "20",
        "missing": False,
        "peer_n": 2,
        "peer_min": "10",
        "peer_max": "30",
        "benchmark": None,
    }
    b = data["contributions"][1]
    assert b["missing"] and b["value"] is None and b["benchmark"] == "2.5" and b["peer_n"] == 0


def test_contributions_follow_the_order_of_the_definitions():
    defs = [ind("r1", "resource"), ind("d1", "drive"), ind("r2", "resource")]
    result = compute_capacities(defs, [ZoneValues(1, "p", {"r1": 1, "d1": 2, "r2": 3})])
    assert [c.indicator for c in result[1].contributions] == ["r1", "d1", "r2"]


def test_ints_floats_and_decimals_are_all_accepted_as_values():
    result = scores([ind()], zones(10, 20.0, D("30")))
    assert result == {1: D(20), 2: D(60), 3: D(100)}


def test_a_not_a_number_value_is_refused():
    with pytest.raises(ValueError, match="finite"):
        compute_capacities([ind()], zones(float("nan")))


def test_invalid_definitions_parameters_or_a_repeated_zone_are_refused_with_reasons():
    with pytest.raises(ValueError, match="benchmark must be a number above 0"):
        compute_capacities([ind(normalisation="benchmark")], zones(1))
    with pytest.raises(ValueError, match="unknown parameter 'floor'"):
        compute_capacities([ind()], zones(1), {"floor": 10})
    with pytest.raises(ValueError, match="more than once"):
        compute_capacities([ind()], [ZoneValues(1, "p", {}), ZoneValues(1, "q", {})])


def test_no_zones_give_no_results():
    assert compute_capacities([ind()], []) == {}


# --- validation -------------------------------------------------------------------------------


def test_the_default_parameters_are_valid_json_and_valid():
    assert validate_parameters(DEFAULT_PARAMETERS) == []
    assert validate_parameters(json.loads(json.dumps(DEFAULT_PARAMETERS))) == []
    assert validate_parameters({}) == []
    assert validate_parameters({"min_coverage": 1, "minmax_floor": 0, "min_capacities": 6}) == []


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ([1, 2], "parameters must be an object"),
        ({"weights": {}}, "unknown parameter 'weights'"),
        ({"composite_weights": [1, 2]}, "composite_weights must be an object"),
        ({"composite_weights": {"growth": 1}}, "unknown capacity 'growth'"),
        ({"composite_weights": {"drive": "2"}}, "drive must be a number"),
        ({"composite_weights": {"drive": True}}, "drive must be a number"),
        ({"composite_weights": {"drive": -1}}, "drive must not be negative"),
        ({"composite_weights": dict.fromkeys(CAPACITIES, 0)}, "at least one weight"),
        ({"min_coverage": -0.1}, "min_coverage must be at least 0 and at most 1"),
        ({"min_coverage": 1.01}, "min_coverage must be at least 0 and at most 1"),
        ({"min_coverage": "0.5"}, "min_coverage must be a number"),
        ({"minmax_floor": 100}, "minmax_floor must be at least 0 and below 100"),
        ({"minmax_floor": -5}, "minmax_floor must be at least 0 and below 100"),
        ({"minmax_floor": None}, "minmax_floor must be a number"),
        ({"min_capacities": 0}, "min_capacities must be between 1 and 6"),
        ({"min_capacities": 7}, "min_capacities must be between 1 and 6"),
        ({"min_capacities": 1.5}, "min_capacities must be a whole number"),
        ({"min_capacities": True}, "min_capacities must be a whole number"),
    ],
)
def test_validate_parameters_refuses_a_bad_edit_with_its_reason(params, problem):
    problems = validate_parameters(params)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("defs", "problem"),
    [
        ([ind("a"), ind("a", "platform")], "indicator 'a' is defined twice"),
        ([ind(capacity="growth")], "unknown capacity 'growth'"),
        ([ind(direction="up")], "direction must be 'higher' or 'lower'"),
        ([ind(normalisation="zscore")], "unknown normalisation 'zscore'"),
        ([ind(weight=D(-1))], "weight must be a number of at least 0"),
        ([ind(weight="1")], "weight must be a number of at least 0"),
        ([ind(normalisation="benchmark")], "benchmark must be a number above 0"),
        ([ind(normalisation="benchmark", benchmark=D(0))], "benchmark must be a number above 0"),
        ([ind(normalisation="benchmark", benchmark=D(1), cap=D(0))], "cap must be above 0"),
        ([ind(normalisation="benchmark", benchmark=D(1), cap=D("1.2"))], "at most 1"),
    ],
)
def test_validate_indicators_refuses_a_bad_definition_with_its_reason(defs, problem):
    problems = validate_indicators(defs)
    assert any(problem in p for p in problems), problems


def test_a_benchmark_is_not_required_for_the_other_normalisations():
    assert validate_indicators([ind(), ind("r", normalisation="rank")]) == []
