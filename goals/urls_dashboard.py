"""The goals dashboards for city staff (namespace ``goals_dashboard``), mounted at the site root."""

from django.urls import path

from . import views_dashboard

app_name = "goals_dashboard"

urlpatterns = [
    path("goals/dashboard/", views_dashboard.city_dashboard, name="city"),
    path("goals/departments/<slug:slug>/", views_dashboard.department_dashboard, name="department"),
]
