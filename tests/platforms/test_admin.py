"""The admin lists and edits platforms through the services (history, catalogue rules)."""

from __future__ import annotations

import pytest

from devzone.history import history_for
from tests.platforms.factories import PlatformFactory, ServiceRecordFactory

pytestmark = pytest.mark.django_db


def test_administrator_opens_the_platform_admin_pages(client_for, cast):
    record = ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a))
    client = client_for(cast.admin)
    for url in (
        "/admin/platforms/platform/",
        f"/admin/platforms/platform/{record.platform.pk}/change/",
        "/admin/platforms/servicerecord/",
        f"/admin/platforms/servicerecord/{record.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url


def test_an_admin_edit_goes_through_the_service_and_is_recorded(client_for, cast):
    platform = PlatformFactory(zone=cast.zone_a, name="旧名")
    client = client_for(cast.admin)
    response = client.post(
        f"/admin/platforms/platform/{platform.pk}/change/",
        {
            "zone": cast.zone_a.pk,
            "name": "新名",
            "kind": "professional",
            "sub_kind": "logistics",
            "operator_type": "market",
            "operator_name": "",
            "level": "zone",
            "established_on": "2018-05-01",
            "status": "operating",
            "host_enterprise": "",
            "description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    platform.refresh_from_db()
    assert (platform.name, platform.chain_segment) == ("新名", "downstream")
    assert history_for(platform).first().changes["name"] == ["旧名", "新名"]
