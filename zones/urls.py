"""The zone pages.

Two lists: ``urlpatterns`` (namespaced ``zones:``) and ``account_urlpatterns`` — home, login and
logout without a namespace, because settings name them plainly (LOGIN_URL = "login",
LOGIN_REDIRECT_URL = "home", LOGOUT_REDIRECT_URL = "login"). devzone/urls.py includes both.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from zones.views import (
    dashboards,
    enterprises,
    home,
    imports,
    indicators,
    reports,
    zone_pages,
)

app_name = "zones"

urlpatterns = [
    path("zones/", zone_pages.zone_list, name="zone-list"),
    path("zones/export.xlsx", zone_pages.zone_export, name="zone-export"),
    path("zones/<int:pk>/", zone_pages.zone_detail, name="zone-detail"),
    path("zones/<int:pk>/dashboard/", dashboards.zone_dashboard, name="zone-dashboard"),
    path("cockpit/", dashboards.cockpit, name="cockpit"),
    path("reports/", reports.report_list, name="report-list"),
    path("reports/preferences/", reports.report_preferences, name="report-preferences"),
    path("reports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("reports/<int:pk>/download/", reports.report_download, name="report-download"),
    path("reports/<int:pk>/regenerate/", reports.report_regenerate, name="report-regenerate"),
    path("report-deliveries/<int:pk>/resend/", reports.delivery_resend, name="delivery-resend"),
    path(
        "prefectures/<int:pk>/dashboard/",
        dashboards.prefecture_dashboard,
        name="prefecture-dashboard",
    ),
    path("enterprises/", enterprises.enterprise_list, name="enterprise-list"),
    path("enterprises/export.xlsx", enterprises.enterprise_export, name="enterprise-export"),
    path("enterprises/new/", enterprises.enterprise_create, name="enterprise-create"),
    path("enterprises/<int:pk>/", enterprises.enterprise_detail, name="enterprise-detail"),
    path("enterprises/<int:pk>/edit/", enterprises.enterprise_edit, name="enterprise-edit"),
    path("enterprises/<int:pk>/delete/", enterprises.enterprise_delete, name="enterprise-delete"),
    path("indicators/", indicators.indicator_list, name="indicator-list"),
    path("indicators/export.xlsx", indicators.indicator_export, name="indicator-export"),
    path("indicators/new/", indicators.indicator_create, name="indicator-create"),
    path("indicators/<int:pk>/edit/", indicators.indicator_edit, name="indicator-edit"),
    path("enterprises/import/", imports.enterprise_import, name="enterprise-import"),
    path(
        "enterprises/import/template.xlsx",
        imports.enterprise_import_template,
        name="enterprise-import-template",
    ),
    path("indicators/import/", imports.indicator_import, name="indicator-import"),
    path(
        "indicators/import/template.xlsx",
        imports.indicator_import_template,
        name="indicator-import-template",
    ),
    path("imports/", imports.batch_list, name="import-list"),
    path("imports/batch/", imports.batch_detail, name="import-batch"),
    path("imports/confirm/", imports.batch_confirm, name="import-confirm"),
]

account_urlpatterns = [
    path("", home.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
