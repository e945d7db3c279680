"""The platforms API: contract, validation through the services, scope and query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from platforms.models import Platform, ServiceRecord
from tests.factories import EnterpriseFactory
from tests.platforms.factories import PlatformFactory, ServiceRecordFactory, days_ago

pytestmark = pytest.mark.django_db

PLATFORMS = "/api/v1/platforms/"
RECORDS = "/api/v1/service-records/"


def platform_payload(zone, **overrides) -> dict:
    payload = {
        "zone": zone.pk,
        "name": "铝产业研究院",
        "kind": "iur",
        "sub_kind": "industry_research_institute",
        "operator_type": "university",
        "level": "national",
        "established_on": "2019-09-01",
        "status": "operating",
        "serves_leading_industry": True,
    }
    payload.update(overrides)
    return payload


def test_staff_creates_a_platform_and_two_service_records(cast, api_for):
    api = api_for(cast.staff_a)
    response = api.post(PLATFORMS, platform_payload(cast.zone_a), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind_display"] == "产学研合作平台"
    assert body["sub_kind_display"] == "产业研究院"
    assert body["chain_segment"] == ""
    firms = EnterpriseFactory.create_batch(2, zone=cast.zone_a)
    for firm, fee, free in ((firms[0], 0, True), (firms[1], 3.5, False)):
        response = api.post(
            RECORDS,
            {
                "platform": body["id"],
                "enterprise": firm.pk,
                "category": "research",
                "service_type": "联合技术攻关",
                "served_on": days_ago(3).isoformat(),
                "fee_wan": fee,
                "free": free,
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    assert response.json()["fee_wan"] == 3.5
    detail = api.get(f"{PLATFORMS}{body['id']}/").json()
    assert detail["enterprises_served_12m"] == 2
    assert detail["service_record_count"] == 2
    coverage = api.get(f"{PLATFORMS}coverage/", {"zone": cast.zone_a.pk}).json()
    iur = next(k for k in coverage["kinds"] if k["code"] == "iur")
    assert iur["present"] == 1
    assert coverage["enterprises_served_12m"] == 2


def test_catalogue_errors_are_400s_naming_the_field(cast, api_for):
    api = api_for(cast.staff_a)
    response = api.post(PLATFORMS, platform_payload(cast.zone_a, kind="basic"), format="json")
    assert response.status_code == 400
    assert "不属于“基础服务支撑平台”" in response.json()["sub_kind"][0]
    response = api.post(
        PLATFORMS, platform_payload(cast.zone_a, sub_kind="warp_drive"), format="json"
    )
    assert response.status_code == 400 and "sub_kind" in response.json()
    assert not Platform.objects.exists()


def test_the_chain_segment_is_read_only_and_derived(cast, api_for):
    api = api_for(cast.staff_a)
    response = api.post(
        PLATFORMS,
        platform_payload(
            cast.zone_a,
            kind="professional",
            sub_kind="industrial_design",
            chain_segment="downstream",
        ),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["chain_segment"] == "upstream"


def test_staff_b_gets_404_on_zone_a_rows_and_nothing_changes(cast, api_for):
    record = ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a, name="甲平台"))
    api = api_for(cast.staff_b)
    for url in (f"{PLATFORMS}{record.platform.pk}/", f"{RECORDS}{record.pk}/"):
        assert api.get(url).status_code == 404
        assert api.patch(url, {"name": "改", "outcome": "改"}, format="json").status_code == 404
        assert api.delete(url).status_code == 404
    assert api.get(f"{PLATFORMS}coverage/", {"zone": cast.zone_a.pk}).status_code == 404
    assert api.get(PLATFORMS).json()["count"] == 0
    assert Platform.objects.get().name == "甲平台"
    assert ServiceRecord.objects.get().outcome == ""


def test_staff_a_cannot_create_in_zone_b_or_attach_a_zone_b_enterprise(cast, api_for):
    api = api_for(cast.staff_a)
    response = api.post(PLATFORMS, platform_payload(cast.zone_b), format="json")
    assert response.status_code == 400
    assert response.json()["zone"] == ["开发区不存在或无权操作。"]
    platform = PlatformFactory(zone=cast.zone_a)
    foreign = EnterpriseFactory(zone=cast.zone_b)
    response = api.post(
        RECORDS,
        {
            "platform": platform.pk,
            "enterprise": foreign.pk,
            "category": "legal",
            "service_type": "越权",
            "served_on": days_ago(1).isoformat(),
            "fee_wan": 0,
            "free": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["enterprise"] == ["企业不存在或无权操作。"]
    neighbour = EnterpriseFactory(zone=cast.zone_a2)
    response = api_for(cast.admin).post(
        RECORDS,
        {
            "platform": platform.pk,
            "enterprise": neighbour.pk,
            "category": "legal",
            "service_type": "跨区",
            "served_on": days_ago(1).isoformat(),
            "fee_wan": 0,
            "free": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "不在平台" in response.json()["enterprise"][0]
    assert not Platform.objects.filter(zone=cast.zone_b).exists()
    assert not ServiceRecord.objects.exists()


@pytest.mark.parametrize("who", ["viewer_a", "province", "city"])
def test_read_only_roles_get_403_on_writes(cast, api_for, who):
    record = ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a, name="甲平台"))
    api = api_for(getattr(cast, who))
    assert api.get(f"{PLATFORMS}{record.platform.pk}/").status_code == 200
    assert api.post(PLATFORMS, platform_payload(cast.zone_a), format="json").status_code == 403
    assert (
        api.patch(f"{PLATFORMS}{record.platform.pk}/", {"name": "改"}, format="json").status_code
        == 403
    )
    assert api.delete(f"{RECORDS}{record.pk}/").status_code == 403
    assert Platform.objects.get().name == "甲平台"
    assert ServiceRecord.objects.count() == 1


def test_a_platform_with_records_cannot_be_deleted_through_the_api(cast, api_for):
    record = ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a))
    response = api_for(cast.staff_a).delete(f"{PLATFORMS}{record.platform.pk}/")
    assert response.status_code == 400
    assert Platform.objects.exists()


def test_filters_by_kind_zone_and_leading_industry(cast, api_for):
    PlatformFactory(zone=cast.zone_a, name="甲", kind="innovation", sub_kind="key_laboratory")
    PlatformFactory(zone=cast.zone_a2, name="乙", serves_leading_industry=True)
    api = api_for(cast.city)

    def names(**params):
        return [row["name"] for row in api.get(PLATFORMS, params).json()["results"]]

    assert names(kind="innovation") == ["甲"]
    assert names(zone=cast.zone_a2.code) == ["乙"]
    assert names(zone_id=cast.zone_a.pk) == ["甲"]
    assert names(serves_leading_industry="true") == ["乙"]
    assert api.get(PLATFORMS, {"kind": "nonsense"}).status_code == 400


def test_coverage_summary_lists_only_visible_zones(cast, api_for):
    PlatformFactory(zone=cast.zone_a)
    body = api_for(cast.staff_a).get(f"{PLATFORMS}coverage/").json()
    assert [row["zone"]["id"] for row in body["results"]] == [cast.zone_a.pk]
    assert body["results"][0]["operating"] == 1


def list_queries(user, url, api_for) -> int:
    api = api_for(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_platform_list_query_count_does_not_grow_with_rows(cast, api_for):
    ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a))
    one = list_queries(cast.staff_a, PLATFORMS, api_for)
    for _ in range(49):
        ServiceRecordFactory(platform=PlatformFactory(zone=cast.zone_a))
    assert list_queries(cast.staff_a, PLATFORMS, api_for) == one == 3  # scope, count, page


def test_service_record_list_query_count_does_not_grow_with_rows(cast, api_for):
    platform = PlatformFactory(zone=cast.zone_a)
    ServiceRecordFactory(platform=platform)
    one = list_queries(cast.staff_a, RECORDS, api_for)
    ServiceRecordFactory.create_batch(49, platform=platform)
    assert list_queries(cast.staff_a, RECORDS, api_for) == one == 3  # scope, count, page
