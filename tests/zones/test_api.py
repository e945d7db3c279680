"""The zone registry API (/api/v1/): contract, filters, pagination, scope and writes."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import EnterpriseFactory, IndicatorFactory, ZoneFactory, prefecture
from zones.models import Enterprise, Industry, Prefecture, Province, Zone, ZoneIndicator, ZoneType
from zones.services import refresh_zone_summary
from zones.validators import build_credit_code

pytestmark = pytest.mark.django_db

ZONES = "/api/v1/zones/"
ENTERPRISES = "/api/v1/enterprises/"
INDICATORS = "/api/v1/indicators/"
PREFECTURES = "/api/v1/prefectures/"


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def enterprise_payload(zone, **overrides) -> dict:
    payload = {
        "zone": zone.pk,
        "name": "贵州新铝材有限公司",
        "credit_code": build_credit_code("520100", 777001),
        "industry": "aluminium",
        "chain_position": "midstream",
        "land_area_mu": "120.5",
        "above_designated_size": True,
    }
    payload.update(overrides)
    return payload


def enterprise_snapshot(enterprise) -> dict:
    return Enterprise.objects.filter(pk=enterprise.pk).values().get()


def indicator_snapshot(indicator) -> dict:
    return ZoneIndicator.objects.filter(pk=indicator.pk).values().get()


# --- the zone contract ----------------------------------------------------------------------


def test_zone_json_has_the_contract_fields_and_values(cast, api_for):
    zone = cast.zone_a
    zone.main_industries.set(Industry.objects.filter(code__in=["aluminium", "modern_logistics"]))
    IndicatorFactory(zone=zone, year=2024, gross_industrial_output=Decimal("1200000"))
    refresh_zone_summary(zone)

    response = api_for(cast.staff_a).get(ZONES)

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row == {
        "id": zone.pk,
        "code": "TZ-A",
        "name": "测试开发区A",
        "type": "economic",
        "type_display": "经开区",
        "level": "provincial",
        "prefecture": "贵阳市",
        "prefecture_code": "520100",
        "founded_year": 2011,
        "leading_industry": "铝及铝加工",
        "main_industries": row["main_industries"],  # checked below, in any order
        "planned_area_mu": 15000,
        "management_body": "测试开发区A管理委员会",
        "output_tier": "100-200",
        "latest_output": 1200000,
        "latest_output_year": 2024,
        "stage": None,
        "is_demo": False,
    }
    assert set(row["main_industries"]) == {"铝及铝加工", "现代物流"}
    assert isinstance(row["latest_output"], int | float)


def test_zone_without_output_or_leading_industry_has_nulls(cast, api_for):
    Zone.objects.filter(pk=cast.zone_a.pk).update(leading_industry=None)
    row = api_for(cast.staff_a).get(f"{ZONES}{cast.zone_a.pk}/").json()
    assert row["leading_industry"] is None
    assert row["main_industries"] == []
    assert row["output_tier"] is None
    assert row["latest_output"] is None
    assert row["latest_output_year"] is None


def test_zones_are_read_only_even_for_the_administrator(cast, api_for):
    api = api_for(cast.admin)
    assert api.post(ZONES, {"code": "TZ-NEW", "name": "新区"}, format="json").status_code == 405
    url = f"{ZONES}{cast.zone_a.pk}/"
    assert api.patch(url, {"name": "改名"}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    assert Zone.objects.get(pk=cast.zone_a.pk).name == "测试开发区A"


# --- pagination -----------------------------------------------------------------------------


def test_pagination_has_count_next_and_previous(cast, api_for):
    api = api_for(cast.admin)
    first = api.get(ZONES, {"page_size": 2}).json()
    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "page=2" in first["next"]

    second = api.get(ZONES, {"page_size": 2, "page": 2}).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert second["previous"] is not None
    assert {r["code"] for r in first["results"] + second["results"]} == {"TZ-A", "TZ-A2", "TZ-B"}


def test_page_size_is_capped_at_500(cast, api_for):
    gy = prefecture("贵阳市")
    Zone.objects.bulk_create(
        Zone(
            code=f"BULK-{i:04d}",
            name=f"批量开发区{i}",
            type=ZoneType.INDUSTRIAL_PARK,
            level="provincial",
            prefecture=gy,
            founded_year=2012,
        )
        for i in range(510)
    )
    body = api_for(cast.admin).get(ZONES, {"page_size": 1000}).json()
    assert body["count"] == 513
    assert len(body["results"]) == 500
    assert body["next"] is not None


# --- filters, search, ordering --------------------------------------------------------------


def test_zones_filter_by_type_prefecture_name_and_output_tier(cast, api_for):
    Zone.objects.filter(pk=cast.zone_a2.pk).update(type=ZoneType.HIGH_TECH)
    IndicatorFactory(zone=cast.zone_b, year=2024, gross_industrial_output=Decimal("3500000"))
    refresh_zone_summary(cast.zone_b)
    api = api_for(cast.admin)

    assert codes(api.get(ZONES, {"type": "high_tech"})) == ["TZ-A2"]
    assert codes(api.get(ZONES, {"prefecture": "遵义市"})) == ["TZ-B"]
    assert set(codes(api.get(ZONES, {"prefecture": "贵阳市"}))) == {"TZ-A", "TZ-A2"}
    assert codes(api.get(ZONES, {"output_tier": "300-500"})) == ["TZ-B"]
    assert codes(api.get(ZONES, {"output_tier": "1000+"})) == []


def test_zones_search_by_name_or_code(cast, api_for):
    api = api_for(cast.admin)
    assert codes(api.get(ZONES, {"search": "开发区A2"})) == ["TZ-A2"]
    assert codes(api.get(ZONES, {"search": "tz-b"})) == ["TZ-B"]


def test_invalid_filter_choice_is_a_400_naming_the_filter(cast, api_for):
    response = api_for(cast.admin).get(ZONES, {"type": "moon_base"})
    assert response.status_code == 400
    assert "type" in response.json()


def test_zones_order_by_whitelisted_fields_only(cast, api_for):
    Zone.objects.filter(pk=cast.zone_b.pk).update(founded_year=1992)
    api = api_for(cast.admin)
    assert codes(api.get(ZONES, {"ordering": "founded_year"}))[0] == "TZ-B"
    assert codes(api.get(ZONES, {"ordering": "-founded_year"}))[-1] == "TZ-B"
    # A field outside the whitelist is ignored rather than exposing arbitrary columns.
    assert api.get(ZONES, {"ordering": "memberships__user__password"}).status_code == 200


def test_enterprises_filter_and_search(cast, api_for):
    EnterpriseFactory(zone=cast.zone_a, name="甲铝业有限公司", industry_id=None)
    lead = EnterpriseFactory(
        zone=cast.zone_a,
        name="乙科技有限公司",
        test_national_competitiveness=True,
        test_headquarters_in_zone=True,
        test_local_division_of_labour=True,
    )
    api = api_for(cast.staff_a)
    names = [r["name"] for r in api.get(ENTERPRISES, {"search": "铝业"}).json()["results"]]
    assert names == ["甲铝业有限公司"]
    leading = api.get(ENTERPRISES, {"leading": "true"}).json()["results"]
    assert [r["id"] for r in leading] == [lead.pk]
    assert leading[0]["is_leading"] is True


def test_indicators_filter_by_period(cast, api_for):
    IndicatorFactory(zone=cast.zone_a, year=2024)
    IndicatorFactory(zone=cast.zone_a, year=2025, period_kind="month", month=3)
    api = api_for(cast.staff_a)
    rows = api.get(INDICATORS, {"period_kind": "month"}).json()["results"]
    assert [(r["year"], r["month"]) for r in rows] == [(2025, 3)]
    assert api.get(INDICATORS, {"year": 2024}).json()["count"] == 1


# --- scope: lists ---------------------------------------------------------------------------


def test_staff_a_lists_only_zone_a_rows_for_every_resource(cast, api_for):
    mine = EnterpriseFactory(zone=cast.zone_a)
    EnterpriseFactory(zone=cast.zone_a2)
    EnterpriseFactory(zone=cast.zone_b)
    my_figures = IndicatorFactory(zone=cast.zone_a)
    IndicatorFactory(zone=cast.zone_a2)
    IndicatorFactory(zone=cast.zone_b)
    api = api_for(cast.staff_a)

    assert codes(api.get(ZONES)) == ["TZ-A"]
    assert [r["id"] for r in api.get(ENTERPRISES).json()["results"]] == [mine.pk]
    assert [r["id"] for r in api.get(INDICATORS).json()["results"]] == [my_figures.pk]
    prefectures = api.get(PREFECTURES).json()["results"]
    assert [(p["name"], p["zone_count"]) for p in prefectures] == [("贵阳市", 1)]


def test_city_supervisor_lists_the_zones_of_their_prefecture(cast, api_for):
    api = api_for(cast.city)
    assert set(codes(api.get(ZONES))) == {"TZ-A", "TZ-A2"}
    prefectures = api.get(PREFECTURES).json()["results"]
    assert [(p["name"], p["province"], p["zone_count"]) for p in prefectures] == [
        ("贵阳市", "贵州省", 2)
    ]


def test_staff_b_gets_404_on_zone_a_detail(cast, api_for):
    api = api_for(cast.staff_b)
    assert api.get(f"{ZONES}{cast.zone_a.pk}/").status_code == 404
    assert api.get(f"{PREFECTURES}{cast.zone_a.prefecture_id}/").status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_staff_b_gets_404_on_zone_a_enterprise_and_it_is_unchanged(cast, api_for, method):
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    before = enterprise_snapshot(enterprise)
    payload = enterprise_payload(cast.zone_b, credit_code=enterprise.credit_code, name="改名")

    response = getattr(api_for(cast.staff_b), method)(
        f"{ENTERPRISES}{enterprise.pk}/", payload, format="json"
    )

    assert response.status_code == 404
    assert "改名" not in response.content.decode()
    assert enterprise_snapshot(enterprise) == before


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_staff_b_gets_404_on_zone_a_indicator_and_it_is_unchanged(cast, api_for, method):
    indicator = IndicatorFactory(zone=cast.zone_a)
    before = indicator_snapshot(indicator)
    payload = {"zone": cast.zone_b.pk, "period_kind": "year", "year": 2025, "tax_revenue": 1}

    response = getattr(api_for(cast.staff_b), method)(
        f"{INDICATORS}{indicator.pk}/", payload, format="json"
    )

    assert response.status_code == 404
    assert indicator_snapshot(indicator) == before


# --- scope: creates -------------------------------------------------------------------------


def test_staff_a_cannot_create_an_enterprise_in_zone_b(cast, api_for):
    response = api_for(cast.staff_a).post(
        ENTERPRISES, enterprise_payload(cast.zone_b), format="json"
    )
    assert response.status_code == 400
    assert response.json()["zone"] == ["开发区不存在或无权操作。"]
    assert not Enterprise.objects.exists()


def test_a_foreign_zone_and_a_missing_zone_get_the_same_answer(cast, api_for):
    api = api_for(cast.staff_a)
    foreign = api.post(ENTERPRISES, enterprise_payload(cast.zone_b), format="json")
    missing = api.post(
        ENTERPRISES, {**enterprise_payload(cast.zone_b), "zone": 999_999}, format="json"
    )
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json()


def test_staff_a_cannot_move_an_enterprise_into_zone_b(cast, api_for):
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    before = enterprise_snapshot(enterprise)
    response = api_for(cast.staff_a).patch(
        f"{ENTERPRISES}{enterprise.pk}/", {"zone": cast.zone_b.pk}, format="json"
    )
    assert response.status_code == 400
    assert "zone" in response.json()
    assert enterprise_snapshot(enterprise) == before


def test_staff_a_cannot_record_indicators_for_zone_b(cast, api_for):
    response = api_for(cast.staff_a).post(
        INDICATORS,
        {"zone": cast.zone_b.pk, "period_kind": "year", "year": 2024, "tax_revenue": "10"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["zone"] == ["开发区不存在或无权操作。"]
    assert not ZoneIndicator.objects.exists()


# --- read-only roles ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["viewer_a", "province", "supervisor", "city"])
def test_read_only_roles_get_403_on_writes_to_rows_they_can_see(cast, api_for, who):
    enterprise = EnterpriseFactory(zone=cast.zone_a)
    indicator = IndicatorFactory(zone=cast.zone_a)
    before = (enterprise_snapshot(enterprise), indicator_snapshot(indicator))
    api = api_for(getattr(cast, who))

    responses = [
        api.post(ENTERPRISES, enterprise_payload(cast.zone_a), format="json"),
        api.put(f"{ENTERPRISES}{enterprise.pk}/", enterprise_payload(cast.zone_a), format="json"),
        api.patch(f"{ENTERPRISES}{enterprise.pk}/", {"name": "改名"}, format="json"),
        api.delete(f"{ENTERPRISES}{enterprise.pk}/"),
        api.post(
            INDICATORS, {"zone": cast.zone_a.pk, "period_kind": "year", "year": 2020}, format="json"
        ),
        api.patch(f"{INDICATORS}{indicator.pk}/", {"tax_revenue": "1"}, format="json"),
        api.delete(f"{INDICATORS}{indicator.pk}/"),
    ]

    for response in responses:
        assert response.status_code == 403, (response.request, response.content)
        assert "只读" in response.json()["detail"]
    assert (enterprise_snapshot(enterprise), indicator_snapshot(indicator)) == before
    assert Enterprise.objects.count() == 1
    assert ZoneIndicator.objects.count() == 1


def test_zone_viewer_gets_404_on_another_zones_rows(cast, api_for):
    theirs = EnterpriseFactory(zone=cast.zone_b)
    before = enterprise_snapshot(theirs)
    api = api_for(cast.viewer_a)
    assert (
        api.patch(f"{ENTERPRISES}{theirs.pk}/", {"name": "改名"}, format="json").status_code == 404
    )
    assert api.delete(f"{ENTERPRISES}{theirs.pk}/").status_code == 404
    assert enterprise_snapshot(theirs) == before


# --- enterprise writes ----------------------------------------------------------------------


def test_staff_a_creates_updates_and_deletes_an_enterprise(cast, api_for):
    api = api_for(cast.staff_a)

    created = api.post(ENTERPRISES, enterprise_payload(cast.zone_a), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["zone"] == cast.zone_a.pk
    assert body["zone_code"] == "TZ-A"
    assert body["zone_name"] == "测试开发区A"
    assert body["industry"] == "aluminium"
    assert body["land_area_mu"] == 120.5
    assert body["is_leading"] is False
    enterprise = Enterprise.objects.get(pk=body["id"])
    assert enterprise.zone == cast.zone_a

    patched = api.patch(
        f"{ENTERPRISES}{enterprise.pk}/",
        {
            "test_national_competitiveness": True,
            "test_headquarters_in_zone": True,
            "test_local_division_of_labour": True,
        },
        format="json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["is_leading"] is True

    assert api.delete(f"{ENTERPRISES}{enterprise.pk}/").status_code == 204
    assert not Enterprise.objects.filter(pk=enterprise.pk).exists()


def test_lower_case_credit_code_is_stored_upper_case(cast, api_for):
    code = build_credit_code("520100", 4242)
    response = api_for(cast.staff_a).post(
        ENTERPRISES, enterprise_payload(cast.zone_a, credit_code=code.lower()), format="json"
    )
    assert response.status_code == 201, response.content
    assert Enterprise.objects.get().credit_code == code


def test_bad_credit_code_check_digit_is_a_400_naming_credit_code(cast, api_for):
    good = build_credit_code("520100", 123)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = api_for(cast.staff_a).post(
        ENTERPRISES, enterprise_payload(cast.zone_a, credit_code=bad), format="json"
    )
    assert response.status_code == 400
    (message,) = response.json()["credit_code"]
    assert "统一社会信用代码校验位错误" in message
    assert f"第18位应为“{good[17]}”" in message
    assert not Enterprise.objects.exists()


def test_duplicate_credit_code_is_a_400_naming_credit_code(cast, api_for):
    existing = EnterpriseFactory(zone=cast.zone_a)
    response = api_for(cast.staff_a).post(
        ENTERPRISES,
        enterprise_payload(cast.zone_a, credit_code=existing.credit_code),
        format="json",
    )
    assert response.status_code == 400
    assert "credit_code" in response.json()
    assert Enterprise.objects.count() == 1


def test_unknown_industry_code_and_future_date_are_field_errors(cast, api_for):
    response = api_for(cast.staff_a).post(
        ENTERPRISES,
        enterprise_payload(cast.zone_a, industry="unobtainium", established_on="2999-01-01"),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert "unobtainium" in errors["industry"][0]
    assert not Enterprise.objects.exists()


def test_service_validation_errors_come_back_as_field_errors(cast, api_for):
    response = api_for(cast.staff_a).post(
        ENTERPRISES, enterprise_payload(cast.zone_a, established_on="2999-01-01"), format="json"
    )
    assert response.status_code == 400
    assert response.json()["established_on"] == ["日期不能晚于今天。"]
    assert not Enterprise.objects.exists()


# --- indicator writes -----------------------------------------------------------------------


def test_staff_a_records_annual_figures_and_the_zone_summary_follows(cast, api_for):
    api = api_for(cast.staff_a)
    response = api.post(
        INDICATORS,
        {
            "zone": cast.zone_a.pk,
            "period_kind": "year",
            "year": 2024,
            "gross_industrial_output": "5500000",
            "land_idle_mu": "12.5",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["gross_industrial_output"] == 5500000
    assert body["land_idle_mu"] == 12.5
    assert body["tax_revenue"] is None
    zone = api.get(f"{ZONES}{cast.zone_a.pk}/").json()
    assert (zone["output_tier"], zone["latest_output"], zone["latest_output_year"]) == (
        "500-1000",
        5500000,
        2024,
    )

    assert api.delete(f"{INDICATORS}{body['id']}/").status_code == 204
    assert api.get(f"{ZONES}{cast.zone_a.pk}/").json()["output_tier"] is None


def test_duplicate_period_on_create_is_a_400_with_a_clear_message(cast, api_for):
    existing = IndicatorFactory(zone=cast.zone_a, year=2024, tax_revenue=Decimal("60000"))
    before = indicator_snapshot(existing)
    response = api_for(cast.staff_a).post(
        INDICATORS,
        {"zone": cast.zone_a.pk, "period_kind": "year", "year": 2024, "tax_revenue": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert "已存在" in response.json()["non_field_errors"][0]
    assert indicator_snapshot(existing) == before
    assert ZoneIndicator.objects.count() == 1


def test_changing_a_row_onto_an_existing_period_is_a_400(cast, api_for):
    IndicatorFactory(zone=cast.zone_a, year=2024)
    other = IndicatorFactory(zone=cast.zone_a, year=2023)
    response = api_for(cast.staff_a).patch(
        f"{INDICATORS}{other.pk}/", {"year": 2024}, format="json"
    )
    assert response.status_code == 400
    assert "已存在" in response.json()["non_field_errors"][0]
    assert ZoneIndicator.objects.get(pk=other.pk).year == 2023


def test_negative_indicator_value_is_a_400_naming_the_field(cast, api_for):
    response = api_for(cast.staff_a).post(
        INDICATORS,
        {"zone": cast.zone_a.pk, "period_kind": "year", "year": 2024, "tax_revenue": "-5"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["tax_revenue"] == ["税收收入不能为负数。"]
    assert not ZoneIndicator.objects.exists()


def test_month_rules_are_field_errors(cast, api_for):
    api = api_for(cast.staff_a)
    base = {"zone": cast.zone_a.pk, "year": 2024}
    no_month = api.post(INDICATORS, {**base, "period_kind": "month"}, format="json")
    assert no_month.json()["month"] == ["月度指标必须填写月份。"]
    year_with_month = api.post(
        INDICATORS, {**base, "period_kind": "year", "month": 3}, format="json"
    )
    assert year_with_month.json()["month"] == ["年度指标不应填写月份。"]
    bad_month = api.post(INDICATORS, {**base, "period_kind": "month", "month": 13}, format="json")
    assert bad_month.status_code == 400
    assert "month" in bad_month.json()
    assert not ZoneIndicator.objects.exists()


def test_staff_a_updates_monthly_figures(cast, api_for):
    row = IndicatorFactory(zone=cast.zone_a, year=2025, period_kind="month", month=2)
    response = api_for(cast.staff_a).patch(
        f"{INDICATORS}{row.pk}/", {"employment": "3200"}, format="json"
    )
    assert response.status_code == 200, response.content
    row.refresh_from_db()
    assert row.employment == Decimal("3200")
    assert row.month == 2


# --- query counts ---------------------------------------------------------------------------


def list_queries(user, url, api_for, **params) -> int:
    fresh = type(user).objects.get(pk=user.pk)  # no cached scope from an earlier request
    api = api_for(fresh)
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_zone_list_query_count_does_not_grow_with_rows(cast, api_for):
    industries = list(Industry.objects.all()[:3])
    Zone.objects.exclude(pk=cast.zone_a.pk).delete()
    cast.zone_a.main_industries.set(industries)
    one = list_queries(cast.admin, ZONES, api_for)
    for _ in range(49):
        ZoneFactory().main_industries.set(industries)
    assert list_queries(cast.admin, ZONES, api_for) == one
    assert one == 4  # scope (memberships), count, page with joins, main industries prefetch


def test_enterprise_list_query_count_does_not_grow_with_rows(cast, api_for):
    EnterpriseFactory(zone=cast.zone_a)
    one = list_queries(cast.staff_a, ENTERPRISES, api_for)
    industries = list(Industry.objects.all()[:5])
    for i in range(49):
        EnterpriseFactory(zone=cast.zone_a, industry=industries[i % 5])
    assert list_queries(cast.staff_a, ENTERPRISES, api_for) == one
    assert one == 3  # scope (memberships), count, page with zone/prefecture/industry joined


def test_indicator_list_query_count_does_not_grow_with_rows(cast, api_for):
    IndicatorFactory(zone=cast.zone_a, year=2025)
    one = list_queries(cast.staff_a, INDICATORS, api_for)
    for month in range(1, 13):
        for year in range(2020, 2024):
            IndicatorFactory(zone=cast.zone_a, year=year, period_kind="month", month=month)
    IndicatorFactory(zone=cast.zone_a, year=2024)
    assert ZoneIndicator.objects.count() == 50
    assert list_queries(cast.staff_a, INDICATORS, api_for) == one
    assert one == 3  # scope (memberships), count, page with zone joined


def test_prefecture_list_query_count_does_not_grow_with_rows(cast, api_for):
    test_province = Province.objects.create(code="990000", name="测试省")
    for i in range(50):
        pref = Prefecture.objects.create(
            province=test_province, code=f"99{i:02d}00", name=f"测试市{i}"
        )
        ZoneFactory(prefecture=pref)
    one = list_queries(cast.admin, PREFECTURES, api_for, page_size=1)
    fifty = list_queries(cast.admin, PREFECTURES, api_for, page_size=50)
    assert one == fifty == 3  # scope, count, page with province joined and zone_count annotated
