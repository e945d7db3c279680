"""Viewsets of the talent API (/api/v1/): one per record type, on one scoped base.

Rows come from ``records_for`` (the user's scope): another zone's row is a 404, a write the
user may not make a 403, and every write goes through talent.services (see the serializers).
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.filters import SearchFilter

from devzone.api import ScopedViewSet, StableOrderingFilter, call_service
from talent import filters, services
from talent.api import serializers
from talent.selectors import records_for


class TalentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """The shared behaviour; subclasses set the serializer, filter and ordering fields."""

    filter_backends = [DjangoFilterBackend, SearchFilter, StableOrderingFilter]

    def scoped_queryset(self, user, action: str):
        model = self.serializer_class.Meta.model
        return records_for(model, user, action).order_by("zone__code", "pk")

    def perform_destroy(self, instance) -> None:
        call_service(services.delete_record, self.request.user, instance)


def _schema(tag: str, description):
    """The OpenAPI summaries of one resource, named after its model (lazily translated)."""

    def decorate(cls):
        noun = cls.serializer_class.Meta.model._meta.verbose_name
        summaries = {
            "list": _("{n}列表"),
            "retrieve": _("{n}详情"),
            "create": _("新增{n}"),
            "update": _("修改{n}"),
            "partial_update": _("部分修改{n}"),
            "destroy": _("删除{n}"),
        }
        cls = extend_schema_view(
            **{
                action: extend_schema(summary=format_lazy(text, n=noun), tags=[tag])
                for action, text in summaries.items()
            }
        )(cls)
        return extend_schema(description=description)(cls)

    return decorate


@_schema("management-cadres", _("开发区管理机构的管理人才，每人一条。"))
class ManagementCadreViewSet(TalentViewSet):
    serializer_class = serializers.ManagementCadreSerializer
    filterset_class = filters.ManagementCadreFilter
    search_fields = ["name", "post"]
    ordering_fields = ["name", "appointed_on", "training_hours", "education"]


@_schema("entrepreneurs", _("开发区企业的企业家及其年度参加培训交流活动次数。"))
class EntrepreneurViewSet(TalentViewSet):
    serializer_class = serializers.EntrepreneurSerializer
    filterset_class = filters.EntrepreneurFilter
    search_fields = ["name", "title", "enterprise__name"]
    ordering_fields = ["name", "activity_year", "activities_attended"]


@_schema(
    "talent-teams",
    _("引进的高层次人才团队：规模、依托企业、引进日期、引导基金与风险投资（万元）。"),
)
class TalentTeamViewSet(TalentViewSet):
    serializer_class = serializers.TalentTeamSerializer
    filterset_class = filters.TalentTeamFilter
    search_fields = ["name", "leader", "field"]
    ordering_fields = ["name", "size", "introduced_on", "guidance_fund", "venture_capital"]


@_schema("training-centres", _("高技能人才培训中心及其工种与年培训能力。"))
class TrainingCentreViewSet(TalentViewSet):
    serializer_class = serializers.TrainingCentreSerializer
    filterset_class = filters.TrainingCentreFilter
    search_fields = ["name", "operator", "trades"]
    ordering_fields = ["name", "annual_capacity"]


@_schema("training-sessions", _("技能培训班次：工种、日期、培训人数与取得证书人数。"))
class TrainingSessionViewSet(TalentViewSet):
    serializer_class = serializers.TrainingSessionSerializer
    filterset_class = filters.TrainingSessionFilter
    search_fields = ["trade"]
    ordering_fields = ["held_on", "trainees", "certificates", "trade"]


@_schema("special-skills-placements", _("特殊技能人才计划的人员，每人每年度一条。"))
class SpecialSkillsPlacementViewSet(TalentViewSet):
    serializer_class = serializers.SpecialSkillsPlacementSerializer
    filterset_class = filters.SpecialSkillsPlacementFilter
    search_fields = ["name", "trade"]
    ordering_fields = ["name", "year", "status"]


@_schema("skill-awards", _("高技能人才奖励：获奖人、级别、日期、金额（万元）。"))
class SkillAwardViewSet(TalentViewSet):
    serializer_class = serializers.SkillAwardSerializer
    filterset_class = filters.SkillAwardFilter
    search_fields = ["name", "award"]
    ordering_fields = ["awarded_on", "amount", "level", "name"]
