"""The hexagon cartogram of ``devzone.charts``: one equal-sized tile per region, so that a small
prefecture counts as much as a large one and no map data (GeoJSON, projections) is needed.

Tiles are pointy-top hexagons on an offset grid (odd rows shifted right by half a hexagon).
``GUIZHOU_LAYOUT`` places Guizhou's ten prefecture-level units; any other province works without
a layout, its tiles going on a compact grid in the order given. Pure: stdlib and django.utils.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from devzone.charts_svg import (
    MISSING,
    MUTED,
    NO_DATA,
    TITLE_H,
    Number,
    ValueFormat,
    check_chart_id,
    clean,
    default_format,
    document,
    el,
    empty_state,
    mark,
    num,
    plain_value,
    ramp,
    sequential,
    text,
    text_colour_on,
    text_width,
    truncate,
)

# (column, row) by prefecture code. Schematic, but each tile's neighbours are mostly its real
# neighbours: 毕节 borders 六盘水 and 安顺, 黔南 borders 贵阳 and 黔东南, and so on.
GUIZHOU_LAYOUT: dict[str, tuple[int, int]] = {
    "520500": (1, 0),  # 毕节市, northwest
    "520300": (2, 0),  # 遵义市, north
    "520600": (3, 0),  # 铜仁市, northeast
    "520200": (0, 1),  # 六盘水市, west
    "520400": (1, 1),  # 安顺市, centre-west
    "520100": (2, 1),  # 贵阳市, centre
    "522600": (3, 1),  # 黔东南州, east
    "522300": (1, 2),  # 黔西南州, southwest
    "520900": (2, 2),  # 贵安新区, centre, just below between 安顺 and 贵阳
    "522700": (3, 2),  # 黔南州, south-centre
}
_SUFFIXES = ("自治州", "自治区", "新区", "地区", "市", "州")
SQRT3 = math.sqrt(3)


@dataclass(frozen=True)
class Tile:
    """One region: its code (to find it in a layout), full label, value, an optional text shown
    under the label (``display``), a link and a colour that overrides the value's colour."""

    code: str
    label: str
    value: Number | None
    display: str = ""
    href: str | None = None
    colour: str | None = None


def short_label(label: str) -> str:
    """ "六盘水市" → "六盘水", "贵安新区" → "贵安"; three characters or fewer stay as they are."""
    if len(label) > 3:
        for suffix in _SUFFIXES:
            if label.endswith(suffix) and len(label) > len(suffix) + 1:
                return label[: -len(suffix)]
    return label


def place(tiles: Sequence[Tile], layout: Mapping[str, tuple[int, int]]) -> list[tuple[int, int]]:
    """Each tile's (column, row): from the layout when it has a free cell there, else on a
    compact grid below the laid-out tiles, in the given order. No two tiles share a cell."""
    cells: list[tuple[int, int] | None] = []
    taken: set[tuple[int, int]] = set()
    for tile in tiles:
        cell = layout.get(tile.code)
        cell = (int(cell[0]), int(cell[1])) if cell is not None else None
        if cell is None or cell in taken:
            cells.append(None)
        else:
            taken.add(cell)
            cells.append(cell)
    rest = [i for i, cell in enumerate(cells) if cell is None]
    if rest:
        columns = max(math.ceil(math.sqrt(len(rest) * 1.6)), 1)
        row0 = 0
        if taken:
            columns = max(columns, max(c for c, _ in taken) - min(c for c, _ in taken) + 1)
            row0 = max(r for _, r in taken) + 1
        left = min((c for c, _ in taken), default=0)
        for k, i in enumerate(rest):
            cells[i] = (left + k % columns, row0 + k // columns)
    return [cell for cell in cells if cell is not None]


def tile_map(
    title: str,
    tiles: Sequence[Tile],
    *,
    chart_id: str,
    layout: Mapping[str, tuple[int, int]] | None = None,
    legend_title: str = "",
    lo: Number | None = None,
    hi: Number | None = None,
    width: int = 560,
    height: int | None = None,
    value_format: ValueFormat | None = None,
) -> SafeString:
    """A hexagon cartogram; each tile coloured ``tile.colour`` or by ``sequential(value, lo,
    hi)`` (lo/hi default to the values' min and max), with a continuous legend lo → hi."""
    check_chart_id(chart_id)
    fmt = value_format or default_format
    items = list(tiles)
    values = [clean(t.value) for t in items]
    present = [v for v in values if v is not None]
    low = lo if lo is not None else min(present, key=float, default=None)
    high = hi if hi is not None else max(present, key=float, default=None)
    missing = sum(v is None for v in values)
    if not items:
        height = height or 240
        desc = "暂无数据"
        return document(
            "tile_map", chart_id, title, desc, width, height, [empty_state(width, height)]
        )
    best = max(
        range(len(items)), key=lambda i: -math.inf if values[i] is None else float(values[i])
    )
    desc = f"共{len(items)}个地区"
    if values[best] is not None:
        desc += f"，最大值 {items[best].label} {fmt(values[best])}"
    desc += f"，{missing}个{NO_DATA}" if missing else ""

    cells = place(items, layout or {})
    min_col = min(c + 0.5 * (r % 2) for c, r in cells)
    min_row = min(r for _, r in cells) // 2 * 2  # shift by whole row pairs: keeps the offsets
    span = max(c + 0.5 * (r % 2) for c, r in cells) - min_col + 1
    rows = max(r for _, r in cells) - min_row + 1
    top, legend_room = TITLE_H + 8, 56
    hex_w = min((width - 24) / span, 110.0)
    if height is not None:
        hex_w = min(hex_w, SQRT3 * (height - top - legend_room) / (2 + 1.5 * (rows - 1)))
    radius = max(hex_w, 8.0) / SQRT3
    hex_w, map_h = radius * SQRT3, radius * (2 + 1.5 * (rows - 1))
    height = height or math.ceil(top + map_h + legend_room)
    x0 = (width - span * hex_w) / 2
    parts = []
    for tile, value, (col, row) in zip(items, values, cells, strict=True):
        cx = x0 + (col + 0.5 * (row % 2) - min_col + 0.5) * hex_w
        cy = top + radius + (row - min_row) * 1.5 * radius
        fill = tile.colour or sequential(value, low, high)
        corners = [
            (cx + radius * math.cos(math.radians(a)), cy + radius * math.sin(math.radians(a)))
            for a in (-90, -30, 30, 90, 150, 210)
        ]
        points = " ".join(f"{num(x)},{num(y)}" for x, y in corners)
        shape = el("polygon", points=points, fill=fill, stroke="#ffffff", stroke_width=2)
        ink = text_colour_on(fill)
        label = truncate(short_label(tile.label), hex_w - 12, 12)
        shape += text(cx, cy + (-2 if tile.display else 4), label, fill=ink, anchor="middle")
        if tile.display:
            shape += text(
                cx,
                cy + 13,
                truncate(tile.display, hex_w - 12, 11),
                size=11,
                fill=ink,
                anchor="middle",
            )
        # "贵阳市：11个" when the display text says the value, else "贵阳市：11（聚核）".
        said = NO_DATA if value is None else fmt(value)
        if value is not None and tile.display:
            said = tile.display if said in tile.display else f"{said}（{tile.display}）"
        tip = f"{tile.label}：{said}"
        parts.append(
            mark(
                tile.label,
                tip,
                plain_value(value),
                shape,
                href=tile.href,
                data_code=tile.code,
                data_col=col,
                data_row=row,
            )
        )
    # A continuous legend only when some tile takes its colour from its value.
    ramp_shown = any(t.colour is None and v is not None for t, v in zip(items, values, strict=True))
    parts.append(
        _legend(chart_id, low, high, fmt, legend_title, bool(missing), width, height, ramp_shown)
    )
    return document("tile_map", chart_id, title, desc, width, height, parts)


def _legend(
    chart_id: str,
    low: Number | None,
    high: Number | None,
    fmt: ValueFormat,
    title: str,
    missing: bool,
    width: float,
    height: float,
    ramp_shown: bool,
) -> str:
    """The continuous lo → hi colour bar (a gradient of the same ramp) and a grey "无数据"."""
    y = height - 34
    parts = []
    x = 12.0
    if title and ramp_shown:
        parts.append(text(x, y + 10, title, size=11, fill=MUTED))
        x += text_width(title, 11) + 8
    if ramp_shown and low is not None and high is not None:
        gradient_id = f"{chart_id}-ramp"
        stops = "".join(el("stop", offset=k / 10, stop_color=ramp(k / 10)) for k in range(11))
        gradient = el("linearGradient", stops, id=gradient_id, x1=0, y1=0, x2=1, y2=0)
        bar_w = min(180.0, width - x - 120)
        parts.append(el("defs", gradient))
        parts.append(el("rect", x=x, y=y, width=bar_w, height=12, fill=f"url(#{gradient_id})"))
        parts.append(text(x, y + 26, fmt(low), size=11, fill=MUTED))
        parts.append(text(x + bar_w, y + 26, fmt(high), size=11, fill=MUTED, anchor="end"))
        x += bar_w + 16
    if missing:
        parts.append(el("rect", x=x, y=y, width=12, height=12, fill=MISSING))
        parts.append(text(x + 16, y + 10.5, NO_DATA, size=11, fill=MUTED))
    return el(
        "g", "".join(parts), class_="dz-legend", data_lo=plain_value(low), data_hi=plain_value(high)
    )
