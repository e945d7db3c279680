"""XLSX exports of the talent lists (django-import-export).

Each resource is built for one user; its default rows are the user's ``export`` scope, so an
export never holds a row outside it. Headers are Chinese and carry their units.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from talent.models import (
    Entrepreneur,
    ManagementCadre,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
)
from talent.selectors import records_for
from zones.resources import ScopedExportResource


def _text(attribute: str, header) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header, readonly=True)


def _number(attribute: str, header, widget=widgets.IntegerWidget) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header, widget=widget(), readonly=True)


def _date(attribute: str, header) -> fields.Field:
    return fields.Field(
        attribute=attribute,
        column_name=header,
        widget=widgets.DateWidget(format="%Y-%m-%d"),
        readonly=True,
    )


def _yes_no(value: bool) -> str:
    return str(_("是") if value else _("否"))


class TalentResource(ScopedExportResource):
    """The zone columns every talent export starts with."""

    zone_code = _text("zone__code", _("开发区编码"))
    zone_name = _text("zone__name", _("开发区"))

    def get_queryset(self):
        if self.user is None:
            raise ValueError("an export needs the user whose scope it covers")
        return records_for(self._meta.model, self.user, "export")


class ManagementCadreResource(TalentResource):
    name = _text("name", _("姓名"))
    post = _text("post", _("职务"))
    education = _text("get_education_display", _("学历"))
    appointed_on = _date("appointed_on", _("任职日期"))
    training_hours = _number("training_hours", _("年度培训学时"))
    is_active = fields.Field(column_name=_("在职"), readonly=True)

    class Meta:
        model = ManagementCadre
        fields = ("zone_code", "zone_name", "name", "post", "education", "appointed_on",
                  "training_hours", "is_active")  # fmt: skip
        export_order = fields

    def dehydrate_is_active(self, cadre) -> str:
        return _yes_no(cadre.is_active)


class EntrepreneurResource(TalentResource):
    name = _text("name", _("姓名"))
    enterprise = _text("enterprise__name", _("所在企业"))
    title = _text("title", _("职务"))
    activity_year = _number("activity_year", _("活动年度"))
    activities_attended = _number("activities_attended", _("参加培训交流活动（次）"))

    class Meta:
        model = Entrepreneur
        fields = ("zone_code", "zone_name", "name", "enterprise", "title", "activity_year",
                  "activities_attended")  # fmt: skip
        export_order = fields


class TalentTeamResource(TalentResource):
    name = _text("name", _("团队名称"))
    leader = _text("leader", _("团队带头人"))
    field = _text("field", _("专业领域"))
    size = _number("size", _("团队人数"))
    host_enterprise = _text("host_enterprise__name", _("依托企业"))
    introduced_on = _date("introduced_on", _("引进日期"))
    guidance_fund = _number("guidance_fund", _("产业引导基金（万元）"), widgets.DecimalWidget)
    venture_capital = _number("venture_capital", _("风险投资（万元）"), widgets.DecimalWidget)
    serves_leading_industry = fields.Field(column_name=_("服务首位产业"), readonly=True)

    class Meta:
        model = TalentTeam
        fields = ("zone_code", "zone_name", "name", "leader", "field", "size", "host_enterprise",
                  "introduced_on", "guidance_fund", "venture_capital",
                  "serves_leading_industry")  # fmt: skip
        export_order = fields

    def dehydrate_serves_leading_industry(self, team) -> str:
        return _yes_no(team.serves_leading_industry)


class TrainingCentreResource(TalentResource):
    name = _text("name", _("中心名称"))
    operator = _text("operator", _("运营主体"))
    trades = _text("trades", _("培训工种"))
    annual_capacity = _number("annual_capacity", _("年培训能力（人次）"))

    class Meta:
        model = TrainingCentre
        fields = ("zone_code", "zone_name", "name", "operator", "trades", "annual_capacity")
        export_order = fields


class TrainingSessionResource(TalentResource):
    centre = _text("centre__name", _("培训中心"))
    trade = _text("trade", _("培训工种"))
    held_on = _date("held_on", _("培训日期"))
    trainees = _number("trainees", _("培训人数"))
    certificates = _number("certificates", _("取得证书人数"))

    class Meta:
        model = TrainingSession
        fields = ("zone_code", "zone_name", "centre", "trade", "held_on", "trainees",
                  "certificates")  # fmt: skip
        export_order = fields


class SpecialSkillsPlacementResource(TalentResource):
    name = _text("name", _("姓名"))
    trade = _text("trade", _("技能工种"))
    year = _number("year", _("计划年度"))
    status = _text("get_status_display", _("状态"))

    class Meta:
        model = SpecialSkillsPlacement
        fields = ("zone_code", "zone_name", "name", "trade", "year", "status")
        export_order = fields


class SkillAwardResource(TalentResource):
    name = _text("name", _("获奖人"))
    award = _text("award", _("奖项名称"))
    level = _text("get_level_display", _("级别"))
    awarded_on = _date("awarded_on", _("获奖日期"))
    amount = _number("amount", _("奖励金额（万元）"), widgets.DecimalWidget)

    class Meta:
        model = SkillAward
        fields = ("zone_code", "zone_name", "name", "award", "level", "awarded_on", "amount")
        export_order = fields


RESOURCES = {
    resource._meta.model: resource
    for resource in (
        ManagementCadreResource,
        EntrepreneurResource,
        TalentTeamResource,
        TrainingCentreResource,
        TrainingSessionResource,
        SpecialSkillsPlacementResource,
        SkillAwardResource,
    )
}
