"""Promise versus result (承诺兑现): a producing project's per-mu output and tax against what was
promised at signing, from plain facts.

Pure functions over plain data: no Django, no ORM. ``investment.promises`` gathers one
``PromiseFact`` per project in production (投产 or 达产) that has signing promises and an
enterprise, and raises a supervision item for each result with ``follow_up_due``.

The rules:

- **Months in production** are whole calendar months from ``in_production_since`` to ``as_of``
  (the period's last day): a month is complete on the same day of a later month, or on that
  month's last day when it is shorter (31 January → 28 February is one month). A production
  date after ``as_of`` counts 0 months.
- **Actual per mu** = the enterprise's annual output (tax) ÷ its land area (亩), for
  ``actual_year``. Only a year the project produced in from its first day counts (production on
  or before 1 January of that year): a partial first year would compare a few months' output
  with an annual promise. Such a year, a missing annual row, a missing figure and a missing or
  zero land area are *missing data*, never a shortfall.
- **Ratio** = actual per mu ÷ promised per mu, quantized to 0.0001 (ROUND_HALF_UP); the shown
  ratio is the one judged. A figure promised as 0 (or not at all) is not judged.
- **Shortfall** (per figure): a judged ratio below ``min_share`` (a ratio equal to it is not
  below), flagged whatever the months in production.
- **Status**: ``not_due`` while months < ``min_months_in_production`` (the figures are still
  computed for the record); else ``shortfall`` when a judged figure falls short (even if the
  other figure is missing); else ``missing`` when a promised figure cannot be judged, or nothing
  was promised; else ``met``.
- **Follow-up due** exactly when the status is ``shortfall``.

Per-mu figures are quantized to 0.01 万元/亩 for display; the ratio is computed from the
unrounded figures.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from devzone.numbers import is_finite_number as _is_number
from devzone.numbers import to_decimal as _number

DEFAULT_PARAMETERS: dict[str, Any] = {
    "min_months_in_production": 12,  # months in production before promises are checked
    "min_share": 0.6,  # actual / promised below this share is a shortfall
    "deadline_days": 30,  # the follow-up item's deadline, in days
}

STATUSES: tuple[str, ...] = ("not_due", "missing", "met", "shortfall")
METRICS: tuple[str, ...] = ("output", "tax")
# Why a figure cannot be judged (the codes of ``PromiseResult.missing``).
MISSING_REASONS: tuple[str, ...] = (
    "promise",  # nothing promised (no promise, or both figures 0)
    "production_date",  # no production date
    "land",  # no land area, or 0
    "annual",  # no annual figures of a year up to the period's year − 1
    "partial_year",  # the latest annual figures are of a year the project produced only part of
    "output",  # the annual row has no output
    "tax",  # the annual row has no tax
)

CENT = Decimal("0.01")
RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class PromiseFact:
    """One producing project: its promises at signing and its enterprise's latest figures."""

    project_id: int
    zone_id: int
    in_production_since: datetime.date | None
    promised_output_per_mu: Decimal | None
    promised_tax_per_mu: Decimal | None
    land_mu: Decimal | None  # the enterprise's land area
    actual_year: int | None = None  # the year of the figures below
    actual_output: Decimal | None = None  # 万元, that year
    actual_tax: Decimal | None = None  # 万元, that year


@dataclass(frozen=True)
class PromiseResult:
    project_id: int
    zone_id: int
    months_in_production: int | None
    actual_year: int | None
    promised_output_per_mu: Decimal | None
    promised_tax_per_mu: Decimal | None
    actual_output_per_mu: Decimal | None
    actual_tax_per_mu: Decimal | None
    output_ratio: Decimal | None
    tax_ratio: Decimal | None
    output_shortfall: bool
    tax_shortfall: bool
    status: str
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def follow_up_due(self) -> bool:
        return self.status == "shortfall"

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe (decimals as strings without trailing zeros)."""
        return {
            "months_in_production": self.months_in_production,
            "actual_year": self.actual_year,
            "promised_output_per_mu": _plain(self.promised_output_per_mu),
            "promised_tax_per_mu": _plain(self.promised_tax_per_mu),
            "actual_output_per_mu": _plain(self.actual_output_per_mu),
            "actual_tax_per_mu": _plain(self.actual_tax_per_mu),
            "output_ratio": _plain(self.output_ratio),
            "tax_ratio": _plain(self.tax_ratio),
            "output_shortfall": self.output_shortfall,
            "tax_shortfall": self.tax_shortfall,
            "status": self.status,
            "missing": list(self.missing),
        }


# --- helpers -------------------------------------------------------------------------------


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when ``end`` is earlier)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    last_day = calendar.monthrange(end.year, end.month)[1]
    if end.day < start.day and end.day != last_day:
        months -= 1
    return max(months, 0)


def whole_year_in_production(since: datetime.date, year: int) -> bool:
    """The project produced throughout ``year`` (production began on or before 1 January)."""
    return since <= datetime.date(year, 1, 1)


def merged_parameters(parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The defaults overlaid with ``parameters`` (a version stored before this section existed
    has none: the defaults apply)."""
    return {**DEFAULT_PARAMETERS, **(parameters or {})}


def validate_parameters(parameters: Any) -> list[str]:
    """English descriptions of what is wrong with ``parameters`` (empty when usable).

    A key left out takes its default. Values must be JSON numbers (not booleans, not strings)."""
    if not isinstance(parameters, Mapping):
        return ["parameters must be an object"]
    problems = [f"unknown parameter '{k}'" for k in parameters if k not in DEFAULT_PARAMETERS]
    params = merged_parameters(parameters)
    months = params["min_months_in_production"]
    if not isinstance(months, int) or isinstance(months, bool):
        problems.append("min_months_in_production must be a whole number of months")
    elif not 0 <= months <= 600:
        problems.append("min_months_in_production must be between 0 and 600")
    share = params["min_share"]
    if not _is_number(share):
        problems.append("min_share must be a number")
    elif not 0 < share <= 1:
        problems.append("min_share must be above 0 and at most 1 (a share, not a percent)")
    days = params["deadline_days"]
    if not isinstance(days, int) or isinstance(days, bool):
        problems.append("deadline_days must be a whole number of days")
    elif not 1 <= days <= 365:
        problems.append("deadline_days must be between 1 and 365")
    return problems


# --- the review ----------------------------------------------------------------------------


def _per_mu(total: Decimal | None, land: Decimal | None) -> Decimal | None:
    if total is None or land is None or land <= 0:
        return None
    return _number(total) / _number(land)


def _ratio(actual: Decimal | None, promised: Decimal | None) -> Decimal | None:
    if actual is None or promised is None or promised <= 0:
        return None
    return (actual / _number(promised)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def _shown(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def review_one(
    fact: PromiseFact, as_of: datetime.date, parameters: Mapping[str, Any] | None = None
) -> PromiseResult:
    """The result of one project as of ``as_of`` (see the module's rules)."""
    params = merged_parameters(parameters)
    min_share = _number(params["min_share"])
    since = fact.in_production_since
    months = months_between(since, as_of) if since is not None else None

    promised = {"output": fact.promised_output_per_mu, "tax": fact.promised_tax_per_mu}
    judged = [m for m in METRICS if promised[m] is not None and _number(promised[m]) > 0]
    missing: list[str] = []
    if not judged:
        missing.append("promise")
    if since is None:
        missing.append("production_date")
    if fact.land_mu is None or _number(fact.land_mu) <= 0:
        missing.append("land")
    if fact.actual_year is None:
        missing.append("annual")
    elif since is not None and not whole_year_in_production(since, fact.actual_year):
        missing.append("partial_year")
    usable_year = not {"annual", "partial_year", "production_date"} & set(missing)

    actual = {"output": fact.actual_output, "tax": fact.actual_tax}
    per_mu: dict[str, Decimal | None] = {}
    ratio: dict[str, Decimal | None] = {}
    short: dict[str, bool] = {}
    for metric in METRICS:
        if usable_year and actual[metric] is None and metric in judged:
            missing.append(metric)
        value = _per_mu(actual[metric], fact.land_mu) if usable_year else None
        per_mu[metric] = value
        ratio[metric] = _ratio(value, promised[metric]) if metric in judged else None
        short[metric] = ratio[metric] is not None and ratio[metric] < min_share

    if months is not None and months < params["min_months_in_production"]:
        status = "not_due"
    elif any(short.values()):
        status = "shortfall"
    elif missing:
        status = "missing"
    else:
        status = "met"
    return PromiseResult(
        project_id=fact.project_id,
        zone_id=fact.zone_id,
        months_in_production=months,
        actual_year=fact.actual_year,
        promised_output_per_mu=fact.promised_output_per_mu,
        promised_tax_per_mu=fact.promised_tax_per_mu,
        actual_output_per_mu=_shown(per_mu["output"]),
        actual_tax_per_mu=_shown(per_mu["tax"]),
        output_ratio=ratio["output"],
        tax_ratio=ratio["tax"],
        output_shortfall=short["output"],
        tax_shortfall=short["tax"],
        status=status,
        missing=tuple(m for m in MISSING_REASONS if m in missing),
    )


def review(
    facts: Iterable[PromiseFact],
    as_of: datetime.date,
    parameters: Mapping[str, Any] | None = None,
) -> list[PromiseResult]:
    """The result of every fact, in project order."""
    return [review_one(f, as_of, parameters) for f in sorted(facts, key=lambda f: f.project_id)]
