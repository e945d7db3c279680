"""The platform pages: lists, forms, detail with history, coverage, exports and scope."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from platforms.models import Platform, ServiceRecord
from tests.factories import EnterpriseFactory
from tests.platforms.factories import PlatformFactory, ServiceRecordFactory, days_ago

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def sheet_rows(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_staff_records_a_platform_and_two_services_and_sees_them_in_coverage(client_for, cast):
    client = client_for(cast.staff_a)
    firms = EnterpriseFactory.create_batch(2, zone=cast.zone_a)
    response = client.post(
        reverse("platforms:platform-create"),
        {
            "zone": cast.zone_a.pk,
            "name": "铝材检验检测公共服务平台",
            "kind": "professional",
            "sub_kind": "testing_inspection",
            "operator_type": "market",
            "level": "provincial",
            "established_on": "2021-06-01",
            "status": "operating",
            "serves_leading_industry": "on",
        },
    )
    platform = Platform.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("platforms:platform-detail", args=[platform.pk])
    assert platform.chain_segment == "midstream"
    for firm in firms:
        response = client.post(
            reverse("platforms:service-create"),
            {
                "platform": platform.pk,
                "enterprise": firm.pk,
                "category": "testing",
                "service_type": "出厂检测",
                "served_on": days_ago(5).isoformat(),
                "fee_wan": "0",
                "free": "on",
            },
        )
        assert response.status_code == 302
    assert ServiceRecord.objects.count() == 2

    page = client.get(reverse("platforms:coverage-detail", args=[cast.zone_a.pk]))
    html = page.content.decode()
    assert "铝材检验检测公共服务平台" in html
    assert 'data-sub-kind="testing_inspection" data-state="present"' in html
    assert 'data-segment="midstream" data-covered="yes"' in html
    assert 'data-segment="upstream" data-covered="no"' in html
    assert f'data-platform="{platform.pk}" data-enterprises="2"' in html

    detail = client.get(reverse("platforms:platform-detail", args=[platform.pk]))
    assert "出厂检测" in detail.content.decode()
    assert [row["action"] for row in detail.context["history"]] == ["新增"]

    client_for(cast.staff_b)
    for url in (
        reverse("platforms:platform-detail", args=[platform.pk]),
        reverse("platforms:coverage-detail", args=[cast.zone_a.pk]),
        f"/api/v1/platforms/{platform.pk}/",
    ):
        assert client.get(url).status_code == 404


def test_a_sub_kind_of_another_kind_shows_the_error_on_the_field(client_for, cast):
    client = client_for(cast.staff_a)
    response = client.post(
        reverse("platforms:platform-create"),
        {
            "zone": cast.zone_a.pk,
            "name": "错配平台",
            "kind": "basic",
            "sub_kind": "key_laboratory",
            "operator_type": "government",
            "level": "zone",
            "established_on": "2021-06-01",
            "status": "operating",
        },
    )
    assert response.status_code == 200
    assert "不属于“基础服务支撑平台”" in response.context["form"].errors["sub_kind"][0]
    assert not Platform.objects.exists()


def test_editing_a_platform_records_what_changed(client_for, cast):
    platform = PlatformFactory(zone=cast.zone_a, name="旧名称")
    client = client_for(cast.staff_a)
    data = {
        "zone": cast.zone_a.pk,
        "name": "新名称",
        "kind": "basic",
        "sub_kind": "recruitment_training",
        "operator_type": "government",
        "level": "zone",
        "established_on": "2018-05-01",
        "status": "operating",
    }
    response = client.post(reverse("platforms:platform-edit", args=[platform.pk]), data)
    assert response.status_code == 302
    detail = client.get(reverse("platforms:platform-detail", args=[platform.pk]))
    history = detail.context["history"]
    assert history[0]["action"] == "修改"
    assert ("平台名称", "旧名称", "新名称") in history[0]["changes"]


def test_staff_a_cannot_create_in_zone_b_or_serve_a_zone_b_enterprise(client_for, cast):
    client = client_for(cast.staff_a)
    response = client.post(
        reverse("platforms:platform-create"),
        {
            "zone": cast.zone_b.pk,
            "name": "越权平台",
            "kind": "basic",
            "sub_kind": "legal",
            "operator_type": "government",
            "level": "zone",
            "established_on": "2020-01-01",
            "status": "operating",
        },
    )
    assert response.status_code == 200 and "zone" in response.context["form"].errors
    platform = PlatformFactory(zone=cast.zone_a)
    foreign = EnterpriseFactory(zone=cast.zone_b)
    response = client.post(
        reverse("platforms:service-create"),
        {
            "platform": platform.pk,
            "enterprise": foreign.pk,
            "category": "legal",
            "service_type": "越权",
            "served_on": days_ago(1).isoformat(),
            "fee_wan": "0",
            "free": "on",
        },
    )
    assert response.status_code == 200 and "enterprise" in response.context["form"].errors
    assert not Platform.objects.filter(zone=cast.zone_b).exists()
    assert not ServiceRecord.objects.exists()


def test_staff_b_gets_404_on_zone_a_pages_and_nothing_changes(client_for, cast):
    record = ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a, name="甲平台"))
    platform = record.platform
    client = client_for(cast.staff_b)
    urls = [
        reverse("platforms:platform-detail", args=[platform.pk]),
        reverse("platforms:platform-edit", args=[platform.pk]),
        reverse("platforms:platform-delete", args=[platform.pk]),
        reverse("platforms:service-detail", args=[record.pk]),
        reverse("platforms:service-edit", args=[record.pk]),
        reverse("platforms:service-delete", args=[record.pk]),
        reverse("platforms:coverage-detail", args=[cast.zone_a.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "改"}).status_code in (404, 405), url
    assert Platform.objects.get().name == "甲平台"
    assert ServiceRecord.objects.count() == 1
    listing = client.get(reverse("platforms:platform-list"))
    assert "甲平台" not in listing.content.decode()


def test_the_viewer_sees_but_cannot_edit(client_for, cast):
    platform = PlatformFactory(zone=cast.zone_a, name="甲平台")
    client = client_for(cast.viewer_a)
    assert client.get(reverse("platforms:platform-detail", args=[platform.pk])).status_code == 200
    assert client.get(reverse("platforms:platform-edit", args=[platform.pk])).status_code == 404
    assert client.post(reverse("platforms:platform-delete", args=[platform.pk])).status_code == 404
    assert client.get(reverse("platforms:platform-create")).status_code == 404
    assert Platform.objects.filter(pk=platform.pk).exists()


def test_a_platform_with_records_is_not_deleted_from_the_page(client_for, cast):
    record = ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a))
    client = client_for(cast.staff_a)
    response = client.post(reverse("platforms:platform-delete", args=[record.platform.pk]))
    assert response.status_code == 302
    assert Platform.objects.filter(pk=record.platform.pk).exists()


def test_list_filters_by_kind_level_status_and_leading_industry(client_for, cast):
    PlatformFactory(
        zone=cast.zone_a, name="甲", kind="innovation", sub_kind="key_laboratory", level="national"
    )
    PlatformFactory(zone=cast.zone_a, name="乙", serves_leading_industry=True, status="planning")
    client = client_for(cast.staff_a)
    url = reverse("platforms:platform-list")

    def names(**params):
        return [p.name for p in client.get(url, params).context["page"]]

    assert names(kind="innovation") == ["甲"]
    assert names(sub_kind="key_laboratory") == ["甲"]
    assert names(level="national") == ["甲"]
    assert names(status="planning") == ["乙"]
    assert names(serves_leading_industry="true") == ["乙"]
    assert names(q="乙") == ["乙"]
    assert names(sort="-name") == ["甲", "乙"]


def test_platform_list_costs_the_same_queries_for_1_and_50_rows(client_for, cast):
    client = client_for(cast.staff_a)
    ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a))
    one = count_queries(client, reverse("platforms:platform-list"))
    for _ in range(49):
        ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a))
    assert count_queries(client, reverse("platforms:platform-list")) == one


def test_service_list_costs_the_same_queries_for_1_and_50_rows(client_for, cast):
    client = client_for(cast.staff_a)
    platform = PlatformFactory(zone=cast.zone_a)
    ServiceRecordFactory(platform=platform)
    one = count_queries(client, reverse("platforms:service-list"))
    ServiceRecordFactory.create_batch(49, platform=platform)
    assert count_queries(client, reverse("platforms:service-list")) == one


def test_coverage_index_costs_the_same_queries_for_1_and_50_zones(client_for, cast):
    from tests.factories import ZoneFactory

    client = client_for(cast.city)
    ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a))
    one = count_queries(client, reverse("platforms:coverage-index"))
    for _ in range(48):
        zone = ZoneFactory(prefecture=cast.zone_a.prefecture)
        ServiceRecordFactory(platform=PlatformFactory(zone=zone))
    response = client.get(reverse("platforms:coverage-index"))
    assert len(response.context["rows"]) == 50
    assert count_queries(client, reverse("platforms:coverage-index")) == one


def test_coverage_index_lists_only_the_users_zones(client_for, cast):
    response = client_for(cast.staff_a).get(reverse("platforms:coverage-index"))
    assert [row["zone"].pk for row in response.context["rows"]] == [cast.zone_a.pk]


def test_exports_hold_only_the_users_rows(client_for, cast):
    ServiceRecordFactory(
        platform=PlatformFactory(zone=cast.zone_a, name="甲平台"), service_type="甲服务"
    )
    ServiceRecordFactory(
        platform=PlatformFactory(zone=cast.zone_b, name="乙平台"), service_type="乙服务"
    )
    client = client_for(cast.staff_a)
    rows = sheet_rows(client.get(reverse("platforms:platform-export")))
    assert rows[0][0] == "平台名称"
    assert [r[0] for r in rows[1:]] == ["甲平台"]
    rows = sheet_rows(client.get(reverse("platforms:service-export")))
    assert "服务内容" in rows[0]
    assert [r[rows[0].index("服务内容")] for r in rows[1:]] == ["甲服务"]
    rows = sheet_rows(client_for(cast.province).get(reverse("platforms:platform-export")))
    assert sorted(r[0] for r in rows[1:]) == ["乙平台", "甲平台"]
