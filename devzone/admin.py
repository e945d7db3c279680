"""The project app's admin: import batches (read-only) and change history (read-only).

Administrators search them; nobody edits them.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from devzone.access import Role, get_scope
from devzone.models import AuditEvent, ChangeRecord, ImportBatch


def _is_administrator(user) -> bool:
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or Role.ADMINISTRATOR in get_scope(user).roles)
    )


class RecordsAdmin(admin.ModelAdmin):
    """Rows the platform writes about itself: administrators read them, nobody edits them."""

    def has_module_permission(self, request):
        return _is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_administrator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ImportBatchAdmin(RecordsAdmin):
    list_display = (
        "created_at",
        "user",
        "resource",
        "original_name",
        "status",
        "rows_total",
        "rows_new",
        "rows_updated",
        "rows_unchanged",
        "rows_error",
    )
    list_filter = ("status", "resource")
    search_fields = ("original_name", "user__username", "sha256")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
    fieldsets = (
        (None, {"fields": ("user", "resource", "status", "message", "created_at", "confirmed_at")}),
        (
            _("文件"),
            {"fields": ("original_name", "file", "file_format", "encoding", "size", "sha256")},
        ),
        (
            _("行数"),
            {
                "fields": (
                    "rows_total",
                    "rows_new",
                    "rows_updated",
                    "rows_unchanged",
                    "rows_error",
                    "zone_ids",
                )
            },
        ),
        (_("明细"), {"fields": ("errors", "preview")}),
    )


admin.site.register(ImportBatch, ImportBatchAdmin)


@admin.register(ChangeRecord)
class ChangeRecordAdmin(RecordsAdmin):
    """The change history of every business record, searchable by administrators."""

    list_display = ("at", "user", "ip", "action", "content_type", "object_repr", "zone_id")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "user__username", "note", "ip")
    date_hierarchy = "at"
    list_select_related = ("user", "content_type")
    readonly_fields = [f.name for f in ChangeRecord._meta.fields]


@admin.register(AuditEvent)
class AuditEventAdmin(RecordsAdmin):
    """The audit trail: administrators search it; nobody adds, changes or deletes a row."""

    list_display = ("at", "username", "kind", "ip", "method", "path", "status", "summary")
    list_filter = ("kind", "method", "status")
    search_fields = ("username", "ip", "path", "summary")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    show_full_result_count = False  # the trail grows without end: no COUNT(*) of all rows
