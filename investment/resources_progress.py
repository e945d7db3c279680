"""Import/export of milestones and monthly progress reports (keyed by project code).

Shares the columns and the base resource of investment/resources.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from import_export import fields

from devzone import imports_values as iv
from devzone.imports import ImportField, register
from investment import services
from investment.models import (
    Milestone,
    MilestoneStatus,
    ProgressReport,
)
from investment.resources import (
    ScopedResource,
    example_project_code,
    money_field,
    project_field,
)
from investment.selectors import milestones_for, reports_for
from zones.import_fields import text_field


@register
class MilestoneResource(ScopedResource):
    selector = staticmethod(milestones_for)
    import_name = "investment.milestone"
    import_title = _("项目节点")
    import_key = ("project", "title")
    import_url_name = "investment:milestone-import"
    template_url_name = "investment:milestone-import-template"
    list_url_name = "investment:project-list"

    project = project_field()
    project_name = text_field("project__name", _("项目名称"))
    title = ImportField(
        attribute="title",
        column_name=_("节点名称"),
        widget=iv.TextWidget(max_length=150),
        required=True,
        help_text=_("同一项目内的节点名称；已有节点按名称更新"),
    )
    planned_date = ImportField(
        attribute="planned_date",
        column_name=_("计划完成日期"),
        widget=iv.DateWidget(),
        required=True,
        help_text=_("修改已有节点的计划日期须填写计划调整原因"),
    )
    actual_date = ImportField(
        attribute="actual_date",
        column_name=_("实际完成日期"),
        widget=iv.DateWidget(),
        help_text=_("已完成的节点填写，不能晚于今天"),
    )
    owner = ImportField(
        attribute="owner",
        column_name=_("责任人账号"),
        widget=iv.LookupWidget(
            get_user_model(),
            keys=("username",),
            render_field="username",
            listed=False,
            not_found=_("找不到用户名“%(value)s”。"),
        ),
        help_text=_("责任人的登录用户名，须为本开发区人员"),
    )
    status = ImportField(
        attribute="status",
        column_name=_("状态"),
        widget=iv.ChoiceWidget(
            [c for c in MilestoneStatus.choices if c[0] != MilestoneStatus.DELAYED]
        ),
        help_text=_("未开始、进行中或已完成；空白为未开始（填写了实际完成日期则为已完成）"),
    )
    position = ImportField(
        attribute="position",
        column_name=_("顺序"),
        widget=iv.IntegerWidget(),
        help_text=_("节点在路线图中的顺序；空白为0"),
    )
    note = ImportField(
        attribute="note", column_name=_("备注"), widget=iv.TextWidget(), help_text=_("备注")
    )
    reschedule_reason = ImportField(
        attribute="reschedule_reason",
        column_name=_("计划调整原因"),
        widget=iv.TextWidget(),
        help_text=_("仅在修改已有节点的计划完成日期时填写"),
    )

    class Meta:
        model = Milestone
        fields = ("project", "project_name", "title", "planned_date", "actual_date", "owner",
                  "status", "position", "note", "reschedule_reason")  # fmt: skip
        export_order = fields
        import_id_fields = ("project", "title")

    def dehydrate_reschedule_reason(self, milestone: Milestone) -> str:
        return ""

    def import_resolve(self, rows: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
        for values in rows:
            if "status" in values and not values["status"]:
                if values.get("actual_date"):
                    values["status"] = MilestoneStatus.DONE
                else:
                    values["status"] = MilestoneStatus.NOT_STARTED
            if "position" in values and values["position"] is None:
                values["position"] = 0
        return {}

    def import_zone(self, values, instance):
        project = values.get("project") or getattr(instance, "project", None)
        return project.zone if project is not None else None

    def import_record_zone(self, instance: Milestone):
        return instance.project.zone

    def import_existing(self, keys: list[tuple]) -> dict[tuple, Any]:
        from devzone.imports import AMBIGUOUS

        rows = Milestone.objects.filter(
            project__in={k[0] for k in keys}, title__in={k[1] for k in keys}
        ).select_related("project__zone__prefecture")
        found: dict[tuple, Any] = {}
        for milestone in rows:
            key = (milestone.project, milestone.title)
            found[key] = AMBIGUOUS if key in found else milestone
        return found

    def import_key_label(self, key: tuple) -> str:
        return f"{key[0].code} {key[1]}"

    def import_check(self, values: dict[str, Any], instance: Milestone | None) -> dict:
        if (
            instance is not None
            and values.get("planned_date")
            and values["planned_date"] != instance.planned_date
            and not (values.get("reschedule_reason") or "").strip()
        ):
            return {"reschedule_reason": gettext_now("修改计划完成日期须填写计划调整原因。")}
        return {}

    def import_write(self, user, values: dict[str, Any], instance: Milestone | None):
        data = {k: v for k, v in values.items() if k in services.MILESTONE_FIELDS}
        if instance is None:
            return services.create_milestone(user, values["project"], data)
        return services.update_milestone(
            user, instance, data, reschedule_reason=values.get("reschedule_reason")
        )

    def template_examples(self) -> list[list[Any]]:
        code = example_project_code(self.user)
        return [
            [code, "完成用地预审", "2025-06-30", "", "", "进行中", "1", "", ""],
            [code, "取得施工许可证", "2025年9月30日", "", "", "", "2", "", ""],
        ]


@register
class ProgressReportResource(ScopedResource):
    selector = staticmethod(reports_for)
    import_name = "investment.report"
    import_title = _("进展月报")
    import_key = ("project", "year", "month")
    import_url_name = "investment:report-import"
    template_url_name = "investment:report-import-template"
    list_url_name = "investment:reports-owed"

    project = project_field()
    project_name = text_field("project__name", _("项目名称"))
    year = ImportField(
        attribute="year",
        column_name=_("年份"),
        widget=iv.IntegerWidget(suffixes=("年",)),
        required=True,
        help_text=_("如 2025"),
    )
    month = ImportField(
        attribute="month",
        column_name=_("月份"),
        widget=iv.IntegerWidget(suffixes=("月",)),
        required=True,
        help_text=_("1–12；每个项目每月一份"),
    )
    investment_this_month = money_field(
        "investment_this_month", _("本月完成投资（万元）"), _("本月完成投资"), required=True
    )
    investment_cumulative = money_field(
        "investment_cumulative",
        _("累计完成投资（万元）"),
        _("等于上月累计加本月；空白时自动计算"),
    )
    progress = ImportField(
        attribute="progress",
        column_name=_("进展情况"),
        widget=iv.TextWidget(),
        required=True,
        help_text=_("本月工作进展"),
    )
    problems = ImportField(
        attribute="problems", column_name=_("存在问题"), widget=iv.TextWidget(), help_text=""
    )
    coordination = ImportField(
        attribute="coordination",
        column_name=_("需协调事项"),
        widget=iv.TextWidget(),
        help_text="",
    )
    submitted_by = fields.Field(column_name=_("填报人"), readonly=True)

    class Meta:
        model = ProgressReport
        fields = ("project", "project_name", "year", "month", "investment_this_month",
                  "investment_cumulative", "progress", "problems", "coordination",
                  "submitted_by")  # fmt: skip
        export_order = fields
        import_id_fields = ("project", "year", "month")

    def dehydrate_submitted_by(self, report: ProgressReport) -> str:
        user = report.submitted_by
        return (user.get_full_name() or user.get_username()) if user else ""

    def import_resolve(self, rows: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
        for values in rows:  # a blank cumulative is computed by the service, like the form's
            if "investment_cumulative" in values and values["investment_cumulative"] is None:
                del values["investment_cumulative"]
        return {}

    def import_zone(self, values, instance):
        project = values.get("project") or getattr(instance, "project", None)
        return project.zone if project is not None else None

    def import_record_zone(self, instance: ProgressReport):
        return instance.project.zone

    def import_existing(self, keys: list[tuple]) -> dict[tuple, ProgressReport]:
        rows = ProgressReport.objects.filter(
            project__in={k[0] for k in keys}, year__in={k[1] for k in keys}
        ).select_related("project__zone__prefecture")
        return {(r.project, r.year, r.month): r for r in rows}

    def import_key_label(self, key: tuple) -> str:
        return f"{key[0].code} {key[1]}年{key[2]}月"

    def import_write(self, user, values: dict[str, Any], instance: ProgressReport | None):
        data = {k: v for k, v in values.items() if k in services.REPORT_FIELDS}
        data.setdefault("investment_cumulative", None)
        if instance is None:
            return services.submit_report(
                user, values["project"], values["year"], values["month"], data
            )
        return services.update_report(user, instance, data)

    def template_examples(self) -> list[list[Any]]:
        code = example_project_code(self.user)
        return [
            [code, 2025, 3, "1,200", "", "完成场地平整", "", ""],
            [code, "2025年", "4月", "800万元", "", "主体厂房基础施工", "雨季影响工期", ""],
        ]
