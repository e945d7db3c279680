"""XLSX export and import of platforms and service records (devzone/imports.py).

Each resource is built for one user: its default rows are the user's ``export`` scope, so an
export never holds another zone's row. The exported file imports back unchanged; writes go
through ``platforms.services`` (the forms' rules, scope and history).

Natural keys:

- platform: 开发区编码 + 平台名称 (the zone is part of the key, so an import never moves a
  platform); the chain segment follows from the sub-kind and is never read;
- service record: 开发区编码 + 服务平台 (its name within the zone) + 统一社会信用代码 (the
  enterprise served) + 服务日期 + 服务内容.

When two stored records share a key (the forms allow it), such a row is refused as ambiguous.
A blank 运营状态 or 服务费用 keeps the stored value (or the default of a new record).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from devzone import imports_values as iv
from devzone.imports import AMBIGUOUS, ImportField, register
from platforms import services
from platforms.catalogue import (
    SUB_KIND_CHOICES,
    OperatorType,
    PlatformKind,
    PlatformLevel,
    PlatformStatus,
    ServiceCategory,
)
from platforms.models import Platform, ServiceRecord
from platforms.selectors import platforms_with_reach, service_records_for
from zones.import_fields import choice_field, enterprise_field, text_field, zone_code_field
from zones.models import Zone
from zones.resources import ImportableResource
from zones.units import MONEY


def _example_zone(user) -> str:
    code = (
        Zone.objects.for_user(user, "import").order_by("code").values_list("code", flat=True)
    ).first()
    return code or "GZ-0001"


def _drop_blank(rows: list[dict[str, Any]], names: tuple[str, ...]) -> None:
    for values in rows:
        for name in names:
            if name in values and values[name] in (None, ""):
                del values[name]


@register
class PlatformResource(ImportableResource):
    selector = staticmethod(platforms_with_reach)
    import_name = "platforms.platform"
    import_title = _("服务平台")
    import_key = ("zone", "name")
    import_url_name = "platforms:platform-import"
    template_url_name = "platforms:platform-import-template"
    list_url_name = "platforms:platform-list"

    name = ImportField(
        attribute="name",
        column_name=_("平台名称"),
        widget=iv.TextWidget(max_length=150),
        required=True,
        help_text=_("同一开发区内按平台名称识别"),
    )
    zone_code = zone_code_field()
    zone = text_field("zone__name", _("所在开发区"))
    kind = choice_field("kind", _("平台类型"), PlatformKind.choices, _("四类平台之一"))
    sub_kind = choice_field("sub_kind", _("平台子类"), SUB_KIND_CHOICES, _("须属于所选平台类型"))
    chain_segment = text_field("get_chain_segment_display", _("服务产业链环节"))
    level = choice_field("level", _("平台级别"), PlatformLevel.choices, _("平台认定级别"))
    operator_type = choice_field(
        "operator_type", _("运营主体类型"), OperatorType.choices, _("政府、市场机构或企业")
    )
    operator_name = ImportField(
        attribute="operator_name",
        column_name=_("运营单位"),
        widget=iv.TextWidget(max_length=150),
        help_text=_("运营单位名称"),
    )
    established_on = ImportField(
        attribute="established_on",
        column_name=_("成立（认定）日期"),
        widget=iv.DateWidget(),
        required=True,
        help_text=_("不能晚于今天"),
    )
    status = choice_field(
        "status", _("运营状态"), PlatformStatus.choices, _("空白为运营"), required=False
    )
    serves_leading_industry = ImportField(
        attribute="serves_leading_industry",
        column_name=_("服务首位产业"),
        widget=iv.BooleanWidget(),
        help_text=_("空白视为否"),
    )
    host_enterprise = text_field("host_enterprise__name", _("依托企业"))
    host_enterprise_code = enterprise_field(
        "host_enterprise", _("依托企业统一社会信用代码"), help_text=_("本开发区企业（选填）")
    )
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
        fields = ("name", "zone_code", "zone", "kind", "sub_kind", "chain_segment", "level",
                  "operator_type", "operator_name", "established_on", "status",
                  "serves_leading_industry", "host_enterprise", "host_enterprise_code",
                  "enterprises_12m", "record_count")  # fmt: skip
        export_order = fields

    def export(self, queryset=None, **kwargs):
        if queryset is not None:
            queryset = queryset.select_related("host_enterprise")
        return super().export(queryset=queryset, **kwargs)

    def import_resolve(self, rows: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
        _drop_blank(rows, ("status",))
        return {}

    def import_existing(self, keys: list[tuple]) -> dict[tuple, Any]:
        found: dict[tuple, Any] = {}
        rows = Platform.objects.filter(
            zone__in={k[0] for k in keys}, name__in={k[1] for k in keys}
        ).select_related("zone__prefecture")
        for platform in rows:
            key = (platform.zone, platform.name)
            found[key] = AMBIGUOUS if key in found else platform
        return found

    def import_key_label(self, key: tuple) -> str:
        return f"{key[0].code} {key[1]}"

    def import_write(self, user, values: dict[str, Any], instance: Platform | None):
        data = {k: v for k, v in values.items() if k in services.PLATFORM_FIELDS}
        if instance is None:
            return services.create_platform(user, data)
        return services.update_platform(user, instance, data)

    def template_examples(self) -> list[list[Any]]:
        zone = _example_zone(self.user)
        return [
            ["示例企业服务中心", zone, "基础服务支撑平台", "招聘与培训", "市级", "政府",
             "示例管委会", "2020-05-01", "运营", "是", ""],
            ["示例孵化器", zone, "产学研合作平台", "孵化器", "省级", "市场机构",
             "示例科技服务有限公司", "2022年3月1日", "", "否", ""],
        ]  # fmt: skip


@register
class ServiceRecordResource(ImportableResource):
    selector = staticmethod(service_records_for)
    import_name = "platforms.service"
    import_title = _("服务记录")
    import_key = ("platform", "enterprise", "served_on", "service_type")
    import_url_name = "platforms:service-import"
    template_url_name = "platforms:service-import-template"
    list_url_name = "platforms:service-list"

    served_on = ImportField(
        attribute="served_on",
        column_name=_("服务日期"),
        widget=iv.DateWidget(),
        required=True,
        help_text=_("不能晚于今天，也不能早于平台成立日期"),
    )
    platform = ImportField(
        attribute="platform",
        column_name=_("服务平台"),
        widget=iv.TextWidget(max_length=150),
        required=True,
        help_text=_("本开发区服务平台的名称"),
    )
    zone_code = zone_code_field()
    zone = text_field("platform__zone__name", _("所在开发区"))
    enterprise = text_field("enterprise__name", _("服务企业"))
    credit_code = enterprise_field(
        "enterprise",
        _("统一社会信用代码"),
        required=True,
        help_text=_("所服务的本开发区企业的统一社会信用代码"),
    )
    category = choice_field("category", _("服务类别"), ServiceCategory.choices, _("服务类别"))
    service_type = ImportField(
        attribute="service_type",
        column_name=_("服务内容"),
        widget=iv.TextWidget(max_length=100),
        required=True,
        help_text=_("如 高新技术企业认定辅导"),
    )
    outcome = ImportField(
        attribute="outcome",
        column_name=_("服务成效"),
        widget=iv.TextWidget(max_length=300),
        help_text=_("选填"),
    )
    fee_wan = ImportField(
        attribute="fee_wan",
        column_name=_("服务费用（万元）"),
        widget=iv.AmountWidget("万元", MONEY.factors),
        unit=_("万元"),
        help_text=_("免费服务填0或留空"),
    )
    free = ImportField(
        attribute="free",
        column_name=_("免费服务"),
        widget=iv.BooleanWidget(),
        help_text=_("是否免费；空白视为否。免费服务的费用应为0"),
    )

    class Meta:
        model = ServiceRecord
        fields = ("served_on", "platform", "zone_code", "zone", "enterprise", "credit_code",
                  "category", "service_type", "outcome", "fee_wan", "free")  # fmt: skip
        export_order = fields

    def dehydrate_zone_code(self, record: ServiceRecord) -> str:
        return record.platform.zone.code

    def dehydrate_platform(self, record: ServiceRecord) -> str:
        return record.platform.name

    def import_resolve(self, rows: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
        """The platform named within its row's zone: one query for the whole file."""
        _drop_blank(rows, ("fee_wan",))
        wanted = {(v["zone"].pk, v["platform"]) for v in rows if v.get("zone")}
        index: dict[tuple[int, str], Any] = {}
        if wanted:
            platforms = Platform.objects.filter(
                zone_id__in={z for z, _n in wanted}, name__in={n for _z, n in wanted}
            ).select_related("zone__prefecture")
            for platform in platforms:
                key = (platform.zone_id, platform.name)
                index[key] = AMBIGUOUS if key in index else platform
        errors: dict[int, dict[str, str]] = {}
        for position, values in enumerate(rows):
            name = values["platform"]
            platform = index.get((values["zone"].pk, name))
            if platform is None:
                errors[position] = {
                    "platform": gettext_now("本开发区没有名为“%(name)s”的服务平台。")
                    % {"name": name}
                }
            elif platform is AMBIGUOUS:
                errors[position] = {
                    "platform": gettext_now("本开发区有多个名为“%(name)s”的服务平台。")
                    % {"name": name}
                }
            else:
                values["platform"] = platform
        return errors

    def import_zone(self, values, instance):
        platform = values.get("platform") or getattr(instance, "platform", None)
        return platform.zone if platform is not None else None

    def import_record_zone(self, instance: ServiceRecord):
        return instance.platform.zone

    def import_existing(self, keys: list[tuple]) -> dict[tuple, Any]:
        found: dict[tuple, Any] = {}
        rows = ServiceRecord.objects.filter(
            platform__in={k[0] for k in keys}, served_on__in={k[2] for k in keys}
        ).select_related("platform__zone__prefecture", "enterprise")
        for record in rows:
            key = (record.platform, record.enterprise, record.served_on, record.service_type)
            found[key] = AMBIGUOUS if key in found else record
        return found

    def import_key_label(self, key: tuple) -> str:
        platform, enterprise, served_on, service_type = key
        return f"{platform.name} / {enterprise.credit_code} / {served_on} / {service_type}"

    def import_write(self, user, values: dict[str, Any], instance: ServiceRecord | None):
        data = {k: v for k, v in values.items() if k in services.SERVICE_FIELDS}
        if instance is None:
            return services.create_service_record(user, data)
        return services.update_service_record(user, instance, data)

    def template_examples(self) -> list[list[Any]]:
        zone = _example_zone(self.user)
        return [
            ["2025-03-01", "示例企业服务中心", zone, "", "咨询服务", "政策咨询", "", "0", "是"],
            ["2025年4月8日", "示例企业服务中心", zone, "", "财税服务", "代理记账", "", "0.5",
             "否"],
        ]  # fmt: skip
