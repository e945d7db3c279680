"""The dashboards' charts, drawn once from ``zones.dashboards`` data with ``devzone.charts``.

Each function returns {chart key: SVG}; the pages show them inline, offer them as SVG/PNG
downloads (``?chart=<key>``) and the monthly reports embed the very same SVG. Chart keys are
stable (tests and download links use them).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from devzone import charts
from devzone.pages import pk_url
from investment.models import ProjectStage
from zones.dashboards import MAP_MEASURES
from zones.models import Quadrant, Stage

STAGE_COLOUR = charts.STAGE_COLOURS
SCORE_COLOUR = {
    "green": charts.WARNING_COLOURS["green"],
    "yellow": charts.WARNING_COLOURS["yellow"],
    "red": charts.WARNING_COLOURS["red"],
    None: charts.WARNING_COLOURS["grey"],
}
QUADRANT_COLOUR = {
    Quadrant.LARGE_HIGH: "#0072B2",
    Quadrant.LARGE_LOW: "#E69F00",
    Quadrant.SMALL_HIGH: "#009E73",
    Quadrant.SMALL_LOW: "#CC79A7",
    None: "#adb5bd",
}


def overview_charts(
    data: dict[str, Any], *, measure: str = "zones", prefecture_links: bool = True
) -> dict[str, str]:
    """The cockpit's (and the prefecture dashboard's) charts."""
    result: dict[str, str] = {}
    zone_href = pk_url("zones:zone-dashboard")
    headline = data["headline"]
    stages = list(headline["projects_by_stage"])
    result["projects-by-stage"] = charts.bar(
        _("项目阶段分布"),
        [r["label"] for r in stages],
        [r["n"] for r in stages],
        chart_id="projects-by-stage",
        unit=_("个"),
    )
    result["investment"] = charts.bar(
        _("本年投资：签约、计划与完成"),
        [_("签约项目计划总投资"), _("本年计划投资"), _("本年完成投资")],
        [headline["signed_investment_yi"], headline["plan_yi"], headline["completed_yi"]],
        chart_id="investment",
        unit=_("亿元"),
        colours=["#4292c6", "#adb5bd", "#198754"],
        horizontal=True,
    )
    items = headline["items_open"]
    result["items"] = charts.bar(
        _("在办督办事项（按预警颜色）"),
        [_("红"), _("黄"), _("蓝"), _("正常")],
        [items.get("red", 0), items.get("yellow", 0), items.get("blue", 0), items.get("none", 0)],
        chart_id="items",
        unit=_("件"),
        colours=[
            charts.WARNING_COLOURS["red"],
            charts.WARNING_COLOURS["yellow"],
            charts.WARNING_COLOURS["blue"],
            charts.WARNING_COLOURS["green"],
        ],
    )
    result["by-type"] = charts.bar(
        _("开发区类型"),
        [r["label"] for r in data["by_type"]],
        [r["n"] for r in data["by_type"]],
        chart_id="by-type",
        unit=_("个"),
    )
    result["by-tier"] = charts.bar(
        _("工业总产值规模"),
        [r["label"] for r in data["by_tier"]],
        [r["n"] for r in data["by_tier"]],
        chart_id="by-tier",
        unit=_("个"),
    )
    prefectures = data["by_region"]
    by_province = data["region_level"] == "province"
    links = prefecture_links and not by_province
    prefecture_href = pk_url("zones:prefecture-dashboard")
    result["by-prefecture"] = charts.stacked_bar(
        _("各省份开发区发展阶段") if by_province else _("各市州开发区发展阶段"),
        [r["name"] for r in prefectures],
        [
            charts.Series(
                str(label), [r["stages"].get(code, 0) for r in prefectures], STAGE_COLOUR[code]
            )
            for code, label in Stage.choices
        ],
        chart_id="by-prefecture",
        unit=_("个"),
        links=[prefecture_href(r["pk"]) for r in prefectures] if links else None,
        horizontal=True,
    )
    founding = data["founding"]
    result["founding"] = charts.timeline(
        _("开发区设立时间"),
        founding["years"],
        founding["counts"],
        chart_id="founding",
        bands=[
            charts.Band(p["start"], p["end"], f"{p['label']}：{p['n']}")
            for p in founding["periods"]
        ],
        unit=_("个"),
    )
    stage_rows = data["stages"]
    result["stages"] = charts.bar(
        _("发展阶段分布（四聚）"),
        [r["label"] for r in stage_rows],
        [r["n"] for r in stage_rows],
        chart_id="stages",
        unit=_("个"),
        colours=[STAGE_COLOUR.get(r["stage"], charts.WARNING_COLOURS["grey"]) for r in stage_rows],
    )
    quadrant = data["quadrant"]
    labels = dict(Quadrant.choices)
    result["quadrant"] = charts.scatter(
        _("规模与质量四象限"),
        [
            charts.Point(
                p["x"],
                p["y"],
                f"{p['name']}（{p['scale_yi']} 亿元）",
                QUADRANT_COLOUR.get(p["quadrant"]),
                zone_href(p["pk"]),
                str(labels.get(p["quadrant"], _("未判定"))),
            )
            for p in quadrant["points"]
        ],
        chart_id="quadrant",
        x_label=_("规模（工业总产值位次百分位）"),
        y_label=_("质量综合得分"),
        x_split=quadrant["x_split"],
        y_split=quadrant["y_split"],
        quadrant_labels=(
            str(labels[Quadrant.LARGE_HIGH]),
            str(labels[Quadrant.SMALL_HIGH]),
            str(labels[Quadrant.SMALL_LOW]),
            str(labels[Quadrant.LARGE_LOW]),
        ),
        x_range=(0, 100),
        y_range=(0, 100),
    )
    medians = data["capacity_medians"]
    result["capacities"] = charts.radar(
        _("六力得分中位数"),
        [r["label"] for r in medians],
        [charts.Series(_("中位数"), [r["median"] for r in medians])],
        chart_id="capacities",
    )
    result["funnel"] = _funnel_chart(data["funnel"], "funnel")
    result["funnel-modes"] = charts.stacked_bar(
        _("各招商方式到达各阶段项目数"),
        [m["label"] for m in data["funnel"]["modes"]],
        [
            charts.Series(stage, [m["counts"][i] for m in data["funnel"]["modes"]])
            for i, stage in enumerate(data["funnel"]["stages"])
            if i in (0, 2, 4, 5)
        ],
        chart_id="funnel-modes",
        unit=_("个"),
        horizontal=True,
    )
    ranking = data["accountability"].get("zone")
    if ranking:
        rows = ranking["top"] + [r for r in ranking["bottom"][::-1] if r not in ranking["top"]]
        result["accountability"] = charts.bar(
            _("开发区问责评分：前五与后五"),
            [r["name"] for r in rows],
            [r["score"] for r in rows],
            chart_id="accountability",
            unit=_("分"),
            colours=[SCORE_COLOUR.get(r["colour"]) for r in rows],
            links=[zone_href(r["zone_id"]) if r["zone_id"] else None for r in rows],
            horizontal=True,
        )
    result["map"] = region_map(prefectures, measure, links=links, by_province=by_province)
    return result


def region_map(
    regions: list[dict[str, Any]], measure: str, *, links: bool = True, by_province: bool = False
) -> str:
    """The prefectures (or provinces) as hexagons coloured by ``measure``; Guizhou's layout
    where the codes match, a compact grid otherwise."""
    label, unit = MAP_MEASURES.get(measure, MAP_MEASURES["zones"])
    if measure not in MAP_MEASURES:
        measure = "zones"
    prefecture_href = pk_url("zones:prefecture-dashboard")
    title = _("各省份：%(measure)s") if by_province else _("各市州：%(measure)s")
    return charts.tile_map(
        title % {"measure": label},
        [
            charts.Tile(
                r["code"],
                r["name"],
                r[measure],
                "—" if r[measure] is None else f"{r[measure]:g}{unit}",
                prefecture_href(r["pk"]) if links else None,
            )
            for r in regions
        ],
        chart_id="map",
        layout=charts.GUIZHOU_LAYOUT,
        legend_title=f"{label}（{unit}）",
    )


def _funnel_chart(funnel: dict[str, Any], chart_id: str) -> str:
    return charts.funnel(
        _("招商漏斗"),
        funnel["stages"],
        funnel["total"],
        chart_id=chart_id,
        conversions=[None if c is None else c / 100 for c in funnel["conversions"]],
    )


def zone_charts(data: dict[str, Any]) -> dict[str, str]:
    """The zone dashboard's charts."""
    result: dict[str, str] = {}
    caps = data["capacities"]
    result["radar"] = charts.radar(
        _("六力得分与全省中位数"),
        [c["label"] for c in caps],
        [
            charts.Series(_("本开发区"), [c["value"] for c in caps], "#2171b5"),
            charts.Series(_("全省中位数"), [c["median"] for c in caps], "#E69F00"),
        ],
        chart_id="radar",
    )
    stages = data["pipeline"].get("stages", {})
    result["pipeline"] = charts.bar(
        _("项目阶段分布"),
        [str(label) for _code, label in ProjectStage.choices],
        [stages.get(code, 0) for code, _label in ProjectStage.choices],
        chart_id="pipeline",
        unit=_("个"),
    )
    result["funnel"] = _funnel_chart(data["funnel"], "zone-funnel")
    land = ((data["score"] or {}).get("land_grades") or {}).get("grade_counts") or {}
    grades = ["A", "B", "C", "D"]
    result["land"] = charts.bar(
        _("亩均评价等级分布"),
        [_("%(grade)s类") % {"grade": g} for g in grades],
        [land.get(g, 0) for g in grades],
        chart_id="land",
        unit=_("家"),
        colours=["#198754", "#4292c6", "#ffc107", "#dc3545"],
    )
    trends = data["trends"]
    result["trend-scores"] = charts.line(
        _("近12个月：质量综合得分与问责评分"),
        trends["labels"],
        [
            charts.Series(_("质量综合得分"), trends["quality"], "#2171b5"),
            charts.Series(_("问责评分"), trends["accountability"], "#dc3545"),
        ],
        chart_id="trend-scores",
        unit=_("分"),
        y_min=0,
        y_max=100,
    )
    result["trend-pipeline"] = charts.line(
        _("近12个月：签约项目与逾期节点（红）"),
        trends["labels"],
        [
            charts.Series(_("当月签约项目"), trends["signed"], "#4292c6"),
            charts.Series(_("逾期节点（红）"), trends["overdue_red"], "#dc3545"),
        ],
        chart_id="trend-pipeline",
        unit=_("个"),
        y_min=0,
    )
    result["trend-investment"] = charts.bar(
        _("近12个月：当月完成投资"),
        trends["labels"],
        trends["completed_yi"],
        chart_id="trend-investment",
        unit=_("亿元"),
    )
    return result
