"""A zone's stage of the four-stage evolution (四聚演进), from facts, with its explanation.

Pure functions over plain data: no Django, no ORM. ``zones.scoring_facts`` gathers a zone's
facts; the methodology version supplies the parameters; the result names every rule with its
value, its threshold and whether it passed, and what the zone lacks for the next stage.

Stages in order: ``agglomerating`` (聚集中) → ``agglomerated`` (聚集基本完成) → ``core`` (聚核)
→ ``chain`` (聚链) → ``network`` (聚网). A zone is in the highest stage whose rules pass together
with the rules of every stage below it; a rule whose fact is missing does not pass, and says so
(a missing figure is never read as zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from devzone.numbers import plain as _plain
from devzone.numbers import to_decimal as _number

STAGES: tuple[str, ...] = ("agglomerating", "agglomerated", "core", "chain", "network")
SEGMENTS: tuple[str, ...] = ("upstream", "midstream", "downstream")
SHARE_PLACES = Decimal("0.000001")

Number = int | float | Decimal


@dataclass(frozen=True)
class StageFacts:
    """What the platform records about a zone for one period. ``None`` means not recorded."""

    above_size_enterprises: int | None = None  # 规上企业数
    gross_output: Decimal | None = None  # 工业总产值, 万元
    leading_industry_output: Decimal | None = None  # 首位产业产值, 万元
    leading_enterprises: int | None = None  # enterprises passing all three tests
    # chain links of the leading industry's template, per segment: (covered, total);
    # None when the zone has no leading industry or its industry has no template
    chain_links: Mapping[str, tuple[int, int]] | None = None
    local_supply_share: Decimal | None = None  # 本地配套率, 0–1
    innovation_platforms: int | None = None  # enterprise innovation + IUR platforms
    national_platforms: int | None = None  # of which national-level
    rd_spending: Decimal | None = None  # 研发经费支出, 万元
    service_segments: frozenset[str] | None = None  # segments covered by professional services

    @property
    def leading_share(self) -> Decimal | None:
        if self.leading_industry_output is None or not self.gross_output:
            return None
        return Decimal(self.leading_industry_output) / Decimal(self.gross_output)

    @property
    def chain_coverage(self) -> Decimal | None:
        if not self.chain_links:
            return None
        total = sum(t for _c, t in self.chain_links.values())
        if not total:
            return None
        return Decimal(sum(c for c, _t in self.chain_links.values())) / Decimal(total)

    @property
    def segments_with_links(self) -> int | None:
        if not self.chain_links:
            return None
        return sum(1 for s in SEGMENTS if self.chain_links.get(s, (0, 0))[0] > 0)

    @property
    def rd_intensity(self) -> Decimal | None:
        if self.rd_spending is None or not self.gross_output:
            return None
        return Decimal(self.rd_spending) / Decimal(self.gross_output)

    @property
    def service_segment_count(self) -> int | None:
        if self.service_segments is None:
            return None
        return len(set(self.service_segments) & set(SEGMENTS))


@dataclass(frozen=True)
class Rule:
    """One condition of a stage: ``fact`` of the facts compared with parameter ``param``."""

    code: str
    stage: str
    fact: str
    param: str
    unit: str = ""  # "count", "wanyuan", "share", "segments"

    def value(self, facts: StageFacts) -> Any:
        return getattr(facts, self.fact)


# The default rule set. Each threshold is a parameter of the methodology version.
RULES: tuple[Rule, ...] = (
    Rule("above_size_enterprises", "agglomerated", "above_size_enterprises",
         "agglomerated_min_above_size", "count"),
    Rule("gross_output", "agglomerated", "gross_output", "agglomerated_min_output", "wanyuan"),
    Rule("leading_enterprises", "core", "leading_enterprises", "core_min_leading_enterprises",
         "count"),
    Rule("leading_share", "core", "leading_share", "core_min_leading_share", "share"),
    Rule("chain_coverage", "chain", "chain_coverage", "chain_min_coverage", "share"),
    Rule("chain_segments", "chain", "segments_with_links", "chain_min_segments", "segments"),
    Rule("local_supply_share", "chain", "local_supply_share", "chain_min_local_supply", "share"),
    Rule("innovation_platforms", "network", "innovation_platforms", "network_min_platforms",
         "count"),
    Rule("national_platforms", "network", "national_platforms", "network_min_national_platforms",
         "count"),
    Rule("rd_intensity", "network", "rd_intensity", "network_min_rd_intensity", "share"),
    Rule("service_segments", "network", "service_segment_count", "network_min_service_segments",
         "segments"),
)  # fmt: skip

DEFAULT_PARAMETERS: dict[str, Any] = {
    "agglomerated_min_above_size": 30,
    "agglomerated_min_output": 500_000,  # 万元 = 50 亿元, the paper's lowest named output tier
    "core_min_leading_enterprises": 1,
    "core_min_leading_share": 0.4,
    "chain_min_coverage": 0.5,
    "chain_min_segments": 3,
    "chain_min_local_supply": 0.2,
    "network_min_platforms": 5,
    "network_min_national_platforms": 1,
    "network_min_rd_intensity": 0.025,
    "network_min_service_segments": 3,
}


@dataclass(frozen=True)
class RuleResult:
    code: str
    stage: str
    unit: str
    value: Any  # None when the fact is missing
    threshold: Any
    passed: bool
    gap: Any = None  # threshold − value when the rule fails on a recorded value

    @property
    def missing(self) -> bool:
        return self.value is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "stage": self.stage,
            "unit": self.unit,
            "value": _plain(self.value),
            "threshold": _plain(self.threshold),
            "passed": self.passed,
            "missing": self.missing,
            "gap": _plain(self.gap),
        }


@dataclass(frozen=True)
class StageResult:
    stage: str
    rules: tuple[RuleResult, ...]
    next_stage: str | None
    # what the zone lacks for the next stage: failing rules of that stage and of any stage
    # below it (a zone can have a core enterprise yet still miss the agglomeration output)
    to_next: tuple[RuleResult, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "next_stage": self.next_stage,
            "rules": [r.as_dict() for r in self.rules],
            "to_next": [r.as_dict() for r in self.to_next],
        }


def evaluate_rule(rule: Rule, facts: StageFacts, parameters: Mapping[str, Any]) -> RuleResult:
    """``value ≥ threshold`` passes; a missing value fails and is reported as missing."""
    threshold = parameters[rule.param]
    value = rule.value(facts)
    if value is None:
        return RuleResult(rule.code, rule.stage, rule.unit, None, threshold, False)
    passed = _number(value) >= _number(threshold)
    gap = None if passed else _number(threshold) - _number(value)
    if rule.unit == "share":  # ratios of two figures: six places say enough
        value = _number(value).quantize(SHARE_PLACES, ROUND_HALF_UP)
        gap = None if gap is None else gap.quantize(SHARE_PLACES, ROUND_HALF_UP)
    return RuleResult(rule.code, rule.stage, rule.unit, value, threshold, passed, gap)


def compute_stage(
    facts: StageFacts,
    parameters: Mapping[str, Any] | None = None,
    rules: tuple[Rule, ...] = RULES,
) -> StageResult:
    """The zone's stage: the highest stage whose rules, and those of every lower stage, pass."""
    params = {**DEFAULT_PARAMETERS, **(parameters or {})}
    results = tuple(evaluate_rule(rule, facts, params) for rule in rules)
    stage = STAGES[0]
    for candidate in STAGES[1:]:
        level = STAGES.index(candidate)
        needed = [r for r in results if STAGES.index(r.stage) <= level]
        if all(r.passed for r in needed):
            stage = candidate
        else:
            break
    level = STAGES.index(stage)
    next_stage = STAGES[level + 1] if level + 1 < len(STAGES) else None
    to_next: tuple[RuleResult, ...] = ()
    if next_stage is not None:
        reach = STAGES.index(next_stage)
        to_next = tuple(r for r in results if STAGES.index(r.stage) <= reach and not r.passed)
    return StageResult(stage, results, next_stage, to_next)


def stage_counts(stages: Mapping[Any, str]) -> dict[str, int]:
    """How many zones are in each stage (every stage present, zero when none)."""
    counts = dict.fromkeys(STAGES, 0)
    for stage in stages.values():
        counts[stage] += 1
    return counts


def validate_parameters(parameters: Mapping[str, Any]) -> list[str]:
    """Problems of a ``stage`` parameter section: unknown keys, missing keys, bad values."""
    problems = [f"unknown parameter {key!r}" for key in parameters if key not in DEFAULT_PARAMETERS]
    for key in DEFAULT_PARAMETERS:
        if key not in parameters:
            problems.append(f"missing parameter {key!r}")
            continue
        value = parameters[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{key}: expected a number, got {value!r}")
        elif value < 0:
            problems.append(f"{key}: must not be negative")
        elif key.endswith(("_share", "_coverage", "_supply", "_intensity")) and value > 1:
            problems.append(f"{key}: a share between 0 and 1, got {value!r}")
        elif key.endswith("_segments") and value > len(SEGMENTS):
            problems.append(f"{key}: at most {len(SEGMENTS)} segments")
    return problems
