"""Monthly progress reports (月报) and the cumulative rule."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devzone import history
from devzone.access import ensure_in_scope
from devzone.models import ChangeRecord
from investment.models import ProgressReport, Project
from investment.services.projects import REPORT_FIELDS, apply_fields, record_change


def _check_cumulative(report: ProgressReport) -> None:
    """The cumulative rule (see ``ProgressReport``), against the reports before and after."""
    others = ProgressReport.objects.filter(project_id=report.project_id).exclude(pk=report.pk)
    key = report.year * 12 + report.month
    previous = (
        others.filter(year__lte=report.year)
        .exclude(year=report.year, month__gte=report.month)
        .order_by("-year", "-month")
        .first()
    )
    following = (
        others.filter(year__gte=report.year)
        .exclude(year=report.year, month__lte=report.month)
        .order_by("year", "month")
        .first()
    )
    this, cumulative = report.investment_this_month, report.investment_cumulative
    if previous is None:
        if cumulative < this:
            raise ValidationError(
                {"investment_cumulative": _("累计完成投资不能小于本月完成投资。")}
            )
    else:
        expected = previous.investment_cumulative + this
        adjacent = previous.year * 12 + previous.month == key - 1
        if adjacent and cumulative != expected:
            raise ValidationError(
                {
                    "investment_cumulative": _(
                        "累计完成投资应等于上月（%(p)s）累计 %(prev)s 万元加本月 %(this)s 万元，"
                        "即 %(exp)s 万元。"
                    )
                    % {
                        "p": previous.period_label,
                        "prev": previous.investment_cumulative,
                        "this": this,
                        "exp": expected,
                    }
                }
            )
        if not adjacent and cumulative < expected:
            raise ValidationError(
                {
                    "investment_cumulative": _(
                        "累计完成投资不能小于此前最近一期（%(p)s）累计 %(prev)s 万元"
                        "加本月 %(this)s 万元，即 %(exp)s 万元。"
                    )
                    % {
                        "p": previous.period_label,
                        "prev": previous.investment_cumulative,
                        "this": this,
                        "exp": expected,
                    }
                }
            )
    if following is not None:
        needed = cumulative + following.investment_this_month
        adjacent = following.year * 12 + following.month == key + 1
        if (adjacent and following.investment_cumulative != needed) or (
            not adjacent and following.investment_cumulative < needed
        ):
            raise ValidationError(
                {
                    "investment_cumulative": _(
                        "与后续月份（%(p)s）的累计完成投资 %(c)s 万元不衔接，请先核对后续月报。"
                    )
                    % {"p": following.period_label, "c": following.investment_cumulative}
                }
            )


def _default_cumulative(report: ProgressReport) -> Decimal:
    previous = (
        ProgressReport.objects.filter(project_id=report.project_id)
        .exclude(pk=report.pk)
        .filter(year__lte=report.year)
        .exclude(year=report.year, month__gte=report.month)
        .order_by("-year", "-month")
        .values_list("investment_cumulative", flat=True)
        .first()
    )
    return (previous or Decimal(0)) + (report.investment_this_month or Decimal(0))


def _clean_report(report: ProgressReport) -> None:
    if report.investment_cumulative is None and report.investment_this_month is not None:
        report.investment_cumulative = _default_cumulative(report)
    report.full_clean(validate_unique=False, validate_constraints=False)
    today = timezone.localdate()
    if (report.year, report.month) > (today.year, today.month):
        raise ValidationError({"month": _("不能填报未来月份的进展月报。")})
    _check_cumulative(report)


def _refresh_completed(project: Project) -> None:
    latest = (
        ProgressReport.objects.filter(project=project)
        .order_by("-year", "-month")
        .values_list("investment_cumulative", flat=True)
        .first()
    )
    project.completed_investment = latest or Decimal(0)
    Project.objects.filter(pk=project.pk).update(completed_investment=project.completed_investment)


@transaction.atomic
def submit_report(
    user, project: Project, year: int, month: int, data: dict[str, Any]
) -> ProgressReport:
    """A project's report for one month; a second report for the same month is refused."""
    ensure_in_scope(project, user, "add")
    Project.objects.select_for_update().filter(pk=project.pk).exists()
    report = ProgressReport(project=project, year=year, month=month, submitted_by=user)
    apply_fields(report, data, REPORT_FIELDS)
    _clean_report(report)
    if ProgressReport.objects.filter(project=project, year=year, month=month).exists():
        raise ValidationError(
            {
                "month": _(
                    "该项目%(p)s的进展月报已存在，每个项目每月只能填报一份；请编辑已有月报。"
                )
                % {"p": report.period_label}
            }
        )
    report.save()
    ensure_in_scope(report, user, "add")
    _refresh_completed(project)
    record_change(user, report, ChangeRecord.Action.CREATE, None, project)
    return report


@transaction.atomic
def update_report(user, report: ProgressReport, data: dict[str, Any]) -> ProgressReport:
    """Change a report's figures and text; its project and month stay."""
    ensure_in_scope(report, user, "change")
    Project.objects.select_for_update().filter(pk=report.project_id).exists()
    report.refresh_from_db()
    before = history.snapshot(report)
    apply_fields(report, data, REPORT_FIELDS)
    _clean_report(report)
    report.save()
    ensure_in_scope(report, user, "change")
    _refresh_completed(report.project)
    record_change(user, report, ChangeRecord.Action.UPDATE, before, report.project)
    return report


@transaction.atomic
def delete_report(user, report: ProgressReport) -> None:
    ensure_in_scope(report, user, "delete")
    following = (
        ProgressReport.objects.filter(project_id=report.project_id)
        .filter(year__gte=report.year)
        .exclude(year=report.year, month__lte=report.month)
        .exists()
    )
    if following:
        raise ValidationError(_("只能删除该项目最近一期的进展月报，否则后续月份的累计数将不衔接。"))
    record_change(
        user, report, ChangeRecord.Action.DELETE, history.snapshot(report), report.project
    )
    project = report.project
    from investment.services.evidence import remove_files_after_commit

    remove_files_after_commit(report.evidence.all())
    report.delete()
    _refresh_completed(project)
