"""Zone list, XLSX export and zone detail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from devzone.access import zone_allows
from devzone.pages import (
    Column,
    export_xlsx,
    list_context,
    set_select,
)
from zones.filters import ZoneFilter
from zones.models import Membership, PeriodKind, Prefecture, ZoneIndicator
from zones.resources import ZoneResource
from zones.scorecard import scorecard
from zones.selectors import enterprises_for, zones_for
from zones.units import INDICATOR_FIELDS
from zones.views.common import tier_label, yi

ZONE_COLUMNS = (
    Column(_("编码"), "code", ("code",)),
    Column(_("名称"), "name", ("name",)),
    Column(_("类型"), "type", ("type", "code")),
    Column(_("级别")),
    Column(_("所属市州"), "prefecture", ("prefecture__code", "code")),
    Column(_("设立年份"), "founded_year", ("founded_year",), numeric=True),
    Column(_("首位产业")),
    Column(_("最近工业总产值（亿元）"), "latest_output", ("latest_output",), numeric=True),
    Column(_("产值规模")),
    Column(_("发展阶段")),
)
ZONE_FILTER_FIELDS = ("q", "type", "level", "prefecture", "output_tier")


def _zone_filterset(request, action: str) -> ZoneFilter:
    filterset = ZoneFilter(request.GET, queryset=zones_for(request.user, action), request=request)
    prefectures = Prefecture.objects.for_user(request.user).order_by("code")
    set_select(
        filterset.form,
        "prefecture",
        [(p.code, p.name) for p in prefectures],
        _("全部市州"),
    )
    filterset.form.fields["prefecture"].label = _("市州")
    return filterset


@login_required
def zone_list(request):
    """Queries: prefectures for the dropdown (1), count (1), the page (1)."""
    context = list_context(
        request, _zone_filterset(request, "view"), ZONE_FILTER_FIELDS, ZONE_COLUMNS, "prefecture"
    )
    for zone in context["page"]:
        zone.output_yi = yi(zone.latest_output)
        zone.tier = tier_label(zone.output_tier)
    return render(request, "zones/zone_list.html", context)


@login_required
def zone_export(request):
    """The zone list's rows, same filters and order, scoped with the ``export`` action."""
    return export_xlsx(
        request,
        _zone_filterset(request, "export"),
        ZONE_COLUMNS,
        "prefecture",
        ZoneResource,
        str(_("开发区")),
    )


@login_required
def zone_detail(request, pk: int):
    user = request.user
    zone = get_object_or_404(zones_for(user).prefetch_related("main_industries"), pk=pk)
    zone.output_yi = yi(zone.latest_output)
    zone.tier = tier_label(zone.output_tier)

    memberships = list(
        Membership.objects.filter(zone=zone).select_related("user").order_by("role", "user_id")
    )
    people = [
        {"name": m.user.get_full_name() or m.user.get_username(), "role": m.get_role_display()}
        for m in memberships
    ]

    enterprises = enterprises_for(user).filter(zone=zone)
    counts = enterprises.order_by().aggregate(
        total=Count("id"),
        above_size=Count("id", filter=Q(above_designated_size=True)),
        leading=Count(
            "id",
            filter=Q(
                test_national_competitiveness=True,
                test_headquarters_in_zone=True,
                test_local_division_of_labour=True,
            ),
        ),
    )

    indicators = ZoneIndicator.objects.for_user(user).filter(zone=zone)
    annual = indicators.filter(period_kind=PeriodKind.YEAR).order_by("-year").first()
    monthly = list(indicators.filter(period_kind=PeriodKind.MONTH).order_by("-year", "-month")[:12])
    monthly.reverse()
    indicator_rows = [
        {
            "label": spec.label,
            "unit": spec.unit,
            "annual": getattr(annual, spec.name) if annual else None,
            "monthly": [getattr(m, spec.name) for m in monthly],
        }
        for spec in INDICATOR_FIELDS
    ]
    return render(
        request,
        "zones/zone_detail.html",
        {
            "zone": zone,
            "people": people,
            "enterprises": list(enterprises[:20]),
            "enterprise_counts": counts,
            "annual": annual,
            "monthly": monthly,
            "indicator_rows": indicator_rows,
            "scorecard": scorecard(zone),
            "may_add": zone_allows(user, "add", zone),
            "may_change": zone_allows(user, "change", zone),
            "may_supervise": zone_allows(user, "supervise", zone),
        },
    )
