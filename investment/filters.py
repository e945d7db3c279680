"""Filters shared by the investment pages and the API: one definition of each list's filters."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from investment.models import (
    Milestone,
    MilestoneStatus,
    ProgressReport,
    Project,
    ProjectStage,
    PromotionMode,
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
    lead = django_filters.NumberFilter(field_name="lead_id", label=_("项目负责人"))
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
    project = django_filters.NumberFilter(field_name="project_id", label=_("项目"))
    zone = django_filters.CharFilter(field_name="project__zone__code", label=_("开发区编码"))
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices, label=_("状态"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("责任人"))
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
    project = django_filters.NumberFilter(field_name="project_id", label=_("项目"))
    zone = django_filters.CharFilter(field_name="project__zone__code", label=_("开发区编码"))
    year = django_filters.NumberFilter(label=_("年份"))
    month = django_filters.NumberFilter(label=_("月份"))

    class Meta:
        model = ProgressReport
        fields = ["year", "month"]
