"""The talent records in the Django admin, for administrators (see zones/admin.py).

Admin writes are recorded in the change history like the pages' and the API's.
"""

from __future__ import annotations

from django.contrib import admin

from devzone import history
from devzone.models import ChangeRecord
from talent.models import (
    Entrepreneur,
    ManagementCadre,
    SkillAward,
    SpecialSkillsPlacement,
    TalentTeam,
    TrainingCentre,
    TrainingSession,
)
from zones.admin import AdministratorAdmin


class TalentAdmin(AdministratorAdmin):
    list_filter: tuple = ("zone__prefecture",)
    search_fields: tuple = ("name", "zone__name", "zone__code")
    list_select_related = ("zone",)
    autocomplete_fields: tuple = ("zone",)
    readonly_fields = ("created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            before = history.snapshot(type(obj)._default_manager.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        history.record(
            request.user,
            obj,
            ChangeRecord.Action.UPDATE if change else ChangeRecord.Action.CREATE,
            before=before,
            after=history.snapshot(obj),
            zone_id=obj.zone_id,
        )

    def delete_model(self, request, obj):
        history.record(
            request.user,
            obj,
            ChangeRecord.Action.DELETE,
            before=history.snapshot(obj),
            zone_id=obj.zone_id,
        )
        super().delete_model(request, obj)


@admin.register(ManagementCadre)
class ManagementCadreAdmin(TalentAdmin):
    list_display = (
        "name",
        "post",
        "zone",
        "education",
        "appointed_on",
        "training_hours",
        "is_active",
    )
    list_filter = ("zone__prefecture", "education", "is_active")
    search_fields = ("name", "post", "zone__name", "zone__code")


@admin.register(Entrepreneur)
class EntrepreneurAdmin(TalentAdmin):
    list_display = ("name", "title", "enterprise", "zone", "activity_year", "activities_attended")
    list_select_related = ("zone", "enterprise")
    autocomplete_fields = ("zone", "enterprise")


@admin.register(TalentTeam)
class TalentTeamAdmin(TalentAdmin):
    list_display = ("name", "leader", "zone", "size", "introduced_on", "guidance_fund",
                    "venture_capital", "serves_leading_industry")  # fmt: skip
    list_filter = ("zone__prefecture", "serves_leading_industry")
    autocomplete_fields = ("zone", "host_enterprise")


@admin.register(TrainingCentre)
class TrainingCentreAdmin(TalentAdmin):
    list_display = ("name", "operator", "zone", "trades", "annual_capacity")


@admin.register(TrainingSession)
class TrainingSessionAdmin(TalentAdmin):
    list_display = ("trade", "zone", "centre", "held_on", "trainees", "certificates")
    search_fields = ("trade", "zone__name", "zone__code")
    list_select_related = ("zone", "centre")
    list_filter = ("zone__prefecture",)
    date_hierarchy = "held_on"


@admin.register(SpecialSkillsPlacement)
class SpecialSkillsPlacementAdmin(TalentAdmin):
    list_display = ("name", "trade", "zone", "year", "status")
    list_filter = ("zone__prefecture", "status", "year")


@admin.register(SkillAward)
class SkillAwardAdmin(TalentAdmin):
    list_display = ("name", "award", "zone", "level", "awarded_on", "amount")
    list_filter = ("zone__prefecture", "level")
