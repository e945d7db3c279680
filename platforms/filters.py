"""Filters shared by the platform pages and the API: one definition of each list's filters."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from devzone.filters import IdFilter
from platforms.catalogue import (
    SUB_KIND_CHOICES,
    OperatorType,
    PlatformKind,
    PlatformLevel,
    PlatformStatus,
    ServiceCategory,
)
from platforms.models import Platform, ServiceRecord
from zones.models import ChainPosition


class PlatformFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区编码"))
    zone_id = IdFilter(field_name="zone_id", label=_("开发区 id"))
    kind = django_filters.ChoiceFilter(choices=PlatformKind.choices, label=_("平台类型"))
    sub_kind = django_filters.ChoiceFilter(choices=SUB_KIND_CHOICES, label=_("平台子类"))
    level = django_filters.ChoiceFilter(choices=PlatformLevel.choices, label=_("平台级别"))
    status = django_filters.ChoiceFilter(choices=PlatformStatus.choices, label=_("运营状态"))
    operator_type = django_filters.ChoiceFilter(
        choices=OperatorType.choices, label=_("运营主体类型")
    )
    chain_segment = django_filters.ChoiceFilter(
        choices=ChainPosition.choices, label=_("服务产业链环节")
    )
    serves_leading_industry = django_filters.BooleanFilter(label=_("服务首位产业"))

    class Meta:
        model = Platform
        fields = ["kind", "sub_kind", "level", "status", "operator_type", "chain_segment"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(operator_name__icontains=value)
            | Q(host_enterprise__name__icontains=value)
        )


class ServiceRecordFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    zone = django_filters.CharFilter(field_name="platform__zone__code", label=_("开发区编码"))
    platform = IdFilter(field_name="platform_id", label=_("平台 id"))
    enterprise = IdFilter(field_name="enterprise_id", label=_("企业 id"))
    kind = django_filters.ChoiceFilter(
        field_name="platform__kind", choices=PlatformKind.choices, label=_("平台类型")
    )
    category = django_filters.ChoiceFilter(choices=ServiceCategory.choices, label=_("服务类别"))
    free = django_filters.BooleanFilter(label=_("免费服务"))
    served_from = django_filters.DateFilter(
        field_name="served_on", lookup_expr="gte", label=_("服务日期起")
    )
    served_to = django_filters.DateFilter(
        field_name="served_on", lookup_expr="lte", label=_("服务日期止")
    )

    class Meta:
        model = ServiceRecord
        fields = ["category", "free"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(service_type__icontains=value)
            | Q(outcome__icontains=value)
            | Q(enterprise__name__icontains=value)
            | Q(platform__name__icontains=value)
        )
