"""Public pages at the site root, open to anonymous visitors: the catalogue (/public/...) and /data.json."""

from . import views_datajson, views_public

app_name = "public"

urlpatterns = [
    *views_public.urlpatterns,
    *views_datajson.urlpatterns,
]
