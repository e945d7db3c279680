"""Project list, export, pipeline board, detail, create, edit, delete and stage transition."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from devzone.access import get_scope, zone_allows
from devzone.pages import Column, export_xlsx, list_context, set_select
from investment import selectors, services
from investment.filters import ProjectFilter
from investment.forms import ProjectCreateForm, ProjectForm, TransitionForm, zone_members
from investment.models import Exemption, MilestoneReschedule, ProjectStage
from investment.resources import ProjectResource
from investment.views.common import run_service
from investment.views.evidence import add_evidence_counts
from investment.views.supervision import supervision_context
from zones.models import Industry, Zone
from zones.selectors import zones_for

PROJECT_COLUMNS = (
    Column(_("项目编号"), "code", ("code",)),
    Column(_("项目名称"), "name", ("name",)),
    Column(_("所属开发区"), "zone", ("zone__code",)),
    Column(_("阶段"), "stage", ("stage",)),
    Column(_("招商方式"), "mode", ("promotion_mode",)),
    Column(_("产业")),
    Column(_("计划总投资（万元）"), "investment", ("planned_investment",), numeric=True),
    Column(_("累计完成（万元）"), "completed", ("completed_investment",), numeric=True),
    Column(_("项目负责人")),
    Column(_("进入阶段日期"), "since", ("stage_since",)),
)
# Above this many zones in scope the zone filter is a text field for the zone code.
ZONE_SELECT_LIMIT = 300
# The list counts at most this many projects ("共 10000+ 条", 200 pages); an exact COUNT(*) of a
# national administrator's million projects alone would take most of the page's time budget.
PROJECT_COUNT_CAP = 10_000
PROJECT_FILTER_FIELDS = (
    "q",
    "zone",
    "stage",
    "promotion_mode",
    "industry",
    "serves_leading_industry",
    "lead",
    "overdue",
)


def _project_filterset(request, action: str) -> ProjectFilter:
    user = request.user
    filterset = ProjectFilter(
        request.GET, queryset=selectors.projects_for(user, action), request=request
    )
    form = filterset.form
    zones = Zone.objects.for_user(user)
    choices = list(zones.order_by("code").values_list("code", "name")[: ZONE_SELECT_LIMIT + 1])
    if len(choices) <= ZONE_SELECT_LIMIT:
        set_select(form, "zone", [(c, f"{n}（{c}）") for c, n in choices], _("全部开发区"))
    else:  # a national scope: a dropdown of thousands of zones is slow and unusable
        form.fields["zone"].widget.attrs["placeholder"] = _("开发区编码")
    form.fields["zone"].label = _("开发区")
    industries = Industry.objects.order_by("code").values_list("code", "name")
    set_select(form, "industry", list(industries), _("全部产业"))
    form.fields["industry"].label = _("产业")
    leads = [
        (str(u.pk), u.get_full_name() or u.get_username())
        for u in zone_members(zones.values("pk"))[:500]
    ]
    set_select(form, "lead", leads, _("全部负责人"))
    return filterset


@login_required
def project_list(request):
    """Queries: zones, industries, leads (3 dropdowns), count (1), the page (1)."""
    filterset = _project_filterset(request, "view")
    context = list_context(
        request,
        filterset,
        PROJECT_FILTER_FIELDS,
        PROJECT_COLUMNS,
        "-since",
        count_cap=PROJECT_COUNT_CAP,
    )
    for project in context["page"]:
        project.may_change = zone_allows(request.user, "change", project.zone)
    context["may_add"] = get_scope(request.user).allows_anywhere("add")
    zone_code = request.GET.get("zone", "")
    context["board_zone"] = (
        Zone.objects.for_user(request.user).filter(code=zone_code).first() if zone_code else None
    )
    return render(request, "investment/project_list.html", context)


@login_required
def project_export(request):
    return export_xlsx(
        request,
        _project_filterset(request, "export"),
        PROJECT_COLUMNS,
        "-since",
        ProjectResource,
        str(_("招商项目")),
    )


@login_required
def project_board(request, pk: int):
    """The pipeline of one zone: a column per stage with its count and planned investment."""
    zone = get_object_or_404(zones_for(request.user), pk=pk)
    columns = selectors.board_columns(request.user, zone)
    return render(
        request,
        "investment/project_board.html",
        {
            "zone": zone,
            "columns": columns,
            "total": sum(c["count"] for c in columns),
            "may_add": zone_allows(request.user, "add", zone),
        },
    )


@login_required
def project_detail(request, pk: int):
    user = request.user
    project = get_object_or_404(selectors.projects_for(user).select_related("enterprise"), pk=pk)
    transitions = list(project.transitions.select_related("user").order_by("date", "pk"))
    milestones = list(
        project.milestones.select_related("owner").prefetch_related(
            Prefetch(
                "reschedules",
                queryset=MilestoneReschedule.objects.select_related("user").order_by("at", "pk"),
            )
        )
    )
    reports = list(project.reports.select_related("submitted_by").order_by("-year", "-month"))
    add_evidence_counts(milestones, reports[:24])
    promise = project.promises.order_by("-created_at", "-pk").first()
    may_change = zone_allows(user, "change", project.zone)
    return render(
        request,
        "investment/project_detail.html",
        {
            "project": project,
            "transitions": transitions,
            "durations": services.stage_durations(project, transitions),
            "promise": promise,
            "milestones": milestones,
            "reports": reports[:24],
            "report_count": len(reports),
            "timeline": selectors.project_timeline(project, milestones, reports),
            "may_change": may_change,
            "may_add": zone_allows(user, "add", project.zone),
            "may_delete": zone_allows(user, "delete", project.zone),
            "is_active": project.is_active,
            **supervision_context(user, project, milestones),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    user = request.user
    if not get_scope(user).allows_anywhere("add"):
        raise Http404
    initial = {}
    if request.GET.get("zone", "").isdigit():
        initial["zone"] = int(request.GET["zone"])
    form = ProjectCreateForm(request.POST or None, initial=initial, user=user, zone_action="add")
    if request.method == "POST" and form.is_valid():
        project = run_service(
            form,
            services.create_project,
            user,
            form.service_data(),
            start_stage=form.cleaned_data.get("start_stage") or ProjectStage.LEAD,
            start_date=form.cleaned_data.get("start_date"),
            promises=form.promises(),
        )
        if project is not None:
            messages.success(
                request,
                gettext("已新增招商项目“%(name)s”，编号 %(code)s。")
                % {"name": project.name, "code": project.code},
            )
            return redirect("investment:project-detail", pk=project.pk)
    return render(request, "investment/project_form.html", {"form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    user = request.user
    project = get_object_or_404(selectors.projects_for(user, "change"), pk=pk)
    form = ProjectForm(request.POST or None, instance=project, user=user, zone_action="change")
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, services.update_project, user, project, form.service_data())
        if saved is not None:
            messages.success(request, gettext("已保存招商项目“%(name)s”。") % {"name": saved.name})
            return redirect("investment:project-detail", pk=project.pk)
    return render(request, "investment/project_form.html", {"form": form, "project": project})


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request, pk: int):
    """Confirm, then delete a project with everything hanging on it (``services.delete_project``
    decides; its refusal is shown on the page). Only users who may ``delete`` in the project's
    zone find the project here; everyone else gets a 404."""
    user = request.user
    project = get_object_or_404(selectors.projects_for(user, "delete"), pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        name, code = project.name, project.code
        try:
            services.delete_project(user, project)
        except ValidationError as error:
            errors = error.messages
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(
                request,
                gettext("已删除招商项目“%(name)s”（%(code)s）。") % {"name": name, "code": code},
            )
            return redirect("investment:project-list")
    counts = {
        "milestones": project.milestones.count(),
        "reports": project.reports.count(),
        "items": project.supervision_items.count(),
        "exemptions": Exemption.objects.filter(
            Q(milestone__project=project) | Q(item__project=project)
        ).count(),
    }
    return render(
        request,
        "investment/project_delete.html",
        {"project": project, "counts": counts, "errors": errors},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_transition(request, pk: int):
    user = request.user
    project = get_object_or_404(selectors.projects_for(user, "change"), pk=pk)
    form = TransitionForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = run_service(
            form,
            services.transition,
            user,
            project,
            data["to_stage"],
            data["date"],
            note=data.get("note") or "",
            reason=data.get("reason") or "",
            promises=form.promises(),
            enterprise=data.get("enterprise"),
        )
        if row is not None:
            messages.success(
                request,
                gettext("项目已进入“%(stage)s”阶段。") % {"stage": row.get_to_stage_display()},
            )
            return redirect("investment:project-detail", pk=project.pk)
    return render(
        request,
        "investment/project_transition.html",
        {"form": form, "project": project, "signed": ProjectStage.SIGNED},
    )
