"""Line, funnel, radar and scatter charts of ``devzone.charts``. Pure: stdlib and django.utils
only, no app of the project.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.safestring import SafeString

from devzone.charts_svg import (
    AXIS,
    GRID,
    MUTED,
    NO_DATA,
    PALETTE,
    TEXT,
    TITLE_H,
    Band,
    Point,
    Scale,
    Series,
    ValueFormat,
    axis_left,
    category_labels,
    check_chart_id,
    clean,
    default_format,
    document,
    el,
    empty_state,
    legend,
    mark,
    nice_ticks,
    num,
    peak,
    plain_value,
    ramp,
    same_length,
    series_colour,
    shade_bands,
    shown,
    text,
    text_colour_on,
    text_width,
    truncate,
    x_axis,
    y_axis,
)


def line(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    chart_id: str,
    unit: str = "",
    y_min: float | None = None,
    y_max: float | None = None,
    bands: Sequence[Band] = (),
    width: int = 640,
    height: int = 280,
    value_format: ValueFormat | None = None,
) -> SafeString:
    """Lines over ordered x labels; a None breaks its line. ``bands`` use x index positions."""
    check_chart_id(chart_id)
    labels, fmt = [str(x) for x in x_labels], value_format or default_format
    rows = [[clean(v) for v in s.values] for s in series]
    for s, row in zip(series, rows, strict=True):
        same_length(f"series {s.name!r}", row, len(labels))
    colours = [series_colour(s, i) for i, s in enumerate(series)]
    items = [(s.name, c, "line") for s, c in zip(series, colours, strict=True)]
    legend_markup, legend_h = legend(items if len(rows) > 1 else [], 12, TITLE_H, width - 24)
    present = [float(v) for row in rows for v in row if v is not None]
    if not labels or not rows:
        desc = "暂无数据"
        return document("line", chart_id, title, desc, width, height, [empty_state(width, height)])
    last = [
        (row[i], labels[i]) for row in rows[:1] for i in range(len(labels)) if row[i] is not None
    ]
    desc = f"共{len(labels)}个时点、{len(rows)}条折线"
    if last:
        desc += f"，{series[0].name}最新值 {shown(last[-1][0], fmt, unit)}（{last[-1][1]}）"
    lo = y_min if y_min is not None else min(present, default=0.0)
    hi = y_max if y_max is not None else max(present, default=1.0)
    ticks = nice_ticks(lo, hi)
    d0 = y_min if y_min is not None else ticks[0]
    d1 = y_max if y_max is not None else ticks[-1]
    ticks = [t for t in ticks if d0 - 1e-9 <= t <= d1 + 1e-9]
    top, right, bottom = TITLE_H + legend_h + 24, width - 16, height - 26
    left = axis_left(ticks, unit)
    step = (right - left) / len(labels)

    def x_of(position: float) -> float:
        return left + (position + 0.5) * step

    scale = Scale(d0, d1, bottom, top)
    parts = [legend_markup, shade_bands(bands, x_of, 0, len(labels) - 1, top, bottom)]
    parts += [
        y_axis(scale, ticks, left, right, unit),
        category_labels(labels, x_of, step, bottom + 17),
    ]
    for s, colour, row in zip(series, colours, rows, strict=True):
        runs: list[list[str]] = [[]]  # a None ends a run: the line has a gap there
        for i, v in enumerate(row):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(f"{num(x_of(i))} {num(scale.clamped(float(v)))}")
        path = " ".join("M" + " L".join(run) for run in runs if run)
        if path:
            parts.append(
                el(
                    "path",
                    d=path,
                    fill="none",
                    stroke=colour,
                    stroke_width=2,
                    stroke_linejoin="round",
                    class_="dz-line",
                    data_series=s.name,
                )
            )
        for i, v in enumerate(row):
            dot = ""
            if v is not None:
                y = scale.clamped(float(v))
                dot = el("circle", cx=x_of(i), cy=y, r=3, fill=colour, stroke="#ffffff")
            who = f"{labels[i]} · {s.name}" if s.name else labels[i]
            tip = f"{who}：{shown(v, fmt, unit)}"
            parts.append(mark(labels[i], tip, plain_value(v), dot, series=s.name))
    return document("line", chart_id, title, desc, width, height, parts)


def funnel(
    title: str,
    stages: Sequence[str],
    values: Sequence[int | None],
    *,
    chart_id: str,
    unit: str = "个",
    conversions: Sequence[float | None] | None = None,
    secondary: Sequence[str] | None = None,
    width: int = 640,
    height: int | None = None,
) -> SafeString:
    """Centred steps, widths ∝ value, joined by trapezoids that carry the conversion rate.

    ``conversions`` are fractions (0.452 is shown "45.2%"; ``data-value`` keeps 0.452): either
    one per gap (len = steps - 1, from step i to i + 1) or one per step (len = steps, the first
    ignored). Without them the rate is computed from the values. ``secondary`` is an extra
    text per step, at the right."""
    check_chart_id(chart_id)
    names, vals = [str(s) for s in stages], [clean(v) for v in values]
    same_length("values", vals, len(names))
    same_length("secondary", secondary, len(names))
    n = len(names)
    if conversions is not None:
        conversions = [clean(c) for c in conversions][1 if len(conversions) == n else 0 :]
    same_length("conversions", conversions, max(n - 1, 0))
    step_h, gap, top = 34.0, 24.0, TITLE_H + 10
    height = height or math.ceil(top + n * step_h + max(n - 1, 0) * gap + 16)
    if n == 0:
        desc = "暂无数据"
        return document(
            "funnel", chart_id, title, desc, width, height, [empty_state(width, height)]
        )
    first, last = vals[0], vals[-1]
    desc = f"共{n}个环节，从 {names[0]} {shown(first, default_format, unit)}"
    desc += f" 到 {names[-1]} {shown(last, default_format, unit)}"
    label_right = 12 + min(max(text_width(s, 13) for s in names), width * 0.22) + 10
    sec_w = min(max(text_width(s, 12) for s in secondary), width * 0.3) + 12 if secondary else 0
    area = width - 12 - sec_w - label_right - 10
    cx = label_right + 10 + area / 2
    vmax = max([float(v) for v in vals if v is not None and v > 0], default=0.0)
    widths = [None if v is None else area * max(float(v), 0) / vmax if vmax else 0.0 for v in vals]
    parts = []
    for i, (name, v, w) in enumerate(zip(names, vals, widths, strict=True)):
        y = top + i * (step_h + gap)
        parts.append(
            text(
                label_right,
                y + step_h / 2 + 5,
                truncate(name, label_right - 12, 13),
                size=13,
                anchor="end",
                class_="dz-category",
            )
        )
        if secondary:
            parts.append(
                text(
                    width - 12,
                    y + step_h / 2 + 4,
                    truncate(secondary[i], sec_w - 12, 12),
                    size=12,
                    fill=MUTED,
                    anchor="end",
                    class_="dz-secondary",
                )
            )
        fill = ramp(0.95 - 0.45 * i / max(n - 1, 1))
        shape = text(cx, y + step_h / 2 + 4, NO_DATA, size=11, fill=MUTED, anchor="middle")
        if w is not None:
            label = default_format(v)
            inside = w >= text_width(label, 12) + 10
            shape = el("rect", x=cx - w / 2, y=y, width=w, height=step_h, fill=fill) + text(
                cx if inside else cx + w / 2 + 6,
                y + step_h / 2 + 4,
                label,
                size=12,
                fill=text_colour_on(fill) if inside else TEXT,
                anchor="middle" if inside else "start",
            )
        tip = f"{name}：{shown(v, default_format, unit)}"
        if secondary and secondary[i]:
            tip += f"，{secondary[i]}"
        parts.append(mark(name, tip, plain_value(v), shape))
        if i == n - 1:
            continue
        below = widths[i + 1]
        rate = conversions[i] if conversions is not None else None
        if rate is None and conversions is None and v and vals[i + 1] is not None and v > 0:
            rate = float(vals[i + 1]) / float(v)
        if w is not None and below is not None:
            y0, y1 = y + step_h, y + step_h + gap
            points = [
                (cx - w / 2, y0),
                (cx + w / 2, y0),
                (cx + below / 2, y1),
                (cx - below / 2, y1),
            ]
            parts.append(
                el(
                    "polygon",
                    points=" ".join(f"{num(a)},{num(b)}" for a, b in points),
                    fill=GRID,
                    class_="dz-connector",
                )
            )
        if rate is not None:
            percent = rate * 100 if isinstance(rate, Decimal) else float(rate) * 100
            words = f"转化率 {default_format(percent)}%"
            body = text(cx, y + step_h + gap / 2 + 4, words, size=11, fill=MUTED, anchor="middle")
            parts.append(el("g", body, class_="dz-conversion", data_value=plain_value(rate)))
    return document("funnel", chart_id, title, desc, width, height, parts)


def radar(
    title: str,
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    chart_id: str,
    max_value: float = 100,
    width: int = 420,
    height: int = 400,
    value_format: ValueFormat | None = None,
) -> SafeString:
    """Axes clockwise from the top, 0 at the centre and ``max_value`` at the rim. The first
    series is filled, the others outlined dashed (a zone against the provincial median)."""
    check_chart_id(chart_id)
    names, fmt = [str(a) for a in axes], value_format or default_format
    rows = [[clean(v) for v in s.values] for s in series]
    for s, row in zip(series, rows, strict=True):
        same_length(f"series {s.name!r}", row, len(names))
    colours = [series_colour(s, i) for i, s in enumerate(series)]
    items = [
        (s.name, c, "box" if i == 0 else "dash")
        for i, (s, c) in enumerate(zip(series, colours, strict=True))
    ]
    legend_h = legend(items, 12, 0, width - 24)[1]
    if not names or not rows:
        desc = "暂无数据"
        return document("radar", chart_id, title, desc, width, height, [empty_state(width, height)])
    best = peak(names, rows[0])
    desc = f"共{len(names)}个维度"
    if best is not None:
        desc += f"，{series[0].name}最高为 {names[best]} {shown(rows[0][best], fmt, '')}"
    label_w = min(max(text_width(a, 12) for a in names), 72.0)
    avail_h = height - TITLE_H - legend_h - 16 - 2 * 26  # 26: room for a label above/below
    radius = max(min((width - 2 * (label_w + 16)) / 2, avail_h / 2), 10.0)
    cx, cy = width / 2, TITLE_H + 26 + avail_h / 2
    angles = [-math.pi / 2 + 2 * math.pi * i / len(names) for i in range(len(names))]

    def at(r: float, angle: float) -> tuple[float, float]:
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def polygon(points: list[tuple[float, float]]) -> str:
        return " ".join(f"{num(x)},{num(y)}" for x, y in points)

    parts = [legend(items, 12, height - legend_h - 8, width - 24)[0]]
    for k in range(1, 6):
        ring = polygon([at(radius * k / 5, a) for a in angles])
        parts.append(el("polygon", points=ring, fill="none", stroke=GRID, class_="dz-grid"))
        ring_value = default_format(max_value * k / 5)
        parts.append(text(cx + 3, cy - radius * k / 5 + 10, ring_value, size=10, fill=MUTED))
    for name, a in zip(names, angles, strict=True):
        x, y = at(radius, a)
        parts.append(el("line", x1=cx, y1=cy, x2=x, y2=y, stroke=AXIS, class_="dz-axis"))
        lx, ly = at(radius + 10, a)
        dx = math.cos(a)
        anchor = "middle" if abs(dx) < 0.2 else "start" if dx > 0 else "end"
        ly += 4 + 6 * math.sin(a)
        parts.append(text(lx, ly, truncate(name, label_w, 12), anchor=anchor, class_="dz-category"))
    for i, (s, colour, row) in enumerate(zip(series, colours, rows, strict=True)):
        ratios = [None if v is None else min(max(float(v) / max_value, 0.0), 1.0) for v in row]
        vertices = [at(radius * t, a) for t, a in zip(ratios, angles, strict=True) if t is not None]
        if len(vertices) > 1:
            filled = {"fill": colour, "fill_opacity": 0.2} if i == 0 else {"fill": "none"}
            parts.append(
                el(
                    "polygon",
                    points=polygon(vertices),
                    stroke=colour,
                    stroke_width=2,
                    stroke_dasharray=None if i == 0 else "5 3",
                    class_="dz-area",
                    data_series=s.name,
                    **filled,
                )
            )
        for name, a, t, v in zip(names, angles, ratios, row, strict=True):
            dot = ""
            if t is not None:
                x, y = at(radius * t, a)
                dot = el("circle", cx=x, cy=y, r=3.5, fill=colour)
            tip = f"{name} · {s.name}：{shown(v, fmt, '')}"
            parts.append(mark(name, tip, plain_value(v), dot, series=s.name))
    return document("radar", chart_id, title, desc, width, height, parts)


def scatter(
    title: str,
    points: Sequence[Point],
    *,
    chart_id: str,
    x_label: str,
    y_label: str,
    x_split: float | None = None,
    y_split: float | None = None,
    quadrant_labels: tuple[str, str, str, str] | None = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    width: int = 640,
    height: int = 480,
    value_format: ValueFormat | None = None,
) -> SafeString:
    """Points with optional quadrant split lines; ``quadrant_labels`` in the order top-right,
    top-left, bottom-left, bottom-right. ``data-value`` of a point is "x,y" (``data-x``,
    ``data-y`` hold each); points with a None coordinate are left out and counted in <desc>."""
    check_chart_id(chart_id)
    fmt = value_format or default_format
    drawn = [p for p in points if clean(p.x) is not None and clean(p.y) is not None]
    groups = list(dict.fromkeys(p.group for p in drawn if p.group))
    # A group's legend colour is its first point's own colour if it has one, else the palette's.
    own = {}
    for p in drawn:
        own.setdefault(p.group, p.colour)
    group_colour = {g: own[g] or PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    items = [(g, group_colour[g], "box") for g in groups]
    legend_markup, legend_h = legend(items, 12, TITLE_H, width - 24)
    skipped = len(points) - len(drawn)
    desc = f"共{len(points)}个点" + (f"，{skipped}个缺少数据未绘制" if skipped else "")
    if not drawn:
        return document(
            "scatter", chart_id, title, desc, width, height, [empty_state(width, height)]
        )

    def domain(values: list[float], given, split) -> tuple[list[float], float, float]:
        if given is not None:
            ticks = nice_ticks(float(given[0]), float(given[1]))
            lo, hi = float(given[0]), float(given[1])
            return [t for t in ticks if lo - 1e-9 <= t <= hi + 1e-9], lo, hi
        ticks = nice_ticks(
            min(values + [split] * (split is not None)), max(values + [split] * (split is not None))
        )
        return ticks, ticks[0], ticks[-1]

    x_ticks, x0, x1 = domain([float(p.x) for p in drawn], x_range, x_split)  # type: ignore[arg-type]
    y_ticks, y0, y1 = domain([float(p.y) for p in drawn], y_range, y_split)  # type: ignore[arg-type]
    top, right, bottom = TITLE_H + legend_h + 16, width - 16, height - 44
    left = axis_left(y_ticks, "") + 18
    xs, ys = Scale(x0, x1, left, right), Scale(y0, y1, bottom, top)
    parts = [
        legend_markup,
        y_axis(ys, y_ticks, left, right, ""),
        x_axis(xs, x_ticks, top, bottom, ""),
    ]
    parts.append(
        text((left + right) / 2, height - 8, x_label, anchor="middle", class_="dz-axis-title")
    )
    mid = (top + bottom) / 2
    parts.append(
        text(
            14,
            mid,
            y_label,
            anchor="middle",
            transform=f"rotate(-90 14 {num(mid)})",
            class_="dz-axis-title",
        )
    )
    if x_split is not None:
        x = xs.clamped(float(x_split))
        parts.append(
            el(
                "line",
                x1=x,
                y1=top,
                x2=x,
                y2=bottom,
                stroke=MUTED,
                stroke_dasharray="4 4",
                class_="dz-split dz-split-x",
                data_value=plain_value(x_split),
            )
        )
    if y_split is not None:
        y = ys.clamped(float(y_split))
        parts.append(
            el(
                "line",
                x1=left,
                y1=y,
                x2=right,
                y2=y,
                stroke=MUTED,
                stroke_dasharray="4 4",
                class_="dz-split dz-split-y",
                data_value=plain_value(y_split),
            )
        )
    if quadrant_labels:
        corners = [
            (right - 6, top + 16, "end"),
            (left + 6, top + 16, "start"),
            (left + 6, bottom - 8, "start"),
            (right - 6, bottom - 8, "end"),
        ]
        for label, (x, y, anchor) in zip(quadrant_labels, corners, strict=True):
            parts.append(text(x, y, label, fill=MUTED, anchor=anchor, class_="dz-quadrant"))
    for p in drawn:
        px, py = clean(p.x), clean(p.y)
        x, y = xs.clamped(float(px)), ys.clamped(float(py))  # type: ignore[arg-type]
        colour = p.colour or group_colour.get(p.group, PALETTE[0])
        shape = el("circle", cx=x, cy=y, r=5, fill=colour, fill_opacity=0.85, stroke="#ffffff")
        if len(drawn) <= 15:  # few points: name them (near the right edge, on their left)
            label = truncate(p.label, 90, 11)
            flip = x + 7 + text_width(label, 11) > width - 4
            shape += text(
                x - 7 if flip else x + 7, y + 4, label, size=11, anchor="end" if flip else "start"
            )
        tip = f"{p.label}：{x_label} {fmt(px)}，{y_label} {fmt(py)}"  # type: ignore[arg-type]
        raw_x, raw_y = plain_value(px), plain_value(py)
        parts.append(
            mark(
                p.label,
                tip,
                f"{raw_x},{raw_y}",
                shape,
                series=p.group,
                href=p.href,
                data_x=raw_x,
                data_y=raw_y,
            )
        )
    return document("scatter", chart_id, title, desc, width, height, parts)
