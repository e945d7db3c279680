"""API routes of the investment app, mounted at /api/v1/ by devzone/urls.py."""

from rest_framework.routers import SimpleRouter

from investment.api import accountability, supervision, views

app_name = "investment_api"

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("progress-reports", views.ProgressReportViewSet, basename="progress-report")
router.register(
    "supervision-items", supervision.SupervisionItemViewSet, basename="supervision-item"
)
router.register("exemptions", supervision.ExemptionViewSet, basename="exemption")
router.register(
    "accountability", accountability.AccountabilityScoreViewSet, basename="accountability"
)

urlpatterns = router.urls
