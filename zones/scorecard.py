"""A zone's scorecard (发展阶段评价): why the zone is in its stage and what it lacks for the next.

``scorecard(zone)`` reads the stored ``ZoneScore`` of the zone (written by the recompute) and
turns its explanation into plain data for the zone page and the API: the stage, each rule with a
translated label, its value and threshold formatted by unit and its outcome, the path to the
next stage as sentences, the six capacities with each indicator's contribution, the quadrant
with its typical problem and policy focus, the per-mu grade counts, when the figures were
computed and whether they are stale, and the stage of the last 12 periods.

The caller has already found ``zone`` in the user's scope (``zones_for(user)``); the rows read
here all belong to that zone. Reads are a fixed number of queries whatever the zone's history:
the active methodology (when none is given), the score with its run, the stage history, and the
methodology's indicator names.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from zones.methodology import active_methodology
from zones.models import (
    Capacity,
    GradeCategory,
    IndicatorDefinition,
    LandGrade,
    Methodology,
    Quadrant,
    Stage,
    Zone,
    ZoneScore,
)
from zones.scoring.capacities import CAPACITIES
from zones.scoring.land import CATEGORIES, GRADES
from zones.scoring.quadrant import POLICY
from zones.scoring.stage import SEGMENTS, STAGES

HISTORY_PERIODS = 12
HUNDRED = Decimal(100)
WAN_PER_YI = Decimal(10000)


@dataclass(frozen=True)
class RuleText:
    """How a stage rule is named: its label, and for counts the noun and measure word (家/个)."""

    label: Promise
    noun: Promise | None = None
    measure: str = "个"


RULE_TEXT: dict[str, RuleText] = {
    "above_size_enterprises": RuleText(_("规上企业数"), _("规上企业"), "家"),
    "gross_output": RuleText(_("工业总产值")),
    "leading_enterprises": RuleText(
        _("龙头企业数（同时满足三项认定）"), _("龙头企业（同时满足三项认定）"), "家"
    ),
    "leading_share": RuleText(_("首位产业产值占比")),
    "chain_coverage": RuleText(_("首位产业链环节覆盖率")),
    "chain_segments": RuleText(_("覆盖上中下游环节数")),
    "local_supply_share": RuleText(_("本地配套率")),
    "innovation_platforms": RuleText(_("创新及产学研平台数"), _("创新及产学研平台"), "个"),
    "national_platforms": RuleText(_("国家级创新平台数"), _("国家级创新平台"), "个"),
    "rd_intensity": RuleText(_("研发投入强度")),
    "service_segments": RuleText(_("专业公共服务覆盖环节数")),
}

COUNT_VALUE = {"家": _("%(n)s 家"), "个": _("%(n)s 个")}
COUNT_GAP = {"家": _("还差 %(gap)s 家%(noun)s"), "个": _("还差 %(gap)s 个%(noun)s")}
GAP_SENTENCE = {
    "wanyuan": _("%(label)s还需增加 %(gap)s 亿元"),
    "share": _("%(label)s还需提高 %(gap)s 个百分点"),
    "segments": _("%(label)s还差 %(gap)s 个"),
}
MISSING_SENTENCE = _("缺少数据：%(label)s")
FAILED_SENTENCE = _("%(label)s未达标")

STATUS_LABELS = {"passed": _("达标"), "failed": _("未达标"), "missing": _("缺少数据")}

CAPACITY_REASONS = {
    "no_indicators": _("未设置指标"),
    "no_values": _("各项指标均无数据"),
    "zero_weight": _("有数据的指标权重为零"),
    "below_min_coverage": _("有数据的指标权重覆盖不足"),
}
QUADRANT_REASONS = {
    "missing_scale": _("缺少规模（工业总产值），未判定象限"),
    "missing_quality": _("缺少质量综合得分，未判定象限"),
    "missing_scale_and_quality": _("缺少规模和质量综合得分，未判定象限"),
}

# The quadrant texts of zones.scoring.quadrant.POLICY (a pure module without Django), marked
# here so makemessages extracts them; tests/zones/test_scorecard.py keeps the two in step.
POLICY_MSGIDS = (
    gettext_noop("开放发展理念不足、创新服务平台支撑不够"),
    gettext_noop("扩大开放、建设创新服务平台"),
    gettext_noop("首位产业竞争力较弱、专业化运营管理水平低"),
    gettext_noop("提升首位产业竞争力、专业化运营"),
    gettext_noop("龙头企业竞争力不强、土地空间受限"),
    gettext_noop("引育龙头企业、盘活拓展用地空间"),
    gettext_noop("发展方向不明、萎缩态势明显"),
    gettext_noop("明确主导方向、整合优化"),
)


# --- numbers ----------------------------------------------------------------------------------


def _dec(value: Any) -> Decimal | None:
    """A stored figure (string, int, float, Decimal) as a Decimal; None when absent or bad."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _fixed(value: Decimal, places: int, rounding: str = ROUND_HALF_UP) -> str:
    step = Decimal(1).scaleb(-places)
    return f"{value.quantize(step, rounding=rounding):,.{places}f}"


def _whole(value: Decimal, rounding: str = ROUND_HALF_UP) -> str:
    return f"{value.quantize(Decimal(1), rounding=rounding):,.0f}"


def format_figure(unit: str, value: Any, measure: str = "个") -> str:
    """A rule's value or threshold for people: counts with 家/个, 万元 as 亿元 (2 decimals),
    shares as per cent (1 decimal), segments as n/3. An absent value is an em dash."""
    number = _dec(value)
    if number is None:
        return "—"
    if unit == "count":
        return str(COUNT_VALUE.get(measure, COUNT_VALUE["个"])) % {"n": _whole(number)}
    if unit == "wanyuan":
        return gettext("%(n)s 亿元") % {"n": _fixed(number / WAN_PER_YI, 2)}
    if unit == "share":
        return f"{_fixed(number * HUNDRED, 1)}%"
    if unit == "segments":
        return f"{_whole(number)}/{len(SEGMENTS)}"
    return format(number.normalize(), "f")


def gap_sentence(rule: dict[str, Any]) -> str:
    """What a failing rule lacks, as a sentence: "还差 3 家规上企业", "缺少数据：本地配套率" ...

    Gaps are rounded up, so doing what the sentence says is enough to pass the rule.
    """
    code, unit = rule.get("code", ""), rule.get("unit", "")
    text = RULE_TEXT.get(code)
    label = str(text.label) if text else code
    value, threshold = _dec(rule.get("value")), _dec(rule.get("threshold"))
    if rule.get("missing") or value is None:
        return str(MISSING_SENTENCE) % {"label": label}
    gap = _dec(rule.get("gap"))
    if gap is None and threshold is not None:
        gap = threshold - value
    if gap is None or gap <= 0:
        return str(FAILED_SENTENCE) % {"label": label}
    if unit == "count":
        measure = text.measure if text else "个"
        noun = str(text.noun) if text and text.noun else label
        template = COUNT_GAP.get(measure, COUNT_GAP["个"])
        return str(template) % {"gap": _whole(gap, ROUND_UP), "noun": noun}
    if unit == "wanyuan":
        amount = _fixed(gap / WAN_PER_YI, 2, ROUND_UP)
    elif unit == "share":
        amount = _fixed(gap * HUNDRED, 1, ROUND_UP)
    elif unit == "segments":
        amount = _whole(gap, ROUND_UP)
    else:
        return str(FAILED_SENTENCE) % {"label": label}
    return str(GAP_SENTENCE[unit]) % {"label": label, "gap": amount}


# --- labels -----------------------------------------------------------------------------------


def _stage(code: str | None) -> dict[str, Any] | None:
    if not code:
        return None
    label = Stage(code).label if code in Stage.values else code
    level = STAGES.index(code) if code in STAGES else None
    return {"code": code, "label": str(label), "level": level}


def _choice_label(choices, code: str) -> str:
    return str(choices(code).label) if code in choices.values else code


# --- parts of the scorecard -------------------------------------------------------------------


def _rules(detail: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for rule in detail.get("rules") or ():
        code, unit = rule.get("code", ""), rule.get("unit", "")
        text = RULE_TEXT.get(code)
        measure = text.measure if text else "个"
        missing = bool(rule.get("missing")) or rule.get("value") is None
        status = "missing" if missing else ("passed" if rule.get("passed") else "failed")
        rows.append(
            {
                "code": code,
                "label": str(text.label) if text else code,
                "stage": _stage(rule.get("stage")),
                "unit": unit,
                "value": rule.get("value"),
                "threshold": rule.get("threshold"),
                "value_text": format_figure(unit, rule.get("value"), measure),
                "threshold_text": format_figure(unit, rule.get("threshold"), measure),
                "passed": bool(rule.get("passed")),
                "missing": missing,
                "status": status,
                "status_label": str(STATUS_LABELS[status]),
            }
        )
    return rows


def _path(detail: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "code": rule.get("code", ""),
            "missing": bool(rule.get("missing")) or rule.get("value") is None,
            "sentence": gap_sentence(rule),
        }
        for rule in detail.get("to_next") or ()
    ]


def _percent_text(share: Any) -> str | None:
    number = _dec(share)
    return None if number is None else f"{_fixed(number * HUNDRED, 1)}%"


def _capacities(score: ZoneScore, names: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    detail = score.capacity_detail or {}
    stored = score.capacities or detail.get("capacities") or {}
    coverage = detail.get("coverage") or {}
    reasons = detail.get("reasons") or {}
    contributions = detail.get("contributions") or ()
    codes = [*CAPACITIES, *(c for c in stored if c not in CAPACITIES)]
    rows = []
    for code in codes:
        reason = reasons.get(code)
        indicators = []
        for item in contributions:
            if item.get("capacity") != code:
                continue
            indicator = item.get("indicator", "")
            name, unit = names.get(indicator, (indicator, ""))
            indicators.append(
                {
                    "code": indicator,
                    "name": name,
                    "unit": unit,
                    "value": item.get("value"),
                    "normalised": item.get("normalised"),
                    "weight": item.get("weight"),
                    "share": item.get("share"),
                    "share_text": _percent_text(item.get("share")),
                    "points": item.get("points"),
                    "missing": bool(item.get("missing")) or item.get("value") is None,
                }
            )
        rows.append(
            {
                "code": code,
                "label": _choice_label(Capacity, code),
                "score": stored.get(code),
                "coverage": coverage.get(code),
                "coverage_text": _percent_text(coverage.get(code)),
                "reason": reason,
                "reason_label": str(CAPACITY_REASONS[reason]) if reason in CAPACITY_REASONS else "",
                "indicators": indicators,
            }
        )
    return rows


def _quadrant(score: ZoneScore) -> dict[str, Any]:
    stored = (score.land_grades or {}).get("quadrant") or {}
    reason = stored.get("reason")
    code = score.quadrant
    policy = POLICY.get(code or "", {})
    return {
        "code": code,
        "label": _choice_label(Quadrant, code) if code else None,
        "problem": gettext(policy["problem"]) if policy else None,
        "focus": gettext(policy["focus"]) if policy else None,
        "reason": None if code else reason,
        "reason_label": (
            str(QUADRANT_REASONS[reason]) if not code and reason in QUADRANT_REASONS else None
        ),
    }


def _land(score: ZoneScore) -> dict[str, Any] | None:
    stored = score.land_grades or {}
    grade_counts = stored.get("grade_counts")
    if grade_counts is None:  # a bare {grade: count} mapping
        grade_counts = {g: stored[g] for g in GRADES if g in stored}
    if not grade_counts and not stored.get("category_counts"):
        return None
    category_counts = stored.get("category_counts") or {}
    return {
        "year": stored.get("year"),
        "enterprises": stored.get("enterprises"),
        "grades": [
            {"code": g, "label": _choice_label(LandGrade, g), "count": grade_counts.get(g, 0)}
            for g in GRADES
        ],
        "categories": [
            {
                "code": c,
                "label": _choice_label(GradeCategory, c),
                "count": category_counts.get(c, 0),
            }
            for c in CATEGORIES
        ],
    }


def _history(zone: Zone, methodology_id: int, period: datetime.date) -> list[dict[str, Any]]:
    rows = list(
        ZoneScore.objects.filter(zone=zone, methodology_id=methodology_id, period__lte=period)
        .order_by("-period")
        .values_list("period", "stage")[:HISTORY_PERIODS]
    )
    rows.reverse()
    return [{"period": p, **(_stage(s) or {})} for p, s in rows]


def is_stale(computed_at: datetime.datetime, now: datetime.datetime | None = None) -> bool:
    """Older than ``DEVZONE_SCORES_STALE_HOURS``: the nightly recompute has not run lately."""
    hours = settings.DEVZONE_SCORES_STALE_HOURS
    return computed_at < (now or timezone.now()) - datetime.timedelta(hours=hours)


# --- the scorecard ----------------------------------------------------------------------------


def latest_score(
    zone: Zone, period: datetime.date | None = None, methodology: Methodology | None = None
) -> ZoneScore | None:
    """The zone's score for ``period`` (None: its latest) under ``methodology`` (None: active)."""
    methodology = methodology or active_methodology()
    if methodology is None:
        return None
    scores = ZoneScore.objects.filter(zone=zone, methodology=methodology).select_related(
        "run", "methodology"
    )
    if period is not None:
        scores = scores.filter(period=period.replace(day=1))
    return scores.order_by("-period").first()


def scorecard(
    zone: Zone, period: datetime.date | None = None, methodology: Methodology | None = None
) -> dict[str, Any] | None:
    """The zone's stage and its explanation as plain data; None when no score is stored yet."""
    score = latest_score(zone, period, methodology)
    if score is None:
        return None
    names = {
        code: (name, unit)
        for code, name, unit in IndicatorDefinition.objects.filter(
            methodology_id=score.methodology_id
        ).values_list("code", "name", "unit")
    }
    detail = score.stage_detail or {}
    run = score.run
    stage = _stage(score.stage)
    next_stage = _stage(detail.get("next_stage"))
    return {
        "period": score.period,
        "methodology": {"version": score.methodology.version, "name": score.methodology.name},
        "stage": stage,
        "next_stage": next_stage,
        "rules": _rules(detail),
        "to_next": _path(detail),
        "capacities": _capacities(score, names),
        "quality": None if score.quality is None else format(score.quality, "f"),
        "scale": None if score.scale is None else format(score.scale, "f"),
        "scale_text": None if score.scale is None else format_figure("wanyuan", score.scale),
        "quadrant": _quadrant(score),
        "land_grades": _land(score),
        "computed_at": score.computed_at,
        "run_finished_at": run.finished_at if run else None,
        "stale": is_stale(score.computed_at),
        "stale_hours": settings.DEVZONE_SCORES_STALE_HOURS,
        "history": _history(zone, score.methodology_id, score.period),
    }
