"""The investment records in the Django admin, for administrators to inspect.

Read-only (deletion allowed): every write of a project, milestone, report, supervision item or
exemption goes through investment.services, which applies the stage lifecycle, the cumulative
rule and the supervision loop and records the history; an admin form would bypass them. Zone
staff use the pages and the API.
"""

from __future__ import annotations

from django.contrib import admin

from investment.models import (
    AccountabilityScore,
    Evidence,
    Exemption,
    Milestone,
    MilestoneReschedule,
    ProgressReport,
    Project,
    SigningPromise,
    StageTransition,
    SupervisionItem,
    SupervisionStep,
)
from zones.admin import AdministratorAdmin, AdministratorInline


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransitionInline(ReadOnlyMixin, AdministratorInline, admin.TabularInline):
    model = StageTransition
    fields = ("from_stage", "to_stage", "date", "user", "reason", "note", "created_at")
    readonly_fields = fields
    extra = 0


class MilestoneInline(ReadOnlyMixin, AdministratorInline, admin.TabularInline):
    model = Milestone
    fields = ("title", "planned_date", "actual_date", "owner", "status", "position")
    readonly_fields = fields
    extra = 0


@admin.register(Project)
class ProjectAdmin(ReadOnlyMixin, AdministratorAdmin):
    list_display = (
        "code",
        "name",
        "zone",
        "stage",
        "promotion_mode",
        "planned_investment",
        "completed_investment",
        "stage_since",
    )
    list_filter = ("stage", "promotion_mode", "serves_leading_industry", "origin_type")
    search_fields = ("code", "name", "investor_name")
    list_select_related = ("zone",)
    raw_id_fields = ("zone", "enterprise", "lead", "responsible_leader")
    inlines = [TransitionInline, MilestoneInline]


@admin.register(StageTransition)
class StageTransitionAdmin(ReadOnlyMixin, AdministratorAdmin):
    list_display = ("project", "from_stage", "to_stage", "date", "user", "created_at")
    list_filter = ("to_stage",)
    search_fields = ("project__code", "project__name")
    list_select_related = ("project", "user")
    raw_id_fields = ("project", "user")


@admin.register(SigningPromise)
class SigningPromiseAdmin(ReadOnlyMixin, AdministratorAdmin):
    list_display = (
        "project",
        "investment",
        "output_per_mu",
        "tax_per_mu",
        "planned_start_date",
        "planned_production_date",
    )
    search_fields = ("project__code", "project__name")
    list_select_related = ("project",)
    raw_id_fields = ("project", "transition")


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyMixin, AdministratorAdmin):
    list_display = ("title", "project", "planned_date", "actual_date", "status", "owner")
    list_filter = ("status",)
    search_fields = ("title", "project__code", "project__name")
    list_select_related = ("project", "owner")
    raw_id_fields = ("project", "owner")


@admin.register(MilestoneReschedule)
class MilestoneRescheduleAdmin(ReadOnlyMixin, AdministratorAdmin):
    list_display = ("milestone", "old_date", "new_date", "reason", "user", "at")
    list_select_related = ("milestone", "user")
    raw_id_fields = ("milestone", "user")


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyMixin, AdministratorAdmin):
    list_display = (
        "project",
        "year",
        "month",
        "investment_this_month",
        "investment_cumulative",
        "submitted_at",
    )
    list_filter = ("year", "month")
    search_fields = ("project__code", "project__name")
    list_select_related = ("project",)
    raw_id_fields = ("project", "submitted_by")


class SupervisionStepInline(ReadOnlyMixin, AdministratorInline, admin.TabularInline):
    model = SupervisionStep
    fields = ("kind", "from_status", "to_status", "user", "at", "note", "feedback")
    readonly_fields = fields
    extra = 0


@admin.register(SupervisionItem)
class SupervisionItemAdmin(ReadOnlyMixin, AdministratorAdmin):
    list_display = ("title", "zone", "project", "status", "deadline", "assignee", "source")
    list_filter = ("status", "source")
    search_fields = ("title", "zone__name", "project__code")
    list_select_related = ("zone", "project", "assignee")
    raw_id_fields = ("zone", "project", "assignee", "raised_by")
    inlines = [SupervisionStepInline]


@admin.register(Exemption)
class ExemptionAdmin(ReadOnlyMixin, AdministratorAdmin):
    list_display = ("__str__", "zone", "status", "requested_by", "requested_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("reason", "zone__name")
    list_select_related = ("zone", "requested_by", "decided_by", "milestone", "item")
    raw_id_fields = ("zone", "milestone", "item", "requested_by", "decided_by")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyMixin, AdministratorAdmin):
    """Read-only; deleting here would leave the stored file behind: use the pages."""

    list_display = ("original_name", "zone", "content_type", "size", "uploaded_by", "uploaded_at")
    list_filter = ("content_type",)
    search_fields = ("original_name", "sha256", "zone__name")
    list_select_related = ("zone", "uploaded_by")
    raw_id_fields = ("zone", "milestone", "report", "exemption", "uploaded_by")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccountabilityScore)
class AccountabilityScoreAdmin(ReadOnlyMixin, AdministratorAdmin):
    list_display = ["period", "subject_kind", "subject_key", "score", "colour", "rank", "movement"]
    list_filter = ["subject_kind", "colour", "period"]
    search_fields = ["subject_key"]
