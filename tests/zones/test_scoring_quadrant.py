"""Scale × quality quadrants (精准施策四象限) as pure functions: median cut points in each peer
group, a zone exactly at the median, fixed cut points, missing figures, the policy text and
the parameter refusals."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from zones.scoring.quadrant import (
    DEFAULT_PARAMETERS,
    POLICY,
    QUADRANTS,
    QuadrantPoint,
    compute_quadrants,
    median,
    quadrant_counts,
    validate_parameters,
)

D = Decimal


def quadrants(results) -> dict:
    return {zone: r.quadrant for zone, r in results.items()}


def test_the_median_split_puts_each_zone_in_its_quadrant():
    points = [
        QuadrantPoint("a", "gz", D(400), D(80)),
        QuadrantPoint("b", "gz", D(300), D(20)),
        QuadrantPoint("c", "gz", D(200), D(70)),
        QuadrantPoint("d", "gz", D(100), D(30)),
    ]
    results = compute_quadrants(points)
    assert quadrants(results) == {
        "a": "large_high",
        "b": "large_low",
        "c": "small_high",
        "d": "small_low",
    }
    # even counts: the mean of the two middle values
    assert results["a"].scale_cut == D(250) and results["a"].quality_cut == D(50)
    assert results["a"].split == "median"
    assert (results["b"].large, results["b"].high, results["b"].reason) == (True, False, None)


def test_a_zone_exactly_at_the_median_counts_as_large_and_high():
    points = [("a", "gz", D(100), D(40)), ("b", "gz", D(200), D(60)), ("c", "gz", D(300), D(50))]
    results = compute_quadrants(points)
    assert results["b"].scale_cut == D(200) and results["c"].quality_cut == D(50)
    assert quadrants(results) == {"a": "small_low", "b": "large_high", "c": "large_high"}


def test_a_zone_alone_in_its_group_is_its_own_median_and_so_large_and_high():
    results = compute_quadrants([("only", "gz", D(5), D(1))])
    assert results["only"].quadrant == "large_high"
    assert (results["only"].scale_cut, results["only"].quality_cut) == (D(5), D(1))


def test_each_peer_group_is_split_at_its_own_medians():
    points = [
        ("a1", "gz", D(100), D(40)),
        ("a2", "gz", D(300), D(60)),
        ("b1", ("yn", "high_tech"), D(1000), D(70)),
        ("b2", ("yn", "high_tech"), D(3000), D(90)),
    ]
    results = compute_quadrants(points)
    assert quadrants(results) == {
        "a1": "small_low",
        "a2": "large_high",
        "b1": "small_low",  # 1000 is large in gz but small among its own peers
        "b2": "large_high",
    }
    assert results["a1"].scale_cut == D(200) and results["b1"].scale_cut == D(2000)


@pytest.mark.parametrize(
    ("scale", "quality", "expected"),
    [
        (D(500000), D(60), "large_high"),  # exactly at both cuts
        (D("499999.99"), D(60), "small_high"),
        (D(500000), D("59.99"), "large_low"),
        (D("499999.99"), D("59.99"), "small_low"),
    ],
)
def test_fixed_cut_points_apply_to_every_zone_and_a_value_at_the_cut_is_large_or_high(
    scale, quality, expected
):
    params = {"split": "fixed", "scale_cut": 500000, "quality_cut": 60}
    points = [("z", "gz", scale, quality), ("big", "gz", D(9000000), D(99))]
    result = compute_quadrants(points, params)["z"]
    assert result.quadrant == expected
    assert (result.split, result.scale_cut, result.quality_cut) == ("fixed", D(500000), D(60))


def test_changing_the_split_changes_the_quadrant():
    points = [("a", "gz", D(100), D(40)), ("b", "gz", D(200), D(50))]
    assert compute_quadrants(points)["a"].quadrant == "small_low"
    fixed = {"split": "fixed", "scale_cut": 50, "quality_cut": 30.5}
    result = compute_quadrants(points, fixed)
    assert quadrants(result) == {"a": "large_high", "b": "large_high"}
    assert result["a"].quality_cut == D("30.5")


@pytest.mark.parametrize(
    ("scale", "quality", "reason", "large", "high"),
    [
        (None, D(50), "missing_scale", None, True),
        (D(500), None, "missing_quality", True, None),
        (None, None, "missing_scale_and_quality", None, None),
    ],
)
def test_a_zone_missing_a_figure_has_no_quadrant_and_says_why(scale, quality, reason, large, high):
    points = [("z", "gz", scale, quality), ("a", "gz", D(100), D(40)), ("b", "gz", D(300), D(60))]
    result = compute_quadrants(points)["z"]
    assert result.quadrant is None and result.reason == reason
    assert (result.large, result.high) == (large, high)


def test_a_missing_figure_is_left_out_of_its_median_but_the_other_figure_still_counts():
    points = [
        ("a", "gz", D(100), D(10)),
        ("b", "gz", D(200), None),
        ("c", "gz", None, D(90)),
        ("d", "gz", D(600), D(50)),
    ]
    results = compute_quadrants(points)
    assert results["a"].scale_cut == D(200)  # median of 100, 200, 600
    assert results["a"].quality_cut == D(50)  # median of 10, 90, 50
    assert quadrants(results) == {"a": "small_low", "b": None, "c": None, "d": "large_high"}


def test_a_group_with_no_scale_at_all_has_no_scale_cut():
    results = compute_quadrants([("a", "gz", None, D(50)), ("b", "gz", None, D(70))])
    assert results["a"].scale_cut is None and results["a"].reason == "missing_scale"
    assert results["b"].quality_cut == D(60)


def test_ints_floats_and_decimals_are_accepted_and_nan_is_refused():
    results = compute_quadrants([("a", 1, 100, 40.5), ("b", 1, D(300), D(60))])
    assert results["a"].scale == D(100) and results["a"].quality == D("40.5")
    with pytest.raises(ValueError, match="finite"):
        compute_quadrants([("a", 1, float("nan"), D(1))])


def test_a_zone_given_twice_is_refused():
    with pytest.raises(ValueError, match="more than once"):
        compute_quadrants([("a", 1, 1, 1), ("a", 2, 2, 2)])


def test_the_result_is_json_safe_and_carries_the_cut_points():
    data = compute_quadrants([("a", 1, D(100), D("40.50")), ("b", 1, D(300), D(60))])["a"].as_dict()
    json.dumps(data)
    assert data == {
        "quadrant": "small_low",
        "scale": "100",
        "quality": "40.5",
        "split": "median",
        "scale_cut": "200",
        "quality_cut": "50.25",
        "large": False,
        "high": False,
        "reason": None,
    }


def test_quadrant_counts_list_every_quadrant_and_the_zones_without_one():
    results = compute_quadrants(
        [("a", 1, D(100), D(40)), ("b", 1, D(300), D(60)), ("c", 1, None, D(99))]
    )
    counts = quadrant_counts(results)
    assert list(counts) == [*QUADRANTS, "missing"]
    assert counts == {
        "large_high": 1,
        "large_low": 0,
        "small_high": 0,
        "small_low": 1,
        "missing": 1,
    }


def test_every_quadrant_has_its_typical_problem_and_policy_focus():
    assert list(POLICY) == list(QUADRANTS)
    assert all(set(p) == {"problem", "focus"} and all(p.values()) for p in POLICY.values())
    assert POLICY["small_high"]["focus"] == "引育龙头企业、盘活拓展用地空间"
    json.dumps(POLICY)


def test_median_of_nothing_is_none_and_of_an_even_count_the_mean_of_the_middle_two():
    assert median([]) is None
    assert median([D(3), D(1), D(2)]) == D(2)
    assert median([D(4), D(1), D(3), D(2)]) == D("2.5")


def test_no_points_give_no_results():
    assert compute_quadrants([]) == {}


def test_the_default_parameters_are_valid_json_and_valid():
    assert validate_parameters(DEFAULT_PARAMETERS) == []
    assert validate_parameters(json.loads(json.dumps(DEFAULT_PARAMETERS))) == []
    assert validate_parameters({}) == []
    assert validate_parameters({"split": "median", "scale_cut": 1000, "quality_cut": 50}) == []
    assert validate_parameters({"split": "fixed", "scale_cut": 0, "quality_cut": 100}) == []


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ("median", "parameters must be an object"),
        ({"cut": 1}, "unknown parameter 'cut'"),
        ({"split": "mean"}, "split must be 'median' or 'fixed'"),
        ({"split": "fixed", "quality_cut": 60}, "scale_cut is required when split is 'fixed'"),
        ({"split": "fixed", "scale_cut": 100}, "quality_cut is required when split is 'fixed'"),
        ({"split": "fixed", "scale_cut": "500000", "quality_cut": 60}, "scale_cut must be a"),
        ({"split": "fixed", "scale_cut": True, "quality_cut": 60}, "scale_cut must be a number"),
        ({"split": "fixed", "scale_cut": -1, "quality_cut": 60}, "scale_cut must be 0 or more"),
        ({"split": "fixed", "scale_cut": 1, "quality_cut": 100.5}, "between 0 and 100"),
        ({"split": "fixed", "scale_cut": 1, "quality_cut": -0.5}, "between 0 and 100"),
    ],
)
def test_validate_parameters_refuses_a_bad_edit_with_its_reason(params, problem):
    problems = validate_parameters(params)
    assert any(problem in p for p in problems), problems


def test_compute_refuses_invalid_parameters():
    with pytest.raises(ValueError, match="scale_cut is required"):
        compute_quadrants([("a", 1, 1, 1)], {"split": "fixed", "quality_cut": 50})
