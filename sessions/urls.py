"""Every route of Stat sessions (namespace ``stat_sessions``), mounted at the site root."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api_actions, views, views_actions

app_name = "stat_sessions"

api_router = SimpleRouter()
api_router.register("action-items", api_actions.ActionItemViewSet, basename="action-item")

urlpatterns = [
    path("sessions/series/<int:pk>/calendar.ics", views.series_calendar, name="series_calendar"),
    path("sessions/calendar/<str:token>.ics", views.personal_calendar, name="personal_calendar"),
    path("sessions/action-items/", views_actions.action_items, name="action_items"),
    path("sessions/action-items/export.csv", views_actions.action_items_csv, name="action_items_csv"),
    path("sessions/action-items/<int:pk>/", views_actions.action_item, name="action_item"),
    path("sessions/action-items/<int:pk>/update/", views_actions.action_item_update, name="action_item_update"),
    path("sessions/action-items/<int:pk>/complete/", views_actions.action_item_complete, name="action_item_complete"),
    path("sessions/action-items/<int:pk>/merge/", views_actions.action_item_merge, name="action_item_merge"),
    path(
        "sessions/action-items/updates/<int:pk>/attachment/",
        views_actions.action_item_attachment,
        name="action_item_attachment",
    ),
    path("sessions/<int:pk>/agenda/", views_actions.session_agenda, name="agenda"),
    path("sessions/<int:pk>/action-items/add/", views_actions.session_action_item_add, name="action_item_add"),
    path("api/", include(api_router.urls)),
]
