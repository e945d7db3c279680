"""The investment funnel page (招商漏斗) and its XLSX export.

Both read ``investment.funnel.funnel`` over the user's own projects, narrowed by the GET
filters (prefecture, zone, start year, promotion mode). The prefecture and zone choices are
only those the user may view; another zone's code is refused as an invalid choice, and then the
page shows the error and no figures, and the export answers 400.
"""

from __future__ import annotations

from typing import Any

import tablib
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from devzone.imports_values import escape_formula
from devzone.pages import style_form, xlsx_response
from investment import selectors
from investment.funnel import funnel
from investment.models import ProjectStage, PromotionMode
from zones.models import Prefecture, Zone

FILTER_FIELDS = ("prefecture", "zone", "year", "promotion_mode")


class FunnelFilterForm(forms.Form):
    """The funnel's filters; every choice of place is limited to the user's view scope."""

    prefecture = forms.ModelChoiceField(
        queryset=Prefecture.objects.none(), to_field_name="code", required=False, label=_("市州")
    )
    zone = forms.ModelChoiceField(
        queryset=Zone.objects.none(), to_field_name="code", required=False, label=_("开发区")
    )
    year = forms.IntegerField(
        min_value=1990,
        max_value=2100,
        required=False,
        label=_("录入年份"),
    )
    promotion_mode = forms.ChoiceField(
        choices=[("", ""), *PromotionMode.choices], required=False, label=_("招商方式")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].queryset = Prefecture.objects.for_user(user, "view").order_by(
            "code"
        )
        self.fields["zone"].queryset = Zone.objects.for_user(user, "view").order_by("code")
        self.fields["zone"].label_from_instance = lambda z: f"{z.name}（{z.code}）"
        style_form(self, compact=True)
        self.fields["prefecture"].empty_label = _("全部市州")
        self.fields["zone"].empty_label = _("全部开发区")
        self.fields["promotion_mode"].choices = [("", _("全部招商方式")), *PromotionMode.choices]
        self.fields["year"].widget.attrs["placeholder"] = _("全部年份")


def _filtered(request, action: str) -> tuple[FunnelFilterForm, dict[str, Any] | None]:
    """The bound filter form and the funnel of the user's projects it selects (None if the
    filters are invalid). Queries: scope (1, cached per request), the chosen prefecture and
    zone (1 each, only when given), the funnel (2)."""
    user = request.user
    form = FunnelFilterForm(request.GET, user=user)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    projects = selectors.projects_for(user, action)
    if data["prefecture"] is not None:
        projects = projects.filter(zone__prefecture=data["prefecture"])
    if data["zone"] is not None:
        projects = projects.filter(zone=data["zone"])
    if data["promotion_mode"]:
        projects = projects.filter(promotion_mode=data["promotion_mode"])
    return form, funnel(projects, year=data["year"])


def _percent(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100, 1)


def _scope_label(form: FunnelFilterForm) -> str:
    data = form.cleaned_data
    parts = [str(data[name]) for name in ("prefecture", "zone") if data.get(name) is not None]
    if data.get("promotion_mode"):
        parts.append(str(PromotionMode(data["promotion_mode"]).label))
    if data.get("year"):
        parts.append(gettext("%(year)s 年录入") % {"year": data["year"]})
    return " · ".join(parts) or gettext("您可查看的全部项目")


@login_required
def project_funnel(request):
    """Queries: scope (1), the prefecture and zone dropdowns (2), a chosen prefecture and zone
    (1 each), the funnel (2) — the same for one project or thousands."""
    form, result = _filtered(request, "view")
    context: dict[str, Any] = {
        "form": form,
        "result": result,
        "filter_fields": [form[name] for name in FILTER_FIELDS],
        "export_url": reverse("investment:funnel-export") if result is not None else "",
    }
    if result is not None:
        top = max(result["stages"][0]["reached"], 1)
        context.update(
            scope_label=_scope_label(form),
            meter_max=top,
            stages=[{**s, "conversion_pct": _percent(s["conversion"])} for s in result["stages"]],
            modes=[
                {**m, "signed_to_production_pct": _percent(m["signed_to_production"])}
                for m in result["modes"]
                if m["total"]["count"]
            ],
            signed_to_production_pct=_percent(result["signed_to_production"]),
        )
    return render(request, "investment/project_funnel.html", context)


def _cell(text: Any) -> str:
    """A text cell a spreadsheet will not run as a formula (labels and names can be user data)."""
    return escape_formula(str(text))


def funnel_workbook(result: dict[str, Any], scope_label: str) -> tablib.Databook:
    """The two tables of the page (stages; promotion modes × stages) and the filters used."""
    stage_sheet = tablib.Dataset(
        headers=[
            gettext("阶段"),
            gettext("到达项目数"),
            gettext("当前处于该阶段"),
            gettext("到达项目计划总投资（万元）"),
            gettext("较上一阶段转化率（%）"),
            gettext("距上一阶段天数中位数"),
            gettext("由该阶段终止"),
        ],
        title=gettext("招商漏斗"),
    )
    for s in result["stages"]:
        stage_sheet.append(
            [
                _cell(s["label"]),
                s["reached"],
                s["at_stage"],
                s["investment"],
                _percent(s["conversion"]),
                s["median_days"],
                s["terminated"],
            ]
        )
    terminated = result["terminated"]
    stage_sheet.append(
        [
            _cell(str(ProjectStage.TERMINATED.label)),
            None,
            terminated["count"],
            terminated["investment"],
            None,
            None,
            None,
        ]
    )
    labels = [_cell(s["label"]) for s in result["stages"]]
    mode_sheet = tablib.Dataset(
        headers=[
            gettext("招商方式"),
            *labels,
            gettext("终止"),
            gettext("签约→投产转化率（%）"),
        ],
        title=gettext("按招商方式"),
    )
    for m in result["modes"]:
        mode_sheet.append(
            [
                _cell(m["label"]),
                *[s["reached"] for s in m["stages"]],
                m["terminated"]["count"],
                _percent(m["signed_to_production"]),
            ]
        )
    filters = tablib.Dataset(headers=[gettext("项目"), gettext("内容")], title=gettext("筛选条件"))
    filters.append([_cell(gettext("范围")), _cell(scope_label)])
    filters.append([gettext("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    return tablib.Databook([stage_sheet, mode_sheet, filters])


@login_required
def project_funnel_export(request):
    """The page's two tables as XLSX, with the same filters, from the user's export scope."""
    form, result = _filtered(request, "export")
    if result is None:
        return HttpResponseBadRequest(
            gettext("筛选条件无效，无法导出。"), content_type="text/plain; charset=utf-8"
        )
    return xlsx_response(funnel_workbook(result, _scope_label(form)), gettext("招商漏斗"))
