"""Milestone add, edit, reschedule and complete (路线图/时刻表)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from investment import selectors, services
from investment.forms import CompleteForm, MilestoneForm, RescheduleForm
from investment.models import Milestone
from investment.views.common import run_service


def _done(request, milestone: Milestone, message: str):
    messages.success(request, message % {"title": milestone.title})
    return redirect("investment:project-detail", pk=milestone.project_id)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_create(request, pk: int):
    user = request.user
    project = get_object_or_404(selectors.projects_for(user, "add"), pk=pk)
    form = MilestoneForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        milestone = run_service(form, services.create_milestone, user, project, form.service_data())
        if milestone is not None:
            return _done(request, milestone, gettext("已新增节点“%(title)s”。"))
    return render(
        request,
        "investment/milestone_form.html",
        {"form": form, "project": project, "milestone": None, "mode": "create"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, pk: int):
    user = request.user
    milestone = get_object_or_404(selectors.milestones_for(user, "change"), pk=pk)
    form = MilestoneForm(request.POST or None, instance=milestone, project=milestone.project)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, services.update_milestone, user, milestone, form.service_data())
        if saved is not None:
            return _done(request, saved, gettext("已保存节点“%(title)s”。"))
    return render(
        request,
        "investment/milestone_form.html",
        {"form": form, "project": milestone.project, "milestone": milestone, "mode": "edit"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_reschedule(request, pk: int):
    user = request.user
    milestone = get_object_or_404(selectors.milestones_for(user, "change"), pk=pk)
    form = RescheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            services.reschedule_milestone,
            user,
            milestone,
            form.cleaned_data["planned_date"],
            form.cleaned_data["reason"],
        )
        if saved is not None:
            return _done(request, saved, gettext("已调整节点“%(title)s”的计划日期。"))
    return render(
        request,
        "investment/milestone_form.html",
        {
            "form": form,
            "project": milestone.project,
            "milestone": milestone,
            "mode": "reschedule",
            "reschedules": milestone.reschedules.select_related("user").order_by("at"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_complete(request, pk: int):
    user = request.user
    milestone = get_object_or_404(selectors.milestones_for(user, "change"), pk=pk)
    form = CompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            services.complete_milestone,
            user,
            milestone,
            form.cleaned_data["actual_date"],
            form.cleaned_data.get("note") or "",
        )
        if saved is not None:
            return _done(request, saved, gettext("节点“%(title)s”已完成。"))
    return render(
        request,
        "investment/milestone_form.html",
        {"form": form, "project": milestone.project, "milestone": milestone, "mode": "complete"},
    )
