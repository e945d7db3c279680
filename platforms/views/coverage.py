"""The coverage of a zone's platforms: an index of the user's zones and one page per zone."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from devzone.access import zone_allows
from devzone.pages import page_links, paginate
from platforms.catalogue import CATALOGUE, SEGMENTS, PlatformKind
from platforms.selectors import coverage, percent, platform_counts_by_zone, window_start
from zones.selectors import zones_for


@login_required
def coverage_index(request):
    """The user's zones with a coverage summary. Queries: count (1), the page of zones with
    their enterprise counts (1), the platform and service aggregates of that page (2)."""
    zones = zones_for(request.user).annotate(enterprise_count=Count("enterprises"))
    query = request.GET.get("q", "").strip()
    if query:
        zones = zones.filter(Q(name__icontains=query) | Q(code__icontains=query))
    page = paginate(request, zones)
    counts = platform_counts_by_zone([zone.pk for zone in page])
    rows = []
    for zone in page:
        zone_counts = counts[zone.pk]
        rows.append(
            {
                "zone": zone,
                "counts": zone_counts,
                "share": percent(zone_counts["enterprises_served_12m"], zone.enterprise_count),
            }
        )
    return render(
        request,
        "platforms/coverage_index.html",
        {
            "page": page,
            "page_links": page_links(page),
            "rows": rows,
            "query": query,
            "kinds_total": len(PlatformKind.values),
            "sub_kinds_total": len(CATALOGUE),
            "segments_total": len(SEGMENTS),
            "since": window_start(),
        },
    )


@login_required
def coverage_detail(request, pk: int):
    zone = get_object_or_404(zones_for(request.user), pk=pk)
    return render(
        request,
        "platforms/coverage_detail.html",
        {
            "zone": zone,
            "cov": coverage(zone),
            "may_add": zone_allows(request.user, "add", zone),
        },
    )
