"""Import pages of platforms and service records (devzone/imports_views.py); the batch,
preview and confirm pages are the shared ones."""

from __future__ import annotations

from devzone import imports_views
from platforms.resources import PlatformResource, ServiceRecordResource


def platform_import(request):
    return imports_views.upload(request, PlatformResource.import_name)


def platform_import_template(request):
    return imports_views.template(request, PlatformResource.import_name)


def service_import(request):
    return imports_views.upload(request, ServiceRecordResource.import_name)


def service_import_template(request):
    return imports_views.template(request, ServiceRecordResource.import_name)
