"""Service record list, XLSX export, detail, create, edit and delete."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from devzone import history
from devzone.access import get_scope, zone_allows
from devzone.pages import Column, apply_validation_error, export_xlsx, list_context, set_select
from platforms import services
from platforms.filters import ServiceRecordFilter
from platforms.forms import ServiceRecordForm
from platforms.models import Platform
from platforms.resources import ServiceRecordResource
from platforms.selectors import service_records_for
from zones.models import Zone

SERVICE_COLUMNS = (
    Column(_("服务日期"), "served_on", ("served_on",)),
    Column(_("服务平台"), "platform", ("platform__name",)),
    Column(_("所在开发区"), "zone", ("platform__zone__code", "served_on")),
    Column(_("服务企业"), "enterprise", ("enterprise__name",)),
    Column(_("服务类别"), "category", ("category",)),
    Column(_("服务内容")),
    Column(_("服务费用（万元）"), "fee_wan", ("fee_wan",), numeric=True),
    Column(_("服务成效")),
)
SERVICE_FILTER_FIELDS = ("q", "zone", "kind", "category", "free", "served_from", "served_to")


def _service_filterset(request, action: str) -> ServiceRecordFilter:
    user = request.user
    filterset = ServiceRecordFilter(
        request.GET, queryset=service_records_for(user, action), request=request
    )
    zones = Zone.objects.for_user(user).order_by("code").values_list("code", "name")
    set_select(filterset.form, "zone", [(c, f"{n}（{c}）") for c, n in zones], _("全部开发区"))
    filterset.form.fields["zone"].label = _("开发区")
    for name in ("served_from", "served_to"):
        filterset.form.fields[name].widget.input_type = "date"
    return filterset


@login_required
def service_list(request):
    """Queries: zone dropdown (1), count (1), the page with platform/zone/enterprise joined (1);
    plus the filtered platform's name (1) when the list is for one platform."""
    context = list_context(
        request,
        _service_filterset(request, "view"),
        SERVICE_FILTER_FIELDS,
        SERVICE_COLUMNS,
        "-served_on",
    )
    for record in context["page"]:
        record.may_change = zone_allows(request.user, "change", record.platform.zone)
    context["may_add"] = get_scope(request.user).allows_anywhere("add")
    platform_id = request.GET.get("platform", "")
    context["platform"] = (
        Platform.objects.for_user(request.user).filter(pk=platform_id).first()
        if platform_id.isdigit()
        else None
    )
    return render(request, "platforms/service_list.html", context)


@login_required
def service_export(request):
    return export_xlsx(
        request,
        _service_filterset(request, "export"),
        SERVICE_COLUMNS,
        "-served_on",
        ServiceRecordResource,
        str(_("服务记录")),
    )


@login_required
def service_detail(request, pk: int):
    user = request.user
    record = get_object_or_404(service_records_for(user), pk=pk)
    zone = record.platform.zone
    return render(
        request,
        "platforms/service_detail.html",
        {
            "record": record,
            "may_change": zone_allows(user, "change", zone),
            "may_delete": zone_allows(user, "delete", zone),
            "history": history.history_rows(record),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request):
    user = request.user
    if not get_scope(user).allows_anywhere("add"):
        raise Http404
    initial = {}
    platform_id = request.GET.get("platform", "")
    if platform_id.isdigit():
        platform = Platform.objects.for_user(user, "add").filter(pk=platform_id).first()
        if platform is not None:
            initial["platform"] = platform.pk
    form = ServiceRecordForm(request.POST or None, initial=initial, user=user, zone_action="add")
    if request.method == "POST" and form.is_valid():
        try:
            record = services.create_service_record(user, form.service_data())
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, gettext("已登记服务记录。"))
            return redirect("platforms:platform-detail", pk=record.platform_id)
    return render(request, "platforms/service_form.html", {"form": form, "record": None})


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request, pk: int):
    user = request.user
    record = get_object_or_404(service_records_for(user, "change"), pk=pk)
    form = ServiceRecordForm(
        request.POST or None, instance=copy.copy(record), user=user, zone_action="change"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_service_record(user, record, form.service_data())
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, gettext("已保存服务记录。"))
            return redirect("platforms:service-detail", pk=record.pk)
    return render(request, "platforms/service_form.html", {"form": form, "record": record})


@login_required
@require_http_methods(["GET", "POST"])
def service_delete(request, pk: int):
    user = request.user
    record = get_object_or_404(service_records_for(user, "delete"), pk=pk)
    if request.method == "POST":
        platform_id = record.platform_id
        try:
            services.delete_service_record(user, record)
        except PermissionDenied as error:
            raise Http404 from error
        messages.success(request, gettext("已删除服务记录。"))
        return redirect(reverse("platforms:platform-detail", kwargs={"pk": platform_id}))
    return render(request, "platforms/service_confirm_delete.html", {"record": record})
