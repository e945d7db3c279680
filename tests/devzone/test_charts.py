"""The server-side SVG charts: structure a page, a PDF and the browser tests can rely on.

Every chart is parsed with ElementTree, so each test also proves the output is well-formed XML.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils.safestring import SafeString

from devzone import charts
from devzone.charts import (
    GUIZHOU_LAYOUT,
    PALETTE,
    STAGE_COLOURS,
    WARNING_COLOURS,
    Band,
    Point,
    Series,
    Tile,
)
from devzone.charts_svg import nice_ticks

NS = "{http://www.w3.org/2000/svg}"
PREFECTURES = [
    "贵阳市",
    "遵义市",
    "六盘水市",
    "安顺市",
    "毕节市",
    "铜仁市",
    "黔西南州",
    "黔东南州",
    "黔南州",
]
GUIZHOU_NAMES = {
    "520100": "贵阳市",
    "520200": "六盘水市",
    "520300": "遵义市",
    "520400": "安顺市",
    "520500": "毕节市",
    "520600": "铜仁市",
    "520900": "贵安新区",
    "522300": "黔西南州",
    "522600": "黔东南州",
    "522700": "黔南州",
}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def marks(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if g.get("class") == "dz-mark"]


def tooltip(mark: ET.Element) -> str:
    return mark.find(f"{NS}title").text


def shape(mark: ET.Element, tag: str) -> ET.Element | None:
    return mark.find(f"{NS}{tag}")


def of_class(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [e for e in root.iter() if css_class in (e.get("class") or "").split()]


def f(element: ET.Element, attribute: str) -> float:
    return float(element.get(attribute))


def hex_centre(mark: ET.Element) -> tuple[float, float]:
    numbers = [float(n) for n in re.split(r"[ ,]", shape(mark, "polygon").get("points"))]
    xs, ys = numbers[0::2], numbers[1::2]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def guizhou_tiles(**values: int | None) -> list[Tile]:
    return [
        Tile(code, name, values.get(code, i + 1), href=f"/prefectures/{code}/")
        for i, (code, name) in enumerate(GUIZHOU_NAMES.items())
    ]


# One sample of every kind of chart, with data, and one without: the checks that hold for all
# charts run over both lists.
SAMPLES: dict[str, Callable[[], SafeString]] = {
    "bar": lambda: charts.bar(
        "各市州开发区数量",
        PREFECTURES,
        [11, 9, 4, None, 0, 3, 5, 7, 6],
        chart_id="zones-by-prefecture",
        unit="个",
        links=["/prefectures/1/"] + [None] * 8,
    ),
    "stacked_bar": lambda: charts.stacked_bar(
        "发展阶段",
        PREFECTURES[:3],
        [Series("聚集", [1, 2, None]), Series("聚核", [3, 0, 1], STAGE_COLOURS["core"])],
        chart_id="stages",
        unit="个",
        percent=True,
    ),
    "line": lambda: charts.line(
        "投资完成",
        ["1月", "2月", "3月", "4月"],
        [Series("2024年", [1, None, 3, 4]), Series("2023年", [2, 2, 2, 2])],
        chart_id="investment-trend",
        unit="亿元",
        bands=[Band(1, 2, "一季度")],
    ),
    "funnel": lambda: charts.funnel(
        "项目推进", ["签约", "开工", "投产"], [120, 80, 45], chart_id="project-funnel"
    ),
    "radar": lambda: charts.radar(
        "能力画像",
        ["产业", "创新", "开放", "绿色", "营商"],
        [Series("本开发区", [80, 60, 40, None, 90]), Series("全省中位数", [50] * 5)],
        chart_id="capacity-radar",
    ),
    "scatter": lambda: charts.scatter(
        "四象限",
        [Point(10, 20, "甲", group="国家级"), Point(70, 80, "乙", group="省级", href="/z/2/")],
        chart_id="quadrants",
        x_label="亩均税收",
        y_label="增速",
        x_split=50,
        y_split=50,
        quadrant_labels=("领跑", "潜力", "追赶", "稳健"),
    ),
    "timeline": lambda: charts.timeline(
        "设立年份",
        [1992, 1993, 1995],
        [2, 0, 5],
        chart_id="founding-years",
        bands=[Band(1992, 1993, "起步期")],
    ),
    "tile_map": lambda: charts.tile_map(
        "各市州", guizhou_tiles(), chart_id="guizhou-map", layout=GUIZHOU_LAYOUT
    ),
}
EMPTY_SAMPLES: dict[str, Callable[[], SafeString]] = {
    "bar": lambda: charts.bar("空", [], [], chart_id="empty-bar"),
    "stacked_bar": lambda: charts.stacked_bar("空", [], [], chart_id="empty-stacked"),
    "line": lambda: charts.line("空", [], [], chart_id="empty-line"),
    "funnel": lambda: charts.funnel("空", [], [], chart_id="empty-funnel"),
    "radar": lambda: charts.radar("空", [], [], chart_id="empty-radar"),
    "scatter": lambda: charts.scatter("空", [], chart_id="empty-scatter", x_label="x", y_label="y"),
    "timeline": lambda: charts.timeline("空", [], [], chart_id="empty-timeline"),
    "tile_map": lambda: charts.tile_map("空", [], chart_id="empty-map"),
}
ALL = [pytest.param(kind, build, id=kind) for kind, build in SAMPLES.items()] + [
    pytest.param(kind, build, id=f"{kind}-empty") for kind, build in EMPTY_SAMPLES.items()
]


@pytest.mark.parametrize(("kind", "build"), ALL)
def test_every_chart_is_an_accessible_svg_with_a_white_background(kind, build):
    svg = build()
    root = parse(svg)
    chart_id = root.get("id")
    assert isinstance(svg, SafeString)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("class") == "dz-chart"
    assert root.get("data-chart") == kind
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert "Noto Sans CJK SC" in root.get("font-family")
    assert root.find(f"{NS}title").get("id") == f"{chart_id}-title"
    assert root.find(f"{NS}title").text
    assert root.find(f"{NS}desc").get("id") == f"{chart_id}-desc"
    assert root.find(f"{NS}desc").text
    background = root.find(f"{NS}rect")
    assert background.get("fill") == "#ffffff"
    assert (background.get("width"), background.get("height")) == (
        root.get("width"),
        root.get("height"),
    )


@pytest.mark.parametrize(("kind", "build"), ALL)
def test_no_chart_uses_a_style_attribute_or_element(kind, build):
    svg = build()
    root = parse(svg)
    assert all("style" not in element.attrib for element in root.iter())
    assert not list(root.iter(f"{NS}style"))
    assert "style=" not in svg


@pytest.mark.parametrize(("kind", "build"), ALL)
def test_the_same_input_draws_the_same_string(kind, build):
    assert str(build()) == str(build())


@pytest.mark.parametrize(("kind", "build"), SAMPLES.items())
def test_every_mark_starts_with_its_tooltip_and_exposes_label_value_and_series(kind, build):
    found = marks(parse(build()))
    assert found
    for mark in found:
        assert mark[0].tag == f"{NS}title"
        assert mark[0].text.startswith(mark.get("data-label")) and "：" in mark[0].text
        assert {"data-label", "data-value", "data-series"} <= set(mark.attrib)
        assert re.fullmatch(r"(-?\d+(\.\d+)?(,-?\d+(\.\d+)?)?)?", mark.get("data-value"))


@pytest.mark.parametrize(("kind", "build"), SAMPLES.items())
def test_coordinates_are_rounded_to_one_decimal(kind, build):
    root = parse(build())
    names = ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "width", "height", "points", "d")
    for element in root.iter():
        for name in names:
            value = element.get(name)
            if value is not None:
                assert not re.search(r"\d\.\d\d", value), (kind, name, value)


@pytest.mark.parametrize(("kind", "build"), EMPTY_SAMPLES.items())
def test_an_empty_chart_says_no_data_in_its_centre(kind, build):
    root = parse(build())
    (empty,) = of_class(root, "dz-empty")
    assert empty.text == "暂无数据"
    assert empty.get("text-anchor") == "middle"
    assert f(empty, "x") == pytest.approx(f(root, "width") / 2, abs=0.1)
    assert not marks(root)


def test_bar_chart_has_one_mark_per_category_with_its_value_and_tooltip():
    root = parse(SAMPLES["bar"]())
    found = marks(root)
    assert [m.get("data-label") for m in found] == PREFECTURES
    assert [m.get("data-value") for m in found] == ["11", "9", "4", "", "0", "3", "5", "7", "6"]
    assert tooltip(found[0]) == "贵阳市：11个"
    assert tooltip(found[3]) == "安顺市：无数据"
    assert root.find(f"{NS}desc").text == "共9个类别，最大值 贵阳市 11个，1个无数据"


def test_vertical_bar_heights_are_proportional_to_values():
    svg = charts.bar("b", ["a", "b", "c"], [10, 25, Decimal("7.5")], chart_id="prop")
    heights = [f(shape(m, "rect"), "height") for m in marks(parse(svg))]
    assert heights[1] / heights[0] == pytest.approx(2.5, rel=0.01)
    assert heights[2] / heights[0] == pytest.approx(0.75, rel=0.01)
    bottoms = {
        round(f(shape(m, "rect"), "y") + f(shape(m, "rect"), "height"), 1)
        for m in marks(parse(svg))
    }
    assert len(bottoms) == 1  # every bar stands on the zero line


def test_horizontal_bar_widths_are_proportional_to_values():
    svg = charts.bar("b", ["a", "b"], [40, 10], chart_id="prop-h", horizontal=True)
    first, second = (shape(m, "rect") for m in marks(parse(svg)))
    assert f(first, "width") / f(second, "width") == pytest.approx(4, rel=0.01)
    assert f(first, "x") == f(second, "x")


def test_missing_value_draws_no_bar_and_zero_draws_a_zero_length_bar():
    found = marks(parse(SAMPLES["bar"]()))
    missing, zero = found[3], found[4]
    assert shape(missing, "rect") is None
    assert shape(missing, "text").text == "无数据"
    assert f(shape(zero, "rect"), "height") == 0
    assert tooltip(zero) == "毕节市：0个"


def test_negative_bars_hang_below_the_zero_line_and_non_finite_values_count_as_missing():
    svg = charts.bar("b", ["亏", "盈", "坏"], [-5, 10, float("nan")], chart_id="negative")
    loss, gain, bad = marks(parse(svg))
    zero = f(shape(gain, "rect"), "y") + f(shape(gain, "rect"), "height")
    assert f(shape(loss, "rect"), "y") == pytest.approx(zero, abs=0.1)
    assert f(shape(loss, "rect"), "height") * 2 == pytest.approx(
        f(shape(gain, "rect"), "height"), abs=0.2
    )
    assert bad.get("data-value") == "" and shape(bad, "rect") is None


def test_stacked_totals_add_decimals_and_floats():
    svg = charts.stacked_bar(
        "s", ["甲"], [Series("a", [Decimal("1.5")]), Series("b", [2.25])], chart_id="mixed"
    )
    assert parse(svg).find(f"{NS}desc").text == "共1个类别、2个系列，合计最大 甲 3.75"


def test_value_axis_starts_at_zero_with_nice_ticks_and_the_unit():
    root = parse(SAMPLES["bar"]())
    (axis,) = of_class(root, "dz-axis-y")
    labels = [t.text for t in axis.iter(f"{NS}text")]
    assert labels == ["0", "2.5", "5", "7.5", "10", "12.5", "个"]
    assert axis.get("data-unit") == "个"


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (0, 11, [0, 2.5, 5, 7.5, 10, 12.5]),
        (0, 100, [0, 20, 40, 60, 80, 100]),
        (0, 0.37, [0, 0.1, 0.2, 0.3, 0.4]),
        (-3, 7, [-4, -2, 0, 2, 4, 6, 8]),
        (0, 0, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (1200, 4800, [1000, 2000, 3000, 4000, 5000]),
    ],
)
def test_value_ticks_are_nice_numbers(lo, hi, expected):
    assert nice_ticks(lo, hi) == pytest.approx(expected)


def test_data_value_is_plain_decimal_and_tooltip_uses_the_value_format():
    svg = charts.bar(
        "b",
        ["a", "b", "c", "d"],
        [Decimal("3.50"), 3.456, 12.0, Decimal("1E+3")],
        chart_id="formats",
        unit="亿元",
    )
    found = marks(parse(svg))
    assert [m.get("data-value") for m in found] == ["3.5", "3.456", "12", "1000"]
    assert [tooltip(m) for m in found] == ["a：3.5亿元", "b：3.46亿元", "c：12亿元", "d：1000亿元"]
    custom = charts.bar("b", ["a"], [0.256], chart_id="custom", value_format=lambda v: f"{v:.0%}")
    (mark,) = marks(parse(custom))
    assert tooltip(mark) == "a：26%"
    assert shape(mark, "text").text == "26%"


def test_labels_are_escaped_and_stay_text():
    label = "<script>alert(1)</script>&\"'"
    svg = charts.bar(label, [label], [1], chart_id="escaping", unit="<b>")
    root = parse(svg)
    assert "<script>" not in svg
    assert not [e for e in root.iter() if e.tag.endswith("script") or e.tag.endswith("}b")]
    (mark,) = marks(root)
    assert mark.get("data-label") == label
    assert tooltip(mark) == f"{label}：1<b>"
    assert root.find(f"{NS}title").text == label


def test_control_characters_in_labels_do_not_break_the_xml():
    svg = charts.bar("t\x00\x0b", ["贵阳\x1f市"], [1], chart_id="control")
    (mark,) = marks(parse(svg))
    assert mark.get("data-label") == "贵阳市"


def test_links_wrap_their_marks_in_an_anchor():
    svg = charts.bar(
        "b",
        ["a", "b", "c"],
        [1, 2, 3],
        chart_id="links",
        links=["/zones/1/?tab=a&b=c", None, "javascript:alert(1)"],
    )
    root = parse(svg)
    anchors = list(root.iter(f"{NS}a"))
    assert len(anchors) == 1
    assert anchors[0].get("href") == "/zones/1/?tab=a&b=c"
    assert [m.get("data-label") for m in marks(anchors[0])] == ["a"]
    assert "javascript:" not in svg
    assert len(marks(root)) == 3


def test_long_category_labels_are_cut_but_the_tooltip_keeps_them():
    long_name = "黔西南布依族苗族自治州国家级高新技术产业开发区"
    names = [long_name, "贵阳市", "遵义市", "安顺市", "毕节市"]
    root = parse(charts.bar("b", names, [1, 2, 3, 4, 5], chart_id="long"))
    shown = [t.text for t in of_class(root, "dz-category")]
    assert shown[0].endswith("…") and len(shown[0]) < len(long_name)
    assert shown[1:] == names[1:]
    assert tooltip(marks(root)[0]) == f"{long_name}：1"


def test_values_must_line_up_with_categories():
    with pytest.raises(ValueError, match="values"):
        charts.bar("b", ["a", "b"], [1], chart_id="misaligned")
    with pytest.raises(ValueError, match="links"):
        charts.bar("b", ["a"], [1], chart_id="misaligned", links=[None, None])
    with pytest.raises(ValueError, match="series"):
        charts.line("l", ["a", "b"], [Series("s", [1])], chart_id="misaligned")


@pytest.mark.parametrize("chart_id", ["", "Bar", "a b", "a_b", '"><script>', "图表", None])
def test_chart_id_must_be_a_lowercase_slug(chart_id):
    with pytest.raises(ValueError, match="chart_id"):
        charts.bar("b", ["a"], [1], chart_id=chart_id)


def test_chart_id_is_required():
    with pytest.raises(TypeError):
        charts.bar("b", ["a"], [1])  # type: ignore[call-arg]


def test_stacked_bar_has_a_mark_per_category_and_series_and_a_legend():
    root = parse(
        charts.stacked_bar(
            "s",
            ["甲", "乙"],
            [Series("聚集", [1, 2]), Series("聚核", [3, None], "#123456")],
            chart_id="stack",
            unit="个",
        )
    )
    found = marks(root)
    assert [(m.get("data-label"), m.get("data-series"), m.get("data-value")) for m in found] == [
        ("甲", "聚集", "1"),
        ("甲", "聚核", "3"),
        ("乙", "聚集", "2"),
        ("乙", "聚核", ""),
    ]
    assert tooltip(found[1]) == "甲 · 聚核：3个"
    assert tooltip(found[3]) == "乙 · 聚核：无数据"
    assert shape(found[3], "rect") is None
    assert shape(found[1], "rect").get("fill") == "#123456"
    legend = [item.get("data-series") for item in of_class(root, "dz-legend-item")]
    assert legend == ["聚集", "聚核"]
    # Stacked: the second segment sits on top of the first.
    first, second = shape(found[0], "rect"), shape(found[1], "rect")
    assert f(second, "y") + f(second, "height") == pytest.approx(f(first, "y"), abs=0.11)
    assert f(second, "height") == pytest.approx(3 * f(first, "height"), rel=0.02)


def test_percent_stacks_fill_the_axis_and_the_tooltip_keeps_count_and_share():
    root = parse(
        charts.stacked_bar(
            "s",
            ["甲", "乙"],
            [Series("聚集", [1, 10]), Series("聚核", [3, 30])],
            chart_id="stack-pct",
            unit="个",
            percent=True,
        )
    )
    found = marks(root)
    totals = [
        sum(f(shape(m, "rect"), "height") for m in found if m.get("data-label") == label)
        for label in ("甲", "乙")
    ]
    assert totals[0] == pytest.approx(totals[1], abs=0.2)
    assert tooltip(found[0]) == "甲 · 聚集：1个（25%）"
    assert found[0].get("data-value") == "1"
    assert found[0].get("data-share") == "25"
    (axis,) = of_class(root, "dz-axis-y")
    assert axis.get("data-unit") == "%"


def test_line_breaks_at_missing_values_and_keeps_a_mark_saying_no_data():
    root = parse(
        charts.line("l", ["一", "二", "三", "四"], [Series("", [1, None, 3, 4])], chart_id="gap")
    )
    (path,) = of_class(root, "dz-line")
    assert path.get("d").count("M") == 2
    found = marks(root)
    assert [m.get("data-value") for m in found] == ["1", "", "3", "4"]
    assert tooltip(found[1]) == "二：无数据"
    assert shape(found[1], "circle") is None
    ys = [f(shape(m, "circle"), "cy") for m in (found[0], found[2], found[3])]
    assert ys[0] > ys[1] > ys[2]  # higher values are drawn higher
    assert not of_class(root, "dz-legend")  # one series: no legend


def test_line_band_covers_its_index_positions():
    root = parse(SAMPLES["line"]())
    (band,) = of_class(root, "dz-band")
    rect = band.find(f"{NS}rect")
    x0, x1 = f(rect, "x"), f(rect, "x") + f(rect, "width")
    xs = [f(shape(m, "circle"), "cx") for m in marks(root) if m.get("data-series") == "2023年"]
    assert [x0 < x < x1 for x in xs] == [False, True, True, False]
    assert [i.get("data-series") for i in of_class(root, "dz-legend-item")] == ["2024年", "2023年"]


def test_funnel_widths_do_not_increase_when_values_do_not():
    root = parse(
        charts.funnel(
            "f",
            ["签约", "开工", "投产", "达产"],
            [120, 80, 80, 20],
            chart_id="funnel",
            secondary=["计划投资 12.3 亿元", "", "", ""],
        )
    )
    found = marks(root)
    widths = [f(shape(m, "rect"), "width") for m in found]
    assert widths == sorted(widths, reverse=True)
    assert widths[0] / widths[3] == pytest.approx(6, rel=0.01)
    centres = {round(f(shape(m, "rect"), "x") + f(shape(m, "rect"), "width") / 2, 1) for m in found}
    assert len(centres) == 1  # centred
    rates = [c.get("data-value") for c in of_class(root, "dz-conversion")]
    assert [float(r) for r in rates] == pytest.approx([2 / 3, 1, 0.25])
    texts = [c.find(f"{NS}text").text for c in of_class(root, "dz-conversion")]
    assert texts == ["转化率 66.67%", "转化率 100%", "转化率 25%"]
    assert tooltip(found[0]) == "签约：120个，计划投资 12.3 亿元"
    assert of_class(root, "dz-secondary")[0].text == "计划投资 12.3 亿元"


def test_funnel_shows_given_conversions_and_a_missing_step():
    root = parse(
        charts.funnel(
            "f",
            ["a", "b", "c"],
            [10, None, 2],
            chart_id="funnel-given",
            conversions=[None, Decimal("0.505")],
        )
    )
    found = marks(root)
    assert shape(found[1], "rect") is None
    assert tooltip(found[1]) == "b：无数据"
    (conversion,) = of_class(root, "dz-conversion")
    assert conversion.get("data-value") == "0.505"
    assert conversion.find(f"{NS}text").text == "转化率 50.5%"


def test_radar_vertex_distances_are_proportional_to_values():
    root = parse(
        charts.radar(
            "r",
            ["甲", "乙", "丙", "丁"],
            [Series("本区", [100, 50, 25, None]), Series("中位数", [40, 40, 40, 40])],
            chart_id="radar",
        )
    )
    spoke = of_class(root, "dz-axis")[0]
    cx, cy = f(spoke, "x1"), f(spoke, "y1")
    rim = math.dist((cx, cy), (f(spoke, "x2"), f(spoke, "y2")))
    zone = [m for m in marks(root) if m.get("data-series") == "本区"]
    distances = [
        math.dist((cx, cy), (f(shape(m, "circle"), "cx"), f(shape(m, "circle"), "cy")))
        for m in zone[:3]
    ]
    assert distances == pytest.approx([rim, rim / 2, rim / 4], abs=0.2)
    assert shape(zone[3], "circle") is None
    assert tooltip(zone[3]) == "丁 · 本区：无数据"
    areas = of_class(root, "dz-area")
    assert areas[0].get("fill-opacity") and areas[0].get("stroke-dasharray") is None
    assert areas[1].get("fill") == "none" and areas[1].get("stroke-dasharray")
    # The first axis points straight up.
    assert f(spoke, "x2") == pytest.approx(cx) and f(spoke, "y2") < cy


def test_scatter_points_land_in_their_quadrant():
    points = [
        Point(80, 90, "top-right"),
        Point(10, 70, "top-left"),
        Point(20, 5, "bottom-left"),
        Point(99, 30, "bottom-right"),
    ]
    root = parse(
        charts.scatter(
            "q",
            points,
            chart_id="quadrant",
            x_label="x",
            y_label="y",
            x_split=50,
            y_split=40,
            quadrant_labels=("领跑", "潜力", "追赶", "稳健"),
        )
    )
    (x_split,) = of_class(root, "dz-split-x")
    (y_split,) = of_class(root, "dz-split-y")
    split_x, split_y = f(x_split, "x1"), f(y_split, "y1")
    sides = {}
    for mark in marks(root):
        dot = shape(mark, "circle")
        right, top = f(dot, "cx") > split_x, f(dot, "cy") < split_y
        sides[mark.get("data-label")] = (
            ("top" if top else "bottom") + "-" + ("right" if right else "left")
        )
    assert sides == {p.label: p.label for p in points}
    labels = of_class(root, "dz-quadrant")
    assert [q.text for q in labels] == ["领跑", "潜力", "追赶", "稳健"]
    top_right = labels[0]
    assert f(top_right, "x") > split_x and f(top_right, "y") < split_y


def test_scatter_skips_points_without_coordinates_and_counts_them():
    root = parse(
        charts.scatter(
            "q",
            [Point(1, 2, "甲", group="国家级"), Point(None, 2, "乙"), Point(3, None, "丙")],
            chart_id="skip",
            x_label="亩均税收",
            y_label="增速",
        )
    )
    (mark,) = marks(root)
    assert (mark.get("data-x"), mark.get("data-y"), mark.get("data-value")) == ("1", "2", "1,2")
    assert mark.get("data-series") == "国家级"
    assert tooltip(mark) == "甲：亩均税收 1，增速 2"
    assert root.find(f"{NS}desc").text == "共3个点，2个缺少数据未绘制"
    assert [i.get("data-series") for i in of_class(root, "dz-legend-item")] == ["国家级"]


def test_scatter_legend_uses_the_colours_of_the_groups_points():
    points = [
        Point(1, 1, "甲", colour="#198754", group="领跑"),
        Point(2, 2, "乙", colour="#198754", group="领跑"),
        Point(3, 3, "丙", group="其他"),
    ]
    root = parse(charts.scatter("q", points, chart_id="legend", x_label="x", y_label="y"))
    swatches = {
        item.get("data-series"): item.find(f"{NS}rect").get("fill")
        for item in of_class(root, "dz-legend-item")
    }
    assert swatches == {"领跑": "#198754", "其他": PALETTE[1]}
    fills = [shape(m, "circle").get("fill") for m in marks(root)]
    assert fills == ["#198754", "#198754", PALETTE[1]]


def test_timeline_bands_cover_their_years():
    root = parse(
        charts.timeline(
            "t",
            list(range(1990, 2000)),
            [1] * 10,
            chart_id="timeline",
            bands=[Band(1990, 1993, "起步期"), Band(1994, 1999, "扩张期"), Band(2005, 2010, "外")],
            links=[f"/years/{y}/" for y in range(1990, 2000)],
        )
    )
    bands = of_class(root, "dz-band")
    assert [b.get("data-label") for b in bands] == ["起步期", "扩张期"]  # outside: not drawn
    centres = {
        int(m.get("data-label")): f(shape(m, "rect"), "x") + f(shape(m, "rect"), "width") / 2
        for m in marks(root)
    }
    for band in bands:
        rect = band.find(f"{NS}rect")
        x0, x1 = f(rect, "x"), f(rect, "x") + f(rect, "width")
        covered = {year for year, x in centres.items() if x0 < x < x1}
        first, last = int(band.get("data-start")), int(band.get("data-end"))
        assert covered == set(range(first, last + 1))
    assert len(list(root.iter(f"{NS}a"))) == 10
    assert tooltip(marks(root)[0]) == "1990年：1个"


def test_timeline_leaves_years_without_a_count_empty():
    root = parse(charts.timeline("t", [2001, 2004], [3, None], chart_id="gaps"))
    found = marks(root)
    assert [m.get("data-label") for m in found] == ["2001", "2004"]
    assert shape(found[1], "rect") is None
    assert root.find(f"{NS}desc").text == "2001—2004年共3个，最多为 2001年 3个，1个无数据"


def test_tile_map_places_the_ten_guizhou_prefectures_at_their_layout_positions():
    root = parse(SAMPLES["tile_map"]())
    found = marks(root)
    assert {m.get("data-code") for m in found} == set(GUIZHOU_LAYOUT) == set(GUIZHOU_NAMES)
    for mark in found:
        cell = (int(mark.get("data-col")), int(mark.get("data-row")))
        assert cell == GUIZHOU_LAYOUT[mark.get("data-code")]
    centre = {m.get("data-label"): hex_centre(m) for m in found}
    polygon = shape(found[0], "polygon")
    xs = [float(n) for n in re.split(r"[ ,]", polygon.get("points"))][0::2]
    hex_width = max(xs) - min(xs)
    for a in centre.values():
        for b in centre.values():
            if a != b:
                assert math.dist(a, b) >= hex_width * 0.99  # no two tiles overlap
    assert centre["毕节市"][0] < centre["遵义市"][0] < centre["铜仁市"][0]  # the north row
    assert centre["遵义市"][1] < centre["贵阳市"][1] < centre["黔南州"][1]
    assert centre["六盘水市"][0] < centre["安顺市"][0] < centre["贵安新区"][0] < centre["贵阳市"][0]
    assert centre["黔西南州"][0] < centre["黔东南州"][0]
    assert all(len(anchor) == 1 for anchor in root.iter(f"{NS}a"))


def test_guizhou_layout_is_contiguous_within_four_columns_and_four_rows():
    cells = set(GUIZHOU_LAYOUT.values())
    assert len(cells) == 10
    assert {c for c, _ in cells} <= set(range(4)) and {r for _, r in cells} <= set(range(4))

    def neighbours(col: int, row: int) -> set[tuple[int, int]]:
        shift = row % 2  # odd rows sit half a hexagon to the right
        return {
            (col - 1, row),
            (col + 1, row),
            (col - 1 + shift, row - 1),
            (col + shift, row - 1),
            (col - 1 + shift, row + 1),
            (col + shift, row + 1),
        }

    seen, todo = set(), [next(iter(cells))]
    while todo:
        cell = todo.pop()
        if cell not in seen:
            seen.add(cell)
            todo.extend(neighbours(*cell) & cells)
    assert seen == cells


def test_tile_map_puts_tiles_missing_from_the_layout_on_a_grid_below():
    tiles = guizhou_tiles() + [Tile("999999", "新设区", 4), Tile("888888", "另一区", None)]
    root = parse(charts.tile_map("m", tiles, chart_id="fallback", layout=GUIZHOU_LAYOUT))
    found = {m.get("data-code"): m for m in marks(root)}
    assert len(found) == 12
    lowest_layout_row = max(r for _, r in GUIZHOU_LAYOUT.values())
    for code in ("999999", "888888"):
        assert int(found[code].get("data-row")) > lowest_layout_row
    centres = [hex_centre(m) for m in found.values()]
    assert len({(round(x), round(y)) for x, y in centres}) == 12


def test_tile_map_without_a_layout_places_every_tile_once():
    tiles = [Tile(str(i), f"省{i}", i) for i in range(31)]
    root = parse(charts.tile_map("全国", tiles, chart_id="national"))
    found = marks(root)
    cells = {(m.get("data-col"), m.get("data-row")) for m in found}
    assert len(found) == len(cells) == 31
    width = f(root, "width")
    for mark in found:
        x, _ = hex_centre(mark)
        assert 0 < x < width


def test_tile_map_colours_by_value_greys_missing_tiles_and_honours_tile_colours():
    tiles = [
        Tile("1", "低", 0),
        Tile("2", "高", 10, display="10个"),
        Tile("3", "空", None),
        Tile("4", "红", 5, colour=WARNING_COLOURS["red"]),
    ]
    root = parse(charts.tile_map("m", tiles, chart_id="colours", legend_title="开发区数"))
    low, high, missing, red = (shape(m, "polygon").get("fill") for m in marks(root))
    assert low == charts.sequential(0, 0, 10) and high == charts.sequential(10, 0, 10)
    assert missing == charts.sequential(None, 0, 10)
    assert red == "#dc3545"
    found = marks(root)
    assert tooltip(found[0]) == "低：0"
    assert tooltip(found[1]) == "高：10个"
    assert tooltip(found[2]) == "空：无数据"
    assert found[2].get("data-value") == ""
    (legend,) = of_class(root, "dz-legend")
    assert (legend.get("data-lo"), legend.get("data-hi")) == ("0", "10")
    assert any(t.text == "无数据" for t in legend.iter(f"{NS}text"))
    # Text on the darkest tile is white, on the lightest dark.
    inks = [shape(m, "text").get("fill") for m in found[:2]]
    assert inks == ["#212529", "#ffffff"]


def test_tile_labels_drop_the_suffix_only_when_long():
    root = parse(SAMPLES["tile_map"]())
    shown = {m.get("data-label"): shape(m, "text").text for m in marks(root)}
    assert shown["贵阳市"] == "贵阳市"
    assert shown["六盘水市"] == "六盘水"
    assert shown["黔东南州"] == "黔东南"
    assert shown["贵安新区"] == "贵安"


def test_sequential_runs_light_to_dark_and_greys_missing_values():
    def luminance(colour: str) -> int:
        return sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    ramp = [charts.sequential(v, 0, 100) for v in (0, 25, 50, 75, 100)]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in ramp)
    assert [luminance(c) for c in ramp] == sorted((luminance(c) for c in ramp), reverse=True)
    assert charts.sequential(-5, 0, 100) == ramp[0] and charts.sequential(500, 0, 100) == ramp[-1]
    assert charts.sequential(None, 0, 100) not in ramp
    assert charts.sequential(3, 3, 3) == charts.sequential(50, 0, 100)


def test_colour_constants_are_fixed_and_distinct():
    assert list(STAGE_COLOURS) == ["agglomerating", "agglomerated", "core", "chain", "network"]
    assert WARNING_COLOURS["none"] == WARNING_COLOURS["green"]
    assert len(PALETTE) == len(set(PALETTE)) == 10
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in PALETTE)


def test_svg_document_is_a_standalone_xml_file():
    document = charts.svg_document(SAMPLES["bar"]())
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    root = ET.fromstring(document.encode("utf-8"))
    assert root.get("id") == "zones-by-prefecture"
