"""Filters of the talent lists, shared by the pages and the API (one definition per list)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from devzone.filters import IdFilter, YearFilter
from talent.models import (
    AwardLevel,
    Education,
    Entrepreneur,
    ManagementCadre,
    PlacementStatus,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
)


class ZoneRecordFilter(django_filters.FilterSet):
    """``q`` searches the type's ``search_fields``; ``zone`` is the zone's code."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    zone = django_filters.CharFilter(field_name="zone__code", label=_("开发区编码"))

    search_fields: tuple[str, ...] = ("name",)

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)


class ManagementCadreFilter(ZoneRecordFilter):
    education = django_filters.ChoiceFilter(choices=Education.choices, label=_("学历"))
    is_active = django_filters.BooleanFilter(label=_("在职"))
    search_fields = ("name", "post")

    class Meta:
        model = ManagementCadre
        fields = ["education", "is_active"]


class EntrepreneurFilter(ZoneRecordFilter):
    activity_year = django_filters.NumberFilter(label=_("活动年度"))
    search_fields = ("name", "title", "enterprise__name")

    class Meta:
        model = Entrepreneur
        fields = ["activity_year"]


class TalentTeamFilter(ZoneRecordFilter):
    serves_leading_industry = django_filters.BooleanFilter(label=_("服务首位产业"))
    introduced_year = YearFilter(
        field_name="introduced_on", lookup_expr="year", label=_("引进年份")
    )
    search_fields = ("name", "leader", "field", "host_enterprise__name")

    class Meta:
        model = TalentTeam
        fields = ["serves_leading_industry"]


class TrainingCentreFilter(ZoneRecordFilter):
    search_fields = ("name", "operator", "trades")

    class Meta:
        model = TrainingCentre
        fields: list[str] = []


class TrainingSessionFilter(ZoneRecordFilter):
    year = YearFilter(field_name="held_on", lookup_expr="year", label=_("年份"))
    held_from = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label=_("培训日期起")
    )
    held_to = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label=_("培训日期止")
    )
    centre = IdFilter(field_name="centre_id", label=_("培训中心 id"))
    search_fields = ("trade", "centre__name")

    class Meta:
        model = TrainingSession
        fields: list[str] = []


class SpecialSkillsPlacementFilter(ZoneRecordFilter):
    year = django_filters.NumberFilter(label=_("计划年度"))
    status = django_filters.ChoiceFilter(choices=PlacementStatus.choices, label=_("状态"))
    search_fields = ("name", "trade")

    class Meta:
        model = SpecialSkillsPlacement
        fields = ["year", "status"]


class SkillAwardFilter(ZoneRecordFilter):
    level = django_filters.ChoiceFilter(choices=AwardLevel.choices, label=_("级别"))
    year = YearFilter(field_name="awarded_on", lookup_expr="year", label=_("获奖年份"))
    search_fields = ("name", "award")

    class Meta:
        model = SkillAward
        fields = ["level"]
