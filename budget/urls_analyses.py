"""The analyses' routes, included by :mod:`budget.urls`: pages under /budget/analyses/, the API under
/api/budget/analyses/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api_analyses, views_analyses

analyses_api_router = SimpleRouter()
analyses_api_router.register("analyses", api_analyses.AnalysisViewSet, basename="analysis-api")

analysis_urlpatterns = [
    path("budget/analyses/", views_analyses.analyses, name="analyses"),
    path("budget/analyses/add/", views_analyses.analysis_create_view, name="analysis_create"),
    path("budget/analyses/<int:pk>/", views_analyses.analysis, name="analysis"),
    path("budget/analyses/<int:pk>/edit/", views_analyses.analysis_edit, name="analysis_edit"),
    path("budget/analyses/<int:pk>/delete/", views_analyses.analysis_delete_view, name="analysis_delete"),
    path("api/budget/", include(analyses_api_router.urls)),
]
