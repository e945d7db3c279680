"""XLSX exports: the page's filters, only the rows in the user's export scope, Chinese headers
with units."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import EnterpriseFactory, IndicatorFactory, ZoneFactory
from zones.models import ZoneType
from zones.resources import ZoneResource

pytestmark = pytest.mark.django_db


def sheet_rows(response) -> list[dict[str, object]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    headers = values[0]
    return [dict(zip(headers, row, strict=True)) for row in values[1:]]


def test_zone_export_is_an_attachment_named_with_the_date(client_for, cast):
    response = client_for(cast.staff_a).get(reverse("zones:zone-export"))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert timezone.localdate().strftime("%Y%m%d") in disposition
    assert ".xlsx" in disposition


def test_zone_export_contains_only_the_users_zones(client_for, cast):
    rows = sheet_rows(client_for(cast.staff_a).get(reverse("zones:zone-export")))
    assert [r["编码"] for r in rows] == ["TZ-A"]
    rows = sheet_rows(client_for(cast.city).get(reverse("zones:zone-export")))
    assert [r["编码"] for r in rows] == ["TZ-A", "TZ-A2"]
    rows = sheet_rows(client_for(cast.province).get(reverse("zones:zone-export")))
    assert {r["编码"] for r in rows} == {"TZ-A", "TZ-A2", "TZ-B"}


def test_zone_export_has_chinese_headers_with_units_and_numbers(client_for, cast):
    IndicatorFactory(zone=cast.zone_a, year=2024, gross_industrial_output=Decimal("1500000"))
    from zones.services import refresh_zone_summary

    refresh_zone_summary(cast.zone_a)
    rows = sheet_rows(client_for(cast.staff_a).get(reverse("zones:zone-export")))
    row = rows[0]
    assert row["名称"] == "测试开发区A"
    assert row["类型"] == "经开区"
    assert row["所属市州"] == "贵阳市"
    assert row["最近年度工业总产值（万元）"] == 1500000
    assert row["产值规模"] == "100亿级"
    assert row["规划面积（亩）"] == 15000


def test_zone_export_respects_the_page_filters(client_for, cast):
    ZoneFactory(code="HT-1", type=ZoneType.HIGH_TECH)
    client = client_for(cast.province)
    rows = sheet_rows(client.get(reverse("zones:zone-export"), {"type": "high_tech"}))
    assert [r["编码"] for r in rows] == ["HT-1"]
    rows = sheet_rows(client.get(reverse("zones:zone-export"), {"prefecture": "遵义市"}))
    assert [r["编码"] for r in rows] == ["TZ-B"]


def test_outsider_exports_an_empty_sheet(client_for, cast):
    assert sheet_rows(client_for(cast.outsider).get(reverse("zones:zone-export"))) == []


def test_enterprise_export_is_scoped_and_filtered(client_for, cast):
    EnterpriseFactory(zone=cast.zone_a, name="甲一")
    EnterpriseFactory(
        zone=cast.zone_a2,
        name="甲二",
        test_national_competitiveness=True,
        test_headquarters_in_zone=True,
        test_local_division_of_labour=True,
    )
    EnterpriseFactory(zone=cast.zone_b, name="乙一")
    rows = sheet_rows(client_for(cast.staff_a).get(reverse("zones:enterprise-export")))
    assert [r["企业名称"] for r in rows] == ["甲一"]
    assert rows[0]["用地面积（亩）"] == 50
    assert rows[0]["龙头企业"] == "否"

    client = client_for(cast.city)
    rows = sheet_rows(client.get(reverse("zones:enterprise-export")))
    assert {r["企业名称"] for r in rows} == {"甲一", "甲二"}
    rows = sheet_rows(client.get(reverse("zones:enterprise-export"), {"leading": "true"}))
    assert [(r["企业名称"], r["龙头企业"]) for r in rows] == [("甲二", "是")]


def test_indicator_export_is_scoped_filtered_and_in_canonical_units(client_for, cast):
    IndicatorFactory(zone=cast.zone_a, year=2024, gross_industrial_output=Decimal("15000"))
    IndicatorFactory(zone=cast.zone_a, period_kind="month", year=2024, month=5)
    IndicatorFactory(zone=cast.zone_b, year=2024)
    client = client_for(cast.viewer_a)
    rows = sheet_rows(client.get(reverse("zones:indicator-export")))
    assert {r["开发区编码"] for r in rows} == {"TZ-A"}
    assert len(rows) == 2
    rows = sheet_rows(client.get(reverse("zones:indicator-export"), {"period_kind": "year"}))
    assert len(rows) == 1
    assert rows[0]["工业总产值（万元）"] == 15000
    assert rows[0]["周期"] == "年度"
    assert "综合能源消费量（吨标准煤）" in rows[0]


def test_a_resource_without_a_queryset_exports_the_users_scope_only(cast):
    dataset = ZoneResource(user=cast.staff_b).export()
    assert [row[0] for row in dataset] == ["TZ-B"]
    with pytest.raises(ValueError):
        ZoneResource().export()
