"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import importlib
import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from zones.models import (
    Enterprise,
    Industry,
    Membership,
    PeriodKind,
    Prefecture,
    Province,
    Zone,
    ZoneIndicator,
    ZoneLevel,
    ZoneType,
)
from zones.validators import build_credit_code

_serial = itertools.count(1)


def ensure_reference_data() -> None:
    """Reload the reference rows of migration 0002 (provinces, prefectures, industries).

    Transactional tests flush the database after each test, and with it the migration's rows.
    """
    from django.apps import apps

    if not Prefecture.objects.exists():
        importlib.import_module("zones.migrations.0002_reference_data").load(apps, None)


def ensure_scoring_reference_data() -> None:
    """Reload the chain templates and the default methodology version (migrations 0004, 0005)
    after a transactional test flushed them."""
    from zones.chains import load_chain_templates
    from zones.methodology import create_default_version, default_indicators
    from zones.models import ChainTemplate, Methodology

    ensure_reference_data()
    if not ChainTemplate.objects.exists():
        load_chain_templates()
    if not Methodology.objects.exists():
        create_default_version(default_indicators())


def guizhou() -> Province:
    ensure_reference_data()
    return Province.objects.get(code="520000")


def prefecture(name: str) -> Prefecture:
    ensure_reference_data()
    return Prefecture.objects.get(name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct-horse-battery")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    code = factory.Sequence(lambda n: f"TZ-{n:04d}")
    name = factory.Sequence(lambda n: f"测试开发区{n}")
    type = ZoneType.ECONOMIC
    level = ZoneLevel.PROVINCIAL
    prefecture = factory.LazyFunction(lambda: prefecture("贵阳市"))
    founded_year = 2011
    planned_area_mu = Decimal("15000")
    leading_industry = factory.LazyFunction(
        lambda: ensure_reference_data() or Industry.objects.get(code="aluminium")
    )
    management_body = factory.LazyAttribute(lambda z: f"{z.name}管理委员会")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    zone = factory.SubFactory(ZoneFactory)
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    credit_code = factory.LazyFunction(lambda: build_credit_code("520100", next(_serial)))
    land_area_mu = Decimal("50")
    above_designated_size = True


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ZoneIndicator

    zone = factory.SubFactory(ZoneFactory)
    period_kind = PeriodKind.YEAR
    year = 2025
    month = None
    gross_industrial_output = Decimal("1200000")
    tax_revenue = Decimal("60000")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = "zone_staff"
