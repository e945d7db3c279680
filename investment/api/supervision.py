"""Supervision items and exemptions in the API (/api/v1/supervision-items/, /api/v1/exemptions/).

Items are raised by supervisors (``supervise`` in the zone), corrected by them while open
through ``PATCH /api/v1/supervision-items/{id}/`` (title, description, deadline with a reason,
assignee, project) and move only through ``POST /api/v1/supervision-items/{id}/step/``;
exemptions are requested by the zone and decided through
``POST /api/v1/exemptions/{id}/decide/``. The actions apply the rules of
``investment.services.supervision``: a step the user may not take is a 403, a step out of order
a 400 with a Chinese message; another zone's row is a 404 as everywhere.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from devzone.access import get_scope
from devzone.api import ScopedPrimaryKeyRelatedField, ScopedViewSet, ScopePermission, call_service
from investment import selectors, services
from investment.filters import ExemptionFilter, SupervisionItemFilter
from investment.models import (
    Exemption,
    Milestone,
    Project,
    StepKind,
    SupervisionItem,
    SupervisionStep,
)
from zones.models import Zone

NOT_FOUND = _("记录不存在或无权操作。")
STEP_CHOICES = [(k, label) for k, label in StepKind.choices if k != StepKind.ASSIGN]


def _user(serializer):
    return serializer.context["request"].user


class SupervisionStepSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    # plain strings: the item's ``status`` already documents the SupervisionStatus values
    from_status = serializers.CharField(read_only=True, label=_("原状态"))
    to_status = serializers.CharField(read_only=True, label=_("新状态"))
    user_name = serializers.SerializerMethodField(label=_("操作人"))

    class Meta:
        model = SupervisionStep
        fields = ["id", "kind", "kind_display", "from_status", "to_status", "user", "user_name"]
        fields += ["at", "note", "feedback"]
        read_only_fields = fields

    def get_user_name(self, step) -> str:
        return (step.user.get_full_name() or step.user.get_username()) if step.user else ""


class SupervisionItemSerializer(serializers.ModelSerializer):
    zone = ScopedPrimaryKeyRelatedField(
        queryset=Zone.objects.all(),
        scope_action="supervise",
        not_found_message=_("开发区不存在或无权督办。"),
        required=False,
        label=_("开发区"),
        help_text=_("开发区 id；须为您有权督查的开发区。指定项目时可省略。"),
    )
    project = ScopedPrimaryKeyRelatedField(
        queryset=Project.objects.all(),
        scope_action="supervise",
        not_found_message=_("项目不存在或无权督办。"),
        allow_null=True,
        required=False,
        label=_("关联项目"),
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        label=_("承办人"),
        help_text=_("用户 id；须为该开发区的人员。"),
        error_messages={"does_not_exist": _("用户不存在。"), "incorrect_type": _("用户不存在。")},
    )
    zone_code = serializers.CharField(source="zone.code", read_only=True, label=_("开发区编码"))
    colour = serializers.CharField(source="warning", read_only=True, label=_("预警"))
    colour_display = serializers.CharField(
        source="get_warning_display", read_only=True, label=_("预警名称")
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    steps = SupervisionStepSerializer(many=True, read_only=True, label=_("办理过程"))
    note = serializers.CharField(
        write_only=True, required=False, allow_blank=True, default="", label=_("交办说明")
    )

    class Meta:
        model = SupervisionItem
        fields = [
            "id",
            "title",
            "description",
            "zone",
            "zone_code",
            "project",
            "deadline",
            "assignee",
            "source",
            "instruction_leader",
            "start_colour",
            "status",
            "status_display",
            "colour",
            "colour_display",
            "reopened_count",
            "raised_by",
            "created_at",
            "closed_at",
            "steps",
            "note",
        ]
        read_only_fields = ["status", "reopened_count", "raised_by", "created_at", "closed_at"]

    def validate(self, attrs):
        if attrs.get("zone") is None and attrs.get("project") is None:
            raise serializers.ValidationError({"zone": [_("请指定开发区或关联项目。")]})
        return attrs

    def create(self, validated_data):
        note = validated_data.pop("note", "")
        return call_service(services.raise_item, _user(self), validated_data, note=note)


class SupervisionItemUpdateSerializer(serializers.Serializer):
    """What ``PATCH`` may change (``services.update_item``); any other key is refused."""

    title = serializers.CharField(max_length=200, required=False, label=_("督办事项"))
    description = serializers.CharField(required=False, label=_("督办内容"))
    deadline = serializers.DateField(required=False, label=_("办理时限"))
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        label=_("承办人"),
        help_text=_("用户 id；须为该开发区的人员。"),
        error_messages={"does_not_exist": _("用户不存在。"), "incorrect_type": _("用户不存在。")},
    )
    project = ScopedPrimaryKeyRelatedField(
        queryset=Project.objects.all(),
        scope_action="supervise",
        not_found_message=_("项目不存在或无权督办。"),
        allow_null=True,
        required=False,
        label=_("关联项目"),
        help_text=_("须为该开发区的项目；null 取消关联。"),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        label=_("时限调整原因"),
        help_text=_("修改 deadline 时必填；原时限保留在修改记录中。"),
    )

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        _("以下字段不能通过修改接口更改：%(f)s") % {"f": ", ".join(unknown)}
                    ]
                }
            )
        return attrs


class StepRequestSerializer(serializers.Serializer):
    step = serializers.ChoiceField(
        choices=STEP_CHOICES,
        label=_("办理环节"),
        error_messages={"invalid_choice": _("办理环节“{input}”无效。")},
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("说明"))
    feedback = serializers.CharField(
        required=False, allow_blank=True, default="", label=_("办理情况（反馈时必填）")
    )


class ItemPermission(ScopePermission):
    """Raising an item needs ``supervise`` somewhere; steps are judged by the service."""

    def has_permission(self, request, view) -> bool:
        if getattr(view, "action", None) == "create":
            if not request.user or not request.user.is_authenticated:
                return False
            self.message = _("只读：您无权交办督办事项。")
            return get_scope(request.user).allows_anywhere("supervise")
        return super().has_permission(request, view)


@extend_schema_view(
    list=extend_schema(summary=_("列表：督办事项"), tags=["supervision"]),
    retrieve=extend_schema(summary=_("详情：督办事项"), tags=["supervision"]),
    create=extend_schema(summary=_("交办：督办事项"), tags=["supervision"]),
    partial_update=extend_schema(
        summary=_("修改：督办事项"),
        tags=["supervision"],
        request=SupervisionItemUpdateSerializer,
        responses={200: SupervisionItemSerializer},
        description=_(
            "有权督查该开发区的人员可在办结前修改 title、description、deadline（须填 reason）、"
            "assignee（须为该开发区人员）和 project（须为该开发区的项目）。"
            "开发区人员和只读用户返回 403；已办结返回 400。"
        ),
    ),
)
@extend_schema(
    description=_(
        "督办事项：由督查人员交办，经签收、办理、反馈、复核后办结，或退回重办。"
        "colour 为预警等级（none/blue/yellow/red/closed），按办理时限实时计算。"
    )
)
class SupervisionItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    queryset = SupervisionItem.objects.all()
    serializer_class = SupervisionItemSerializer
    permission_classes = [ItemPermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = SupervisionItemFilter

    def scope_action(self) -> str:
        # the service judges steps and edits (supervise scope, loop order, closed items)
        if self.action in ("step", "partial_update"):
            return "view"
        return super().scope_action()

    def scoped_queryset(self, user, action: str):
        steps = SupervisionStep.objects.select_related("user").order_by("at", "pk")
        return selectors.items_for(user, action).prefetch_related(Prefetch("steps", steps))

    def _fresh(self, pk: int):
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = serializer.save()
        response = self._fresh(item.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    def partial_update(self, request, *args, **kwargs):
        """PATCH only (a PUT would have to resend what the supervisor may not change)."""
        item = self.get_object()
        serializer = SupervisionItemUpdateSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        call_service(services.update_item, request.user, item, data, reason=reason)
        return self._fresh(item.pk)

    @extend_schema(
        summary=_("办理督办事项的一个环节"),
        tags=["supervision"],
        request=StepRequestSerializer,
        responses={200: SupervisionItemSerializer},
        description=_(
            "step：acknowledge 签收、start 办理、feedback 反馈（须填 feedback）由开发区负责人、"
            "工作人员或承办人办理；review 复核、return 退回（须填 note）、close 办结由有权督查该"
            "开发区的人员办理。顺序不符返回 400，无权办理返回 403。"
        ),
    )
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        item = self.get_object()
        serializer = StepRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        call_service(
            services.supervision_step,
            request.user,
            item,
            data["step"],
            note=data.get("note", ""),
            feedback=data.get("feedback", ""),
        )
        return self._fresh(item.pk)


class ExemptionSerializer(serializers.ModelSerializer):
    milestone = ScopedPrimaryKeyRelatedField(
        queryset=Milestone.objects.all(),
        scope_action="add",
        not_found_message=NOT_FOUND,
        allow_null=True,
        required=False,
        label=_("逾期节点"),
    )
    item = ScopedPrimaryKeyRelatedField(
        queryset=SupervisionItem.objects.all(),
        scope_action="add",
        not_found_message=NOT_FOUND,
        allow_null=True,
        required=False,
        label=_("逾期督办事项"),
    )
    zone_code = serializers.CharField(source="zone.code", read_only=True, label=_("开发区编码"))
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Exemption
        fields = [
            "id",
            "zone",
            "zone_code",
            "milestone",
            "item",
            "reason",
            "evidence",
            "status",
            "status_display",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = [
            "zone",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        validators: list = []

    def create(self, validated_data):
        return call_service(services.request_exemption, _user(self), validated_data)


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label=_("是否批准"))
    note = serializers.CharField(
        required=False, allow_blank=True, default="", label=_("审核意见（驳回时必填）")
    )


class ExemptionPermission(ScopePermission):
    def has_object_permission(self, request, view, obj) -> bool:
        if getattr(view, "action", None) == "decide":
            return True  # the service decides: supervise scope, never the requester
        return super().has_object_permission(request, view, obj)


@extend_schema_view(
    list=extend_schema(summary=_("列表：容错免责申请"), tags=["exemptions"]),
    retrieve=extend_schema(summary=_("详情：容错免责申请"), tags=["exemptions"]),
    create=extend_schema(summary=_("申请：容错免责"), tags=["exemptions"]),
)
@extend_schema(
    description=_(
        "容错免责申请：开发区针对一个逾期节点（milestone）或逾期督办事项（item）提出，"
        "由有权督查该开发区的人员审核；申请人不能审核本人的申请。"
    )
)
class ExemptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    queryset = Exemption.objects.all()
    serializer_class = ExemptionSerializer
    permission_classes = [ExemptionPermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ExemptionFilter

    def scope_action(self) -> str:
        return "view" if self.action == "decide" else super().scope_action()

    def scoped_queryset(self, user, action: str):
        return selectors.exemptions_for(user, action)

    @extend_schema(
        summary=_("审核容错免责申请"),
        tags=["exemptions"],
        request=DecisionSerializer,
        responses={200: ExemptionSerializer},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        exemption = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call_service(
            services.decide_exemption,
            request.user,
            exemption,
            serializer.validated_data["approve"],
            serializer.validated_data.get("note", ""),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=exemption.pk)).data)
