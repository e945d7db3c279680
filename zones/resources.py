"""XLSX exports and imports of the zone lists (django-import-export + devzone.imports).

Column headers are Chinese and carry their units. A resource is built for one user: its
default queryset is the selector's rows for the ``export`` action, so an export can never
contain a row outside the user's scope even when no queryset is passed. Every export escapes
text a spreadsheet would run as a formula. The enterprise and indicator resources are also
import resources (see devzone/imports.py): the same fields read the uploaded file, the exported
file imports back unchanged, and writes go through ``zones.services``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from devzone import imports_values as iv
from devzone.imports import BatchImportMixin, FormulaSafeExportMixin, ImportField, register
from devzone.text import join_lazy
from zones import services
from zones.import_fields import industry_field, text_field, zone_code_field
from zones.models import ChainPosition, Enterprise, Industry, PeriodKind, Zone, ZoneIndicator
from zones.selectors import enterprises_for, indicators_for, zones_for
from zones.units import AREA, INDICATOR_FIELDS, OUTPUT_TIER_LABELS
from zones.validators import build_credit_code


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


class ScopedExportResource(FormulaSafeExportMixin, resources.ModelResource):
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

    code = text_field("code", _("编码"))
    name = text_field("name", _("名称"))
    type = text_field("get_type_display", _("类型"))
    level = text_field("get_level_display", _("级别"))
    prefecture = text_field("prefecture__name", _("所属市州"))
    founded_year = _integer("founded_year", _("设立年份"))
    planned_area_mu = _decimal("planned_area_mu", _("规划面积（亩）"))
    leading_industry = text_field("leading_industry__name", _("首位产业"))
    management_body = text_field("management_body", _("管理机构"))
    latest_output_year = _integer("latest_output_year", _("最近产值年度"))
    latest_output = _decimal("latest_output", _("最近年度工业总产值（万元）"))
    output_tier = fields.Field(column_name=_("产值规模"), readonly=True)
    stage = text_field("get_stage_display", _("发展阶段"))

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


def _example_zone_code(user) -> str:
    """A zone the user may import into, for the template's example rows."""
    code = (
        Zone.objects.for_user(user, "import").order_by("code").values_list("code", flat=True)
    ).first()
    return code or "GZ-0001"


class ImportableResource(BatchImportMixin, ScopedExportResource):
    """An export resource that the batch importer can also read (see devzone/imports.py).

    django-import-export's own ``import_data`` would save rows without the services' checks,
    so it is closed here; imports go through ``devzone.imports.start_import``.
    """

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("import through devzone.imports.start_import/confirm_import")


@register
class EnterpriseResource(ImportableResource):
    selector = staticmethod(enterprises_for)
    import_name = "zones.enterprise"
    import_title = _("企业")
    import_key = ("credit_code",)
    import_url_name = "zones:enterprise-import"

    def import_write_bulk(self, user, rows):
        """Confirm writes the whole file through the bulk service (same rules, batched)."""
        services.bulk_import_enterprises(user, rows)

    template_url_name = "zones:enterprise-import-template"
    list_url_name = "zones:enterprise-list"

    name = ImportField(
        attribute="name",
        column_name=_("企业名称"),
        widget=iv.TextWidget(max_length=150),
        required=True,
        help_text=_("营业执照上的企业名称"),
    )
    credit_code = ImportField(
        attribute="credit_code",
        column_name=_("统一社会信用代码"),
        widget=iv.TextWidget(max_length=18, upper=True),
        required=True,
        help_text=_("18位统一社会信用代码；已登记的代码表示更新该企业"),
    )
    zone_code = zone_code_field()
    zone = text_field("zone__name", _("所在开发区"))
    prefecture = text_field("zone__prefecture__name", _("所属市州"))
    industry = industry_field()
    industry_detail = ImportField(
        attribute="industry_detail",
        column_name=_("细分行业"),
        widget=iv.TextWidget(max_length=100),
        help_text=_("如：电解铝、铝合金型材"),
    )
    chain_position = ImportField(
        attribute="chain_position",
        column_name=_("产业链环节"),
        widget=iv.ChoiceWidget(ChainPosition.choices),
        help_text=_("企业在首位产业链上的位置"),
    )
    land_area_mu = ImportField(
        attribute="land_area_mu",
        column_name=_("用地面积（亩）"),
        widget=iv.AmountWidget("亩", AREA.factors),
        unit=_("亩"),
        help_text=_("可写“12.5公顷”自动换算为亩"),
    )
    above_designated_size = ImportField(
        attribute="above_designated_size",
        column_name=_("规模以上"),
        widget=iv.BooleanWidget(),
        help_text=_("是否为规模以上工业企业；空白视为否"),
    )
    established_on = ImportField(
        attribute="established_on",
        column_name=_("成立日期"),
        widget=iv.DateWidget(),
        help_text=_("不能晚于今天"),
    )
    test_national_competitiveness = ImportField(
        attribute="test_national_competitiveness",
        column_name=_("在全国具有竞争力"),
        widget=iv.BooleanWidget(),
        help_text=_("龙头企业认定条件一"),
    )
    test_headquarters_in_zone = ImportField(
        attribute="test_headquarters_in_zone",
        column_name=_("总部或区域总部在园区"),
        widget=iv.BooleanWidget(),
        help_text=_("龙头企业认定条件二"),
    )
    test_local_division_of_labour = ImportField(
        attribute="test_local_division_of_labour",
        column_name=_("与本地企业形成专业化规模化分工"),
        widget=iv.BooleanWidget(),
        help_text=_("龙头企业认定条件三"),
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
        import_id_fields = ("credit_code",)

    def dehydrate_leading(self, enterprise: Enterprise) -> str:
        return _yes_no(enterprise.is_leading)

    def import_existing(self, keys: list[tuple]) -> dict[tuple, Enterprise]:
        """One query per batch of credit codes, across all zones (scope is checked per row)."""
        rows = Enterprise.objects.filter(credit_code__in=[k[0] for k in keys]).select_related(
            "zone__prefecture"
        )
        return {(e.credit_code,): e for e in rows}

    def import_write(self, user, values: dict[str, Any], instance: Enterprise | None):
        if instance is None:
            return services.create_enterprise(user, dict(values))
        return services.update_enterprise(user, instance, dict(values))

    def template_examples(self) -> list[list[Any]]:
        zone = _example_zone_code(self.user)
        industry = Industry.objects.order_by("code").values_list("name", flat=True).first() or ""
        return [
            [
                "示例铝业有限公司",
                build_credit_code("520100", 99_000_001),
                zone,
                industry,
                "电解铝",
                "上游",
                "1,234.5",
                "是",
                "2019-05-20",
                "是",
                "否",
                "是",
            ],
            [
                "示例精密制造有限公司",
                build_credit_code("520100", 99_000_002),
                zone,
                "",
                "铝合金型材",
                "中游",
                "12.5公顷",
                "否",
                "2021年3月1日",
                "否",
                "否",
                "否",
            ],
        ]


def _indicator_field(spec) -> ImportField:
    header = format_lazy("{}（{}）", spec.label, spec.unit) if spec.unit else spec.label
    return ImportField(
        attribute=spec.name,
        column_name=header,
        widget=iv.AmountWidget(spec.unit, spec.kind.factors),
        unit=spec.unit,
        help_text=format_lazy(
            _("{label}；可带单位：{units}"),
            label=spec.label,
            units=join_lazy(tuple(u for u in spec.kind.factors if u)),
        )
        if spec.unit
        else spec.label,
    )


@register
class IndicatorResource(ImportableResource):
    """One row per zone and period; every indicator in its canonical unit."""

    selector = staticmethod(indicators_for)
    import_name = "zones.indicator"
    import_title = _("开发区指标")
    import_key = ("zone", "period_kind", "year", "month")
    import_url_name = "zones:indicator-import"
    template_url_name = "zones:indicator-import-template"
    list_url_name = "zones:indicator-list"

    zone_code = zone_code_field()
    zone = text_field("zone__name", _("开发区"))
    prefecture = text_field("zone__prefecture__name", _("所属市州"))
    period_kind = ImportField(
        attribute="period_kind",
        column_name=_("周期"),
        widget=iv.ChoiceWidget(PeriodKind.choices),
        required=True,
        help_text=_("年度（全年合计）或月度（当月数）"),
    )
    year = ImportField(
        attribute="year",
        column_name=_("年份"),
        widget=iv.IntegerWidget(suffixes=("年",)),
        required=True,
        help_text=_("如 2025"),
    )
    month = ImportField(
        attribute="month",
        column_name=_("月份"),
        widget=iv.IntegerWidget(suffixes=("月",)),
        help_text=_("月度指标填 1–12；年度指标留空"),
    )
    for _spec in INDICATOR_FIELDS:
        locals()[_spec.name] = _indicator_field(_spec)
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
        import_id_fields = ("zone_code", "period_kind", "year", "month")

    def import_existing(self, keys: list[tuple]) -> dict[tuple, ZoneIndicator]:
        """One query per batch of keys: the zones' rows for the years named."""
        rows = ZoneIndicator.objects.filter(
            zone__in={k[0] for k in keys}, year__in={k[2] for k in keys}
        ).select_related("zone__prefecture")
        return {(r.zone, r.period_kind, r.year, r.month): r for r in rows}

    def import_key_label(self, key: tuple) -> str:
        zone, kind, year, month = key
        label = f"{year}年" if kind == PeriodKind.YEAR else f"{year}年{month}月"
        return f"{zone.code} {label}"

    def import_write(self, user, values: dict[str, Any], instance: ZoneIndicator | None):
        figures = {k: v for k, v in values.items() if k not in self.import_key}
        return services.save_indicator(
            user,
            values["zone"],
            values["period_kind"],
            values["year"],
            values.get("month"),
            figures,
            instance=instance,
        )

    def template_examples(self) -> list[list[Any]]:
        zone = _example_zone_code(self.user)
        year = date.today().year - 1
        blanks = [""] * (len(INDICATOR_FIELDS) - 4)
        return [
            [zone, "年度", year, "", "1,234,567.8", "600000", "12.5亿元", "30000", *blanks],
            [zone, "月度", year, 3, "98000", "50000", "5000", "2800万元", *blanks],
        ]
