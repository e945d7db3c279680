"""API routes of the platforms app, mounted at /api/v1/ by devzone/urls.py."""

from rest_framework.routers import SimpleRouter

from platforms.api import views

app_name = "platforms_api"

router = SimpleRouter()
router.register("platforms", views.PlatformViewSet, basename="platform")
router.register("service-records", views.ServiceRecordViewSet, basename="service-record")

urlpatterns = router.urls
