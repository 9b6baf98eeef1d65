"""Every route of the budget (namespace ``budget``), mounted at the site root: pages under /budget/, public pages
under /public/budget/, the API under /api/budget/."""

from .urls_analyses import analysis_urlpatterns

app_name = "budget"

urlpatterns = [
    *analysis_urlpatterns,
]
