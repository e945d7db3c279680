"""The home page: what the signed-in user's role needs first.

Zone roles see their zone(s) with headline figures, a city supervisor sees their prefecture's
zones with totals, provincial roles and administrators see the province overview. Each variant
costs a fixed number of aggregate queries, however many zones there are.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import render

from devzone.access import get_scope, zone_allows
from zones.models import Enterprise, Prefecture, Zone, ZoneLevel, ZoneType
from zones.selectors import zones_for
from zones.units import OUTPUT_TIERS
from zones.views.common import tier_label, yi

LEADING = Q(
    enterprises__test_national_competitiveness=True,
    enterprises__test_headquarters_in_zone=True,
    enterprises__test_local_division_of_labour=True,
)


def _with_enterprise_counts(zones):
    return zones.annotate(
        enterprise_count=Count("enterprises"),
        above_size_count=Count("enterprises", filter=Q(enterprises__above_designated_size=True)),
        leading_count=Count("enterprises", filter=LEADING),
    )


def _decorate(zone) -> None:
    zone.output_yi = yi(zone.latest_output)
    zone.tier = tier_label(zone.output_tier)


@login_required
def home(request):
    user = request.user
    scope = get_scope(user)
    context: dict[str, object] = {"variant": "none"}
    if "view" in scope.everything or scope.provinces.get("view"):
        context.update(_province_overview(user), variant="province")
    elif scope.prefectures.get("view"):
        context.update(_prefecture_overview(user, scope.prefectures["view"]), variant="city")
    elif scope.zones.get("view"):
        context.update(_zone_cards(user, scope.zones["view"]), variant="zone")
    return render(request, "zones/home.html", context)


def _zone_cards(user, zone_ids) -> dict[str, object]:
    """Queries: the zones with their counts (1), their leading enterprises (1)."""
    zones = list(_with_enterprise_counts(zones_for(user).filter(pk__in=zone_ids)))
    leading: dict[int, list[str]] = {}
    for zone_id, name in (
        Enterprise.objects.for_user(user)
        .filter(
            zone_id__in=[z.pk for z in zones],
            test_national_competitiveness=True,
            test_headquarters_in_zone=True,
            test_local_division_of_labour=True,
        )
        .order_by("name")
        .values_list("zone_id", "name")
    ):
        leading.setdefault(zone_id, []).append(name)
    for zone in zones:
        _decorate(zone)
        zone.leading_names = leading.get(zone.pk, [])
        zone.may_add = zone_allows(user, "add", zone)
    return {"zones": zones}


def _prefecture_overview(user, prefecture_ids) -> dict[str, object]:
    """Queries: the prefectures (1), their zones with counts (1); totals summed here."""
    prefectures = list(Prefecture.objects.for_user(user).filter(pk__in=prefecture_ids))
    zones = list(_with_enterprise_counts(zones_for(user).filter(prefecture_id__in=prefecture_ids)))
    for zone in zones:
        _decorate(zone)
    outputs = [z.latest_output for z in zones if z.latest_output is not None]
    totals = {
        "zones": len(zones),
        "national": sum(1 for z in zones if z.level == ZoneLevel.NATIONAL),
        "enterprises": sum(z.enterprise_count for z in zones),
        "above_size": sum(z.above_size_count for z in zones),
        "leading": sum(z.leading_count for z in zones),
        "output_yi": yi(sum(outputs)) if outputs else None,
    }
    return {"prefectures": prefectures, "zones": zones, "totals": totals}


def _province_overview(user) -> dict[str, object]:
    """Queries: totals (1), by type (1), by prefecture (1), by tier (1), enterprises (1)."""
    base = Zone.objects.for_user(user).order_by()
    totals = base.aggregate(
        zones=Count("id"),
        national=Count("id", filter=Q(level=ZoneLevel.NATIONAL)),
        output=Sum("latest_output"),
    )
    totals["output_yi"] = yi(totals["output"])
    totals.update(
        Enterprise.objects.for_user(user)
        .order_by()
        .aggregate(
            enterprises=Count("id"),
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
    )

    type_counts = {
        row["type"]: row
        for row in base.values("type").annotate(n=Count("id"), output=Sum("latest_output"))
    }
    by_type = [
        {
            "label": label,
            "value": value,
            "n": type_counts.get(value, {}).get("n", 0),
            "output_yi": yi(type_counts.get(value, {}).get("output")),
        }
        for value, label in ZoneType.choices
    ]

    by_prefecture = [
        {
            "label": row["prefecture__name"],
            "code": row["prefecture__code"],
            "n": row["n"],
            "national": row["national"],
            "output_yi": yi(row["output"]),
        }
        for row in base.values("prefecture__code", "prefecture__name")
        .annotate(
            n=Count("id"),
            national=Count("id", filter=Q(level=ZoneLevel.NATIONAL)),
            output=Sum("latest_output"),
        )
        .order_by("prefecture__code")
    ]

    tier_counts = dict(base.values_list("output_tier").annotate(n=Count("id")))
    by_tier = [
        {"label": tier_label(tier), "value": tier, "n": tier_counts.get(tier, 0)}
        for tier, _lower in OUTPUT_TIERS
    ]
    if tier_counts.get(None):
        by_tier.append({"label": None, "value": "", "n": tier_counts[None]})
    return {
        "totals": totals,
        "by_type": by_type,
        "by_prefecture": by_prefecture,
        "by_tier": by_tier,
    }
