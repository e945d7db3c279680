"""Enterprise list, export, detail, create, edit and delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from devzone import history
from devzone.access import get_scope, zone_allows
from devzone.pages import (
    Column,
    apply_validation_error,
    export_xlsx,
    list_context,
    set_select,
)
from zones import services
from zones.filters import EnterpriseFilter
from zones.forms import EnterpriseForm
from zones.models import Industry, Zone
from zones.resources import EnterpriseResource
from zones.selectors import enterprises_for

ENTERPRISE_COLUMNS = (
    Column(_("企业名称"), "name", ("name",)),
    Column(_("统一社会信用代码"), "credit_code", ("credit_code",)),
    Column(_("所在开发区"), "zone", ("zone__code", "name")),
    Column(_("所属产业"), "industry", ("industry__code",)),
    Column(_("产业链环节")),
    Column(_("规模以上")),
    Column(_("龙头企业")),
    Column(_("用地面积（亩）"), "land_area_mu", ("land_area_mu",), numeric=True),
    Column(_("成立日期"), "established_on", ("established_on",)),
)
ENTERPRISE_FILTER_FIELDS = (
    "q",
    "zone",
    "industry",
    "chain_position",
    "above_designated_size",
    "leading",
)


def _enterprise_filterset(request, action: str) -> EnterpriseFilter:
    user = request.user
    filterset = EnterpriseFilter(
        request.GET, queryset=enterprises_for(user, action), request=request
    )
    zones = Zone.objects.for_user(user).order_by("code").values_list("code", "name")
    set_select(filterset.form, "zone", [(c, f"{n}（{c}）") for c, n in zones], _("全部开发区"))
    filterset.form.fields["zone"].label = _("开发区")
    industries = Industry.objects.order_by("code").values_list("code", "name")
    set_select(filterset.form, "industry", list(industries), _("全部产业"))
    filterset.form.fields["industry"].label = _("产业")
    return filterset


@login_required
def enterprise_list(request):
    """Queries: zone and industry dropdowns (2), count (1), the page (1)."""
    context = list_context(
        request,
        _enterprise_filterset(request, "view"),
        ENTERPRISE_FILTER_FIELDS,
        ENTERPRISE_COLUMNS,
        "zone",
    )
    for enterprise in context["page"]:
        enterprise.may_change = zone_allows(request.user, "change", enterprise.zone)
    context["may_add"] = get_scope(request.user).allows_anywhere("add")
    return render(request, "zones/enterprise_list.html", context)


@login_required
def enterprise_export(request):
    return export_xlsx(
        request,
        _enterprise_filterset(request, "export"),
        ENTERPRISE_COLUMNS,
        "zone",
        EnterpriseResource,
        str(_("企业")),
    )


@login_required
def enterprise_detail(request, pk: int):
    enterprise = get_object_or_404(enterprises_for(request.user), pk=pk)
    return render(
        request,
        "zones/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "may_change": zone_allows(request.user, "change", enterprise.zone),
            "may_delete": zone_allows(request.user, "delete", enterprise.zone),
            "history": history.history_rows(enterprise),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_create(request):
    user = request.user
    if not get_scope(user).allows_anywhere("add"):
        raise Http404
    initial = {}
    if request.GET.get("zone", "").isdigit():
        initial["zone"] = int(request.GET["zone"])
    form = EnterpriseForm(request.POST or None, initial=initial, user=user, zone_action="add")
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.create_enterprise(user, form.service_data())
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, gettext("已新增企业“%(name)s”。") % {"name": enterprise.name})
            return redirect("zones:enterprise-detail", pk=enterprise.pk)
    return render(request, "zones/enterprise_form.html", {"form": form, "enterprise": None})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request, pk: int):
    user = request.user
    enterprise = get_object_or_404(enterprises_for(user, "change"), pk=pk)
    form = EnterpriseForm(
        request.POST or None, instance=enterprise, user=user, zone_action="change"
    )
    title = form.initial.get("name", "")
    if request.method == "POST" and form.is_valid():
        try:
            services.update_enterprise(user, enterprise, form.service_data())
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, gettext("已保存企业“%(name)s”。") % {"name": enterprise.name})
            return redirect("zones:enterprise-detail", pk=enterprise.pk)
    return render(
        request,
        "zones/enterprise_form.html",
        {"form": form, "enterprise": enterprise, "title": title},
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_delete(request, pk: int):
    user = request.user
    enterprise = get_object_or_404(enterprises_for(user, "delete"), pk=pk)
    if request.method == "POST":
        try:
            services.delete_enterprise(user, enterprise)
        except PermissionDenied as error:
            raise Http404 from error
        except ProtectedError:
            messages.error(request, gettext("该企业仍被其他记录引用，不能删除。"))
            return redirect("zones:enterprise-detail", pk=enterprise.pk)
        messages.success(request, gettext("已删除企业“%(name)s”。") % {"name": enterprise.name})
        return redirect(reverse("zones:enterprise-list") + f"?zone={enterprise.zone.code}")
    return render(request, "zones/enterprise_confirm_delete.html", {"enterprise": enterprise})
