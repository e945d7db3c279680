"""seed_demo loads Guizhou's 95 zones exactly as the policy paper counts them, and nothing else."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Sum
from django.test import RequestFactory

from tests.factories import UserFactory, ZoneFactory
from zones.demo import DEFAULT_PASSWORD, plan_guizhou
from zones.demo_figures import ANNUAL_YEARS
from zones.models import (
    Enterprise,
    Membership,
    PeriodKind,
    Prefecture,
    Zone,
    ZoneIndicator,
)
from zones.services import refresh_zone_summary
from zones.units import INDICATOR_FIELD_NAMES
from zones.validators import validate_credit_code

pytestmark = pytest.mark.django_db

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


def sign_in_request():
    """What the login form hands to authenticate(): django-axes needs the request."""
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.1")


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--history-months", "1", *args, stdout=out)
    return out.getvalue()


def seed_small() -> str:
    return seed("--enterprises-per-zone", "1")


def snapshot() -> dict[str, int]:
    return {
        "zones": Zone.objects.count(),
        "enterprises": Enterprise.objects.count(),
        "indicators": ZoneIndicator.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "prefectures": Prefecture.objects.count(),
    }


def test_zone_counts_by_type_prefecture_tier_and_founding_period_are_the_papers():
    seed_small()
    zones = Zone.objects.all()
    assert zones.count() == 95
    assert all(zones.values_list("is_demo", flat=True))
    assert Counter(zones.values_list("type", flat=True)) == {
        "high_tech": 11,
        "economic": 56,
        "industrial_park": 26,
        "bonded": 2,
    }
    assert Counter(zones.values_list("prefecture__name", flat=True)) == {
        "贵阳市": 11,
        "遵义市": 15,
        "六盘水市": 9,
        "安顺市": 7,
        "毕节市": 9,
        "铜仁市": 12,
        "黔南州": 13,
        "黔东南州": 11,
        "黔西南州": 6,
        "贵安新区": 2,
    }
    assert Counter(zones.values_list("output_tier", flat=True)) == {
        "1000+": 1,
        "500-1000": 1,
        "300-500": 2,
        "200-300": 7,
        "100-200": 19,
        "50-100": 20,
        "<50": 44,
        None: 1,
    }
    assert zones.get(output_tier=None).type == "bonded"
    years = Counter(zones.values_list("founded_year", flat=True))
    in_range = lambda lo, hi: sum(n for y, n in years.items() if lo <= y <= hi)  # noqa: E731
    assert years[1992] == 4
    assert in_range(1993, 1998) == 2
    assert in_range(1999, 2009) == 11
    assert (years[2010], years[2011], years[2012]) == (6, 28, 35)
    assert (years[2013], years[2014], years[2015]) == (6, 2, 1)
    assert in_range(2016, 2100) == 0
    mid = set(zones.filter(founded_year__range=(1999, 2009)).values_list("prefecture__name"))
    assert {name for (name,) in mid} <= {
        "贵阳市",
        "遵义市",
        "安顺市",
        "铜仁市",
        "黔东南州",
        "黔南州",
    }
    assert all(z.stage for z in zones)  # computed by the closing recompute: test_demo_stages.py


def test_the_guiyang_high_tech_zone_is_national_and_founded_in_1992():
    seed_small()
    zone = Zone.objects.get(prefecture__name="贵阳市", founded_year=1992)
    assert (zone.type, zone.level) == ("high_tech", "national")
    assert zone.name == "贵阳市演示高新区01"
    assert zone.management_body == "贵阳市演示高新区01管理委员会"
    assert 3 <= Zone.objects.filter(level="national").count() <= 12


def test_every_enterprise_has_a_valid_unique_credit_code_and_bigger_zones_have_leaders():
    seed()
    enterprises = Enterprise.objects.select_related("zone__prefecture")
    assert enterprises.count() > 95 * 15
    codes = []
    for e in enterprises:
        validate_credit_code(e.credit_code)
        assert e.credit_code[2:8] == e.zone.prefecture.code
        assert e.name.startswith("演示") and e.name.endswith("有限公司")
        codes.append(e.credit_code)
    assert len(codes) == len(set(codes))
    per_zone = dict(Zone.objects.annotate(n=Count("enterprises")).values_list("output_tier", "n"))
    assert 15 <= per_zone["<50"] <= 40
    assert 150 <= per_zone["1000+"] <= 200
    leaders = enterprises.filter(
        test_national_competitiveness=True,
        test_headquarters_in_zone=True,
        test_local_division_of_labour=True,
    )
    assert set(leaders.values_list("zone__output_tier", flat=True)) <= {
        "1000+",
        "500-1000",
        "300-500",
        "200-300",
    }
    # every zone of 300亿 and more and 6 of the 7 zones of 200-300亿 (zones/demo_stages.py)
    assert leaders.values("zone").distinct().count() == 10
    assert not leaders.filter(leading_tests_recorded_on=None).exists()


def test_monthly_values_of_a_full_year_add_up_to_the_annual_value():
    seed_small()
    monthly = (
        ZoneIndicator.objects.filter(period_kind=PeriodKind.MONTH, year__in=ANNUAL_YEARS)
        .values("zone", "year")
        .annotate(months=Count("id"), **{f: Sum(f) for f in FLOWS})
    )
    annual = {
        (row["zone"], row["year"]): row
        for row in ZoneIndicator.objects.filter(period_kind=PeriodKind.YEAR).values(
            "zone", "year", *INDICATOR_FIELD_NAMES
        )
    }
    assert len(annual) == 95 * len(ANNUAL_YEARS)
    assert len(monthly) == len(annual)
    for row in monthly:
        year = annual[(row["zone"], row["year"])]
        assert row["months"] == 12
        for f in FLOWS:
            assert row[f] == year[f], (row["zone"], row["year"], f)
    december = ZoneIndicator.objects.get(
        zone__code="DEMO-520100-01", period_kind=PeriodKind.MONTH, year=2025, month=12
    )
    assert december.employment == annual[(december.zone_id, 2025)]["employment"]


def test_indicators_run_every_month_from_2023_to_last_month_and_are_plausible():
    seed_small()
    zone = Zone.objects.get(code="DEMO-520100-01")
    months = list(zone.indicators.filter(period_kind=PeriodKind.MONTH).values_list("year", "month"))
    assert min(months) == (2023, 1)
    assert len(months) == len(set(months))
    for row in ZoneIndicator.objects.filter(
        period_kind=PeriodKind.YEAR, gross_industrial_output__isnull=False
    ):
        output = row.gross_industrial_output
        assert output * 2 / 100 <= row.tax_revenue <= output * 10 / 100
        assert output * 28 / 100 <= row.leading_industry_output <= output * 90 / 100
        assert output * Decimal("0.5") / 100 <= row.rd_spending < output * Decimal("2.5") / 100
        assert 1 <= row.local_supply_rate <= 40
        assert row.employment > 0 and row.patents >= 0
    # a diversified zone's leading industry is under 40% of output; any other's over 55%
    shares = [
        r.leading_industry_output / r.gross_industrial_output
        for r in ZoneIndicator.objects.filter(
            period_kind=PeriodKind.YEAR, gross_industrial_output__isnull=False
        )
    ]
    assert all(s < Decimal("0.4") or s > Decimal("0.55") for s in shares)
    assert 1 <= sum(s < Decimal("0.4") for s in shares) <= 3 * len(ANNUAL_YEARS)


def test_the_zone_summary_is_what_refresh_zone_summary_computes():
    seed_small()
    before = list(
        Zone.objects.values_list("pk", "output_tier", "latest_output", "latest_output_year")
    )
    for zone in Zone.objects.all():
        refresh_zone_summary(zone)
    after = list(
        Zone.objects.values_list("pk", "output_tier", "latest_output", "latest_output_year")
    )
    assert before == after
    assert {year for *_rest, year in after} == {2025, None}


def test_demo_accounts_have_their_roles_and_log_in_with_the_password():
    seed_small()
    expected = {
        "admin": ("administrator", None),
        "province": ("provincial_leader", "贵州省"),
        "supervisor": ("provincial_supervisor", "贵州省"),
        "city": ("city_supervisor", "贵阳市"),
        "leader": ("zone_leader", "贵阳市演示高新区01"),
        "staff": ("zone_staff", "贵阳市演示高新区01"),
        "viewer": ("zone_viewer", "贵阳市演示高新区01"),
    }
    for username, (role, scope) in expected.items():
        m = Membership.objects.get(user__username=username)
        assert (m.role, str(m.zone or m.prefecture or m.province or "") or None) == (role, scope)
    staff2 = Membership.objects.get(user__username="staff2")
    assert (staff2.role, staff2.zone.prefecture.name) == ("zone_staff", "遵义市")
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for username in [*expected, "staff2"]:
        user = authenticate(sign_in_request(), username=username, password=DEFAULT_PASSWORD)
        assert user is not None, username
        assert user.first_name and user.email == f"{username}@demo.devzone.local"


def test_staff_sees_exactly_one_zone_and_province_sees_all_95():
    seed_small()
    users = get_user_model().objects
    assert list(
        Zone.objects.for_user(users.get(username="staff")).values_list("code", flat=True)
    ) == ["DEMO-520100-01"]
    assert Zone.objects.for_user(users.get(username="province")).count() == 95
    assert Zone.objects.for_user(users.get(username="city")).count() == 11


def test_a_custom_password_is_used_for_the_accounts():
    seed("--enterprises-per-zone", "0", "--password", "another-long-password-1")
    assert (
        authenticate(sign_in_request(), username="staff", password="another-long-password-1")
        is not None
    )
    assert Enterprise.objects.count() == 0


def test_a_second_run_changes_nothing():
    seed_small()
    before = snapshot()
    stamp = list(Zone.objects.order_by("pk").values_list("pk", "updated_at"))
    out = seed_small()
    assert "already loaded" in out
    assert snapshot() == before
    assert list(Zone.objects.order_by("pk").values_list("pk", "updated_at")) == stamp


def test_if_empty_on_a_loaded_database_does_nothing():
    seed_small()
    before = snapshot()
    out = seed("--if-empty", "--zones", "200")
    assert "--if-empty" in out
    assert snapshot() == before


def test_it_refuses_a_database_with_a_non_demo_zone_and_writes_nothing():
    ZoneFactory()
    before = snapshot()
    with pytest.raises(CommandError, match="非演示") as exc:
        seed_small()
    assert "non-demo" in str(exc.value)
    assert snapshot() == before


def test_it_refuses_a_database_with_a_non_demo_user_and_writes_nothing():
    UserFactory(username="someone")
    before = snapshot()
    with pytest.raises(CommandError, match="someone"):
        seed_small()
    assert snapshot() == before


def test_fewer_than_95_zones_is_an_error():
    with pytest.raises(CommandError, match="95"):
        seed("--zones", "94")
    assert Zone.objects.count() == 0


def test_more_zones_spread_over_demo_prefectures_in_other_provinces():
    seed("--zones", "120", "--enterprises-per-zone", "2")
    assert Zone.objects.count() == 120
    assert Enterprise.objects.count() == 240
    outside = Zone.objects.exclude(prefecture__province__code="520000")
    assert outside.count() == 25
    assert outside.values("prefecture__province").distinct().count() == 25
    for pref in Prefecture.objects.filter(zones__in=outside).distinct():
        assert "演示" in pref.name
        assert pref.code[:2] == pref.province.code[:2] and pref.code[2:4] == "99"
        assert not pref.code.endswith("00")
    for zone in outside:
        assert zone.output_tier is not None and zone.is_demo
    for e in Enterprise.objects.filter(zone__in=outside):
        validate_credit_code(e.credit_code)


def test_the_plan_is_the_same_for_the_same_seed_and_differs_for_another():
    def fingerprint(seed_value):
        return [
            (p.prefecture_code, p.number, p.type, p.founded_year, p.tier, p.leading)
            for p in plan_guizhou(random.Random(seed_value))
        ]

    assert fingerprint(7) == fingerprint(7)
    assert fingerprint(7) != fingerprint(8)
    for s in range(20):  # the marginal counts hold whatever the seed
        plan = fingerprint(s)
        assert Counter(tier for *_rest, tier, _leading in plan) == Counter(
            {"<50": 44, "50-100": 20, "100-200": 19, "200-300": 7, "300-500": 2}
            | {"500-1000": 1, "1000+": 1, None: 1}
        )
        assert Counter(ztype for _p, _n, ztype, *_rest in plan)["high_tech"] == 11


def test_an_existing_admin_account_keeps_its_own_password_and_gets_the_demo_role():
    UserFactory(username="admin", password="my-own-admin-password")
    seed_small()
    assert (
        authenticate(sign_in_request(), username="admin", password="my-own-admin-password")
        is not None
    )
    assert authenticate(sign_in_request(), username="admin", password=DEFAULT_PASSWORD) is None
    assert Membership.objects.filter(user__username="admin", role="administrator").exists()
