"""Admin of platforms and service records for administrators; writes go through the services
so the catalogue, same-zone rules and history apply there too."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from platforms import services
from platforms.models import Platform, ServiceRecord
from zones.admin import AdministratorAdmin


@admin.register(Platform)
class PlatformAdmin(AdministratorAdmin):
    list_display = ("name", "zone", "kind", "sub_kind", "chain_segment", "level", "status")
    list_filter = ("kind", "level", "status", "operator_type", "serves_leading_industry")
    search_fields = ("name", "operator_name", "zone__name", "zone__code")
    list_select_related = ("zone",)
    raw_id_fields = ("zone", "host_enterprise")
    readonly_fields = ("chain_segment", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in services.PLATFORM_FIELDS}
        if change:
            original = Platform.objects.get(pk=obj.pk)
            saved = services.update_platform(request.user, original, data)
        else:
            saved = services.create_platform(request.user, data)
        obj.pk, obj.chain_segment = saved.pk, saved.chain_segment

    def delete_model(self, request, obj):
        services.delete_platform(request.user, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_platform(request.user, obj)


@admin.register(ServiceRecord)
class ServiceRecordAdmin(AdministratorAdmin):
    list_display = ("served_on", "platform", "enterprise", "category", "fee_wan", "free")
    list_filter = ("category", "free")
    search_fields = ("service_type", "platform__name", "enterprise__name")
    list_select_related = ("platform", "enterprise")
    raw_id_fields = ("platform", "enterprise")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "served_on"

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in services.SERVICE_FIELDS}
        if change:
            original = ServiceRecord.objects.get(pk=obj.pk)
            saved = services.update_service_record(request.user, original, data)
        else:
            saved = services.create_service_record(request.user, data)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_service_record(request.user, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_service_record(request.user, obj)
