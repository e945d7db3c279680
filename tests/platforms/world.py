"""Rows of the platforms app for tests/test_url_scoping.py: one of each model with a detail
URL, in ``zone``, with primary keys from ``base_pk`` and ``marker`` in the listed text."""

from __future__ import annotations

import datetime

from django.utils import timezone

from platforms.models import Platform, ServiceRecord
from tests.factories import EnterpriseFactory


def make_rows(zone, base_pk: int, marker: str) -> list:
    enterprise = EnterpriseFactory(pk=base_pk + 2, zone=zone, name=f"{marker}平台服务企业")
    platform = Platform.objects.create(
        pk=base_pk,
        zone=zone,
        name=f"{marker}检验检测公共服务平台",
        kind="professional",
        sub_kind="testing_inspection",
        chain_segment="midstream",
        operator_type="market",
        operator_name=f"{marker}运营单位",
        level="zone",
        established_on=datetime.date(2020, 1, 1),
        serves_leading_industry=True,
        host_enterprise=enterprise,
    )
    record = ServiceRecord.objects.create(
        pk=base_pk + 1,
        platform=platform,
        enterprise=enterprise,
        category="testing",
        service_type=f"{marker}出厂检测",
        served_on=timezone.localdate() - datetime.timedelta(days=30),
        outcome=f"{marker}取得检测报告",
    )
    return [platform, record, enterprise]
