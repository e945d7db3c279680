"""Monthly progress reports: add, edit, and the list of reports owed or late."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from devzone.pages import page_links, paginate
from investment import selectors, services
from investment.forms import ProgressReportForm
from investment.models import report_due_date
from investment.views.common import run_service


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request, pk: int):
    user = request.user
    project = get_object_or_404(selectors.projects_for(user, "add"), pk=pk)
    initial = {}
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", request.GET.get("month", ""))
    if match and 1 <= int(match[2]) <= 12:
        initial = {"year": int(match[1]), "month": int(match[2])}
    form = ProgressReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        report = run_service(
            form,
            services.submit_report,
            user,
            project,
            form.cleaned_data["year"],
            form.cleaned_data["month"],
            form.service_data(),
        )
        if report is not None:
            messages.success(
                request, gettext("已提交%(period)s进展月报。") % {"period": report.period_label}
            )
            return redirect("investment:project-detail", pk=project.pk)
    return render(
        request, "investment/report_form.html", {"form": form, "project": project, "report": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk: int):
    user = request.user
    report = get_object_or_404(selectors.reports_for(user, "change"), pk=pk)
    form = ProgressReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, services.update_report, user, report, form.service_data())
        if saved is not None:
            messages.success(
                request, gettext("已保存%(period)s进展月报。") % {"period": saved.period_label}
            )
            return redirect("investment:project-detail", pk=report.project_id)
    return render(
        request,
        "investment/report_form.html",
        {"form": form, "project": report.project, "report": report},
    )


def _month(request) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", request.GET.get("month", ""))
    if match and 1 <= int(match[2]) <= 12 and 2000 <= int(match[1]) <= 2100:
        return int(match[1]), int(match[2])
    return selectors.previous_month()


@login_required
def reports_owed(request):
    """Projects of the user's zones missing a month's report, and that month's late reports.

    Queries: count and page of the owed projects (2), late reports (1).
    """
    year, month = _month(request)
    due = report_due_date(year, month)
    page = paginate(request, selectors.reports_owed(request.user, year, month))
    late = list(selectors.late_reports(request.user, year, month)[:200])
    return render(
        request,
        "investment/reports_owed.html",
        {
            "year": year,
            "month": month,
            "month_value": f"{year:04d}-{month:02d}",
            "due": due,
            "past_due": timezone.localdate() > due,
            "page": page,
            "page_links": page_links(page),
            "late": late,
        },
    )
