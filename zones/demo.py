"""Demo data: Guizhou's 95 development zones as the policy paper counts them, plus a national scale.

The paper (shared/seed, summarised in DOMAIN.md) gives Guizhou's zones only as marginal counts:
by type, by prefecture, by output tier and by founding period. A demo that a provincial leader
recognises must reproduce every one of those counts at once, so the plan below is built from
per-prefecture tables (founding periods, types) that add up to the paper's totals, and the tiers
are dealt out by rank so their counts are exact whatever the random draw. Everything else (names,
areas, industries, levels, figures) is illustrative; docs/demo-data.md says which is which.

The figures of each zone (enterprises, their annual figures, indicators) come from
zones/demo_figures.py; zones/demo_stages.py deals out the facts that make the scoring compute the
paper's picture of the four stages (no stage is written here); the accounts are in
zones/demo_accounts.py. Loading is plain ``bulk_create`` in batches so that 2,500 zones load in a
minute or two on SQLite.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count

from django.utils import timezone

from zones import demo_figures as figures
from zones.demo_accounts import create_accounts
from zones.demo_stages import deal_stage_levers
from zones.models import (
    ChainLink,
    Enterprise,
    EnterpriseAnnual,
    Industry,
    Prefecture,
    Province,
    Zone,
    ZoneIndicator,
    ZoneLevel,
    ZoneType,
)

DEFAULT_SEED = 2026
DEFAULT_PASSWORD = "devzone-demo-2026"
GUIZHOU_ZONES = 95
BATCH = 2000

HT, ECO, IP, BONDED = (
    ZoneType.HIGH_TECH,
    ZoneType.ECONOMIC,
    ZoneType.INDUSTRIAL_PARK,
    ZoneType.BONDED,
)
TYPE_SUFFIX = {HT: "高新区", ECO: "经开区", IP: "工业园区", BONDED: "综保区"}

# The paper's founding periods. 1993-1998 holds the 2 zones the paper's periods leave out
# (4 + 11 + 69 + 9 = 93); docs/demo-data.md records that choice.
PERIOD_YEARS = {
    "1992": (1992, 1992),
    "1993-1998": (1993, 1998),
    "1999-2009": (1999, 2009),
    "2010-2012": (2010, 2012),
    "2013-2015": (2013, 2015),
}
# Within these two periods the paper gives exact yearly counts.
EXACT_YEARS = {
    "2010-2012": {2010: 6, 2011: 28, 2012: 35},
    "2013-2015": {2013: 6, 2014: 2, 2015: 1},
}


@dataclass(frozen=True)
class PrefecturePlan:
    """One Guizhou prefecture: how many zones it founded in each period, of which types, and
    the industries its zones lead with (the first is the prefecture's signature industry)."""

    periods: dict[str, int]
    types: dict[str, int]
    industries: tuple[str, ...]
    size: float  # relative economic weight, used only to rank zones into the output tiers


# Each column adds up to the paper: periods 4/2/11/69/9, types 11/56/26/2, zones 95.
# 1999-2009 only in 贵阳/遵义/安顺/铜仁/黔东南/黔南; 遵义 and 铜仁 found 11 each in 2010-2012 and
# 黔东南 10; 2013-2015 mainly 贵阳/遵义/六盘水, and 贵安新区's two zones are no older than 2013.
GUIZHOU: dict[str, PrefecturePlan] = {
    "520100": PrefecturePlan(  # 贵阳市 11
        {"1992": 1, "1993-1998": 1, "1999-2009": 2, "2010-2012": 4, "2013-2015": 3},
        {HT: 2, ECO: 7, IP: 2},
        (
            "electronics_manufacturing",
            "aluminium",
            "phosphorus_chemical",
            "equipment_manufacturing",
            "tcm_health",
            "computing_datacenter",
        ),
        1.6,
    ),
    "520300": PrefecturePlan(  # 遵义市 15
        {"1992": 1, "1999-2009": 2, "2010-2012": 11, "2013-2015": 1},
        {HT: 1, ECO: 9, IP: 4, BONDED: 1},
        (
            "jiangxiang_baijiu",
            "tobacco_liquor",
            "equipment_manufacturing",
            "chili_food",
            "building_materials",
        ),
        1.4,
    ),
    "520200": PrefecturePlan(  # 六盘水市 9
        {"1992": 1, "2010-2012": 6, "2013-2015": 2},
        {HT: 1, ECO: 5, IP: 3},
        ("coal_chemical", "basic_energy", "clean_power", "building_materials", "chili_food"),
        1.1,
    ),
    "520400": PrefecturePlan(  # 安顺市 7
        {"1992": 1, "1999-2009": 2, "2010-2012": 4},
        {HT: 1, ECO: 4, IP: 2},
        (
            "aerospace_equipment",
            "equipment_manufacturing",
            "tcm_health",
            "chili_food",
            "building_materials",
        ),
        0.9,
    ),
    "520500": PrefecturePlan(  # 毕节市 9
        {"2010-2012": 9},
        {HT: 1, ECO: 5, IP: 3},
        (
            "basic_energy",
            "coal_chemical",
            "clean_power",
            "building_materials",
            "chili_food",
            "tcm_health",
        ),
        0.9,
    ),
    "520600": PrefecturePlan(  # 铜仁市 12
        {"1999-2009": 1, "2010-2012": 11},
        {HT: 1, ECO: 8, IP: 3},
        ("new_energy_battery", "building_materials", "chili_food", "tcm_health"),
        1.1,
    ),
    "522700": PrefecturePlan(  # 黔南州 13
        {"1993-1998": 1, "1999-2009": 3, "2010-2012": 9},
        {HT: 1, ECO: 9, IP: 3},
        (
            "phosphorus_chemical",
            "new_energy_battery",
            "building_materials",
            "tcm_health",
            "chili_food",
        ),
        1.2,
    ),
    "522600": PrefecturePlan(  # 黔东南州 11
        {"1999-2009": 1, "2010-2012": 10},
        {HT: 1, ECO: 6, IP: 4},
        ("tcm_health", "chili_food", "building_materials", "modern_logistics"),
        0.6,
    ),
    "522300": PrefecturePlan(  # 黔西南州 6
        {"2010-2012": 5, "2013-2015": 1},
        {HT: 1, ECO: 3, IP: 2},
        ("basic_energy", "clean_power", "building_materials", "chili_food", "new_energy_battery"),
        0.8,
    ),
    "520900": PrefecturePlan(  # 贵安新区 2
        {"2013-2015": 2},
        {HT: 1, BONDED: 1},
        ("computing_datacenter", "electronics_manufacturing"),
        1.2,
    ),
}

# The paper's tiers for 94 zones; the 95th (贵安新区's 综保区) has no gross-output figure.
TIER_COUNTS = {
    "1000+": 1,
    "500-1000": 1,
    "300-500": 2,
    "200-300": 7,
    "100-200": 19,
    "50-100": 20,
    "<50": 44,
}
# The oldest zone of these (prefecture, type) pairs is national-level (illustrative, 8 zones):
# the 1992 贵阳 high-tech zone as the paper says, both 综保区 (approved by the State Council).
NATIONAL = (
    ("520100", HT),
    ("520100", ECO),
    ("520300", ECO),
    ("520300", BONDED),
    ("520900", BONDED),
    ("520400", HT),
    ("520200", HT),
    ("520600", ECO),
)
TYPE_WEIGHT = {ECO: 1.3, HT: 1.2, IP: 0.7, BONDED: 0.6}


@dataclass
class ZonePlan:
    """Everything about one demo zone that is decided before its figures are drawn."""

    prefecture_code: str
    type: str
    founded_year: int
    level: str = ZoneLevel.PROVINCIAL
    tier: str | None = None
    leading: str = ""
    main: tuple[str, ...] = ()
    number: int = 0
    name: str = ""
    code: str = ""
    area_mu: Decimal | None = None
    position: float = 0.5  # where the zone's output sits inside its tier: 0 bottom, 1 top
    # the stage levers (zones/demo_stages.py): leading and partly-leading enterprises, fewer
    # than 30 above-size enterprises, leading industry under 40%, spread over its chain
    leaders: int = 0
    partial: int = 0
    above_short: bool = False
    diversified: bool = False
    chain: bool = False
    extra: dict = field(default_factory=dict)


def _age_weight(year: int) -> float:
    """Older zones have had longer to grow: a rough weight for ranking into the tiers."""
    for until, weight in ((1992, 1.8), (1998, 1.5), (2009, 1.3), (2012, 1.0)):
        if year <= until:
            return weight
    return 0.8


def plan_guizhou(rng: random.Random) -> list[ZonePlan]:
    """The 95 Guizhou zones, with every marginal count of the paper exact.

    Years inside 2010-2012 and 2013-2015 are dealt from the paper's yearly counts; types are
    shuffled within a prefecture (the 1992 贵阳 zone is pinned high-tech); tiers go by rank of an
    illustrative size score, with the 1000亿 zone pinned to 遵义 (仁怀's 酱香白酒 in reality).
    """
    plans: list[ZonePlan] = []
    by_period: dict[str, list[ZonePlan]] = {p: [] for p in PERIOD_YEARS}
    for pref_code, pp in GUIZHOU.items():
        zones = []
        for period, n in pp.periods.items():
            for _i in range(n):
                lo, hi = PERIOD_YEARS[period]
                plan = ZonePlan(pref_code, "", rng.randint(lo, hi))
                by_period[period].append(plan)
                zones.append(plan)
        types = [t for t, n in pp.types.items() for _i in range(n)]
        assert len(types) == len(zones), pref_code
        rng.shuffle(types)
        for plan, ztype in zip(zones, types, strict=True):
            plan.type = ztype
        plans.extend(zones)
    for period, year_counts in EXACT_YEARS.items():
        years = [y for y, n in year_counts.items() for _i in range(n)]
        rng.shuffle(years)
        for plan, year in zip(by_period[period], years, strict=True):
            plan.founded_year = year
    # Pin the paper's named zone: 贵阳's 1992 zone is the high-tech zone.
    gy = [p for p in plans if p.prefecture_code == "520100"]
    first = next(p for p in gy if p.founded_year == 1992)
    if first.type != HT:
        other = next(p for p in gy if p.type == HT)
        first.type, other.type = HT, first.type
    _number_zones(plans, rng)
    for pref_code, ztype in NATIONAL:
        oldest = min(
            (p for p in plans if p.prefecture_code == pref_code and p.type == ztype),
            key=lambda p: p.number,
        )
        oldest.level = ZoneLevel.NATIONAL
    _deal_tiers(plans, rng)
    for plan in plans:
        _choose_industries(plan, GUIZHOU[plan.prefecture_code].industries, rng)
        plan.area_mu = figures.planned_area_mu(rng, plan.type, plan.tier)
    return plans


def _number_zones(plans: list[ZonePlan], rng: random.Random) -> None:
    """Number zones 01.. within each prefecture, oldest first, and name them plainly as demo."""
    per_pref: dict[str, list[ZonePlan]] = {}
    for plan in plans:
        per_pref.setdefault(plan.prefecture_code, []).append(plan)
    for group in per_pref.values():
        group.sort(key=lambda p: (p.founded_year, p.type != HT, p.type))
        for i, plan in enumerate(group, start=1):
            plan.number = i


def _deal_tiers(plans: list[ZonePlan], rng: random.Random) -> None:
    """Give each zone its output tier so the counts are exactly the paper's."""
    bonded = next(p for p in plans if p.prefecture_code == "520900" and p.type == BONDED)
    bonded.tier = None  # the paper's 94 tiered zones leave one out
    top = min(
        (p for p in plans if p.prefecture_code == "520300" and p.type == ECO),
        key=lambda p: p.number,
    )
    top.tier = "1000+"
    top.leading = "jiangxiang_baijiu"
    rest = [p for p in plans if p is not bonded and p is not top]

    def score(p: ZonePlan) -> float:
        level = 1.5 if p.level == ZoneLevel.NATIONAL else 1.0
        return (
            GUIZHOU[p.prefecture_code].size
            * TYPE_WEIGHT[p.type]
            * level
            * _age_weight(p.founded_year)
            * rng.lognormvariate(0, 0.45)
        )

    ranked = sorted(rest, key=lambda p: (-score(p), p.prefecture_code, p.number))
    tiers = [t for t, n in TIER_COUNTS.items() if t != "1000+" for _i in range(n)]
    for plan, tier in zip(ranked, tiers, strict=True):
        plan.tier = tier
    for tier, n in TIER_COUNTS.items():  # the higher ranked, the higher inside the tier
        for i, plan in enumerate(p for p in ranked if p.tier == tier):
            plan.position = 1 - (i + 0.5) / n


def _choose_industries(plan: ZonePlan, industries: tuple[str, ...], rng: random.Random) -> None:
    """Leading industry: the prefecture's signature one most often; main: leading + 1-2 more."""
    if plan.type == BONDED:
        plan.leading = "modern_logistics"
    elif not plan.leading:
        if plan.prefecture_code == "520100" and plan.number == 1:
            plan.leading = "electronics_manufacturing"
        elif plan.prefecture_code == "520900":
            plan.leading = "computing_datacenter"
        else:
            weights = [3] + [1] * (len(industries) - 1)
            plan.leading = rng.choices(industries, weights=weights)[0]
    others = [c for c in industries if c != plan.leading]
    plan.main = (plan.leading, *rng.sample(others, k=min(len(others), rng.randint(1, 2))))


def short_province(name: str) -> str:
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def demo_prefecture_code(province_code: str, index: int) -> str:
    """``PP99NN``: no real division code uses 99 as its prefecture digits, nor ends a
    prefecture code in anything but 00, so these cannot collide with real prefectures."""
    return f"{province_code[:2]}99{index:02d}"


def plan_national(
    rng: random.Random, n: int, provinces: list[Province], guizhou_plans: list[ZonePlan]
) -> tuple[list[tuple[str, str, int]], list[ZonePlan]]:
    """``n`` synthetic zones spread round-robin over the other provinces.

    Returns the demo prefectures to create (code, name, province id) and the zone plans. Type,
    tier and founding year are drawn with Guizhou's proportions, so the nation looks like
    Guizhou writ large; about one zone in ten is national-level.
    """
    if n <= 0:
        return [], []
    per_province = Counter(i % len(provinces) for i in range(n))
    prefectures: list[tuple[str, str, int]] = []
    plans: list[ZonePlan] = []
    industries = sorted({c for pp in GUIZHOU.values() for c in pp.industries})
    tier_labels, tier_weights = list(TIER_COUNTS), list(TIER_COUNTS.values())
    type_labels = [ECO, IP, HT, BONDED]
    type_weights = [56, 26, 11, 2]
    years = [p.founded_year for p in guizhou_plans]
    for index, province in enumerate(provinces):
        zones_here = per_province[index]
        if not zones_here:
            continue
        n_pref = min(99, max(1, math.ceil(zones_here / 8)))
        codes = [demo_prefecture_code(province.code, k) for k in range(1, n_pref + 1)]
        short = short_province(province.name)
        for k, code in enumerate(codes, start=1):
            prefectures.append((code, f"{short}演示市{k:02d}", province.pk))
        for j in range(zones_here):
            ztype = rng.choices(type_labels, weights=type_weights)[0]
            plan = ZonePlan(codes[j % n_pref], ztype, rng.choice(years))
            if ztype == BONDED or rng.random() < 0.08:
                plan.level = ZoneLevel.NATIONAL
            plan.tier = rng.choices(tier_labels, weights=tier_weights)[0]
            plan.position = rng.random()
            _choose_industries(plan, tuple(rng.sample(industries, 5)), rng)
            plan.area_mu = figures.planned_area_mu(rng, plan.type, plan.tier)
            plans.append(plan)
    _number_zones(plans, rng)
    return prefectures, plans


# --- loading --------------------------------------------------------------------------------
@dataclass
class DemoStats:
    zones: int = 0
    prefectures_created: int = 0
    enterprises: int = 0
    enterprise_annuals: int = 0
    indicators: int = 0
    accounts: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _batched_create(model, rows: list, flush_at: int = BATCH) -> int:
    """Insert and empty ``rows`` when it has grown to ``flush_at`` (0 flushes everything)."""
    if rows and len(rows) >= flush_at:
        model.objects.bulk_create(rows, batch_size=BATCH)
        created = len(rows)
        rows.clear()
        return created
    return 0


def load_demo(
    *,
    password: str = DEFAULT_PASSWORD,
    zones: int = GUIZHOU_ZONES,
    enterprises_per_zone: int | None = None,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] = print,
) -> DemoStats:
    """Write the demo data; the caller holds the transaction and has called check_database."""
    if zones < GUIZHOU_ZONES:
        raise ValueError(f"zones must be at least {GUIZHOU_ZONES}")
    stats = DemoStats()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stats.timings[name] = now - clock
        clock = now

    rng = random.Random(seed)
    plans = plan_guizhou(rng)
    others = list(Province.objects.exclude(code="520000").order_by("code"))
    new_prefectures, national = plan_national(rng, zones - GUIZHOU_ZONES, others, plans)
    existing = set(Prefecture.objects.values_list("code", flat=True))
    missing = [
        Prefecture(code=c, name=n, province_id=p)
        for c, n, p in new_prefectures
        if c not in existing
    ]
    Prefecture.objects.bulk_create(missing, batch_size=BATCH)
    stats.prefectures_created = len(missing)
    prefectures = {p.code: p for p in Prefecture.objects.select_related("province")}
    industries = {i.code: i for i in Industry.objects.all()}
    chains: dict[str, list[ChainLink]] = {}
    for link in ChainLink.objects.select_related("template__industry").order_by(
        "template__industry__code", "order"
    ):
        chains.setdefault(link.template.industry.code, []).append(link)
    deal_stage_levers(plans, chains)  # Guizhou's counts exact; the nation's in proportion
    deal_stage_levers(national, chains)
    lap("plan")

    zone_objs = _create_zones(plans + national, prefectures, industries)
    stats.zones = len(zone_objs)
    lap("zones")
    stats.enterprises, stats.enterprise_annuals, stats.indicators = _create_figures(
        zone_objs, plans + national, industries, chains, enterprises_per_zone, seed
    )
    lap("enterprises+indicators")
    stats.accounts = create_accounts(password, log)
    lap("accounts")
    return stats


def _create_zones(
    plans: list[ZonePlan], prefectures: dict[str, Prefecture], industries: dict[str, Industry]
) -> list[Zone]:
    zone_objs = []
    for plan in plans:
        pref = prefectures[plan.prefecture_code]
        plan.name = (
            f"{pref.name}{'' if '演示' in pref.name else '演示'}{TYPE_SUFFIX[plan.type]}"
            f"{plan.number:02d}"
        )
        plan.code = f"DEMO-{pref.code}-{plan.number:02d}"
        zone_objs.append(
            Zone(
                code=plan.code,
                name=plan.name,
                type=plan.type,
                level=plan.level,
                prefecture=pref,
                founded_year=plan.founded_year,
                planned_area_mu=plan.area_mu,
                leading_industry=industries[plan.leading],
                management_body=f"{plan.name}管理委员会",
                is_demo=True,
            )
        )
    Zone.objects.bulk_create(zone_objs, batch_size=BATCH)
    through = Zone.main_industries.through
    through.objects.bulk_create(
        [
            through(zone_id=z.pk, industry_id=industries[code].pk)
            for z, plan in zip(zone_objs, plans, strict=True)
            for code in plan.main
        ],
        batch_size=BATCH,
    )
    return zone_objs


def _create_figures(
    zone_objs: Iterable[Zone],
    plans: list[ZonePlan],
    industries: dict[str, Industry],
    chains: dict[str, list[ChainLink]],
    enterprises_per_zone: int | None,
    seed: int,
) -> tuple[int, int, int]:
    """Enterprises, their annual figures and the zone's indicators, zone by zone, inserted in
    batches; then the zones' output summary (what zones.services.refresh_zone_summary computes)
    in one bulk update. Annual figures cover the last two complete years."""
    today = timezone.localdate()
    months = figures.complete_months(today)
    annual_years = (today.year - 2, today.year - 1)
    serials = count(1)
    enterprises: list[Enterprise] = []
    annuals: list[EnterpriseAnnual] = []
    indicators: list[ZoneIndicator] = []
    n_ent = n_ann = n_ind = 0
    for zone, plan in zip(zone_objs, plans, strict=True):
        zrng = random.Random(f"{seed}:{zone.code}")
        n_default = figures.enterprise_count(zrng, plan.tier)
        n = n_default if enterprises_per_zone is None else enterprises_per_zone
        values = figures.zone_year_values(zrng, plan, months)
        built = figures.build_enterprises(
            zrng, zone, plan, (n, n_default), serials, industries, today, chains.get(plan.leading)
        )
        enterprises.extend(built)
        annuals.extend(figures.build_annuals(zrng, built, values, annual_years))
        rows = figures.build_indicators(zrng, zone, values, months)
        indicators.extend(rows)
        figures.set_summary(zone, rows)
        if len(enterprises) >= BATCH:  # an annual row needs its enterprise's id
            n_ent += _batched_create(Enterprise, enterprises)
            n_ann += _batched_create(EnterpriseAnnual, annuals, flush_at=0)
        n_ind += _batched_create(ZoneIndicator, indicators)
    n_ent += _batched_create(Enterprise, enterprises, flush_at=0)
    n_ann += _batched_create(EnterpriseAnnual, annuals, flush_at=0)
    n_ind += _batched_create(ZoneIndicator, indicators, flush_at=0)
    Zone.objects.bulk_update(
        list(zone_objs), ["output_tier", "latest_output", "latest_output_year"], batch_size=500
    )
    return n_ent, n_ann, n_ind
