"""The talent overview: a table of the user's zones with counts per team, and one zone's page.

Both read ``talent_counts_by_zone`` (one GROUP BY zone per record type), so their cost does not
depend on the number of zones.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from devzone.access import zone_allows
from devzone.pages import Column, filter_form_fields, page_links, paginate, set_select
from talent.selectors import EMPTY_COUNTS, talent_counts_by_zone, twelve_months_ago, zone_trend
from talent.views.kinds import KINDS
from zones.filters import ZoneFilter
from zones.models import Prefecture
from zones.selectors import zones_for

OVERVIEW_COLUMNS = (
    Column(_("开发区")),
    Column(_("所属市州")),
    Column(_("管理人才"), numeric=True),
    Column(_("企业家"), numeric=True),
    Column(_("高层次人才团队"), numeric=True),
    Column(_("团队人数"), numeric=True),
    Column(_("培训中心"), numeric=True),
    Column(_("近12个月培训人次"), numeric=True),
    Column(_("近12个月取证人数"), numeric=True),
    Column(_("特殊技能人才"), numeric=True),
    Column(_("技能奖励"), numeric=True),
)
OVERVIEW_KEYS = (
    "cadres",
    "entrepreneurs",
    "teams",
    "team_people",
    "centres",
    "trainees_12m",
    "certificates_12m",
    "special_skills",
    "awards",
)


@login_required
def overview(request):
    """Zone users with one zone go to that zone's page; others get the table of their zones.

    Queries: the zone count (1), prefectures for the filter (1), page count and rows (2), the
    counts of the page's zones (7), the totals over every filtered zone (7).
    """
    user = request.user
    zones = zones_for(user)
    if not request.GET and zones.count() == 1:
        return redirect("talent:zone-overview", pk=zones.get().pk)
    filterset = ZoneFilter(request.GET, queryset=zones, request=request)
    prefectures = Prefecture.objects.for_user(user).order_by("code").values_list("code", "name")
    set_select(filterset.form, "prefecture", list(prefectures), _("全部市州"))
    filterset.form.fields["prefecture"].label = _("市州")
    page = paginate(request, filterset.qs)
    counts = talent_counts_by_zone([zone.pk for zone in page])
    for zone in page:
        zone_counts = counts.get(zone.pk, EMPTY_COUNTS)
        zone.talent = [zone_counts[key] for key in OVERVIEW_KEYS]
    all_counts = talent_counts_by_zone(filterset.qs.order_by().values("pk")).values()
    totals = {key: sum(c[key] for c in all_counts) for key in OVERVIEW_KEYS}
    return render(
        request,
        "talent/overview.html",
        {
            "page": page,
            "page_links": page_links(page),
            "headers": [{"label": c.label, "numeric": c.numeric} for c in OVERVIEW_COLUMNS],
            "filter_fields": filter_form_fields(filterset, ("q", "prefecture", "type", "level")),
            "totals": [totals[key] for key in OVERVIEW_KEYS],
            "kinds": KINDS,
        },
    )


@login_required
def zone_overview(request, pk: int):
    """One zone: counts per team, the trend by year, links to each list filtered to the zone."""
    user = request.user
    zone = get_object_or_404(zones_for(user), pk=pk)
    counts = talent_counts_by_zone([zone.pk]).get(zone.pk, EMPTY_COUNTS)
    cards = [
        {"label": _("管理人才（在职）"), "value": counts["cadres"], "kind": "cadre"},
        {"label": _("企业家"), "value": counts["entrepreneurs"], "kind": "entrepreneur"},
        {
            "label": _("高层次人才团队"),
            "value": counts["teams"],
            "kind": "team",
            "note": _("共 %(n)s 人，服务首位产业 %(m)s 个")
            % {"n": counts["team_people"], "m": counts["teams_leading_industry"]},
        },
        {"label": _("高技能人才培训中心"), "value": counts["centres"], "kind": "centre"},
        {
            "label": _("近12个月培训人次"),
            "value": counts["trainees_12m"],
            "kind": "session",
            "note": _("%(s)s 期，取证 %(c)s 人")
            % {"s": counts["sessions_12m"], "c": counts["certificates_12m"]},
        },
        {
            "label": _("特殊技能人才（入选）"),
            "value": counts["special_skills"],
            "kind": "placement",
        },
        {"label": _("高技能人才奖励"), "value": counts["awards"], "kind": "award"},
    ]
    for card in cards:
        card["url_name"] = f"talent:{card['kind']}-list"
    return render(
        request,
        "talent/zone_overview.html",
        {
            "zone": zone,
            "cards": cards,
            "trend": zone_trend(zone.pk),
            "since": twelve_months_ago(),
            "kinds": KINDS,
            "may_add": zone_allows(user, "add", zone),
        },
    )
