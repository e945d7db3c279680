"""Reads for pages, the API, exports and reports; each starts from ``for_user``.

Each list selector fixes its joins here, so a list costs the same number of queries for one row
or for fifty, and the page, the API and the export read the same rows.
"""

from __future__ import annotations

from zones.models import Enterprise, Zone, ZoneIndicator


def zones_for(user, action: str = "view"):
    return (
        Zone.objects.for_user(user, action)
        .select_related("prefecture", "leading_industry")
        .order_by("prefecture__code", "code")
    )


def enterprises_for(user, action: str = "view"):
    return (
        Enterprise.objects.for_user(user, action)
        .select_related("zone", "zone__prefecture", "industry")
        .order_by("zone__code", "name")
    )


def indicators_for(user, action: str = "view"):
    return (
        ZoneIndicator.objects.for_user(user, action)
        .select_related("zone", "zone__prefecture")
        .order_by("zone__code", "-year", "-month")
    )
