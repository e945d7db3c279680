"""Admin of the monthly reports: the archive rows and deliveries (read-only: they are written
by the report tasks), and the users' report preferences (editable by administrators)."""

from __future__ import annotations

from django.contrib import admin

from zones.admin import AdministratorAdmin
from zones.models import Report, ReportDelivery, ReportPreference


class ReadOnlyAdmin(AdministratorAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("period", "kind", "scope_key", "status", "pages", "size", "finished_at")
    list_filter = ("kind", "status", "period")
    search_fields = ("scope_key", "zone__name", "prefecture__name")
    exclude = ("figures",)


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("report", "email", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status",)
    search_fields = ("email",)


@admin.register(ReportPreference)
class ReportPreferenceAdmin(AdministratorAdmin):
    list_display = ("user", "receive", "extra_recipients")
    list_filter = ("receive",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
    fieldsets = ((None, {"fields": ("user", "receive", "extra_recipients")}),)
