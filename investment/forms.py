"""Forms of the investment pages. Messages are Chinese and name the field; the forms hand clean
data to investment.services, which validates again and re-checks the scope."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from devzone.pages import style_form
from investment.models import (
    PIPELINE,
    Exemption,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    Project,
    ProjectStage,
    StepKind,
    SupervisionItem,
)
from investment.services import MILESTONE_FIELDS, PROJECT_FIELDS
from zones.models import ChainPosition, Enterprise, Zone

DATE = {"type": "date"}


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


def zone_members(zone_ids):
    """Users holding a membership in one of ``zone_ids``: the people a project may name.

    ``zone_ids`` is an iterable of ids or a queryset of zone ids (kept as a subquery).
    """
    ids = zone_ids if isinstance(zone_ids, QuerySet) else list(zone_ids)
    return (
        get_user_model()
        .objects.filter(memberships__zone_id__in=ids, is_active=True)
        .distinct()
        .order_by("username")
    )


class ProjectForm(forms.ModelForm):
    """A project in one of the zones the user may ``zone_action``; the stage is not edited here."""

    start_stage = forms.ChoiceField(
        label=_("初始阶段"),
        choices=[(s, label) for s, label in ProjectStage.choices if s in PIPELINE],
        initial=ProjectStage.LEAD,
        required=False,
        help_text=_("补录已在推进中的项目时可选择其当前阶段；签约及以后阶段须填写签约承诺。"),
    )
    start_date = forms.DateField(
        label=_("进入该阶段日期"), required=False, widget=_date_widget(), help_text=_("默认今天。")
    )

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        field_classes = {"lead": UserChoiceField, "responsible_leader": UserChoiceField}
        widgets = {
            "blocking_problems": forms.Textarea(attrs={"rows": 3}),
            "coordination_requests": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "origin_province": _("境内投资方填写来源省份（及城市）。"),
            "origin_country": _("港澳台及境外投资方填写国家或地区，例如“新加坡”“香港”。"),
            "planned_investment_this_year": _("不能大于计划总投资。"),
            "lead": _("须为本开发区的人员。"),
            "responsible_leader": _("须为本开发区的人员。"),
        }

    def __init__(self, *args, user, zone_action: str, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        zones = Zone.objects.for_user(user, zone_action).order_by("code")
        zone_field = self.fields["zone"]
        zone_field.queryset = zones
        zone_field.empty_label = _("请选择开发区")
        zone_field.error_messages["required"] = _("请选择开发区。")
        if editing:
            zone_field.disabled = True
            zone_field.queryset = Zone.objects.filter(pk=self.instance.zone_id)
            member_zones = [self.instance.zone_id]
            del self.fields["start_stage"], self.fields["start_date"]
        else:
            member_zones = zones.values_list("pk", flat=True)
            preselect = list(zones[:2])
            if len(preselect) == 1 and not self.is_bound:
                self.initial.setdefault("zone", preselect[0].pk)
        for name in ("lead", "responsible_leader"):
            self.fields[name].queryset = zone_members(member_zones)
            self.fields[name].empty_label = _("未指定")
        enterprises = Enterprise.objects.for_user(user, zone_action)
        if editing:
            enterprises = enterprises.filter(zone_id=self.instance.zone_id)
        self.fields["enterprise"].queryset = enterprises.order_by("name")
        self.fields["enterprise"].empty_label = _("尚未注册")
        self.fields["industry"].empty_label = _("未指定")
        self.fields["origin_province"].empty_label = _("未指定")
        self.fields["chain_position"].choices = [("", _("未指定")), *ChainPosition.choices]
        style_form(self)

    def service_data(self) -> dict[str, object]:
        return {name: self.cleaned_data.get(name) for name in PROJECT_FIELDS}


class PromiseFieldsMixin(forms.Form):
    investment = forms.DecimalField(
        label=_("承诺投资（万元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    output_per_mu = forms.DecimalField(
        label=_("承诺亩均产值（万元/亩）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    tax_per_mu = forms.DecimalField(
        label=_("承诺亩均税收（万元/亩）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    planned_start_date = forms.DateField(
        label=_("计划开工日期"), required=False, widget=_date_widget()
    )
    planned_production_date = forms.DateField(
        label=_("计划投产日期"), required=False, widget=_date_widget()
    )

    PROMISE_NAMES = (
        "investment",
        "output_per_mu",
        "tax_per_mu",
        "planned_start_date",
        "planned_production_date",
    )

    def promises(self) -> dict[str, object] | None:
        values = {name: self.cleaned_data.get(name) for name in self.PROMISE_NAMES}
        return values if any(v is not None for v in values.values()) else None

    def promise_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PROMISE_NAMES]


class ProjectCreateForm(PromiseFieldsMixin, ProjectForm):
    """The create form also takes the promises, for a project entered at 签约 or later."""


class TransitionForm(PromiseFieldsMixin):
    to_stage = forms.ChoiceField(label=_("目标阶段"), choices=ProjectStage.choices)
    date = forms.DateField(label=_("变更日期"), widget=_date_widget())
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=_("原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("退回、跨阶段、终止或重新启动项目时必填。"),
    )
    enterprise = forms.ModelChoiceField(
        label=_("落地企业"),
        queryset=Enterprise.objects.none(),
        required=False,
        help_text=_("进入“注册”阶段时可关联本开发区已登记的企业。"),
    )

    field_order = ["to_stage", "date", "note", "reason", "enterprise"]

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [
            (s, label) for s, label in ProjectStage.choices if s != project.stage
        ]
        current = PIPELINE.index(project.stage) if project.stage in PIPELINE else -1
        if 0 <= current < len(PIPELINE) - 1:
            self.initial.setdefault("to_stage", PIPELINE[current + 1])
        self.initial.setdefault("date", timezone.localdate())
        self.fields["enterprise"].queryset = Enterprise.objects.filter(
            zone_id=project.zone_id
        ).order_by("name")
        self.fields["enterprise"].empty_label = _("不关联")
        style_form(self)


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = MILESTONE_FIELDS
        field_classes = {"owner": UserChoiceField}
        widgets = {
            "planned_date": _date_widget(),
            "actual_date": _date_widget(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = zone_members([project.zone_id])
        self.fields["owner"].empty_label = _("未指定")
        if self.instance.pk is not None:
            # a new planned date goes through the reschedule form, which asks for the reason
            self.fields["planned_date"].disabled = True
            self.fields["planned_date"].help_text = _("修改计划日期请使用“调整计划”，须填写原因。")
        style_form(self)

    def service_data(self) -> dict[str, object]:
        names = [n for n in MILESTONE_FIELDS if not self.fields[n].disabled]
        return {name: self.cleaned_data.get(name) for name in names}


class RescheduleForm(forms.Form):
    planned_date = forms.DateField(label=_("新计划完成日期"), widget=_date_widget())
    reason = forms.CharField(
        label=_("调整原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("调整计划日期须填写原因。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class CompleteForm(forms.Form):
    actual_date = forms.DateField(label=_("实际完成日期"), widget=_date_widget())
    note = forms.CharField(
        label=_("完成说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("actual_date", timezone.localdate())
        style_form(self)


def month_choices() -> list[tuple[int, str]]:
    return [(m, gettext("%(m)d月") % {"m": m}) for m in range(1, 13)]


class ProgressReportForm(forms.ModelForm):
    """A month's report; the cumulative figure may be left blank to be computed."""

    year = forms.IntegerField(label=_("年份"), min_value=2000)
    month = forms.TypedChoiceField(label=_("月份"), choices=month_choices, coerce=int)

    class Meta:
        model = ProgressReport
        fields = (
            "investment_this_month",
            "investment_cumulative",
            "progress",
            "problems",
            "coordination",
        )
        widgets = {
            "progress": forms.Textarea(attrs={"rows": 4}),
            "problems": forms.Textarea(attrs={"rows": 2}),
            "coordination": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "investment_cumulative": _(
                "留空则按上一期累计加本月自动计算；上月月报存在时，累计须等于上月累计加本月。"
            )
        }

    field_order = ["year", "month"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investment_cumulative"].required = False
        if self.instance.pk is not None:
            self.fields["year"].disabled = self.fields["month"].disabled = True
            self.initial["year"], self.initial["month"] = self.instance.year, self.instance.month
        else:
            today = timezone.localdate()
            year, month = (
                (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
            )
            self.initial.setdefault("year", year)
            self.initial.setdefault("month", month)
        style_form(self)

    def service_data(self) -> dict[str, object]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


# --- supervision items and exemptions --------------------------------------------------------


class ZonePickForm(forms.Form):
    """First step of raising an item without a zone or project given: pick the zone."""

    zone = forms.ModelChoiceField(
        label=_("开发区"),
        queryset=Zone.objects.none(),
        empty_label=_("请选择开发区"),
        error_messages={"required": _("请选择开发区。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.for_user(user, "supervise").order_by("code")
        style_form(self)


class SupervisionItemForm(forms.ModelForm):
    """Raise (交办) an item in ``zone``, optionally on one of its projects."""

    note = forms.CharField(
        label=_("交办说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = SupervisionItem
        fields = [
            "project",
            "title",
            "description",
            "deadline",
            "assignee",
            "source",
            "instruction_leader",
            "start_colour",
        ]
        field_classes = {"assignee": UserChoiceField}
        widgets = {
            "deadline": _date_widget(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "assignee": _("须为本开发区的人员。"),
            "instruction_leader": _("领导批示事项必填。"),
            "start_colour": _("领导批示事项从黄色或红色预警开始，且不会低于该等级。"),
        }

    def __init__(self, *args, zone: Zone, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        project_field = self.fields["project"]
        project_field.queryset = Project.objects.filter(zone=zone).order_by("code")
        project_field.empty_label = _("不关联项目（针对开发区）")
        if project is not None:
            project_field.queryset = Project.objects.filter(pk=project.pk)
            project_field.initial = project.pk
            project_field.disabled = True
        self.fields["assignee"].queryset = zone_members([zone.pk])
        self.fields["assignee"].empty_label = _("请选择承办人")
        self.fields["assignee"].error_messages["required"] = _("请选择承办人。")
        self.fields["start_colour"].choices = [
            ("", _("不适用")),
            *[c for c in self.fields["start_colour"].choices if c[0]],
        ]
        self.fields["source"].choices = [  # 承诺兑现核查 items are raised by the system only
            c for c in self.fields["source"].choices if c[0] != "promise"
        ]
        self.initial.setdefault("deadline", timezone.localdate() + datetime.timedelta(days=14))
        style_form(self)

    def service_data(self) -> dict[str, object]:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["zone"] = self.zone
        for name in ("instruction_leader", "start_colour"):
            data[name] = data[name] or ""
        return data


class SupervisionItemEditForm(forms.ModelForm):
    """Correct an open item (``services.update_item``); a new deadline needs ``reason``."""

    reason = forms.CharField(
        label=_("时限调整原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("修改办理时限时必填，原时限保留在修改记录中。"),
    )

    class Meta:
        model = SupervisionItem
        fields = ["title", "description", "project", "deadline", "assignee"]
        field_classes = {"assignee": UserChoiceField}
        widgets = {
            "deadline": _date_widget(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"assignee": _("须为本开发区的人员。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone_id = self.instance.zone_id
        self.fields["project"].queryset = Project.objects.filter(zone_id=zone_id).order_by("code")
        self.fields["project"].empty_label = _("不关联项目（针对开发区）")
        self.fields["assignee"].queryset = zone_members([zone_id])
        self.fields["assignee"].empty_label = _("请选择承办人")
        self.fields["assignee"].error_messages["required"] = _("请选择承办人。")
        style_form(self)

    def service_data(self) -> dict[str, object]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class StepForm(forms.Form):
    step = forms.ChoiceField(label=_("办理环节"), choices=StepKind.choices)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    feedback = forms.CharField(
        label=_("办理情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class ExemptionForm(forms.ModelForm):
    class Meta:
        model = Exemption
        fields = ["reason", "evidence"]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 4}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"evidence": _("说明可佐证的材料（文件、照片、会议纪要等）及其出处。")}
        error_messages = {"reason": {"required": _("请填写免责理由。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("approve", _("批准")), ("reject", _("驳回"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择审核结论。")},
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("驳回时必填。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class EvidenceForm(forms.Form):
    """One evidence file and what it shows; the content is checked by the service, the
    ``accept`` list only helps the browser's file picker."""

    file = forms.FileField(
        label=_("佐证材料文件"),
        error_messages={"required": _("请选择要上传的文件。")},
    )
    description = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from django.template.defaultfilters import filesizeformat

        from devzone.uploads import EVIDENCE_KINDS
        from investment.services import max_evidence_bytes, max_evidence_files

        super().__init__(*args, **kwargs)
        extensions = [e for kind in EVIDENCE_KINDS for e in kind.extensions]
        self.fields["file"].widget.attrs["accept"] = ",".join(extensions)
        self.fields["file"].help_text = gettext(
            "支持 JPG、PNG、WebP、PDF、Word（.docx）、Excel（.xlsx）和 OFD；"
            "单个文件不超过 %(max)s，每项最多 %(n)d 份。"
        ) % {"max": filesizeformat(max_evidence_bytes()), "n": max_evidence_files()}
        style_form(self)


__all__ = [
    "DecisionForm",
    "EvidenceForm",
    "ExemptionForm",
    "StepForm",
    "SupervisionItemEditForm",
    "SupervisionItemForm",
    "ZonePickForm",
    "CompleteForm",
    "MilestoneForm",
    "MilestoneStatus",
    "ProgressReportForm",
    "ProjectCreateForm",
    "ProjectForm",
    "RescheduleForm",
    "TransitionForm",
]
