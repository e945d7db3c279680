"""Serializers of the talent API (/api/v1/).

Shape (types, choices, the zone and linked rows in the user's scope) is checked here; the
domain rules (same zone, not-future dates, certificates ≤ trainees) by talent.services, whose
errors become 400s naming the field.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from devzone.api import NumericDecimalsMixin, ScopedPrimaryKeyRelatedField, call_service
from talent import services
from talent.models import (
    Entrepreneur,
    ManagementCadre,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
)
from zones.models import Enterprise, Zone

ZONE_NOT_FOUND = _("开发区不存在或无权操作。")
ENTERPRISE_NOT_FOUND = _("企业不存在或无权操作。")
CENTRE_NOT_FOUND = _("培训中心不存在或无权操作。")


def _scoped(queryset, message, label, **kwargs):
    return ScopedPrimaryKeyRelatedField(
        queryset=queryset, scope_action="view", not_found_message=message, label=label, **kwargs
    )


class TalentSerializer(NumericDecimalsMixin, serializers.ModelSerializer):
    """The zone fields every talent resource has; writes go through talent.services."""

    zone = ScopedPrimaryKeyRelatedField(
        queryset=Zone.objects.all(),
        scope_action="add",
        not_found_message=ZONE_NOT_FOUND,
        label=_("开发区"),
        help_text=_("开发区 id；必须是您有权新增记录的开发区。"),
    )
    zone_code = serializers.CharField(source="zone.code", read_only=True, label=_("开发区编码"))
    zone_name = serializers.CharField(source="zone.name", read_only=True, label=_("开发区名称"))

    @staticmethod
    def fields_of(model, *extra: str) -> list[str]:
        return ["id", *services.FIELDS[model], "zone_code", "zone_name", *extra,
                "created_at", "updated_at"]  # fmt: skip

    def create(self, validated_data):
        user = self.context["request"].user
        return call_service(services.create_record, user, self.Meta.model, validated_data)

    def update(self, instance, validated_data):
        user = self.context["request"].user
        return call_service(services.update_record, user, instance, validated_data)


class ManagementCadreSerializer(TalentSerializer):
    education_display = serializers.CharField(source="get_education_display", read_only=True)

    class Meta:
        model = ManagementCadre
        fields = TalentSerializer.fields_of(ManagementCadre, "education_display")
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"training_hours": {"help_text": _("本年度参加培训的学时数。")}}


class EntrepreneurSerializer(TalentSerializer):
    enterprise = _scoped(
        Enterprise.objects.all(),
        ENTERPRISE_NOT_FOUND,
        _("所在企业"),
        help_text=_("企业 id；必须是同一开发区的企业。"),
    )
    enterprise_name = serializers.CharField(
        source="enterprise.name", read_only=True, label=_("企业名称")
    )

    class Meta:
        model = Entrepreneur
        fields = TalentSerializer.fields_of(Entrepreneur, "enterprise_name")
        read_only_fields = ["created_at", "updated_at"]


class TalentTeamSerializer(TalentSerializer):
    host_enterprise = _scoped(
        Enterprise.objects.all(),
        ENTERPRISE_NOT_FOUND,
        _("依托企业"),
        allow_null=True,
        required=False,
        help_text=_("企业 id，可为空；必须是同一开发区的企业。"),
    )

    class Meta:
        model = TalentTeam
        fields = TalentSerializer.fields_of(TalentTeam)
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "guidance_fund": {"help_text": _("产业引导基金投入，单位：万元。")},
            "venture_capital": {"help_text": _("风险投资，单位：万元。")},
        }


class TrainingCentreSerializer(TalentSerializer):
    trade_list = serializers.ListField(
        child=serializers.CharField(), read_only=True, label=_("培训工种列表")
    )

    class Meta:
        model = TrainingCentre
        fields = TalentSerializer.fields_of(TrainingCentre, "trade_list")
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"trades": {"help_text": _("多个工种用顿号或逗号分隔。")}}


class TrainingSessionSerializer(TalentSerializer):
    centre = _scoped(
        TrainingCentre.objects.all(),
        CENTRE_NOT_FOUND,
        _("培训中心"),
        allow_null=True,
        required=False,
        help_text=_("培训中心 id，可为空；必须是同一开发区的中心。"),
    )

    class Meta:
        model = TrainingSession
        fields = TalentSerializer.fields_of(TrainingSession)
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"certificates": {"help_text": _("取得证书人数，不能多于培训人数。")}}
        validators: list = []  # the check constraint is the service's rule (a 400 on the field)


class SpecialSkillsPlacementSerializer(TalentSerializer):
    class Meta:
        model = SpecialSkillsPlacement
        fields = TalentSerializer.fields_of(SpecialSkillsPlacement)
        read_only_fields = ["created_at", "updated_at"]


class SkillAwardSerializer(TalentSerializer):
    class Meta:
        model = SkillAward
        fields = TalentSerializer.fields_of(SkillAward)
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"amount": {"help_text": _("奖励金额，单位：万元。")}}
