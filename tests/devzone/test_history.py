"""Change history (留痕): services record who changed what; the detail page shows it."""

from decimal import Decimal

import pytest

from devzone.history import history_for
from devzone.models import ChangeRecord
from zones import services
from zones.models import Enterprise
from zones.validators import build_credit_code

pytestmark = pytest.mark.django_db


def new_enterprise(cast, **extra):
    data = {
        "zone": cast.zone_a,
        "name": "留痕测试企业有限公司",
        "credit_code": build_credit_code("520100", 4242),
        "land_area_mu": Decimal("30"),
    }
    data.update(extra)
    return services.create_enterprise(cast.staff_a, data)


def test_creating_changing_and_deleting_an_enterprise_leaves_three_records(cast):
    enterprise = new_enterprise(cast)
    services.update_enterprise(cast.leader_a, enterprise, {"land_area_mu": Decimal("45.5")})
    pk = enterprise.pk
    services.delete_enterprise(cast.staff_a, enterprise)

    records = list(
        ChangeRecord.objects.filter(object_id=pk, content_type__model="enterprise").order_by("pk")
    )
    assert [r.action for r in records] == ["create", "update", "delete"]
    assert [r.user for r in records] == [cast.staff_a, cast.leader_a, cast.staff_a]
    assert records[1].changes == {"land_area_mu": ["30", "45.5"]}
    assert all(r.zone_id == cast.zone_a.pk for r in records)


def test_an_update_that_changes_nothing_records_nothing(cast):
    enterprise = new_enterprise(cast)
    services.update_enterprise(cast.staff_a, enterprise, {"name": enterprise.name})
    assert history_for(enterprise).count() == 1


def test_a_refused_write_leaves_no_history(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        new_enterprise(cast, credit_code="91520100MA6DKXXX00")
    assert not ChangeRecord.objects.exists()
    assert not Enterprise.objects.exists()


def test_saving_an_indicator_records_the_changed_figures(cast):
    indicator = services.save_indicator(
        cast.staff_a, cast.zone_a, "year", 2024, None, {"tax_revenue": Decimal("100")}
    )
    services.save_indicator(
        cast.staff_a,
        cast.zone_a,
        "year",
        2024,
        None,
        {"tax_revenue": Decimal("120")},
        instance=indicator,
    )
    latest = history_for(indicator).first()
    assert latest.action == "update"
    assert latest.changes == {"tax_revenue": ["100", "120"]}


def test_the_enterprise_page_shows_who_changed_which_field(cast, client):
    enterprise = new_enterprise(cast)
    services.update_enterprise(cast.leader_a, enterprise, {"land_area_mu": Decimal("45.5")})
    client.force_login(cast.viewer_a)
    body = client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert "变更记录" in body
    assert "用地面积（亩）" in body
    assert "30 → 45.5" in body


def test_editing_an_enterprise_through_the_page_records_the_change(cast, client):
    enterprise = new_enterprise(cast)
    client.force_login(cast.staff_a)
    response = client.post(
        f"/enterprises/{enterprise.pk}/edit/",
        {
            "zone": cast.zone_a.pk,
            "name": "留痕测试企业（更名）有限公司",
            "credit_code": enterprise.credit_code,
            "land_area_mu": "30",
        },
    )
    assert response.status_code == 302
    latest = history_for(enterprise).first()
    assert latest.action == "update"
    assert latest.changes["name"] == ["留痕测试企业有限公司", "留痕测试企业（更名）有限公司"]
