"""The Django admin: Chinese, for administrators only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import EnterpriseFactory, IndicatorFactory

pytestmark = pytest.mark.django_db


def test_administrator_reaches_the_admin_in_chinese(client_for, cast):
    response = client_for(cast.admin).get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "开发区高质量发展平台 管理后台" in html
    for label in ("开发区", "企业", "开发区指标", "角色授权", "市州", "省份", "产业"):
        assert label in html
    assert "修改" in html  # Django's own admin strings in zh-hans


def test_zone_staff_is_sent_to_the_admin_login(client_for, cast):
    response = client_for(cast.staff_a).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = client_for(cast.staff_a).get(reverse("admin:zones_zone_changelist"))
    assert response.status_code == 302


def test_every_admin_list_and_form_renders_for_the_administrator(client_for, cast):
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    indicator = IndicatorFactory(zone=cast.zone_a)
    client = client_for(cast.admin)
    for model in ("province", "prefecture", "industry", "zone", "enterprise", "zoneindicator"):
        assert client.get(reverse(f"admin:zones_{model}_changelist")).status_code == 200, model
        assert client.get(reverse(f"admin:zones_{model}_add")).status_code == 200, model
    assert client.get(reverse("admin:zones_membership_changelist")).status_code == 200
    for name, pk in (
        ("zone", cast.zone_a.pk),
        ("enterprise", enterprise.pk),
        ("zoneindicator", indicator.pk),
    ):
        assert client.get(reverse(f"admin:zones_{name}_change", args=[pk])).status_code == 200


def test_zone_admin_shows_the_summary_read_only(client_for, cast):
    html = (
        client_for(cast.admin)
        .get(reverse("admin:zones_zone_change", args=[cast.zone_a.pk]))
        .content.decode()
    )
    assert "系统计算（只读）" in html
    assert 'name="output_tier"' not in html and 'name="stage"' not in html


def test_user_admin_shows_memberships_inline(client_for, cast):
    response = client_for(cast.admin).get(reverse("admin:auth_user_change", args=[cast.staff_a.pk]))
    assert response.status_code == 200
    assert "memberships-TOTAL_FORMS" in response.content.decode()
    assert "园区工作人员" in response.content.decode()


def test_saving_an_annual_indicator_in_admin_refreshes_the_zone_summary(client_for, cast):
    data = {
        "zone": cast.zone_a.pk,
        "period_kind": "year",
        "year": "2024",
        "month": "",
        "gross_industrial_output": "2500000",
    }
    response = client_for(cast.admin).post(reverse("admin:zones_zoneindicator_add"), data)
    assert response.status_code == 302
    cast.zone_a.refresh_from_db()
    assert cast.zone_a.latest_output == Decimal("2500000")
    assert cast.zone_a.output_tier == "200-300"
