"""The dashboards' tables, built once from ``zones.dashboards`` data: the page shows them and
``?export=<key>`` downloads the same rows as XLSX (``devzone.pages.table_xlsx``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from devzone.pages import DataTable, pk_url
from investment.models import ScoreColour, SubjectKind
from zones.models import Quadrant, Stage, ZoneType

STAGE_LABELS = dict(Stage.choices)
QUADRANT_LABELS = dict(Quadrant.choices)
TYPE_LABELS = dict(ZoneType.choices)
COLOUR_LABELS = dict(ScoreColour.choices)
# Long tables show this many rows on the page (a national cockpit has 2,500 zones); the XLSX
# export has every row.
PAGE_ROWS = 100


def _colour(code: str | None) -> str:
    return str(COLOUR_LABELS[code]) if code in COLOUR_LABELS else "—"


def overview_tables(data: dict[str, Any]) -> dict[str, DataTable]:
    zone_href = pk_url("zones:zone-dashboard")
    prefecture_href = pk_url("zones:prefecture-dashboard")
    by_province = data["region_level"] == "province"
    tables = [
        DataTable(
            "zones",
            _("开发区一览"),
            [
                _("开发区"),
                _("市州"),
                _("类型"),
                _("发展阶段"),
                _("象限"),
                _("质量综合得分"),
                _("工业总产值（亿元）"),
                _("在库项目"),
                _("本年签约"),
                _("逾期节点（红）"),
                _("红色督办事项"),
                _("问责评分"),
            ],
            [
                [
                    z["name"],
                    z["prefecture"],
                    str(TYPE_LABELS.get(z["type"], z["type"])),
                    str(STAGE_LABELS.get(z["stage"], "—")),
                    str(QUADRANT_LABELS.get(z["quadrant"], "—")),
                    z["quality"],
                    z["output_yi"],
                    z["projects"],
                    z["signed_year"],
                    z["overdue_red"],
                    z["items_red"],
                    z["accountability"],
                ]
                for z in data["zones"]
            ],
            [False] * 5 + [True] * 7,
            [zone_href(z["pk"]) for z in data["zones"]],
            page_rows=PAGE_ROWS,
        ),
        DataTable(
            "prefectures",
            _("各省份") if by_province else _("各市州"),
            [
                _("省份") if by_province else _("市州"),
                _("开发区数"),
                _("国家级"),
                _("工业总产值（亿元）"),
                _("聚核及以上占比（%）"),
                _("质量得分中位数"),
                _("问责评分"),
                _("本年签约"),
                _("本年投资完成率（%）"),
                _("逾期节点（红）"),
                _("红色督办事项"),
            ],
            [
                [
                    r["name"],
                    r["zones"],
                    r["national"],
                    r["output"],
                    r["advanced"],
                    r["quality"],
                    r["accountability"],
                    r["signed_year"],
                    r["investment_rate"],
                    r["overdue"],
                    r["red_items"],
                ]
                for r in data["by_region"]
            ],
            [False] + [True] * 10,
            [] if by_province else [prefecture_href(r["pk"]) for r in data["by_region"]],
        ),
        DataTable(
            "by-type",
            _("按类型"),
            [_("类型"), _("开发区数"), _("工业总产值（亿元）")],
            [[r["label"], r["n"], r["output_yi"]] for r in data["by_type"]],
            [False, True, True],
        ),
        DataTable(
            "by-tier",
            _("按工业总产值规模"),
            [_("规模"), _("开发区数")],
            [[r["label"], r["n"]] for r in data["by_tier"]],
            [False, True],
        ),
        DataTable(
            "founding",
            _("按设立时期"),
            [_("时期"), _("开发区数")],
            [[p["label"], p["n"]] for p in data["founding"]["periods"]],
            [False, True],
        ),
        DataTable(
            "stages",
            _("发展阶段分布"),
            [_("发展阶段"), _("开发区数")],
            [[r["label"], r["n"]] for r in data["stages"]],
            [False, True],
        ),
        DataTable(
            "capacities",
            _("六力得分中位数"),
            [_("能力"), _("中位数")],
            [[r["label"], r["median"]] for r in data["capacity_medians"]],
            [False, True],
        ),
        funnel_table(data["funnel"]),
    ]
    for kind, title in (
        (SubjectKind.ZONE, _("开发区问责排名")),
        (SubjectKind.ZONE_LEADER, _("开发区一把手问责排名")),
    ):
        ranking = data["accountability"].get(kind)
        if ranking:
            tables.append(ranking_table(f"ranking-{kind}", title, ranking["rows"], PAGE_ROWS))
            movers = ranking["risers"] + ranking["fallers"]
            tables.append(ranking_table(f"movers-{kind}", title + _("：进退最大"), movers))
    return {t.key: t for t in tables}


def funnel_table(funnel: dict[str, Any]) -> DataTable:
    return DataTable(
        "funnel",
        _("各招商方式到达各阶段项目数"),
        [_("招商方式"), *funnel["stages"]],
        [[m["label"], *m["counts"]] for m in funnel["modes"]] + [[_("合计"), *funnel["total"]]],
        [False] + [True] * len(funnel["stages"]),
    )


def ranking_table(
    key: str, title: str, rows: list[dict[str, Any]], page_rows: int | None = None
) -> DataTable:
    score_href = pk_url("investment:accountability-detail")
    return DataTable(
        key,
        title,
        [
            _("名次"),
            _("评价对象"),
            _("所在开发区"),
            _("评分"),
            _("颜色"),
            _("较上月"),
            _("名次变化"),
        ],
        [
            [
                r["rank"],
                r["name"],
                r["zone_name"] or "—",
                r["score"],
                _colour(r["colour"]),
                r["movement"],
                r["rank_movement"],
            ]
            for r in rows
        ],
        [True, False, False, True, False, True, True],
        [score_href(r["pk"]) for r in rows],
        link_column=1,
        page_rows=page_rows,
    )


def zone_tables(data: dict[str, Any]) -> dict[str, DataTable]:
    caps = data["capacities"]
    trends = data["trends"]
    tables = [
        DataTable(
            "capacities",
            _("六力得分与全省中位数"),
            [_("能力"), _("本开发区"), _("全省中位数")],
            [[c["label"], c["value"], c["median"]] for c in caps],
            [False, True, True],
        ),
        funnel_table(data["funnel"]),
        ranking_table("people", _("本开发区人员问责评分"), data["people"]),
        DataTable(
            "trends",
            _("近12个月趋势"),
            [
                _("月份"),
                _("发展阶段"),
                _("质量综合得分"),
                _("问责评分"),
                _("当月签约项目"),
                _("当月完成投资（亿元）"),
                _("逾期节点（红）"),
            ],
            [
                [
                    label,
                    str(STAGE_LABELS.get(trends["stage"][i], "—")),
                    trends["quality"][i],
                    trends["accountability"][i],
                    trends["signed"][i],
                    trends["completed_yi"][i],
                    trends["overdue_red"][i],
                ]
                for i, label in enumerate(trends["labels"])
            ],
            [False, False, True, True, True, True, True],
        ),
    ]
    return {t.key: t for t in tables}
