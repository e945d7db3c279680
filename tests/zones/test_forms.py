"""Enterprise and indicator forms: scope, Chinese field errors, unit conversion, no
half-written rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import EnterpriseFactory, IndicatorFactory
from zones.forms import INDICATOR_GROUPS
from zones.models import Enterprise, ZoneIndicator
from zones.units import INDICATOR_FIELD_NAMES
from zones.validators import build_credit_code

pytestmark = pytest.mark.django_db


def enterprise_data(zone, **overrides):
    data = {
        "zone": zone.pk,
        "name": "贵州新材料有限公司",
        "credit_code": build_credit_code("520100", 777),
        "industry_detail": "",
        "chain_position": "",
        "land_area_mu": "120.5",
        "above_designated_size": "on",
        "established_on": "2015-06-01",
    }
    data.update(overrides)
    return data


def indicator_data(zone, **overrides):
    data = {"zone": zone.pk, "period_kind": "year", "year": "2024", "month": ""}
    for name in INDICATOR_FIELD_NAMES:
        data[name] = ""
        data[f"{name}_unit"] = ""
    data.update(
        gross_industrial_output_unit="万元",
        leading_industry_output_unit="万元",
        tax_revenue_unit="万元",
        fixed_asset_investment_unit="万元",
        rd_spending_unit="万元",
        land_supplied_mu_unit="亩",
        land_approved_unsupplied_mu_unit="亩",
        land_idle_mu_unit="亩",
    )
    data.update(overrides)
    return data


# --- enterprises --------------------------------------------------------------------------


def test_zone_staff_creates_an_enterprise_in_their_zone(client_for, cast):
    client = client_for(cast.staff_a)
    response = client.post(reverse("zones:enterprise-create"), enterprise_data(cast.zone_a))
    enterprise = Enterprise.objects.get(name="贵州新材料有限公司")
    assert response.status_code == 302
    assert response["Location"] == reverse("zones:enterprise-detail", args=[enterprise.pk])
    assert enterprise.zone == cast.zone_a
    assert enterprise.land_area_mu == Decimal("120.5")
    assert enterprise.above_designated_size is True


def test_lowercase_credit_code_is_stored_upper_case(client_for, cast):
    code = build_credit_code("520100", 4242)
    lowered = code.lower()
    client_for(cast.staff_a).post(
        reverse("zones:enterprise-create"), enterprise_data(cast.zone_a, credit_code=lowered)
    )
    assert Enterprise.objects.get().credit_code == code


def test_bad_credit_code_check_digit_is_a_chinese_error_on_that_field(client_for, cast):
    good = build_credit_code("520100", 777)
    wrong_last = "0" if good[-1] != "0" else "1"
    response = client_for(cast.staff_a).post(
        reverse("zones:enterprise-create"),
        enterprise_data(cast.zone_a, credit_code=good[:17] + wrong_last),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["credit_code"]
    assert any("校验位错误" in e and f"第18位应为“{good[-1]}”" in e for e in errors)
    assert "校验位错误" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_enterprise_form_offers_only_zones_the_user_may_add_to(client_for, cast):
    response = client_for(cast.staff_a).get(
        reverse("zones:enterprise-create"), {"zone": cast.zone_a.pk}
    )
    form = response.context["form"]
    assert list(form.fields["zone"].queryset) == [cast.zone_a]
    assert form.initial["zone"] == cast.zone_a.pk
    assert "龙头企业认定一" in response.content.decode()


def test_zone_staff_cannot_create_an_enterprise_in_another_zone(client_for, cast):
    response = client_for(cast.staff_a).post(
        reverse("zones:enterprise-create"), enterprise_data(cast.zone_b)
    )
    assert response.status_code == 200
    assert "zone" in response.context["form"].errors
    assert not Enterprise.objects.exists()


def test_duplicate_credit_code_is_refused(client_for, cast):
    existing = EnterpriseFactory(zone=cast.zone_b)
    response = client_for(cast.staff_a).post(
        reverse("zones:enterprise-create"),
        enterprise_data(cast.zone_a, credit_code=existing.credit_code),
    )
    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    assert Enterprise.objects.count() == 1


def test_future_establishment_date_is_refused(client_for, cast):
    tomorrow = timezone.localdate().replace(year=timezone.localdate().year + 1)
    response = client_for(cast.staff_a).post(
        reverse("zones:enterprise-create"),
        enterprise_data(cast.zone_a, established_on=tomorrow.isoformat()),
    )
    assert response.context["form"].errors["established_on"] == ["日期不能晚于今天。"]
    assert not Enterprise.objects.exists()


def test_leader_edits_an_enterprise_and_records_the_three_tests(client_for, cast):
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    data = enterprise_data(
        cast.zone_a,
        name="改名后的公司",
        credit_code=enterprise.credit_code,
        test_national_competitiveness="on",
        test_headquarters_in_zone="on",
        test_local_division_of_labour="on",
        leading_tests_recorded_on="2024-01-10",
    )
    response = client_for(cast.leader_a).post(
        reverse("zones:enterprise-edit", args=[enterprise.pk]), data
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.name == "改名后的公司"
    assert enterprise.is_leading
    assert enterprise.leading_tests_recorded_on == date(2024, 1, 10)


def test_invalid_edit_changes_nothing(client_for, cast):
    enterprise = EnterpriseFactory(zone=cast.zone_a, name="原名称")
    response = client_for(cast.staff_a).post(
        reverse("zones:enterprise-edit", args=[enterprise.pk]),
        enterprise_data(cast.zone_a, name="新名称", credit_code="123"),
    )
    assert response.status_code == 200
    assert "统一社会信用代码应为18位" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.name == "原名称"


def test_delete_asks_for_confirmation_then_deletes_on_post(client_for, cast):
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    client = client_for(cast.staff_a)
    response = client.get(reverse("zones:enterprise-delete", args=[enterprise.pk]))
    assert response.status_code == 200 and "确认删除" in response.content.decode()
    assert Enterprise.objects.filter(pk=enterprise.pk).exists()
    response = client.post(reverse("zones:enterprise-delete", args=[enterprise.pk]))
    assert response.status_code == 302
    assert not Enterprise.objects.filter(pk=enterprise.pk).exists()


# --- indicators ---------------------------------------------------------------------------


def test_every_indicator_field_is_in_exactly_one_group():
    grouped = [name for _title, names in INDICATOR_GROUPS for name in names]
    assert sorted(grouped) == sorted(INDICATOR_FIELD_NAMES)


def test_output_typed_in_yi_yuan_is_stored_in_wan_yuan(client_for, cast):
    response = client_for(cast.staff_a).post(
        reverse("zones:indicator-create"),
        indicator_data(
            cast.zone_a,
            gross_industrial_output="1.5",
            gross_industrial_output_unit="亿元",
            land_supplied_mu="2",
            land_supplied_mu_unit="公顷",
            employment="3200",
        ),
    )
    assert response.status_code == 302
    row = ZoneIndicator.objects.get(zone=cast.zone_a, period_kind="year", year=2024)
    assert row.gross_industrial_output == Decimal("15000")
    assert row.land_supplied_mu == Decimal("30")
    assert row.employment == Decimal("3200")
    assert row.tax_revenue is None
    cast.zone_a.refresh_from_db()
    assert cast.zone_a.latest_output == Decimal("15000")
    assert cast.zone_a.latest_output_year == 2024


def test_negative_output_is_refused_naming_the_field(client_for, cast):
    response = client_for(cast.staff_a).post(
        reverse("zones:indicator-create"),
        indicator_data(cast.zone_a, gross_industrial_output="-5"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["gross_industrial_output"] == ["工业总产值不能为负数。"]
    assert not ZoneIndicator.objects.exists()


def test_monthly_figures_need_a_month_and_yearly_figures_refuse_one(client_for, cast):
    client = client_for(cast.staff_a)
    response = client.post(
        reverse("zones:indicator-create"), indicator_data(cast.zone_a, period_kind="month")
    )
    assert response.context["form"].errors["month"] == ["月度指标必须填写月份。"]
    response = client.post(
        reverse("zones:indicator-create"), indicator_data(cast.zone_a, month="3")
    )
    assert response.context["form"].errors["month"] == ["年度指标不应填写月份。"]
    assert not ZoneIndicator.objects.exists()


def test_future_year_and_future_month_are_refused(client_for, cast):
    today = timezone.localdate()
    client = client_for(cast.staff_a)
    response = client.post(
        reverse("zones:indicator-create"), indicator_data(cast.zone_a, year=str(today.year + 1))
    )
    assert "晚于今年" in response.context["form"].errors["year"][0]
    next_month = (today.year + (today.month == 12), today.month % 12 + 1)
    response = client.post(
        reverse("zones:indicator-create"),
        indicator_data(
            cast.zone_a, period_kind="month", year=str(next_month[0]), month=str(next_month[1])
        ),
    )
    assert response.context["form"].errors  # next month is in the future either way
    assert not ZoneIndicator.objects.exists()


def test_a_period_that_exists_is_refused_with_a_link_to_edit_it(client_for, cast):
    existing = IndicatorFactory(zone=cast.zone_a, year=2024, gross_industrial_output=100)
    response = client_for(cast.staff_a).post(
        reverse("zones:indicator-create"),
        indicator_data(cast.zone_a, gross_industrial_output="999"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已存在" in html
    assert reverse("zones:indicator-edit", args=[existing.pk]) in html
    existing.refresh_from_db()
    assert existing.gross_industrial_output == Decimal("100")
    assert ZoneIndicator.objects.count() == 1


def test_editing_an_indicator_shows_canonical_values_and_saves_changes(client_for, cast):
    indicator = IndicatorFactory(zone=cast.zone_a, year=2024, gross_industrial_output=15000)
    client = client_for(cast.staff_a)
    response = client.get(reverse("zones:indicator-edit", args=[indicator.pk]))
    assert response.status_code == 200
    assert response.context["form"]["gross_industrial_output"].value() == Decimal("15000")
    response = client.post(
        reverse("zones:indicator-edit", args=[indicator.pk]),
        indicator_data(
            cast.zone_a, gross_industrial_output="2", gross_industrial_output_unit="亿元"
        ),
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.gross_industrial_output == Decimal("20000")
    assert ZoneIndicator.objects.count() == 1


def test_editing_into_another_existing_period_is_refused(client_for, cast):
    IndicatorFactory(zone=cast.zone_a, year=2023)
    indicator = IndicatorFactory(zone=cast.zone_a, year=2024)
    response = client_for(cast.staff_a).post(
        reverse("zones:indicator-edit", args=[indicator.pk]),
        indicator_data(cast.zone_a, year="2023"),
    )
    assert response.status_code == 200
    assert "已存在" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.year == 2024


def test_staff_of_another_zone_gets_404_on_indicator_edit_and_nothing_changes(client_for, cast):
    indicator = IndicatorFactory(zone=cast.zone_a, year=2024, gross_industrial_output=100)
    client = client_for(cast.staff_b)
    url = reverse("zones:indicator-edit", args=[indicator.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, indicator_data(cast.zone_b, gross_industrial_output="5"))
    assert response.status_code == 404
    indicator.refresh_from_db()
    assert indicator.gross_industrial_output == Decimal("100")
    assert indicator.zone == cast.zone_a


def test_read_only_roles_cannot_enter_or_edit_indicators(client_for, cast):
    indicator = IndicatorFactory(zone=cast.zone_a, year=2024, gross_industrial_output=100)
    for user in (cast.viewer_a, cast.province, cast.city):
        client = client_for(user)
        assert client.get(reverse("zones:indicator-create")).status_code == 404
        response = client.post(
            reverse("zones:indicator-create"), indicator_data(cast.zone_a, year="2023")
        )
        assert response.status_code == 404
        url = reverse("zones:indicator-edit", args=[indicator.pk])
        assert client.post(url, indicator_data(cast.zone_a)).status_code == 404
    assert ZoneIndicator.objects.count() == 1
    indicator.refresh_from_db()
    assert indicator.gross_industrial_output == Decimal("100")


def test_staff_cannot_enter_indicators_for_another_zone(client_for, cast):
    response = client_for(cast.staff_a).post(
        reverse("zones:indicator-create"), indicator_data(cast.zone_b)
    )
    assert response.status_code == 200
    assert "zone" in response.context["form"].errors
    assert not ZoneIndicator.objects.exists()
