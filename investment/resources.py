"""XLSX export of the project list (django-import-export), Chinese headers with units.

The resource is built for one user: its default queryset is the user's ``export`` scope. Text a
user typed is escaped when a spreadsheet would run it as a formula. (The import round trip and
the official template are a later task.)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from investment.models import Project
from investment.selectors import projects_for

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def escape_formula(value: str) -> str:
    """Prefix a quote to text a spreadsheet would evaluate (CSV/formula injection)."""
    return "'" + value if value and value.startswith(FORMULA_STARTS) else value


class SafeTextWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return escape_formula("" if value is None else str(value))


def _text(attribute: str, header) -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=header, widget=SafeTextWidget(), readonly=True
    )


def _decimal(attribute: str, header) -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=header, widget=widgets.DecimalWidget(), readonly=True
    )


class ProjectResource(resources.ModelResource):
    code = _text("code", _("项目编号"))
    name = _text("name", _("项目名称"))
    zone_code = _text("zone__code", _("开发区编码"))
    zone = _text("zone__name", _("所属开发区"))
    investor_name = _text("investor_name", _("投资方"))
    origin_type = _text("get_origin_type_display", _("投资方来源"))
    origin = _text("origin_label", _("来源地"))
    industry = _text("industry__name", _("所属产业"))
    serves_leading_industry = fields.Field(column_name=_("服务首位产业"), readonly=True)
    chain_position = _text("get_chain_position_display", _("产业链环节"))
    promotion_mode = _text("get_promotion_mode_display", _("招商方式"))
    stage = _text("get_stage_display", _("项目阶段"))
    stage_since = fields.Field(
        attribute="stage_since",
        column_name=_("进入当前阶段日期"),
        widget=widgets.DateWidget(format="%Y-%m-%d"),
        readonly=True,
    )
    planned_investment = _decimal("planned_investment", _("计划总投资（万元）"))
    planned_investment_this_year = _decimal(
        "planned_investment_this_year", _("本年计划投资（万元）")
    )
    completed_investment = _decimal("completed_investment", _("累计完成投资（万元）"))
    land_mu = _decimal("land_mu", _("用地面积（亩）"))
    expected_annual_output = _decimal("expected_annual_output", _("预计年产值（万元）"))
    expected_annual_tax = _decimal("expected_annual_tax", _("预计年税收（万元）"))
    expected_jobs = fields.Field(
        attribute="expected_jobs",
        column_name=_("预计带动就业（人）"),
        widget=widgets.IntegerWidget(),
        readonly=True,
    )
    responsible_leader = fields.Field(column_name=_("责任领导（一把手）"), readonly=True)
    lead = fields.Field(column_name=_("项目负责人"), readonly=True)
    blocking_problems = _text("blocking_problems", _("存在问题"))
    coordination_requests = _text("coordination_requests", _("需协调事项"))
    terminated_reason = _text("terminated_reason", _("终止原因"))

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
            "lead",
            "blocking_problems",
            "coordination_requests",
            "terminated_reason",
        )
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        if self.user is None:
            raise ValueError("an export needs the user whose scope it covers")
        return projects_for(self.user, "export")

    def dehydrate_serves_leading_industry(self, project: Project) -> str:
        return str(_("是") if project.serves_leading_industry else _("否"))

    @staticmethod
    def _person(user) -> str:
        return escape_formula(user.get_full_name() or user.get_username()) if user else ""

    def dehydrate_responsible_leader(self, project: Project) -> str:
        return self._person(project.responsible_leader)

    def dehydrate_lead(self, project: Project) -> str:
        return self._person(project.lead)
