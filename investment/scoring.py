"""Monthly accountability scores (督查督办问责), 0–100, from plain facts, with their explanation.

Pure functions over plain data: no Django, no ORM. The Django side gathers the facts of the
month (milestones, expected progress reports, this year's investment per project, supervision
items, with ``investment.selectors.exempted`` marking approved exemptions) and the methodology
version supplies the parameters.

Subjects, keyed ``(kind, id)``:

- ``("lead", user_id)``: a project lead (项目负责人) — every user named as ``lead_id`` on any fact.
  Milestones, reports and investment of the projects they lead; supervision items on those
  projects or assigned to them (an item is counted once; an assignee who leads no project is
  not a subject).
- ``("zone", zone_id)``: every fact of the zone. Zones named only in ``zone_prefecture`` or
  ``zone_leaders`` are subjects too (with no data).
- ``("zone_leader", user_id)``: a zone's 一把手, scored with the zone's numbers. A user leading
  several zones gets the mean of those zones' scores (zones with no data left out); such a
  subject has no components of its own and ``based_on`` names the zones whose components
  explain it. A one-zone leader carries that zone's components.
- ``("prefecture", prefecture_id)``: every fact of its zones, scored as one pool (not a mean of
  zone scores, so a zone with many facts weighs more).

Components, each 0–100 or ``None`` when the subject has nothing to be judged on in it:

1. ``milestones_on_time``: milestones planned in the month, done on or before the planned date
   / due.
2. ``overdue_penalty``: 100 − Σ min(days late, ``overdue_cap_days``) × ``overdue_points_per_day``,
   floored at 0, over milestones overdue at the month's end: still open past their planned date
   (the planned day itself is not late), or done late within the month. Milestones done before
   the month began are history and not in play; ``None`` when no milestone is in play.
3. ``reports_on_time``: reports due in the month, submitted on or before the due date / expected.
   A report is identified by its project id (a missing report has no id of its own). The caller
   passes the reports *due* in the month (``report_due_date(year, month)`` falls in the next
   month); facts due outside the month are ignored.
4. ``investment_progress``: Σ completed this year to the month / (Σ planned this year × month / 12),
   capped at 1, × 100. ``None`` when nothing is planned. A project with no completed figure
   recorded counts as having completed nothing (the plan is what is judged) and is listed.
5. ``items_closed_on_time``: supervision items due in the month, or overdue and still open at the
   month's end; closed on or before the deadline counts; a red item weighs ``red_weight``.

Approved exemptions (容错免责) leave a milestone or an item out and are listed as ``exempted``.
The score is the weighted mean of the present components (weights are relative: a missing
component's weight is spread over the others); a subject with no component has score ``None``
("no data"), never 0. Facts dated after the cut-off (the month's end, or an earlier ``as_of``
day, counted as the end of that day) are unknown: a milestone finished on the 3rd of next month
was not done in this month. A milestone planned on the cut-off day and still open is late for
punctuality but carries no overdue points yet. Component scores and scores are quantized to
0.01 (ROUND_HALF_UP); the score is computed from the shown component scores. Rankings
(``rank``, ``movers``) live in ``investment.ranking`` and are re-exported here.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from devzone.numbers import to_decimal as _number
from investment.ranking import Movers, RankRow, competition_ranks, movers, rank  # noqa: F401
from investment.scoring_params import (  # noqa: F401  (re-exported: public names of this module)
    COLOURS,
    COMPONENTS,
    DEFAULT_PARAMETERS,
    SUBJECT_KINDS,
    merged_parameters,
    validate_parameters,
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
SubjectKey = tuple[str, Hashable]


# --- facts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneFact:
    id: int
    project_id: int
    zone_id: int
    lead_id: int | None  # the project's lead
    owner_id: int | None  # the milestone's 责任人 (recorded for the explanation, not a subject)
    planned_date: datetime.date
    actual_date: datetime.date | None = None
    exempted: bool = False  # an approved exemption


@dataclass(frozen=True)
class ReportFact:
    """A monthly report a project is expected to have submitted by ``due_date``."""

    project_id: int
    zone_id: int
    lead_id: int | None
    due_date: datetime.date
    submitted_on: datetime.date | None = None
    exempted: bool = False


@dataclass(frozen=True)
class InvestmentFact:
    project_id: int
    zone_id: int
    lead_id: int | None
    planned_this_year: Decimal | None  # 万元; None when no plan is recorded
    completed_this_year_to_month: Decimal | None  # 万元, cumulative this year to the month


@dataclass(frozen=True)
class ItemFact:
    id: int
    zone_id: int
    project_id: int | None
    assignee_id: int | None
    lead_id: int | None  # the lead of the item's project
    deadline: datetime.date
    closed_on: datetime.date | None = None
    colour_red: bool = False  # red at any point / red when due
    exempted: bool = False


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentScore:
    code: str
    score: Decimal | None  # 0–100, None when nothing to judge
    weight: Decimal  # the parameter's weight
    effective_weight: Decimal | None = None  # share of the score after redistribution
    ids: Mapping[str, tuple] = field(default_factory=dict)  # e.g. on_time, late, exempted
    figures: Mapping[str, Any] = field(default_factory=dict)  # counts, sums, penalties

    @property
    def missing(self) -> bool:
        return self.score is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "score": _plain(self.score),
            "missing": self.missing,
            "weight": _plain(self.weight),
            "effective_weight": _plain(self.effective_weight),
            "ids": {k: list(v) for k, v in self.ids.items()},
            "figures": _plain(self.figures),
        }


@dataclass(frozen=True)
class SubjectScore:
    kind: str
    subject_id: Hashable
    score: Decimal | None  # None: no data
    colour: str | None  # green / yellow / red, None with no data
    components: Mapping[str, ComponentScore] = field(default_factory=dict)
    based_on: tuple[SubjectKey, ...] = ()  # a zone leader's zones

    @property
    def key(self) -> SubjectKey:
        return (self.kind, self.subject_id)

    @property
    def has_data(self) -> bool:
        return self.score is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject_id": self.subject_id,
            "score": _plain(self.score),
            "colour": self.colour,
            "has_data": self.has_data,
            "components": {code: c.as_dict() for code, c in self.components.items()},
            "based_on": [list(k) for k in self.based_on],
        }


# --- helpers -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-safe: Decimals as strings with no trailing zeros, containers walked."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _known(day: datetime.date | None, cutoff: datetime.date) -> bool:
    return day is not None and day <= cutoff


def _ids(facts: Iterable[Any]) -> tuple:
    return tuple(sorted(f.id for f in facts))


def colour_for(score: Decimal | None, bands: Mapping[str, Any] | None = None) -> str | None:
    """``green`` at or above the green band, ``yellow`` at or above the yellow one, else ``red``;
    ``None`` for no data."""
    if score is None:
        return None
    bands = {**DEFAULT_PARAMETERS["bands"], **(bands or {})}
    if score >= _number(bands["green"]):
        return "green"
    if score >= _number(bands["yellow"]):
        return "yellow"
    return "red"


# --- components --------------------------------------------------------------------------


def milestones_on_time(
    milestones: Iterable[MilestoneFact],
    start: datetime.date,
    cutoff: datetime.date,
    weight: Any = 0,
) -> ComponentScore:
    """Milestones planned from ``start`` to ``cutoff``: done by the planned date / due."""
    on_time, late, exempted = [], [], []
    for m in milestones:
        if not start <= m.planned_date <= cutoff:
            continue
        if m.exempted:
            exempted.append(m)
        elif _known(m.actual_date, cutoff) and m.actual_date <= m.planned_date:
            on_time.append(m)
        else:
            late.append(m)
    due = len(on_time) + len(late)
    score = _q(HUNDRED * len(on_time) / due) if due else None
    return ComponentScore(
        "milestones_on_time",
        score,
        _number(weight),
        ids={"on_time": _ids(on_time), "late": _ids(late), "exempted": _ids(exempted)},
        figures={"due": due, "on_time": len(on_time), "late": len(late)},
    )


def overdue_penalty(
    milestones: Iterable[MilestoneFact],
    start: datetime.date,
    cutoff: datetime.date,
    parameters: Mapping[str, Any] | None = None,
    weight: Any = 0,
) -> ComponentScore:
    """100 − the capped days late of the milestones overdue at ``cutoff``, floored at 0.

    In play: planned on or before ``cutoff`` and not done before ``start``. Overdue: open past
    its planned date at ``cutoff`` (days late counted to ``cutoff``) or done late on or after
    ``start`` (days late to the actual date)."""
    params = merged_parameters(parameters)
    cap = int(params["overdue_cap_days"])
    per_day = _number(params["overdue_points_per_day"])
    overdue, clean, exempted, penalties = [], [], [], []
    for m in milestones:
        if m.planned_date > cutoff or (m.actual_date is not None and m.actual_date < start):
            continue
        if m.exempted:
            exempted.append(m)
            continue
        end = m.actual_date if _known(m.actual_date, cutoff) else cutoff
        days = (end - m.planned_date).days
        if days > 0:
            overdue.append(m)
            counted = min(days, cap)
            penalties.append(
                {
                    "id": m.id,
                    "days_late": days,
                    "counted_days": counted,
                    "points": counted * per_day,
                }
            )
        else:
            clean.append(m)
    penalties.sort(key=lambda p: p["id"])
    total = sum((p["points"] for p in penalties), Decimal(0))
    in_play = len(overdue) + len(clean)
    score = _q(max(HUNDRED - total, Decimal(0))) if in_play else None
    return ComponentScore(
        "overdue_penalty",
        score,
        _number(weight),
        ids={"overdue": _ids(overdue), "not_overdue": _ids(clean), "exempted": _ids(exempted)},
        figures={
            "in_play": in_play,
            "overdue": len(overdue),
            "penalty_points": total,
            "cap_days": cap,
            "points_per_day": per_day,
            "penalties": penalties,
        },
    )


def reports_on_time(
    reports: Iterable[ReportFact],
    start: datetime.date,
    cutoff: datetime.date,
    weight: Any = 0,
) -> ComponentScore:
    """Reports due from ``start`` to ``cutoff``: submitted by the due date / expected.
    Ids are project ids; ``late`` were submitted after the due date, ``missing`` not at all."""
    on_time, late, missing, exempted = [], [], [], []
    for r in reports:
        if not start <= r.due_date <= cutoff:
            continue
        if r.exempted:
            exempted.append(r.project_id)
        elif not _known(r.submitted_on, cutoff):
            missing.append(r.project_id)
        elif r.submitted_on <= r.due_date:
            on_time.append(r.project_id)
        else:
            late.append(r.project_id)
    expected = len(on_time) + len(late) + len(missing)
    score = _q(HUNDRED * len(on_time) / expected) if expected else None
    return ComponentScore(
        "reports_on_time",
        score,
        _number(weight),
        ids={
            "on_time": tuple(sorted(on_time)),
            "late": tuple(sorted(late)),
            "missing": tuple(sorted(missing)),
            "exempted": tuple(sorted(exempted)),
        },
        figures={"expected": expected, "on_time": len(on_time)},
    )


def investment_progress(
    investments: Iterable[InvestmentFact], month: int, weight: Any = 0
) -> ComponentScore:
    """Completed this year / the pro-rata share (``month``/12) of this year's plan, capped at
    100. Projects with no plan recorded are left out; nothing planned at all gives ``None``."""
    planned = completed = Decimal(0)
    counted, no_plan, no_completion = [], [], []
    for inv in investments:
        if inv.planned_this_year is None:
            no_plan.append(inv.project_id)
            continue
        counted.append(inv.project_id)
        planned += _number(inv.planned_this_year)
        if inv.completed_this_year_to_month is None:
            no_completion.append(inv.project_id)
        else:
            completed += _number(inv.completed_this_year_to_month)
    expected = planned * month / 12
    score = None
    if planned > 0:
        score = _q(HUNDRED * min(completed * 12 / (planned * month), Decimal(1)))
    return ComponentScore(
        "investment_progress",
        score,
        _number(weight),
        ids={
            "projects": tuple(sorted(counted)),
            "no_plan": tuple(sorted(no_plan)),
            "no_completion": tuple(sorted(no_completion)),
        },
        figures={
            "planned_this_year": planned,
            "expected_to_month": _q(expected),
            "completed_to_month": completed,
            "month": month,
        },
    )


def items_closed_on_time(
    items: Iterable[ItemFact],
    start: datetime.date,
    cutoff: datetime.date,
    parameters: Mapping[str, Any] | None = None,
    weight: Any = 0,
) -> ComponentScore:
    """Items due from ``start`` to ``cutoff``, or due earlier and still open at ``cutoff``:
    weighted share closed on or before the deadline (a red item weighs ``red_weight``)."""
    red_weight = _number(merged_parameters(parameters)["red_weight"])
    on_time, late, exempted = [], [], []
    for item in items:
        closed = _known(item.closed_on, cutoff)
        if not (start <= item.deadline <= cutoff or (item.deadline < start and not closed)):
            continue
        if item.exempted:
            exempted.append(item)
        elif closed and item.closed_on <= item.deadline:
            on_time.append(item)
        else:
            late.append(item)

    def weigh(group: list[ItemFact]) -> Decimal:
        return sum((red_weight if i.colour_red else Decimal(1) for i in group), Decimal(0))

    total = weigh(on_time) + weigh(late)
    score = _q(HUNDRED * weigh(on_time) / total) if total else None
    return ComponentScore(
        "items_closed_on_time",
        score,
        _number(weight),
        ids={
            "on_time": _ids(on_time),
            "late": _ids(late),
            "red": _ids(i for i in on_time + late if i.colour_red),
            "exempted": _ids(exempted),
        },
        figures={
            "due": len(on_time) + len(late),
            "weight_on_time": weigh(on_time),
            "weight_due": total,
            "red_weight": red_weight,
        },
    )


def combine(
    components: Iterable[ComponentScore], bands: Mapping[str, Any] | None = None
) -> tuple[Decimal | None, str | None, dict[str, ComponentScore]]:
    """The weighted mean of the present components (weights renormalised over them), its
    colour, and the components with their effective weights. ``None`` when no component is
    present or the present ones all weigh 0."""
    components = list(components)
    present = [c for c in components if c.score is not None]
    total_weight = sum((c.weight for c in present), Decimal(0))
    out: dict[str, ComponentScore] = {}
    for c in components:
        share = None
        if c.score is not None and total_weight > 0:
            share = (c.weight / total_weight).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        out[c.code] = ComponentScore(c.code, c.score, c.weight, share, c.ids, c.figures)
    if total_weight <= 0:
        return None, None, out
    score = _q(sum((c.weight * c.score for c in present), Decimal(0)) / total_weight)
    return score, colour_for(score, bands), out


# --- subjects ----------------------------------------------------------------------------


@dataclass
class _Pool:
    milestones: list[MilestoneFact] = field(default_factory=list)
    reports: list[ReportFact] = field(default_factory=list)
    investments: list[InvestmentFact] = field(default_factory=list)
    items: list[ItemFact] = field(default_factory=list)


def score_facts(
    period_start: datetime.date,
    period_end: datetime.date,
    milestones: Iterable[MilestoneFact] = (),
    reports: Iterable[ReportFact] = (),
    investments: Iterable[InvestmentFact] = (),
    items: Iterable[ItemFact] = (),
    parameters: Mapping[str, Any] | None = None,
    *,
    as_of: datetime.date | None = None,
) -> tuple[Decimal | None, str | None, dict[str, ComponentScore]]:
    """Score one pool of facts (one subject's): ``(score, colour, components)``."""
    params = merged_parameters(parameters)
    cutoff = _cutoff(period_start, period_end, as_of)
    weights = params["weights"]
    parts = (
        milestones_on_time(milestones, period_start, cutoff, weights["milestones_on_time"]),
        overdue_penalty(milestones, period_start, cutoff, params, weights["overdue_penalty"]),
        reports_on_time(reports, period_start, cutoff, weights["reports_on_time"]),
        investment_progress(investments, period_start.month, weights["investment_progress"]),
        items_closed_on_time(items, period_start, cutoff, params, weights["items_closed_on_time"]),
    )
    return combine(parts, params["bands"])


def _cutoff(start: datetime.date, end: datetime.date, as_of: datetime.date | None):
    if end < start:
        raise ValueError("the period ends before it starts")
    if as_of is not None and as_of < start:
        raise ValueError("as_of is before the period starts")
    return end if as_of is None else min(as_of, end)


def _leader_ids(value: Any) -> tuple:
    if value is None:
        return ()
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return tuple(v for v in value if v is not None)
    return (value,)


def score_month(
    period_start: datetime.date,
    period_end: datetime.date,
    milestones: Iterable[MilestoneFact] = (),
    reports: Iterable[ReportFact] = (),
    investments: Iterable[InvestmentFact] = (),
    items: Iterable[ItemFact] = (),
    zone_prefecture: Mapping[Hashable, Hashable] | None = None,
    zone_leaders: Mapping[Hashable, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    *,
    as_of: datetime.date | None = None,
) -> dict[SubjectKey, SubjectScore]:
    """Every subject's score for the month from ``period_start`` (the 1st) to ``period_end``
    (its last day). ``zone_prefecture`` maps zone id → prefecture id; ``zone_leaders`` maps
    zone id → a leader's user id or an iterable of them. ``as_of`` (default: the month's end)
    scores a month still running. Raises ``ValueError`` on invalid parameters or dates.

    Result keys are ``(kind, id)``, ordered by kind (lead, zone_leader, zone, prefecture), then
    id."""
    problems = validate_parameters(parameters or {})
    if problems:
        raise ValueError("; ".join(problems))
    _cutoff(period_start, period_end, as_of)
    milestones, reports = list(milestones), list(reports)
    investments, items = list(investments), list(items)
    zone_prefecture = dict(zone_prefecture or {})
    zone_leaders = {z: _leader_ids(v) for z, v in (zone_leaders or {}).items()}

    pools: dict[SubjectKey, _Pool] = defaultdict(_Pool)
    for zone_id in (*zone_prefecture, *zone_leaders):
        pools[("zone", zone_id)]
    for pref_id in zone_prefecture.values():
        if pref_id is not None:
            pools[("prefecture", pref_id)]

    def targets(zone_id: Any, lead_id: Any) -> list[SubjectKey]:
        keys: list[SubjectKey] = [("zone", zone_id)]
        if lead_id is not None:
            keys.append(("lead", lead_id))
        pref = zone_prefecture.get(zone_id)
        if pref is not None:
            keys.append(("prefecture", pref))
        return keys

    for m in milestones:
        for key in targets(m.zone_id, m.lead_id):
            pools[key].milestones.append(m)
    for r in reports:
        for key in targets(r.zone_id, r.lead_id):
            pools[key].reports.append(r)
    for inv in investments:
        for key in targets(inv.zone_id, inv.lead_id):
            pools[key].investments.append(inv)
    leads = {f.lead_id for group in (milestones, reports, investments, items) for f in group}
    leads.discard(None)
    for item in items:
        for key in targets(item.zone_id, item.lead_id):
            pools[key].items.append(item)
        # an item assigned to a lead counts for them too; it does not make its assignee a lead
        if item.assignee_id in leads and item.assignee_id != item.lead_id:
            pools[("lead", item.assignee_id)].items.append(item)

    scored: dict[SubjectKey, SubjectScore] = {}
    for key, pool in pools.items():
        score, colour, components = score_facts(
            period_start,
            period_end,
            pool.milestones,
            pool.reports,
            pool.investments,
            pool.items,
            parameters,
            as_of=as_of,
        )
        scored[key] = SubjectScore(key[0], key[1], score, colour, components)

    bands = merged_parameters(parameters)["bands"]
    zones_of: dict[Hashable, list[Hashable]] = defaultdict(list)
    for zone_id, leaders in zone_leaders.items():
        for user_id in leaders:
            zones_of[user_id].append(zone_id)
    for user_id, zone_ids in zones_of.items():
        zone_scores = [scored[("zone", z)] for z in sorted(zone_ids)]
        based_on = tuple(z.key for z in zone_scores)
        present = [z.score for z in zone_scores if z.score is not None]
        score = _q(sum(present, Decimal(0)) / len(present)) if present else None
        components = zone_scores[0].components if len(zone_scores) == 1 else {}
        scored[("zone_leader", user_id)] = SubjectScore(
            "zone_leader", user_id, score, colour_for(score, bands), components, based_on
        )

    order = {kind: i for i, kind in enumerate(SUBJECT_KINDS)}
    return {k: scored[k] for k in sorted(scored, key=lambda k: (order[k[0]], k[1]))}


def scores_of(results: Mapping[SubjectKey, SubjectScore], kind: str) -> dict[Hashable, Any]:
    """``{subject id: score}`` of one kind, ready for ``rank``."""
    return {s.subject_id: s.score for s in results.values() if s.kind == kind}
