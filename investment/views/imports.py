"""Import pages of projects, milestones and progress reports (devzone/imports_views.py), and
the XLSX exports of milestones and reports (the files their imports read back).

The upload and template pages are the shared ones; the batch, preview and confirm pages are
shared too (``zones:import-batch``). Exports are the user's ``export`` scope.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from devzone import imports_views
from devzone.access import get_scope
from devzone.pages import xlsx_response
from investment.resources import ProjectResource
from investment.resources_progress import MilestoneResource, ProgressReportResource


def project_import(request):
    return imports_views.upload(request, ProjectResource.import_name)


def project_import_template(request):
    return imports_views.template(request, ProjectResource.import_name)


def milestone_import(request):
    return imports_views.upload(request, MilestoneResource.import_name)


def milestone_import_template(request):
    return imports_views.template(request, MilestoneResource.import_name)


def report_import(request):
    return imports_views.upload(request, ProgressReportResource.import_name)


def report_import_template(request):
    return imports_views.template(request, ProgressReportResource.import_name)


def _export(request, resource_class, title: str):
    if not get_scope(request.user).allows_anywhere("export"):
        raise Http404
    dataset = resource_class(user=request.user).export(force_native_type=True)
    dataset.title = title
    return xlsx_response(dataset, title)


@login_required
@require_GET
def milestone_export(request):
    """Every milestone the user may export, in the import's columns."""
    return _export(request, MilestoneResource, gettext("项目节点"))


@login_required
@require_GET
def report_export(request):
    """Every progress report the user may export, in the import's columns."""
    return _export(request, ProgressReportResource, gettext("进展月报"))
