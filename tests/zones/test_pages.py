"""The zone pages: each role sees its own rows, another zone's object is a 404, lists cost a
fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import EnterpriseFactory, IndicatorFactory, ZoneFactory, prefecture
from zones.models import Enterprise, ZoneType

pytestmark = pytest.mark.django_db

LIST_URLS = ("zones:zone-list", "zones:enterprise-list", "zones:indicator-list")


def page_text(response) -> str:
    return response.content.decode()


def test_anonymous_visitor_is_sent_to_the_login_page(client, cast):
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    indicator = IndicatorFactory(zone=cast.zone_a)
    urls = [
        reverse("home"),
        *(reverse(name) for name in LIST_URLS),
        reverse("zones:zone-export"),
        reverse("zones:zone-detail", args=[cast.zone_a.pk]),
        reverse("zones:enterprise-detail", args=[enterprise.pk]),
        reverse("zones:enterprise-create"),
        reverse("zones:enterprise-edit", args=[enterprise.pk]),
        reverse("zones:enterprise-delete", args=[enterprise.pk]),
        reverse("zones:indicator-create"),
        reverse("zones:indicator-edit", args=[indicator.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_login_page_is_branded_and_signs_the_user_in(client, cast):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "开发区高质量发展平台" in page_text(response)
    assert "vendor/bootstrap/css/bootstrap.min.css" in page_text(response)

    response = client.post(
        reverse("login"), {"username": cast.staff_a.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_a_chinese_error(client, cast):
    response = client.post(reverse("login"), {"username": cast.staff_a.username, "password": "x"})
    assert response.status_code == 200
    assert "请输入一个正确的" in page_text(response)


def test_logout_is_a_post_that_returns_to_login(client_for, cast):
    client = client_for(cast.staff_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_every_page_renders_for_every_role_with_the_users_name_and_roles(client_for, cast):
    for name, user in cast.everyone().items():
        client = client_for(user)
        for url in (reverse("home"), *(reverse(n) for n in LIST_URLS)):
            response = client.get(url)
            assert response.status_code == 200, (name, url)
            assert user.username in page_text(response)
    response = client_for(cast.staff_a).get(reverse("home"))
    assert "园区工作人员" in page_text(response)
    assert 'name="language" value="en"' in page_text(response)


def test_zone_staff_home_shows_their_zone_figures_and_quick_links(client_for, cast):
    IndicatorFactory(zone=cast.zone_a, gross_industrial_output=1_200_000)
    from zones.services import refresh_zone_summary

    refresh_zone_summary(cast.zone_a)
    EnterpriseFactory(
        zone=cast.zone_a,
        name="龙头甲公司",
        test_national_competitiveness=True,
        test_headquarters_in_zone=True,
        test_local_division_of_labour=True,
    )
    EnterpriseFactory(zone=cast.zone_b, name="乙区企业")
    html = page_text(client_for(cast.staff_a).get(reverse("home")))
    assert "测试开发区A" in html and "测试开发区B" not in html
    assert "120.00" in html  # 1,200,000 万元 = 120 亿元
    assert "100亿级" in html
    assert "龙头甲公司" in html and "乙区企业" not in html
    assert "录入指标" in html and "新增企业" in html

    viewer_html = page_text(client_for(cast.viewer_a).get(reverse("home")))
    assert "测试开发区A" in viewer_html
    assert "录入指标" not in viewer_html and "新增企业" not in viewer_html


def test_city_supervisor_home_lists_their_prefectures_zones_with_totals(client_for, cast):
    EnterpriseFactory(zone=cast.zone_a)
    EnterpriseFactory(zone=cast.zone_a2)
    EnterpriseFactory(zone=cast.zone_b)
    html = page_text(client_for(cast.city).get(reverse("home")))
    assert "测试开发区A" in html and "测试开发区A2" in html
    assert "测试开发区B" not in html
    assert 'id="city-zones"' in html


def test_provincial_home_counts_zones_by_type_prefecture_and_tier(client_for, cast):
    ZoneFactory(type=ZoneType.HIGH_TECH, prefecture=prefecture("遵义市"))
    response = client_for(cast.province).get(reverse("home"))
    assert response.status_code == 200
    by_type = {row["value"]: row["n"] for row in response.context["by_type"]}
    assert by_type == {"high_tech": 1, "economic": 3, "industrial_park": 0, "bonded": 0}
    by_prefecture = {row["label"]: row["n"] for row in response.context["by_prefecture"]}
    assert by_prefecture == {"贵阳市": 2, "遵义市": 2}
    assert sum(row["n"] for row in response.context["by_tier"]) == 4
    assert "进入管理后台" not in page_text(response)


def test_admin_home_links_to_the_admin_site(client_for, cast):
    html = page_text(client_for(cast.admin).get(reverse("home")))
    assert reverse("admin:index") in html


def test_outsider_home_explains_they_have_no_role(client_for, cast):
    html = page_text(client_for(cast.outsider).get(reverse("home")))
    assert "尚未被授予任何角色" in html
    assert "测试开发区A" not in html


def test_zone_list_shows_only_the_zones_in_scope(client_for, cast):
    html = page_text(client_for(cast.staff_a).get(reverse("zones:zone-list")))
    assert "TZ-A<" in html and "TZ-B" not in html and "TZ-A2" not in html

    html = page_text(client_for(cast.province).get(reverse("zones:zone-list")))
    assert all(code in html for code in ("TZ-A<", "TZ-A2", "TZ-B"))


def test_zone_list_prefecture_dropdown_offers_only_visible_prefectures(client_for, cast):
    response = client_for(cast.city).get(reverse("zones:zone-list"))
    choices = dict(response.context["filter_fields"][3].field.widget.choices)
    assert choices == {"": "全部市州", "520100": "贵阳市"}


def test_zone_list_filters_sorts_and_keeps_filters_across_pages(client_for, cast):
    for n in range(55):
        ZoneFactory(code=f"HT-{n:03d}", type=ZoneType.HIGH_TECH, founded_year=1992 + n % 30)
    client = client_for(cast.province)
    response = client.get(reverse("zones:zone-list"), {"type": "high_tech", "sort": "-code"})
    rows = list(response.context["page"])
    assert len(rows) == 50
    assert rows[0].code == "HT-054"
    assert all(z.type == ZoneType.HIGH_TECH for z in rows)
    html = page_text(response)
    assert "?type=high_tech&amp;sort=-code&amp;page=2" in html

    page2 = client.get(
        reverse("zones:zone-list"), {"type": "high_tech", "sort": "-code", "page": 2}
    )
    assert [z.code for z in page2.context["page"]] == [f"HT-{n:03d}" for n in range(4, -1, -1)]


def test_zone_list_ignores_a_sort_key_outside_the_whitelist(client_for, cast):
    response = client_for(cast.province).get(reverse("zones:zone-list"), {"sort": "password"})
    assert response.status_code == 200
    assert [z.code for z in response.context["page"]] == ["TZ-A", "TZ-A2", "TZ-B"]


def test_zone_list_filters_by_prefecture_and_search(client_for, cast):
    client = client_for(cast.province)
    response = client.get(reverse("zones:zone-list"), {"prefecture": "520300"})
    assert [z.code for z in response.context["page"]] == ["TZ-B"]
    response = client.get(reverse("zones:zone-list"), {"q": "A2"})
    assert [z.code for z in response.context["page"]] == ["TZ-A2"]


def test_zone_detail_shows_attributes_people_enterprises_and_indicators(client_for, cast):
    EnterpriseFactory(zone=cast.zone_a, name="甲企业")
    EnterpriseFactory(zone=cast.zone_b, name="乙企业")
    IndicatorFactory(zone=cast.zone_a, year=2024)
    IndicatorFactory(zone=cast.zone_a, period_kind="month", year=2025, month=3)
    response = client_for(cast.staff_a).get(reverse("zones:zone-detail", args=[cast.zone_a.pk]))
    assert response.status_code == 200
    html = page_text(response)
    assert "测试开发区A管理委员会" in html
    assert cast.leader_a.username in html and cast.viewer_a.username in html
    assert cast.staff_b.username not in html
    assert "甲企业" in html and "乙企业" not in html
    assert "2024年" in html and "2025年3月" in html
    assert "万元" in html and "吨标准煤" in html


def test_staff_of_another_zone_gets_404_on_zone_detail(client_for, cast):
    response = client_for(cast.staff_b).get(reverse("zones:zone-detail", args=[cast.zone_a.pk]))
    assert response.status_code == 404


def test_enterprise_pages_of_another_zone_are_404_and_change_nothing(client_for, cast):
    enterprise = EnterpriseFactory(zone=cast.zone_a, name="原名称")
    client = client_for(cast.staff_b)
    for name in ("enterprise-detail", "enterprise-edit", "enterprise-delete"):
        url = reverse(f"zones:{name}", args=[enterprise.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"name": "改名", "zone": cast.zone_b.pk}).status_code == 404
    enterprise.refresh_from_db()
    assert enterprise.name == "原名称" and enterprise.zone == cast.zone_a


def test_read_only_roles_get_404_on_enterprise_writes_and_nothing_changes(client_for, cast):
    enterprise = EnterpriseFactory(zone=cast.zone_a, name="原名称")
    before = Enterprise.objects.count()
    for user in (cast.viewer_a, cast.province, cast.city, cast.supervisor, cast.outsider):
        client = client_for(user)
        assert client.get(reverse("zones:enterprise-create")).status_code == 404
        response = client.post(
            reverse("zones:enterprise-create"), {"zone": cast.zone_a.pk, "name": "新企业"}
        )
        assert response.status_code == 404
        for name in ("enterprise-edit", "enterprise-delete"):
            url = reverse(f"zones:{name}", args=[enterprise.pk])
            assert client.post(url, {"name": "改名"}).status_code == 404, (user, name)
    enterprise.refresh_from_db()
    assert enterprise.name == "原名称"
    assert Enterprise.objects.count() == before


def test_viewer_sees_enterprises_without_edit_buttons(client_for, cast):
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    html = page_text(client_for(cast.viewer_a).get(reverse("zones:enterprise-list")))
    assert enterprise.name in html
    assert reverse("zones:enterprise-edit", args=[enterprise.pk]) not in html
    html = page_text(client_for(cast.staff_a).get(reverse("zones:enterprise-list")))
    assert reverse("zones:enterprise-edit", args=[enterprise.pk]) in html


def test_enterprise_list_shows_only_scoped_rows_and_zone_choices(client_for, cast):
    EnterpriseFactory(zone=cast.zone_a, name="甲企业")
    EnterpriseFactory(zone=cast.zone_b, name="乙企业")
    response = client_for(cast.staff_a).get(reverse("zones:enterprise-list"))
    html = page_text(response)
    assert "甲企业" in html and "乙企业" not in html
    zone_choices = dict(response.context["filter_fields"][1].field.widget.choices)
    assert set(zone_choices) == {"", "TZ-A"}


def test_enterprise_list_filters_by_zone_and_leading(client_for, cast):
    EnterpriseFactory(zone=cast.zone_a, name="甲企业")
    EnterpriseFactory(
        zone=cast.zone_a2,
        name="龙头企业乙",
        test_national_competitiveness=True,
        test_headquarters_in_zone=True,
        test_local_division_of_labour=True,
    )
    client = client_for(cast.city)
    response = client.get(reverse("zones:enterprise-list"), {"zone": "TZ-A"})
    assert [e.name for e in response.context["page"]] == ["甲企业"]
    response = client.get(reverse("zones:enterprise-list"), {"leading": "true"})
    assert [e.name for e in response.context["page"]] == ["龙头企业乙"]


def test_indicator_list_shows_only_scoped_rows(client_for, cast):
    IndicatorFactory(zone=cast.zone_a, year=2023)
    IndicatorFactory(zone=cast.zone_b, year=2022)
    response = client_for(cast.staff_a).get(reverse("zones:indicator-list"))
    assert [i.zone.code for i in response.context["page"]] == ["TZ-A"]
    response = client_for(cast.province).get(reverse("zones:indicator-list"))
    assert {i.zone.code for i in response.context["page"]} == {"TZ-A", "TZ-B"}


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_zone_list_costs_the_same_queries_for_1_and_50_rows(client_for, cast):
    # session, user, scope, prefecture dropdown, count, page
    client = client_for(cast.staff_a)
    one = count_queries(client, reverse("zones:zone-list"))
    for _ in range(49):
        ZoneFactory(prefecture=cast.zone_a.prefecture)
    client = client_for(cast.city)
    fifty = count_queries(client, reverse("zones:zone-list"))
    assert one == fifty


def test_enterprise_list_costs_the_same_queries_for_1_and_50_rows(client_for, cast):
    client = client_for(cast.staff_a)
    EnterpriseFactory(zone=cast.zone_a)
    one = count_queries(client, reverse("zones:enterprise-list"))
    EnterpriseFactory.create_batch(49, zone=cast.zone_a)
    assert count_queries(client, reverse("zones:enterprise-list")) == one


def test_indicator_list_costs_the_same_queries_for_1_and_50_rows(client_for, cast):
    client = client_for(cast.staff_a)
    IndicatorFactory(zone=cast.zone_a, year=1990)
    one = count_queries(client, reverse("zones:indicator-list"))
    for year in range(1991, 2020):
        IndicatorFactory(zone=cast.zone_a, year=year)
    for month in range(1, 13):
        IndicatorFactory(zone=cast.zone_a, period_kind="month", year=2020, month=month)
        IndicatorFactory(zone=cast.zone_a, period_kind="month", year=2021, month=month)
    assert count_queries(client, reverse("zones:indicator-list")) == one


def test_home_costs_the_same_queries_however_many_zones(client_for, cast):
    # per variant: aggregates over the scoped zones, never a query per zone
    variants = {"province": cast.province, "city": cast.city, "zone": cast.staff_a}
    before = {name: count_queries(client_for(u), reverse("home")) for name, u in variants.items()}
    for _ in range(50):
        zone = ZoneFactory(prefecture=cast.zone_a.prefecture)
        EnterpriseFactory(zone=zone)
    EnterpriseFactory.create_batch(
        5,
        zone=cast.zone_a,
        test_national_competitiveness=True,
        test_headquarters_in_zone=True,
        test_local_division_of_labour=True,
    )
    after = {name: count_queries(client_for(u), reverse("home")) for name, u in variants.items()}
    assert after == before
