"""Routes of the zone registry API, mounted at /api/v1/ by devzone/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from zones.api import dashboards, views

app_name = "zones_api"

router = SimpleRouter()
router.register("prefectures", views.PrefectureViewSet, basename="prefecture")
router.register("zones", views.ZoneViewSet, basename="zone")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("indicators", views.IndicatorViewSet, basename="indicator")

urlpatterns = [
    path("cockpit/", dashboards.CockpitView.as_view(), name="cockpit"),
    *router.urls,
]
