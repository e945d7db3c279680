"""Platform list, XLSX export, detail, create, edit and delete."""

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
from platforms.filters import PlatformFilter
from platforms.forms import PlatformForm
from platforms.resources import PlatformResource
from platforms.selectors import platforms_for, platforms_with_reach, window_start
from zones.models import Zone

PLATFORM_COLUMNS = (
    Column(_("平台名称"), "name", ("name",)),
    Column(_("所在开发区"), "zone", ("zone__code", "kind", "name")),
    Column(_("平台类型"), "kind", ("kind", "sub_kind")),
    Column(_("平台子类"), "sub_kind", ("sub_kind",)),
    Column(_("平台级别"), "level", ("level",)),
    Column(_("运营状态"), "status", ("status",)),
    Column(_("服务首位产业")),
    Column(_("成立（认定）日期"), "established_on", ("established_on",)),
    Column(_("近12个月服务企业"), "enterprises_12m", ("enterprises_12m",), numeric=True),
)
PLATFORM_FILTER_FIELDS = (
    "q",
    "zone",
    "kind",
    "sub_kind",
    "level",
    "status",
    "serves_leading_industry",
)


def _platform_filterset(request, action: str) -> PlatformFilter:
    user = request.user
    filterset = PlatformFilter(
        request.GET, queryset=platforms_with_reach(user, action), request=request
    )
    zones = Zone.objects.for_user(user).order_by("code").values_list("code", "name")
    set_select(filterset.form, "zone", [(c, f"{n}（{c}）") for c, n in zones], _("全部开发区"))
    filterset.form.fields["zone"].label = _("开发区")
    return filterset


@login_required
def platform_list(request):
    """Queries: zone dropdown (1), count (1), the page with reach annotated (1)."""
    context = list_context(
        request,
        _platform_filterset(request, "view"),
        PLATFORM_FILTER_FIELDS,
        PLATFORM_COLUMNS,
        "zone",
    )
    for platform in context["page"]:
        platform.may_change = zone_allows(request.user, "change", platform.zone)
    context["may_add"] = get_scope(request.user).allows_anywhere("add")
    context["since"] = window_start()
    return render(request, "platforms/platform_list.html", context)


@login_required
def platform_export(request):
    return export_xlsx(
        request,
        _platform_filterset(request, "export"),
        PLATFORM_COLUMNS,
        "zone",
        PlatformResource,
        str(_("服务平台")),
    )


@login_required
def platform_detail(request, pk: int):
    user = request.user
    platform = get_object_or_404(platforms_with_reach(user), pk=pk)
    records = list(
        platform.service_records.select_related("enterprise").order_by("-served_on", "-pk")[:50]
    )
    return render(
        request,
        "platforms/platform_detail.html",
        {
            "platform": platform,
            "records": records,
            "since": window_start(),
            "may_change": zone_allows(user, "change", platform.zone),
            "may_delete": zone_allows(user, "delete", platform.zone),
            "may_add_record": zone_allows(user, "add", platform.zone),
            "history": history.history_rows(platform),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def platform_create(request):
    user = request.user
    if not get_scope(user).allows_anywhere("add"):
        raise Http404
    initial = {}
    if request.GET.get("zone", "").isdigit():
        initial["zone"] = int(request.GET["zone"])
    for key in ("kind", "sub_kind"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    form = PlatformForm(request.POST or None, initial=initial, user=user, zone_action="add")
    if request.method == "POST" and form.is_valid():
        try:
            platform = services.create_platform(user, form.service_data())
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, gettext("已新增平台“%(name)s”。") % {"name": platform.name})
            return redirect("platforms:platform-detail", pk=platform.pk)
    return render(request, "platforms/platform_form.html", {"form": form, "platform": None})


@login_required
@require_http_methods(["GET", "POST"])
def platform_edit(request, pk: int):
    user = request.user
    platform = get_object_or_404(platforms_for(user, "change"), pk=pk)
    # The form validates a copy: the service must see the stored values to record the history.
    form = PlatformForm(
        request.POST or None, instance=copy.copy(platform), user=user, zone_action="change"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_platform(user, platform, form.service_data())
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, gettext("已保存平台“%(name)s”。") % {"name": platform.name})
            return redirect("platforms:platform-detail", pk=platform.pk)
    return render(request, "platforms/platform_form.html", {"form": form, "platform": platform})


@login_required
@require_http_methods(["GET", "POST"])
def platform_delete(request, pk: int):
    user = request.user
    platform = get_object_or_404(platforms_for(user, "delete"), pk=pk)
    if request.method == "POST":
        try:
            services.delete_platform(user, platform)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("platforms:platform-detail", pk=platform.pk)
        messages.success(request, gettext("已删除平台“%(name)s”。") % {"name": platform.name})
        return redirect(reverse("platforms:platform-list") + f"?zone={platform.zone.code}")
    return render(request, "platforms/platform_confirm_delete.html", {"platform": platform})
