"""The per-mu section of a methodology version: the indicators and classes it may name, the
default parameters and their validation (pure; see ``zones.scoring.land``)."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from devzone.numbers import is_finite_number as _is_number

CLASSES: tuple[str, ...] = ("above_size", "small")
BANDED_GRADES: tuple[str, ...] = ("A", "B", "C")  # D is everything above the C bound

INDICATORS: dict[str, tuple[str, str]] = {
    "tax_per_mu": ("tax", "land_mu"),  # 亩均税收, 万元/亩
    "revenue_per_mu": ("revenue", "land_mu"),  # 亩均营业收入, 万元/亩
    "value_added_per_mu": ("value_added", "land_mu"),  # 亩均工业增加值, 万元/亩
    "value_added_per_energy": ("value_added", "energy_tce"),  # 单位能耗增加值, 万元/吨标煤
    "labour_productivity": ("value_added", "employees"),  # 全员劳动生产率, 万元/人
    "rd_share": ("rd_spending", "revenue"),  # 研发经费占营业收入比重
}

DEFAULT_PARAMETERS: dict[str, Any] = {
    "above_size": [
        {"indicator": "tax_per_mu", "weight": 0.35, "benchmark": 15},
        {"indicator": "value_added_per_mu", "weight": 0.25, "benchmark": 100},
        {"indicator": "value_added_per_energy", "weight": 0.15, "benchmark": 2},
        {"indicator": "labour_productivity", "weight": 0.15, "benchmark": 30},
        {"indicator": "rd_share", "weight": 0.10, "benchmark": 0.03},
    ],
    "small": [
        {"indicator": "tax_per_mu", "weight": 0.6, "benchmark": 8},
        {"indicator": "revenue_per_mu", "weight": 0.4, "benchmark": 150},
    ],
    # when the indicator named by the key is missing, its slot uses this indicator and benchmark
    "fallback": {"value_added_per_mu": {"indicator": "revenue_per_mu", "benchmark": 300}},
    # without these (and a positive land area) an enterprise is "missing", not graded
    "required_indicators": ["tax_per_mu"],
    # cumulative upper bounds of the rank percentile; D is the rest
    "bands": {"A": 0.25, "B": 0.70, "C": 0.95},
    "deferred_years": 3,
    "score_cap_ratio": 3,  # null: no cap
}


def _check_indicator_list(key: str, rows: Any) -> list[str]:
    if not isinstance(rows, list) or not rows:
        return [f"{key}: expected a non-empty list of indicators"]
    problems: list[str] = []
    seen: set[str] = set()
    total = 0.0
    for i, row in enumerate(rows):
        where = f"{key}[{i}]"
        if not isinstance(row, dict):
            problems.append(f"{where}: expected an object with indicator, weight and benchmark")
            continue
        extra = sorted(set(row) - {"indicator", "weight", "benchmark"})
        problems += [f"{where}: unknown key {name!r}" for name in extra]
        problems += [
            f"{where}: missing {name!r}"
            for name in ("indicator", "weight", "benchmark")
            if name not in row
        ]
        code = row.get("indicator")
        if "indicator" in row:
            if code not in INDICATORS:
                problems.append(f"{where}: unknown indicator {code!r}")
            elif code in seen:
                problems.append(f"{where}: indicator {code!r} listed twice")
            else:
                seen.add(code)
        if "weight" in row:
            weight = row["weight"]
            if not _is_number(weight):
                problems.append(f"{where}.weight: expected a number, got {weight!r}")
            elif weight < 0:
                problems.append(f"{where}.weight: must not be negative")
            else:
                total += weight
        if "benchmark" in row:
            problems += _check_benchmark(f"{where}.benchmark", row["benchmark"])
    if not problems and total <= 0:
        problems.append(f"{key}: the weights must not all be zero")
    return problems


def _check_benchmark(where: str, value: Any) -> list[str]:
    if not _is_number(value):
        return [f"{where}: expected a number, got {value!r}"]
    if value <= 0:
        return [f"{where}: must be greater than 0"]
    return []


def _check_fallback(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return ["fallback: expected an object of indicator → {indicator, benchmark}"]
    problems: list[str] = []
    for code, spare in value.items():
        where = f"fallback.{code}"
        if code not in INDICATORS:
            problems.append(f"fallback: unknown indicator {code!r}")
        if not isinstance(spare, dict) or set(spare) != {"indicator", "benchmark"}:
            problems.append(f"{where}: expected an object with indicator and benchmark")
            continue
        if spare["indicator"] not in INDICATORS:
            problems.append(f"{where}: unknown indicator {spare['indicator']!r}")
        elif spare["indicator"] == code:
            problems.append(f"{where}: an indicator cannot fall back to itself")
        problems += _check_benchmark(f"{where}.benchmark", spare["benchmark"])
    return problems


def _check_bands(value: Any) -> list[str]:
    if not isinstance(value, dict) or set(value) != set(BANDED_GRADES):
        return ["bands: expected an object with the upper bounds of A, B and C (D is the rest)"]
    problems: list[str] = []
    for grade in BANDED_GRADES:
        bound = value[grade]
        if not _is_number(bound):
            problems.append(f"bands.{grade}: expected a number, got {bound!r}")
        elif not 0 < bound <= 1:
            problems.append(f"bands.{grade}: a share above 0 and at most 1, got {bound!r}")
    if not problems:
        bounds = [value[grade] for grade in BANDED_GRADES]
        if any(low >= high for low, high in pairwise(bounds)):
            problems.append("bands: the bounds of A, B and C must be strictly ascending")
    return problems


def validate_parameters(parameters: Mapping[str, Any]) -> list[str]:
    """Problems of a ``land`` parameter section: unknown or missing keys, wrong types, negative
    weights, benchmarks not above 0, bands not ascending or above 1, unknown indicators."""
    problems = [f"unknown parameter {key!r}" for key in parameters if key not in DEFAULT_PARAMETERS]
    for key in DEFAULT_PARAMETERS:
        if key not in parameters:
            problems.append(f"missing parameter {key!r}")
            continue
        value = parameters[key]
        if key in CLASSES:
            problems += _check_indicator_list(key, value)
        elif key == "fallback":
            problems += _check_fallback(value)
        elif key == "required_indicators":
            if not isinstance(value, list):
                problems.append(f"{key}: expected a list of indicator codes")
            else:
                problems += [
                    f"{key}: unknown indicator {code!r}" for code in value if code not in INDICATORS
                ]
        elif key == "bands":
            problems += _check_bands(value)
        elif key == "deferred_years":
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(f"{key}: expected a whole number of years, got {value!r}")
            elif not 0 <= value <= 50:
                problems.append(f"{key}: between 0 and 50 years, got {value!r}")
        elif key == "score_cap_ratio" and value is not None:
            if not _is_number(value):
                problems.append(f"{key}: expected a number or null, got {value!r}")
            elif value <= 0:
                problems.append(f"{key}: must be greater than 0")
    return problems
