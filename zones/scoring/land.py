"""Per-mu evaluation (亩均论英雄): the enterprises of one zone scored and graded A–D for a year.

Pure functions over plain data: no Django, no ORM. The caller gathers each enterprise's figures
for the year (``EnterpriseFigures``, canonical units: 万元, 亩, 吨标准煤, 人) and the ``land``
section of the methodology version; the result explains every grade.

Indicators (derived; a missing input or a zero/negative denominator makes the indicator missing,
never zero): ``tax_per_mu`` = tax / land_mu, ``revenue_per_mu`` = revenue / land_mu,
``value_added_per_mu`` = value_added / land_mu, ``value_added_per_energy`` = value_added /
energy_tce, ``labour_productivity`` = value_added / employees, ``rd_share`` = rd_spending /
revenue.

Score (综合得分, in points): ``100 × Σ min(cap, value ÷ benchmark) × weight ÷ Σ weight`` over the
indicators of the enterprise's class (``above_size`` or ``small``) that are present. An
enterprise at the benchmark on every indicator scores 100 points; ``score_cap_ratio`` (default 3)
limits what one indicator can contribute so a single outlier figure cannot carry a firm (``null``
means no cap). A missing indicator drops out and the weights of the present ones are
renormalised. The score is the exact sum rounded to 0.01 (ROUND_HALF_UP); each indicator's points
are rounded on their own for the explanation, so they may differ from the score by a cent (a firm
at every benchmark scores exactly 100.00 even when its weights are renormalised). When the
value-added-per-mu indicator is missing (no value added recorded) it falls back to revenue per mu
with its own benchmark (parameter ``fallback``).

Categories, in order of precedence:

- ``veto`` (一票否决): a recorded veto reason grades the enterprise D, whatever else holds
  (even when it is exempt);
- ``exempt`` (免评): set by staff; grade B, labelled, not ranked;
- ``deferred`` (暂评): set by staff, or automatically when production started within
  ``deferred_years`` years before the end of the evaluated year, i.e. on a date after 31
  December of ``year − deferred_years`` (with 3 years and year 2024: started in 2022, 2023, 2024
  or later → deferred; started on 2021-12-31 or before → ranked); grade B, not ranked;
- ``missing`` (数据缺失): no usable land area, or a required indicator (default ``tax_per_mu``;
  a fallback does not stand in for it) missing, or no indicator with weight present: no score,
  no grade (shown as missing, never as D), with the missing indicators and inputs listed;
- ``ranked`` (参评): graded by rank percentile within the zone.

Ranking: above-size and small enterprises are ranked separately (each among its own class),
because their scores are built from different indicators and are not comparable. A ranked
enterprise's percentile is (number of ranked enterprises of its class with a strictly higher
score) ÷ (number of ranked enterprises of its class), on the score as reported (0.01). The grade
is the first band whose upper bound exceeds the percentile: with the default bands A if < 0.25,
B if < 0.70, C if < 0.95, else D. So equal scores share the better grade, a single ranked
enterprise (percentile 0) is A, 20 enterprises with distinct scores give 5 A, 9 B, 5 C and 1 D,
and fewer than 20 give no D by rank (only a veto gives D then).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from devzone.numbers import plain as _plain
from devzone.numbers import to_decimal as _number
from zones.scoring.land_params import (  # noqa: F401  (re-exported: public names of this module)
    BANDED_GRADES,
    CLASSES,
    DEFAULT_PARAMETERS,
    INDICATORS,
    validate_parameters,
)

GRADES: tuple[str, ...] = ("A", "B", "C", "D")
CATEGORIES: tuple[str, ...] = ("ranked", "exempt", "deferred", "veto", "missing")
MANAGED_CATEGORIES: tuple[str, ...] = ("auto", "exempt", "deferred")  # set by staff
MANAGED_GRADE = "B"  # exempt and deferred enterprises are managed as B
VETO_GRADE = "D"

# indicator code → (numerator input, denominator input)
INPUTS: tuple[str, ...] = (
    "land_mu",
    "tax",
    "revenue",
    "value_added",
    "energy_tce",
    "employees",
    "rd_spending",
)

SCORE_STEP = Decimal("0.01")
VALUE_STEP = Decimal("0.0001")  # indicator values, ratios, weights and percentiles as reported
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class EnterpriseFigures:
    """One enterprise's figures for the evaluated year. ``None`` means not recorded."""

    id: Any
    above_size: bool = False  # 规模以上
    land_mu: Decimal | None = None  # 用地面积, 亩
    tax: Decimal | None = None  # 实缴税收, 万元
    revenue: Decimal | None = None  # 营业收入, 万元
    value_added: Decimal | None = None  # 工业增加值, 万元
    energy_tce: Decimal | None = None  # 综合能耗, 吨标准煤
    employees: int | None = None  # 年均从业人员, 人
    rd_spending: Decimal | None = None  # 研发经费支出, 万元
    category: str = "auto"  # "auto" | "exempt" | "deferred", set by staff
    production_started: date | None = None  # 投产日期
    veto_reason: str = ""  # "" = none

    @property
    def size_class(self) -> str:
        return "above_size" if self.above_size else "small"


@dataclass(frozen=True)
class IndicatorResult:
    """One weighted indicator of an enterprise's score, keyed by its slot ``code``.

    ``source`` is the indicator actually used (the fallback's when ``fallback``); ``ratio`` is
    value ÷ benchmark before the cap; ``effective_weight`` is the weight renormalised over the
    present indicators; ``points`` = min(cap, ratio) × effective_weight × 100, rounded to 0.01
    (None, like ``effective_weight``, when the enterprise has no score).
    """

    code: str
    source: str
    value: Decimal | None
    benchmark: Decimal
    weight: Decimal
    effective_weight: Decimal | None = None
    ratio: Decimal | None = None
    capped: bool = False
    points: Decimal | None = None
    fallback: bool = False

    @property
    def missing(self) -> bool:
        return self.value is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "source": self.source,
            "value": _plain(self.value),
            "benchmark": _plain(self.benchmark),
            "weight": _plain(self.weight),
            "effective_weight": _plain(self.effective_weight),
            "ratio": _plain(self.ratio),
            "capped": self.capped,
            "points": _plain(self.points),
            "fallback": self.fallback,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class GradeResult:
    """An enterprise's per-mu result. ``grade`` is None only for the ``missing`` category.

    ``missing`` lists the missing indicator codes (weighted or required, after fallback);
    ``missing_inputs`` the inputs behind them that are not recorded or unusable (a zero or
    negative denominator). ``rank`` (1 = best; equal scores share a rank), ``ranked_among`` and
    ``percentile`` are set for ranked enterprises only.
    """

    id: Any
    size_class: str
    category: str
    grade: str | None
    score: Decimal | None
    indicators: Mapping[str, IndicatorResult]
    missing: tuple[str, ...] = ()
    missing_inputs: tuple[str, ...] = ()
    rank: int | None = None
    ranked_among: int | None = None
    percentile: Decimal | None = None
    deferred_automatically: bool = False
    veto_reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "size_class": self.size_class,
            "category": self.category,
            "grade": self.grade,
            "score": _plain(self.score),
            "indicators": {code: r.as_dict() for code, r in self.indicators.items()},
            "missing": list(self.missing),
            "missing_inputs": list(self.missing_inputs),
            "rank": self.rank,
            "ranked_among": self.ranked_among,
            "percentile": _plain(self.percentile),
            "deferred_automatically": self.deferred_automatically,
            "veto_reason": self.veto_reason,
        }


@dataclass(frozen=True)
class ZoneLandSummary:
    """The zone's grades and land efficiency for the year.

    ``grade_counts`` and ``category_counts`` list every grade / category (zero when none);
    ``ranked_counts`` the ranked enterprises per class. ``ranked_land_mu`` is the land of ranked
    enterprises. ``tax_per_mu`` (亩均税收, feeding the bottom-line capacity) is the total tax over
    the total land of the enterprises (every category) with both a tax figure and a positive land
    area; ``revenue_per_mu`` likewise. Each figure is None when no enterprise contributes to it.
    """

    year: int
    enterprises: int
    grade_counts: Mapping[str, int]
    category_counts: Mapping[str, int]
    ranked_counts: Mapping[str, int]
    ranked_land_mu: Decimal | None
    tax_total: Decimal | None
    tax_land_mu: Decimal | None
    tax_per_mu: Decimal | None
    revenue_total: Decimal | None
    revenue_land_mu: Decimal | None
    revenue_per_mu: Decimal | None
    missing_ids: tuple[Any, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "enterprises": self.enterprises,
            "grade_counts": dict(self.grade_counts),
            "category_counts": dict(self.category_counts),
            "ranked_counts": dict(self.ranked_counts),
            "ranked_land_mu": _plain(self.ranked_land_mu),
            "tax_total": _plain(self.tax_total),
            "tax_land_mu": _plain(self.tax_land_mu),
            "tax_per_mu": _plain(self.tax_per_mu),
            "revenue_total": _plain(self.revenue_total),
            "revenue_land_mu": _plain(self.revenue_land_mu),
            "revenue_per_mu": _plain(self.revenue_per_mu),
            "missing_ids": list(self.missing_ids),
        }


def _q(value: Decimal | None, step: Decimal = VALUE_STEP) -> Decimal | None:
    return None if value is None else value.quantize(step, rounding=ROUND_HALF_UP)


def _input(figures: EnterpriseFigures, name: str) -> Decimal | None:
    value = getattr(figures, name)
    return None if value is None else _number(value)


def indicator_values(figures: EnterpriseFigures) -> dict[str, Decimal | None]:
    """Every indicator of ``figures``, unrounded; None when an input is missing or a
    denominator is zero or negative."""
    values: dict[str, Decimal | None] = {}
    for code, (numerator, denominator) in INDICATORS.items():
        top, bottom = _input(figures, numerator), _input(figures, denominator)
        values[code] = None if top is None or bottom is None or bottom <= 0 else top / bottom
    return values


def _unusable_inputs(figures: EnterpriseFigures, codes: Iterable[str]) -> tuple[str, ...]:
    """The inputs of the indicators ``codes`` that are not recorded or unusable denominators."""
    bad: set[str] = set()
    for code in codes:
        numerator, denominator = INDICATORS[code]
        if _input(figures, numerator) is None:
            bad.add(numerator)
        bottom = _input(figures, denominator)
        if bottom is None or bottom <= 0:
            bad.add(denominator)
    return tuple(name for name in INPUTS if name in bad)


def production_deferred(started: date | None, year: int, deferred_years: int) -> bool:
    """Production started after 31 December of ``year − deferred_years``."""
    if started is None:
        return False
    return started > date(year - deferred_years, 12, 31)


def grade_for_percentile(percentile: Fraction, bands: Mapping[str, Any]) -> str:
    """The first band whose upper bound exceeds ``percentile``; D when none does."""
    for grade in BANDED_GRADES:
        if percentile < Fraction(str(bands[grade])):
            return grade
    return "D"


def score_enterprise(
    figures: EnterpriseFigures, parameters: Mapping[str, Any]
) -> tuple[Decimal | None, dict[str, IndicatorResult], tuple[str, ...], tuple[str, ...]]:
    """(score, indicators, missing indicator codes, missing inputs) of one enterprise.

    The score is None when the land area is unusable, a required indicator is missing, or no
    weighted indicator is present. ``parameters`` must be complete and valid.
    """
    values = indicator_values(figures)
    cap = parameters["score_cap_ratio"]
    cap = None if cap is None else _number(cap)
    fallbacks = parameters["fallback"]
    slots: list[tuple[str, str, Decimal | None, Decimal, Decimal, bool]] = []
    for row in parameters[figures.size_class]:
        code, benchmark = row["indicator"], _number(row["benchmark"])
        source, value, fallback = code, values[code], False
        if value is None and code in fallbacks:
            spare = fallbacks[code]
            if values[spare["indicator"]] is not None:
                source, value, fallback = spare["indicator"], values[spare["indicator"]], True
                benchmark = _number(spare["benchmark"])
        slots.append((code, source, value, benchmark, _number(row["weight"]), fallback))

    required = list(parameters["required_indicators"])
    missing = [code for code, _s, value, *_rest in slots if value is None]
    missing += [code for code in required if values[code] is None and code not in missing]
    # the inputs to fix: those of missing indicators, of slots that fell back, and of the
    # fallbacks that were tried in vain
    lacking = list(missing) + [code for code, _s, _v, _b, _w, fallback in slots if fallback]
    lacking += [fallbacks[code]["indicator"] for code in missing if code in fallbacks]
    land = _input(figures, "land_mu")
    land_usable = land is not None and land > 0
    missing_inputs = _unusable_inputs(figures, lacking)
    if not land_usable:
        missing_inputs = tuple(dict.fromkeys(("land_mu", *missing_inputs)))

    present_weight = sum(
        (weight for _c, _s, value, _b, weight, _f in slots if value is not None), Decimal(0)
    )
    scorable = (
        land_usable and all(values[code] is not None for code in required) and present_weight > 0
    )
    indicators: dict[str, IndicatorResult] = {}
    total = Decimal(0)
    for code, source, value, benchmark, weight, fallback in slots:
        if value is None:
            indicators[code] = IndicatorResult(code, source, None, benchmark, weight)
            continue
        ratio = value / benchmark
        capped = cap is not None and ratio > cap
        effective = points = None
        if scorable:  # no score, no points: the values and ratios are still shown
            effective = weight / present_weight
            exact = (cap if capped else ratio) * effective * HUNDRED
            total += exact
            points = _q(exact, SCORE_STEP)
        indicators[code] = IndicatorResult(
            code, source, _q(value), benchmark, weight, _q(effective), _q(ratio), capped, points,
            fallback,
        )  # fmt: skip
    score = _q(total, SCORE_STEP) if scorable else None
    return score, indicators, tuple(missing), missing_inputs


def grade_enterprises(
    figures: Iterable[EnterpriseFigures],
    year: int,
    parameters: Mapping[str, Any] | None = None,
) -> tuple[dict[Any, GradeResult], ZoneLandSummary]:
    """Every enterprise's result (keyed by id, in input order) and the zone's summary.

    ``parameters`` is the ``land`` section (missing keys take the defaults); invalid parameters,
    an unknown managed category or a repeated id raise ValueError.
    """
    params = {**DEFAULT_PARAMETERS, **(parameters or {})}
    problems = validate_parameters(params)
    if problems:
        raise ValueError("invalid land parameters: " + "; ".join(problems))
    figures = list(figures)
    seen: set[Any] = set()
    for fig in figures:
        if fig.category not in MANAGED_CATEGORIES:
            raise ValueError(f"enterprise {fig.id!r}: unknown category {fig.category!r}")
        if fig.id in seen:
            raise ValueError(f"enterprise {fig.id!r} appears twice")
        seen.add(fig.id)

    drafts: dict[Any, dict[str, Any]] = {}
    for fig in figures:
        score, indicators, missing, missing_inputs = score_enterprise(fig, params)
        auto_deferred = production_deferred(fig.production_started, year, params["deferred_years"])
        if fig.veto_reason.strip():
            category, grade = "veto", VETO_GRADE
        elif fig.category == "exempt":
            category, grade = "exempt", MANAGED_GRADE
        elif fig.category == "deferred" or auto_deferred:
            category, grade = "deferred", MANAGED_GRADE
        elif score is None:
            category, grade = "missing", None
        else:
            category, grade = "ranked", None  # graded below
        drafts[fig.id] = {
            "id": fig.id,
            "size_class": fig.size_class,
            "category": category,
            "grade": grade,
            "score": score,
            "indicators": indicators,
            "missing": missing,
            "missing_inputs": missing_inputs,
            "deferred_automatically": (
                category == "deferred" and fig.category != "deferred" and auto_deferred
            ),
            "veto_reason": fig.veto_reason.strip(),
        }

    ranked_counts = dict.fromkeys(CLASSES, 0)
    for size_class in CLASSES:
        group = [d for d in drafts.values() if d["category"] == "ranked"]
        group = [d for d in group if d["size_class"] == size_class]
        n = len(group)
        ranked_counts[size_class] = n
        ascending = sorted(d["score"] for d in group)
        for draft in group:
            higher = n - bisect_right(ascending, draft["score"])
            percentile = Fraction(higher, n)
            draft["grade"] = grade_for_percentile(percentile, params["bands"])
            draft["rank"] = higher + 1
            draft["ranked_among"] = n
            draft["percentile"] = _q(Decimal(percentile.numerator) / percentile.denominator)

    results = {key: GradeResult(**draft) for key, draft in drafts.items()}
    return results, _summary(figures, results, year, ranked_counts)


def _summary(
    figures: list[EnterpriseFigures],
    results: Mapping[Any, GradeResult],
    year: int,
    ranked_counts: Mapping[str, int],
) -> ZoneLandSummary:
    grade_counts = dict.fromkeys(GRADES, 0)
    category_counts = dict.fromkeys(CATEGORIES, 0)
    for result in results.values():
        category_counts[result.category] += 1
        if result.grade is not None:
            grade_counts[result.grade] += 1
    ranked_land = [_number(fig.land_mu) for fig in figures if results[fig.id].category == "ranked"]

    def efficiency(field: str) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        pairs = [
            (_number(getattr(fig, field)), _number(fig.land_mu))
            for fig in figures
            if getattr(fig, field) is not None
            and fig.land_mu is not None
            and _number(fig.land_mu) > 0
        ]
        if not pairs:
            return None, None, None
        total = sum((amount for amount, _land in pairs), Decimal(0))
        land = sum((land for _amount, land in pairs), Decimal(0))
        return total, land, _q(total / land)

    tax_total, tax_land, tax_per_mu = efficiency("tax")
    revenue_total, revenue_land, revenue_per_mu = efficiency("revenue")
    return ZoneLandSummary(
        year=year,
        enterprises=len(figures),
        grade_counts=grade_counts,
        category_counts=category_counts,
        ranked_counts=dict(ranked_counts),
        ranked_land_mu=sum(ranked_land, Decimal(0)) if ranked_land else None,
        tax_total=tax_total,
        tax_land_mu=tax_land,
        tax_per_mu=tax_per_mu,
        revenue_total=revenue_total,
        revenue_land_mu=revenue_land,
        revenue_per_mu=revenue_per_mu,
        missing_ids=tuple(fig.id for fig in figures if results[fig.id].category == "missing"),
    )


# ---------------------------------------------------------------------------------------------
# parameter validation
