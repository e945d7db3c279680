"""Forms of the zone pages. Validation messages are Chinese and name the field; the forms hand
clean data to zones.services, which validates again and re-checks the scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from devzone.pages import style_form
from zones.models import ChainLink, ChainPosition, Enterprise, PeriodKind, Zone, ZoneIndicator
from zones.services import ENTERPRISE_FIELDS
from zones.units import AREA, INDICATOR_FIELDS, MONEY, to_canonical

TWO_PLACES = Decimal("0.01")


def preselect_single_zone(form: forms.BaseForm) -> None:
    """A user who may write in one zone only gets it preselected."""
    if form.is_bound or form.initial.get("zone"):
        return
    zones = list(form.fields["zone"].queryset[:2])
    if len(zones) == 1:
        form.initial["zone"] = zones[0].pk


# --- enterprises --------------------------------------------------------------------------


class EnterpriseForm(forms.ModelForm):
    """An enterprise in one of the zones the user may ``zone_action`` (add or change)."""

    class Meta:
        model = Enterprise
        fields = ENTERPRISE_FIELDS
        widgets = {
            "established_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "leading_tests_recorded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "production_started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "leading_tests_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "credit_code": _(
                "18位，由数字和大写字母组成（不使用 I、O、Z、S、V），第3至8位为行政区划代码，"
                "第18位为校验位。小写字母会自动转为大写。"
            ),
            "test_national_competitiveness": _(
                "龙头企业认定一：企业产品或技术在全国同行业中具有竞争力（如市场占有率、行业排名）。"
            ),
            "test_headquarters_in_zone": _("龙头企业认定二：企业总部或区域总部设在本开发区。"),
            "test_local_division_of_labour": _(
                "龙头企业认定三：与本地企业形成专业化、规模化的分工协作（本地配套）。"
            ),
            "leading_tests_recorded_on": _("三项认定同时满足时，该企业计为龙头企业。"),
            "land_area_mu": _("单位：亩"),
        }

    def __init__(self, *args, user, zone_action: str, **kwargs):
        super().__init__(*args, **kwargs)
        zone_field = self.fields["zone"]
        zone_field.queryset = Zone.objects.for_user(user, zone_action).order_by("code")
        zone_field.empty_label = _("请选择开发区")
        zone_field.error_messages["required"] = _("请选择开发区。")
        self.fields["industry"].empty_label = _("未指定")
        self.fields["chain_position"].choices = [("", _("未指定")), *ChainPosition.choices]
        links = self.fields["chain_link"]
        links.queryset = ChainLink.objects.select_related("template__industry").order_by(
            "template__industry__code", "order"
        )
        links.label_from_instance = lambda link: (
            f"{link.template.industry.name}｜{link.get_segment_display()}｜{link.name}"
        )
        links.empty_label = _("未指定")
        self.fields["land_grading"].required = False  # blank means the default: 参评
        preselect_single_zone(self)
        style_form(self)

    def clean_land_grading(self) -> str:
        return self.cleaned_data.get("land_grading") or "auto"

    def clean_credit_code(self) -> str:
        return (self.cleaned_data.get("credit_code") or "").strip().upper()

    def service_data(self) -> dict[str, object]:
        return {name: self.cleaned_data.get(name) for name in ENTERPRISE_FIELDS}


# --- indicators ---------------------------------------------------------------------------

# Keyed by the kind's canonical unit (UnitKind holds a dict, so it is not hashable).
UNIT_CHOICES = {
    MONEY.canonical: [("万元", "万元"), ("亿元", "亿元")],
    AREA.canonical: [("亩", "亩"), ("公顷", "公顷"), ("平方公里", "平方公里")],
}

INDICATOR_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        _("产值与税收"),
        (
            "gross_industrial_output",
            "leading_industry_output",
            "tax_revenue",
            "fixed_asset_investment",
        ),
    ),
    (
        _("土地"),
        ("land_supplied_mu", "land_approved_unsupplied_mu", "land_idle_mu", "floor_area_ratio"),
    ),
    (_("能耗"), ("energy_use_tce",)),
    (_("就业"), ("employment", "rural_labour_transferred")),
    (_("创新"), ("rd_staff", "rd_spending", "patents")),
    (_("产业链"), ("local_supply_rate",)),
)
SPECS = {spec.name: spec for spec in INDICATOR_FIELDS}


def unit_field_name(name: str) -> str:
    return f"{name}_unit"


def month_choices() -> list[tuple[object, str]]:
    """Evaluated per form, so the labels follow the active language."""
    return [("", "—"), *((m, gettext("%(m)d月") % {"m": m}) for m in range(1, 13))]


class IndicatorForm(forms.Form):
    """A zone's figures for one month or one year, each with its unit.

    Money and area may be typed in another unit (亿元, 公顷, 平方公里); ``values`` holds them in
    the canonical unit, rounded to two decimals. A new entry never overwrites an existing period:
    ``duplicate`` is set to the existing row so the page can offer to edit it.
    """

    zone = forms.ModelChoiceField(queryset=Zone.objects.none(), label=_("开发区"))
    period_kind = forms.ChoiceField(
        choices=PeriodKind.choices,
        label=_("周期"),
        initial=PeriodKind.MONTH,
        error_messages={"required": _("请选择周期（月度或年度）。")},
    )
    year = forms.IntegerField(
        label=_("年份"),
        min_value=1978,
        error_messages={"min_value": _("年份不能早于1978年。"), "required": _("请填写年份。")},
    )
    month = forms.TypedChoiceField(
        choices=month_choices,
        coerce=int,
        empty_value=None,
        required=False,
        label=_("月份"),
    )

    def __init__(self, *args, user, zone_action: str, instance: ZoneIndicator | None = None, **kw):
        self.user = user
        self.instance = instance
        self.duplicate: ZoneIndicator | None = None
        self.values: dict[str, Decimal | None] = {}
        if instance is not None:
            initial = kw.setdefault("initial", {})
            initial.update(
                zone=instance.zone_id,
                period_kind=instance.period_kind,
                year=instance.year,
                month=instance.month,
            )
            for spec in INDICATOR_FIELDS:
                initial[spec.name] = getattr(instance, spec.name)
        else:
            # the usual report is last month's
            last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
            initial = kw.setdefault("initial", {})
            initial.setdefault("year", last_month.year)
            initial.setdefault("month", last_month.month)
        super().__init__(*args, **kw)
        self.fields["zone"].queryset = Zone.objects.for_user(user, zone_action).order_by("code")
        self.fields["zone"].empty_label = _("请选择开发区")
        self.fields["zone"].error_messages["required"] = _("请选择开发区。")
        preselect_single_zone(self)
        for spec in INDICATOR_FIELDS:
            unit = (
                f"（{spec.unit}）" if spec.unit and spec.kind.canonical not in UNIT_CHOICES else ""
            )
            self.fields[spec.name] = forms.DecimalField(
                label=f"{spec.label}{unit}",
                required=False,
                max_digits=20,
                decimal_places=6,
                error_messages={"invalid": _("%(label)s应为数字。") % {"label": spec.label}},
            )
            if spec.kind.canonical in UNIT_CHOICES:
                self.fields[unit_field_name(spec.name)] = forms.ChoiceField(
                    choices=UNIT_CHOICES[spec.kind.canonical],
                    initial=spec.kind.canonical,
                    label=_("%(label)s单位") % {"label": spec.label},
                )
        style_form(self)
        for spec in INDICATOR_FIELDS:
            self.fields[spec.name].widget.attrs.update(inputmode="decimal", placeholder=_("未填"))

    def groups(self) -> list[tuple[str, list[tuple[forms.BoundField, object]]]]:
        """The indicator fields grouped for the page: (title, [(field, unit field or unit)])."""
        out = []
        for title, names in INDICATOR_GROUPS:
            rows = []
            for name in names:
                spec = SPECS[name]
                unit = (
                    self[unit_field_name(name)]
                    if spec.kind.canonical in UNIT_CHOICES
                    else spec.unit
                )
                rows.append((self[name], unit))
            out.append((title, rows))
        return out

    def clean(self):
        cleaned = super().clean()
        kind, year, month = (cleaned.get(k) for k in ("period_kind", "year", "month"))
        today = timezone.localdate()
        if year is not None and year > today.year:
            self.add_error(
                "year", _("年份 %(year)s 晚于今年，不能填报未来的指标。") % {"year": year}
            )
            year = None
        if kind == PeriodKind.MONTH and month is None:
            self.add_error("month", _("月度指标必须填写月份。"))
        elif kind == PeriodKind.YEAR and month is not None:
            self.add_error("month", _("年度指标不应填写月份。"))
        elif (
            kind == PeriodKind.MONTH
            and year is not None
            and (year, month)
            > (
                today.year,
                today.month,
            )
        ):
            self.add_error(
                "month",
                _("%(y)s年%(m)s月尚未到来，不能填报未来月份的指标。") % {"y": year, "m": month},
            )
        for spec in INDICATOR_FIELDS:
            value = cleaned.get(spec.name)
            if value is None:
                self.values[spec.name] = None
                continue
            if value < 0:
                self.add_error(spec.name, _("%(label)s不能为负数。") % {"label": spec.label})
                continue
            unit = cleaned.get(unit_field_name(spec.name), spec.kind.canonical)
            if unit is None:
                continue
            canonical = to_canonical(value, unit, spec.kind)
            self.values[spec.name] = canonical.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        return cleaned

    def period(self) -> tuple[Zone, str, int, int | None]:
        data = self.cleaned_data
        return data["zone"], data["period_kind"], data["year"], data.get("month")
