"""The opening narrative of the monthly supervision reports (月度督查通报): short plain sentences
written from the month's figures, so a leader reads what changed before the tables.

Pure functions over the JSON-safe dicts the report builder already has (``zones.dashboards``'
``zone_dashboard`` and ``overview`` plus a few keys of the report's own, see the two public
functions): no ORM, no request, so every case is cheap to test and a stored report's figures
can be re-narrated. A sentence is only written when its figures are there — a missing figure
drops the sentence, it never prints "None" — and a zero is said in words ("本月无新签约项目").

Every sentence and fragment is a ``gettext`` template with named placeholders (msgids in
Chinese), looked up when the function runs, so a report built under ``translation.override``
comes out in that language once the catalogue has it. Numbers go through ``format_number``:
counts as whole numbers without a thousands separator, 亿元 with two decimals, percentages and
scores with one (half up, never "-0.0").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.utils.translation import gettext

from zones.models import Stage

WAN_PER_YI = 10000
MAX_NAMED_CHANGES = 5
PIPELINE_KEYS = ("signed", "started", "in_production")
ITEM_COLOURS = ("red", "yellow", "blue", "none")
SCORE_COLOURS = ("green", "yellow", "red")

NumberKind = Literal["count", "yi", "percent", "score"]
PLACES: dict[str, int] = {"count": 0, "yi": 2, "percent": 1, "score": 1}


# --- numbers ---------------------------------------------------------------------------------


def format_number(value: float | int | Decimal, kind: NumberKind) -> str:
    """A figure as the narrative prints it: ``count`` 1234, ``yi`` 12.30, ``percent`` and
    ``score`` 45.7 — rounded half up (not to even: 2.675 亿元 reads 2.68), no thousands
    separator (Chinese running text), and no "-0.0" for a value that rounds to zero."""
    places = PLACES[kind]
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:.{places}f}"


def _number(value: Any) -> float | None:
    """A usable figure or None (missing, not a number, NaN or infinite)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _count(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(format_number(number, "count"))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    """A label or name worth printing (not None, not blank, not the text "None")."""
    if value is None:
        return None
    text = str(value).strip()
    return text if text and text.lower() not in ("none", "nan") else None


# --- joining ---------------------------------------------------------------------------------


def _comma(parts: Iterable[str]) -> str:
    # Translators: separates the clauses of one sentence.
    return gettext("，").join(parts)


def _enumerate(parts: Iterable[str]) -> str:
    # Translators: separates the items of a list inside a sentence.
    return gettext("、").join(parts)


def _sentence(clauses: Sequence[str]) -> str:
    # Translators: a sentence made of clauses already joined; ends with a full stop.
    return gettext("%(clauses)s。") % {"clauses": _comma(clauses)}


# --- colours ---------------------------------------------------------------------------------


def _score_colour(colour: Any) -> str | None:
    words = {"green": gettext("绿色"), "yellow": gettext("黄色"), "red": gettext("红色")}
    return words.get(colour) if isinstance(colour, str) else None


def _item_colour(colour: str) -> str:
    words = {
        "red": gettext("红色"),
        "yellow": gettext("黄色"),
        "blue": gettext("蓝色"),
        "none": gettext("正常"),
    }
    return words[colour]


def _movement_clause(movement: Any) -> str | None:
    """ "较上月上升 2.5 分" / "较上月下降 …" / "与上月持平"; None when there was no last month."""
    number = _number(movement)
    if number is None:
        return None
    delta = format_number(abs(number), "score")
    if float(delta) == 0:
        return gettext("与上月持平")
    if number > 0:
        return gettext("较上月上升 %(delta)s 分") % {"delta": delta}
    return gettext("较上月下降 %(delta)s 分") % {"delta": delta}


# --- the pipeline ----------------------------------------------------------------------------


def _month_part(key: str, n: int) -> str:
    if key == "signed":
        return gettext("新签约项目 %(n)s 个") % {"n": n} if n else gettext("无新签约项目")
    if key == "started":
        return gettext("开工项目 %(n)s 个") % {"n": n} if n else gettext("无项目开工")
    return gettext("投产项目 %(n)s 个") % {"n": n} if n else gettext("无项目投产")


def _year_part(key: str, n: int, signed_yi: float | None) -> str:
    if key == "signed":
        if not n:
            return gettext("尚无项目签约")
        if signed_yi:
            return gettext("签约项目 %(n)s 个（计划投资 %(amount)s 亿元）") % {
                "n": n,
                "amount": format_number(signed_yi, "yi"),
            }
        return gettext("签约项目 %(n)s 个") % {"n": n}
    if key == "started":
        return gettext("开工项目 %(n)s 个") % {"n": n} if n else gettext("尚无项目开工")
    return gettext("投产项目 %(n)s 个") % {"n": n} if n else gettext("尚无项目投产")


def _known_counts(figures: Mapping[str, Any]) -> list[tuple[str, int]]:
    return [(k, n) for k in PIPELINE_KEYS if (n := _count(figures.get(k))) is not None]


def _pipeline_sentences(
    month: Mapping[str, Any], year: Mapping[str, Any], signed_yi: float | None
) -> list[str]:
    """This month's and this year's signed / started / in-production projects (only the keys
    given: an overview knows the month's signings but not its starts)."""
    sentences = []
    counts = _known_counts(month)
    if counts:
        if len(counts) == len(PIPELINE_KEYS) and not any(n for _k, n in counts):
            sentences.append(gettext("本月无新签约、开工或投产项目。"))
        else:
            parts = _comma(_month_part(k, n) for k, n in counts)
            sentences.append(gettext("本月%(parts)s。") % {"parts": parts})
    counts = _known_counts(year)
    if counts:
        if len(counts) == len(PIPELINE_KEYS) and not any(n for _k, n in counts):
            sentences.append(gettext("本年尚无签约、开工或投产项目。"))
        else:
            parts = _comma(_year_part(k, n, signed_yi) for k, n in counts)
            sentences.append(gettext("本年%(parts)s。") % {"parts": parts})
    return sentences


def _investment_sentences(
    plan_yi: Any, completed_yi: Any, rate: Any, month_yi: Any = None
) -> list[str]:
    """This year's completed investment against the year's plan, and the month's part."""
    plan, completed = _number(plan_yi), _number(completed_yi)
    if plan is None or completed is None:
        return []
    sentences = []
    if plan > 0 and float(format_number(completed, "yi")) == 0:
        sentences.append(
            gettext("本年尚无完成投资，年度计划投资 %(plan)s 亿元。")
            % {"plan": format_number(plan, "yi")}
        )
    elif plan > 0:
        percent = _number(rate)
        if percent is None:
            percent = completed * 100 / plan
        sentences.append(
            gettext("本年完成投资 %(completed)s 亿元，占年度计划 %(plan)s 亿元的 %(rate)s%%。")
            % {
                "completed": format_number(completed, "yi"),
                "plan": format_number(plan, "yi"),
                "rate": format_number(percent, "percent"),
            }
        )
    elif completed > 0:
        sentences.append(
            gettext("本年完成投资 %(completed)s 亿元，尚无年度计划投资。")
            % {"completed": format_number(completed, "yi")}
        )
    else:
        sentences.append(gettext("本年尚无计划投资和完成投资。"))
    month = _number(month_yi)
    if month is not None and float(format_number(completed, "yi")) > 0:
        if float(format_number(month, "yi")) > 0:
            sentences.append(
                gettext("其中本月完成投资 %(amount)s 亿元。")
                % {"amount": format_number(month, "yi")}
            )
        else:
            sentences.append(gettext("本月未报告完成投资。"))
    return sentences


# --- milestones and supervision items --------------------------------------------------------


def _supervision_sentences(
    overdue: Any,
    items_open: Any,
    opened: Any = None,
    closed: Any = None,
    turned_red: Any = None,
) -> list[str]:
    """Overdue milestones and open items by colour, the month's items in and out, and a call
    for attention when anything is red."""
    sentences = []
    red_overdue = red_items = 0
    if isinstance(overdue, Mapping):
        red_overdue = _count(overdue.get("red")) or 0
        yellow = _count(overdue.get("yellow")) or 0
        if red_overdue + yellow:
            parts = [
                gettext("%(colour)s %(n)s 个") % {"colour": _item_colour(colour), "n": n}
                for colour, n in (("red", red_overdue), ("yellow", yellow))
                if n
            ]
            sentences.append(
                gettext("逾期未完成的项目节点 %(total)s 个（%(parts)s）。")
                % {"total": red_overdue + yellow, "parts": _enumerate(parts)}
            )
        else:
            sentences.append(gettext("无逾期未完成的项目节点。"))
    if isinstance(items_open, Mapping):
        counts = {colour: _count(items_open.get(colour)) or 0 for colour in ITEM_COLOURS}
        red_items = counts["red"]
        total = sum(counts.values())
        if total:
            parts = [
                gettext("%(colour)s %(n)s 件") % {"colour": _item_colour(colour), "n": n}
                for colour, n in counts.items()
                if n
            ]
            sentences.append(
                gettext("未办结督办事项 %(total)s 件（%(parts)s）。")
                % {"total": total, "parts": _enumerate(parts)}
            )
        else:
            sentences.append(gettext("无未办结的督办事项。"))
    n_opened, n_closed = _count(opened), _count(closed)
    if n_opened is not None and n_closed is not None:
        if not n_opened and not n_closed:
            sentences.append(gettext("本月无新交办或办结的督办事项。"))
        else:
            parts = [
                gettext("新交办督办事项 %(n)s 件") % {"n": n_opened}
                if n_opened
                else gettext("无新交办督办事项"),
                gettext("办结 %(n)s 件") % {"n": n_closed} if n_closed else gettext("无事项办结"),
            ]
            sentences.append(gettext("本月%(parts)s。") % {"parts": _comma(parts)})
    n_turned = _count(turned_red)
    if n_turned is not None:
        if n_turned:
            sentences.append(gettext("本月新转为红色的督办事项 %(n)s 件。") % {"n": n_turned})
        else:
            sentences.append(gettext("本月无督办事项转为红色。"))
    if red_overdue and red_items:
        sentences.append(
            gettext("红色逾期节点 %(overdue)s 个、红色督办事项 %(items)s 件，需重点关注。")
            % {"overdue": red_overdue, "items": red_items}
        )
    elif red_overdue:
        sentences.append(gettext("红色逾期节点 %(n)s 个，需重点关注。") % {"n": red_overdue})
    elif red_items:
        sentences.append(gettext("红色督办事项 %(n)s 件，需重点关注。") % {"n": red_items})
    return sentences


# --- one zone --------------------------------------------------------------------------------


def _stage_index(label: str) -> int | None:
    """The stage's place in 聚集中 … 聚网, from its label (in the active language) or code."""
    for i, (code, stage_label) in enumerate(Stage.choices):
        if label in (code, str(stage_label)):
            return i
    return None


def _stage_sentences(
    stage: str | None, previous: str | None, next_stage: str | None, to_next: Any
) -> list[str]:
    sentences = []
    if stage:
        if not previous:
            sentences.append(gettext("本月发展阶段为%(stage)s。") % {"stage": stage})
        elif previous == stage:
            sentences.append(gettext("本月发展阶段为%(stage)s，与上月相同。") % {"stage": stage})
        else:
            before, after = _stage_index(previous), _stage_index(stage)
            values = {"previous": previous, "stage": stage}
            if before is None or after is None:
                template = gettext("本月发展阶段由%(previous)s变为%(stage)s。")
            elif after > before:
                template = gettext("本月发展阶段由%(previous)s进入%(stage)s。")
            else:
                template = gettext("本月发展阶段由%(previous)s回落至%(stage)s。")
            sentences.append(template % values)
    steps = [
        step
        for item in (to_next if isinstance(to_next, list | tuple) else ())
        if (step := (_text(item) or "").rstrip("。；;，,. "))
    ]
    if next_stage and steps:
        values = {"next": next_stage, "n": len(steps), "step": steps[0]}
        if len(steps) == 1:
            template = gettext("进入%(next)s阶段尚有 %(n)s 项条件未达到：%(step)s。")
        else:
            template = gettext("进入%(next)s阶段尚有 %(n)s 项条件未达到，首项为：%(step)s。")
        sentences.append(template % values)
    return sentences


def _comparison(value: float, median: float | None) -> str | None:
    if median is None:
        return None
    diff = format_number(abs(value - median), "score")
    if float(diff) == 0:
        return gettext("与全省中位数持平")
    if value > median:
        return gettext("高于全省中位数 %(diff)s 分") % {"diff": diff}
    return gettext("低于全省中位数 %(diff)s 分") % {"diff": diff}


def _capacity_sentences(capacities: Any) -> list[str]:
    """The strongest and the weakest of the six capacities against the province's medians."""
    scored = []
    for row in capacities if isinstance(capacities, list | tuple) else ():
        row = _mapping(row)
        label, value = _text(row.get("label")), _number(row.get("value"))
        if label and value is not None:
            scored.append((label, value, _number(row.get("median"))))
    if not scored:
        return []
    strongest = max(scored, key=lambda r: r[1])
    weakest = min(scored, key=lambda r: r[1])
    sentences = []
    for (label, value, median), strong in ((strongest, True), (weakest, False)):
        if not strong and weakest[1] == strongest[1]:
            break  # one capacity, or all equal: the weakest would repeat the strongest
        values = {"label": label, "value": format_number(value, "score")}
        comparison = _comparison(value, median)
        if strong:
            head = gettext("六力中%(label)s最强，得分 %(value)s") % values
        else:
            head = gettext("%(label)s最弱，得分 %(value)s") % values
        sentences.append(_sentence([head, comparison] if comparison else [head]))
    return sentences


def _accountability_sentences(accountability: Any) -> list[str]:
    """The zone's own score: colour, rank among the province's zones, movement."""
    acc = _mapping(accountability)
    score = _number(acc.get("score"))
    if score is None:
        return []
    clauses = [gettext("本月问责评分 %(score)s 分") % {"score": format_number(score, "score")}]
    if colour := _score_colour(acc.get("colour")):
        clauses.append(gettext("评级为%(colour)s") % {"colour": colour})
    rank, of = _count(acc.get("rank")), _count(acc.get("of"))
    if rank and of:
        clauses.append(gettext("排第 %(rank)s 名（共 %(of)s 个开发区）") % {"rank": rank, "of": of})
    elif rank:
        clauses.append(gettext("排第 %(rank)s 名") % {"rank": rank})
    if movement := _movement_clause(acc.get("movement")):
        clauses.append(movement)
    return [_sentence(clauses)]


def _people_sentences(people: Any) -> list[str]:
    """The zone leader's score by name; the project leads as a count by colour."""
    rows = [_mapping(p) for p in (people if isinstance(people, list | tuple) else ())]
    sentences = []
    for row in rows:
        name, score = _text(row.get("name")), _number(row.get("score"))
        if row.get("kind") != "zone_leader" or not name or score is None:
            continue
        clauses = [
            gettext("开发区一把手%(name)s问责评分 %(score)s 分")
            % {"name": name, "score": format_number(score, "score")}
        ]
        if colour := _score_colour(row.get("colour")):
            clauses.append(gettext("评级为%(colour)s") % {"colour": colour})
        if movement := _movement_clause(row.get("movement")):
            clauses.append(movement)
        sentences.append(_sentence(clauses))
    leads = [r for r in rows if r.get("kind") == "lead" and _number(r.get("score")) is not None]
    if leads:
        parts = []
        for colour in SCORE_COLOURS:
            n = sum(1 for r in leads if r.get("colour") == colour)
            if n:
                parts.append(
                    gettext("%(colour)s %(n)s 人") % {"colour": _score_colour(colour), "n": n}
                )
        if parts:
            sentences.append(
                gettext("参与问责评分的项目负责人 %(n)s 人（%(parts)s）。")
                % {"n": len(leads), "parts": _enumerate(parts)}
            )
        else:
            sentences.append(gettext("参与问责评分的项目负责人 %(n)s 人。") % {"n": len(leads)})
    return sentences


def zone_narrative(snapshot: dict[str, Any]) -> list[str]:
    """The zone report's opening sentences, in the report's order: pipeline, investment, stage,
    capacities, milestones and supervision items, accountability, the zone's people.

    ``snapshot``: ``zone_dashboard``'s result made JSON-safe, plus ``zone`` {name, prefecture},
    ``month`` ("2026-10"), ``stage_label``, ``next_stage_label``, ``to_next`` (ready sentences,
    the first is the path to the next stage), ``previous_stage_label`` and ``accountability``
    {score, colour, rank, of, movement}. Any of them may be missing or None.
    """
    headline = _mapping(snapshot.get("headline"))
    pipeline = _mapping(snapshot.get("pipeline"))
    sentences: list[str] = []
    if pipeline:
        signed_yi = _number(headline.get("signed_investment_yi"))
        if signed_yi is None and (wan := _number(pipeline.get("signed_investment_year"))):
            signed_yi = wan / WAN_PER_YI
        sentences += _pipeline_sentences(
            _mapping(pipeline.get("month")), _mapping(pipeline.get("year")), signed_yi
        )
        plan, completed = headline.get("plan_yi"), headline.get("completed_yi")
        if plan is None and (wan := _number(pipeline.get("plan_this_year"))) is not None:
            plan = wan / WAN_PER_YI
        if completed is None and (wan := _number(pipeline.get("completed_this_year"))) is not None:
            completed = wan / WAN_PER_YI
        month_wan = _number(pipeline.get("completed_this_month"))
        sentences += _investment_sentences(
            plan,
            completed,
            headline.get("completed_rate"),
            None if month_wan is None else month_wan / WAN_PER_YI,
        )
    score = _mapping(snapshot.get("score"))
    stage = _text(snapshot.get("stage_label"))
    if stage is None and (code := score.get("stage")) in Stage.values:
        stage = str(Stage(code).label)
    sentences += _stage_sentences(
        stage,
        _text(snapshot.get("previous_stage_label")),
        _text(snapshot.get("next_stage_label")),
        snapshot.get("to_next"),
    )
    sentences += _capacity_sentences(snapshot.get("capacities"))
    if pipeline:
        sentences += _supervision_sentences(
            headline.get("overdue") or pipeline.get("milestones_overdue"),
            headline.get("items_open") or pipeline.get("items_open"),
            pipeline.get("items_opened"),
            pipeline.get("items_closed"),
        )
    sentences += _accountability_sentences(snapshot.get("accountability"))
    sentences += _people_sentences(snapshot.get("people"))
    return sentences


# --- a prefecture or the province ------------------------------------------------------------


def _stage_distribution_sentence(stages: Any) -> list[str]:
    parts = []
    for row in stages if isinstance(stages, list | tuple) else ():
        row = _mapping(row)
        label, n = _text(row.get("label")), _count(row.get("n"))
        if label and n:
            parts.append(gettext("%(label)s %(n)s 个") % {"label": label, "n": n})
    if not parts:
        return []
    return [gettext("按发展阶段分：%(parts)s。") % {"parts": _enumerate(parts)}]


def _stage_change_sentences(changes: Any) -> list[str]:
    """Zones whose stage went up, then down: up to five named, the rest counted."""
    if not isinstance(changes, list | tuple):
        return []
    if not changes:
        return [gettext("本月各开发区发展阶段均无变化。")]
    groups: dict[str, list[str]] = {"up": [], "down": []}
    for change in changes:
        change = _mapping(change)
        zone, before, after = (_text(change.get(k)) for k in ("zone", "from", "to"))
        if not (zone and before and after):
            continue
        values = {"zone": zone, "from": before, "to": after}
        if change.get("direction") == "down":
            groups["down"].append(gettext("%(zone)s由%(from)s回落至%(to)s") % values)
        else:
            groups["up"].append(gettext("%(zone)s由%(from)s进入%(to)s") % values)
    sentences = []
    for direction, items in groups.items():
        if not items:
            continue
        names = _enumerate(items[:MAX_NAMED_CHANGES])
        if direction == "up" and len(items) > MAX_NAMED_CHANGES:
            template = gettext("本月发展阶段提升的有：%(names)s等 %(n)s 个开发区。")
        elif direction == "up":
            template = gettext("本月发展阶段提升的有：%(names)s。")
        elif len(items) > MAX_NAMED_CHANGES:
            template = gettext("本月发展阶段回落的有：%(names)s等 %(n)s 个开发区。")
        else:
            template = gettext("本月发展阶段回落的有：%(names)s。")
        sentences.append(template % {"names": names, "n": len(items)})
    return sentences


def _first_scored(rows: Any, *, moving: int = 0) -> Mapping[str, Any] | None:
    """The first row with a name and a score (and, for ``moving`` ±1, a movement that way
    still visible after rounding)."""
    for row in rows if isinstance(rows, list | tuple) else ():
        row = _mapping(row)
        if not _text(row.get("name")) or _number(row.get("score")) is None:
            continue
        if moving:
            movement = _number(row.get("movement"))
            if movement is None or float(format_number(movement * moving, "score")) <= 0:
                continue
        return row
    return None


def _ranking_sentences(ranking: Any) -> list[str]:
    """The zones' accountability: best and worst, biggest riser and faller, colour counts."""
    ranking = _mapping(ranking)
    if not ranking:
        return []
    sentences = []
    best, worst = _first_scored(ranking.get("top")), _first_scored(ranking.get("bottom"))
    if best and worst:
        best_values = {
            "best": _text(best.get("name")),
            "best_score": format_number(_number(best.get("score")) or 0, "score"),
        }
        if best.get("pk", best.get("name")) == worst.get("pk", worst.get("name")):
            sentences.append(gettext("%(best)s问责评分 %(best_score)s 分。") % best_values)
        else:
            sentences.append(
                gettext(
                    "问责评分最高的是%(best)s（%(best_score)s 分），"
                    "最低的是%(worst)s（%(worst_score)s 分）。"
                )
                % {
                    **best_values,
                    "worst": _text(worst.get("name")),
                    "worst_score": format_number(_number(worst.get("score")) or 0, "score"),
                }
            )
    riser = _first_scored(ranking.get("risers"), moving=1)
    faller = _first_scored(ranking.get("fallers"), moving=-1)
    values = {}
    if riser:
        values["riser"] = _text(riser.get("name"))
        values["up"] = format_number(abs(_number(riser.get("movement")) or 0), "score")
    if faller:
        values["faller"] = _text(faller.get("name"))
        values["down"] = format_number(abs(_number(faller.get("movement")) or 0), "score")
    if riser and faller:
        sentences.append(
            gettext(
                "较上月上升最多的是%(riser)s（上升 %(up)s 分），"
                "下降最多的是%(faller)s（下降 %(down)s 分）。"
            )
            % values
        )
    elif riser:
        sentences.append(gettext("较上月上升最多的是%(riser)s（上升 %(up)s 分）。") % values)
    elif faller:
        sentences.append(gettext("较上月下降最多的是%(faller)s（下降 %(down)s 分）。") % values)
    colours = _mapping(ranking.get("colours"))
    counts = {colour: _count(colours.get(colour)) or 0 for colour in SCORE_COLOURS}
    parts = [
        gettext("%(colour)s %(n)s 个") % {"colour": _score_colour(colour), "n": n}
        for colour, n in counts.items()
        if n
    ]
    if parts and counts["red"]:
        sentences.append(gettext("开发区问责评级：%(parts)s。") % {"parts": _enumerate(parts)})
    elif parts:
        sentences.append(
            gettext("开发区问责评级：%(parts)s，无红色。") % {"parts": _enumerate(parts)}
        )
    return sentences


def overview_narrative(snapshot: dict[str, Any], *, scope_name: str) -> list[str]:
    """A prefecture's or the province's report opening: zones and stages, the pipeline and
    investment, the month's stage changes, milestones and red items, the zones' accountability.

    ``snapshot``: ``overview``'s result made JSON-safe, plus ``month``, ``stage_changes``
    [{zone, from, to, direction "up"|"down"}] (an empty list says no zone changed; a missing
    key says nothing) and ``items_turned_red``. ``overview`` sums no per-month starts or
    productions; when the caller adds the summed pipeline document as ``pipeline`` its
    ``month`` counts and items opened / closed are used too.
    """
    headline = _mapping(snapshot.get("headline"))
    zones = _count(headline.get("zones"))
    if zones is None and isinstance(snapshot.get("zones"), list):
        zones = len(snapshot["zones"])
    if not zones:
        return [gettext("%(scope)s暂无开发区。") % {"scope": scope_name}]
    national = _count(headline.get("national"))
    if national:
        sentences = [
            gettext("%(scope)s共有开发区 %(n)s 个，其中国家级 %(national)s 个。")
            % {"scope": scope_name, "n": zones, "national": national}
        ]
    else:
        sentences = [gettext("%(scope)s共有开发区 %(n)s 个。") % {"scope": scope_name, "n": zones}]
    sentences += _stage_distribution_sentence(snapshot.get("stages"))
    pipeline = _mapping(snapshot.get("pipeline"))
    summarised = _count(headline.get("summarised_zones"))
    has_pipeline = (
        bool(pipeline)
        or bool(summarised)
        or (summarised is None and headline.get("signed_year") is not None)
    )
    if has_pipeline:
        month = _mapping(pipeline.get("month")) or {"signed": headline.get("signed_month")}
        year = {
            "signed": headline.get("signed_year"),
            "started": headline.get("started_year"),
            "in_production": headline.get("produced_year"),
        }
        sentences += _pipeline_sentences(month, year, _number(headline.get("signed_investment_yi")))
        month_wan = _number(pipeline.get("completed_this_month"))
        sentences += _investment_sentences(
            headline.get("plan_yi"),
            headline.get("completed_yi"),
            headline.get("completed_rate"),
            None if month_wan is None else month_wan / WAN_PER_YI,
        )
    sentences += _stage_change_sentences(snapshot.get("stage_changes"))
    if has_pipeline:
        sentences += _supervision_sentences(
            headline.get("overdue"),
            headline.get("items_open"),
            pipeline.get("items_opened"),
            pipeline.get("items_closed"),
            snapshot.get("items_turned_red"),
        )
    sentences += _ranking_sentences(_mapping(snapshot.get("accountability")).get("zone"))
    return sentences
