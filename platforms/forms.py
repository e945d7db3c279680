"""Forms of the platform pages. They hand clean data to platforms.services, which validates
again (catalogue, same-zone rules) and re-checks the scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from devzone.pages import style_form
from platforms.catalogue import grouped_sub_kind_choices
from platforms.models import Platform, ServiceRecord
from platforms.services import PLATFORM_FIELDS, SERVICE_FIELDS
from zones.models import Enterprise, Zone

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnterpriseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Enterprise) -> str:
        return f"{obj.name}（{obj.zone.name}）"


class PlatformChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Platform) -> str:
        return f"{obj.name}（{obj.zone.name}）"


def _single_zone(form: forms.BaseForm) -> None:
    if form.is_bound or form.initial.get("zone"):
        return
    zones = list(form.fields["zone"].queryset[:2])
    if len(zones) == 1:
        form.initial["zone"] = zones[0].pk


class PlatformForm(forms.ModelForm):
    """A platform in one of the zones the user may ``zone_action``; the sub-kind list is grouped
    by kind (and by chain segment for professional services)."""

    host_enterprise = EnterpriseChoiceField(
        queryset=Enterprise.objects.none(),
        required=False,
        label=_("依托企业"),
        help_text=_("可选；必须是平台所在开发区的企业。"),
    )

    class Meta:
        model = Platform
        fields = PLATFORM_FIELDS
        widgets = {
            "established_on": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "sub_kind": _("子类必须属于所选平台类型；专业公共服务平台的产业链环节由子类确定。"),
            "serves_leading_industry": _("平台主要服务于开发区的首位产业。"),
            "operator_name": _("运营或依托单位的名称。"),
        }

    def __init__(self, *args, user, zone_action: str, **kwargs):
        super().__init__(*args, **kwargs)
        zones = Zone.objects.for_user(user, zone_action).order_by("code")
        zone_field = self.fields["zone"]
        zone_field.queryset = zones
        zone_field.empty_label = _("请选择开发区")
        zone_field.error_messages["required"] = _("请选择开发区。")
        _single_zone(self)
        zone_id = self.initial.get("zone") or (self.instance.zone_id if self.instance.pk else None)
        enterprises = Enterprise.objects.filter(zone__in=zones).select_related("zone")
        if zone_id and not self.is_bound:
            enterprises = enterprises.filter(zone_id=zone_id)
        host = self.fields["host_enterprise"]
        host.queryset = enterprises.order_by("zone__code", "name")
        host.empty_label = _("无")
        self.fields["sub_kind"].choices = [("", _("请选择子类")), *grouped_sub_kind_choices()]
        self.fields["kind"].choices = [("", _("请选择平台类型")), *self.fields["kind"].choices[1:]]
        for name, label in (
            ("kind", _("平台类型")),
            ("sub_kind", _("平台子类")),
            ("operator_type", _("运营主体类型")),
            ("level", _("平台级别")),
            ("name", _("平台名称")),
            ("established_on", _("成立（认定）日期")),
        ):
            self.fields[name].error_messages["required"] = _("请填写%(label)s。") % {"label": label}
        style_form(self)

    def service_data(self) -> dict[str, object]:
        return {name: self.cleaned_data.get(name) for name in PLATFORM_FIELDS}


class ServiceRecordForm(forms.ModelForm):
    """A service delivered by a platform the user may write to, to an enterprise of its zone."""

    platform = PlatformChoiceField(queryset=Platform.objects.none(), label=_("服务平台"))
    enterprise = EnterpriseChoiceField(queryset=Enterprise.objects.none(), label=_("服务企业"))

    class Meta:
        model = ServiceRecord
        fields = SERVICE_FIELDS
        widgets = {"served_on": DATE_WIDGET}
        help_texts = {
            "fee_wan": _("单位：万元；免费服务填 0。"),
            "service_type": _("简要说明，例如“出口产品检测”“融资对接”。"),
        }

    def __init__(self, *args, user, zone_action: str, **kwargs):
        super().__init__(*args, **kwargs)
        zones = Zone.objects.for_user(user, zone_action)
        platforms = (
            Platform.objects.filter(zone__in=zones)
            .select_related("zone")
            .order_by("zone__code", "name")
        )
        self.fields["platform"].queryset = platforms
        self.fields["platform"].empty_label = _("请选择服务平台")
        self.fields["platform"].error_messages["required"] = _("请选择服务平台。")
        enterprises = Enterprise.objects.filter(zone__in=zones).select_related("zone")
        platform_id = self.initial.get("platform") or (
            self.instance.platform_id if self.instance.pk else None
        )
        if platform_id and not self.is_bound:
            zone_ids = Platform.objects.filter(pk=platform_id).values("zone_id")
            enterprises = enterprises.filter(zone_id__in=zone_ids)
        self.fields["enterprise"].queryset = enterprises.order_by("zone__code", "name")
        self.fields["enterprise"].empty_label = _("请选择企业")
        self.fields["enterprise"].error_messages["required"] = _("请选择服务企业。")
        for name, label in (
            ("category", _("服务类别")),
            ("service_type", _("服务内容")),
            ("served_on", _("服务日期")),
            ("fee_wan", _("服务费用")),
        ):
            self.fields[name].error_messages["required"] = _("请填写%(label)s。") % {"label": label}
        style_form(self)

    def service_data(self) -> dict[str, object]:
        return {name: self.cleaned_data.get(name) for name in SERVICE_FIELDS}
