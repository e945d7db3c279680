"""Pages of the platforms app, mounted at the site root by devzone/urls.py."""

from django.urls import path

from platforms.views import coverage, imports, platforms, records

app_name = "platforms"

urlpatterns = [
    path("platforms/", platforms.platform_list, name="platform-list"),
    path("platforms/export.xlsx", platforms.platform_export, name="platform-export"),
    path("platforms/new/", platforms.platform_create, name="platform-create"),
    path("platforms/import/", imports.platform_import, name="platform-import"),
    path(
        "platforms/import/template.xlsx",
        imports.platform_import_template,
        name="platform-import-template",
    ),
    path("platforms/<int:pk>/", platforms.platform_detail, name="platform-detail"),
    path("platforms/<int:pk>/edit/", platforms.platform_edit, name="platform-edit"),
    path("platforms/<int:pk>/delete/", platforms.platform_delete, name="platform-delete"),
    path("platforms/services/", records.service_list, name="service-list"),
    path("platforms/services/export.xlsx", records.service_export, name="service-export"),
    path("platforms/services/new/", records.service_create, name="service-create"),
    path("platforms/services/import/", imports.service_import, name="service-import"),
    path(
        "platforms/services/import/template.xlsx",
        imports.service_import_template,
        name="service-import-template",
    ),
    path("platforms/services/<int:pk>/", records.service_detail, name="service-detail"),
    path("platforms/services/<int:pk>/edit/", records.service_edit, name="service-edit"),
    path("platforms/services/<int:pk>/delete/", records.service_delete, name="service-delete"),
    path("platforms/coverage/", coverage.coverage_index, name="coverage-index"),
    path("platforms/coverage/<int:pk>/", coverage.coverage_detail, name="coverage-detail"),
]
