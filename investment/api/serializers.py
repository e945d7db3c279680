"""Serializers of the investment API (/api/v1/).

Shape (types, choices, the scope of related rows) is checked here; the domain rules again in
investment.services, whose Chinese errors come back as 400s naming the field. The stage is
read-only: it changes through ``POST /api/v1/projects/{id}/transition/``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from devzone.api import NumericDecimalsMixin, ScopedPrimaryKeyRelatedField, call_service
from investment import services
from investment.models import (
    PIPELINE,
    Milestone,
    ProgressReport,
    Project,
    ProjectStage,
    SigningPromise,
)
from zones.models import Enterprise, Industry, Province, Zone

ZONE_NOT_FOUND = _("开发区不存在或无权操作。")
PROJECT_NOT_FOUND = _("项目不存在或无权操作。")
ENTERPRISE_NOT_FOUND = _("企业不存在或无权操作。")
USER_NOT_FOUND = _("用户不存在。")


def _user(serializer: serializers.Serializer):
    return serializer.context["request"].user


def _user_field(label):
    return serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        allow_null=True,
        required=False,
        label=label,
        help_text=_("用户 id；须为本开发区的人员。"),
        error_messages={"does_not_exist": USER_NOT_FOUND, "incorrect_type": USER_NOT_FOUND},
    )


class PromiseSerializer(NumericDecimalsMixin, serializers.ModelSerializer):
    class Meta:
        model = SigningPromise
        fields = [
            "investment",
            "output_per_mu",
            "tax_per_mu",
            "planned_start_date",
            "planned_production_date",
        ]


class ProjectSerializer(NumericDecimalsMixin, serializers.ModelSerializer):
    zone = ScopedPrimaryKeyRelatedField(
        queryset=Zone.objects.all(),
        scope_action="add",
        not_found_message=ZONE_NOT_FOUND,
        label=_("开发区"),
        help_text=_("开发区 id；必须是您有权新增记录的开发区；创建后不能更改。"),
    )
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
    origin_province = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Province.objects.all(),
        allow_null=True,
        required=False,
        label=_("来源省份"),
        help_text=_("省级行政区划代码，例如 440000（广东）；境内投资方必填。"),
        error_messages={"does_not_exist": _("省份代码“{value}”不存在。")},
    )
    enterprise = ScopedPrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(),
        scope_action="view",
        not_found_message=ENTERPRISE_NOT_FOUND,
        allow_null=True,
        required=False,
        label=_("落地企业"),
    )
    lead = _user_field(_("项目负责人"))
    responsible_leader = _user_field(_("责任领导（一把手）"))
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    start_stage = serializers.ChoiceField(
        choices=[c for c in ProjectStage.choices if c[0] in PIPELINE],
        write_only=True,
        required=False,
        label=_("初始阶段"),
        help_text=_("仅创建时使用，默认 lead（线索）。"),
    )
    start_date = serializers.DateField(write_only=True, required=False, label=_("进入初始阶段日期"))
    promise = PromiseSerializer(
        write_only=True,
        required=False,
        label=_("签约承诺"),
        help_text=_("初始阶段为签约或之后时必填。"),
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "zone",
            "zone_code",
            "zone_name",
            "investor_name",
            "origin_type",
            "origin_province",
            "origin_city",
            "origin_country",
            "industry",
            "serves_leading_industry",
            "chain_position",
            "promotion_mode",
            "planned_investment",
            "planned_investment_this_year",
            "completed_investment",
            "land_mu",
            "expected_annual_output",
            "expected_annual_tax",
            "expected_jobs",
            "responsible_leader",
            "lead",
            "blocking_problems",
            "coordination_requests",
            "enterprise",
            "stage",
            "stage_display",
            "stage_since",
            "terminated_reason",
            "start_stage",
            "start_date",
            "promise",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "code",
            "stage",
            "stage_since",
            "terminated_reason",
            "completed_investment",
            "created_at",
            "updated_at",
        ]
        # this year's ≤ total is the service's rule, with a Chinese message naming the field
        validators: list = []

    def create(self, validated_data):
        start_stage = validated_data.pop("start_stage", ProjectStage.LEAD)
        start_date = validated_data.pop("start_date", None)
        promise = validated_data.pop("promise", None)
        return call_service(
            services.create_project,
            _user(self),
            validated_data,
            start_stage=start_stage,
            start_date=start_date,
            promises=promise,
        )

    def update(self, instance, validated_data):
        for name in ("start_stage", "start_date", "promise"):
            validated_data.pop(name, None)
        return call_service(services.update_project, _user(self), instance, validated_data)


class TransitionSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=ProjectStage.choices, label=_("目标阶段"))
    date = serializers.DateField(label=_("变更日期"))
    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("说明"))
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        label=_("原因"),
        help_text=_("退回、跨阶段、终止或重新启动时必填。"),
    )
    promise = PromiseSerializer(
        required=False, allow_null=True, label=_("签约承诺"), help_text=_("进入签约时必填。")
    )
    enterprise = ScopedPrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(),
        scope_action="view",
        not_found_message=ENTERPRISE_NOT_FOUND,
        allow_null=True,
        required=False,
        label=_("落地企业"),
    )


class MilestoneSerializer(serializers.ModelSerializer):
    project = ScopedPrimaryKeyRelatedField(
        queryset=Project.objects.all(),
        scope_action="add",
        not_found_message=PROJECT_NOT_FOUND,
        label=_("项目"),
    )
    owner = _user_field(_("责任人"))
    is_overdue = serializers.BooleanField(read_only=True, label=_("已逾期"))
    effective_status = serializers.CharField(read_only=True, label=_("实际状态"))
    reschedule_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        label=_("调整原因"),
        help_text=_("修改 planned_date 时必填；原计划日期会保留在调整记录中。"),
    )

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "title",
            "planned_date",
            "actual_date",
            "owner",
            "status",
            "effective_status",
            "is_overdue",
            "position",
            "note",
            "reschedule_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def create(self, validated_data):
        validated_data.pop("reschedule_reason", None)
        project = validated_data.pop("project")
        return call_service(services.create_milestone, _user(self), project, validated_data)

    def update(self, instance, validated_data):
        reason = validated_data.pop("reschedule_reason", None)
        project = validated_data.pop("project", instance.project)
        if project.pk != instance.project_id:
            raise serializers.ValidationError({"project": [_("节点不能改挂到其他项目。")]})
        return call_service(
            services.update_milestone,
            _user(self),
            instance,
            validated_data,
            reschedule_reason=reason,
        )


class ProgressReportSerializer(NumericDecimalsMixin, serializers.ModelSerializer):
    project = ScopedPrimaryKeyRelatedField(
        queryset=Project.objects.all(),
        scope_action="add",
        not_found_message=PROJECT_NOT_FOUND,
        label=_("项目"),
    )
    is_late = serializers.BooleanField(read_only=True, label=_("逾期提交"))
    due_date = serializers.DateField(read_only=True, label=_("截止日期"))
    investment_cumulative = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        coerce_to_string=False,
        label=_("累计完成投资（万元）"),
        help_text=_("留空按上一期累计加本月计算；上月月报存在时须等于上月累计加本月。"),
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "project",
            "year",
            "month",
            "investment_this_month",
            "investment_cumulative",
            "progress",
            "problems",
            "coordination",
            "submitted_at",
            "submitted_by",
            "due_date",
            "is_late",
            "updated_at",
        ]
        read_only_fields = ["submitted_at", "submitted_by", "updated_at"]
        # one report per project and month is the service's rule (a 400 naming the month)
        validators: list = []

    def _report_values(self, validated_data) -> dict:
        return {k: v for k, v in validated_data.items() if k in services.REPORT_FIELDS}

    def create(self, validated_data):
        return call_service(
            services.submit_report,
            _user(self),
            validated_data["project"],
            validated_data["year"],
            validated_data["month"],
            self._report_values(validated_data),
        )

    def update(self, instance, validated_data):
        for name in ("project", "year", "month"):
            if name in validated_data and getattr(
                instance, f"{name}_id" if name == "project" else name
            ) != (validated_data[name].pk if name == "project" else validated_data[name]):
                raise serializers.ValidationError({name: [_("月报的项目和月份创建后不能修改。")]})
        return call_service(
            services.update_report, _user(self), instance, self._report_values(validated_data)
        )
