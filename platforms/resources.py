"""XLSX exports of the platform lists (django-import-export), scoped to the user's ``export``
rows: the resource's default queryset is the selector's, so it never holds another zone's row.
Import is not here: the shared import machinery (issue 4, item 6) will add it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from platforms.models import Platform, ServiceRecord
from platforms.selectors import platforms_with_reach, service_records_for
from zones.resources import ScopedExportResource


def _text(attribute: str, header) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header, readonly=True)


def _date(attribute: str, header) -> fields.Field:
    return fields.Field(
        attribute=attribute,
        column_name=header,
        widget=widgets.DateWidget(format="%Y-%m-%d"),
        readonly=True,
    )


def _yes_no(value: bool) -> str:
    return str(_("是") if value else _("否"))


class PlatformResource(ScopedExportResource):
    selector = staticmethod(platforms_with_reach)

    name = _text("name", _("平台名称"))
    zone_code = _text("zone__code", _("开发区编码"))
    zone = _text("zone__name", _("所在开发区"))
    kind = _text("get_kind_display", _("平台类型"))
    sub_kind = _text("get_sub_kind_display", _("平台子类"))
    chain_segment = _text("get_chain_segment_display", _("服务产业链环节"))
    level = _text("get_level_display", _("平台级别"))
    operator_type = _text("get_operator_type_display", _("运营主体类型"))
    operator_name = _text("operator_name", _("运营单位"))
    established_on = _date("established_on", _("成立（认定）日期"))
    status = _text("get_status_display", _("运营状态"))
    serves_leading_industry = fields.Field(column_name=_("服务首位产业"), readonly=True)
    host_enterprise = _text("host_enterprise__name", _("依托企业"))
    enterprises_12m = fields.Field(
        attribute="enterprises_12m",
        column_name=_("近12个月服务企业数"),
        widget=widgets.IntegerWidget(),
        readonly=True,
    )
    record_count = fields.Field(
        attribute="record_count",
        column_name=_("服务记录数"),
        widget=widgets.IntegerWidget(),
        readonly=True,
    )

    class Meta:
        model = Platform
        fields = (
            "name",
            "zone_code",
            "zone",
            "kind",
            "sub_kind",
            "chain_segment",
            "level",
            "operator_type",
            "operator_name",
            "established_on",
            "status",
            "serves_leading_industry",
            "host_enterprise",
            "enterprises_12m",
            "record_count",
        )
        export_order = fields

    def dehydrate_serves_leading_industry(self, platform: Platform) -> str:
        return _yes_no(platform.serves_leading_industry)


class ServiceRecordResource(ScopedExportResource):
    selector = staticmethod(service_records_for)

    served_on = _date("served_on", _("服务日期"))
    platform = _text("platform__name", _("服务平台"))
    zone_code = _text("platform__zone__code", _("开发区编码"))
    zone = _text("platform__zone__name", _("所在开发区"))
    enterprise = _text("enterprise__name", _("服务企业"))
    credit_code = _text("enterprise__credit_code", _("统一社会信用代码"))
    category = _text("get_category_display", _("服务类别"))
    service_type = _text("service_type", _("服务内容"))
    outcome = _text("outcome", _("服务成效"))
    fee_wan = fields.Field(
        attribute="fee_wan",
        column_name=_("服务费用（万元）"),
        widget=widgets.DecimalWidget(),
        readonly=True,
    )
    free = fields.Field(column_name=_("免费服务"), readonly=True)

    class Meta:
        model = ServiceRecord
        fields = (
            "served_on",
            "platform",
            "zone_code",
            "zone",
            "enterprise",
            "credit_code",
            "category",
            "service_type",
            "outcome",
            "fee_wan",
            "free",
        )
        export_order = fields

    def dehydrate_free(self, record: ServiceRecord) -> str:
        return _yes_no(record.free)
