"""Routes of the talent API, mounted at /api/v1/ by devzone/urls.py.

Cadres and entrepreneurs are separate resources (their fields differ); talent-teams and
training-sessions carry the names the issue asks for.
"""

from rest_framework.routers import SimpleRouter

from talent.api import views

app_name = "talent_api"

router = SimpleRouter()
router.register("management-cadres", views.ManagementCadreViewSet, basename="management-cadre")
router.register("entrepreneurs", views.EntrepreneurViewSet, basename="entrepreneur")
router.register("talent-teams", views.TalentTeamViewSet, basename="talent-team")
router.register("training-centres", views.TrainingCentreViewSet, basename="training-centre")
router.register("training-sessions", views.TrainingSessionViewSet, basename="training-session")
router.register(
    "special-skills-placements",
    views.SpecialSkillsPlacementViewSet,
    basename="special-skills-placement",
)
router.register("skill-awards", views.SkillAwardViewSet, basename="skill-award")

urlpatterns = router.urls
