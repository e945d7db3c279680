"""The accountability section of a methodology version: components, subject kinds, colours,
the default parameters and their validation (pure; see ``investment.scoring``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devzone.numbers import is_finite_number as _is_number

COMPONENTS: tuple[str, ...] = (
    "milestones_on_time",
    "overdue_penalty",
    "reports_on_time",
    "investment_progress",
    "items_closed_on_time",
)
SUBJECT_KINDS: tuple[str, ...] = ("lead", "zone_leader", "zone", "prefecture")
COLOURS: tuple[str, ...] = ("green", "yellow", "red")

DEFAULT_PARAMETERS: dict[str, Any] = {
    "weights": {
        "milestones_on_time": 0.25,
        "overdue_penalty": 0.15,
        "reports_on_time": 0.20,
        "investment_progress": 0.20,
        "items_closed_on_time": 0.20,
    },
    "bands": {"green": 85, "yellow": 70},  # green ≥ 85, yellow ≥ 70, red below
    "overdue_cap_days": 30,  # days late counted per milestone at most
    "overdue_points_per_day": 1,
    "red_weight": 2,  # a red supervision item weighs this many ordinary ones
}


def merged_parameters(parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The defaults overlaid with ``parameters``; ``weights`` and ``bands`` merge key by key."""
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in DEFAULT_PARAMETERS.items()}
    for key, value in (parameters or {}).items():
        if isinstance(merged.get(key), dict) and isinstance(value, Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def validate_parameters(parameters: Any) -> list[str]:
    """English descriptions of what is wrong with ``parameters`` (empty when usable).

    A key left out takes its default; ``weights`` and ``bands`` may name only some entries.
    Values must be JSON numbers (not booleans, not strings)."""
    if not isinstance(parameters, Mapping):
        return ["parameters must be an object"]
    problems = [f"unknown parameter '{k}'" for k in parameters if k not in DEFAULT_PARAMETERS]
    for key in ("weights", "bands"):
        if key in parameters and not isinstance(parameters[key], Mapping):
            problems.append(f"{key} must be an object")
    if problems:
        return problems
    params = merged_parameters(parameters)

    weights = params["weights"]
    for code, weight in weights.items():
        if code not in COMPONENTS:
            problems.append(f"unknown weight '{code}'")
        elif not _is_number(weight):
            problems.append(f"weight '{code}' must be a number")
        elif weight < 0:
            problems.append(f"weight '{code}' must not be negative")
    if not problems and not any(weights[c] > 0 for c in COMPONENTS):
        problems.append("weights must not all be zero")

    bands = params["bands"]
    bands_ok = True
    for name, value in bands.items():
        if name not in ("green", "yellow"):
            problems.append(f"unknown band '{name}'")
        elif not _is_number(value):
            problems.append(f"band '{name}' must be a number")
            bands_ok = False
        elif not 0 <= value <= 100:
            problems.append(f"band '{name}' must be between 0 and 100")
            bands_ok = False
    if bands_ok and not bands["yellow"] < bands["green"]:
        problems.append(
            f"bands must ascend: yellow ({bands['yellow']}) must be below green ({bands['green']})"
        )

    cap = params["overdue_cap_days"]
    if not isinstance(cap, int) or isinstance(cap, bool):
        problems.append("overdue_cap_days must be a whole number of days")
    elif cap < 1:
        problems.append("overdue_cap_days must be at least 1")

    points = params["overdue_points_per_day"]
    if not _is_number(points):
        problems.append("overdue_points_per_day must be a number")
    elif not 0 < points <= 100:
        problems.append("overdue_points_per_day must be above 0 and at most 100")

    red = params["red_weight"]
    if not _is_number(red):
        problems.append("red_weight must be a number")
    elif red < 1:
        problems.append("red_weight must be at least 1 (a red item never weighs less)")
    return problems
