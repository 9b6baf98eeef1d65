"""Every route of goals and measures (namespace ``goals``), mounted at the site root: the signed-in pages under
/goals/, the staff dashboards, the public dashboard under /public/, and the API under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api
from .views import dashboard, framework, public, upload

app_name = "goals"

api_router = SimpleRouter()
api_router.register("priorities", api.PriorityViewSet, basename="priority")
api_router.register("goals", api.GoalViewSet, basename="goal")
api_router.register("measures", api.MeasureViewSet, basename="measure")
api_router.register("observations", api.ObservationViewSet, basename="observation")

pages = [
    path("", framework.index, name="index"),
    path("add/", framework.goal_create, name="goal_create"),
    path("<int:pk>/", framework.goal_detail, name="goal"),
    path("<int:pk>/edit/", framework.goal_edit, name="goal_edit"),
    path("<int:pk>/measures/add/", framework.measure_create, name="measure_create"),
    path("measures/<slug:slug>/", framework.measure_detail, name="measure"),
    path("measures/<slug:slug>/edit/", framework.measure_edit, name="measure_edit"),
    path("measures/<slug:slug>/compute/", framework.measure_compute, name="measure_compute"),
    path("measures/<slug:slug>/observations/add/", framework.observation_add, name="observation_add"),
    path("measures/<slug:slug>/observations/upload/", upload.upload_observations, name="upload"),
    path("measures/<slug:slug>/observations/upload/confirm/", upload.upload_confirm, name="upload_confirm"),
    path("measures/<slug:slug>/targets/", framework.target_set, name="target_set"),
    path("measures/<slug:slug>/narratives/<str:period>/", framework.narrative_edit, name="narrative"),
    path("dashboard/", dashboard.city_dashboard, name="dashboard_city"),
    path("departments/<slug:slug>/", dashboard.department_dashboard, name="dashboard_department"),
]

urlpatterns = [
    path("goals/", include(pages)),
    path("public/", public.public_home, name="public_home"),
    path("public/measures/<slug:slug>/", public.measure_detail, name="public_measure"),
    path("public/measures/<slug:slug>/embed/", public.measure_embed, name="public_measure_embed"),
    path("public/measures/<slug:slug>.csv", public.measure_csv, name="public_measure_csv"),
    path("api/", include(api_router.urls)),
]
