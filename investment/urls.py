"""Pages of the investment app, mounted at the site root by devzone/urls.py.

Every URL argument is an ``<int:pk>``; the board's pk is a zone's.
"""

from django.urls import path

from investment.views import (
    accountability,
    exemptions,
    imports,
    milestones,
    projects,
    reports,
    supervision,
    supervision_edit,
)
from investment.views import evidence as evidence_views
from investment.views import funnel as funnel_views

app_name = "investment"

urlpatterns = [
    path("accountability/", accountability.accountability_board, name="accountability-board"),
    path(
        "accountability/<int:pk>/",
        accountability.accountability_detail,
        name="accountability-detail",
    ),
    path("projects/", projects.project_list, name="project-list"),
    path("projects/export.xlsx", projects.project_export, name="project-export"),
    path("projects/funnel/", funnel_views.project_funnel, name="funnel"),
    path("projects/funnel/export.xlsx", funnel_views.project_funnel_export, name="funnel-export"),
    path("projects/new/", projects.project_create, name="project-create"),
    path("projects/import/", imports.project_import, name="project-import"),
    path(
        "projects/import/template.xlsx",
        imports.project_import_template,
        name="project-import-template",
    ),
    path("milestones/import/", imports.milestone_import, name="milestone-import"),
    path(
        "milestones/import/template.xlsx",
        imports.milestone_import_template,
        name="milestone-import-template",
    ),
    path("milestones/export.xlsx", imports.milestone_export, name="milestone-export"),
    path("progress-reports/import/", imports.report_import, name="report-import"),
    path(
        "progress-reports/import/template.xlsx",
        imports.report_import_template,
        name="report-import-template",
    ),
    path("progress-reports/export.xlsx", imports.report_export, name="report-export"),
    path("projects/reports-owed/", reports.reports_owed, name="reports-owed"),
    path("projects/board/<int:pk>/", projects.project_board, name="project-board"),
    path("projects/<int:pk>/", projects.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project-edit"),
    path("projects/<int:pk>/delete/", projects.project_delete, name="project-delete"),
    path("projects/<int:pk>/transition/", projects.project_transition, name="project-transition"),
    path("projects/<int:pk>/milestones/new/", milestones.milestone_create, name="milestone-create"),
    path("projects/<int:pk>/reports/new/", reports.report_create, name="report-create"),
    path("milestones/<int:pk>/edit/", milestones.milestone_edit, name="milestone-edit"),
    path(
        "milestones/<int:pk>/reschedule/",
        milestones.milestone_reschedule,
        name="milestone-reschedule",
    ),
    path("milestones/<int:pk>/complete/", milestones.milestone_complete, name="milestone-complete"),
    path("progress-reports/<int:pk>/edit/", reports.report_edit, name="report-edit"),
    path("supervision/", supervision.supervision_inbox, name="supervision-inbox"),
    path("supervision/new/", supervision.supervision_create, name="supervision-create"),
    path("supervision/<int:pk>/", supervision.supervision_detail, name="supervision-detail"),
    path("supervision/<int:pk>/step/", supervision.supervision_step, name="supervision-step"),
    path("supervision/<int:pk>/edit/", supervision_edit.supervision_edit, name="supervision-edit"),
    path("supervision/export.xlsx", supervision.supervision_export, name="supervision-export"),
    path("exemptions/", exemptions.exemption_list, name="exemption-list"),
    path("exemptions/new/", exemptions.exemption_create, name="exemption-create"),
    path("exemptions/export.xlsx", exemptions.exemption_export, name="exemption-export"),
    path("exemptions/<int:pk>/", exemptions.exemption_detail, name="exemption-detail"),
    path("exemptions/<int:pk>/decide/", exemptions.exemption_decide, name="exemption-decide"),
    path(
        "milestones/<int:pk>/evidence/",
        evidence_views.milestone_evidence,
        name="milestone-evidence",
    ),
    path(
        "progress-reports/<int:pk>/evidence/",
        evidence_views.report_evidence,
        name="report-evidence",
    ),
    path(
        "exemptions/<int:pk>/evidence/",
        evidence_views.exemption_evidence,
        name="exemption-evidence",
    ),
    path("evidence/<int:pk>/download/", evidence_views.evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/delete/", evidence_views.evidence_delete, name="evidence-delete"),
    path("my-work/", supervision.my_work, name="my-work"),
]
