"""Viewsets of the zone registry API (/api/v1/).

Every viewset derives from ``devzone.api.ScopedViewSet``: its rows come from ``for_user`` (or a
selector that starts from it), another zone's row is a 404, and writes the user may not make are
a 403. Writes go through zones.services (see the serializers).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from devzone.api import ScopedViewSet, StableOrderingFilter, call_service
from zones import selectors, services
from zones.api.serializers import (
    EnterpriseSerializer,
    IndicatorSerializer,
    PrefectureSerializer,
    ZoneSerializer,
)
from zones.filters import EnterpriseFilter, IndicatorFilter, ZoneFilter
from zones.models import Enterprise, Prefecture, Zone, ZoneIndicator
from zones.scorecard import scorecard as zone_scorecard
from zones.units import INDICATOR_FIELD_NAMES

FILTERS = [DjangoFilterBackend, SearchFilter, StableOrderingFilter]
FILTERS_NO_SEARCH = [DjangoFilterBackend, StableOrderingFilter]

SCORECARD_RESPONSE = inline_serializer(
    name="ZoneScorecardResponse",
    fields={
        "zone": inline_serializer(
            name="ZoneScorecardZone",
            fields={
                "id": serializers.IntegerField(),
                "code": serializers.CharField(),
                "name": serializers.CharField(),
            },
        ),
        "scorecard": inline_serializer(
            name="ZoneScorecard",
            allow_null=True,
            help_text=_("尚未计算时为 null。"),
            fields={
                "period": serializers.DateField(help_text=_("评价期（月份的第一天）")),
                "methodology": serializers.DictField(help_text=_("评价方法版本号和名称")),
                "stage": serializers.DictField(help_text=_("发展阶段：code、label、level")),
                "next_stage": serializers.DictField(
                    allow_null=True, help_text=_("下一阶段；已处于聚网时为 null")
                ),
                "rules": serializers.ListField(
                    child=serializers.DictField(),
                    help_text=_(
                        "每条判定规则：code、label、stage、unit、value、threshold、value_text、"
                        "threshold_text、passed、missing、status、status_label"
                    ),
                ),
                "to_next": serializers.ListField(
                    child=serializers.DictField(),
                    help_text=_("迈向下一阶段还需：code、missing、sentence"),
                ),
                "capacities": serializers.ListField(
                    child=serializers.DictField(),
                    help_text=_(
                        "六力：code、label、score、coverage、reason 及各指标贡献 indicators"
                    ),
                ),
                "quality": serializers.CharField(allow_null=True, help_text=_("质量综合得分")),
                "scale": serializers.CharField(
                    allow_null=True, help_text=_("规模：工业总产值，万元")
                ),
                "scale_text": serializers.CharField(allow_null=True),
                "quadrant": serializers.DictField(
                    help_text=_("象限：code、label、problem、focus；未判定时 reason")
                ),
                "land_grades": serializers.DictField(
                    allow_null=True, help_text=_("亩均评价等级（A—D）和评价类别的企业数")
                ),
                "computed_at": serializers.DateTimeField(help_text=_("数据截至（计算时间）")),
                "run_finished_at": serializers.DateTimeField(allow_null=True),
                "stale": serializers.BooleanField(help_text=_("计算时间是否早于过期时限")),
                "stale_hours": serializers.IntegerField(),
                "history": serializers.ListField(
                    child=serializers.DictField(),
                    help_text=_("近12期发展阶段：period、code、label、level"),
                ),
            },
        ),
    },
)


@extend_schema_view(
    list=extend_schema(summary=_("市州列表"), tags=["prefectures"]),
    retrieve=extend_schema(summary=_("市州详情"), tags=["prefectures"]),
)
@extend_schema(description=_("您可见的市州；zone_count 为其中您可见的开发区数量。只读。"))
class PrefectureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Prefectures (市州) the user can see; ``zone_count`` counts the zones the user can see."""

    queryset = Prefecture.objects.all()
    serializer_class = PrefectureSerializer
    filter_backends = [SearchFilter, StableOrderingFilter]
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name", "zone_count"]
    ordering = ["code"]

    def scoped_queryset(self, user, action: str):
        visible_zones = Zone.objects.for_user(user, action).values("pk")
        return (
            Prefecture.objects.for_user(user, action)
            .select_related("province")
            .annotate(zone_count=Count("zones", filter=Q(zones__in=visible_zones)))
            .order_by("code")
        )


@extend_schema_view(
    list=extend_schema(summary=_("开发区列表"), tags=["zones"]),
    retrieve=extend_schema(summary=_("开发区详情"), tags=["zones"]),
)
@extend_schema(
    description=_(
        "您可见的开发区。只读：开发区由系统管理员在后台创建。产值单位为万元，面积单位为亩。"
    )
)
class ZoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Development zones (开发区), read-only: administrators create zones in the admin."""

    queryset = Zone.objects.all()
    serializer_class = ZoneSerializer
    filter_backends = FILTERS
    filterset_class = ZoneFilter
    search_fields = ["name", "code", "management_body"]
    ordering_fields = [
        "code",
        "name",
        "type",
        "level",
        "founded_year",
        "planned_area_mu",
        "latest_output",
        "latest_output_year",
    ]

    def scoped_queryset(self, user, action: str):
        return selectors.zones_for(user, action).prefetch_related("main_industries")

    @extend_schema(
        summary=_("开发区发展阶段评价"),
        description=_(
            "开发区最近一期评价结果（当前启用的评价方法）：发展阶段及每条判定规则的当前值、门槛和"
            "结果，迈向下一阶段还需补足的条件，六力得分及各指标贡献，精准施策象限，亩均评价等级"
            "分布，数据截至时间和是否过期，近12期阶段变化。尚未计算时 scorecard 为 null。"
        ),
        tags=["zones"],
        responses={200: SCORECARD_RESPONSE},
    )
    @action(detail=True, methods=["get"])
    def scorecard(self, request, pk=None):
        """The zone's stage and why (zones.scorecard); ``scorecard`` is null before any run."""
        zone = self.get_object()
        return Response(
            {
                "zone": {"id": zone.pk, "code": zone.code, "name": zone.name},
                "scorecard": zone_scorecard(zone),
            }
        )


@extend_schema_view(
    list=extend_schema(summary=_("企业列表"), tags=["enterprises"]),
    retrieve=extend_schema(summary=_("企业详情"), tags=["enterprises"]),
    create=extend_schema(summary=_("新增企业"), tags=["enterprises"]),
    update=extend_schema(summary=_("修改企业"), tags=["enterprises"]),
    partial_update=extend_schema(summary=_("部分修改企业"), tags=["enterprises"]),
    destroy=extend_schema(summary=_("删除企业"), tags=["enterprises"]),
)
@extend_schema(
    description=_("您可见开发区内的企业。只读角色修改可见记录返回 403；权限范围外的记录返回 404。")
)
class EnterpriseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Enterprises in the zones the user can see; writes through zones.services."""

    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseSerializer
    filter_backends = FILTERS
    filterset_class = EnterpriseFilter
    search_fields = ["name", "credit_code"]
    ordering_fields = ["name", "credit_code", "established_on", "land_area_mu", "created_at"]

    def scoped_queryset(self, user, action: str):
        return selectors.enterprises_for(user, action)

    def perform_destroy(self, instance: Enterprise) -> None:
        call_service(services.delete_enterprise, self.request.user, instance)


@extend_schema_view(
    list=extend_schema(summary=_("开发区指标列表"), tags=["indicators"]),
    retrieve=extend_schema(summary=_("开发区指标详情"), tags=["indicators"]),
    create=extend_schema(summary=_("新增开发区指标"), tags=["indicators"]),
    update=extend_schema(summary=_("修改开发区指标"), tags=["indicators"]),
    partial_update=extend_schema(summary=_("部分修改开发区指标"), tags=["indicators"]),
    destroy=extend_schema(summary=_("删除开发区指标"), tags=["indicators"]),
)
@extend_schema(
    description=_(
        "开发区的月度（当月数）或年度（全年合计）指标，均为标准单位，见各字段说明。同一开发区同一周期只有一条记录。"
    )
)
class IndicatorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """A zone's figures per month or year, in canonical units (see each field's description)."""

    queryset = ZoneIndicator.objects.all()
    serializer_class = IndicatorSerializer
    filter_backends = FILTERS_NO_SEARCH
    filterset_class = IndicatorFilter
    ordering_fields = ["year", "month", "period_kind", *INDICATOR_FIELD_NAMES]

    def scoped_queryset(self, user, action: str):
        return selectors.indicators_for(user, action)

    def perform_destroy(self, instance: ZoneIndicator) -> None:
        call_service(services.delete_indicator, self.request.user, instance)
