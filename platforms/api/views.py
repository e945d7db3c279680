"""Viewsets of the platforms API. Rows come from the selectors (which start from ``for_user``):
another zone's row is a 404, a read-only role's write a 403; writes go through
platforms.services (see the serializers)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from devzone.api import ErrorDetailSerializer, ScopedViewSet, StableOrderingFilter, call_service
from platforms import selectors, services
from platforms.api.serializers import PlatformSerializer, ServiceRecordSerializer
from platforms.filters import PlatformFilter, ServiceRecordFilter
from platforms.models import Platform, ServiceRecord
from zones.selectors import zones_for

FILTERS = [DjangoFilterBackend, SearchFilter, StableOrderingFilter]
WRITE_MIXINS = (
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
)


@extend_schema_view(
    list=extend_schema(summary=_("服务平台列表"), tags=["platforms"]),
    retrieve=extend_schema(summary=_("服务平台详情"), tags=["platforms"]),
    create=extend_schema(summary=_("新增服务平台"), tags=["platforms"]),
    update=extend_schema(summary=_("修改服务平台"), tags=["platforms"]),
    partial_update=extend_schema(summary=_("部分修改服务平台"), tags=["platforms"]),
    destroy=extend_schema(summary=_("删除服务平台"), tags=["platforms"]),
)
@extend_schema(
    description=_(
        "您可见开发区的服务平台（四类及其子类）。子类必须属于平台类型；专业公共服务平台的产业链环节由子类确定。"
        "已有服务记录的平台不能删除。"
    )
)
class PlatformViewSet(*WRITE_MIXINS, ScopedViewSet):
    queryset = Platform.objects.all()
    serializer_class = PlatformSerializer
    filter_backends = FILTERS
    filterset_class = PlatformFilter
    search_fields = ["name", "operator_name"]
    ordering_fields = ["name", "established_on", "kind", "level", "status", "created_at"]

    def scoped_queryset(self, user, action: str):
        return selectors.platforms_with_reach(user, action)

    def perform_create(self, serializer: PlatformSerializer) -> None:
        """Answer with the row as a GET shows it: its reach figures are annotations of the
        scoped queryset, which the instance the service returns does not carry."""
        platform = serializer.save()
        serializer.instance = self.get_queryset().get(pk=platform.pk)

    def perform_destroy(self, instance: Platform) -> None:
        call_service(services.delete_platform, self.request.user, instance)

    @extend_schema(
        summary=_("开发区平台覆盖情况"),
        tags=["platforms"],
        parameters=[
            OpenApiParameter(
                "zone",
                OpenApiTypes.INT,
                description=_("开发区 id；不填时返回您可见各开发区的覆盖摘要（分页）。"),
            )
        ],
        # 404: the zone is absent or outside the user's scope, or the page is out of range.
        responses={200: OpenApiTypes.OBJECT, 404: ErrorDetailSerializer},
    )
    @action(detail=False, methods=["get"], url_path="coverage")
    def coverage(self, request):
        """One zone's coverage (``?zone=<id>``), or a paginated summary of the visible zones."""
        zones = zones_for(request.user)
        zone_param = request.query_params.get("zone", "").strip()
        if zone_param:
            if not zone_param.isdigit():
                raise serializers.ValidationError({"zone": [_("开发区 id 应为整数。")]})
            zone = get_object_or_404(zones, pk=int(zone_param))
            return Response(selectors.coverage_as_dict(selectors.coverage(zone)))
        page = self.paginate_queryset(zones)
        counts = selectors.platform_counts_by_zone([zone.pk for zone in page])
        rows = [
            {"zone": {"id": z.pk, "code": z.code, "name": z.name}, **counts[z.pk]} for z in page
        ]
        return self.get_paginated_response(rows)


@extend_schema_view(
    list=extend_schema(summary=_("服务记录列表"), tags=["service-records"]),
    retrieve=extend_schema(summary=_("服务记录详情"), tags=["service-records"]),
    create=extend_schema(summary=_("新增服务记录"), tags=["service-records"]),
    update=extend_schema(summary=_("修改服务记录"), tags=["service-records"]),
    partial_update=extend_schema(summary=_("部分修改服务记录"), tags=["service-records"]),
    destroy=extend_schema(summary=_("删除服务记录"), tags=["service-records"]),
)
@extend_schema(
    description=_("平台为本开发区企业提供的服务。企业必须与平台在同一开发区；费用单位为万元。")
)
class ServiceRecordViewSet(*WRITE_MIXINS, ScopedViewSet):
    queryset = ServiceRecord.objects.all()
    serializer_class = ServiceRecordSerializer
    filter_backends = FILTERS
    filterset_class = ServiceRecordFilter
    search_fields = ["service_type", "outcome", "enterprise__name"]
    ordering_fields = ["served_on", "fee_wan", "created_at"]

    def scoped_queryset(self, user, action: str):
        return selectors.service_records_for(user, action)

    def perform_destroy(self, instance: ServiceRecord) -> None:
        call_service(services.delete_service_record, self.request.user, instance)
