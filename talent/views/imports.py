"""Import pages of the seven talent record types (devzone/imports_views.py).

Each URL passes its ``Kind`` name (see ``kinds``); the resource is ``talent.<kind>``. The batch,
preview and confirm pages are the shared ones.
"""

from __future__ import annotations

from django.http import Http404

from devzone import imports_views
from talent.resources import TalentResource


def _resource_name(kind: str) -> str:
    name = f"talent.{kind}"
    if not any(c.import_name == name for c in TalentResource.__subclasses__()):
        raise Http404
    return name


def record_import(request, kind: str):
    return imports_views.upload(request, _resource_name(kind))


def record_import_template(request, kind: str):
    return imports_views.template(request, _resource_name(kind))
