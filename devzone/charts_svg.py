"""Drawing primitives for the server-side SVG charts of ``devzone.charts``.

Escaping, number and text formatting, value scales with "nice" ticks, the root element, legends
and the empty state live here so that each chart function reads as layout only. Every string that
reaches the markup passes through ``el``/``esc``; nothing here emits a ``style`` attribute, because
pages run under a strict Content-Security-Policy and WeasyPrint reads presentation attributes.
Pure: stdlib and ``django.utils`` only, no app of the project.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal

from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal
ValueFormat = Callable[[Number], str]

FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
TEXT = "#212529"
MUTED = "#6c757d"
GRID = "#e9ecef"
AXIS = "#adb5bd"
MISSING = "#ced4da"
NO_DATA = "无数据"
EMPTY = "暂无数据"
TITLE_H = 36  # the visible heading band at the top of every chart

# Okabe-Ito without black, then three of Paul Tol's muted colours: distinguishable for the
# common colour-vision deficiencies and printable.
PALETTE = [
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#d55e00",
    "#56b4e9",
    "#cc79a7",
    "#f0e442",
    "#332288",
    "#882255",
    "#44aa99",
]
_RAMP = ["#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"]

_CHART_ID = re.compile(r"[a-z0-9-]+")
# Characters XML 1.0 forbids (and lone surrogates, which cannot be encoded): a label pasted from
# a spreadsheet must not make the whole page's SVG unparsable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CTX = Context(prec=60)


def check_chart_id(chart_id: object) -> str:
    """The id ends up in ``id``/``aria-labelledby`` and gradient references: a slug only."""
    if not isinstance(chart_id, str) or not _CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart_id must match [a-z0-9-]+, got {chart_id!r}")
    return chart_id


def clean(value: object) -> Number | None:
    """A caller's value as given (so Decimals keep their digits), or None when missing."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"chart values must be int, float, Decimal or None, got {value!r}")
    if isinstance(value, int):
        return value
    finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
    return value if finite else None


def _decimal(value: Number) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))


def _plain(number: Decimal) -> str:
    text = format(number.normalize(_CTX), "f")
    return "0" if text == "-0" else text


def plain_value(value: Number | None) -> str:
    """``data-value``: the exact number in plain decimal notation (no exponent), "" if missing."""
    return "" if value is None else _plain(_decimal(value))


def default_format(value: Number) -> str:
    """Integers without decimals, anything else rounded half-up to at most 2 decimals."""
    number = _decimal(value)
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP, context=_CTX)
    return _plain(number)


def tick_label(value: float) -> str:
    """A tick value without float noise (0.30000000000000004 prints as 0.3)."""
    return _plain(Decimal(repr(round(value, 10))))


def num(value: float) -> str:
    """A coordinate rounded to one decimal, without a trailing ".0"."""
    rounded = round(float(value), 1)
    if rounded == 0:
        return "0"
    text = f"{rounded:.1f}"
    return text[:-2] if text.endswith(".0") else text


def with_unit(text: str, unit: str) -> str:
    """Value and unit: Chinese units and % attach ("12个", "45%"), Latin ones get a space."""
    if not unit:
        return text
    return f"{text} {unit}" if unit[0].isascii() and unit[0].isalnum() else f"{text}{unit}"


def shown(value: Number | None, fmt: ValueFormat, unit: str) -> str:
    """A value as a tooltip says it: formatted with its unit, or "无数据"."""
    return NO_DATA if value is None else with_unit(fmt(value), unit)


def text_width(text: str, size: float) -> float:
    """Estimated width: 1 em per CJK (any non-ASCII) character, 0.6 em per ASCII one."""
    return size * sum(0.6 if ord(char) < 128 else 1.0 for char in text)


def truncate(text: str, max_width: float, size: float) -> str:
    """The text cut with "…" so that it fits ``max_width`` (the tooltip keeps the full text)."""
    if text_width(text, size) <= max_width:
        return text
    budget, used, kept = max_width - size, 0.0, []
    for char in text:
        used += text_width(char, size)
        if used > budget:
            break
        kept.append(char)
    return "".join(kept) + "…"


def esc(value: object) -> str:
    """Text or attribute content, escaped for HTML and XML alike (as Django's ``escape``, without
    its lazy-string wrapper: a dashboard escapes tens of thousands of strings)."""
    return html.escape(_XML_INVALID.sub("", str(value)))


def safe_href(href: str | None) -> str | None:
    """A link target, or None for a script-like scheme (javascript:, data:, vbscript:...)."""
    if not href:
        return None
    target = str(href).strip()
    match = _SCHEME.match(re.sub(r"[\x00-\x20\x7f]", "", target))
    if match and match.group(1).lower() not in ("http", "https", "mailto"):
        return None
    return target


def el(tag: str, content: str | None = None, /, **attrs: object) -> str:
    """One element. ``font_size`` becomes ``font-size``, ``class_`` ``class``; None skips an
    attribute; numbers go through ``num``; ``content`` is markup (escape text with ``esc``)."""
    parts = [tag]
    for key, value in attrs.items():
        if value is None:
            continue
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        parts.append(
            f'{key.rstrip("_").replace("_", "-")}="{num(value) if is_number else esc(value)}"'
        )
    head = " ".join(parts)
    return f"<{head}/>" if content is None else f"<{head}>{content}</{tag}>"


def text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 12,
    fill: str = TEXT,
    anchor: str = "start",
    **attrs: object,
) -> str:
    """A ``<text>``; its content is escaped here."""
    return el(
        "text",
        esc(content),
        x=x,
        y=y,
        font_size=size,
        fill=fill,
        text_anchor=None if anchor == "start" else anchor,
        **attrs,
    )


def mark(
    label: str,
    tip: str,
    raw: str,
    shape: str,
    *,
    series: str = "",
    href: str | None = None,
    **data: object,
) -> str:
    """A hoverable mark: ``<g class="dz-mark">`` with a ``<title>`` tooltip, then the shape(s);
    inside ``<a href>`` when a link is given. The data attributes are what browser tests read."""
    body = el("title", esc(tip)) + shape
    group = el(
        "g", body, class_="dz-mark", data_label=label, data_value=raw, data_series=series, **data
    )
    link = safe_href(href)
    return el("a", group, href=link) if link else group


def nice_step(span: float, count: int) -> float:
    """The smallest step of 1, 2, 2.5 or 5 × 10^n giving at most ``count`` intervals."""
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * magnitude >= raw * (1 - 1e-9):
            return multiple * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Ticks covering [lo, hi] at a nice step; a flat range is widened so it has a height."""
    lo, hi = min(lo, hi), max(lo, hi)
    if lo == hi == 0:
        hi = 1.0
    elif lo == hi:
        lo, hi = lo - abs(lo) * 0.1, hi + abs(hi) * 0.1
    step = nice_step(hi - lo, count)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(k * step, 10) + 0.0 for k in range(first, last + 1)]


@dataclass(frozen=True)
class Scale:
    """A linear map from data units to pixels."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return (self.r0 + self.r1) / 2
        return self.r0 + (value - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)

    def clamped(self, value: float) -> float:
        low, high = sorted((self.r0, self.r1))
        return min(max(self(value), low), high)


def ramp(t: float) -> str:
    """A colour on the light→dark blue ramp, ``t`` in [0, 1]."""
    t = min(max(t, 0.0), 1.0) * (len(_RAMP) - 1)
    i = min(int(t), len(_RAMP) - 2)
    a, b = _rgb(_RAMP[i]), _rgb(_RAMP[i + 1])
    return "#" + "".join(f"{round(x + (y - x) * (t - i)):02x}" for x, y in zip(a, b, strict=True))


def sequential(value: Number | None, lo: Number | None, hi: Number | None) -> str:
    """The map colour of a value between ``lo`` and ``hi`` (light→dark); grey when missing."""
    if value is None:
        return MISSING
    low = float(lo if lo is not None else value)
    high = float(hi if hi is not None else value)
    if high == low:
        return ramp(0.5)
    return ramp((float(value) - low) / (high - low))


def _rgb(colour: str) -> tuple[int, int, int]:
    hex6 = colour.lstrip("#")
    if len(hex6) == 3:
        hex6 = "".join(c * 2 for c in hex6)
    return int(hex6[0:2], 16), int(hex6[2:4], 16), int(hex6[4:6], 16)


def text_colour_on(fill: str) -> str:
    """White or near-black, whichever contrasts more with ``fill`` (WCAG relative luminance)."""
    try:
        channels = [c / 255 for c in _rgb(fill)]
    except ValueError:
        return TEXT
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    # Contrast with white is 1.05 / (L + 0.05); with #212529 (L≈0.018) it is (L + 0.05) / 0.068.
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.068 else TEXT


def axis_left(ticks: Sequence[float], unit: str, size: float = 11) -> float:
    """The x of a vertical value axis: room for the widest tick label and the unit."""
    widest = max([text_width(tick_label(t), size) for t in ticks] + [text_width(unit, size)])
    return 12 + widest + 8


def y_axis(scale: Scale, ticks: Sequence[float], left: float, right: float, unit: str) -> str:
    """Horizontal grid lines with tick labels at the left, the unit above them."""
    parts = []
    for tick in ticks:
        y = scale(tick)
        parts.append(el("line", x1=left, y1=y, x2=right, y2=y, stroke=AXIS if tick == 0 else GRID))
        parts.append(text(left - 6, y + 4, tick_label(tick), size=11, fill=MUTED, anchor="end"))
    if unit:
        top = min(scale.r0, scale.r1)
        parts.append(text(left - 6, top - 10, unit, size=11, fill=MUTED, anchor="end"))
    return el("g", "".join(parts), class_="dz-axis dz-axis-y", data_unit=unit)


def x_axis(scale: Scale, ticks: Sequence[float], top: float, bottom: float, unit: str) -> str:
    """Vertical grid lines with tick labels below, the unit at the right end under them."""
    parts = []
    for tick in ticks:
        x = scale(tick)
        parts.append(el("line", x1=x, y1=top, x2=x, y2=bottom, stroke=AXIS if tick == 0 else GRID))
        parts.append(text(x, bottom + 15, tick_label(tick), size=11, fill=MUTED, anchor="middle"))
    if unit:
        right = max(scale.r0, scale.r1)
        parts.append(text(right, bottom + 30, unit, size=11, fill=MUTED, anchor="end"))
    return el("g", "".join(parts), class_="dz-axis dz-axis-x", data_unit=unit)


def legend(
    items: Sequence[tuple[str, str, str]], x: float, y: float, max_width: float
) -> tuple[str, float]:
    """Legend entries ``(name, colour, kind)`` (kind "box", "line" or "dash") flowing in rows
    from (x, y); returns the markup and the height used (0 for no items)."""
    if not items:
        return "", 0.0
    parts, cx, cy = [], x, y
    for name, colour, kind in items:
        label = truncate(name, 160, 12)
        width = 18 + text_width(label, 12) + 16
        if cx > x and cx + width > x + max_width:
            cx, cy = x, cy + 18
        if kind == "box":
            swatch = el("rect", x=cx, y=cy + 1, width=12, height=12, fill=colour)
        else:
            dash = "4 3" if kind == "dash" else None
            swatch = el(
                "line",
                x1=cx,
                y1=cy + 7,
                x2=cx + 14,
                y2=cy + 7,
                stroke=colour,
                stroke_width=2,
                stroke_dasharray=dash,
            )
        body = el("title", esc(name)) + swatch + text(cx + 18, cy + 11.5, label)
        parts.append(el("g", body, class_="dz-legend-item", data_series=name))
        cx += width
    return el("g", "".join(parts), class_="dz-legend"), cy - y + 18


def empty_state(width: float, height: float) -> str:
    """The centred "暂无数据" every chart shows when it has nothing to draw."""
    y = (TITLE_H + height) / 2
    return text(width / 2, y, EMPTY, size=14, fill=MUTED, anchor="middle", class_="dz-empty")


def document(
    kind: str,
    chart_id: str,
    title: str,
    desc: str,
    width: float,
    height: float,
    body: Sequence[str],
) -> SafeString:
    """The root ``<svg>``: accessible name and description, a white background (for PNG and PDF),
    the visible heading, then the chart body. Every piece of text inside was escaped."""
    head = el("title", esc(title), id=f"{chart_id}-title") + el(
        "desc", esc(desc), id=f"{chart_id}-desc"
    )
    background = el("rect", x=0, y=0, width=width, height=height, fill="#ffffff", class_="dz-bg")
    heading = text(
        12, 23, truncate(title, width - 24, 15), size=15, font_weight="bold", class_="dz-heading"
    )
    svg = el(
        "svg",
        head + background + heading + "".join(body),
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {num(width)} {num(height)}",
        width=width,
        height=height,
        role="img",
        aria_labelledby=f"{chart_id}-title {chart_id}-desc",
        class_="dz-chart",
        data_chart=kind,
        id=chart_id,
        font_family=FONT_FAMILY,
    )
    return mark_safe(svg)  # every interpolated text went through esc()


BAND_FILLS = ["#e7f0fa", "#fdf1e1", "#e6f4ef", "#f6e8f0"]


@dataclass(frozen=True)
class Series:
    """One named row of values aligned with a chart's categories (None = missing)."""

    name: str
    values: Sequence[Number | None]
    colour: str | None = None


@dataclass(frozen=True)
class Point:
    """A scatter point; a None coordinate leaves it out (and the description counts it)."""

    x: float | None
    y: float | None
    label: str
    colour: str | None = None
    href: str | None = None
    group: str = ""


@dataclass(frozen=True)
class Band:
    """A shaded, labelled x-range (both ends inclusive): periods on timelines and lines."""

    start: float
    end: float
    label: str


def same_length(what: str, items: Sequence[object] | None, expected: int) -> None:
    """Misaligned inputs are a caller's bug: fail loudly rather than draw wrong marks."""
    if items is not None and len(items) != expected:
        raise ValueError(f"{what} has {len(items)} items, expected {expected}")


def series_colour(series: Series, index: int) -> str:
    """The series' own colour, else the palette's colour for its position."""
    return series.colour or PALETTE[index % len(PALETTE)]


def peak(labels: Sequence[str], values: Sequence[Number | None]) -> int | None:
    """Index of the largest present value (the first on ties), None when all are missing."""
    present = [i for i, v in enumerate(values) if v is not None]
    return max(present, key=lambda i: float(values[i]), default=None)  # type: ignore[arg-type]


def summary(
    count: str, labels: Sequence[str], values: Sequence, fmt: ValueFormat, unit: str
) -> str:
    """The data sentence of a ``<desc>``: "共9个类别，最大值 贵阳市 11个" (+ missing count)."""
    if not labels:
        return f"{count}，{NO_DATA}" if count else "暂无数据"
    best = peak(labels, values)
    if best is None:
        return f"{count}，均{NO_DATA}"
    sentence = f"{count}，最大值 {labels[best]} {shown(values[best], fmt, unit)}"
    missing = sum(v is None for v in values)
    return sentence + (f"，{missing}个{NO_DATA}" if missing else "")


def category_labels(
    labels: Sequence[str], x_of: Callable[[float], float], step: float, y: float
) -> str:
    """Category labels under an x axis, thinned to every k-th so that they do not collide."""
    widest = max(text_width(label, 11) for label in labels) + 8
    every = max(1, math.ceil(widest / step))
    return "".join(
        text(
            x_of(i),
            y,
            truncate(label, step * every - 4, 11),
            size=11,
            fill=MUTED,
            anchor="middle",
            class_="dz-category",
        )
        for i, label in enumerate(labels)
        if i % every == 0
    )


def shade_bands(
    bands: Sequence[Band],
    x_of: Callable[[float], float],
    first: float,
    last: float,
    top: float,
    bottom: float,
) -> str:
    """Shaded inclusive ranges (in x positions) clipped to [first, last], labelled on top."""
    parts = []
    for i, b in enumerate(bands):
        start, end = max(min(b.start, b.end), first), min(max(b.start, b.end), last)
        if start > end:
            continue
        x0, x1 = x_of(start - 0.5), x_of(end + 0.5)
        label = truncate(b.label, x1 - x0 - 4, 11)
        body = el("title", esc(f"{b.label}：{plain_value(b.start)}—{plain_value(b.end)}"))
        body += el(
            "rect",
            x=x0,
            y=top,
            width=x1 - x0,
            height=bottom - top,
            fill=BAND_FILLS[i % len(BAND_FILLS)],
        )
        body += text((x0 + x1) / 2, top + 13, label, size=11, fill=MUTED, anchor="middle")
        parts.append(
            el(
                "g",
                body,
                class_="dz-band",
                data_label=b.label,
                data_start=plain_value(b.start),
                data_end=plain_value(b.end),
            )
        )
    return "".join(parts)
