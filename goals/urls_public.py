"""The public dashboard (namespace ``goals_public``), mounted at the site root and open to everyone."""

from django.urls import path

from . import views_dashboard_public as views

app_name = "goals_public"

urlpatterns = [
    path("public/", views.public_home, name="home"),
    path("public/measures/<slug:slug>/", views.measure_detail, name="measure"),
    path("public/measures/<slug:slug>/embed/", views.measure_embed, name="embed"),
    path("public/measures/<slug:slug>.csv", views.measure_csv, name="csv"),
]
