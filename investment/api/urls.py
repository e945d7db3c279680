"""API routes of the investment app, mounted at /api/v1/ by devzone/urls.py."""

from rest_framework.routers import SimpleRouter

app_name = "investment_api"

router = SimpleRouter()

urlpatterns = router.urls
