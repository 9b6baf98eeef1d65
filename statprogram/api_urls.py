"""Every app's API routes, under /api/."""

from django.urls import include, path

urlpatterns = [
    path("", include("team.api_urls")),
    path("", include("inventory.api_urls")),
    path("", include("goals.api_urls")),
]
