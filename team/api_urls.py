"""The team's API routes, under /api/ (read-only; see team/api.py)."""

from rest_framework.routers import SimpleRouter

from . import api

app_name = "team_api"

router = SimpleRouter()
router.register("departments", api.DepartmentViewSet, basename="department")
router.register("portfolios", api.PortfolioViewSet, basename="portfolio")
router.register("people", api.PersonViewSet, basename="person")

urlpatterns = router.urls
