"""The goals API routes, under /api/ (see goals/api.py)."""

from rest_framework.routers import SimpleRouter

from . import api

app_name = "goals_api"

router = SimpleRouter()
router.register("priorities", api.PriorityViewSet, basename="priority")
router.register("goals", api.GoalViewSet, basename="goal")
router.register("measures", api.MeasureViewSet, basename="measure")
router.register("observations", api.ObservationViewSet, basename="observation")

urlpatterns = router.urls
