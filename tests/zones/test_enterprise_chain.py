"""An enterprise's link on its zone's leading-industry chain (聚链 coverage), its per-mu class,
and the recompute that a change of a zone's facts queues."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import EnterpriseFactory, ZoneFactory
from zones import services
from zones.models import ChainLink, Enterprise, Industry, ScoreRun
from zones.validators import build_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def baijiu_zone(cast):
    cast.zone_a.leading_industry = Industry.objects.get(code="jiangxiang_baijiu")
    cast.zone_a.save()
    return cast.zone_a


def data(zone, **extra):
    return {
        "zone": zone,
        "name": "仁怀酒瓶制造有限公司",
        "credit_code": build_credit_code("520100", 4242),
        **extra,
    }


def test_a_link_of_the_zones_leading_chain_sets_the_enterprises_segment(cast, baijiu_zone):
    link = ChainLink.objects.get(template__industry__code="jiangxiang_baijiu", name="玻璃酒瓶")
    enterprise = services.create_enterprise(cast.staff_a, data(baijiu_zone, chain_link=link))
    assert enterprise.chain_link == link and enterprise.chain_position == "upstream"


def test_a_link_of_another_industrys_chain_is_refused_and_nothing_is_written(cast, baijiu_zone):
    other = ChainLink.objects.filter(template__industry__code="aluminium").first()
    with pytest.raises(ValidationError) as error:
        services.create_enterprise(cast.staff_a, data(baijiu_zone, chain_link=other))
    assert "不属于本开发区首位产业的产业链" in str(error.value.message_dict["chain_link"])
    assert not Enterprise.objects.filter(name="仁怀酒瓶制造有限公司").exists()


def test_a_segment_that_contradicts_the_link_is_refused(cast, baijiu_zone):
    link = ChainLink.objects.get(template__industry__code="jiangxiang_baijiu", name="勾调")
    enterprise = EnterpriseFactory(zone=baijiu_zone)
    with pytest.raises(ValidationError) as error:
        services.update_enterprise(
            cast.staff_a, enterprise, {"chain_link": link, "chain_position": "upstream"}
        )
    assert "该环节属于中游" in str(error.value.message_dict["chain_position"])
    enterprise.refresh_from_db()
    assert enterprise.chain_link is None


def test_changing_an_enterprise_queues_one_recompute_of_its_zone(cast, baijiu_zone):
    enterprise = services.create_enterprise(cast.staff_a, data(baijiu_zone))
    services.update_enterprise(cast.staff_a, enterprise, {"above_designated_size": True})
    runs = ScoreRun.objects.filter(zone=baijiu_zone, status="queued", kind="zone")
    assert runs.count() == 1


def test_moving_an_enterprise_queues_both_zones(cast, baijiu_zone):
    second = ZoneFactory(prefecture=baijiu_zone.prefecture)
    from zones.models import Membership

    Membership.objects.create(user=cast.staff_a, role="zone_staff", zone=second)
    enterprise = services.create_enterprise(cast.staff_a, data(baijiu_zone))
    services.update_enterprise(cast.staff_a, enterprise, {"zone": second})
    queued = set(ScoreRun.objects.filter(status="queued").values_list("zone_id", flat=True))
    assert queued == {baijiu_zone.pk, second.pk}


def test_the_enterprise_form_offers_chain_links_and_defaults_the_class(
    cast, client_for, baijiu_zone
):
    from django.urls import reverse

    page = client_for(cast.staff_a).get(reverse("zones:enterprise-create")).content.decode()
    assert "酱香白酒｜上游｜玻璃酒瓶" in page
    assert 'name="land_grading"' in page
