"""The six capacities (六力) of a zone for one period, each 0–100, compared within peer groups.

Pure functions over plain data: no Django, no ORM. The caller gathers each zone's indicator
values (``indicator_values`` turns a zone's recorded facts into the default indicators' values)
and a peer-group key (a province id, or a (province, zone type) pair — the caller decides; zones
are only ever compared with zones of the same key). The methodology version supplies the
indicator definitions and the parameters.

Normalisation, per indicator, within each peer group, over the zones of the group that HAVE a
value (a zone with no value gets no score for that indicator — never zero — and takes no part
in its group's min, max or ranks):

- ``minmax_floor`` (极差法，保底): higher is better: floor + (100 − floor)·(x − min)/(max − min);
  lower is better: floor + (100 − floor)·(max − x)/(max − min). The floor is the parameter
  ``minmax_floor`` (default 20, so the band is 20–100). When max == min (also a group of one
  zone) nothing separates the zones and every zone gets the middle of the band,
  (floor + 100)/2 = 60 by default.
- ``benchmark`` (对标值比率): higher: 100·min(cap, x/benchmark); lower: 100·min(cap,
  benchmark/x), and x ≤ 0 scores 100·cap; the result is clipped to 0–100. ``cap`` (default 1)
  is the ratio that earns full marks; it may not exceed 1 since anything above 100 is clipped.
- ``rank`` (排名百分位): mid-rank percentile 100·(worse + 0.5·(equal − 1))/(n − 1), where
  ``worse`` counts the group's zones with a strictly worse value and ``equal`` the zones with the
  same value, itself included — ties share a score. A group of one scores 50.

A capacity's score is the weighted mean Σ(weight·score)/Σ(weight) over the capacity's indicators
that have a value; ``coverage`` is that present weight over the capacity's total weight. A
capacity is missing (None, with a reason) when no indicator has a value, when the present
weight is 0, or when coverage is below the parameter ``min_coverage`` (default 0). The quality
score (质量综合得分) is the weighted mean of the present capacities with ``composite_weights``
(default 1 each), missing when fewer than ``min_capacities`` (default 1) are present. Scores are
rounded to 0.01 (ROUND_HALF_UP) where returned; a capacity is computed from unrounded indicator
scores (so the rounded contribution points may differ from it by rounding), the quality from
the rounded capacities that are stored and shown (``quality_score`` reproduces it).

The default indicators, the facts they are computed from and their formulas are in
``zones.scoring.capacity_indicators`` (``DEFAULT_INDICATORS``, ``indicator_values``).
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from devzone.numbers import plain as _plain

CAPACITIES: tuple[str, ...] = (
    "drive",
    "leading_industry",
    "leading_enterprise",
    "platform",
    "resource",
    "radiation",
)
DIRECTIONS: tuple[str, ...] = ("higher", "lower")
NORMALISATIONS: tuple[str, ...] = ("minmax_floor", "benchmark", "rank")

DEFAULT_PARAMETERS: dict[str, Any] = {
    "composite_weights": dict.fromkeys(CAPACITIES, 1),
    "min_coverage": 0,  # 0–1; a capacity below it is missing; 0: any present indicator suffices
    "minmax_floor": 20,  # the worst zone's score under minmax_floor; the best scores 100
    "min_capacities": 1,  # fewer present capacities than this: no quality score
    # whom a zone is compared with: the zones of its province, or of its province and type
    # (the caller builds each zone's peer key from this; the quadrant's medians use it too)
    "peer_group": "province",
}
PEER_GROUPS: tuple[str, ...] = ("province", "province_type")

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
BASIS = Decimal("0.0001")


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator of a capacity, as the methodology version defines it."""

    code: str
    capacity: str
    direction: str = "higher"
    weight: Decimal = Decimal(1)
    normalisation: str = "minmax_floor"
    benchmark: Decimal | None = None
    cap: Decimal = Decimal(1)  # benchmark ratio that earns 100 points
    name: str = ""
    formula: str = ""
    unit: str = ""
    data_source: str = ""


@dataclass(frozen=True)
class ZoneValues:
    """A zone's indicator values for the period; a missing or None value is not recorded."""

    zone_id: Hashable
    peer_key: Hashable
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Contribution:
    """How one indicator entered a zone's capacity score, with the peer figures it used."""

    indicator: str
    capacity: str
    normalisation: str
    direction: str
    value: Decimal | None
    normalised: Decimal | None  # 0–100, None when the value is missing
    weight: Decimal
    share: Decimal | None  # weight / present weight of the capacity
    points: Decimal | None  # normalised · share: what it adds to the capacity score
    peer_n: int  # zones of the peer group with a value
    peer_min: Decimal | None
    peer_max: Decimal | None
    benchmark: Decimal | None

    @property
    def missing(self) -> bool:
        return self.value is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "capacity": self.capacity,
            "normalisation": self.normalisation,
            "direction": self.direction,
            "value": _plain(self.value),
            "normalised": _plain(self.normalised),
            "weight": _plain(self.weight),
            "share": _plain(self.share),
            "points": _plain(self.points),
            "missing": self.missing,
            "peer_n": self.peer_n,
            "peer_min": _plain(self.peer_min),
            "peer_max": _plain(self.peer_max),
            "benchmark": _plain(self.benchmark),
        }


@dataclass(frozen=True)
class CapacityResult:
    """A zone's six capacities, their coverage, the indicator contributions and the quality."""

    zone_id: Hashable
    capacities: Mapping[str, Decimal | None]
    coverage: Mapping[str, Decimal | None]  # present weight / total weight, 0–1
    # why a capacity is missing: no_indicators, no_values, zero_weight, below_min_coverage
    reasons: Mapping[str, str | None]
    contributions: tuple[Contribution, ...]
    quality: Decimal | None
    capacities_present: int
    quality_reason: str | None = None  # too_few_capacities, zero_weight

    def as_dict(self) -> dict[str, Any]:
        return {
            "capacities": {k: _plain(v) for k, v in self.capacities.items()},
            "coverage": {k: _plain(v) for k, v in self.coverage.items()},
            "reasons": dict(self.reasons),
            "quality": _plain(self.quality),
            "quality_reason": self.quality_reason,
            "capacities_present": self.capacities_present,
            "contributions": [c.as_dict() for c in self.contributions],
        }


def _number(value: Any) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _score(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _share(value: Decimal) -> Decimal:
    return value.quantize(BASIS, rounding=ROUND_HALF_UP)


# --- validation -------------------------------------------------------------------------------


def validate_parameters(params: Mapping[str, Any]) -> list[str]:
    """English descriptions of what is wrong with ``params``; an empty list when it is usable."""
    if not isinstance(params, Mapping):
        return ["parameters must be an object"]
    problems = [f"unknown parameter {key!r}" for key in params if key not in DEFAULT_PARAMETERS]
    weights = params.get("composite_weights", {})
    if not isinstance(weights, Mapping):
        problems.append("composite_weights must be an object of capacity: weight")
    else:
        for code, weight in weights.items():
            if code not in CAPACITIES:
                problems.append(f"composite_weights: unknown capacity {code!r}")
            elif not _is_number(weight):
                problems.append(f"composite_weights: {code} must be a number")
            elif weight < 0:
                problems.append(f"composite_weights: {code} must not be negative")
        merged = {**DEFAULT_PARAMETERS["composite_weights"], **weights}
        if all(_is_number(w) for w in merged.values()) and not any(w > 0 for w in merged.values()):
            problems.append("composite_weights: at least one weight must be above 0")
    _check_range(problems, params, "min_coverage", 0, 1, upper_open=False)
    _check_range(problems, params, "minmax_floor", 0, 100, upper_open=True)
    if "peer_group" in params and params["peer_group"] not in PEER_GROUPS:
        problems.append(f"peer_group must be one of {', '.join(PEER_GROUPS)}")
    if "min_capacities" in params:
        value = params["min_capacities"]
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append("min_capacities must be a whole number")
        elif not 1 <= value <= len(CAPACITIES):
            problems.append(f"min_capacities must be between 1 and {len(CAPACITIES)}")
    return problems


def _check_range(
    problems: list[str], params: Mapping[str, Any], key: str, low: int, high: int, upper_open: bool
) -> None:
    if key not in params:
        return
    value = params[key]
    if not _is_number(value):
        problems.append(f"{key} must be a number")
    elif value < low or value > high or (upper_open and value == high):
        bound = f"below {high}" if upper_open else f"at most {high}"
        problems.append(f"{key} must be at least {low} and {bound}")


def validate_indicators(defs: Iterable[IndicatorDef]) -> list[str]:
    """English descriptions of what is wrong with a set of indicator definitions."""
    problems: list[str] = []
    seen: set[str] = set()
    for d in defs:
        if d.code in seen:
            problems.append(f"indicator {d.code!r} is defined twice")
        seen.add(d.code)
        if d.capacity not in CAPACITIES:
            problems.append(f"indicator {d.code!r}: unknown capacity {d.capacity!r}")
        if d.direction not in DIRECTIONS:
            problems.append(f"indicator {d.code!r}: direction must be 'higher' or 'lower'")
        if d.normalisation not in NORMALISATIONS:
            problems.append(f"indicator {d.code!r}: unknown normalisation {d.normalisation!r}")
        if not _is_number(d.weight) or d.weight < 0:
            problems.append(f"indicator {d.code!r}: weight must be a number of at least 0")
        if d.normalisation == "benchmark":
            if d.benchmark is None or not _is_number(d.benchmark) or d.benchmark <= 0:
                problems.append(f"indicator {d.code!r}: benchmark must be a number above 0")
            if not _is_number(d.cap) or not 0 < d.cap <= 1:
                problems.append(f"indicator {d.code!r}: cap must be above 0 and at most 1")
    return problems


# --- normalisation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerStats:
    """The present values of one indicator within one peer group."""

    values: tuple[Decimal, ...]  # ascending

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def minimum(self) -> Decimal | None:
        return self.values[0] if self.values else None

    @property
    def maximum(self) -> Decimal | None:
        return self.values[-1] if self.values else None


def normalise(d: IndicatorDef, x: Decimal, stats: PeerStats, floor: Decimal) -> Decimal:
    """The unrounded 0–100 score of value ``x`` (which is one of ``stats.values``)."""
    higher = d.direction == "higher"
    if d.normalisation == "minmax_floor":
        low, high = stats.minimum, stats.maximum
        if low is None or high is None or high == low:
            return (floor + HUNDRED) / 2
        position = (x - low) if higher else (high - x)
        return floor + (HUNDRED - floor) * position / (high - low)
    if d.normalisation == "benchmark":
        cap = _number(d.cap)
        benchmark = _number(d.benchmark)
        if higher:
            ratio = x / benchmark
        elif x <= 0:  # nothing used: as good as a lower-is-better figure can be
            ratio = cap
        else:
            ratio = benchmark / x
        return max(Decimal(0), min(HUNDRED, HUNDRED * min(cap, ratio)))
    if d.normalisation == "rank":
        if stats.n <= 1:
            return Decimal(50)
        lower_count = bisect.bisect_left(stats.values, x)
        upper_count = stats.n - bisect.bisect_right(stats.values, x)
        equal = stats.n - lower_count - upper_count
        worse = lower_count if higher else upper_count
        return HUNDRED * (Decimal(worse) + Decimal(equal - 1) / 2) / (stats.n - 1)
    raise ValueError(f"unknown normalisation {d.normalisation!r}")


# --- capacities -------------------------------------------------------------------------------


def compute_capacities(
    defs: Sequence[IndicatorDef],
    zones: Sequence[ZoneValues],
    parameters: Mapping[str, Any] | None = None,
) -> dict[Hashable, CapacityResult]:
    """Every zone's six capacities and quality, each zone compared only with its peer group.

    Raises ValueError listing the problems when the definitions or parameters are invalid, or
    when a zone appears twice.
    """
    params = dict(parameters or {})
    problems = validate_parameters(params) + validate_indicators(defs)
    zone_ids = [z.zone_id for z in zones]
    if len(set(zone_ids)) != len(zone_ids):
        problems.append("a zone appears more than once")
    if problems:
        raise ValueError("; ".join(problems))
    params = {**DEFAULT_PARAMETERS, **params}
    weights = {**DEFAULT_PARAMETERS["composite_weights"], **params["composite_weights"]}
    floor = _number(params["minmax_floor"])
    min_coverage = _number(params["min_coverage"])

    values = {z.zone_id: _values(z, defs) for z in zones}
    stats = _peer_stats(defs, zones, values)
    return {
        z.zone_id: _zone_result(
            z, defs, values[z.zone_id], stats, floor, min_coverage, weights, params
        )
        for z in zones
    }


def _values(zone: ZoneValues, defs: Sequence[IndicatorDef]) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {}
    for d in defs:
        raw = zone.values.get(d.code)
        out[d.code] = None if raw is None else _number(raw)
    return out


def _peer_stats(
    defs: Sequence[IndicatorDef],
    zones: Sequence[ZoneValues],
    values: Mapping[Hashable, Mapping[str, Decimal | None]],
) -> dict[tuple[Hashable, str], PeerStats]:
    collected: dict[tuple[Hashable, str], list[Decimal]] = {}
    for z in zones:
        for d in defs:
            collected.setdefault((z.peer_key, d.code), [])
            value = values[z.zone_id][d.code]
            if value is not None:
                collected[(z.peer_key, d.code)].append(value)
    return {key: PeerStats(tuple(sorted(vals))) for key, vals in collected.items()}


def _zone_result(
    zone: ZoneValues,
    defs: Sequence[IndicatorDef],
    values: Mapping[str, Decimal | None],
    stats: Mapping[tuple[Hashable, str], PeerStats],
    floor: Decimal,
    min_coverage: Decimal,
    weights: Mapping[str, Any],
    params: Mapping[str, Any],
) -> CapacityResult:
    capacities: dict[str, Decimal | None] = {}
    coverage: dict[str, Decimal | None] = {}
    reasons: dict[str, str | None] = {}
    by_code: dict[str, Contribution] = {}
    for capacity in CAPACITIES:
        members = [d for d in defs if d.capacity == capacity]
        scored: dict[str, Decimal] = {}
        for d in members:
            x = values[d.code]
            if x is not None:
                scored[d.code] = normalise(d, x, stats[(zone.peer_key, d.code)], floor)
        total = sum((_number(d.weight) for d in members), Decimal(0))
        present = sum((_number(d.weight) for d in members if d.code in scored), Decimal(0))
        shares = {
            d.code: _number(d.weight) / present for d in members if d.code in scored and present
        }
        cover = present / total if total else None
        reason = None
        if not members:
            reason = "no_indicators"
        elif not scored:
            reason = "no_values"
        elif not present:
            reason = "zero_weight"
        elif cover is not None and cover < min_coverage:
            reason = "below_min_coverage"
        score = None if reason else sum((scored[c] * s for c, s in shares.items()), Decimal(0))
        capacities[capacity] = None if score is None else _score(score)
        coverage[capacity] = None if cover is None else _share(cover)
        reasons[capacity] = reason
        for d in members:
            by_code[d.code] = _contribution(
                d,
                values[d.code],
                scored.get(d.code),
                shares.get(d.code),
                stats[(zone.peer_key, d.code)],
            )
    quality, present_count, quality_reason = _quality(capacities, weights, params)
    return CapacityResult(
        zone_id=zone.zone_id,
        capacities=capacities,
        coverage=coverage,
        reasons=reasons,
        contributions=tuple(by_code[d.code] for d in defs),
        quality=quality,
        capacities_present=present_count,
        quality_reason=quality_reason,
    )


def _contribution(
    d: IndicatorDef,
    value: Decimal | None,
    normalised: Decimal | None,
    share: Decimal | None,
    group: PeerStats,
) -> Contribution:
    return Contribution(
        indicator=d.code,
        capacity=d.capacity,
        normalisation=d.normalisation,
        direction=d.direction,
        value=value,
        normalised=None if normalised is None else _score(normalised),
        weight=_number(d.weight),
        share=None if share is None else _share(share),
        points=None if normalised is None or share is None else _score(normalised * share),
        peer_n=group.n,
        peer_min=group.minimum,
        peer_max=group.maximum,
        benchmark=None if d.benchmark is None else _number(d.benchmark),
    )


def _quality(
    capacities: Mapping[str, Decimal | None],
    weights: Mapping[str, Any],
    params: Mapping[str, Any],
) -> tuple[Decimal | None, int, str | None]:
    present = {c: s for c, s in capacities.items() if s is not None}
    if len(present) < params["min_capacities"] or not present:
        return None, len(present), "too_few_capacities"
    total = sum((_number(weights[c]) for c in present), Decimal(0))
    if not total:
        return None, len(present), "zero_weight"
    mean = sum((_number(weights[c]) * s for c, s in present.items()), Decimal(0)) / total
    return _score(mean), len(present), None


def quality_score(
    capacities: Mapping[str, Decimal | None], parameters: Mapping[str, Any] | None = None
) -> Decimal | None:
    """The composite quality of stored capacity scores (as ``compute_capacities`` computes it)."""
    params = {**DEFAULT_PARAMETERS, **(parameters or {})}
    weights = {**DEFAULT_PARAMETERS["composite_weights"], **params["composite_weights"]}
    clean = {c: None if s is None else _number(s) for c, s in capacities.items()}
    return _quality(clean, weights, params)[0]
