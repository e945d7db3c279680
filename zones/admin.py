"""The Django admin, in Chinese, for administrators.

Only ``is_staff`` users reach it. A staff user holding the 系统管理员 role may manage every
model here without Django model permissions; anyone else falls back to Django's permissions, and
their querysets are still scoped through ``for_user``. Writes that have side effects (the zone's
output summary) call the service that maintains them.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from devzone.access import Role, get_scope
from zones.models import Enterprise, Industry, Membership, Prefecture, Province, Zone, ZoneIndicator
from zones.services import refresh_zone_summary
from zones.units import INDICATOR_FIELD_NAMES, OUTPUT_TIER_LABELS

admin.site.site_header = _("开发区高质量发展平台 管理后台")
admin.site.site_title = _("开发区高质量发展平台")
admin.site.index_title = _("系统管理")


def is_administrator(user) -> bool:
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or Role.ADMINISTRATOR in get_scope(user).roles)
    )


class AdministratorAdmin(admin.ModelAdmin):
    """The 系统管理员 role grants every admin permission; querysets stay scoped otherwise."""

    def has_module_permission(self, request):
        return is_administrator(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_administrator(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "for_user") and not is_administrator(request.user):
            queryset = queryset.for_user(request.user, "view")
        return queryset


class AdministratorInline:
    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_delete_permission(request, obj)


@admin.register(Province)
class ProvinceAdmin(AdministratorAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Prefecture)
class PrefectureAdmin(AdministratorAdmin):
    list_display = ("code", "name", "province")
    list_filter = ("province",)
    search_fields = ("code", "name")
    list_select_related = ("province",)


@admin.register(Industry)
class IndustryAdmin(AdministratorAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class ZoneMembershipInline(AdministratorInline, admin.TabularInline):
    model = Membership
    fk_name = "zone"
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 0
    verbose_name = _("本开发区人员")
    verbose_name_plural = _("本开发区人员")


@admin.register(Zone)
class ZoneAdmin(AdministratorAdmin):
    list_display = (
        "code",
        "name",
        "type",
        "level",
        "prefecture",
        "founded_year",
        "leading_industry",
        "latest_output",
        "tier",
        "stage",
    )
    list_filter = ("type", "level", "prefecture", "output_tier", "stage", "is_demo")
    search_fields = ("code", "name", "management_body")
    list_select_related = ("prefecture", "leading_industry")
    filter_horizontal = ("main_industries",)
    readonly_fields = (
        "output_tier",
        "latest_output",
        "latest_output_year",
        "stage",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {"fields": ("code", "name", "type", "level", "prefecture", "founded_year")},
        ),
        (
            _("产业与管理"),
            {
                "fields": (
                    "planned_area_mu",
                    "leading_industry",
                    "main_industries",
                    "management_body",
                    "is_demo",
                )
            },
        ),
        (
            _("系统计算（只读）"),
            {
                "fields": readonly_fields,
                "description": _(
                    "产值规模与发展阶段由系统根据年度指标和评分自动计算，不能手工修改。"
                ),
            },
        ),
    )
    inlines = (ZoneMembershipInline,)

    @admin.display(description=_("产值规模"), ordering="output_tier")
    def tier(self, zone: Zone) -> str:
        return str(OUTPUT_TIER_LABELS.get(zone.output_tier, "—")) if zone.output_tier else "—"


@admin.register(Enterprise)
class EnterpriseAdmin(AdministratorAdmin):
    list_display = (
        "name",
        "credit_code",
        "zone",
        "industry",
        "chain_position",
        "above_designated_size",
        "leading",
    )
    list_filter = (
        "zone__prefecture",
        "industry",
        "chain_position",
        "above_designated_size",
        "test_national_competitiveness",
        "test_headquarters_in_zone",
        "test_local_division_of_labour",
    )
    search_fields = ("name", "credit_code", "zone__name", "zone__code")
    list_select_related = ("zone", "industry")
    autocomplete_fields = ("zone",)
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("龙头企业"), boolean=True)
    def leading(self, enterprise: Enterprise) -> bool:
        return enterprise.is_leading


@admin.register(ZoneIndicator)
class ZoneIndicatorAdmin(AdministratorAdmin):
    list_display = (
        "zone",
        "period_kind",
        "year",
        "month",
        "gross_industrial_output",
        "tax_revenue",
        "updated_at",
    )
    list_filter = ("period_kind", "year", "zone__prefecture")
    search_fields = ("zone__name", "zone__code")
    list_select_related = ("zone",)
    autocomplete_fields = ("zone",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("zone", "period_kind", "year", "month")}),
        (_("指标（规范单位：万元、亩、人、吨标准煤）"), {"fields": INDICATOR_FIELD_NAMES}),
        (_("记录"), {"fields": ("created_at", "updated_at")}),
    )

    def save_model(self, request, obj, form, change):
        """Saving an annual figure changes the zone's output summary: refresh it (and the old
        zone's, when the row moved) in the same transaction."""
        old_zone_id = form.initial.get("zone") if change else None
        super().save_model(request, obj, form, change)
        refresh_zone_summary(obj.zone)
        if old_zone_id and old_zone_id != obj.zone_id:
            refresh_zone_summary(Zone.objects.get(pk=old_zone_id))

    def delete_model(self, request, obj):
        zone = obj.zone
        super().delete_model(request, obj)
        refresh_zone_summary(zone)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        zones = list(Zone.objects.filter(pk__in=queryset.values("zone_id")))
        super().delete_queryset(request, queryset)
        for zone in zones:
            refresh_zone_summary(zone)


@admin.register(Membership)
class MembershipAdmin(AdministratorAdmin):
    list_display = ("user", "role", "province", "prefecture", "zone", "created_at")
    list_filter = ("role", "prefecture", "province")
    search_fields = ("user__username", "user__first_name", "user__last_name", "zone__name")
    list_select_related = ("user", "province", "prefecture", "zone")
    autocomplete_fields = ("user", "zone")


class UserMembershipInline(AdministratorInline, admin.TabularInline):
    model = Membership
    fk_name = "user"
    fields = ("role", "province", "prefecture", "zone")
    autocomplete_fields = ("zone",)
    extra = 0


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin plus the user's roles (memberships) inline."""

    inlines = (UserMembershipInline,)

    def has_module_permission(self, request):
        return is_administrator(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_administrator(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user) or super().has_delete_permission(request, obj)


# The scoring engine's models live in their own admin module.
from zones import admin_reports, admin_scoring  # noqa: E402, F401
