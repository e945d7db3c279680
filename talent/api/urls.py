"""API routes of the talent app, mounted at /api/v1/ by devzone/urls.py."""

from rest_framework.routers import SimpleRouter

app_name = "talent_api"

router = SimpleRouter()

urlpatterns = router.urls
