"""Filters shared by the investment pages and the API: one definition of each list's filters."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from devzone.filters import IdFilter
from investment.models import (
    Exemption,
    ExemptionStatus,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    Project,
    ProjectStage,
    PromotionMode,
    SupervisionItem,
    SupervisionSource,
    SupervisionStatus,
    WarningColour,
    overdue_milestones_q,
)
from zones.models import ChainPosition


def _overdue_exists():
    return Exists(Milestone.objects.filter(overdue_milestones_q(), project=OuterRef("pk")))


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区编码"))
    stage = django_filters.ChoiceFilter(choices=ProjectStage.choices, label=_("阶段"))
    promotion_mode = django_filters.ChoiceFilter(choices=PromotionMode.choices, label=_("招商方式"))
    industry = django_filters.CharFilter(field_name="industry__code", label=_("产业代码"))
    serves_leading_industry = django_filters.BooleanFilter(label=_("服务首位产业"))
    chain_position = django_filters.ChoiceFilter(
        choices=ChainPosition.choices, label=_("产业链环节")
    )
    lead = IdFilter(field_name="lead_id", label=_("项目负责人"))
    overdue = django_filters.BooleanFilter(method="by_overdue", label=_("有逾期节点"))

    class Meta:
        model = Project
        fields = ["stage", "promotion_mode", "serves_leading_industry", "chain_position"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(investor_name__icontains=value)
        )

    def by_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(_overdue_exists()) if value else queryset.exclude(_overdue_exists())


class MilestoneFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id", label=_("项目"))
    zone = django_filters.CharFilter(field_name="project__zone__code", label=_("开发区编码"))
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices, label=_("状态"))
    owner = IdFilter(field_name="owner_id", label=_("责任人"))
    overdue = django_filters.BooleanFilter(method="by_overdue", label=_("已逾期"))

    class Meta:
        model = Milestone
        fields = ["status"]

    def by_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(overdue_milestones_q())
            if value
            else queryset.exclude(overdue_milestones_q())
        )


class ProgressReportFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id", label=_("项目"))
    zone = django_filters.CharFilter(field_name="project__zone__code", label=_("开发区编码"))
    year = django_filters.NumberFilter(label=_("年份"))
    month = django_filters.NumberFilter(label=_("月份"))

    class Meta:
        model = ProgressReport
        fields = ["year", "month"]


class SupervisionItemFilter(django_filters.FilterSet):
    """Filters of the supervision inbox and the API list; ``colour`` needs ``with_colour``."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区编码"))
    colour = django_filters.ChoiceFilter(
        field_name="colour", choices=WarningColour.choices, label=_("预警")
    )
    status = django_filters.ChoiceFilter(choices=SupervisionStatus.choices, label=_("办理状态"))
    source = django_filters.ChoiceFilter(choices=SupervisionSource.choices, label=_("来源"))
    project = IdFilter(field_name="project_id", label=_("项目"))
    assignee = IdFilter(field_name="assignee_id", label=_("承办人"))

    class Meta:
        model = SupervisionItem
        fields = ["status", "source"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(instruction_leader__icontains=value)
        )


class ExemptionFilter(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区编码"))
    status = django_filters.ChoiceFilter(choices=ExemptionStatus.choices, label=_("审核状态"))
    target = django_filters.ChoiceFilter(
        method="by_target",
        choices=[("milestone", _("逾期节点")), ("item", _("逾期督办事项"))],
        label=_("申请对象"),
    )

    class Meta:
        model = Exemption
        fields = ["status"]

    def by_target(self, queryset, name, value):
        if value == "milestone":
            return queryset.filter(milestone__isnull=False)
        if value == "item":
            return queryset.filter(item__isnull=False)
        return queryset
