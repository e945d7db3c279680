"""The facts behind the demo's four-stage picture (四聚): which zone gets which lever.

The demo never writes a stage: ``zones.scoring.stage`` computes it from recorded facts. The paper
pictures Guizhou's 95 zones as about half still agglomerating, about 40% with agglomeration
basically complete, under 10% at the core stage, a few entering the chain stage and none in the
network stage. The levers below deal out the facts the default rules read so that the scoring
reproduces that picture whatever the seed, each lever following the zone's size (its output tier
and its position inside the tier):

- above-size enterprises (agglomerated: ≥ 30 of them and output ≥ 50亿): every zone of 50亿 and
  more has 30 or more, except the smallest 3 in 20 of the 50–100亿 tier, grown on a few big
  plants; zones under 50亿 (which the output rule keeps agglomerating) have fewer;
- leading enterprises (core: ≥ 1 passing all three tests, leading industry ≥ 40% of output):
  every zone of 300亿 and more and the largest 6 in 7 of the 200–300亿 tier have them; the
  smallest of those (1 in 7 of the tier) is diversified, its leading industry under 40%;
- chain links and local supply (chain: ≥ 50% of the template's links, all three segments, local
  supply ≥ 20%): the largest fifth of the core zones whose leading industry has a chain template
  spread their leading-industry enterprises over 60–80% of the links, in every segment, with
  24–34% local supply; every other zone's enterprises cover at most 45% of the links;
- R&D spending (network: R&D intensity ≥ 2.5%, among others) stays at 0.5–2.2% of output
  everywhere (zones/demo_figures.py), so no zone reaches the network stage.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence

TIERS: tuple[str, ...] = ("1000+", "500-1000", "300-500", "200-300", "100-200", "50-100", "<50")

# Share of a tier's zones, largest first, that have enterprises passing all three tests.
LEADER_SHARE = {"1000+": 1.0, "500-1000": 1.0, "300-500": 1.0, "200-300": 6 / 7}
# Share of a tier's zones, the smallest of its leader zones, whose leading industry is under 40%.
DIVERSIFIED_SHARE = {"200-300": 1 / 7}
# Share of a tier's zones, the smallest, with fewer than 30 above-size enterprises.
SHORT_SHARE = {"50-100": 3 / 20}
CHAIN_SHARE = 0.2  # of the core zones, the largest with a chain template (at least one)

# Enterprises passing all three leading tests in a leader zone, and passing only some.
LEADING = {"1000+": 4, "500-1000": 3, "300-500": 2, "200-300": 1}
PARTIAL = {"1000+": 2, "500-1000": 2, "300-500": 2, "200-300": 1, "100-200": 1}

# Above-size enterprises per zone, by tier (the enterprise counts are in demo_figures).
ABOVE_SIZE = {
    "1000+": (100, 130),
    "500-1000": (85, 110),
    "300-500": (65, 90),
    "200-300": (48, 70),
    "100-200": (34, 50),
    "50-100": (30, 38),
    "<50": (4, 16),
    None: (4, 10),
}
SHORT_ABOVE_SIZE = (18, 28)

# Local supply rate (本地配套率, %) in the last annual row, by tier; chain zones above 20%.
LOCAL_SUPPLY = {
    "1000+": (12, 26),
    "500-1000": (12, 26),
    "300-500": (10, 26),
    "200-300": (10, 24),
    "100-200": (8, 22),
    "50-100": (6, 18),
    "<50": (5, 15),
    None: (5, 12),
}
CHAIN_LOCAL_SUPPLY = (24, 34)
CHAIN_COVERAGE = (0.6, 0.8)  # share of the template's links a chain zone's enterprises cover
OTHER_COVERAGE = (0.15, 0.45)  # ... and any other zone's: always under the 50% rule
SEGMENTS = ("upstream", "midstream", "downstream")


def deal_stage_levers(plans: Sequence, chain_industries: Iterable[str]) -> None:
    """Set each plan's ``leaders``, ``partial``, ``diversified``, ``above_short`` and ``chain``.

    Within a tier zones go largest first (by ``position``, their place inside the tier); shares
    are rounded per tier, so Guizhou's counts are exact and a national plan keeps the proportions.
    """
    by_tier: dict[str | None, list] = defaultdict(list)
    for plan in plans:
        by_tier[plan.tier].append(plan)
    for tier, group in by_tier.items():
        group.sort(key=lambda p: (-p.position, p.prefecture_code, p.number))
        n = len(group)
        leaders = round(n * LEADER_SHARE.get(tier, 0))
        diversified = round(n * DIVERSIFIED_SHARE.get(tier, 0))
        short = round(n * SHORT_SHARE.get(tier, 0))
        for i, plan in enumerate(group):
            plan.leaders = LEADING[tier] if i < leaders else 0
            plan.partial = PARTIAL.get(tier, 0)
            plan.diversified = leaders - diversified <= i < leaders
            plan.above_short = i >= n - short
            plan.chain = False
    core = sorted(
        (p for p in plans if p.leaders and not p.diversified),
        key=lambda p: (TIERS.index(p.tier), -p.position, p.prefecture_code, p.number),
    )
    industries = set(chain_industries)
    candidates = [p for p in core if p.leading in industries]
    for plan in candidates[: max(1, round(len(core) * CHAIN_SHARE))]:
        plan.chain = True


def above_size_count(rng: random.Random, plan, n: int, n_default: int) -> int:
    """How many of the zone's ``n`` enterprises are above designated size.

    With the tier's usual enterprise count (``n_default``) the tier's range applies, keeping a
    few small firms; a fixed count per zone (``--enterprises-per-zone``) scales it. The leading
    and partly-leading enterprises are always above size.
    """
    lo, hi = SHORT_ABOVE_SIZE if plan.above_short else ABOVE_SIZE[plan.tier]
    target = rng.randint(lo, hi)
    if n != n_default:
        target = round(target * n / n_default) if n_default else 0
    target = min(target, n - max(3, n // 6))
    return min(n, max(plan.leaders + plan.partial, target, 0))


def choose_links(rng: random.Random, plan, links: Sequence) -> list:
    """The links of the leading industry's template that the zone's enterprises cover.

    A chain zone covers 60–80% of them with at least one in every segment; any other zone at
    most 45%, so the coverage rule keeps it out of the chain stage.
    """
    if not links:
        return []
    total = len(links)
    if not plan.chain:
        k = max(1, int(total * rng.uniform(*OTHER_COVERAGE)))
        return rng.sample(list(links), k)
    k = math.ceil(total * rng.uniform(*CHAIN_COVERAGE))
    chosen = [rng.choice([lk for lk in links if lk.segment == s]) for s in SEGMENTS]
    rest = [lk for lk in links if lk not in chosen]
    return chosen + rng.sample(rest, max(0, k - len(chosen)))


def local_supply_base(rng: random.Random, plan) -> float:
    """The zone's local supply rate (%) in the tier-fixing year; other years drift from it."""
    return rng.uniform(*(CHAIN_LOCAL_SUPPLY if plan.chain else LOCAL_SUPPLY[plan.tier]))
