from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("core.account_urls")),
    path("team/", include("team.urls")),
    path("inventory/", include("inventory.urls")),
    path("goals/", include("goals.urls")),
    path("quality/", include("quality.urls")),
    path("", include("inventory.urls_public")),
    path("", include("goals.urls_dashboard")),
    path("", include("goals.urls_public")),
    path("api/", include("statprogram.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
