"""Server-side SVG charts: every chart of the dashboards and of the monthly PDF reports is drawn
once, here, as a self-contained SVG string, so that the page, the downloaded file, the PNG made
from it in the browser and the PDF (WeasyPrint) never disagree.

What every chart keeps, because pages, PDFs and browser tests rely on it:
- a root ``<svg class="dz-chart" data-chart="{kind}" id="{chart_id}" role="img">`` labelled by
  its ``<title>`` and a one-sentence Chinese ``<desc>`` made from the data;
- one ``<g class="dz-mark" data-label data-value data-series>`` per mark, holding a ``<title>``
  tooltip ("label：value unit") and then its shape, inside ``<a href>`` when the mark links;
- a missing value (None) is an absent shape said "无数据"; zero is drawn as zero;
- presentation attributes only (no ``style``, for a strict CSP); a white background;
- the same input gives the same string; coordinates are rounded to one decimal.
Pure: stdlib and ``django.utils`` only; it imports no app of the project.
"""

from __future__ import annotations

from devzone.charts_bars import bar, stacked_bar, timeline
from devzone.charts_map import GUIZHOU_LAYOUT, Tile, tile_map
from devzone.charts_plots import funnel, line, radar, scatter
from devzone.charts_svg import PALETTE, Band, Point, Series, sequential

__all__ = [
    "GUIZHOU_LAYOUT",
    "PALETTE",
    "STAGE_COLOURS",
    "WARNING_COLOURS",
    "Band",
    "Point",
    "Series",
    "Tile",
    "bar",
    "funnel",
    "line",
    "radar",
    "scatter",
    "sequential",
    "stacked_bar",
    "svg_document",
    "tile_map",
    "timeline",
]

# Development stages 聚集中 → 聚集 → 聚核 → 聚链 → 聚网: one sequential blue ramp, light to dark.
STAGE_COLOURS = {
    "agglomerating": "#9ecae1",
    "agglomerated": "#4292c6",
    "core": "#2171b5",
    "chain": "#08519c",
    "network": "#08306b",
}
WARNING_COLOURS = {
    "red": "#dc3545",
    "yellow": "#ffc107",
    "blue": "#0d6efd",
    "green": "#198754",
    "none": "#198754",
    "grey": "#adb5bd",
}


def svg_document(svg: str) -> str:
    """The chart as a standalone ``.svg`` file for downloads."""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{svg}\n'
