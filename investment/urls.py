"""Pages of the investment app, mounted at the site root by devzone/urls.py.

Every URL argument is an ``<int:pk>``; the board's pk is a zone's.
"""

from django.urls import path

from investment.views import milestones, projects, reports

app_name = "investment"

urlpatterns = [
    path("projects/", projects.project_list, name="project-list"),
    path("projects/export.xlsx", projects.project_export, name="project-export"),
    path("projects/new/", projects.project_create, name="project-create"),
    path("projects/reports-owed/", reports.reports_owed, name="reports-owed"),
    path("projects/board/<int:pk>/", projects.project_board, name="project-board"),
    path("projects/<int:pk>/", projects.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project-edit"),
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
]
