"""Scale × quality quadrants for precise policy (精准施策四象限), from computed figures.

Pure functions over plain data: no Django, no ORM. Each zone brings its scale (工业总产值, 万元)
and its quality score (the composite of the six capacities, 0–100) and a peer-group key (the
caller decides: a province id, a (province, zone type) pair ...).

Cut points (parameter ``split``):

- ``median`` (default): within each peer group, the median of the scale values that are present
  and, separately, the median of the quality values that are present (a zone missing its
  quality still counts towards its group's scale median, and the other way round). The median
  of an even count is the mean of the two middle values. A zone exactly at a median counts as
  large / high (``≥``) — so a peer group of one zone puts it in ``large_high``.
- ``fixed``: the same cut points for every zone, ``scale_cut`` (万元) and ``quality_cut``
  (0–100); again a value exactly at the cut counts as large / high.

A zone missing its scale or its quality (or whose group has no cut point) gets no quadrant and
a reason: ``missing_scale``, ``missing_quality`` or ``missing_scale_and_quality``. Every result
carries the cut points it was judged by.

``POLICY`` holds each quadrant's typical problem, as the paper names it, and the policy focus
the platform shows beside it (plain Chinese data; the Django side shows it as it is).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from devzone.numbers import plain as _plain

QUADRANTS: tuple[str, ...] = ("large_high", "large_low", "small_high", "small_low")
SPLITS: tuple[str, ...] = ("median", "fixed")

DEFAULT_PARAMETERS: dict[str, Any] = {
    "split": "median",
    "scale_cut": None,  # 万元; required by "fixed", ignored by "median"
    "quality_cut": None,  # 0–100; required by "fixed", ignored by "median"
}

POLICY: dict[str, dict[str, str]] = {
    "large_high": {
        "problem": "开放发展理念不足、创新服务平台支撑不够",
        "focus": "扩大开放、建设创新服务平台",
    },
    "large_low": {
        "problem": "首位产业竞争力较弱、专业化运营管理水平低",
        "focus": "提升首位产业竞争力、专业化运营",
    },
    "small_high": {
        "problem": "龙头企业竞争力不强、土地空间受限",
        "focus": "引育龙头企业、盘活拓展用地空间",
    },
    "small_low": {
        "problem": "发展方向不明、萎缩态势明显",
        "focus": "明确主导方向、整合优化",
    },
}


@dataclass(frozen=True)
class QuadrantPoint:
    """One zone's figures; None when missing."""

    zone_id: Hashable
    peer_key: Hashable
    scale: Decimal | None  # 工业总产值, 万元
    quality: Decimal | None  # composite quality, 0–100


@dataclass(frozen=True)
class QuadrantResult:
    zone_id: Hashable
    quadrant: str | None
    scale: Decimal | None
    quality: Decimal | None
    split: str
    scale_cut: Decimal | None  # the cut points used (None when the group had no values)
    quality_cut: Decimal | None
    large: bool | None  # scale ≥ scale_cut; None when either is missing
    high: bool | None  # quality ≥ quality_cut; None when either is missing
    reason: str | None = None  # why there is no quadrant

    def as_dict(self) -> dict[str, Any]:
        return {
            "quadrant": self.quadrant,
            "scale": _plain(self.scale),
            "quality": _plain(self.quality),
            "split": self.split,
            "scale_cut": _plain(self.scale_cut),
            "quality_cut": _plain(self.quality_cut),
            "large": self.large,
            "high": self.high,
            "reason": self.reason,
        }


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def validate_parameters(params: Mapping[str, Any]) -> list[str]:
    """English descriptions of what is wrong with ``params``; an empty list when it is usable."""
    if not isinstance(params, Mapping):
        return ["parameters must be an object"]
    problems = [f"unknown parameter {key!r}" for key in params if key not in DEFAULT_PARAMETERS]
    split = params.get("split", DEFAULT_PARAMETERS["split"])
    if split not in SPLITS:
        problems.append("split must be 'median' or 'fixed'")
    for key, high in (("scale_cut", None), ("quality_cut", 100)):
        value = params.get(key)
        if value is None:
            if split == "fixed":
                problems.append(f"{key} is required when split is 'fixed'")
        elif not _is_number(value):
            problems.append(f"{key} must be a number")
        elif value < 0 or (high is not None and value > high):
            bound = f"between 0 and {high}" if high is not None else "0 or more"
            problems.append(f"{key} must be {bound}")
    return problems


def median(values: Iterable[Decimal]) -> Decimal | None:
    """The median; the mean of the two middle values for an even count; None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def compute_quadrants(
    points: Iterable[QuadrantPoint | tuple[Hashable, Hashable, Any, Any]],
    parameters: Mapping[str, Any] | None = None,
) -> dict[Hashable, QuadrantResult]:
    """Every zone's quadrant, with the cut points used. Raises ValueError on bad parameters."""
    params = dict(parameters or {})
    problems = validate_parameters(params)
    if problems:
        raise ValueError("; ".join(problems))
    params = {**DEFAULT_PARAMETERS, **params}
    zones = [
        QuadrantPoint(p.zone_id, p.peer_key, _number(p.scale), _number(p.quality))
        if isinstance(p, QuadrantPoint)
        else QuadrantPoint(p[0], p[1], _number(p[2]), _number(p[3]))
        for p in points
    ]
    ids = [z.zone_id for z in zones]
    if len(set(ids)) != len(ids):
        raise ValueError("a zone appears more than once")
    cuts = _cuts(zones, params)
    return {z.zone_id: _classify(z, params["split"], *cuts[z.peer_key]) for z in zones}


def _cuts(
    zones: list[QuadrantPoint], params: Mapping[str, Any]
) -> dict[Hashable, tuple[Decimal | None, Decimal | None]]:
    groups: dict[Hashable, list[QuadrantPoint]] = {}
    for z in zones:
        groups.setdefault(z.peer_key, []).append(z)
    if params["split"] == "fixed":
        fixed = (_number(params["scale_cut"]), _number(params["quality_cut"]))
        return dict.fromkeys(groups, fixed)
    return {
        key: (
            median(z.scale for z in group if z.scale is not None),
            median(z.quality for z in group if z.quality is not None),
        )
        for key, group in groups.items()
    }


def _classify(
    zone: QuadrantPoint, split: str, scale_cut: Decimal | None, quality_cut: Decimal | None
) -> QuadrantResult:
    large = None if zone.scale is None or scale_cut is None else zone.scale >= scale_cut
    high = None if zone.quality is None or quality_cut is None else zone.quality >= quality_cut
    quadrant = reason = None
    if large is None and high is None:
        reason = "missing_scale_and_quality"
    elif large is None:
        reason = "missing_scale"
    elif high is None:
        reason = "missing_quality"
    else:
        quadrant = f"{'large' if large else 'small'}_{'high' if high else 'low'}"
    return QuadrantResult(
        zone_id=zone.zone_id,
        quadrant=quadrant,
        scale=zone.scale,
        quality=zone.quality,
        split=split,
        scale_cut=scale_cut,
        quality_cut=quality_cut,
        large=large,
        high=high,
        reason=reason,
    )


def quadrant_counts(results: Mapping[Any, QuadrantResult]) -> dict[str, int]:
    """How many zones are in each quadrant (every quadrant present) and how many in none."""
    counts = dict.fromkeys((*QUADRANTS, "missing"), 0)
    for result in results.values():
        counts[result.quadrant or "missing"] += 1
    return counts
