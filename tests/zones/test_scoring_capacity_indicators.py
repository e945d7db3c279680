"""The default indicators of the six capacities: a valid, published set, each formula computed
from a zone's facts, missing inputs and zero denominators as missing, and a full run."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from decimal import Decimal

import pytest

from zones.scoring.capacities import CAPACITIES, ZoneValues, compute_capacities, validate_indicators
from zones.scoring.capacity_indicators import (
    DEFAULT_INDICATORS,
    FORMULAS,
    CapacityFacts,
    indicator_values,
)

D = Decimal


def facts(**over) -> CapacityFacts:
    base = CapacityFacts(
        gross_output=D("1200000"),
        gross_output_prev=D("1000000"),
        leading_output=D("600000"),
        leading_output_prev=D("480000"),
        tax_revenue=D("36000"),
        tax_revenue_prev=D("40000"),
        fixed_asset_investment=D("240000"),
        land_supplied_mu=D("12000"),
        land_approved_unsupplied_mu=D("3000"),
        land_idle_mu=D("600"),
        floor_area_ratio=D("0.9"),
        energy_use_tce=D("360000"),
        employment=D("24000"),
        rural_labour_transferred=D("3000"),
        rd_spending=D("24000"),
        enterprises=400,
        new_enterprises=35,
        projects_signed=12,
        leading_enterprises=2,
        leading_local_suppliers=40,
        local_supply_share=D("0.25"),
        chain_coverage=D("0.6"),
        platforms=20,
        national_platforms=1,
        services_delivered=1000,
        trainees=800,
    )
    return dataclasses.replace(base, **over)


def test_the_default_indicators_are_a_valid_set_covering_all_six_capacities():
    assert validate_indicators(DEFAULT_INDICATORS) == []
    per_capacity = defaultdict(list)
    for d in DEFAULT_INDICATORS:
        per_capacity[d.capacity].append(d)
    assert set(per_capacity) == set(CAPACITIES)
    assert all(len(defs) >= 3 for defs in per_capacity.values())
    for defs in per_capacity.values():
        assert sum(d.weight for d in defs) == 1


def test_every_default_indicator_is_published_with_name_formula_source_and_a_computation():
    for d in DEFAULT_INDICATORS:
        assert d.name and d.formula and d.data_source, d.code
        assert len(d.name) <= 100 and len(d.formula) <= 300 and len(d.data_source) <= 200
        assert len(d.unit) <= 30
    assert set(FORMULAS) == {d.code for d in DEFAULT_INDICATORS}


def test_the_land_and_energy_burdens_are_lower_is_better_and_the_rest_higher():
    lower = {d.code for d in DEFAULT_INDICATORS if d.direction == "lower"}
    assert lower == {"unsupplied_land_share", "idle_land_share", "energy_per_output"}


def test_each_formula_computes_its_value_from_the_facts():
    values = indicator_values(facts())
    assert values == {
        "output_growth": D(20),
        "tax_growth": D(-10),
        "rd_intensity": D(2),
        "new_enterprises": D(35),
        "projects_signed": D(12),
        "leading_share": D(50),
        "leading_growth": D(25),
        "chain_coverage": D(60),
        "leading_enterprises": D(2),
        "local_supply_share": D(25),
        "leading_local_suppliers": D(40),
        "platforms_per_100_enterprises": D(5),
        "national_platforms": D(1),
        "services_per_enterprise": D("2.5"),
        "tax_per_mu": D(3),
        "investment_per_mu": D(20),
        "floor_area_ratio": D("0.9"),
        "unsupplied_land_share": D(20),  # 3000 / (12000 + 3000)
        "idle_land_share": D(5),
        "energy_per_output": D("0.3"),
        "employment": D(24000),
        "rural_labour_transferred": D(3000),
        "jobs_per_mu": D(2),
        "trainees": D(800),
    }


def test_no_facts_give_no_values_rather_than_zeros():
    assert set(indicator_values(CapacityFacts()).values()) == {None}


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"gross_output_prev": D(0)}, "output_growth"),
        ({"gross_output_prev": None}, "output_growth"),
        ({"tax_revenue_prev": D(0)}, "tax_growth"),
        ({"leading_output_prev": None}, "leading_growth"),
        ({"gross_output": D(0)}, "rd_intensity"),
        ({"gross_output": D(0)}, "leading_share"),
        ({"gross_output": D(0)}, "energy_per_output"),
        ({"rd_spending": None}, "rd_intensity"),
        ({"enterprises": 0}, "platforms_per_100_enterprises"),
        ({"enterprises": None}, "services_per_enterprise"),
        ({"land_supplied_mu": D(0)}, "tax_per_mu"),
        ({"land_supplied_mu": D(0)}, "investment_per_mu"),
        ({"land_supplied_mu": D(0)}, "idle_land_share"),
        ({"land_supplied_mu": D(0)}, "jobs_per_mu"),
        ({"land_supplied_mu": None}, "unsupplied_land_share"),
        ({"land_supplied_mu": D(0), "land_approved_unsupplied_mu": D(0)}, "unsupplied_land_share"),
        ({"chain_coverage": None}, "chain_coverage"),
        ({"leading_enterprises": None}, "leading_enterprises"),
    ],
)
def test_a_missing_input_or_zero_denominator_makes_the_value_missing(change, missing):
    assert indicator_values(facts(**change))[missing] is None


def test_zero_counts_are_recorded_zeros_not_missing():
    values = indicator_values(facts(leading_enterprises=0, land_supplied_mu=D(0), land_idle_mu=0))
    assert values["leading_enterprises"] == 0
    assert values["unsupplied_land_share"] == D(100)  # all approved land still unsupplied


def test_the_default_indicators_score_a_whole_province_end_to_end():
    strong = facts()
    weak = facts(
        gross_output=D("300000"),
        gross_output_prev=D("330000"),
        leading_output=D("60000"),
        tax_revenue=D("6000"),
        land_idle_mu=D("2400"),
        energy_use_tce=D("240000"),
        leading_enterprises=0,
        national_platforms=0,
        employment=D("5000"),
        rural_labour_transferred=None,
        trainees=None,
    )
    zone_values = [
        ZoneValues(1, "guizhou", indicator_values(strong)),
        ZoneValues(2, "guizhou", indicator_values(weak)),
    ]
    results = compute_capacities(DEFAULT_INDICATORS, zone_values)
    assert all(results[1].capacities[c] is not None for c in CAPACITIES)
    assert results[1].quality > results[2].quality
    assert results[1].capacities_present == results[2].capacities_present == 6
    assert results[2].coverage["radiation"] == D("0.5")  # employment and jobs per mu only
