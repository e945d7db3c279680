"""Accountability rankings in the API (/api/v1/accountability/), read-only.

``GET /api/v1/accountability/?period=YYYY-MM&kind=zone|lead|zone_leader|prefecture`` lists the
stored scores of one kind of subject for one month under one methodology version, best rank
first (unscored subjects last), each with its components and the ids of the milestones,
reports, projects and supervision items behind them. Defaults: the active version, the latest
month with stored rows the user can see, kind ``zone``. Rows come from ``for_user``: a zone's
staff see their zone and its leads, a city supervisor their prefecture and its zones. Ranks are
the stored ones (among all subjects of the kind), not re-ranked within what the user sees.
"""

from __future__ import annotations

import datetime

from django.db.models import F, Max
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from devzone.api import NumericDecimalsMixin, ScopedViewSet
from investment.models import AccountabilityScore, SubjectKind
from zones.models import Methodology


class AccountabilityQuerySerializer(serializers.Serializer):
    period = serializers.RegexField(
        # year 0000 is no date (a 500 before the check)
        r"^(?!0000)\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        label=_("评价期"),
        help_text=_("YYYY-MM；默认为有结果的最近月份。"),
        error_messages={"invalid": _("评价期格式应为 YYYY-MM。")},
    )
    kind = serializers.ChoiceField(
        choices=SubjectKind.choices,
        required=False,
        default=SubjectKind.ZONE,
        label=_("评价对象类型"),
        error_messages={"invalid_choice": _("评价对象类型“{input}”无效。")},
    )
    prefecture = serializers.IntegerField(required=False, min_value=1, label=_("市州 id"))
    zone = serializers.IntegerField(required=False, min_value=1, label=_("开发区 id"))
    methodology = serializers.CharField(
        required=False, label=_("评价方法版本"), help_text=_("版本号；默认为当前启用的版本。")
    )


class AccountabilityScoreSerializer(NumericDecimalsMixin, serializers.ModelSerializer):
    period = serializers.SerializerMethodField(label=_("评价期"))
    kind = serializers.CharField(source="subject_kind", read_only=True, label=_("评价对象类型"))
    kind_display = serializers.CharField(source="get_subject_kind_display", read_only=True)
    subject_id = serializers.IntegerField(read_only=True, label=_("评价对象 id"))
    subject_label = serializers.CharField(read_only=True, label=_("评价对象"))
    zone_name = serializers.SerializerMethodField(label=_("开发区"))
    prefecture_name = serializers.SerializerMethodField(label=_("市州"))
    colour_display = serializers.CharField(source="get_colour_display", read_only=True)
    methodology = serializers.CharField(
        source="methodology.version", read_only=True, label=_("评价方法版本")
    )

    class Meta:
        model = AccountabilityScore
        fields = [
            "id",
            "period",
            "kind",
            "kind_display",
            "subject_id",
            "subject_label",
            "user",
            "zone",
            "zone_name",
            "prefecture",
            "prefecture_name",
            "score",
            "colour",
            "colour_display",
            "rank",
            "previous_score",
            "movement",
            "rank_movement",
            "components",
            "based_on",
            "methodology",
            "computed_at",
        ]
        read_only_fields = fields

    def get_period(self, row) -> str:
        return f"{row.period:%Y-%m}"

    def get_zone_name(self, row) -> str | None:
        return row.zone.name if row.zone_id else None

    def get_prefecture_name(self, row) -> str | None:
        return row.prefecture.name if row.prefecture_id else None


@extend_schema_view(
    list=extend_schema(
        summary=_("问责评分排名"),
        tags=["accountability"],
        parameters=[AccountabilityQuerySerializer],
        description=_(
            "某月某类评价对象（开发区、项目负责人、开发区一把手、市州）的问责评分，按排名排列，"
            "无数据的对象排在最后。components 为各分项得分及其所依据的节点、月报、项目和督办事项 "
            "id；movement 为与上月相比的得分变化，rank_movement 为名次变化（正数为上升）。"
            "默认为当前启用的评价方法版本、有结果的最近月份和开发区。只读。"
        ),
    )
)
class AccountabilityScoreViewSet(mixins.ListModelMixin, ScopedViewSet):
    queryset = AccountabilityScore.objects.all()
    serializer_class = AccountabilityScoreSerializer
    filter_backends: list = []  # the query parameters are read by ``scoped_queryset``

    def scoped_queryset(self, user, action: str):
        if getattr(self, "swagger_fake_view", False):
            return AccountabilityScore.objects.none()
        query = AccountabilityQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if "methodology" in params:
            methodology = Methodology.objects.filter(version=params["methodology"]).first()
            if methodology is None:
                raise serializers.ValidationError({"methodology": [_("评价方法版本不存在。")]})
        else:
            methodology = Methodology.objects.filter(is_active=True).first()
        rows = AccountabilityScore.objects.for_user(user, action).filter(
            methodology=methodology, subject_kind=params["kind"]
        )
        if "prefecture" in params:
            rows = rows.filter(prefecture_id=params["prefecture"])
        if "zone" in params:
            rows = rows.filter(zone_id=params["zone"])
        if "period" in params:
            year, month = params["period"].split("-")
            period = datetime.date(int(year), int(month), 1)
        else:
            period = rows.order_by().aggregate(latest=Max("period"))["latest"]
        return (
            rows.filter(period=period)
            .select_related("user", "zone", "prefecture", "methodology")
            .order_by(F("rank").asc(nulls_last=True), "subject_key", "pk")
        )
