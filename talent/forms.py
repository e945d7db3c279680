"""Forms of the talent pages: one ModelForm per record type on a shared base.

The zone dropdown holds the zones the user may add to (or change in); enterprise and centre
dropdowns hold only rows of those zones. The forms hand their data to talent.services, which
validates again (the same-zone rule, dates, counts) and re-checks the scope.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from devzone.pages import style_form
from talent.models import (
    Entrepreneur,
    ManagementCadre,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
)
from talent.services import FIELDS
from zones.forms import preselect_single_zone
from zones.models import Zone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ZoneRecordForm(forms.ModelForm):
    """A talent record in one of the zones the user may ``zone_action`` (add or change)."""

    def __init__(self, *args, user, zone_action: str, **kwargs):
        super().__init__(*args, **kwargs)
        zones = Zone.objects.for_user(user, zone_action)
        zone_field = self.fields["zone"]
        zone_field.queryset = zones.order_by("code")
        zone_field.empty_label = _("请选择开发区")
        zone_field.error_messages["required"] = _("请选择开发区。")
        for name, form_field in self.fields.items():
            if isinstance(form_field, forms.ModelChoiceField) and name != "zone":
                model = form_field.queryset.model
                form_field.queryset = (
                    model.objects.filter(zone__in=zones)
                    .select_related("zone")
                    .order_by("zone__code", "name")
                )
                form_field.label_from_instance = lambda obj: f"{obj}（{obj.zone.name}）"
                form_field.empty_label = _("请选择") if form_field.required else _("未指定")
        preselect_single_zone(self)
        style_form(self)

    def service_data(self) -> dict[str, object]:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields}


def _form(model, widgets=None, help_texts=None) -> type[ZoneRecordForm]:
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": FIELDS[model],
            "widgets": widgets or {},
            "help_texts": help_texts or {},
        },
    )
    return type(f"{model.__name__}Form", (ZoneRecordForm,), {"Meta": meta})


ManagementCadreForm = _form(ManagementCadre, {"appointed_on": DATE})
EntrepreneurForm = _form(
    Entrepreneur,
    help_texts={"activities_attended": _("该年度参加的企业家培训、交流、考察等活动次数。")},
)
TalentTeamForm = _form(
    TalentTeam,
    {"introduced_on": DATE},
    {"size": _("团队成员人数（含带头人）。"), "host_enterprise": _("须为本开发区的企业。")},
)
TrainingCentreForm = _form(TrainingCentre)
TrainingSessionForm = _form(
    TrainingSession, {"held_on": DATE}, {"certificates": _("不能多于培训人数。")}
)
SpecialSkillsPlacementForm = _form(SpecialSkillsPlacement)
SkillAwardForm = _form(SkillAward, {"awarded_on": DATE})

FORMS: dict[type, type[ZoneRecordForm]] = {
    form._meta.model: form
    for form in (
        ManagementCadreForm,
        EntrepreneurForm,
        TalentTeamForm,
        TrainingCentreForm,
        TrainingSessionForm,
        SpecialSkillsPlacementForm,
        SkillAwardForm,
    )
}
