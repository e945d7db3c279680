"""Factories of the platforms app's tests."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from platforms.catalogue import segment_of
from platforms.models import Platform, ServiceRecord
from tests.factories import EnterpriseFactory, ZoneFactory


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform

    zone = factory.SubFactory(ZoneFactory)
    name = factory.Sequence(lambda n: f"测试平台{n}")
    kind = "basic"
    sub_kind = "recruitment_training"
    chain_segment = factory.LazyAttribute(lambda p: segment_of(p.sub_kind))
    operator_type = "government"
    level = "zone"
    established_on = datetime.date(2018, 5, 1)
    status = "operating"


class ServiceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRecord

    platform = factory.SubFactory(PlatformFactory)
    enterprise = factory.LazyAttribute(lambda r: EnterpriseFactory(zone=r.platform.zone))
    category = "consulting"
    service_type = factory.Sequence(lambda n: f"测试服务{n}")
    served_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=20))
    fee_wan = 0
    free = True


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)
