"""The cockpit's figures in the API: ``GET /api/v1/cockpit/?period=YYYY-MM&prefecture=CODE&type=``.

The same plain data as the provincial cockpit page (``zones.dashboards.overview``) for the
zones the user sees, narrowed by prefecture code and zone type: headline figures, zones by type,
output tier, prefecture and founding period, the stage distribution, the six capacities'
medians and the funnel, with the month, the day the figures stand at and when they were
computed. Provincial roles and administrators only (403 otherwise, as on the page).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from devzone.api import ApiAutoSchema
from zones import dashboards
from zones.models import Prefecture, Zone, ZoneType


class CockpitQuerySerializer(serializers.Serializer):
    period = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": _("统计月份格式应为 YYYY-MM。")},
    )
    prefecture = serializers.CharField(required=False, max_length=20)
    type = serializers.ChoiceField(choices=ZoneType.choices, required=False)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class CockpitView(APIView):
    permission_classes = [IsAuthenticated]
    schema = ApiAutoSchema()

    @extend_schema(
        summary=_("驾驶舱汇总数据"),
        description=_(
            "与驾驶舱页面相同的汇总数据（来自每晚计算的汇总表）：核心指标、按类型/规模/市州/设立"
            "时期的开发区数、发展阶段分布、六力中位数和招商漏斗。仅省级角色和系统管理员可用。"
        ),
        tags=["dashboards"],
        parameters=[
            OpenApiParameter("period", str, description=_("YYYY-MM；默认为最近有结果的月份。")),
            OpenApiParameter("prefecture", str, description=_("市州代码")),
            OpenApiParameter("type", str, enum=ZoneType.values, description=_("开发区类型")),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        user = request.user
        if not dashboards.may_open_cockpit(user):
            raise PermissionDenied(_("仅省级角色和系统管理员可以查看驾驶舱。"))
        query = CockpitQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        periods = dashboards.periods()
        period = dashboards.resolve_period(params.get("period"), periods)
        if params.get("period") and (period is None or f"{period:%Y-%m}" != params["period"]):
            raise ValidationError({"period": [_("该月份没有计算结果。")]})
        zones = Zone.objects.for_user(user)
        if params.get("prefecture"):
            prefecture = Prefecture.objects.for_user(user).filter(code=params["prefecture"]).first()
            if prefecture is None:
                raise ValidationError({"prefecture": [_("市州代码无效或不在您的查看范围内。")]})
            zones = zones.filter(prefecture=prefecture)
        if params.get("type"):
            zones = zones.filter(type=params["type"])
        data = dashboards.overview(user, period=period, zones=zones)
        freshness = data["freshness"]
        return Response(
            _plain(
                {
                    "period": f"{period:%Y-%m}" if period else None,
                    "as_of": freshness["as_of"],
                    "computed_at": freshness["computed_at"],
                    "stale": freshness["stale"],
                    "headline": data["headline"],
                    "by_type": data["by_type"],
                    "by_tier": data["by_tier"],
                    "region_level": data["region_level"],
                    "by_region": data["by_region"],
                    "founding": data["founding"]["periods"],
                    "stages": data["stages"],
                    "capacity_medians": data["capacity_medians"],
                    "funnel": data["funnel"],
                }
            )
        )
