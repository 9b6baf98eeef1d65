"""The goals pages for signed-in users, under /goals/ (namespace ``goals``). Each views module declares its own
``urlpatterns``."""

from . import views, views_upload

app_name = "goals"

urlpatterns = [
    *views.urlpatterns,
    *views_upload.urlpatterns,
]
