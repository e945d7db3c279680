"""The Guizhou demo tells the paper's story of the four stages, computed from recorded facts:
about half agglomerating, ~40% agglomerated, under 10% core, a few chain zones, none networked."""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q, Sum

from zones.chains import read_chains
from zones.demo import DEFAULT_SEED, load_demo, plan_guizhou
from zones.demo_stages import deal_stage_levers
from zones.models import (
    Enterprise,
    EnterpriseAnnual,
    EnterpriseGrade,
    Methodology,
    PeriodKind,
    Zone,
    ZoneIndicator,
    ZoneScore,
)
from zones.recompute import previous_month
from zones.scoring.stage import compute_stage
from zones.scoring_facts import gather

pytestmark = pytest.mark.django_db

BANDS = {
    "agglomerating": (45, 50),
    "agglomerated": (36, 40),
    "core": (5, 9),
    "chain": (1, 3),
    "network": (0, 0),
}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--history-months", "1", *args, stdout=out)
    return out.getvalue()


def test_the_stages_fall_in_the_papers_bands_and_are_what_the_rules_compute_from_the_facts():
    out = seed()
    period = previous_month()
    assert f"stages {period:%Y-%m}" in out and "recompute" in out
    zones = Zone.objects.filter(prefecture__province__code="520000")
    counts = Counter(zones.values_list("stage", flat=True))
    assert sum(counts.values()) == 95
    for stage, (lo, hi) in BANDS.items():
        assert lo <= counts[stage] <= hi, (stage, counts)

    params = Methodology.objects.get(is_active=True).section("stage")
    facts = gather(None, period)
    scores = dict(ZoneScore.objects.filter(period=period).values_list("zone_id", "stage"))
    for zone in zones:
        computed = compute_stage(facts[zone.pk].stage, params)
        assert zone.stage == scores[zone.pk] == computed.stage, zone.code
        if zone.output_tier in ("<50", None):  # the output rule keeps them agglomerating
            assert zone.stage == "agglomerating"
        rd = facts[zone.pk].stage.rd_intensity
        assert rd is None or rd < Decimal("0.025")  # no zone can be networked


def test_loading_the_demo_writes_no_stage_the_recompute_does():
    with transaction.atomic():
        load_demo(log=lambda _message: None)
    assert not Zone.objects.exclude(stage=None).exists()
    assert not ZoneScore.objects.exists()
    assert not EnterpriseGrade.objects.exists()


def test_chain_zones_spread_their_enterprises_over_the_leading_industrys_chain():
    seed()
    linked = Enterprise.objects.exclude(chain_link=None).select_related(
        "chain_link__template", "zone"
    )
    assert linked.exists()
    for enterprise in linked:
        assert enterprise.chain_link.template.industry_id == enterprise.zone.leading_industry_id
        assert enterprise.chain_position == enterprise.chain_link.segment
    templates = {entry["code"] for entry in read_chains()}
    chain_zones = Zone.objects.filter(stage="chain").annotate(
        n=Count("enterprises"),
        on_chain=Count("enterprises", filter=~Q(enterprises__chain_link=None)),
    )
    assert chain_zones.exists()
    for zone in chain_zones:
        assert zone.leading_industry.code in templates
        assert zone.on_chain * 2 > zone.n  # most of its enterprises sit on the chain
    # the 仁怀-like 1000亿 酱香白酒 zone is one of them
    assert chain_zones.filter(output_tier="1000+", leading_industry__code="jiangxiang_baijiu")


def test_per_mu_grades_run_from_a_to_d_with_exempt_deferred_and_vetoed_enterprises():
    seed()
    today = datetime.date.today()
    year = previous_month().year - 1
    assert set(EnterpriseAnnual.objects.values_list("year", flat=True)) == {
        today.year - 2,
        today.year - 1,
    }
    assert not Enterprise.objects.filter(production_started_on=None).exists()
    grades = EnterpriseGrade.objects.filter(year=year)
    ranked = Counter(grades.filter(category="ranked").values_list("grade", flat=True))
    assert set(ranked) == {"A", "B", "C", "D"}
    categories = Counter(grades.values_list("category", flat=True))
    for category in ("exempt", "deferred", "veto"):
        assert categories[category] >= 5, categories
    assert grades.filter(detail__deferred_automatically=True).exists()
    assert Enterprise.objects.filter(land_grading="deferred").exists()
    assert not grades.filter(category="missing").exists()

    # an enterprise reports only from the year it started production
    for row in EnterpriseAnnual.objects.values("year", "enterprise__production_started_on"):
        assert row["enterprise__production_started_on"].year <= row["year"]


def test_the_enterprises_figures_add_up_to_less_than_their_zones():
    seed()
    zone_year: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for row in (
        ZoneIndicator.objects.filter(period_kind=PeriodKind.MONTH)
        .values("zone_id", "year")
        .annotate(
            tax=Sum("tax_revenue"),
            energy=Sum("energy_use_tce"),
            rd=Sum("rd_spending"),
            output=Sum("gross_industrial_output"),
        )
    ):
        zone_year[(row["zone_id"], row["year"])] = row
    sums = (
        EnterpriseAnnual.objects.values("enterprise__zone_id", "year")
        .annotate(
            tax=Sum("tax"), energy=Sum("energy_tce"), rd=Sum("rd_spending"), output=Sum("output")
        )
        .order_by()
    )
    assert sums
    for row in sums:
        zone = zone_year[(row["enterprise__zone_id"], row["year"])]
        for name in ("tax", "energy", "rd"):
            assert row[name] <= zone[name], (row, name)
        if zone["output"] is not None:
            assert zone["output"] * Decimal("0.7") <= row["output"] <= zone["output"]


def test_the_levers_give_the_same_picture_whatever_the_seed():
    templates = {entry["code"] for entry in read_chains()}
    for value in range(DEFAULT_SEED, DEFAULT_SEED + 10):
        plans = plan_guizhou(random.Random(value))
        deal_stage_levers(plans, templates)
        big = [p for p in plans if p.tier not in ("<50", None)]
        assert len(big) == 50
        assert sum(p.above_short for p in plans) == 3
        assert all(p.tier == "50-100" for p in plans if p.above_short)
        core = [p for p in plans if p.leaders and not p.diversified]
        assert len(core) == 9
        assert sum(p.diversified for p in plans) == 1
        assert 1 <= sum(p.chain for p in plans) <= 2
        assert all(p.leading in templates for p in plans if p.chain)
        assert all(p.leaders and not p.diversified for p in plans if p.chain)
