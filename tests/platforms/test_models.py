"""The catalogue rules and the same-zone rules, as the services enforce them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from platforms import services
from platforms.catalogue import CATALOGUE, SUB_KINDS, PlatformKind, sub_kinds_of
from platforms.models import Platform, ServiceRecord
from tests.factories import EnterpriseFactory
from tests.platforms.factories import PlatformFactory, ServiceRecordFactory, days_ago

pytestmark = pytest.mark.django_db


def platform_data(zone, **overrides) -> dict:
    data = {
        "zone": zone,
        "name": "检验检测公共服务平台",
        "kind": "professional",
        "sub_kind": "testing_inspection",
        "operator_type": "market",
        "level": "provincial",
        "established_on": datetime.date(2019, 3, 1),
        "status": "operating",
        "serves_leading_industry": True,
    }
    data.update(overrides)
    return data


def test_the_catalogue_has_the_four_kinds_and_the_papers_sub_kinds():
    assert [str(label) for label in PlatformKind.labels] == [
        "基础服务支撑平台",
        "专业公共服务平台",
        "企业创新平台",
        "产学研合作平台",
    ]
    labels = {kind: [str(s.label) for s in sub_kinds_of(kind)] for kind in PlatformKind.values}
    assert labels["basic"] == ["招聘与培训", "管理咨询", "财务税务", "投融资", "法律"]
    assert labels["professional"] == [
        "信息咨询",
        "工业设计",
        "检验检测",
        "中试验证",
        "投资融资",
        "质量控制",
        "市场营销",
        "物流",
        "运维",
    ]
    assert labels["innovation"] == [
        "重点实验室",
        "企业技术中心",
        "制造业创新中心",
        "工业设计中心",
        "博士后工作站",
        "院士工作站",
    ]
    assert labels["iur"] == [
        "产业研究院",
        "孵化器",
        "人才基地",
        "共性技术平台",
        "联合实验室",
        "创新联盟",
    ]
    assert len(SUB_KINDS) == len(CATALOGUE) == 26
    segments = {s.code: s.segment for s in CATALOGUE if s.kind == "professional"}
    assert segments["information_consulting"] == segments["industrial_design"] == "upstream"
    assert segments["logistics"] == segments["operations_maintenance"] == "downstream"
    assert {segments[c] for c in ("testing_inspection", "pilot_verification", "marketing")} == {
        "midstream"
    }
    assert all(not s.segment for s in CATALOGUE if s.kind != "professional")


def test_a_sub_kind_of_another_kind_is_refused_with_a_chinese_error_naming_sub_kind(cast):
    with pytest.raises(ValidationError) as caught:
        services.create_platform(
            cast.staff_a, platform_data(cast.zone_a, kind="innovation", sub_kind="logistics")
        )
    errors = caught.value.message_dict
    assert list(errors) == ["sub_kind"]
    assert "平台子类“物流”不属于“企业创新平台”" in errors["sub_kind"][0]
    assert "重点实验室" in errors["sub_kind"][0]
    assert not Platform.objects.exists()


def test_the_chain_segment_follows_from_the_sub_kind(cast):
    platform = services.create_platform(cast.staff_a, platform_data(cast.zone_a))
    assert platform.chain_segment == "midstream"
    services.update_platform(cast.staff_a, platform, {"sub_kind": "logistics"})
    platform.refresh_from_db()
    assert platform.chain_segment == "downstream"
    services.update_platform(
        cast.staff_a,
        platform,
        {"kind": "basic", "sub_kind": "legal", "serves_leading_industry": False},
    )
    platform.refresh_from_db()
    assert platform.chain_segment == ""


def test_the_chain_segment_cannot_be_typed_in(cast):
    with pytest.raises(ValidationError) as caught:
        services.create_platform(cast.staff_a, platform_data(cast.zone_a, chain_segment="upstream"))
    assert "chain_segment" in caught.value.messages[0]
    assert not Platform.objects.exists()


def test_the_database_refuses_a_sub_kind_that_contradicts_its_kind_or_segment(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlatformFactory(zone=cast.zone_a, kind="basic", sub_kind="key_laboratory")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlatformFactory(
            zone=cast.zone_a, kind="professional", sub_kind="logistics", chain_segment="upstream"
        )


def test_missing_and_invalid_fields_are_named_in_chinese(cast):
    with pytest.raises(ValidationError) as caught:
        services.create_platform(
            cast.staff_a,
            platform_data(cast.zone_a, name="", level="galactic", established_on=days_ago(-3)),
        )
    errors = caught.value.message_dict
    assert set(errors) >= {"name", "level", "established_on"}
    assert errors["established_on"] == ["日期不能晚于今天。"]
    assert "不是合法选项" in errors["level"][0] or "有效" in errors["level"][0]


def test_a_host_enterprise_of_another_zone_is_refused(cast):
    foreign = EnterpriseFactory(zone=cast.zone_a2, name="邻区企业")
    with pytest.raises(ValidationError) as caught:
        services.create_platform(
            cast.admin,
            platform_data(
                cast.zone_a,
                host_enterprise=foreign,
                kind="innovation",
                sub_kind="enterprise_tech_centre",
            ),
        )
    assert caught.value.message_dict["host_enterprise"] == [
        "依托企业“邻区企业”不在平台所在的开发区。"
    ]


def test_a_service_to_an_enterprise_of_another_zone_is_refused(cast):
    platform = PlatformFactory(zone=cast.zone_a)
    foreign = EnterpriseFactory(zone=cast.zone_a2, name="邻区企业")
    data = {
        "platform": platform,
        "enterprise": foreign,
        "category": "testing",
        "service_type": "检测",
        "served_on": days_ago(3),
        "fee_wan": Decimal("0"),
        "free": True,
    }
    with pytest.raises(ValidationError) as caught:
        services.create_service_record(cast.admin, data)
    assert "不在平台" in caught.value.message_dict["enterprise"][0]
    assert not ServiceRecord.objects.exists()


def test_free_flag_must_agree_with_the_fee(cast):
    platform = PlatformFactory(zone=cast.zone_a)
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    base = {
        "platform": platform,
        "enterprise": enterprise,
        "category": "testing",
        "service_type": "检测",
        "served_on": days_ago(3),
    }
    with pytest.raises(ValidationError) as caught:
        services.create_service_record(
            cast.staff_a, {**base, "fee_wan": Decimal("2.5"), "free": True}
        )
    assert "免费服务" in caught.value.message_dict["fee_wan"][0]
    with pytest.raises(ValidationError) as caught:
        services.create_service_record(
            cast.staff_a, {**base, "fee_wan": Decimal("0"), "free": False}
        )
    assert "免费服务" in caught.value.message_dict["free"][0]
    record = services.create_service_record(
        cast.staff_a, {**base, "fee_wan": Decimal("2.5"), "free": False}
    )
    assert record.fee_wan == Decimal("2.5")
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRecordFactory(platform=platform, fee_wan=Decimal("1"), free=True)


def test_a_service_cannot_be_dated_in_the_future_or_before_the_platform(cast):
    platform = PlatformFactory(zone=cast.zone_a, established_on=days_ago(100))
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    base = {
        "platform": platform,
        "enterprise": enterprise,
        "category": "legal",
        "service_type": "合同审查",
        "fee_wan": 0,
        "free": True,
    }
    with pytest.raises(ValidationError) as caught:
        services.create_service_record(cast.staff_a, {**base, "served_on": days_ago(-1)})
    assert caught.value.message_dict["served_on"] == ["日期不能晚于今天。"]
    with pytest.raises(ValidationError) as caught:
        services.create_service_record(cast.staff_a, {**base, "served_on": days_ago(200)})
    assert "早于平台成立日期" in caught.value.message_dict["served_on"][0]


def test_a_new_platform_queues_a_recompute_of_its_zones_scores(cast):
    from zones.models import ScoreRun

    services.create_platform(cast.staff_a, platform_data(cast.zone_a))
    services.create_platform(cast.staff_a, platform_data(cast.zone_a, name="第二个平台"))
    queued = ScoreRun.objects.filter(status="queued", kind="zone")
    assert list(queued.values_list("zone_id", flat=True)) == [cast.zone_a.pk]
