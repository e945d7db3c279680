"""Plausible figures for one demo zone: planned area, enterprises, their annual figures and
indicator rows.

Ranges follow shared/data/guizhou-figures.md §3-4 (zone output 10亿 to >1000亿, 15-200
enterprises, leading industry 60-85% of output, tax a few per cent of output) and are
illustrative, not statistics. Every figure is in its canonical unit (万元, 亩, 人, 吨标准煤, 件).

Flows (output, tax, investment, land supplied, energy, rural labour moved, R&D spending, patents)
are split over the months of a year so that the twelve months add up exactly to the annual row.
Stocks (employment, R&D staff, unsupplied and idle land, floor-area ratio) are month-end levels
moving from the previous year-end to this year-end; December equals the annual row. The local
supply rate is in the annual rows only.

Enterprises' annual figures (for the per-mu grades) are shares of their zone's year, so they add
up to less than the zone's totals. Which enterprises are above size or leading, which chain links
they cover, the leading-industry share and the local supply rate follow the stage levers of
zones/demo_stages.py.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from zones import demo_stages as stages
from zones.models import (
    ChainPosition,
    Enterprise,
    EnterpriseAnnual,
    PeriodKind,
    Zone,
    ZoneIndicator,
)
from zones.units import output_tier
from zones.validators import build_credit_code

ANNUAL_YEARS = (2023, 2024, 2025)
FIRST_MONTH = (2023, 1)
TIER_FIXED_BY = 2025  # the annual output of this year decides the zone's tier

# 2025 gross output per tier, in 亿元 (lower, upper); the draw stays inside the paper's bounds.
TIER_OUTPUT_YI = {
    "1000+": (1000, 1350),
    "500-1000": (500, 1000),
    "300-500": (300, 500),
    "200-300": (200, 300),
    "100-200": (100, 200),
    "50-100": (50, 100),
    "<50": (8, 50),
}
ENTERPRISES = {
    "1000+": (170, 200),
    "500-1000": (140, 180),
    "300-500": (110, 150),
    "200-300": (80, 120),
    "100-200": (55, 90),
    "50-100": (40, 65),
    "<50": (15, 40),
    None: (15, 30),
}
TIER_SCALE = {
    "1000+": 1.7,
    "500-1000": 1.5,
    "300-500": 1.3,
    "200-300": 1.15,
    "100-200": 1.0,
    "50-100": 0.85,
    "<50": 0.7,
    None: 1.0,
}
# Planned area in km² by type (1 km² = 1500 亩); 综保区 are small fenced areas.
AREA_KM2 = {
    "high_tech": (10, 60),
    "economic": (12, 80),
    "industrial_park": (5, 30),
    "bonded": (1.5, 3.5),
}
# Energy per 万元 of output (吨标准煤); heavy industries an order of magnitude above light ones.
HEAVY = {
    "coal_chemical",
    "aluminium",
    "phosphorus_chemical",
    "building_materials",
    "basic_energy",
    "clean_power",
    "computing_datacenter",
}
DETAIL = {
    "jiangxiang_baijiu": ("酱香型白酒酿造", "白酒包装材料", "基酒储存与勾调"),
    "phosphorus_chemical": ("磷矿采选", "湿法磷酸", "精细磷化工"),
    "new_energy_battery": ("磷酸铁锂正极材料", "电解液", "动力电池电芯"),
    "aluminium": ("电解铝", "铝板带箔", "铝合金型材"),
    "coal_chemical": ("煤制甲醇", "煤焦化", "煤基新材料"),
    "electronics_manufacturing": ("电子元器件", "智能终端组装", "印制电路板"),
    "computing_datacenter": ("数据中心运营", "智算服务", "服务器制造"),
    "aerospace_equipment": ("航空零部件", "航空发动机部件", "无人机整机"),
    "tcm_health": ("中药饮片", "中成药", "医疗器械"),
    "chili_food": ("辣椒制品", "茶叶加工", "特色肉制品"),
    "building_materials": ("新型墙体材料", "装配式建筑构件", "商品混凝土"),
    "equipment_manufacturing": ("工程机械", "电力装备", "汽车零部件"),
    "basic_energy": ("煤炭洗选", "煤层气开发", "能源储运"),
    "clean_power": ("光伏发电设备", "风电运维", "抽水蓄能配套"),
    "tobacco_liquor": ("卷烟配套", "酒类包装", "优质烟叶加工"),
    "modern_logistics": ("保税仓储", "跨境电商", "冷链物流"),
}
KINDS = ("科技", "实业", "制造", "材料", "发展", "工贸")
SEASON = (0.070, 0.062, 0.083, 0.082, 0.084, 0.088, 0.083, 0.084, 0.087, 0.085, 0.088, 0.104)


def planned_area_mu(rng: random.Random, ztype: str, tier: str | None) -> Decimal:
    lo, hi = AREA_KM2[ztype]
    km2 = rng.uniform(lo, hi) * (TIER_SCALE[tier] if ztype != "bonded" else 1)
    if ztype != "bonded":
        km2 = min(100.0, max(5.0, km2))
    return Decimal(round(km2 * 1500))


def enterprise_count(rng: random.Random, tier: str | None) -> int:
    return rng.randint(*ENTERPRISES[tier])


def complete_months(today: date) -> list[tuple[int, int]]:
    """Every month from 2023-01 to the last month that has ended before ``today``."""
    last = today.replace(day=1) - timedelta(days=1)
    months, (y, m) = [], FIRST_MONTH
    while (y, m) <= (last.year, last.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _random_date(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return end
    return start + timedelta(days=rng.randrange((end - start).days))


def build_enterprises(
    rng: random.Random,
    zone: Zone,
    plan,
    counts: tuple[int, int],
    serials: Iterator[int],
    industries: dict,
    today: date,
    links: list | None,
) -> list[Enterprise]:
    """``counts[0]`` enterprises (``counts[1]``: the tier's usual count), mostly in the zone's
    leading industry. The first ``plan.leaders`` pass all three leading-enterprise tests and the
    next ``plan.partial`` only some; these and a tier-sized share of the rest are above size
    (zones/demo_stages.py). Leading-industry enterprises sit on the links of the industry's
    chain template (``links``) that the zone covers, their chain position the link's segment."""
    n, n_default = counts
    pref = zone.prefecture
    short = pref.name.removesuffix("市").removesuffix("州").removesuffix("新区")
    full, partial = plan.leaders, plan.partial
    n_big = full + partial
    n_above = stages.above_size_count(rng, plan, n, n_default)
    above_set = set(rng.sample(range(n_big + 1, n + 1), max(0, n_above - n_big)))
    covered = stages.choose_links(rng, plan, links or [])
    core_links = [lk for lk in covered if lk.segment == ChainPosition.MIDSTREAM] or covered
    unused = list(covered)  # every covered link gets an enterprise before any gets a second
    rng.shuffle(unused)
    zone_start = date(max(zone.founded_year, 1990), 1, 1)
    latest = today - timedelta(days=90)
    rows = []
    for k in range(1, n + 1):
        big = k <= n_big
        in_leading = big or rng.random() < 0.7
        code = plan.leading if in_leading else rng.choice(plan.main[1:] or plan.main)
        industry = industries[code]
        above = big or k in above_set
        tests = (
            (True, True, True)
            if k <= full
            else ((True, rng.random() < 0.5, False) if big else (False, False, False))
        )
        recorded = (
            _random_date(rng, date(2024, 1, 1), min(today, date(2025, 12, 31)))
            if any(tests)
            else None
        )
        link = None
        if in_leading and covered:
            if big:
                link = rng.choice(core_links)
            elif unused:
                link = unused.pop()
            elif rng.random() < 0.85:
                link = rng.choice(covered)
        if link is not None:
            position = link.segment
        else:
            position = rng.choices(
                [ChainPosition.UPSTREAM, ChainPosition.MIDSTREAM, ChainPosition.DOWNSTREAM],
                weights=[25, 45, 30] if not big else [10, 70, 20],
            )[0]
        # big firms are among the zone's first; production starts 3 months to 2 years after
        # founding, so a young firm's per-mu grade is deferred
        founded_by = min(latest, date(zone_start.year + 8, 12, 31)) if big else latest
        established = _random_date(rng, zone_start, founded_by)
        started = min(today - timedelta(days=1), established + timedelta(rng.randint(90, 720)))
        roll = rng.random()
        grading = "auto" if big or roll >= 0.04 else ("exempt" if roll < 0.02 else "deferred")
        rows.append(
            Enterprise(
                zone=zone,
                name=f"演示{short}{plan.number:02d}园{industry.name}{rng.choice(KINDS)}"
                f"{k:03d}有限公司",
                credit_code=build_credit_code(pref.code, next(serials)),
                industry=industry,
                industry_detail=link.name if link else rng.choice(DETAIL.get(code, ("",))),
                chain_position=position,
                chain_link=link,
                land_area_mu=Decimal(
                    round(
                        rng.uniform(150, 600)
                        if big
                        else rng.uniform(30, 300)
                        if above
                        else rng.uniform(5, 80)
                    )
                ),
                above_designated_size=above,
                established_on=established,
                production_started_on=started,
                land_grading=grading,
                test_national_competitiveness=tests[0],
                test_headquarters_in_zone=tests[1],
                test_local_division_of_labour=tests[2],
                leading_tests_recorded_on=recorded,
                leading_tests_note="演示数据：三项认定均满足。"
                if all(tests)
                else ("演示数据：部分认定。" if any(tests) else ""),
            )
        )
    return rows


FLOWS = (
    "gross_industrial_output",
    "leading_industry_output",
    "tax_revenue",
    "fixed_asset_investment",
    "land_supplied_mu",
    "energy_use_tce",
    "rural_labour_transferred",
    "rd_spending",
    "patents",
)
STOCKS = (
    "employment",
    "rd_staff",
    "land_approved_unsupplied_mu",
    "land_idle_mu",
    "floor_area_ratio",
)
WHOLE = {"rural_labour_transferred", "patents", "employment", "rd_staff"}  # counted in units
INVESTMENT_LIKE = {"fixed_asset_investment", "land_supplied_mu"}


@dataclass
class ZoneYears:
    """A zone's figures by year before rounding: ``values`` for ``years`` and the year before
    (stocks start from it); ``output`` is the zone's gross output even where none is recorded
    (the untiered 综保区), which its enterprises' figures are shares of."""

    years: list[int]
    values: dict[int, dict[str, float | None]]
    output: dict[int, float]


def zone_year_values(rng: random.Random, plan, months: list[tuple[int, int]]) -> ZoneYears:
    """The zone's figures for 2023-2025 and every year with a complete month."""
    years = sorted({y for y, _m in months} | set(ANNUAL_YEARS))
    values, output = _year_values(rng, plan, [years[0] - 1, *years])
    return ZoneYears(years, values, output)


def _year_values(
    rng: random.Random, plan, years: list[int]
) -> tuple[dict[int, dict[str, float | None]], dict[int, float]]:
    """Each year's flow totals and year-end stocks, in canonical units, before rounding.

    The tier-fixing year's output sits at the zone's ``position`` inside its tier (bigger zones
    by the plan's rank higher). The leading industry is 60-85% of output, 30-38% in a
    diversified zone; R&D spending stays under the network stage's 2.5% of output.
    """
    lo, hi = TIER_OUTPUT_YI[plan.tier or "<50"]
    if plan.tier is None:  # no output figure, but the zone still needs a size for the rest
        lo, hi = 20, 60
    place = min(1.0, max(0.0, plan.position + rng.uniform(-0.03, 0.03)))
    out = {TIER_FIXED_BY: (lo * 1.02 + (hi * 0.98 - lo * 1.02) * place) * 10000}
    for y in range(TIER_FIXED_BY - 1, min(years) - 1, -1):
        out[y] = out[y + 1] / rng.uniform(1.02, 1.15)
    for y in range(TIER_FIXED_BY + 1, max(years) + 1):
        out[y] = out[y - 1] * rng.uniform(1.0, 1.12)
    heavy = plan.leading in HEAVY
    tax_rate = rng.uniform(0.022, 0.09)  # with the yearly jitter stays within 2-10%
    lead_share = rng.uniform(0.30, 0.38) if plan.diversified else rng.uniform(0.60, 0.85)
    local_supply, supply_drift = stages.local_supply_base(rng, plan), rng.uniform(0.3, 1.2)
    fai_rate = rng.uniform(0.3, 0.8) if plan.tier in ("<50", None) else rng.uniform(0.12, 0.45)
    intensity = rng.uniform(0.4, 1.2) if heavy else rng.uniform(0.03, 0.15)
    productivity = rng.uniform(40, 200)  # 万元 of output per worker
    area = float(plan.area_mu)
    far, unsupplied = rng.uniform(0.6, 1.2), rng.uniform(0.02, 0.08)
    values = {}
    for y in years:
        g = out[y]
        jitter = rng.uniform(0.93, 1.07)
        employment = g / productivity * jitter
        rd_staff = employment * rng.uniform(0.02, 0.06)
        values[y] = {
            "gross_industrial_output": g,
            "leading_industry_output": g * lead_share * rng.uniform(0.97, 1.03),
            "tax_revenue": g * tax_rate * jitter,
            "fixed_asset_investment": g * fai_rate * rng.uniform(0.85, 1.15),
            "land_supplied_mu": area * rng.uniform(0.01, 0.04),
            "energy_use_tce": g * intensity * jitter,
            "rural_labour_transferred": employment * rng.uniform(0.04, 0.12),
            "rd_spending": g * rng.uniform(0.005, 0.022),
            "patents": rd_staff * rng.uniform(0.05, 0.25),
            "employment": employment,
            "rd_staff": rd_staff,
            "land_approved_unsupplied_mu": area * unsupplied * (0.97 ** (y - min(years))),
            "land_idle_mu": area * rng.uniform(0.0, 0.015),
            "floor_area_ratio": far * (1.02 ** (y - min(years))),
            "local_supply_rate": max(1.0, local_supply + (y - TIER_FIXED_BY) * supply_drift),
        }
        if plan.tier is None:
            values[y]["gross_industrial_output"] = values[y]["leading_industry_output"] = None
    return values, out


def _units(name: str, value: float) -> int:
    """A value in integer hundredths (money, land, energy, ratio) or whole units (people, 件)."""
    return round(value) if name in WHOLE else round(value * 100)


def _as_decimal(name: str, units: int) -> Decimal:
    return Decimal(units) if name in WHOLE else Decimal(units).scaleb(-2)


def _shares(rng: random.Random) -> list[float]:
    raw = [s * rng.uniform(0.95, 1.05) for s in SEASON]
    total = sum(raw)
    return [s / total for s in raw]


def build_indicators(
    rng: random.Random, zone: Zone, zone_years: ZoneYears, months
) -> list[ZoneIndicator]:
    """Annual rows for 2023-2025 and a monthly row for each complete month since 2023-01. The
    local supply rate, a share of the year's purchases, is in the annual rows only."""
    years, values = zone_years.years, zone_years.values
    rows = []
    by_year: dict[int, list[int]] = {}
    for y, m in months:
        by_year.setdefault(y, []).append(m)
    for y in years:
        v, prev = values[y], values[y - 1]
        annual = {k: (None if x is None else _units(k, x)) for k, x in v.items()}
        if y in ANNUAL_YEARS:
            rows.append(_row(zone, PeriodKind.YEAR, y, None, annual))
        output_shares, invest_shares = _shares(rng), _shares(rng)
        monthly: dict[int, dict[str, int | None]] = {m: {} for m in by_year.get(y, [])}
        for name in FLOWS:
            total = annual[name]
            shares = invest_shares if name in INVESTMENT_LIKE else output_shares
            parts = None if total is None else [int(total * s) for s in shares[:11]]
            if parts is not None:
                parts.append(total - sum(parts))  # the twelve months add up to the year
            for m in monthly:
                monthly[m][name] = None if parts is None else parts[m - 1]
        for name in STOCKS:
            start, end = _units(name, prev[name]), annual[name]
            for m in monthly:
                monthly[m][name] = end if m == 12 else start + round((end - start) * m / 12)
        for m, vals in monthly.items():
            rows.append(_row(zone, PeriodKind.MONTH, y, m, vals))
    return rows


def _row(zone: Zone, kind: str, year: int, month: int | None, units: dict) -> ZoneIndicator:
    fields = {k: (None if u is None else _as_decimal(k, u)) for k, u in units.items()}
    return ZoneIndicator(zone=zone, period_kind=kind, year=year, month=month, **fields)


def set_summary(zone: Zone, rows: list[ZoneIndicator]) -> None:
    """Set what zones.services.refresh_zone_summary would: the latest annual output and tier."""
    annual = [
        r
        for r in rows
        if r.period_kind == PeriodKind.YEAR and r.gross_industrial_output is not None
    ]
    latest = max(annual, key=lambda r: r.year, default=None)
    zone.latest_output = latest.gross_industrial_output if latest else None
    zone.latest_output_year = latest.year if latest else None
    zone.output_tier = output_tier(zone.latest_output)


# --- enterprises' annual figures (per-mu evaluation) ---------------------------------------
VETO_REASONS = (
    "演示数据：发生一般生产安全事故，造成人员伤亡",
    "演示数据：超标排放污染物，受到生态环境部门行政处罚",
    "演示数据：未批先建，违法占用土地",
)
VETO_RATE = 0.012  # share of enterprise-years with a veto


def _wan(value: float) -> Decimal:
    return Decimal(round(value * 100)).scaleb(-2)


def _spread(total: float, raw: list[float], share: tuple[float, float], rng) -> list[float]:
    """``raw`` scaled so it adds up to a ``share`` of ``total``: the enterprises' part of a zone
    figure that also counts firms outside the register, so the sum never exceeds the zone's."""
    whole = sum(raw)
    factor = total * rng.uniform(*share) / whole if whole else 0.0
    return [r * factor for r in raw]


def build_annuals(
    rng: random.Random, enterprises: list[Enterprise], zone_years: ZoneYears, years: Sequence[int]
) -> list[EnterpriseAnnual]:
    """Each enterprise's figures for ``years`` (from the year its production started), as shares
    of the zone's year: 78-90% of output, tax, energy and employment, so the enterprises' tax adds
    up to less than the zone's. A firm's share follows its land and its own productivity (leading
    firms are the most productive), so per-mu grades spread from A to D; about one
    enterprise-year in eighty records a veto (safety, pollution, illegal land use)."""
    if not enterprises:
        return []
    strength = [
        float(e.land_area_mu)
        * rng.lognormvariate(0, 0.55)
        * (2.5 if e.is_leading else 1.6 if e.above_designated_size else 1.0)
        for e in enterprises
    ]
    traits = [
        {
            "revenue": rng.uniform(0.95, 1.2),
            "value_added": rng.uniform(0.18, 0.35),
            "tax": rng.lognormvariate(0, 0.5),
            "energy": rng.lognormvariate(0, 0.4),
            "labour": rng.lognormvariate(0, 0.4),
            "rd": rng.uniform(0.004, 0.035) if e.above_designated_size else rng.uniform(0, 0.01),
        }
        for e in enterprises
    ]
    rows = []
    for year in years:
        if year not in zone_years.values:
            continue
        zone = zone_years.values[year]
        active = [i for i, e in enumerate(enterprises) if e.production_started_on.year <= year]
        if not active:
            continue
        output = _spread(
            zone_years.output[year],
            [strength[i] * rng.uniform(0.9, 1.1) for i in active],
            (0.78, 0.9),
            rng,
        )
        by_output = {
            name: [o * traits[i][name] for o, i in zip(output, active, strict=True)]
            for name in ("tax", "energy", "labour", "rd")
        }
        tax = _spread(zone["tax_revenue"], by_output["tax"], (0.78, 0.9), rng)
        energy = _spread(zone["energy_use_tce"], by_output["energy"], (0.78, 0.9), rng)
        labour = _spread(zone["employment"], by_output["labour"], (0.78, 0.9), rng)
        rd = by_output["rd"]  # what firms report, capped at 90% of the zone's R&D spending
        cap = min(1.0, zone["rd_spending"] * 0.9 / sum(rd)) if sum(rd) else 0.0
        rd = [r * cap for r in rd]
        for j, i in enumerate(active):
            rows.append(
                EnterpriseAnnual(
                    enterprise=enterprises[i],
                    year=year,
                    revenue=_wan(output[j] * traits[i]["revenue"]),
                    value_added=_wan(output[j] * traits[i]["value_added"]),
                    output=_wan(output[j]),
                    tax=_wan(tax[j]),
                    energy_tce=_wan(energy[j]),
                    employees=max(3, round(labour[j])),
                    rd_spending=_wan(rd[j]),
                    veto_reason=rng.choice(VETO_REASONS) if rng.random() < VETO_RATE else "",
                )
            )
    return rows
