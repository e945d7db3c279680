"""Bar-shaped charts of ``devzone.charts``: bars, stacked bars and the year timeline.

They share one layout (a band per category, a value axis from 0) so that a bar chart and a
stacked bar chart of the same data line up. Pure: stdlib and django.utils only, no app.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from devzone.charts_svg import (
    MUTED,
    NO_DATA,
    PALETTE,
    TITLE_H,
    Band,
    Number,
    Scale,
    Series,
    ValueFormat,
    axis_left,
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
    plain_value,
    same_length,
    series_colour,
    shade_bands,
    shown,
    summary,
    text,
    text_width,
    truncate,
    x_axis,
    y_axis,
)


@dataclass(frozen=True)
class _Seg:
    """One drawn piece of a bar: its series, the caller's value, its length in axis units."""

    series: str
    raw: Number | None
    size: float | None
    colour: str
    tip: str
    share: str | None = None


def _total(values: Sequence[Number | None]) -> Number | None:
    """The sum of the present values (floats if Decimals and floats mix), None if none is."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if any(isinstance(v, float) for v in present):
        return sum(float(v) for v in present)
    return sum(present)


def _band_chart(
    kind: str,
    title: str,
    chart_id: str,
    desc: str,
    categories: list[str],
    stacks: list[list[_Seg]],
    *,
    unit: str,
    links: Sequence[str | None] | None,
    horizontal: bool,
    width: float,
    height: float | None,
    legend_items: list,
    labels: list[str | None] | None,
    percent: bool = False,
) -> SafeString:
    """Bars (one segment each) and stacked bars, vertical or horizontal."""
    n = len(categories)
    legend_markup, legend_h = legend(legend_items, 12, TITLE_H, width - 24)
    if n == 0:
        height = height or 240
        return document(kind, chart_id, title, desc, width, height, [empty_state(width, height)])
    lo = hi = 0.0
    for stack in stacks:
        sizes = [s.size for s in stack if s.size is not None]
        lo, hi = min(lo, sum(v for v in sizes if v < 0)), max(hi, sum(v for v in sizes if v > 0))
    ticks = nice_ticks(0, 100) if percent else nice_ticks(lo, hi)
    parts = [legend_markup]
    if horizontal:
        label_w = min(max(text_width(c, 12) for c in categories), width * 0.3)
        left = 12 + label_w + 8
        room = max([text_width(v, 11) + 10 for v in labels or () if v] + [18])
        right, top = width - room, TITLE_H + legend_h + 8
        height = height or math.ceil(top + n * 30 + (40 if unit else 26))
        bottom = height - (40 if unit else 26)
        scale = Scale(ticks[0], ticks[-1], left, right)
        parts.append(x_axis(scale, ticks, top, bottom, unit))
    else:
        top, right = TITLE_H + legend_h + 24, width - 16
        left = axis_left(ticks, unit)
        widest = max(text_width(c, 12) for c in categories)
        rotate = widest > (right - left) / n - 4 and (right - left) / n < 48
        room = min(widest, 96) * 0.71 + 20 if rotate else 24
        if rotate:  # the first label leans left of its bar: keep it inside the chart
            left = max(left, min(widest, 96) * 0.71 + 4)
        height = height or math.ceil(top + 220 + room)
        bottom = max(height - room, top + 20)
        scale = Scale(ticks[0], ticks[-1], bottom, top)
        parts.append(y_axis(scale, ticks, left, right, unit))
    band = ((bottom - top) if horizontal else (right - left)) / n
    thickness = min(band * (0.65 if horizontal else 0.7), 24 if horizontal else 64)
    zero = scale(0)
    for i, (category, stack) in enumerate(zip(categories, stacks, strict=True)):
        centre = (top if horizontal else left) + (i + 0.5) * band
        if horizontal:
            shown_label = truncate(category, label_w, 12)
            parts.append(
                text(left - 8, centre + 4, shown_label, anchor="end", class_="dz-category")
            )
        elif rotate:
            y = bottom + 14
            spin = f"rotate(-45 {num(centre)} {num(y)})"
            label = truncate(category, 96, 12)
            parts.append(text(centre, y, label, anchor="end", transform=spin, class_="dz-category"))
        else:
            label = truncate(category, band - 4, 12)
            parts.append(text(centre, bottom + 17, label, anchor="middle", class_="dz-category"))
        up = down = 0.0
        for seg in stack:
            shape = ""
            if seg.size is not None:
                start = up if seg.size >= 0 else down
                end = start + seg.size
                up, down = (end, down) if seg.size >= 0 else (up, end)
                a, b = sorted((scale(start), scale(end)))
                geometry = (
                    {"x": a, "y": centre - thickness / 2, "width": b - a, "height": thickness}
                    if horizontal
                    else {"x": centre - thickness / 2, "y": a, "width": thickness, "height": b - a}
                )
                shape = el("rect", fill=seg.colour, **geometry)
                if labels and labels[i] is not None and len(stack) == 1:
                    at = scale(end)
                    if horizontal:
                        sign = 1 if seg.size >= 0 else -1
                        anchor = "start" if sign > 0 else "end"
                        shape += text(at + 5 * sign, centre + 4, labels[i], size=11, anchor=anchor)
                    else:
                        y = at - 5 if seg.size >= 0 else at + 14
                        shape += text(centre, y, labels[i], size=11, anchor="middle")
            elif len(stack) == 1:
                xy = (zero + 5, centre + 4) if horizontal else (centre, zero - 5)
                anchor = "start" if horizontal else "middle"
                shape = text(*xy, NO_DATA, size=10, fill=MUTED, anchor=anchor)
            parts.append(
                mark(
                    category,
                    seg.tip,
                    plain_value(seg.raw),
                    shape,
                    series=seg.series,
                    href=links[i] if links else None,
                    data_share=seg.share,
                )
            )
    return document(kind, chart_id, title, desc, width, height, parts)


def bar(
    title: str,
    categories: Sequence[str],
    values: Sequence[Number | None],
    *,
    chart_id: str,
    unit: str = "",
    colours: Sequence[str] | None = None,
    links: Sequence[str | None] | None = None,
    horizontal: bool = False,
    width: int = 640,
    height: int | None = None,
    value_format: ValueFormat | None = None,
    show_values: bool = True,
) -> SafeString:
    """A bar per category (value axis from 0); ``colours`` per category, cycled if shorter (a
    None in it falls back to the palette's first colour)."""
    check_chart_id(chart_id)
    cats, vals = [str(c) for c in categories], [clean(v) for v in values]
    same_length("values", vals, len(cats))
    same_length("links", links, len(cats))
    fmt = value_format or default_format
    palette = list(colours or ()) or [PALETTE[0]]
    stacks = [
        [
            _Seg(
                "",
                v,
                None if v is None else float(v),
                palette[i % len(palette)] or PALETTE[0],
                f"{c}：{shown(v, fmt, unit)}",
            )
        ]
        for i, (c, v) in enumerate(zip(cats, vals, strict=True))
    ]
    labels = [None if v is None else fmt(v) for v in vals] if show_values else None
    desc = summary(f"共{len(cats)}个类别" if cats else "", cats, vals, fmt, unit)
    return _band_chart(
        "bar",
        title,
        chart_id,
        desc,
        cats,
        stacks,
        unit=unit,
        links=links,
        horizontal=horizontal,
        width=width,
        height=height,
        legend_items=[],
        labels=labels,
    )


def stacked_bar(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    chart_id: str,
    unit: str = "",
    links: Sequence[str | None] | None = None,
    horizontal: bool = False,
    width: int = 640,
    height: int | None = None,
    value_format: ValueFormat | None = None,
    percent: bool = False,
) -> SafeString:
    """Stacked bars with a legend. ``percent`` draws 100% stacks of the positive values; the
    tooltip still gives the value and its share, ``data-share`` the share in percent."""
    check_chart_id(chart_id)
    cats, fmt = [str(c) for c in categories], value_format or default_format
    same_length("links", links, len(cats))
    rows = [[clean(v) for v in s.values] for s in series]
    for s, row in zip(series, rows, strict=True):
        same_length(f"series {s.name!r}", row, len(cats))
    colours = [series_colour(s, i) for i, s in enumerate(series)]
    stacks, totals = [], []
    for ci, category in enumerate(cats):
        raws = [row[ci] for row in rows]
        positive = sum(float(v) for v in raws if v is not None and v > 0)
        totals.append(_total(raws))
        stack = []
        for s, colour, raw in zip(series, colours, raws, strict=True):
            size, tip, share = None if raw is None else float(raw), shown(raw, fmt, unit), None
            if percent and size is not None:
                pct = size / positive * 100 if positive > 0 and size > 0 else 0.0
                size, share = (pct, default_format(pct)) if size >= 0 else (None, None)
                tip += f"（{share}%）" if share is not None else ""
            stack.append(_Seg(s.name, raw, size, colour, f"{category} · {s.name}：{tip}", share))
        stacks.append(stack)
    count = f"共{len(cats)}个类别、{len(rows)}个系列" if cats else ""
    desc = summary(count, cats, totals, fmt, unit).replace("最大值", "合计最大")
    items = [(s.name, c, "box") for s, c in zip(series, colours, strict=True)]
    return _band_chart(
        "stacked_bar",
        title,
        chart_id,
        desc,
        cats,
        stacks,
        unit="%" if percent else unit,
        links=links,
        horizontal=horizontal,
        width=width,
        height=height,
        legend_items=items,
        labels=None,
        percent=percent,
    )


def timeline(
    title: str,
    years: Sequence[int],
    counts: Sequence[int | None],
    *,
    chart_id: str,
    bands: Sequence[Band] = (),
    unit: str = "个",
    links: Sequence[str | None] | None = None,
    width: int = 720,
    height: int = 260,
) -> SafeString:
    """A count per year as a histogram over the years' full span, with period bands (years,
    both ends inclusive, clipped to the span) shaded behind the bars and labelled on top."""
    check_chart_id(chart_id)
    ys, vals = [int(y) for y in years], [clean(c) for c in counts]
    same_length("counts", vals, len(ys))
    same_length("links", links, len(ys))
    if len(set(ys)) != len(ys):
        raise ValueError("timeline years must be unique")
    if not ys:
        desc = "暂无数据"
        return document(
            "timeline", chart_id, title, desc, width, height, [empty_state(width, height)]
        )
    first, last = min(ys), max(ys)
    desc = summary(
        f"{first}—{last}年共{shown(_total(vals) or 0, default_format, unit)}",
        [f"{y}年" for y in ys],
        vals,
        default_format,
        unit,
    ).replace("最大值", "最多为")
    ticks = nice_ticks(0, max([float(v) for v in vals if v is not None] + [0.0]))
    top, right, bottom = TITLE_H + 24, width - 16, height - 26
    left = axis_left(ticks, unit)
    slot = (right - left) / (last - first + 1)

    def x_of(year: float) -> float:
        return left + (year - first + 0.5) * slot

    scale = Scale(ticks[0], ticks[-1], bottom, top + 18)
    parts = [
        shade_bands(bands, x_of, first, last, top, bottom),
        y_axis(scale, ticks, left, right, unit),
    ]
    every = next(k for k in (1, 2, 5, 10, 20, 50, 100, 10**9) if slot * k >= 34)
    parts += [
        text(
            x_of(y), bottom + 17, str(y), size=11, fill=MUTED, anchor="middle", class_="dz-category"
        )
        for y in range(first, last + 1)
        if y % every == 0
    ]
    thickness = min(slot * 0.7, 40)
    for i, (year, v) in enumerate(zip(ys, vals, strict=True)):
        shape = ""
        if v is not None:
            a, b = sorted((scale(0), scale(float(v))))
            shape = el(
                "rect",
                x=x_of(year) - thickness / 2,
                y=a,
                width=thickness,
                height=b - a,
                fill=PALETTE[0],
            )
        label = f"{year}年"
        parts.append(
            mark(
                str(year),
                f"{label}：{shown(v, default_format, unit)}",
                plain_value(v),
                shape,
                href=links[i] if links else None,
            )
        )
    return document("timeline", chart_id, title, desc, width, height, parts)
