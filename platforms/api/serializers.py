"""Serializers of the platforms API (/api/v1/platforms/, /api/v1/service-records/).

Shape is checked here (types, choices, scope of the zone, platform and enterprises); the
catalogue and same-zone rules are the services' (model validation), returned as field errors.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from devzone.api import NumericDecimalsMixin, ScopedPrimaryKeyRelatedField, call_service
from platforms import services
from platforms.models import Platform, ServiceRecord
from zones.models import Enterprise, Zone

ZONE_NOT_FOUND = _("开发区不存在或无权操作。")
ENTERPRISE_NOT_FOUND = _("企业不存在或无权操作。")
PLATFORM_NOT_FOUND = _("服务平台不存在或无权操作。")


def _user(serializer: serializers.Serializer):
    return serializer.context["request"].user


class PlatformSerializer(serializers.ModelSerializer):
    zone = ScopedPrimaryKeyRelatedField(
        queryset=Zone.objects.all(),
        scope_action="add",
        not_found_message=ZONE_NOT_FOUND,
        label=_("开发区"),
        help_text=_("开发区 id；必须是您有权新增记录的开发区。"),
    )
    zone_code = serializers.CharField(source="zone.code", read_only=True, label=_("开发区编码"))
    zone_name = serializers.CharField(source="zone.name", read_only=True, label=_("开发区名称"))
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    sub_kind_display = serializers.CharField(source="get_sub_kind_display", read_only=True)
    chain_segment = serializers.CharField(
        read_only=True,
        label=_("服务产业链环节"),
        help_text=_("由子类确定：upstream、midstream、downstream；非专业公共服务平台为空。"),
    )
    host_enterprise = ScopedPrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(),
        scope_action="view",
        not_found_message=ENTERPRISE_NOT_FOUND,
        allow_null=True,
        required=False,
        label=_("依托企业"),
        help_text=_("企业 id，可为空；必须是平台所在开发区的企业。"),
    )
    host_enterprise_name = serializers.CharField(
        source="host_enterprise.name",
        read_only=True,
        # allow_null, not default=None: a default is skipped on PATCH, dropping the key
        allow_null=True,
        label=_("依托企业名称"),
        help_text=_("无依托企业时为 null。"),
    )
    enterprises_served_12m = serializers.IntegerField(
        source="enterprises_12m",
        read_only=True,
        label=_("近12个月服务企业数"),
        help_text=_("一年前的今天以来服务的不同企业数。"),
    )
    service_record_count = serializers.IntegerField(
        source="record_count", read_only=True, label=_("服务记录数")
    )

    class Meta:
        model = Platform
        fields = [
            "id",
            "zone",
            "zone_code",
            "zone_name",
            "name",
            "kind",
            "kind_display",
            "sub_kind",
            "sub_kind_display",
            "chain_segment",
            "operator_type",
            "operator_name",
            "level",
            "established_on",
            "status",
            "serves_leading_industry",
            "host_enterprise",
            "host_enterprise_name",
            "description",
            "enterprises_served_12m",
            "service_record_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def create(self, validated_data):
        return call_service(services.create_platform, _user(self), validated_data)

    def update(self, instance, validated_data):
        return call_service(services.update_platform, _user(self), instance, validated_data)


class ServiceRecordSerializer(NumericDecimalsMixin, serializers.ModelSerializer):
    platform = ScopedPrimaryKeyRelatedField(
        queryset=Platform.objects.all(),
        scope_action="add",
        not_found_message=PLATFORM_NOT_FOUND,
        label=_("服务平台"),
        help_text=_("平台 id；必须是您有权新增记录的开发区的平台。"),
    )
    platform_name = serializers.CharField(
        source="platform.name", read_only=True, label=_("平台名称")
    )
    zone = serializers.IntegerField(source="platform.zone_id", read_only=True, label=_("开发区"))
    enterprise = ScopedPrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(),
        scope_action="view",
        not_found_message=ENTERPRISE_NOT_FOUND,
        label=_("服务企业"),
        help_text=_("企业 id；必须是平台所在开发区的企业。"),
    )
    enterprise_name = serializers.CharField(
        source="enterprise.name", read_only=True, label=_("企业名称")
    )
    category_display = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "platform",
            "platform_name",
            "zone",
            "enterprise",
            "enterprise_name",
            "category",
            "category_display",
            "service_type",
            "served_on",
            "outcome",
            "fee_wan",
            "free",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "fee_wan": {"help_text": _("服务费用，单位：万元；免费服务为 0。")},
            "free": {"help_text": _("免费服务为 true，此时费用必须为 0。")},
        }

    def create(self, validated_data):
        return call_service(services.create_service_record, _user(self), validated_data)

    def update(self, instance, validated_data):
        return call_service(services.update_service_record, _user(self), instance, validated_data)
