"""XLSX exports of the zone lists (django-import-export).

Column headers are Chinese and carry their units. A resource is built for one user: its
default queryset is the selector's rows for the ``export`` action, so an export can never
contain a row outside the user's scope even when no queryset is passed.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from zones.models import Enterprise, Zone, ZoneIndicator
from zones.selectors import enterprises_for, indicators_for, zones_for
from zones.units import INDICATOR_FIELDS, OUTPUT_TIER_LABELS


def _text(attribute: str, header) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header, readonly=True)


def _decimal(attribute: str, header) -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=header, widget=widgets.DecimalWidget(), readonly=True
    )


def _integer(attribute: str, header) -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=header, widget=widgets.IntegerWidget(), readonly=True
    )


def _yes_no(value: bool) -> str:
    return str(_("是") if value else _("否"))


class ScopedExportResource(resources.ModelResource):
    """A resource that knows its user; ``get_queryset`` is the user's export scope."""

    selector = None

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        if self.user is None:
            raise ValueError("an export needs the user whose scope it covers")
        return type(self).selector(self.user, "export")


class ZoneResource(ScopedExportResource):
    selector = staticmethod(zones_for)

    code = _text("code", _("编码"))
    name = _text("name", _("名称"))
    type = _text("get_type_display", _("类型"))
    level = _text("get_level_display", _("级别"))
    prefecture = _text("prefecture__name", _("所属市州"))
    founded_year = _integer("founded_year", _("设立年份"))
    planned_area_mu = _decimal("planned_area_mu", _("规划面积（亩）"))
    leading_industry = _text("leading_industry__name", _("首位产业"))
    management_body = _text("management_body", _("管理机构"))
    latest_output_year = _integer("latest_output_year", _("最近产值年度"))
    latest_output = _decimal("latest_output", _("最近年度工业总产值（万元）"))
    output_tier = fields.Field(column_name=_("产值规模"), readonly=True)
    stage = _text("get_stage_display", _("发展阶段"))

    class Meta:
        model = Zone
        fields = (
            "code",
            "name",
            "type",
            "level",
            "prefecture",
            "founded_year",
            "planned_area_mu",
            "leading_industry",
            "management_body",
            "latest_output_year",
            "latest_output",
            "output_tier",
            "stage",
        )
        export_order = fields

    def dehydrate_output_tier(self, zone: Zone) -> str:
        return str(OUTPUT_TIER_LABELS.get(zone.output_tier, "")) if zone.output_tier else ""


class EnterpriseResource(ScopedExportResource):
    selector = staticmethod(enterprises_for)

    name = _text("name", _("企业名称"))
    credit_code = _text("credit_code", _("统一社会信用代码"))
    zone_code = _text("zone__code", _("开发区编码"))
    zone = _text("zone__name", _("所在开发区"))
    prefecture = _text("zone__prefecture__name", _("所属市州"))
    industry = _text("industry__name", _("所属产业"))
    industry_detail = _text("industry_detail", _("细分行业"))
    chain_position = _text("get_chain_position_display", _("产业链环节"))
    land_area_mu = _decimal("land_area_mu", _("用地面积（亩）"))
    above_designated_size = fields.Field(column_name=_("规模以上"), readonly=True)
    established_on = fields.Field(
        attribute="established_on",
        column_name=_("成立日期"),
        widget=widgets.DateWidget(format="%Y-%m-%d"),
        readonly=True,
    )
    test_national_competitiveness = fields.Field(column_name=_("在全国具有竞争力"), readonly=True)
    test_headquarters_in_zone = fields.Field(column_name=_("总部或区域总部在园区"), readonly=True)
    test_local_division_of_labour = fields.Field(
        column_name=_("与本地企业形成专业化规模化分工"), readonly=True
    )
    leading = fields.Field(column_name=_("龙头企业"), readonly=True)

    class Meta:
        model = Enterprise
        fields = (
            "name",
            "credit_code",
            "zone_code",
            "zone",
            "prefecture",
            "industry",
            "industry_detail",
            "chain_position",
            "land_area_mu",
            "above_designated_size",
            "established_on",
            "test_national_competitiveness",
            "test_headquarters_in_zone",
            "test_local_division_of_labour",
            "leading",
        )
        export_order = fields

    def dehydrate_above_designated_size(self, enterprise: Enterprise) -> str:
        return _yes_no(enterprise.above_designated_size)

    def dehydrate_test_national_competitiveness(self, enterprise: Enterprise) -> str:
        return _yes_no(enterprise.test_national_competitiveness)

    def dehydrate_test_headquarters_in_zone(self, enterprise: Enterprise) -> str:
        return _yes_no(enterprise.test_headquarters_in_zone)

    def dehydrate_test_local_division_of_labour(self, enterprise: Enterprise) -> str:
        return _yes_no(enterprise.test_local_division_of_labour)

    def dehydrate_leading(self, enterprise: Enterprise) -> str:
        return _yes_no(enterprise.is_leading)


class IndicatorResource(ScopedExportResource):
    """One row per zone and period; every indicator in its canonical unit."""

    selector = staticmethod(indicators_for)

    zone_code = _text("zone__code", _("开发区编码"))
    zone = _text("zone__name", _("开发区"))
    prefecture = _text("zone__prefecture__name", _("所属市州"))
    period_kind = _text("get_period_kind_display", _("周期"))
    year = _integer("year", _("年份"))
    month = _integer("month", _("月份"))
    for _spec in INDICATOR_FIELDS:
        locals()[_spec.name] = _decimal(
            _spec.name,
            format_lazy("{}（{}）", _spec.label, _spec.unit) if _spec.unit else _spec.label,
        )
    del _spec

    class Meta:
        model = ZoneIndicator
        fields = (
            "zone_code",
            "zone",
            "prefecture",
            "period_kind",
            "year",
            "month",
            *(spec.name for spec in INDICATOR_FIELDS),
        )
        export_order = fields
