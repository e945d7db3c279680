"""Serializers of the zone registry API (/api/v1/).

Writes are validated here for shape (types, choices, scope of the zone) and again by the services
for the rules of the domain; both speak Chinese and name the field.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from devzone.api import NumericDecimalsMixin, ScopedPrimaryKeyRelatedField, call_service
from zones import services
from zones.models import (
    OUTPUT_TIER_CHOICES,
    Enterprise,
    Industry,
    Prefecture,
    Stage,
    Zone,
    ZoneIndicator,
)
from zones.units import INDICATOR_FIELDS

ZONE_NOT_FOUND = _("开发区不存在或无权操作。")


def _user(serializer: serializers.Serializer):
    return serializer.context["request"].user


def _zone_field(**kwargs):
    return ScopedPrimaryKeyRelatedField(
        queryset=Zone.objects.all(),
        scope_action="add",
        not_found_message=ZONE_NOT_FOUND,
        label=_("开发区"),
        help_text=_("开发区 id；必须是您有权新增记录的开发区。"),
        **kwargs,
    )


class PrefectureSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.name", read_only=True, label=_("省份"))
    zone_count = serializers.IntegerField(
        read_only=True, label=_("开发区数"), help_text=_("您可见的该市州开发区数量。")
    )

    class Meta:
        model = Prefecture
        fields = ["id", "code", "name", "province", "zone_count"]


class ZoneSerializer(NumericDecimalsMixin, serializers.ModelSerializer):
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    prefecture = serializers.CharField(source="prefecture.name", read_only=True, label=_("市州"))
    prefecture_code = serializers.CharField(
        source="prefecture.code", read_only=True, label=_("市州代码")
    )
    leading_industry = serializers.CharField(
        source="leading_industry.name",
        read_only=True,
        allow_null=True,
        default=None,
        label=_("首位产业"),
    )
    main_industries = serializers.SerializerMethodField(label=_("主导产业"))
    output_tier = serializers.ChoiceField(
        choices=OUTPUT_TIER_CHOICES,
        read_only=True,
        allow_null=True,
        label=_("产值规模"),
        help_text=_("按最近年度工业总产值（亿元）分档；无年度产值时为 null。"),
    )
    stage = serializers.ChoiceField(
        choices=Stage.choices,
        read_only=True,
        allow_null=True,
        label=_("发展阶段"),
        help_text=_("由评分引擎计算；评分前为 null。"),
    )

    class Meta:
        model = Zone
        fields = [
            "id",
            "code",
            "name",
            "type",
            "type_display",
            "level",
            "prefecture",
            "prefecture_code",
            "founded_year",
            "leading_industry",
            "main_industries",
            "planned_area_mu",
            "management_body",
            "output_tier",
            "latest_output",
            "latest_output_year",
            "stage",
            "is_demo",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "planned_area_mu": {"help_text": _("规划面积，单位：亩。")},
            "latest_output": {"help_text": _("最近年度工业总产值，单位：万元。")},
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_main_industries(self, zone: Zone) -> list[str]:
        # Uses the prefetched rows: no query per zone.
        return [industry.name for industry in zone.main_industries.all()]


class EnterpriseSerializer(NumericDecimalsMixin, serializers.ModelSerializer):
    zone = _zone_field()
    zone_code = serializers.CharField(source="zone.code", read_only=True, label=_("开发区编码"))
    zone_name = serializers.CharField(source="zone.name", read_only=True, label=_("开发区名称"))
    industry = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Industry.objects.all(),
        allow_null=True,
        required=False,
        label=_("所属产业"),
        help_text=_("产业代码，例如 aluminium。"),
        error_messages={"does_not_exist": _("产业代码“{value}”不存在。")},
    )
    is_leading = serializers.BooleanField(
        read_only=True,
        label=_("龙头企业"),
        help_text=_("三项龙头企业认定条件均满足时为 true。"),
    )

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "zone",
            "zone_code",
            "zone_name",
            "name",
            "credit_code",
            "industry",
            "industry_detail",
            "chain_position",
            "land_area_mu",
            "above_designated_size",
            "established_on",
            "test_national_competitiveness",
            "test_headquarters_in_zone",
            "test_local_division_of_labour",
            "leading_tests_recorded_on",
            "leading_tests_note",
            "is_leading",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"land_area_mu": {"help_text": _("用地面积，单位：亩。")}}

    def create(self, validated_data):
        return call_service(services.create_enterprise, _user(self), validated_data)

    def update(self, instance, validated_data):
        return call_service(services.update_enterprise, _user(self), instance, validated_data)


def _indicator_serializer_field(spec) -> serializers.DecimalField:
    unit = spec.unit
    help_text = (
        format_lazy("{}，单位：{}。", spec.label, unit)
        if unit
        else format_lazy("{}（比值，无单位）。", spec.label)
    )
    return serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        coerce_to_string=False,
        label=spec.label,
        help_text=help_text,
        error_messages={"min_value": format_lazy("{}不能为负数。", spec.label)},
    )


class IndicatorSerializer(serializers.ModelSerializer):
    zone = _zone_field()
    zone_code = serializers.CharField(source="zone.code", read_only=True, label=_("开发区编码"))
    zone_name = serializers.CharField(source="zone.name", read_only=True, label=_("开发区名称"))
    period_label = serializers.CharField(read_only=True, label=_("周期"))

    for _spec in INDICATOR_FIELDS:
        locals()[_spec.name] = _indicator_serializer_field(_spec)
    del _spec

    class Meta:
        model = ZoneIndicator
        fields = [
            "id",
            "zone",
            "zone_code",
            "zone_name",
            "period_kind",
            "year",
            "month",
            "period_label",
            *(spec.name for spec in INDICATOR_FIELDS),
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "month": {"help_text": _("月度指标填 1–12；年度指标留空。")},
            "period_kind": {"help_text": _("month：当月数；year：全年合计。")},
        }
        # One row per zone and period is the service's rule (DuplicatePeriod, a 400).
        validators: list = []

    @staticmethod
    def _values(validated_data) -> dict:
        names = {spec.name for spec in INDICATOR_FIELDS}
        return {k: v for k, v in validated_data.items() if k in names}

    def create(self, validated_data):
        return call_service(
            services.save_indicator,
            _user(self),
            validated_data["zone"],
            validated_data["period_kind"],
            validated_data["year"],
            validated_data.get("month"),
            self._values(validated_data),
        )

    def update(self, instance, validated_data):
        return call_service(
            services.save_indicator,
            _user(self),
            validated_data.get("zone", instance.zone),
            validated_data.get("period_kind", instance.period_kind),
            validated_data.get("year", instance.year),
            validated_data.get("month", instance.month),
            self._values(validated_data),
            instance=instance,
        )
