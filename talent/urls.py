"""Pages of the talent app, mounted at the site root by devzone/urls.py.

Every record type gets the same six pages, named ``talent:<kind>-list`` and so on (see
talent/views/kinds.py); URL arguments are only ``<int:pk>``.
"""

from django.urls import path

from talent.views import imports, overview, records
from talent.views.kinds import KINDS

app_name = "talent"

urlpatterns = [
    path("talent/", overview.overview, name="overview"),
    path("talent/zones/<int:pk>/", overview.zone_overview, name="zone-overview"),
]

for _kind in KINDS:
    _base, _args = f"talent/{_kind.slug}/", {"kind": _kind.name}
    urlpatterns += [
        path(_base, records.record_list, _args, name=f"{_kind.name}-list"),
        path(f"{_base}export.xlsx", records.record_export, _args, name=f"{_kind.name}-export"),
        path(f"{_base}new/", records.record_create, _args, name=f"{_kind.name}-create"),
        path(f"{_base}<int:pk>/", records.record_detail, _args, name=f"{_kind.name}-detail"),
        path(f"{_base}<int:pk>/edit/", records.record_edit, _args, name=f"{_kind.name}-edit"),
        path(f"{_base}<int:pk>/delete/", records.record_delete, _args, name=f"{_kind.name}-delete"),
        path(f"{_base}import/", imports.record_import, _args, name=f"{_kind.name}-import"),
        path(
            f"{_base}import/template.xlsx",
            imports.record_import_template,
            _args,
            name=f"{_kind.name}-import-template",
        ),
    ]
del _kind, _base, _args
