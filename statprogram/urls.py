"""The site's routes: the shell's own pages (namespace ``site``), then each app's ``urls.py`` (one namespace per
app, each declaring its full paths: pages, public pages and its part of the API under /api/)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from . import views

site_patterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
]

urlpatterns = [
    path("", include((site_patterns, "site"))),
    path("accounts/", include("statprogram.account_urls")),
    path("", include("core.urls")),
    path("", include("team.urls")),
    path("", include("inventory.urls")),
    path("", include("quality.urls")),
    path("", include("goals.urls")),
    path("", include("sessions.urls")),
    path("", include("budget.urls")),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    path(
        "api/docs/",
        # The split view serves Swagger UI's start-up script as a file (?script), not inline: the CSP refuses those.
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

handler403 = "statprogram.views.permission_denied"
handler404 = "statprogram.views.page_not_found"
handler500 = "statprogram.views.server_error"
