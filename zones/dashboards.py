"""The leaders' dashboards as plain data: the provincial cockpit, the prefecture dashboard and
the zone dashboard, for one month.

Everything here reads the rows the recompute keeps — ``ZoneScore`` (stage, capacities,
quadrant), ``ZoneSummary`` (pipeline, talent, platforms as of the month's end) and
``AccountabilityScore`` — plus the zone registry, never the raw projects: the cockpit of a
province or of the whole country costs the same few queries (the zones, the scores, the
summaries, the accountability rows, the run) whatever the number of projects. The monthly
reports build on the same functions, so a page and a PDF never disagree.

Plain data in, plain data out (dicts, lists, ints, floats, Decimals); the charts are drawn from
it by ``zones.dashboard_charts``.
"""

from __future__ import annotations

import bisect
import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from devzone.access import Role, get_scope
from investment.models import AccountabilityScore, ProjectStage, PromotionMode, SubjectKind
from zones import summaries
from zones.methodology import active_methodology
from zones.models import (
    Capacity,
    Membership,
    Methodology,
    Prefecture,
    Stage,
    Zone,
    ZoneScore,
    ZoneType,
)
from zones.scorecard import is_stale
from zones.units import OUTPUT_TIER_LABELS, OUTPUT_TIERS

WAN_PER_YI = Decimal(10000)
SECTIONS = ("pipeline", "talent", "platforms")
# The pipeline figures that add up across zones: plain numbers, {key: number} and
# {mode: [number per stage]} (see investment.summary).
PIPELINE_NUMBERS = (
    "plan_this_year",
    "completed_this_year",
    "completed_this_month",
    "signed_investment_month",
    "signed_investment_year",
    "items_opened",
    "items_closed",
)
PIPELINE_MAPS = ("stages", "stage_investment", "month", "year", "milestones_overdue", "items_open")
PIPELINE_SERIES = ("funnel", "funnel_investment")
# The paper's founding periods (the 1993–1998 band holds the two zones its periods leave out).
FOUNDING_PERIODS: tuple[tuple[int, int, Any], ...] = (
    (1992, 1992, "1992"),
    (1993, 1998, "1993—1998"),
    (1999, 2009, "1999—2009"),
    (2010, 2012, "2010—2012"),
    (2013, 2030, _("2013年以后")),
)
STAGE_LABELS = dict(Stage.choices)
PROJECT_STAGES = [s for s, _label in ProjectStage.choices]
PIPELINE_STAGES = PROJECT_STAGES[:-1]  # without 终止
ADVANCED_STAGES = {Stage.CORE, Stage.CHAIN, Stage.NETWORK}

# Measures a prefecture map can be coloured by: key → (label, unit).
MAP_MEASURES: dict[str, tuple[Any, str]] = {
    "zones": (_("开发区数"), _("个")),
    "output": (_("工业总产值"), _("亿元")),
    "advanced": (_("聚核及以上开发区占比"), _("%")),
    "quality": (_("质量综合得分中位数"), _("分")),
    "accountability": (_("问责评分"), _("分")),
    "signed_year": (_("本年签约项目"), _("个")),
    "investment_rate": (_("本年投资完成率"), _("%")),
    "overdue": (_("逾期节点（红）"), _("个")),
    "red_items": (_("红色督办事项"), _("件")),
}


# --- periods and scope --------------------------------------------------------------------


def periods() -> list[datetime.date]:
    """Months with stored results, newest first (the period filter's choices)."""
    return summaries.available_periods()


def resolve_period(value: str | None, choices: list[datetime.date]) -> datetime.date | None:
    """The requested ``YYYY-MM`` when it is one of ``choices``, else the newest (None: none)."""
    if value:
        try:
            wanted = datetime.date.fromisoformat(f"{value}-01")
        except ValueError:
            wanted = None
        if wanted in choices:
            return wanted
    return choices[0] if choices else None


def may_open_cockpit(user) -> bool:
    """The provincial cockpit: provincial roles and administrators (a province or everything)."""
    scope = get_scope(user)
    return "view" in scope.everything or bool(scope.provinces.get("view"))


def may_open_prefecture(user, prefecture: Prefecture) -> bool:
    """A prefecture's dashboard: its city supervisors and whoever sees its whole province."""
    scope = get_scope(user)
    return (
        "view" in scope.everything
        or prefecture.pk in scope.prefectures.get("view", ())
        or prefecture.province_id in scope.provinces.get("view", ())
    )


# --- helpers ------------------------------------------------------------------------------


def _yi(wanyuan: Any) -> float | None:
    if wanyuan is None:
        return None
    return round(float(Decimal(str(wanyuan)) / WAN_PER_YI), 2)


def _dec(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 2) if present else None


def _percent(part: float, whole: float) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _sum_docs(docs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Add up the pipeline figures of several zones (a few thousand documents in a few ms:
    the keys are known, no recursion)."""
    total: dict[str, Any] = dict.fromkeys(PIPELINE_NUMBERS, 0.0)
    maps: dict[str, dict[str, float]] = {key: defaultdict(int) for key in PIPELINE_MAPS}
    maps["milestones_overdue"].update(red=0, yellow=0)  # shown even when no zone has a row
    maps["items_open"].update(red=0, yellow=0, blue=0, none=0)
    series: dict[str, dict[str, list[float]]] = {key: {} for key in PIPELINE_SERIES}
    as_of = ""
    for doc in docs:
        as_of = max(as_of, doc.get("as_of", ""))
        for key in PIPELINE_NUMBERS:
            total[key] += doc.get(key, 0)
        for key in PIPELINE_MAPS:
            target = maps[key]
            for name, value in doc.get(key, {}).items():
                target[name] += value
        for key in PIPELINE_SERIES:
            target_series = series[key]
            for mode, values in doc.get(key, {}).items():
                current = target_series.get(mode)
                if current is None:
                    target_series[mode] = list(values)
                else:
                    for i, value in enumerate(values):
                        current[i] += value
    for key in PIPELINE_NUMBERS:
        total[key] = round(total[key], 2)
    for key in PIPELINE_MAPS:
        total[key] = {name: round(value, 2) for name, value in maps[key].items()}
    for key in PIPELINE_SERIES:
        total[key] = {m: [round(v, 2) for v in values] for m, values in series[key].items()}
    total["as_of"] = as_of
    return total


# --- the overview of a set of zones (cockpit and prefecture dashboard) ------------------------


def overview(
    user,
    *,
    period: datetime.date | None,
    zones: QuerySet[Zone],
    methodology: Methodology | None = None,
) -> dict[str, Any]:
    """Everything the cockpit shows for ``zones`` (already scoped and filtered) in ``period``.

    Queries: the zones (1), the active methodology (1, unless given), their scores (1), their
    summary rows (1), the accountability rows (1), the latest month with results (1).
    """
    zone_rows = list(
        zones.order_by("prefecture__code", "code").values(
            "pk",
            "code",
            "name",
            "type",
            "level",
            "founded_year",
            "output_tier",
            "latest_output",
            "prefecture_id",
            "prefecture__code",
            "prefecture__name",
            "prefecture__province_id",
            "prefecture__province__code",
            "prefecture__province__name",
        )
    )
    zone_ids = [z["pk"] for z in zone_rows]
    methodology = methodology or active_methodology()
    scores: dict[int, dict[str, Any]] = {}
    if period is not None and methodology is not None and zone_ids:
        for row in ZoneScore.objects.filter(
            zone_id__in=zones.values("pk"), period=period, methodology=methodology
        ).values("zone_id", "stage", "quality", "scale", "quadrant", "capacities", "computed_at"):
            scores[row["zone_id"]] = row
    docs = (
        summaries.sections(zones, period, ["pipeline"])
        if period is not None and zone_ids
        else {"pipeline": {}}
    )
    accountability = _accountability_rows(user, zone_ids, period, methodology)
    freshness = _freshness(period, scores, docs["pipeline"])
    pipeline = _sum_docs(docs["pipeline"][pk] for pk in zone_ids if pk in docs["pipeline"])
    return {
        "period": period,
        "methodology": methodology,
        "freshness": freshness,
        "zones": _zone_list(zone_rows, scores, docs["pipeline"], accountability),
        "headline": _headline(zone_rows, pipeline, docs["pipeline"]),
        "by_type": _by_type(zone_rows),
        "by_tier": _by_tier(zone_rows),
        "region_level": _region_level(zone_rows),
        "by_region": _by_region(zone_rows, scores, docs["pipeline"], accountability),
        "founding": _founding(zone_rows),
        "stages": _stage_distribution(zone_rows, scores),
        "quadrant": _quadrant_points(zone_rows, scores),
        "capacity_medians": _capacity_medians(scores.values()),
        "accountability": _ranking(accountability),
        "funnel": _funnel(pipeline),
    }


def _scores_for(user) -> QuerySet[AccountabilityScore]:
    """The user's accountability rows; ``user=None`` is the system (the monthly reports, whose
    scope the caller chose: a report of a zone reads that zone's rows)."""
    if user is None:
        return AccountabilityScore.objects.all()
    return AccountabilityScore.objects.for_user(user)


SCORE_FIELDS = (
    "pk",
    "period",
    "subject_kind",
    "subject_key",
    "zone_id",
    "zone__name",
    "prefecture_id",
    "prefecture__name",
    "user__username",
    "user__first_name",
    "user__last_name",
    "based_on",
    "score",
    "colour",
    "rank",
    "previous_score",
    "movement",
    "rank_movement",
)


def _accountability_rows(
    user, zone_ids: list[int], period: datetime.date | None, methodology: Methodology | None
) -> list[dict[str, Any]]:
    """The period's rows of zones, zone leaders and prefectures in scope (one query; the
    project leads are the board's, not the cockpit's)."""
    if period is None or methodology is None or not zone_ids:
        return []
    rows = (
        _scores_for(user)
        .filter(
            period=period,
            methodology=methodology,
            subject_kind__in=[SubjectKind.ZONE, SubjectKind.ZONE_LEADER, SubjectKind.PREFECTURE],
        )
        .order_by("subject_kind", "rank", "subject_key")
        .values(*SCORE_FIELDS)
    )
    wanted = set(zone_ids)
    result = []
    for row in rows:
        if row["zone_id"] is not None and row["zone_id"] not in wanted:
            continue
        if row["subject_kind"] == SubjectKind.ZONE_LEADER and row["zone_id"] is None:
            based = {int(item[1]) for item in row["based_on"] or [] if item[0] == "zone"}
            if based and not based & wanted:
                continue
        result.append(_score_dict(row))
    return result


def _score_dict(row: dict[str, Any]) -> dict[str, Any]:
    kind = row["subject_kind"]
    if kind == SubjectKind.ZONE:
        name = row["zone__name"] or row["subject_key"]
    elif kind == SubjectKind.PREFECTURE:
        name = row["prefecture__name"] or row["subject_key"]
    elif row["user__username"]:
        full = f"{row['user__first_name']} {row['user__last_name']}".strip()  # get_full_name
        name = full or row["user__username"]
    else:
        name = "—"
    return {
        "pk": row["pk"],
        "period": row["period"],
        "kind": kind,
        "name": name,
        "zone_id": row["zone_id"],
        "zone_name": row["zone__name"] or "",
        "prefecture_id": row["prefecture_id"],
        "score": row["score"],
        "colour": row["colour"],
        "rank": row["rank"],
        "previous_score": row["previous_score"],
        "movement": row["movement"],
        "rank_movement": row["rank_movement"],
    }


def _freshness(
    period: datetime.date | None, scores: dict[int, dict], pipeline: dict[int, dict]
) -> dict[str, Any]:
    """When the figures were computed, as of which day, and whether they are out of date."""
    stamps = [s["computed_at"] for s in scores.values()]
    as_of = max((d.get("as_of", "") for d in pipeline.values()), default="") or None
    latest_period = summaries.latest_period()
    oldest = min(stamps) if stamps else None
    return {
        "computed_at": max(stamps) if stamps else None,
        "oldest": oldest,
        "as_of": datetime.date.fromisoformat(as_of) if as_of else None,
        "is_latest_period": period is not None and period == latest_period,
        "stale": bool(oldest and period == latest_period and is_stale(oldest)),
        "missing": period is None or not scores,
    }


def _zone_list(
    zone_rows: list[dict], scores: dict[int, dict], pipeline: dict[int, dict], acc: list[dict]
) -> list[dict[str, Any]]:
    zone_score = {r["zone_id"]: r for r in acc if r["kind"] == SubjectKind.ZONE}
    result = []
    for z in zone_rows:
        score = scores.get(z["pk"], {})
        doc = pipeline.get(z["pk"], {})
        stages = doc.get("stages", {})
        result.append(
            {
                "pk": z["pk"],
                "code": z["code"],
                "name": z["name"],
                "type": z["type"],
                "prefecture": z["prefecture__name"],
                "stage": score.get("stage"),
                "stage_label": str(STAGE_LABELS[score["stage"]]) if score.get("stage") else None,
                "quadrant": score.get("quadrant"),
                "quality": _dec(score.get("quality")),
                "output_yi": _yi(z["latest_output"]),
                "projects": sum(stages.get(s, 0) for s in PIPELINE_STAGES),
                "signed_year": doc.get("year", {}).get(ProjectStage.SIGNED, 0),
                "overdue_red": doc.get("milestones_overdue", {}).get("red", 0),
                "items_red": doc.get("items_open", {}).get("red", 0),
                "accountability": zone_score.get(z["pk"], {}).get("score"),
                "accountability_colour": zone_score.get(z["pk"], {}).get("colour"),
            }
        )
    return result


def _headline(
    zone_rows: list[dict], pipeline: dict[str, Any], docs: dict[int, dict]
) -> dict[str, Any]:
    stages = pipeline.get("stages", {})
    plan = pipeline.get("plan_this_year", 0.0)
    completed = pipeline.get("completed_this_year", 0.0)
    return {
        "zones": len(zone_rows),
        "national": sum(1 for z in zone_rows if z["level"] == "national"),
        "output_yi": _yi(sum((z["latest_output"] or 0) for z in zone_rows)),
        "projects": sum(stages.get(s, 0) for s in PIPELINE_STAGES),
        "projects_by_stage": [
            {"stage": s, "label": str(ProjectStage(s).label), "n": stages.get(s, 0)}
            for s in PROJECT_STAGES
        ],
        "signed_year": pipeline.get("year", {}).get(ProjectStage.SIGNED, 0),
        "signed_month": pipeline.get("month", {}).get(ProjectStage.SIGNED, 0),
        "started_year": pipeline.get("year", {}).get(ProjectStage.STARTED, 0),
        "produced_year": pipeline.get("year", {}).get(ProjectStage.IN_PRODUCTION, 0),
        "signed_investment_yi": _yi(pipeline.get("signed_investment_year", 0.0)),
        "plan_yi": _yi(plan),
        "completed_yi": _yi(completed),
        "completed_rate": _percent(completed, plan),
        "overdue": pipeline.get("milestones_overdue", {"red": 0, "yellow": 0}),
        "items_open": pipeline.get("items_open", {}),
        "items_open_total": sum(pipeline.get("items_open", {}).values()),
        "summarised_zones": len(docs),
    }


def _by_type(zone_rows: list[dict]) -> list[dict[str, Any]]:
    counts = Counter(z["type"] for z in zone_rows)
    output: dict[str, Decimal] = defaultdict(Decimal)
    for z in zone_rows:
        output[z["type"]] += z["latest_output"] or 0
    return [
        {"value": v, "label": str(label), "n": counts.get(v, 0), "output_yi": _yi(output[v])}
        for v, label in ZoneType.choices
    ]


def _by_tier(zone_rows: list[dict]) -> list[dict[str, Any]]:
    counts = Counter(z["output_tier"] for z in zone_rows)
    rows = [
        {"value": tier, "label": str(OUTPUT_TIER_LABELS[tier]), "n": counts.get(tier, 0)}
        for tier, _lower in OUTPUT_TIERS
    ]
    if counts.get(None):
        rows.append({"value": "", "label": str(_("无产值数据")), "n": counts[None]})
    return rows


def _region_level(zone_rows: list[dict]) -> str:
    """Zones of one province are shown by prefecture; of several (a national view) by province."""
    return (
        "prefecture" if len({z["prefecture__province_id"] for z in zone_rows}) <= 1 else "province"
    )


REGION_KEYS = {
    "prefecture": ("prefecture_id", "prefecture__code", "prefecture__name"),
    "province": (
        "prefecture__province_id",
        "prefecture__province__code",
        "prefecture__province__name",
    ),
}


def _region_sums(docs: Iterable[dict[str, Any]]) -> dict[str, float]:
    """The few pipeline figures a region row shows (cheaper than ``_sum_docs``)."""
    sums = dict.fromkeys(("signed_year", "plan", "completed", "overdue", "red_items"), 0.0)
    for doc in docs:
        sums["signed_year"] += doc.get("year", {}).get(ProjectStage.SIGNED, 0)
        sums["plan"] += doc.get("plan_this_year", 0)
        sums["completed"] += doc.get("completed_this_year", 0)
        sums["overdue"] += doc.get("milestones_overdue", {}).get("red", 0)
        sums["red_items"] += doc.get("items_open", {}).get("red", 0)
    return sums


def _by_region(
    zone_rows: list[dict], scores: dict[int, dict], pipeline: dict[int, dict], acc: list[dict]
) -> list[dict[str, Any]]:
    """One row per prefecture (or per province, for zones of several provinces) with every map
    measure, ordered by code. A prefecture's accountability is its own pooled score; a
    province has none (the scoring ranks zones, leaders, leads and prefectures)."""
    level = _region_level(zone_rows)
    key_id, key_code, key_name = REGION_KEYS[level]
    groups: dict[int, list[dict]] = defaultdict(list)
    for z in zone_rows:
        groups[z[key_id]].append(z)
    pref_score = {r["prefecture_id"]: r for r in acc if r["kind"] == SubjectKind.PREFECTURE}
    rows = []
    for region_id, members in groups.items():
        ids = [z["pk"] for z in members]
        staged = [scores[pk]["stage"] for pk in ids if pk in scores]
        sums = _region_sums(pipeline[pk] for pk in ids if pk in pipeline)
        score = pref_score.get(region_id, {}) if level == "prefecture" else {}
        rows.append(
            {
                "level": level,
                "pk": region_id,
                "code": members[0][key_code],
                "name": members[0][key_name],
                "zones": len(members),
                "national": sum(1 for z in members if z["level"] == "national"),
                "output": _yi(sum((z["latest_output"] or 0) for z in members)),
                "advanced": _percent(sum(1 for s in staged if s in ADVANCED_STAGES), len(staged)),
                "quality": _median(_dec(scores[pk]["quality"]) for pk in ids if pk in scores),
                "accountability": _dec(score.get("score")),
                "accountability_colour": score.get("colour"),
                "signed_year": int(sums["signed_year"]),
                "investment_rate": _percent(sums["completed"], sums["plan"]),
                "overdue": int(sums["overdue"]),
                "red_items": int(sums["red_items"]),
                "stages": Counter(staged),
            }
        )
    rows.sort(key=lambda r: r["code"])
    return rows


def _founding(zone_rows: list[dict]) -> dict[str, Any]:
    years = Counter(z["founded_year"] for z in zone_rows if z["founded_year"])
    if not years:
        return {"years": [], "counts": [], "periods": []}
    first, last = min(min(years), 1992), max(years)
    span = list(range(first, last + 1))
    periods = []
    for start, end, label in FOUNDING_PERIODS:
        if start > last:
            continue
        n = sum(c for y, c in years.items() if start <= y <= end)
        periods.append({"start": start, "end": min(end, last), "label": str(label), "n": n})
    unknown = sum(1 for z in zone_rows if not z["founded_year"])
    return {
        "years": span,
        "counts": [years.get(y, 0) for y in span],
        "periods": periods,
        "unknown": unknown,
    }


def _stage_distribution(zone_rows: list[dict], scores: dict[int, dict]) -> list[dict[str, Any]]:
    counts = Counter(scores[z["pk"]]["stage"] for z in zone_rows if z["pk"] in scores)
    rows = [{"stage": s, "label": str(label), "n": counts.get(s, 0)} for s, label in Stage.choices]
    unscored = sum(1 for z in zone_rows if z["pk"] not in scores)
    if unscored:
        rows.append({"stage": "", "label": str(_("未评价")), "n": unscored})
    return rows


def _quadrant_points(zone_rows: list[dict], scores: dict[int, dict]) -> dict[str, Any]:
    """Each zone at (scale rank percentile, quality) with the medians as split lines: the
    quadrant rule splits at the medians, so the percentile axis puts every zone on the side the
    rule judged it (a raw 亿元 axis would crush hundreds of small zones into one corner). Across
    several provinces the rule's medians are each province's, so a dot's colour (its quadrant)
    is the judgement and its side of the lines an approximation."""
    present = [
        (z, scores[z["pk"]])
        for z in zone_rows
        if z["pk"] in scores and scores[z["pk"]]["scale"] is not None
    ]
    ordered = sorted(float(s["scale"]) for _z, s in present)
    n = len(ordered)
    points = []
    for z, s in present:
        value = float(s["scale"])
        below = bisect.bisect_left(ordered, value)
        equal = bisect.bisect_right(ordered, value) - below
        percentile = round((below + (equal - 1) / 2) * 100 / (n - 1), 1) if n > 1 else 50.0
        points.append(
            {
                "pk": z["pk"],
                "name": z["name"],
                "x": percentile,
                "y": _dec(s["quality"]),
                "scale_yi": _yi(s["scale"]),
                "quadrant": s["quadrant"],
                "stage": s["stage"],
            }
        )
    qualities = [float(s["quality"]) for _z, s in present if s["quality"] is not None]
    return {
        "points": points,
        "x_split": 50.0,
        "y_split": round(statistics.median(qualities), 2) if qualities else None,
        "counts": Counter(p["quadrant"] for p in points if p["quadrant"]),
    }


def _capacity_medians(scores: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = list(scores)
    return [
        {
            "code": code,
            "label": str(label),
            "median": _median(
                _dec(Decimal(r["capacities"][code])) if r["capacities"].get(code) else None
                for r in rows
            ),
        }
        for code, label in Capacity.choices
    ]


def _ranking(rows: list[dict[str, Any]], size: int = 5) -> dict[str, Any]:
    """Rankings by kind (best first) with the best and worst movers."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    result: dict[str, Any] = {}
    for kind, items in by_kind.items():
        ranked = sorted(
            items, key=lambda r: (r["score"] is None, -(r["score"] or 0), r["name"], r["pk"])
        )
        moved = [r for r in items if r["movement"] is not None]
        result[kind] = {
            "rows": ranked,
            "top": ranked[:size],
            "bottom": [r for r in ranked if r["score"] is not None][-size:][::-1],
            "risers": sorted(
                (r for r in moved if r["movement"] > 0), key=lambda r: (-r["movement"], r["pk"])
            )[:size],
            "fallers": sorted(
                (r for r in moved if r["movement"] < 0), key=lambda r: (r["movement"], r["pk"])
            )[:size],
            "colours": Counter(r["colour"] for r in items if r["colour"]),
        }
    return result


def _funnel(pipeline: dict[str, Any]) -> dict[str, Any]:
    by_mode = pipeline.get("funnel", {})
    amounts = pipeline.get("funnel_investment", {})
    total = [0] * len(PIPELINE_STAGES)
    for counts in by_mode.values():
        total = [a + b for a, b in zip(total, counts, strict=False)]
    conversions = [None] + [
        _percent(total[i], total[i - 1]) if total[i - 1] else None for i in range(1, len(total))
    ]
    modes = [
        {
            "mode": mode,
            "label": str(label),
            "counts": by_mode.get(mode, [0] * len(PIPELINE_STAGES)),
            "investment_yi": [_yi(v) for v in amounts.get(mode, [0.0] * len(PIPELINE_STAGES))],
        }
        for mode, label in PromotionMode.choices
    ]
    return {
        "stages": [str(ProjectStage(s).label) for s in PIPELINE_STAGES],
        "total": total,
        "conversions": conversions,
        "modes": [m for m in modes if any(m["counts"])],
    }


# --- one zone -----------------------------------------------------------------------------

TREND_MONTHS = 12


def zone_dashboard(
    user, zone: Zone, *, period: datetime.date | None, methodology: Methodology | None = None
) -> dict[str, Any]:
    """The zone's own dashboard: its figures beside its province's medians, its people's
    accountability, its pipeline and funnel, talent and platforms, and 12 months of trends.

    ``zone`` was found in the user's scope. Queries: methodology (1, unless given), the zone's
    scores of the last 12 months (1), its summaries of those months (1), the province's scores
    of the period (1), its accountability rows of those months (1).
    """
    methodology = methodology or active_methodology()
    since = months_back(period, TREND_MONTHS - 1) if period else None
    history: list[dict[str, Any]] = []
    province_caps: list[dict] = []
    if period is not None and methodology is not None:
        history = list(
            ZoneScore.objects.filter(
                zone=zone, methodology=methodology, period__gte=since, period__lte=period
            )
            .order_by("period")
            .values(
                "period",
                "stage",
                "stage_detail",
                "quality",
                "scale",
                "quadrant",
                "capacities",
                "land_grades",
                "computed_at",
            )
        )
        province_caps = list(
            ZoneScore.objects.filter(
                zone__prefecture__province_id=zone.prefecture.province_id,
                methodology=methodology,
                period=period,
            ).values("capacities", "quality")
        )
    summary_rows: dict[datetime.date, dict[str, dict]] = defaultdict(dict)
    if period is not None:
        for p, section, figures in zone.summaries.filter(
            period__gte=since, period__lte=period
        ).values_list("period", "section", "figures"):
            summary_rows[p][section] = figures
    accountability = []
    if period is not None and methodology is not None:
        accountability = [
            _score_dict(row)
            for row in _scores_for(user)
            .filter(methodology=methodology, period__gte=since, period__lte=period)
            .filter(
                Q(zone=zone)
                # a leader of several zones has a row of no single zone
                | Q(
                    zone__isnull=True,
                    subject_kind=SubjectKind.ZONE_LEADER,
                    user_id__in=Membership.objects.filter(role=Role.ZONE_LEADER, zone=zone).values(
                        "user_id"
                    ),
                )
            )
            .order_by("period", "subject_kind", "rank")
            .values(*SCORE_FIELDS)
        ]
    current = next((h for h in history if h["period"] == period), None)
    docs = summary_rows.get(period, {}) if period else {}
    pipeline = docs.get("pipeline", {})
    months = [months_back(period, i) for i in range(TREND_MONTHS - 1, -1, -1)] if period else []
    return {
        "period": period,
        "score": current,
        "capacities": _zone_capacities(current, province_caps),
        "province_quality_median": _median(_dec(r["quality"]) for r in province_caps),
        "pipeline": pipeline,
        "headline": _headline([], pipeline, {zone.pk: pipeline} if pipeline else {}),
        "funnel": _funnel(pipeline),
        "talent": docs.get("talent", {}),
        "platforms": docs.get("platforms", {}),
        "people": [
            r
            for r in accountability
            if r["kind"] in (SubjectKind.ZONE_LEADER, SubjectKind.LEAD) and r["period"] == period
        ],
        "trends": _trends(months, history, summary_rows, accountability),
        "freshness": _freshness(
            period,
            {zone.pk: current} if current else {},
            {zone.pk: pipeline} if pipeline else {},
        ),
    }


def months_back(period: datetime.date, n: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def _zone_capacities(current: dict | None, province: list[dict]) -> list[dict[str, Any]]:
    medians = {r["code"]: r["median"] for r in _capacity_medians(province)}
    values = (current or {}).get("capacities", {})
    return [
        {
            "code": code,
            "label": str(label),
            "value": _dec(Decimal(values[code])) if values.get(code) else None,
            "median": medians.get(code),
        }
        for code, label in Capacity.choices
    ]


def _trends(
    months: list[datetime.date],
    history: list[dict],
    summary_rows: dict[datetime.date, dict[str, dict]],
    accountability: list[dict],
) -> dict[str, Any]:
    by_period = {h["period"]: h for h in history}
    zone_scores = {r["period"]: r for r in accountability if r["kind"] == SubjectKind.ZONE}
    pipelines = {p: docs.get("pipeline", {}) for p, docs in summary_rows.items()}
    return {
        "months": months,
        "labels": [f"{m:%Y-%m}" for m in months],
        "quality": [_dec((by_period.get(m) or {}).get("quality")) for m in months],
        "stage": [(by_period.get(m) or {}).get("stage") for m in months],
        "accountability": [_dec((zone_scores.get(m) or {}).get("score")) for m in months],
        "signed": [
            pipelines[m].get("month", {}).get(ProjectStage.SIGNED, 0) if m in pipelines else None
            for m in months
        ],
        "completed_yi": [
            _yi(pipelines[m].get("completed_this_month", 0.0)) if m in pipelines else None
            for m in months
        ],
        "overdue_red": [
            pipelines[m].get("milestones_overdue", {}).get("red", 0) if m in pipelines else None
            for m in months
        ],
    }


def talent_figures(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The talent section's figures as labelled rows (keys: ``talent.summary``)."""
    return _labelled(doc, TALENT_LABELS)


def platform_figures(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The platforms section's figures as labelled rows (keys: ``platforms.summary``)."""
    return _labelled(doc, PLATFORM_LABELS)


def _labelled(doc: dict[str, Any], labels: dict[str, tuple[Any, str]]) -> list[dict[str, Any]]:
    if not doc:
        return []
    return [
        {"key": key, "label": label, "value": _lookup(doc, key), "unit": unit}
        for key, (label, unit) in labels.items()
    ]


def _lookup(doc: dict[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


TALENT_LABELS: dict[str, tuple[Any, str]] = {
    "cadres": (_("管理干部"), _("人")),
    "entrepreneurs_year": (_("本年企业家"), _("人")),
    "teams": (_("高层次人才团队"), _("个")),
    "teams_leading_industry": (_("其中服务首位产业"), _("个")),
    "teams_introduced_year": (_("本年引进团队"), _("个")),
    "team_funding_wan": (_("团队引导基金与创投资金"), _("万元")),
    "centres": (_("高技能人才培训基地"), _("个")),
    "trainees_year": (_("本年培训人次"), _("人次")),
    "certificates_year": (_("本年取证人数"), _("人")),
    "special_skills_year": (_("本年特岗计划人数"), _("人")),
    "awards_year": (_("本年技能奖项"), _("项")),
}
PLATFORM_LABELS: dict[str, tuple[Any, str]] = {
    "operating": (_("运营中的平台"), _("个")),
    "kinds_covered": (_("覆盖平台大类"), _("类")),
    "sub_kinds_covered": (_("覆盖平台细类"), _("类")),
    "segments_covered": (_("首位产业链环节覆盖"), _("个")),
    "national": (_("国家级平台"), _("个")),
    "service_records_year": (_("本年服务记录"), _("条")),
    "enterprises_served_12m": (_("近12个月服务企业"), _("家")),
    "share_served_12m": (_("服务企业占比"), _("%")),
}
