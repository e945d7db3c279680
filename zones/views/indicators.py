"""Indicator list, export, entry and edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from devzone.access import get_scope, zone_allows
from devzone.pages import (
    Column,
    apply_validation_error,
    export_xlsx,
    list_context,
    set_select,
)
from zones import services
from zones.filters import IndicatorFilter
from zones.forms import IndicatorForm
from zones.models import Zone
from zones.resources import IndicatorResource
from zones.selectors import indicators_for

INDICATOR_COLUMNS = (
    Column(_("开发区"), "zone", ("zone__code",)),
    Column(_("周期"), "period", ("year", "month")),
    Column(_("工业总产值（万元）"), "output", ("gross_industrial_output",), numeric=True),
    Column(_("税收收入（万元）"), "tax", ("tax_revenue",), numeric=True),
    Column(_("固定资产投资（万元）"), "investment", ("fixed_asset_investment",), numeric=True),
    Column(_("从业人员（人）"), "employment", ("employment",), numeric=True),
    Column(_("更新时间"), "updated", ("updated_at",)),
)
INDICATOR_FILTER_FIELDS = ("zone", "period_kind", "year", "month")


def _indicator_filterset(request, action: str) -> IndicatorFilter:
    filterset = IndicatorFilter(
        request.GET, queryset=indicators_for(request.user, action), request=request
    )
    zones = Zone.objects.for_user(request.user).order_by("code").values_list("code", "name")
    set_select(filterset.form, "zone", [(c, f"{n}（{c}）") for c, n in zones], _("全部开发区"))
    filterset.form.fields["zone"].label = _("开发区")
    return filterset


@login_required
def indicator_list(request):
    """Queries: zone dropdown (1), count (1), the page (1)."""
    context = list_context(
        request,
        _indicator_filterset(request, "view"),
        INDICATOR_FILTER_FIELDS,
        INDICATOR_COLUMNS,
        "-period",
    )
    for indicator in context["page"]:
        indicator.may_change = zone_allows(request.user, "change", indicator.zone)
    context["may_add"] = get_scope(request.user).allows_anywhere("add")
    return render(request, "zones/indicator_list.html", context)


@login_required
def indicator_export(request):
    return export_xlsx(
        request,
        _indicator_filterset(request, "export"),
        INDICATOR_COLUMNS,
        "-period",
        IndicatorResource,
        str(_("开发区指标")),
    )


def _save(request, form: IndicatorForm, instance=None):
    """Hand the form's canonical values to the service; map its errors back onto the form."""
    zone, kind, year, month = form.period()
    try:
        return services.save_indicator(
            request.user, zone, kind, year, month, form.values, instance=instance
        )
    except services.DuplicatePeriod as error:
        form.duplicate = error.existing
        apply_validation_error(form, error)
    except ValidationError as error:
        apply_validation_error(form, error)
    except IntegrityError:
        form.add_error(None, gettext("该周期的指标已存在，不能重复录入；请编辑已有记录。"))
    except PermissionDenied as error:
        raise Http404 from error
    return None


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request):
    user = request.user
    if not get_scope(user).allows_anywhere("add"):
        raise Http404
    initial = {}
    if request.GET.get("zone", "").isdigit():
        initial["zone"] = int(request.GET["zone"])
    form = IndicatorForm(request.POST or None, initial=initial, user=user, zone_action="add")
    if request.method == "POST" and form.is_valid():
        indicator = _save(request, form)
        if indicator is not None:
            messages.success(
                request,
                gettext("已保存%(zone)s %(period)s的指标。")
                % {"zone": indicator.zone, "period": indicator.period_label},
            )
            return redirect(reverse("zones:indicator-list") + f"?zone={indicator.zone.code}")
    return render(request, "zones/indicator_form.html", {"form": form, "indicator": None})


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk: int):
    user = request.user
    indicator = get_object_or_404(indicators_for(user, "change"), pk=pk)
    form = IndicatorForm(request.POST or None, user=user, zone_action="change", instance=indicator)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, instance=indicator)
        if saved is not None:
            messages.success(
                request,
                gettext("已保存%(zone)s %(period)s的指标。")
                % {"zone": saved.zone, "period": saved.period_label},
            )
            return redirect(reverse("zones:indicator-list") + f"?zone={saved.zone.code}")
    return render(request, "zones/indicator_form.html", {"form": form, "indicator": indicator})
