"""Every route of Stat sessions (namespace ``stat_sessions``), mounted at the site root."""

from django.urls import path

from . import views, views_after

app_name = "stat_sessions"

urlpatterns = [
    path("sessions/series/<int:pk>/calendar.ics", views.series_calendar, name="series_calendar"),
    path("sessions/calendar/<str:token>.ics", views.personal_calendar, name="personal_calendar"),
    path("sessions/<int:pk>/held/", views_after.session_held, name="session_held"),
    path("sessions/<int:pk>/follow-up/", views_after.follow_up, name="follow_up"),
    path("sessions/<int:pk>/follow-up/send/", views_after.follow_up_send, name="follow_up_send"),
    path("sessions/<int:pk>/follow-up.pdf", views_after.follow_up_pdf, name="follow_up_pdf"),
    path("sessions/survey/<str:token>/", views_after.survey, name="survey"),
    path("sessions/measures/", views_after.measures, name="measures"),
]
