"""Viewsets of the investment API (/api/v1/).

Every viewset derives from ``devzone.api.ScopedViewSet``: rows come from the selectors (which
start from ``for_user``), another zone's row is a 404 and a write the user may not make is a 403.
Writes go through investment.services (see the serializers); the stage changes only through the
``transition`` action, which applies the same rules as the page.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from devzone.api import ScopedViewSet, StableOrderingFilter, call_service
from investment import selectors, services
from investment.api.serializers import (
    MilestoneSerializer,
    ProgressReportSerializer,
    ProjectSerializer,
    TransitionSerializer,
)
from investment.filters import MilestoneFilter, ProgressReportFilter, ProjectFilter
from investment.models import Milestone, ProgressReport, Project

CRUD = (
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
)


def _schema(tag: str, noun: str):
    return extend_schema_view(
        list=extend_schema(summary=_("列表") + f"：{noun}", tags=[tag]),
        retrieve=extend_schema(summary=_("详情") + f"：{noun}", tags=[tag]),
        create=extend_schema(summary=_("新增") + f"：{noun}", tags=[tag]),
        update=extend_schema(summary=_("修改") + f"：{noun}", tags=[tag]),
        partial_update=extend_schema(summary=_("部分修改") + f"：{noun}", tags=[tag]),
        destroy=extend_schema(summary=_("删除") + f"：{noun}", tags=[tag]),
    )


@_schema("projects", "招商项目")
@extend_schema(
    description=_(
        "您可见开发区内的招商项目。金额单位为万元，面积单位为亩。stage 只读，"
        "通过 POST /api/v1/projects/{id}/transition/ 变更。"
    )
)
class ProjectViewSet(*CRUD, ScopedViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter, StableOrderingFilter]
    filterset_class = ProjectFilter
    search_fields = ["name", "code", "investor_name"]
    ordering_fields = [
        "code",
        "name",
        "stage",
        "stage_since",
        "planned_investment",
        "completed_investment",
        "created_at",
    ]

    def scope_action(self) -> str:
        if self.action == "transition":
            return "change"
        return super().scope_action()

    def scoped_queryset(self, user, action: str):
        return selectors.projects_for(user, action).select_related("enterprise")

    def perform_destroy(self, instance: Project) -> None:
        call_service(services.delete_project, self.request.user, instance)

    @extend_schema(
        summary=_("变更项目阶段"),
        tags=["projects"],
        request=TransitionSerializer,
        responses={200: ProjectSerializer},
        description=_(
            "进入下一阶段无需原因；退回、跨阶段、终止（terminated）或重新启动须填写 reason；"
            "进入签约（signed）须提供 promise；日期不得晚于今天，也不得早于上一次变更。"
        ),
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        project = self.get_object()
        serializer = TransitionSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        call_service(
            services.transition,
            request.user,
            project,
            data["to_stage"],
            data["date"],
            note=data.get("note", ""),
            reason=data.get("reason", ""),
            promises=data.get("promise"),
            enterprise=data.get("enterprise"),
        )
        fresh = self.get_queryset().get(pk=project.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_200_OK)


@_schema("milestones", "项目节点")
@extend_schema(
    description=_(
        "项目的路线图节点。修改 planned_date 须同时提供 reschedule_reason，原计划日期会保留。"
    )
)
class MilestoneViewSet(*CRUD, ScopedViewSet):
    queryset = Milestone.objects.all()
    serializer_class = MilestoneSerializer
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = MilestoneFilter
    ordering_fields = ["planned_date", "actual_date", "position", "status"]

    def scoped_queryset(self, user, action: str):
        return selectors.milestones_for(user, action)

    def perform_destroy(self, instance: Milestone) -> None:
        call_service(services.delete_milestone, self.request.user, instance)


@_schema("progress-reports", "进展月报")
@extend_schema(
    description=_(
        "项目的进展月报，每个项目每月一份。累计完成投资：上月月报存在时须等于上月累计加本月，"
        "否则不得小于此前最近一期累计加本月。"
    )
)
class ProgressReportViewSet(*CRUD, ScopedViewSet):
    queryset = ProgressReport.objects.all()
    serializer_class = ProgressReportSerializer
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ProgressReportFilter
    ordering_fields = ["year", "month", "submitted_at", "investment_cumulative"]

    def scoped_queryset(self, user, action: str):
        return selectors.reports_for(user, action)

    def perform_destroy(self, instance: ProgressReport) -> None:
        call_service(services.delete_report, self.request.user, instance)
