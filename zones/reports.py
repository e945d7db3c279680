"""Monthly supervision reports (月度督查通报): build the figures, render the PDF, archive it.

``generate(kind, pk, period)`` builds one report — a zone's, a prefecture's or the province's —
for the month ``period``: it reads the month's figures through the dashboards' selectors
(``zones.dashboards``, which read the summary rows kept as of the month's end), writes the
narrative, draws the dashboards' SVG charts from those figures, renders A4 pages with
WeasyPrint and stores the PDF and the figures on the ``Report`` row (one row per kind, scope,
month and methodology version: a second run replaces the file). A report is claimed by a
conditional update first, so two workers never build the same report at once.
"""

from __future__ import annotations

import datetime
import itertools
import json
import logging
import re
import time
import traceback
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zones import dashboard_charts, dashboards, report_narrative
from zones.methodology import active_methodology
from zones.models import (
    Methodology,
    Prefecture,
    Province,
    Report,
    ReportKind,
    ReportStatus,
    Stage,
    Zone,
    ZoneScore,
    scope_key,
)
from zones.recompute import month_end
from zones.scorecard import scorecard

logger = logging.getLogger(__name__)
STALE_CLAIM = datetime.timedelta(minutes=30)  # a "running" report older than this was abandoned
STAGE_LABELS = dict(Stage.choices)


class _Encoder(DjangoJSONEncoder):
    """Figures as JSON: Decimals as numbers (the charts draw them), lazy strings as text."""

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return float(o)
        return super().default(o)


def json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=_Encoder, ensure_ascii=False))


def month_label(period: datetime.date) -> str:
    return _("%(year)d年%(month)d月") % {"year": period.year, "month": period.month}


# --- figures --------------------------------------------------------------------------------


def zone_figures(zone: Zone, period: datetime.date, methodology: Methodology) -> dict[str, Any]:
    """Everything a zone's report shows, JSON-safe."""
    data = dashboards.zone_dashboard(None, zone, period=period, methodology=methodology)
    card = scorecard(zone, period, methodology)
    previous = (
        ZoneScore.objects.filter(
            zone=zone, methodology=methodology, period=dashboards.months_back(period, 1)
        )
        .values_list("stage", flat=True)
        .first()
    )
    ranking = _zone_rank(zone, period, methodology)
    figures = json_safe(
        {
            "zone": {
                "name": zone.name,
                "code": zone.code,
                "prefecture": zone.prefecture.name,
                "type": zone.get_type_display(),
                "level": zone.get_level_display(),
            },
            "month": f"{period:%Y-%m}",
            "month_label": month_label(period),
            "dashboard": data,
            "card": card,
            "stage_label": card["stage"]["label"] if card and card.get("stage") else None,
            "next_stage_label": (
                card["next_stage"]["label"] if card and card.get("next_stage") else None
            ),
            "to_next": [step["sentence"] for step in (card or {}).get("to_next", [])],
            "previous_stage_label": str(STAGE_LABELS[previous]) if previous else None,
            "accountability": ranking,
            "overdue": _overdue_milestones(zone, period),
            "items": _open_items(zone, period),
            "projects": _projects(zone, period),
            "as_of": data["freshness"]["as_of"],
            "talent_platform_rows": list(
                itertools.zip_longest(
                    dashboards.talent_figures(data["talent"]),
                    dashboards.platform_figures(data["platforms"]),
                )
            ),
        }
    )
    narrative_input = {
        **figures["dashboard"],
        **{k: v for k, v in figures.items() if k != "dashboard"},
    }
    figures["narrative"] = report_narrative.zone_narrative(narrative_input)
    return figures


def _zone_rank(zone: Zone, period: datetime.date, methodology: Methodology) -> dict[str, Any]:
    from investment.models import AccountabilityScore, SubjectKind

    row = (
        AccountabilityScore.objects.filter(
            subject_kind=SubjectKind.ZONE, zone=zone, period=period, methodology=methodology
        )
        .values("score", "colour", "rank", "movement")
        .first()
    )
    if row is None:
        return {"score": None, "colour": None, "rank": None, "of": None, "movement": None}
    of = AccountabilityScore.objects.filter(
        subject_kind=SubjectKind.ZONE,
        period=period,
        methodology=methodology,
        zone__prefecture__province_id=zone.prefecture.province_id,
        score__isnull=False,
    ).count()
    return {**row, "of": of}


def _overdue_milestones(zone: Zone, period: datetime.date) -> list[dict[str, Any]]:
    """The zone's milestones overdue at the month's end (red first), with their owners."""
    from investment.models import Milestone, MilestoneStatus, supervision_red_after_days

    end = min(month_end(period), timezone.localdate())
    red_before = end - datetime.timedelta(days=supervision_red_after_days())
    rows = (
        Milestone.objects.filter(project__zone=zone, planned_date__lt=end)
        .filter(~Q(status=MilestoneStatus.DONE) | Q(actual_date__gt=end))
        .select_related("project", "owner")
        .order_by("planned_date", "pk")
    )
    return [
        {
            "project": m.project.name,
            "title": m.title,
            "planned": m.planned_date,
            "days_late": (end - m.planned_date).days,
            "colour": "red" if m.planned_date < red_before else "yellow",
            "owner": (m.owner.get_full_name() or m.owner.get_username()) if m.owner else "—",
        }
        for m in rows
    ]


def _open_items(zone: Zone, period: datetime.date) -> list[dict[str, Any]]:
    """The zone's supervision items open at the month's end, coloured as on that day."""
    from investment.models import SupervisionItem, supervision_red_after_days, warning_colour

    end = month_end(period)
    day = min(end, timezone.localdate())
    red_after = supervision_red_after_days()
    return [
        {
            "title": item.title,
            "deadline": item.deadline,
            "status": item.get_status_display(),
            "colour": warning_colour(
                closed=False,
                deadline=item.deadline,
                today=day,
                reopened=item.reopened_count,
                start_colour=item.start_colour,
                red_after_days=red_after,
            ),
            "assignee": (
                (item.assignee.get_full_name() or item.assignee.get_username())
                if item.assignee
                else "—"
            ),
        }
        for item in SupervisionItem.objects.filter(zone=zone, created_at__date__lte=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gt=end))
        .select_related("assignee")
        .order_by("deadline", "pk")
    ]


def _projects(zone: Zone, period: datetime.date) -> list[dict[str, Any]]:
    """The zone's projects as at the month's end: those that existed then, at their stage then,
    with the cumulative investment of their last report up to the month."""
    from django.db.models import OuterRef, Subquery

    from investment.accountability import stage_on
    from investment.models import PIPELINE, ProgressReport, Project, ProjectStage

    day = min(month_end(period), timezone.localdate())
    last_report = (
        ProgressReport.objects.filter(project=OuterRef("pk"))
        .filter(Q(year__lt=period.year) | Q(year=period.year, month__lte=period.month))
        .order_by("-year", "-month")
        .values("investment_cumulative")[:1]
    )
    order = {stage: i for i, stage in enumerate([*PIPELINE, ProjectStage.TERMINATED])}
    labels = dict(ProjectStage.choices)
    rows = (
        Project.objects.filter(zone=zone)
        .annotate(stage_then=stage_on(day), completed_then=Subquery(last_report))
        .exclude(stage_then="")
        .select_related("lead")
    )
    projects = sorted(rows, key=lambda p: (order.get(p.stage_then, 99), p.code))
    return [
        {
            "code": p.code,
            "name": p.name,
            "stage": str(labels.get(p.stage_then, p.stage_then)),
            "investment_wan": p.planned_investment,
            "completed_wan": p.completed_then or 0,
            "lead": (p.lead.get_full_name() or p.lead.get_username()) if p.lead else "—",
        }
        for p in projects
    ]


def region_figures(
    kind: str, region: Prefecture | Province, period: datetime.date, methodology: Methodology
) -> dict[str, Any]:
    """A prefecture's or the province's report: the overview of its zones, and for the
    province one section per prefecture."""
    if kind == ReportKind.PREFECTURE:
        zones = Zone.objects.filter(prefecture=region)
    else:
        zones = Zone.objects.filter(prefecture__province=region)
    data = dashboards.overview(None, period=period, zones=zones, methodology=methodology)
    sections = []
    if kind == ReportKind.PROVINCE:
        for prefecture in Prefecture.objects.filter(province=region).order_by("code"):
            part = dashboards.overview(
                None,
                period=period,
                zones=Zone.objects.filter(prefecture=prefecture),
                methodology=methodology,
            )
            if part["zones"]:
                part.pop("methodology")
                sections.append({"name": prefecture.name, "code": prefecture.code, "data": part})
    changes = _stage_changes(zones, period, methodology)
    data.pop("methodology")
    figures = json_safe(
        {
            "scope": {"name": region.name, "code": region.code},
            "month": f"{period:%Y-%m}",
            "month_label": month_label(period),
            "overview": data,
            "sections": sections,
            "stage_changes": changes,
            "as_of": data["freshness"]["as_of"],
        }
    )
    narrative_input = {
        **figures["overview"],
        "month": figures["month"],
        "stage_changes": figures["stage_changes"],
    }
    figures["narrative"] = report_narrative.overview_narrative(
        narrative_input, scope_name=region.name
    )
    for section in figures["sections"]:
        section["narrative"] = report_narrative.overview_narrative(
            {**section["data"], "month": figures["month"]}, scope_name=section["name"]
        )
    return figures


def _stage_changes(zones, period: datetime.date, methodology: Methodology) -> list[dict]:
    order = {code: i for i, (code, _label) in enumerate(Stage.choices)}
    before = dict(
        ZoneScore.objects.filter(
            zone__in=zones, methodology=methodology, period=dashboards.months_back(period, 1)
        ).values_list("zone_id", "stage")
    )
    changes = []
    for zone_id, name, stage in ZoneScore.objects.filter(
        zone__in=zones, methodology=methodology, period=period
    ).values_list("zone_id", "zone__name", "stage"):
        old = before.get(zone_id)
        if old and old != stage:
            changes.append(
                {
                    "zone": name,
                    "from": str(STAGE_LABELS[old]),
                    "to": str(STAGE_LABELS[stage]),
                    "direction": "up" if order[stage] > order[old] else "down",
                }
            )
    return sorted(changes, key=lambda c: (c["direction"] != "up", c["zone"]))


# --- rendering ------------------------------------------------------------------------------


def check_pdf_toolchain() -> dict[str, bool]:
    """Whether WeasyPrint subsets fonts with HarfBuzz (libharfbuzz-subset0; without it it falls
    back to fontTools and a Chinese report is several times slower) and a CJK font is installed
    (fonts-noto-cjk). Logs a warning for what is missing; the worker calls it at start-up."""
    import shutil
    import subprocess

    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    subsetting = bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))
    fonts = ""
    if shutil.which("fc-list"):
        fonts = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
        ).stdout
    cjk = "Noto Sans CJK SC" in fonts or "Source Han Sans" in fonts
    if not subsetting:
        logger.warning(
            "WeasyPrint cannot subset fonts with HarfBuzz (install libharfbuzz-subset0): "
            "PDF reports fall back to fontTools and render several times slower"
        )
    if not cjk:
        logger.warning("no CJK font found (install fonts-noto-cjk): Chinese text cannot render")
    return {"harfbuzz_subset": subsetting, "cjk_font": cjk}


def render(report: Report) -> tuple[bytes, int]:
    """The report's PDF (bytes, pages) from its stored figures."""
    from weasyprint import HTML

    figures = report.figures
    if report.kind == ReportKind.ZONE:
        template = "reports/zone.html"
        charts = dashboard_charts.zone_charts(_chart_input(figures["dashboard"]))
    else:
        template = "reports/region.html"
        charts = dashboard_charts.overview_charts(figures["overview"], prefecture_links=False)
    context = {
        "report": report,
        "f": figures,
        "chart": {key.replace("-", "_"): svg for key, svg in charts.items()},
        "sections": [
            {
                **section,
                "chart": {
                    k.replace("-", "_"): _prefix_ids(v, f"s{section['code']}-")
                    for k, v in dashboard_charts.overview_charts(
                        section["data"], prefecture_links=False
                    ).items()
                    if k in ("stages", "projects-by-stage")
                },
            }
            for section in figures.get("sections", [])
        ],
        "generated_at": timezone.localtime(),
    }
    html = render_to_string(template, context)
    document = HTML(string=html, base_url=None).render(font_config=_font_config())
    return document.write_pdf(), len(document.pages)


_FONT_CONFIG = None


def _font_config():
    """One fontconfig/Pango font setup per process, reused by every render (WeasyPrint builds
    a new one per document otherwise: slower, and no cache of the CJK font between reports)."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def _prefix_ids(svg: str, prefix: str) -> str:
    """The same chart drawn once per prefecture: its ids made unique within the document."""
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    return re.sub(
        r'aria-labelledby="([^"]*)"',
        lambda m: 'aria-labelledby="' + " ".join(prefix + t for t in m.group(1).split()) + '"',
        svg,
    )


def _chart_input(dashboard: dict[str, Any]) -> dict[str, Any]:
    return {**dashboard, "score": dashboard.get("score") or None}


# --- generation -----------------------------------------------------------------------------


def _scope(kind: str, pk: int) -> tuple[Zone | Prefecture | Province, dict[str, Any]]:
    if kind == ReportKind.ZONE:
        zone = Zone.objects.select_related("prefecture__province").get(pk=pk)
        return zone, {
            "zone": zone,
            "prefecture": zone.prefecture,
            "province": zone.prefecture.province,
        }
    if kind == ReportKind.PREFECTURE:
        prefecture = Prefecture.objects.select_related("province").get(pk=pk)
        return prefecture, {"prefecture": prefecture, "province": prefecture.province}
    province = Province.objects.get(pk=pk)
    return province, {"province": province}


def report_row(
    kind: str, pk: int, period: datetime.date, methodology: Methodology, *, triggered_by: str = ""
) -> Report:
    """The report's row (created queued when missing): one per kind, scope, month, version."""
    _obj, places = _scope(kind, pk)
    report, _created = Report.objects.get_or_create(
        scope_key=scope_key(kind, pk),
        period=period,
        methodology=methodology,
        defaults={"kind": kind, "triggered_by": triggered_by, **places},
    )
    return report


def claim(report: Report, token: str = "", *, queued_only: bool = False) -> bool:
    """→ running, by one conditional update: from any other status (a person's request), or
    with ``queued_only`` only from queued (a task: a duplicate message finds the report
    running or done and does nothing). A running report is taken again by the same ``token``
    (a task redelivered after its worker died) or once abandoned for ``STALE_CLAIM``."""
    now = timezone.now()
    again = Q(claimed_by=token) if token else Q(pk__in=[])
    free = Q(status=ReportStatus.QUEUED) if queued_only else ~Q(status=ReportStatus.RUNNING)
    return bool(
        Report.objects.filter(pk=report.pk)
        .filter(
            free | (Q(status=ReportStatus.RUNNING) & (again | Q(started_at__lt=now - STALE_CLAIM)))
        )
        .update(
            status=ReportStatus.RUNNING,
            started_at=now,
            finished_at=None,
            error="",
            claimed_by=token,
        )
    )


def generate(
    kind: str,
    pk: int,
    period: datetime.date,
    *,
    methodology: Methodology | None = None,
    triggered_by: str = "",
    token: str = "",
    queued_only: bool = False,
) -> Report:
    """Build (or rebuild) one report; returns its row (status done, or failed with the error).

    Returns the row untouched when another worker holds it (status running) or, with
    ``queued_only``, when it is not queued."""
    period = period.replace(day=1)
    methodology = methodology or active_methodology()
    report = report_row(kind, pk, period, methodology, triggered_by=triggered_by)
    if not claim(report, token, queued_only=queued_only):
        report.refresh_from_db()
        return report
    started = time.perf_counter()
    try:
        with translation.override("zh-hans"):
            scope, _places = _scope(kind, pk)
            if kind == ReportKind.ZONE:
                figures = zone_figures(scope, period, methodology)
            else:
                figures = region_figures(kind, scope, period, methodology)
            report.figures = figures
            pdf, pages = render(report)
        old = report.file.name if report.file else ""
        # the new file first (the storage picks a free name), then the row; the old file goes
        # only once the row points at the new one: one file per report, never none
        report.file.save("report.pdf", ContentFile(pdf), save=False)
        with transaction.atomic():
            if old and old != report.file.name:
                storage = report.file.storage
                transaction.on_commit(lambda: storage.delete(old))
            Report.objects.filter(pk=report.pk).update(
                file=report.file.name,
                size=len(pdf),
                pages=pages,
                figures=figures,
                status=ReportStatus.DONE,
                finished_at=timezone.now(),
                attempts=report.attempts + 1,
                triggered_by=triggered_by or report.triggered_by,
            )
    except Exception as error:
        logger.exception("report %s failed", report.scope_key)
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED,
            finished_at=timezone.now(),
            attempts=report.attempts + 1,
            error=f"{error!r}\n{traceback.format_exc(limit=6)}",
        )
        report.refresh_from_db()
        raise
    report.refresh_from_db()
    logger.info(
        "report %s %s: %d pages, %d bytes, %.2f s",
        report.scope_key,
        period.strftime("%Y-%m"),
        pages,
        len(pdf),
        time.perf_counter() - started,
    )
    return report
