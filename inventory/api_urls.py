"""The inventory's API routes, under /api/ (see inventory/api.py)."""

from rest_framework.routers import SimpleRouter

from . import api

app_name = "inventory_api"

router = SimpleRouter()
router.register("datasets", api.DatasetViewSet, basename="dataset")

urlpatterns = router.urls
