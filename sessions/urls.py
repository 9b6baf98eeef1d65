"""Every route of Stat sessions (namespace ``stat_sessions``), mounted at the site root."""

from django.urls import path

from . import views

app_name = "stat_sessions"

urlpatterns = [
    path("sessions/series/<int:pk>/calendar.ics", views.series_calendar, name="series_calendar"),
    path("sessions/calendar/<str:token>.ics", views.personal_calendar, name="personal_calendar"),
]
