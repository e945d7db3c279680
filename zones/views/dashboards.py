"""The leaders' dashboards: provincial cockpit, prefecture dashboard and zone dashboard.

Each page reads ``zones.dashboards`` (summary rows, never raw projects), draws its charts with
``zones.dashboard_charts`` and its tables with ``zones.dashboard_tables``. The same URL answers
``?chart=<key>`` with the chart as an SVG file and ``?export=<key>`` with a table as XLSX, so a
download always matches what the page shows for the same filters.

Access: the cockpit needs a provincial role (or administrator) — others get 403; a prefecture's
dashboard needs that prefecture or its province in scope, a zone's dashboard the zone: outside
the scope they are 404, like any other object.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from devzone import charts
from devzone.pages import DataTable, style_form, table_xlsx
from zones import dashboard_charts, dashboard_tables, dashboards
from zones.dashboards import MAP_MEASURES
from zones.methodology import active_methodology
from zones.models import Prefecture, Zone, ZoneType
from zones.scorecard import scorecard
from zones.selectors import zones_for

DOWNLOAD_PARAMS = ("chart", "export")


class DashboardFilterForm(forms.Form):
    """Period (the months with results), and on the cockpit prefecture, type and map measure;
    the prefecture choices are those the user may view."""

    period = forms.ChoiceField(required=False, label=_("统计月份"))
    prefecture = forms.ModelChoiceField(
        queryset=Prefecture.objects.none(), to_field_name="code", required=False, label=_("市州")
    )
    type = forms.ChoiceField(required=False, label=_("类型"))
    measure = forms.ChoiceField(required=False, label=_("地图指标"))

    def __init__(self, *args, user, periods, with_places: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(f"{p:%Y-%m}", f"{p:%Y-%m}") for p in periods]
        if with_places:
            self.fields["prefecture"].queryset = Prefecture.objects.for_user(user).order_by("code")
            self.fields["prefecture"].empty_label = _("全部市州")
            self.fields["type"].choices = [("", _("全部类型")), *ZoneType.choices]
            self.fields["measure"].choices = [(k, v[0]) for k, v in MAP_MEASURES.items()]
        else:
            for name in ("prefecture", "type", "measure"):
                del self.fields[name]
        style_form(self, compact=True)


def _filters(request, *, with_places: bool = True) -> tuple[DashboardFilterForm, dict[str, Any]]:
    periods = dashboards.periods()
    form = DashboardFilterForm(
        request.GET, user=request.user, periods=periods, with_places=with_places
    )
    valid = form.is_valid()
    data = form.cleaned_data  # the valid fields only: a stale month keeps the other filters
    return form, {
        "period": dashboards.resolve_period(data.get("period"), periods),
        "prefecture": data.get("prefecture"),
        "type": data.get("type") or "",
        "measure": data.get("measure") or "zones",
        "valid": valid,
    }


def _query_without_downloads(request) -> str:
    query = request.GET.copy()
    for name in DOWNLOAD_PARAMS:
        query.pop(name, None)
    return query.urlencode()


def _respond(
    request,
    template: str,
    context: dict[str, Any],
    svgs: dict[str, str],
    tables: dict[str, DataTable],
    stem: str,
):
    """The page, or one of its charts (SVG) or tables (XLSX) when asked by key (404 if none)."""
    chart_key = request.GET.get("chart")
    if chart_key is not None:
        if chart_key not in svgs:
            raise Http404
        response = HttpResponse(
            charts.svg_document(svgs[chart_key]), content_type="image/svg+xml; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"{stem}-{chart_key}.svg"
        )
        return response
    export_key = request.GET.get("export")
    if export_key is not None:
        if export_key not in tables:
            raise Http404
        return table_xlsx(tables[export_key], f"{stem}-{export_key}")
    query = _query_without_downloads(request)
    context.update(
        chart={
            key.replace("-", "_"): {"key": key, "svg": svg, "query": query}
            for key, svg in svgs.items()
        },
        table={
            key.replace("-", "_"): {"t": table, "query": query} for key, table in tables.items()
        },
        query=query,
    )
    return render(request, template, context)


@login_required
def cockpit(request):
    """Queries: scope (1), prefecture filter (1 when given), the overview (6), the periods (1),
    the form's prefecture choices (1)."""
    user = request.user
    if not dashboards.may_open_cockpit(user):
        raise PermissionDenied
    form, chosen = _filters(request)
    zones = Zone.objects.for_user(user)
    if chosen["prefecture"] is not None:
        zones = zones.filter(prefecture=chosen["prefecture"])
    if chosen["type"]:
        zones = zones.filter(type=chosen["type"])
    data = dashboards.overview(user, period=chosen["period"], zones=zones)
    svgs = dashboard_charts.overview_charts(data, measure=chosen["measure"])
    tables = dashboard_tables.overview_tables(data)
    context = {"data": data, "form": form, "chosen": chosen, "variant": "cockpit"}
    return _respond(request, "zones/cockpit.html", context, svgs, tables, "cockpit")


@login_required
def prefecture_dashboard(request, pk: int):
    user = request.user
    prefecture = get_object_or_404(Prefecture.objects.for_user(user), pk=pk)
    if not dashboards.may_open_prefecture(user, prefecture):
        raise Http404
    form, chosen = _filters(request, with_places=False)
    zones = Zone.objects.for_user(user).filter(prefecture=prefecture)
    data = dashboards.overview(user, period=chosen["period"], zones=zones)
    svgs = dashboard_charts.overview_charts(data, prefecture_links=False)
    svgs.pop("map")
    svgs.pop("by-prefecture")
    tables = dashboard_tables.overview_tables(data)
    tables.pop("prefectures")
    context = {
        "data": data,
        "form": form,
        "chosen": chosen,
        "prefecture": prefecture,
        "variant": "prefecture",
    }
    return _respond(
        request, "zones/cockpit.html", context, svgs, tables, f"prefecture-{prefecture.code}"
    )


@login_required
def zone_dashboard(request, pk: int):
    user = request.user
    zone = get_object_or_404(zones_for(user), pk=pk)
    form, chosen = _filters(request, with_places=False)
    methodology = active_methodology()
    data = dashboards.zone_dashboard(user, zone, period=chosen["period"], methodology=methodology)
    svgs = dashboard_charts.zone_charts(data)
    tables = dashboard_tables.zone_tables(data)
    card = scorecard(zone, chosen["period"], methodology) if chosen["period"] else None
    context = {
        "zone": zone,
        "data": data,
        "form": form,
        "chosen": chosen,
        "card": card,
        "talent_figures": dashboards.talent_figures(data["talent"]),
        "platform_figures": dashboards.platform_figures(data["platforms"]),
    }
    return _respond(
        request, "zones/zone_dashboard.html", context, svgs, tables, f"zone-{zone.code}"
    )
