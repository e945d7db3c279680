"""Filters shared by the pages and the API: one definition of each list's filters."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zones.models import (
    OUTPUT_TIER_CHOICES,
    ChainPosition,
    Enterprise,
    PeriodKind,
    Stage,
    Zone,
    ZoneIndicator,
    ZoneLevel,
    ZoneType,
)


def _code_or_name(field_prefix: str):
    def method(queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(**{f"{field_prefix}__code": value}) | Q(**{f"{field_prefix}__name": value})
        )

    return method


class ZoneFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    type = django_filters.ChoiceFilter(choices=ZoneType.choices, label=_("类型"))
    level = django_filters.ChoiceFilter(choices=ZoneLevel.choices, label=_("级别"))
    prefecture = django_filters.CharFilter(method="by_prefecture", label=_("市州（名称或代码）"))
    output_tier = django_filters.ChoiceFilter(choices=OUTPUT_TIER_CHOICES, label=_("产值规模"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("发展阶段"))
    leading_industry = django_filters.CharFilter(
        method="by_industry", label=_("首位产业（名称或代码）")
    )
    founded_year = django_filters.NumberFilter(label=_("设立年份"))
    founded_from = django_filters.NumberFilter(
        field_name="founded_year", lookup_expr="gte", label=_("设立年份起")
    )
    founded_to = django_filters.NumberFilter(
        field_name="founded_year", lookup_expr="lte", label=_("设立年份止")
    )

    class Meta:
        model = Zone
        fields = ["type", "level", "output_tier", "stage"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(code__icontains=value)
            | Q(management_body__icontains=value)
        )

    def by_prefecture(self, queryset, name, value):
        return _code_or_name("prefecture")(queryset, name, value)

    def by_industry(self, queryset, name, value):
        return _code_or_name("leading_industry")(queryset, name, value)


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区编码"))
    industry = django_filters.CharFilter(method="by_industry", label=_("产业（名称或代码）"))
    chain_position = django_filters.ChoiceFilter(
        choices=ChainPosition.choices, label=_("产业链环节")
    )
    above_designated_size = django_filters.BooleanFilter(label=_("规模以上"))
    leading = django_filters.BooleanFilter(method="by_leading", label=_("龙头企业"))

    class Meta:
        model = Enterprise
        fields = ["chain_position", "above_designated_size"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__icontains=value.upper()))

    def by_industry(self, queryset, name, value):
        return _code_or_name("industry")(queryset, name, value)

    def by_leading(self, queryset, name, value):
        three = Q(
            test_national_competitiveness=True,
            test_headquarters_in_zone=True,
            test_local_division_of_labour=True,
        )
        if value is None:
            return queryset
        return queryset.filter(three) if value else queryset.exclude(three)


class IndicatorFilter(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区编码"))
    period_kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("周期"))
    year = django_filters.NumberFilter(label=_("年份"))
    month = django_filters.NumberFilter(label=_("月份"))

    class Meta:
        model = ZoneIndicator
        fields = ["period_kind", "year", "month"]
