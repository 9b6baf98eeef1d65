"""The quality pages under /quality/ (namespace ``quality``)."""

from django.urls import include, path

from .views import (
    check_now,
    dataset_runs,
    dataset_runs_csv,
    department_overview,
    notifications,
    overview,
    run_detail,
    run_status,
    settings_edit,
    upload,
)

app_name = "quality"

pages = [
    path("", overview, name="overview"),
    path("departments/<slug:slug>/", department_overview, name="department"),
    path("notifications/", notifications, name="notifications"),
    path("runs/<int:pk>/", run_detail, name="run"),
    path("datasets/<int:pk>/runs/", dataset_runs, name="dataset_runs"),
    path("datasets/<int:pk>/runs.csv", dataset_runs_csv, name="dataset_runs_csv"),
    path("datasets/<int:pk>/check/", check_now, name="check_now"),
    path("datasets/<int:pk>/status/", run_status, name="status"),
    path("datasets/<int:pk>/upload/", upload, name="upload"),
    path("datasets/<int:pk>/settings/", settings_edit, name="settings"),
]

urlpatterns = [path("quality/", include(pages))]
