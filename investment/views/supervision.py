"""Supervision pages (督查督办): the inbox and its XLSX export, an item's detail with its step
timeline and the buttons the user may press, the raise form, the step action and the my-work
page. Correcting a raised item is in ``investment.views.supervision_edit``.

Every read starts from ``investment.selectors`` (``for_user``); every write goes through
``investment.services``, which decides who may take which step.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from devzone import history
from devzone.access import get_scope, zone_allows
from devzone.pages import (
    Column,
    apply_sort,
    filter_form_fields,
    page_links,
    paginate,
    set_select,
    xlsx_response,
)
from investment import selectors, services
from investment.filters import SupervisionItemFilter
from investment.forms import StepForm, SupervisionItemForm, ZonePickForm
from investment.models import (
    WARNING_CSS,
    Exemption,
    ExemptionStatus,
    Milestone,
    Project,
    StepKind,
    WarningColour,
)
from investment.resources_supervision import SupervisionItemResource
from investment.services.supervision import awaits_zone, milestone_missed
from investment.views.common import run_service
from zones.models import Zone

ITEM_COLUMNS = (
    Column(_("预警"), "colour", ("colour_order",)),
    Column(_("督办事项"), "title", ("title",)),
    Column(_("开发区"), "zone", ("zone__code",)),
    Column(_("关联项目")),
    Column(_("承办人")),
    Column(_("办理状态"), "status", ("status",)),
    Column(_("办理时限"), "deadline", ("deadline",)),
)
ITEM_FILTER_FIELDS = ("q", "zone", "colour", "status", "source")
COLOUR_CSS = WARNING_CSS
STEP_BUTTONS = {
    StepKind.ACKNOWLEDGE: ("btn-primary", "check2-square"),
    StepKind.START: ("btn-primary", "play-circle"),
    StepKind.FEEDBACK: ("btn-primary", "reply"),
    StepKind.REVIEW: ("btn-primary", "search"),
    StepKind.RETURN: ("btn-outline-danger", "arrow-counterclockwise"),
    StepKind.CLOSE: ("btn-success", "check2-circle"),
}


def _item_filterset(request, data, action: str = "view") -> SupervisionItemFilter:
    user = request.user
    filterset = SupervisionItemFilter(
        data, queryset=selectors.items_for(user, action), request=request
    )
    zones = Zone.objects.for_user(user).order_by("code").values_list("code", "name")
    set_select(filterset.form, "zone", [(c, f"{n}（{c}）") for c, n in zones], _("全部开发区"))
    filterset.form.fields["zone"].label = _("开发区")
    return filterset


def _inbox_rows(request, filterset):
    """The inbox's rows in the page's order: a whitelisted ``sort``, else the selector's
    (awaiting the user, colour, deadline)."""
    rows, headers = apply_sort(request, filterset.qs, ITEM_COLUMNS, "colour")
    if not request.GET.get("sort"):
        rows = filterset.qs
        for header in headers:
            header["state"] = ""
    return rows, headers


@login_required
def supervision_inbox(request):
    """Items in the user's scope, those waiting for the user first, then by colour and deadline.

    Queries: zones (1 dropdown), colour counts (1), count (1), the page (1).
    """
    filterset = _item_filterset(request, request.GET)
    rows, headers = _inbox_rows(request, filterset)
    page = paginate(request, rows)
    without_colour = request.GET.copy()
    without_colour.pop("colour", None)
    counts = selectors.colour_counts(_item_filterset(request, without_colour).qs)
    colour_links = []
    for value, label in WarningColour.choices:
        params = without_colour.copy()
        params.pop("page", None)
        params["colour"] = value
        colour_links.append(
            {
                "value": value,
                "label": label,
                "count": counts[value],
                "css": COLOUR_CSS[value],
                "url": "?" + params.urlencode(),
                "active": request.GET.get("colour") == value,
            }
        )
    return render(
        request,
        "investment/supervision_inbox.html",
        {
            "page": page,
            "page_links": page_links(page),
            "headers": headers,
            "filter_fields": filter_form_fields(filterset, ITEM_FILTER_FIELDS),
            "colour_links": colour_links,
            "colour_css": COLOUR_CSS,
            "may_raise": get_scope(request.user).allows_anywhere("supervise"),
        },
    )


@login_required
def supervision_export(request):
    """The inbox as XLSX: the same filters, order and scope (``export``) as the page, all pages.

    Queries: zones (1 dropdown), the rows (1).
    """
    filterset = _item_filterset(request, request.GET, "export")
    rows, _headers = _inbox_rows(request, filterset)
    title = str(_("督办事项"))
    dataset = SupervisionItemResource(user=request.user).export(
        queryset=rows, force_native_type=True
    )
    dataset.title = title
    return xlsx_response(dataset, title)


def _step_buttons(kinds: list[str]) -> list[dict[str, str]]:
    labels = dict(StepKind.choices)
    return [
        {"kind": k, "label": labels[k], "css": STEP_BUTTONS[k][0], "icon": STEP_BUTTONS[k][1]}
        for k in kinds
    ]


@login_required
def supervision_detail(request, pk: int):
    user = request.user
    item = get_object_or_404(selectors.items_for(user), pk=pk)
    exemptions = list(
        Exemption.objects.filter(item=item).select_related("requested_by", "decided_by")
    )
    open_exemption = any(
        e.status in (ExemptionStatus.PENDING, ExemptionStatus.APPROVED) for e in exemptions
    )
    return render(
        request,
        "investment/supervision_detail.html",
        {
            "item": item,
            "steps": selectors.item_steps(item),
            "buttons": _step_buttons(services.allowed_steps(user, item, item.zone)),
            "form": StepForm(),
            "colour_css": COLOUR_CSS.get(item.warning, "secondary"),
            "awaits_zone": awaits_zone(item),
            "may_edit": not item.is_closed and zone_allows(user, "supervise", item.zone),
            "exemptions": exemptions,
            "may_request_exemption": (
                item.is_overdue and not open_exemption and zone_allows(user, "add", item.zone)
            ),
            "history": history.history_rows(item),
        },
    )


@login_required
@require_POST
def supervision_step(request, pk: int):
    """Take one step of the loop; a refused step leaves the item unchanged and says why."""
    user = request.user
    item = get_object_or_404(selectors.items_for(user), pk=pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("办理环节无效。"))
        return redirect("investment:supervision-detail", pk=item.pk)
    data = form.cleaned_data
    try:
        step = services.supervision_step(
            user, item, data["step"], note=data.get("note") or "", feedback=data.get("feedback")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("investment:supervision-detail", pk=item.pk)
    messages.success(
        request,
        gettext("已%(step)s，当前状态：%(status)s。")
        % {"step": step.get_kind_display(), "status": step.get_to_status_display()},
    )
    return redirect("investment:supervision-detail", pk=item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def supervision_create(request):
    """Raise an item: from a project (``?project=``), a zone (``?zone=``) or after picking one."""
    user = request.user
    if not get_scope(user).allows_anywhere("supervise"):
        raise Http404
    project = zone = None
    project_id, zone_id = request.GET.get("project", ""), request.GET.get("zone", "")
    if project_id.isdigit():
        project = get_object_or_404(
            Project.objects.for_user(user, "supervise").select_related("zone"), pk=int(project_id)
        )
        zone = project.zone
    elif zone_id.isdigit():
        zone = get_object_or_404(Zone.objects.for_user(user, "supervise"), pk=int(zone_id))
    if zone is None:
        return render(
            request, "investment/supervision_form.html", {"pick": ZonePickForm(user=user)}
        )
    form = SupervisionItemForm(request.POST or None, zone=zone, project=project)
    if request.method == "POST" and form.is_valid():
        item = run_service(
            form,
            services.raise_item,
            user,
            form.service_data(),
            note=form.cleaned_data.get("note") or "",
        )
        if item is not None:
            messages.success(request, gettext("已交办督办事项“%(t)s”。") % {"t": item.title})
            return redirect("investment:supervision-detail", pk=item.pk)
    return render(
        request,
        "investment/supervision_form.html",
        {"form": form, "zone": zone, "project": project},
    )


@login_required
def my_work(request):
    """The user's own work: projects, milestones due or overdue, reports owed, items assigned.

    Queries: 2 per list (rows and count), plus the user's scope.
    """
    context = selectors.my_work(request.user)
    context["colour_css"] = COLOUR_CSS
    return render(request, "investment/my_work.html", context)


def supervision_context(user, project: Project, milestones: list[Milestone]) -> dict[str, object]:
    """What the project detail page shows of supervision: the project's items, whether the user
    may raise one, and on each missed milestone its exemption state (``m.exemption``) and
    whether the user may request one (``m.may_request_exemption``). Queries: items (1),
    exemptions (1)."""
    may_add = zone_allows(user, "add", project.zone)
    states: dict[int, str] = {}
    if milestones:
        for milestone_id, status in (
            Exemption.objects.filter(milestone__in=[m.pk for m in milestones])
            .order_by("requested_at", "pk")
            .values_list("milestone_id", "status")
        ):
            if states.get(milestone_id) != ExemptionStatus.APPROVED:
                states[milestone_id] = status
    labels = dict(ExemptionStatus.choices)
    for m in milestones:
        state = states.get(m.pk, "")
        m.exemption = labels.get(state, "")
        m.exemption_status = state
        m.may_request_exemption = (
            may_add
            and milestone_missed(m)
            and state not in (ExemptionStatus.PENDING, ExemptionStatus.APPROVED)
        )
    items = list(selectors.items_for(user).filter(project=project)[:20])
    return {
        "supervision_items": items,
        "colour_css": COLOUR_CSS,
        "may_supervise": zone_allows(user, "supervise", project.zone),
    }
