"""XLSX exports of the supervision inbox and of the exemption list (export only, no import).

Each resource is built for one user and its default rows are the user's ``export`` scope; the
pages pass the rows of their filters instead, from the same scoped selectors. Headers are
Chinese; text a spreadsheet would run as a formula is escaped (``FormulaSafeExportMixin``).
Every value comes from the rows' ``select_related`` joins: the export costs the same queries for
one row and for thousands.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from investment.models import Exemption, SupervisionItem
from investment.selectors import exemptions_for, items_for
from zones.import_fields import text_field
from zones.resources import ScopedExportResource


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    """A naive local time: spreadsheets have no time zones (openpyxl refuses aware values)."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _column(header) -> fields.Field:
    return fields.Field(column_name=header, readonly=True)


def _date(attribute: str, header) -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=header, widget=widgets.DateWidget(), readonly=True
    )


def days_overdue(item: SupervisionItem, today: datetime.date | None = None) -> int:
    """Days past the deadline: up to today while open, up to the closing day once closed."""
    if item.is_closed:
        end = timezone.localtime(item.closed_at).date() if item.closed_at else item.deadline
    else:
        end = today or timezone.localdate()
    return max((end - item.deadline).days, 0)


class SupervisionItemResource(ScopedExportResource):
    """The supervision inbox: one row per item with its warning colour and days overdue."""

    selector = staticmethod(items_for)

    colour = _column(_("预警"))
    title = text_field("title", _("督办事项"))
    description = text_field("description", _("督办内容"))
    zone_code = text_field("zone__code", _("开发区编码"))
    zone = text_field("zone__name", _("开发区"))
    project_code = text_field("project__code", _("关联项目编号"))
    project = text_field("project__name", _("关联项目"))
    assignee = _column(_("承办人"))
    status = text_field("get_status_display", _("办理状态"))
    deadline = _date("deadline", _("办理时限"))
    overdue_days = _column(_("逾期天数"))
    source = text_field("get_source_display", _("来源"))
    instruction_leader = text_field("instruction_leader", _("批示领导"))
    reopened_count = fields.Field(
        attribute="reopened_count",
        column_name=_("退回次数"),
        widget=widgets.IntegerWidget(),
        readonly=True,
    )
    raised_by = _column(_("交办人"))
    created_at = _column(_("交办时间"))
    closed_at = _column(_("办结时间"))

    class Meta:
        model = SupervisionItem
        fields = (
            "colour",
            "title",
            "description",
            "zone_code",
            "zone",
            "project_code",
            "project",
            "assignee",
            "status",
            "deadline",
            "overdue_days",
            "source",
            "instruction_leader",
            "reopened_count",
            "raised_by",
            "created_at",
            "closed_at",
        )
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.today = timezone.localdate()

    def dehydrate_colour(self, item: SupervisionItem) -> str:
        return item.get_warning_display()

    def dehydrate_assignee(self, item: SupervisionItem) -> str:
        return _person(item.assignee)

    def dehydrate_overdue_days(self, item: SupervisionItem) -> int:
        return days_overdue(item, self.today)

    def dehydrate_raised_by(self, item: SupervisionItem) -> str:
        return _person(item.raised_by)

    def dehydrate_created_at(self, item: SupervisionItem):
        return _local(item.created_at)

    def dehydrate_closed_at(self, item: SupervisionItem):
        return _local(item.closed_at)


def exemptions_to_export(user, action: str = "export"):
    """``exemptions_for`` with the project of an item's request joined too (its code)."""
    return exemptions_for(user, action).select_related("item__project")


class ExemptionResource(ScopedExportResource):
    """The exemption list: one row per request with its target, requester and decision."""

    selector = staticmethod(exemptions_to_export)

    target_type = _column(_("申请对象类型"))
    target = _column(_("申请对象"))
    project_code = _column(_("项目编号"))
    zone_code = text_field("zone__code", _("开发区编码"))
    zone = text_field("zone__name", _("开发区"))
    reason = text_field("reason", _("免责理由"))
    evidence = text_field("evidence", _("佐证材料说明"))
    status = text_field("get_status_display", _("审核状态"))
    requested_by = _column(_("申请人"))
    requested_at = _column(_("申请时间"))
    decided_by = _column(_("审核人"))
    decided_at = _column(_("审核时间"))
    decision_note = text_field("decision_note", _("审核意见"))

    class Meta:
        model = Exemption
        fields = (
            "target_type",
            "target",
            "project_code",
            "zone_code",
            "zone",
            "reason",
            "evidence",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        )
        export_order = fields

    def dehydrate_target_type(self, exemption: Exemption) -> str:
        return str(_("逾期节点") if exemption.milestone_id else _("逾期督办事项"))

    def dehydrate_target(self, exemption: Exemption) -> str:
        target = exemption.milestone if exemption.milestone_id else exemption.item
        return target.title if target is not None else ""

    def dehydrate_project_code(self, exemption: Exemption) -> str:
        if exemption.milestone_id:
            return exemption.milestone.project.code
        project = exemption.item.project if exemption.item_id else None
        return project.code if project is not None else ""

    def dehydrate_requested_by(self, exemption: Exemption) -> str:
        return _person(exemption.requested_by)

    def dehydrate_requested_at(self, exemption: Exemption):
        return _local(exemption.requested_at)

    def dehydrate_decided_by(self, exemption: Exemption) -> str:
        return _person(exemption.decided_by)

    def dehydrate_decided_at(self, exemption: Exemption):
        return _local(exemption.decided_at)
