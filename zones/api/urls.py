"""Routes of the zone registry API, mounted at /api/v1/ by devzone/urls.py."""

from rest_framework.routers import SimpleRouter

from zones.api import views

app_name = "zones_api"

router = SimpleRouter()
router.register("prefectures", views.PrefectureViewSet, basename="prefecture")
router.register("zones", views.ZoneViewSet, basename="zone")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("indicators", views.IndicatorViewSet, basename="indicator")

urlpatterns = router.urls
