"""Services: scope rules (each tried and shown to change nothing) and the change history."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from devzone.history import history_for
from platforms import services
from platforms.models import Platform, ServiceRecord
from tests.factories import EnterpriseFactory
from tests.platforms.factories import PlatformFactory, ServiceRecordFactory, days_ago

pytestmark = pytest.mark.django_db


def platform_data(zone, **overrides) -> dict:
    data = {
        "zone": zone,
        "name": "招聘与培训服务中心",
        "kind": "basic",
        "sub_kind": "recruitment_training",
        "operator_type": "government",
        "level": "zone",
        "established_on": datetime.date(2020, 1, 1),
    }
    data.update(overrides)
    return data


def record_data(platform, enterprise, **overrides) -> dict:
    data = {
        "platform": platform,
        "enterprise": enterprise,
        "category": "training",
        "service_type": "岗前培训",
        "served_on": days_ago(10),
        "fee_wan": Decimal("0"),
        "free": True,
    }
    data.update(overrides)
    return data


def test_create_update_and_delete_are_recorded_in_the_history(cast):
    platform = services.create_platform(cast.staff_a, platform_data(cast.zone_a))
    services.update_platform(cast.staff_a, platform, {"level": "municipal", "status": "suspended"})
    rows = list(history_for(platform))
    assert [r.action for r in rows] == ["update", "create"]
    assert rows[0].changes == {"level": ["zone", "municipal"], "status": ["operating", "suspended"]}
    assert rows[0].user == cast.staff_a and rows[0].zone_id == cast.zone_a.pk

    enterprise = EnterpriseFactory(zone=cast.zone_a)
    record = services.create_service_record(cast.staff_a, record_data(platform, enterprise))
    services.update_service_record(cast.staff_a, record, {"outcome": "培训合格"})
    record_pk = record.pk
    services.delete_service_record(cast.staff_a, record)
    record.pk = record_pk
    assert [r.action for r in history_for(record)] == ["delete", "update", "create"]

    pk = platform.pk
    services.delete_platform(cast.staff_a, platform)
    platform.pk = pk
    assert [r.action for r in history_for(platform)] == ["delete", "update", "create"]


def test_an_update_that_changes_nothing_writes_no_history(cast):
    platform = services.create_platform(cast.staff_a, platform_data(cast.zone_a))
    services.update_platform(cast.staff_a, platform, {"level": "zone"})
    assert history_for(platform).count() == 1


def test_staff_a_cannot_create_a_platform_in_zone_b(cast):
    with pytest.raises(PermissionDenied):
        services.create_platform(cast.staff_a, platform_data(cast.zone_b))
    assert not Platform.objects.exists()


def test_staff_a_cannot_move_a_platform_into_zone_b(cast):
    platform = PlatformFactory(zone=cast.zone_a)
    with pytest.raises(PermissionDenied):
        services.update_platform(cast.staff_a, platform, {"zone": cast.zone_b})
    assert Platform.objects.get(pk=platform.pk).zone_id == cast.zone_a.pk


def test_staff_a_cannot_attach_a_zone_b_enterprise_to_a_service(cast):
    platform = PlatformFactory(zone=cast.zone_a)
    foreign = EnterpriseFactory(zone=cast.zone_b)
    with pytest.raises(ValidationError) as caught:
        services.create_service_record(cast.staff_a, record_data(platform, foreign))
    assert "enterprise" in caught.value.message_dict
    assert not ServiceRecord.objects.exists()


def test_staff_a_cannot_record_a_service_of_a_zone_b_platform(cast):
    platform = PlatformFactory(zone=cast.zone_b)
    enterprise = EnterpriseFactory(zone=cast.zone_b)
    with pytest.raises(PermissionDenied):
        services.create_service_record(cast.staff_a, record_data(platform, enterprise))
    assert not ServiceRecord.objects.exists()


@pytest.mark.parametrize("who", ["viewer_a", "province", "supervisor", "city", "outsider"])
def test_read_only_roles_cannot_write(cast, who):
    user = getattr(cast, who)
    platform = PlatformFactory(zone=cast.zone_a, name="原名")
    record = ServiceRecordFactory(platform=platform)
    with pytest.raises(PermissionDenied):
        services.create_platform(user, platform_data(cast.zone_a))
    with pytest.raises(PermissionDenied):
        services.update_platform(user, platform, {"name": "改名"})
    with pytest.raises(PermissionDenied):
        services.update_service_record(user, record, {"outcome": "改"})
    with pytest.raises(PermissionDenied):
        services.delete_service_record(user, record)
    with pytest.raises(PermissionDenied):
        services.create_service_record(user, record_data(platform, record.enterprise))
    assert list(Platform.objects.values_list("name", flat=True)) == ["原名"]
    assert ServiceRecord.objects.get().outcome == ""
    assert ServiceRecord.objects.count() == 1


def test_a_platform_with_service_records_cannot_be_deleted_or_moved(cast):
    record = ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a))
    with pytest.raises(ValidationError) as caught:
        services.delete_platform(cast.staff_a, record.platform)
    assert "停运" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        services.update_platform(cast.admin, record.platform, {"zone": cast.zone_a2})
    assert "zone" in caught.value.message_dict
    assert Platform.objects.get().zone_id == cast.zone_a.pk
