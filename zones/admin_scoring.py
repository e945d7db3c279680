"""Admin of the scoring engine's data: methodology versions with their indicator definitions,
chain templates, recompute runs (read-only) and results (read-only).

A version that has produced results is read-only here; administrators use the action
"基于所选版本创建新版本" to make an editable copy and "启用所选版本" to make it the active one.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zones import methodology as methods
from zones.admin import AdministratorAdmin, AdministratorInline
from zones.models import (
    ChainLink,
    ChainTemplate,
    EnterpriseGrade,
    IndicatorDefinition,
    Methodology,
    ScoreRun,
    ZoneScore,
)
from zones.tasks import request_full_recompute_after_activation


class MethodologyForm(forms.ModelForm):
    class Meta:
        model = Methodology
        fields = ["version", "name", "description", "parameters"]

    def clean_parameters(self):
        parameters = self.cleaned_data["parameters"]
        problems = methods.parameter_problems(parameters)
        if problems:
            raise ValidationError(problems)
        return parameters

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            methods.ensure_editable(self.instance)
        return cleaned


class FrozenWhenUsed:
    """Inline rows of a version that produced results cannot change."""

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.pk is not None and obj.has_results

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class IndicatorInline(FrozenWhenUsed, AdministratorInline, admin.TabularInline):
    model = IndicatorDefinition
    extra = 0
    fields = [
        "order",
        "code",
        "name",
        "capacity",
        "formula",
        "unit",
        "direction",
        "weight",
        "normalisation",
        "benchmark",
        "cap",
        "data_source",
    ]


@admin.register(Methodology)
class MethodologyAdmin(AdministratorAdmin):
    form = MethodologyForm
    inlines = [IndicatorInline]
    list_display = ["version", "name", "is_active", "based_on", "created_at", "activated_at"]
    readonly_fields = ["is_active", "based_on", "created_by", "created_at", "activated_at"]
    actions = ["derive", "activate"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.has_results:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_active or obj.has_results):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("基于所选版本创建新版本"))
    def derive(self, request, queryset):
        for source in queryset:
            version = f"{source.version}-{timezone.localtime():%Y%m%d%H%M%S}"
            try:
                derived = methods.derive_version(request.user, source, version)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
                continue
            self.message_user(
                request,
                gettext("已基于 %(source)s 创建新版本 %(version)s，请修改后启用。")
                % {"source": source.version, "version": derived.version},
            )

    @admin.action(description=_("启用所选版本"))
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("请只选择一个版本启用。"), messages.ERROR)
            return
        try:
            with transaction.atomic():
                active = methods.activate(queryset.get(), user=request.user)
                request_full_recompute_after_activation(active, by=request.user.get_username())
        except ValidationError as error:
            self.message_user(request, "；".join(error.messages), messages.ERROR)
            return
        self.message_user(
            request,
            gettext("已启用版本 %(version)s，全部开发区的评价将在后台重新计算。")
            % {"version": active.version},
        )


class ChainLinkInline(AdministratorInline, admin.TabularInline):
    model = ChainLink
    extra = 0
    fields = ["order", "segment", "name", "name_en"]


@admin.register(ChainTemplate)
class ChainTemplateAdmin(AdministratorAdmin):
    inlines = [ChainLinkInline]
    list_display = ["industry"]


class ReadOnlyAdmin(AdministratorAdmin):
    """Computed rows: administrators read them; only the recompute writes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoreRun)
class ScoreRunAdmin(ReadOnlyAdmin):
    list_display = [
        "queued_at",
        "kind",
        "period",
        "zone",
        "methodology",
        "status",
        "zones_done",
        "zones_total",
        "seconds",
    ]
    list_filter = ["status", "kind"]


@admin.register(ZoneScore)
class ZoneScoreAdmin(ReadOnlyAdmin):
    list_display = ["zone", "period", "methodology", "stage", "quality", "quadrant"]
    list_filter = ["stage", "quadrant", "methodology"]
    search_fields = ["zone__name", "zone__code"]


@admin.register(EnterpriseGrade)
class EnterpriseGradeAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "methodology", "category", "grade", "score"]
    list_filter = ["grade", "category", "year"]
    search_fields = ["enterprise__name"]
