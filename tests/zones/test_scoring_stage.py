"""The four-stage rules (四聚) as pure functions: every threshold on both sides, missing data,
the path to the next stage and a methodology change."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from zones.scoring.stage import (
    DEFAULT_PARAMETERS,
    RULES,
    STAGES,
    StageFacts,
    compute_stage,
    stage_counts,
    validate_parameters,
)

FULL = {"upstream": (4, 6), "midstream": (4, 5), "downstream": (3, 4)}  # 11 of 15 links


def network_zone(**over) -> StageFacts:
    """Facts that pass every default rule; tests change one fact at a time."""
    facts = StageFacts(
        above_size_enterprises=80,
        gross_output=Decimal("3000000"),
        leading_industry_output=Decimal("1500000"),
        leading_enterprises=2,
        chain_links=FULL,
        local_supply_share=Decimal("0.35"),
        innovation_platforms=9,
        national_platforms=1,
        rd_spending=Decimal("90000"),
        service_segments=frozenset({"upstream", "midstream", "downstream"}),
    )
    return dataclasses.replace(facts, **over)


def rule(result, code):
    return next(r for r in result.rules if r.code == code)


def test_a_zone_meeting_every_rule_is_in_the_network_stage_with_nothing_to_reach():
    result = compute_stage(network_zone())
    assert result.stage == "network"
    assert result.next_stage is None and result.to_next == ()
    assert all(r.passed for r in result.rules)


@pytest.mark.parametrize(
    ("change", "stage"),
    [
        ({"above_size_enterprises": 29}, "agglomerating"),
        ({"gross_output": Decimal("499999.99"), "leading_industry_output": Decimal("250000"),
          "rd_spending": Decimal("15000")}, "agglomerating"),
        ({"leading_enterprises": 0}, "agglomerated"),
        ({"leading_industry_output": Decimal("1199999")}, "agglomerated"),  # 39.99…% share
        ({"chain_links": {"upstream": (2, 6), "midstream": (3, 5), "downstream": (2, 4)}},
         "core"),  # 7 of 15 < 50 %
        ({"chain_links": {"upstream": (0, 6), "midstream": (5, 5), "downstream": (4, 4)}},
         "core"),  # 9 of 15 but no upstream link
        ({"local_supply_share": Decimal("0.1999")}, "core"),
        ({"innovation_platforms": 4}, "chain"),
        ({"national_platforms": 0}, "chain"),
        ({"rd_spending": Decimal("74999")}, "chain"),  # 2.49997 % < 2.5 %
        ({"service_segments": frozenset({"upstream", "midstream"})}, "chain"),
    ],
)  # fmt: skip
def test_one_threshold_just_missed_drops_the_zone_to_the_stage_below(change, stage):
    assert compute_stage(network_zone(**change)).stage == stage


@pytest.mark.parametrize(
    "change",
    [
        {"above_size_enterprises": 30},
        {"gross_output": Decimal("500000"), "leading_industry_output": Decimal("200000"),
         "rd_spending": Decimal("12500")},
        {"leading_enterprises": 1},
        {"leading_industry_output": Decimal("1200000")},  # exactly 40 %
        {"chain_links": {"upstream": (3, 6), "midstream": (2, 4), "downstream": (2, 4)}},  # 7/14
        {"local_supply_share": Decimal("0.2")},
        {"innovation_platforms": 5},
        {"rd_spending": Decimal("75000")},  # exactly 2.5 %
    ],
)  # fmt: skip
def test_a_value_exactly_at_its_threshold_passes(change):
    assert compute_stage(network_zone(**change)).stage == "network"


def test_a_missing_fact_fails_its_rule_and_is_reported_as_missing_not_zero():
    result = compute_stage(network_zone(local_supply_share=None))
    supply = rule(result, "local_supply_share")
    assert result.stage == "core"
    assert supply.missing and not supply.passed and supply.value is None and supply.gap is None
    assert [r.code for r in result.to_next] == ["local_supply_share"]


def test_no_leading_industry_template_means_the_chain_rules_are_missing():
    result = compute_stage(network_zone(chain_links=None))
    assert result.stage == "core"
    assert rule(result, "chain_coverage").missing and rule(result, "chain_segments").missing


def test_no_output_recorded_makes_the_shares_missing_instead_of_dividing_by_zero():
    result = compute_stage(network_zone(gross_output=None))
    assert result.stage == "agglomerating"
    assert rule(result, "gross_output").missing
    assert rule(result, "leading_share").missing and rule(result, "rd_intensity").missing
    zero = compute_stage(network_zone(gross_output=Decimal("0")))
    assert rule(zero, "gross_output").value == 0 and not rule(zero, "gross_output").missing
    assert rule(zero, "leading_share").missing


def test_a_higher_rule_passing_never_lifts_a_zone_over_a_failed_lower_stage():
    # a leading enterprise and a full chain, but too few above-size firms
    result = compute_stage(network_zone(above_size_enterprises=12))
    assert result.stage == "agglomerating"
    assert result.next_stage == "agglomerated"
    assert [r.code for r in result.to_next] == ["above_size_enterprises"]


def test_the_path_to_the_next_stage_lists_each_unmet_condition_with_its_gap():
    facts = network_zone(
        leading_enterprises=0,
        leading_industry_output=Decimal("900000"),  # 30 % of 3,000,000
        local_supply_share=None,
    )
    result = compute_stage(facts)
    assert result.stage == "agglomerated" and result.next_stage == "core"
    gaps = {r.code: r.gap for r in result.to_next}
    assert gaps == {"leading_enterprises": Decimal("1"), "leading_share": Decimal("0.1")}
    # the chain stage's missing supply share is not on the path to the core stage
    assert "local_supply_share" not in gaps


def test_the_explanation_names_every_rule_with_value_threshold_and_outcome():
    result = compute_stage(network_zone(above_size_enterprises=10)).as_dict()
    assert [r["code"] for r in result["rules"]] == [r.code for r in RULES]
    first = result["rules"][0]
    assert first == {
        "code": "above_size_enterprises",
        "stage": "agglomerated",
        "unit": "count",
        "value": 10,
        "threshold": 30,
        "passed": False,
        "missing": False,
        "gap": "20",
    }
    shares = {r["code"]: r["value"] for r in result["rules"]}
    assert shares["leading_share"] == "0.5" and shares["rd_intensity"] == "0.03"


def test_a_methodology_with_other_thresholds_gives_another_stage():
    facts = network_zone(above_size_enterprises=25)
    assert compute_stage(facts).stage == "agglomerating"
    assert compute_stage(facts, {"agglomerated_min_above_size": 20}).stage == "network"
    stricter = {**DEFAULT_PARAMETERS, "network_min_national_platforms": 2}
    assert compute_stage(network_zone(), stricter).stage == "chain"


def test_stage_counts_list_every_stage_even_when_empty():
    counts = stage_counts({1: "core", 2: "agglomerating", 3: "agglomerating"})
    assert list(counts) == list(STAGES)
    assert counts == {"agglomerating": 2, "agglomerated": 0, "core": 1, "chain": 0, "network": 0}


def test_the_default_parameters_are_valid():
    assert validate_parameters(DEFAULT_PARAMETERS) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"agglomerated_min_output": "很多"}, "agglomerated_min_output: expected a number"),
        ({"core_min_leading_share": 1.5}, "core_min_leading_share: a share between 0 and 1"),
        ({"chain_min_segments": 4}, "chain_min_segments: at most 3 segments"),
        ({"network_min_platforms": -1}, "network_min_platforms: must not be negative"),
        ({"network_min_platforms": True}, "network_min_platforms: expected a number"),
        ({"surprise": 1}, "unknown parameter 'surprise'"),
    ],
)
def test_bad_stage_parameters_are_refused_with_a_reason(change, problem):
    problems = validate_parameters({**DEFAULT_PARAMETERS, **change})
    assert any(p.startswith(problem) for p in problems), problems


def test_a_missing_stage_parameter_is_refused():
    params = dict(DEFAULT_PARAMETERS)
    del params["chain_min_coverage"]
    assert validate_parameters(params) == ["missing parameter 'chain_min_coverage'"]
