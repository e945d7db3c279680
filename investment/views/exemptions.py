"""Exemption pages (容错免责): the list and its XLSX export, one request's detail with the
decision form, the request form (from a missed milestone or an overdue item) and the decision
action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from devzone import history
from devzone.access import zone_allows
from devzone.pages import Column, export_xlsx, list_context, set_select
from investment import selectors, services
from investment.filters import ExemptionFilter
from investment.forms import DecisionForm, ExemptionForm
from investment.models import ExemptionStatus, Milestone, SupervisionItem
from investment.resources_supervision import ExemptionResource, exemptions_to_export
from investment.views.common import run_service
from investment.views.evidence import evidence_section
from zones.models import Zone

EXEMPTION_COLUMNS = (
    Column(_("申请对象")),
    Column(_("开发区"), "zone", ("zone__code",)),
    Column(_("免责理由")),
    Column(_("申请人")),
    Column(_("申请时间"), "requested", ("requested_at",)),
    Column(_("审核状态"), "status", ("status",)),
    Column(_("审核人")),
)
EXEMPTION_FILTER_FIELDS = ("zone", "status", "target")


def _exemption_filterset(request, queryset) -> ExemptionFilter:
    filterset = ExemptionFilter(request.GET, queryset=queryset)
    zones = Zone.objects.for_user(request.user).order_by("code").values_list("code", "name")
    set_select(filterset.form, "zone", [(c, f"{n}（{c}）") for c, n in zones], _("全部开发区"))
    filterset.form.fields["zone"].label = _("开发区")
    return filterset


@login_required
def exemption_list(request):
    """Queries: zones (1 dropdown), count (1), the page (1)."""
    filterset = _exemption_filterset(request, selectors.exemptions_for(request.user))
    context = list_context(
        request, filterset, EXEMPTION_FILTER_FIELDS, EXEMPTION_COLUMNS, "-requested"
    )
    return render(request, "investment/exemption_list.html", context)


@login_required
def exemption_export(request):
    """The list as XLSX, with the page's filters and order, in the ``export`` scope.

    Queries: zones (1 dropdown), the rows (1)."""
    return export_xlsx(
        request,
        _exemption_filterset(request, exemptions_to_export(request.user, "export")),
        EXEMPTION_COLUMNS,
        "-requested",
        ExemptionResource,
        str(_("容错免责申请")),
    )


@login_required
def exemption_detail(request, pk: int):
    user = request.user
    exemption = get_object_or_404(selectors.exemptions_for(user), pk=pk)
    may_decide = (
        exemption.status == ExemptionStatus.PENDING
        and zone_allows(user, "supervise", exemption.zone)
        and exemption.requested_by_id != user.pk
    )
    return render(
        request,
        "investment/exemption_detail.html",
        {
            "exemption": exemption,
            "form": DecisionForm() if may_decide else None,
            "own_request": exemption.status == ExemptionStatus.PENDING
            and exemption.requested_by_id == user.pk,
            "history": history.history_rows(exemption),
            **evidence_section(user, exemption),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exemption_create(request):
    """Request an exemption for ``?milestone=<id>`` or ``?item=<id>`` of a zone the user may
    add to; without a target the list of requests is shown."""
    user = request.user
    milestone_id, item_id = request.GET.get("milestone", ""), request.GET.get("item", "")
    if milestone_id.isdigit():
        target = get_object_or_404(
            Milestone.objects.for_user(user, "add").select_related("project", "project__zone"),
            pk=int(milestone_id),
        )
        data = {"milestone": target}
    elif item_id.isdigit():
        target = get_object_or_404(
            SupervisionItem.objects.for_user(user, "add").select_related("zone"), pk=int(item_id)
        )
        data = {"item": target}
    else:
        return redirect("investment:exemption-list")
    form = ExemptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        exemption = run_service(
            form, services.request_exemption, user, {**data, **form.cleaned_data}
        )
        if exemption is not None:
            messages.success(request, gettext("已提交容错免责申请，等待督查人员审核。"))
            return redirect("investment:exemption-detail", pk=exemption.pk)
    return render(
        request,
        "investment/exemption_form.html",
        {"form": form, "target": target, "is_milestone": isinstance(target, Milestone)},
    )


@login_required
@require_POST
def exemption_decide(request, pk: int):
    """Approve or reject; the requester, zone users and read-only roles are refused (403)."""
    user = request.user
    exemption = get_object_or_404(selectors.exemptions_for(user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择审核结论。"))
        return redirect("investment:exemption-detail", pk=exemption.pk)
    try:
        decided = services.decide_exemption(
            user,
            exemption,
            form.cleaned_data["decision"] == "approve",
            form.cleaned_data.get("note") or "",
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("investment:exemption-detail", pk=exemption.pk)
    messages.success(request, gettext("容错免责申请%(s)s。") % {"s": decided.get_status_display()})
    return redirect("investment:exemption-detail", pk=exemption.pk)
