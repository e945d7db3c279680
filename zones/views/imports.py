"""Import pages of the zone registry: enterprises and indicators (devzone/imports_views.py).

The batch list, batch and confirm pages are shared by every app's imports; they live under the
zone registry's URLs (``/imports/``) because it is the first app that imports.
"""

from __future__ import annotations

from devzone import (
    imports_views,
)
from zones.resources import EnterpriseResource, IndicatorResource


def enterprise_import(request):
    return imports_views.upload(request, EnterpriseResource.import_name)


def enterprise_import_template(request):
    return imports_views.template(request, EnterpriseResource.import_name)


def indicator_import(request):
    return imports_views.upload(request, IndicatorResource.import_name)


def indicator_import_template(request):
    return imports_views.template(request, IndicatorResource.import_name)


batch_list = imports_views.batch_list
batch_detail = imports_views.batch_detail
batch_confirm = imports_views.batch_confirm
