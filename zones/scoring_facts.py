"""A zone's facts for a period, gathered for many zones at once, for the pure scoring modules.

Every kind of fact is one grouped query over the requested zones, so gathering 95 or 2,500
zones costs the same number of queries. What is read, for the period (a month) ``P`` of year
``Y``:

- registry: the zone's province and type (the capacity peer group), leading industry and
  ``latest_output`` (the latest annual gross output, the stage's scale);
- enterprises (current): count, above-size, passing all three leading tests, founded in ``Y``,
  non-leading enterprises on a link of the leading industry's chain;
- the latest annual indicator row with year ≤ ``Y``: leading-industry output, R&D spending,
  local supply rate (the stage's figures, in the same year as the output);
- monthly indicator rows of ``Y`` and ``Y − 1`` up to ``P``'s month: flows summed year to date
  (output, leading output, tax, investment, energy, R&D) and stocks from the latest month
  (land, floor-area ratio, employment, rural labour transferred);
- chain links: the leading industry's template links by segment and the links that enterprises
  of the zone cover;
- platforms, services and training: the platforms and talent apps' per-zone counts;
- projects signed in ``Y`` up to the period's end: the investment app's transitions;
- enterprise annual figures of year ``Y − 1`` (the last complete year) for the per-mu grades.

A figure that is not recorded stays None all the way to the result: missing, never zero.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum

from zones.models import (
    ChainLink,
    Enterprise,
    EnterpriseAnnual,
    PeriodKind,
    Zone,
    ZoneIndicator,
)
from zones.recompute import month_end
from zones.scoring.capacity_indicators import CapacityFacts
from zones.scoring.land import EnterpriseFigures
from zones.scoring.stage import SEGMENTS, StageFacts

FLOWS = (
    "gross_industrial_output",
    "leading_industry_output",
    "tax_revenue",
    "fixed_asset_investment",
    "energy_use_tce",
    "rd_spending",
)
STOCKS = (
    "land_supplied_mu",
    "land_approved_unsupplied_mu",
    "land_idle_mu",
    "floor_area_ratio",
    "employment",
    "rural_labour_transferred",
)
HUNDRED = Decimal(100)


@dataclass
class ZoneFacts:
    zone_id: int
    province_id: int
    zone_type: str
    scale: Decimal | None
    stage: StageFacts
    capacity: CapacityFacts
    enterprises: list[EnterpriseFigures] = field(default_factory=list)
    land_year: int = 0


def _zones(zone_ids: list[int] | None) -> list[dict[str, Any]]:
    queryset = Zone.objects.order_by("pk")
    if zone_ids is not None:
        queryset = queryset.filter(pk__in=zone_ids)
    return list(
        queryset.values(
            "pk", "type", "leading_industry_id", "latest_output", "prefecture__province_id"
        )
    )


def _enterprise_counts(zone_ids, year: int) -> dict[int, dict[str, int]]:
    leading = Q(
        test_national_competitiveness=True,
        test_headquarters_in_zone=True,
        test_local_division_of_labour=True,
    )
    rows = (
        Enterprise.objects.filter(zone_id__in=zone_ids)
        .order_by()
        .values("zone_id")
        .annotate(
            total=Count("id"),
            above_size=Count("id", filter=Q(above_designated_size=True)),
            leading=Count("id", filter=leading),
            new=Count("id", filter=Q(established_on__year=year)),
            suppliers=Count(
                "id",
                filter=Q(chain_link__template__industry_id=F("zone__leading_industry_id"))
                & ~leading,
            ),
        )
    )
    return {row.pop("zone_id"): row for row in rows}


def _latest_annual(zone_ids, year: int) -> dict[int, dict[str, Any]]:
    """Per zone, the latest annual row with year ≤ ``year`` (three years looked back)."""
    rows = (
        ZoneIndicator.objects.filter(
            zone_id__in=zone_ids,
            period_kind=PeriodKind.YEAR,
            year__lte=year,
            year__gte=year - 3,
        )
        .order_by("zone_id", "year")
        .values("zone_id", "year", "leading_industry_output", "rd_spending", "local_supply_rate")
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:  # ascending years: the last one wins
        latest[row["zone_id"]] = row
    return latest


def _year_to_date(zone_ids, year: int, month: int) -> dict[tuple[int, int], dict[str, Any]]:
    """Flows summed over months 1..``month`` of ``year`` and ``year − 1``; keyed (zone, year)."""
    rows = (
        ZoneIndicator.objects.filter(
            zone_id__in=zone_ids,
            period_kind=PeriodKind.MONTH,
            year__in=[year, year - 1],
            month__lte=month,
        )
        .order_by()
        .values("zone_id", "year")
        .annotate(months=Count("id"), **{name: Sum(name) for name in FLOWS})
    )
    return {(row["zone_id"], row["year"]): row for row in rows}


def _stocks(zone_ids, year: int, month: int) -> dict[int, dict[str, Any]]:
    """Stocks from the latest monthly row of ``year`` up to ``month``."""
    rows = (
        ZoneIndicator.objects.filter(
            zone_id__in=zone_ids, period_kind=PeriodKind.MONTH, year=year, month__lte=month
        )
        .order_by("zone_id", "month")
        .values("zone_id", "month", *STOCKS)
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:
        latest[row["zone_id"]] = row
    return latest


def _chain(zones: list[dict[str, Any]]) -> dict[int, dict[str, tuple[int, int]]]:
    """Per zone with a leading industry that has a template: (covered, total) links a segment."""
    industries = {z["leading_industry_id"] for z in zones if z["leading_industry_id"]}
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SEGMENTS, 0))
    for row in (
        ChainLink.objects.filter(template__industry_id__in=industries)
        .order_by()
        .values("template__industry_id", "segment")
        .annotate(n=Count("id"))
    ):
        totals[row["template__industry_id"]][row["segment"]] = row["n"]
    covered: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SEGMENTS, 0))
    zone_ids = [z["pk"] for z in zones]
    for row in (
        Enterprise.objects.filter(
            zone_id__in=zone_ids,
            chain_link__template__industry_id=F("zone__leading_industry_id"),
        )
        .order_by()
        .values("zone_id", "chain_link__segment")
        .annotate(n=Count("chain_link_id", distinct=True))
    ):
        covered[row["zone_id"]][row["chain_link__segment"]] = row["n"]
    result = {}
    for zone in zones:
        industry = zone["leading_industry_id"]
        if industry in totals:
            result[zone["pk"]] = {
                s: (covered[zone["pk"]][s], totals[industry][s]) for s in SEGMENTS
            }
    return result


def _enterprise_figures(zone_ids, year: int) -> dict[int, list[EnterpriseFigures]]:
    rows = (
        EnterpriseAnnual.objects.filter(enterprise__zone_id__in=zone_ids, year=year)
        .order_by("enterprise_id")
        .values(
            "enterprise_id",
            "enterprise__zone_id",
            "enterprise__above_designated_size",
            "enterprise__land_area_mu",
            "enterprise__land_grading",
            "enterprise__production_started_on",
            "tax",
            "revenue",
            "value_added",
            "energy_tce",
            "employees",
            "rd_spending",
            "veto_reason",
        )
    )
    result: dict[int, list[EnterpriseFigures]] = defaultdict(list)
    for row in rows:
        result[row["enterprise__zone_id"]].append(
            EnterpriseFigures(
                id=row["enterprise_id"],
                above_size=row["enterprise__above_designated_size"],
                land_mu=row["enterprise__land_area_mu"],
                tax=row["tax"],
                revenue=row["revenue"],
                value_added=row["value_added"],
                energy_tce=row["energy_tce"],
                employees=row["employees"],
                rd_spending=row["rd_spending"],
                category=row["enterprise__land_grading"],
                production_started=row["enterprise__production_started_on"],
                veto_reason=row["veto_reason"],
            )
        )
    return result


def _share(rate: Any) -> Decimal | None:
    return None if rate is None else Decimal(rate) / HUNDRED


def gather(zone_ids: list[int] | None, period: datetime.date) -> dict[int, ZoneFacts]:
    """The facts of ``zone_ids`` (None: every zone) for the month starting ``period``."""
    from investment.selectors import signed_counts_by_zone
    from platforms.selectors import platform_counts_by_zone
    from talent.selectors import talent_counts_by_zone

    year, month = period.year, period.month
    zones = _zones(zone_ids)
    ids = [z["pk"] for z in zones]
    period_end = month_end(period)
    counts = _enterprise_counts(ids, year)
    annual = _latest_annual(ids, year)
    ytd = _year_to_date(ids, year, month)
    stocks = _stocks(ids, year, month)
    chains = _chain(zones)
    platforms = platform_counts_by_zone(ids, today=period_end)
    talent = talent_counts_by_zone(ids, today=period_end)
    signed = signed_counts_by_zone(ids, datetime.date(year, 1, 1), period_end)
    figures = _enterprise_figures(ids, year - 1)

    result: dict[int, ZoneFacts] = {}
    for zone in zones:
        pk = zone["pk"]
        count = counts.get(
            pk, {"total": 0, "above_size": 0, "leading": 0, "new": 0, "suppliers": 0}
        )
        year_row = annual.get(pk, {})
        now, before = ytd.get((pk, year), {}), ytd.get((pk, year - 1), {})
        comparable = now.get("months") and now.get("months") == before.get("months")
        stock = stocks.get(pk, {})
        plat = platforms[pk]
        links = chains.get(pk)
        coverage = None
        if links:
            total = sum(t for _c, t in links.values())
            coverage = Decimal(sum(c for c, _t in links.values())) / total if total else None
        stage = StageFacts(
            above_size_enterprises=count["above_size"],
            gross_output=zone["latest_output"],
            leading_industry_output=year_row.get("leading_industry_output"),
            leading_enterprises=count["leading"],
            chain_links=links,
            local_supply_share=_share(year_row.get("local_supply_rate")),
            innovation_platforms=plat["by_kind"]["innovation"] + plat["by_kind"]["iur"],
            national_platforms=plat["national_innovation"],
            rd_spending=year_row.get("rd_spending"),
            service_segments=frozenset(s for s, n in plat["segments"].items() if n),
        )
        capacity = CapacityFacts(
            gross_output=now.get("gross_industrial_output"),
            gross_output_prev=before.get("gross_industrial_output") if comparable else None,
            leading_output=now.get("leading_industry_output"),
            leading_output_prev=before.get("leading_industry_output") if comparable else None,
            tax_revenue=now.get("tax_revenue"),
            tax_revenue_prev=before.get("tax_revenue") if comparable else None,
            fixed_asset_investment=now.get("fixed_asset_investment"),
            land_supplied_mu=stock.get("land_supplied_mu"),
            land_approved_unsupplied_mu=stock.get("land_approved_unsupplied_mu"),
            land_idle_mu=stock.get("land_idle_mu"),
            floor_area_ratio=stock.get("floor_area_ratio"),
            energy_use_tce=now.get("energy_use_tce"),
            employment=stock.get("employment"),
            rural_labour_transferred=stock.get("rural_labour_transferred"),
            rd_spending=now.get("rd_spending"),
            enterprises=count["total"],
            new_enterprises=count["new"],
            projects_signed=signed.get(pk, 0),
            leading_enterprises=count["leading"],
            leading_local_suppliers=count["suppliers"] if links else None,
            local_supply_share=_share(year_row.get("local_supply_rate")),
            chain_coverage=coverage,
            platforms=plat["operating"],
            national_platforms=plat["national"],
            services_delivered=plat["service_records_12m"],
            trainees=talent.get(pk, {}).get("trainees_12m", 0),
        )
        result[pk] = ZoneFacts(
            zone_id=pk,
            province_id=zone["prefecture__province_id"],
            zone_type=zone["type"],
            scale=zone["latest_output"],
            stage=stage,
            capacity=capacity,
            enterprises=figures.get(pk, []),
            land_year=year - 1,
        )
    return result
