"""XLSX export and import of projects, milestones and progress reports (devzone/imports.py).

Headers are Chinese and carry their units; every resource is built for one user and its default
rows are the user's ``export`` scope. The exported files import back unchanged.

Natural keys (what makes a row an update of a stored record):

- project: 项目编号. A row naming an existing code is an update and needs ``change`` in the
  project's zone; a row with a blank 项目编号 is a new project and gets a generated code
  (``XM-<zone>-<year>-<seq>``); a code that does not exist is an error (codes are never typed
  in). The stage is not set by an import: a new project starts at the file's 项目阶段 (线索 or
  洽谈; blank = 线索 — 签约 and later need the signing promises, entered on the project's
  page), and on an update the 项目阶段 column must be the current stage or blank (moves go
  through the transition page, which records them). The zone of a project never changes.
- milestone: 项目编号 + 节点名称. A new planned date on an update needs 计划调整原因 (kept as a
  reschedule, like the page).
- progress report: 项目编号 + 年份 + 月份. A blank 累计完成投资 is computed like the form does;
  the cumulative rule is checked by the service at confirm, in file order.

Writes go through ``investment.services`` (projects in bulk: ``investment.services.imports``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from devzone import imports_values as iv
from devzone.imports import BatchImportMixin, FormulaSafeExportMixin, ImportField, register
from investment import services
from investment.models import (
    OriginType,
    Project,
    ProjectStage,
    PromotionMode,
)
from investment.selectors import projects_for
from investment.services import imports as bulk_services
from zones.import_fields import enterprise_field, industry_field, text_field, zone_code_field
from zones.models import ChainPosition, Industry, Province, Zone
from zones.units import AREA, MONEY

NO_PROJECT = _("找不到项目编号“%(value)s”，或该项目不在您可导入的范围内。")
START_STAGES = (ProjectStage.LEAD, ProjectStage.NEGOTIATING)


def money_field(attribute: str, header, help_text, *, required: bool = False) -> ImportField:
    return ImportField(
        attribute=attribute,
        column_name=header,
        widget=iv.AmountWidget("万元", MONEY.factors),
        unit=_("万元"),
        required=required,
        help_text=help_text,
    )


def _user_field(attribute: str, header, help_text) -> ImportField:
    return ImportField(
        attribute=attribute,
        column_name=header,
        widget=iv.LookupWidget(
            get_user_model(),
            keys=("username",),
            render_field="username",
            listed=False,
            not_found=_("找不到用户名“%(value)s”。"),
        ),
        help_text=help_text,
    )


def project_field() -> ImportField:
    return ImportField(
        attribute="project",
        column_name=_("项目编号"),
        widget=iv.LookupWidget(
            Project,
            keys=("code",),
            render_field="code",
            listed=False,
            not_found=NO_PROJECT,
            select_related=("zone__prefecture",),
        ),
        required=True,
        help_text=_("项目的编号（见项目列表），如 XM-GZ-0001-2025-0001"),
    )


def example_project_code(user) -> str:
    code = (
        Project.objects.for_user(user, "import").order_by("code").values_list("code", flat=True)
    ).first()
    return code or "XM-GZ-0001-2025-0001"


class ScopedResource(BatchImportMixin, FormulaSafeExportMixin, resources.ModelResource):
    """A resource for one user; its default rows are the user's ``export`` scope.

    django-import-export's own ``import_data`` would save rows without the services' checks,
    so it is closed here; imports go through ``devzone.imports.start_import``.
    """

    selector = None

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        if self.user is None:
            raise ValueError("an export needs the user whose scope it covers")
        return type(self).selector(self.user, "export")

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("import through devzone.imports.start_import/confirm_import")


@register
class ProjectResource(ScopedResource):
    selector = staticmethod(projects_for)
    import_name = "investment.project"
    import_title = _("招商项目")
    import_key = ("code",)
    import_url_name = "investment:project-import"
    template_url_name = "investment:project-import-template"
    list_url_name = "investment:project-list"
    # A blank cell in these columns keeps the stored value (or the default of a new project).
    keep_when_blank = ("code", "stage", "origin_type", "promotion_mode")

    code = ImportField(
        attribute="code",
        column_name=_("项目编号"),
        widget=iv.TextWidget(max_length=60, upper=True),
        help_text=_("已有项目填写其编号即为更新；新项目留空，由系统生成编号"),
    )
    name = ImportField(
        attribute="name",
        column_name=_("项目名称"),
        widget=iv.TextWidget(max_length=150),
        required=True,
        help_text=_("项目名称"),
    )
    zone_code = zone_code_field(_("项目所属开发区的编码；项目创建后不能更换开发区"))
    zone = text_field("zone__name", _("所属开发区"))
    investor_name = ImportField(
        attribute="investor_name",
        column_name=_("投资方"),
        widget=iv.TextWidget(max_length=150),
        required=True,
        help_text=_("投资方名称"),
    )
    origin_type = ImportField(
        attribute="origin_type",
        column_name=_("投资方来源"),
        widget=iv.ChoiceWidget(OriginType.choices),
        help_text=_("境内、港澳台或境外；空白视为境内"),
    )
    origin = text_field("origin_label", _("来源地"))
    origin_province = ImportField(
        attribute="origin_province",
        column_name=_("来源省份"),
        widget=iv.LookupWidget(Province, keys=("code", "name"), render_field="name"),
        help_text=_("境内投资方必填，如 广东省"),
    )
    origin_city = ImportField(
        attribute="origin_city",
        column_name=_("来源城市"),
        widget=iv.TextWidget(max_length=50),
        help_text=_("境内投资方的来源城市，如 深圳市"),
    )
    origin_country = ImportField(
        attribute="origin_country",
        column_name=_("来源国家或地区"),
        widget=iv.TextWidget(max_length=50),
        help_text=_("港澳台及境外投资方必填，如 新加坡"),
    )
    industry = industry_field()
    serves_leading_industry = ImportField(
        attribute="serves_leading_industry",
        column_name=_("服务首位产业"),
        widget=iv.BooleanWidget(),
        help_text=_("是否服务开发区首位产业；空白视为否"),
    )
    chain_position = ImportField(
        attribute="chain_position",
        column_name=_("产业链环节"),
        widget=iv.ChoiceWidget(ChainPosition.choices),
        help_text=_("项目在产业链上的位置"),
    )
    promotion_mode = ImportField(
        attribute="promotion_mode",
        column_name=_("招商方式"),
        widget=iv.ChoiceWidget(PromotionMode.choices),
        help_text=_("八种招商方式或其他；空白视为其他"),
    )
    stage = ImportField(
        attribute="stage",
        column_name=_("项目阶段"),
        widget=iv.ChoiceWidget(ProjectStage.choices),
        help_text=_(
            "新项目的初始阶段：线索或洽谈（空白为线索）；已有项目须与当前阶段一致或留空，"
            "阶段变更请在项目页面办理"
        ),
    )
    stage_since = fields.Field(
        attribute="stage_since",
        column_name=_("进入当前阶段日期"),
        widget=iv.DateWidget(),
        readonly=True,
    )
    planned_investment = money_field(
        "planned_investment", _("计划总投资（万元）"), _("可写“1.5亿元”自动换算"), required=True
    )
    planned_investment_this_year = money_field(
        "planned_investment_this_year", _("本年计划投资（万元）"), _("不能大于计划总投资；空白为0")
    )
    completed_investment = fields.Field(
        attribute="completed_investment",
        column_name=_("累计完成投资（万元）"),
        widget=widgets.DecimalWidget(),
        readonly=True,
    )
    land_mu = ImportField(
        attribute="land_mu",
        column_name=_("用地面积（亩）"),
        widget=iv.AmountWidget("亩", AREA.factors),
        unit=_("亩"),
        help_text=_("可写“12.5公顷”自动换算为亩"),
    )
    expected_annual_output = money_field(
        "expected_annual_output", _("预计年产值（万元）"), _("达产后预计年产值")
    )
    expected_annual_tax = money_field(
        "expected_annual_tax", _("预计年税收（万元）"), _("预计年税收")
    )
    expected_jobs = ImportField(
        attribute="expected_jobs",
        column_name=_("预计带动就业（人）"),
        widget=iv.IntegerWidget(suffixes=("人",)),
        unit=_("人"),
        help_text=_("整数"),
    )
    responsible_leader = fields.Field(column_name=_("责任领导（一把手）"), readonly=True)
    responsible_leader_username = _user_field(
        "responsible_leader", _("责任领导账号"), _("责任领导的登录用户名，须为本开发区人员")
    )
    lead = fields.Field(column_name=_("项目负责人"), readonly=True)
    lead_username = _user_field(
        "lead", _("项目负责人账号"), _("项目负责人的登录用户名，须为本开发区人员")
    )
    enterprise = enterprise_field(
        "enterprise",
        _("落地企业统一社会信用代码"),
        help_text=_("项目注册落地的本开发区企业（选填）"),
    )
    blocking_problems = ImportField(
        attribute="blocking_problems",
        column_name=_("存在问题"),
        widget=iv.TextWidget(),
        help_text=_("推进中存在的问题"),
    )
    coordination_requests = ImportField(
        attribute="coordination_requests",
        column_name=_("需协调事项"),
        widget=iv.TextWidget(),
        help_text=_("需要上级协调的事项"),
    )
    terminated_reason = text_field("terminated_reason", _("终止原因"))

    class Meta:
        model = Project
        fields = (
            "code",
            "name",
            "zone_code",
            "zone",
            "investor_name",
            "origin_type",
            "origin",
            "origin_province",
            "origin_city",
            "origin_country",
            "industry",
            "serves_leading_industry",
            "chain_position",
            "promotion_mode",
            "stage",
            "stage_since",
            "planned_investment",
            "planned_investment_this_year",
            "completed_investment",
            "land_mu",
            "expected_annual_output",
            "expected_annual_tax",
            "expected_jobs",
            "responsible_leader",
            "responsible_leader_username",
            "lead",
            "lead_username",
            "enterprise",
            "blocking_problems",
            "coordination_requests",
            "terminated_reason",
        )
        export_order = fields
        import_id_fields = ("code",)

    def export(self, queryset=None, **kwargs):
        if queryset is not None:
            queryset = queryset.select_related("enterprise")
        return super().export(queryset=queryset, **kwargs)

    def dehydrate_serves_leading_industry(self, project: Project) -> str:
        return str(_("是") if project.serves_leading_industry else _("否"))

    @staticmethod
    def _person(user) -> str:
        return (user.get_full_name() or user.get_username()) if user else ""

    def dehydrate_responsible_leader(self, project: Project) -> str:
        return self._person(project.responsible_leader)

    def dehydrate_lead(self, project: Project) -> str:
        return self._person(project.lead)

    # --- import -----------------------------------------------------------------------------

    def import_resolve(self, rows: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
        for values in rows:
            for name in self.keep_when_blank:
                if name in values and iv.is_blank(values[name]):
                    del values[name]
            if "planned_investment_this_year" in values:
                values["planned_investment_this_year"] = values[
                    "planned_investment_this_year"
                ] or Decimal(0)
        return {}

    def import_existing(self, keys: list[tuple]) -> dict[tuple, Project]:
        codes = [k[0] for k in keys if k[0]]
        rows = Project.objects.filter(code__in=codes).select_related("zone__prefecture")
        return {(p.code,): p for p in rows}

    def import_check(self, values: dict[str, Any], instance: Project | None) -> dict:
        problems: dict[str, str] = {}
        stage = values.get("stage")
        if instance is None:
            if values.get("code"):
                problems["code"] = gettext_now(
                    "找不到该项目编号；新项目请将项目编号留空，由系统生成。"
                )
            if stage and stage not in START_STAGES:
                problems["stage"] = gettext_now(
                    "导入的新项目只能从“线索”或“洽谈”阶段开始；签约及以后的阶段须填写签约承诺，"
                    "请在项目页面办理阶段变更。"
                )
        else:
            if stage and stage != instance.stage:
                problems["stage"] = gettext_now(
                    "项目阶段不能通过导入修改（当前为“%(s)s”），请在项目页面办理阶段变更。"
                ) % {"s": instance.get_stage_display()}
            if values.get("zone") is not None and values["zone"].pk != instance.zone_id:
                problems["zone"] = gettext_now("项目创建后不能更换所属开发区。")
        return problems

    def import_write(self, user, values: dict[str, Any], instance: Project | None):
        data, start_stage = bulk_services.project_data(values)
        if instance is None:
            return services.create_project(user, data, start_stage=start_stage)
        return services.update_project(user, instance, data)

    def import_write_bulk(self, user, rows: list[tuple[dict[str, Any], Project | None]]) -> None:
        bulk_services.bulk_import_projects(user, rows)

    def template_examples(self) -> list[list[Any]]:
        zone = (
            Zone.objects.for_user(self.user, "import")
            .order_by("code")
            .values_list("code", flat=True)
            .first()
        ) or "GZ-0001"
        industry = Industry.objects.order_by("code").values_list("name", flat=True).first() or ""
        return [
            ["", "示例新能源电池项目", zone, "示例投资有限公司", "境内", "广东省", "深圳市", "",
             industry, "是", "中游", "专业招商", "线索", "1.5亿元", "3,000", "120", "", "",
             "200", "", "", "", "", ""],
            ["", "示例精密部件项目", zone, "示例国际有限公司", "境外", "", "", "新加坡", "", "否",
             "下游", "以商引商", "洽谈", "8000", "0", "5公顷", "20000", "800", "", "", "", "",
             "用地指标待落实", ""],
        ]  # fmt: skip


# The milestone and progress-report resources live in their own module; importing it here
# registers them whenever this module is loaded (``devzone.imports.resource_class_for`` loads
# ``investment.resources`` by name), so "investment.milestone" and "investment.report" resolve
# from a task or a command as well as from the pages.
from investment import resources_progress  # noqa: E402, F401
