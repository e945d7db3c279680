"""API routes of the platforms app, mounted at /api/v1/ by devzone/urls.py."""

from rest_framework.routers import SimpleRouter

app_name = "platforms_api"

router = SimpleRouter()

urlpatterns = router.urls
