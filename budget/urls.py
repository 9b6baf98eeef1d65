"""Every route of the budget (namespace ``budget``), mounted at the site root: pages under /budget/, the public
budget under /public/budget/, the API under /api/budget/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, data_views
from .urls_analyses import analysis_urlpatterns
from .views import pages

app_name = "budget"

api_router = SimpleRouter()
api_router.register("fiscal-years", api.FiscalYearViewSet, basename="fiscal-year")
api_router.register("funds", api.FundViewSet, basename="fund")
api_router.register("programs", api.ProgramViewSet, basename="program")
api_router.register("lines", api.BudgetLineViewSet, basename="line")
api_router.register("monthly-actuals", api.MonthlyActualViewSet, basename="monthly-actual")

data_pages = [
    path("", pages.index, name="index"),
    path("city/", pages.city, name="city"),
    path("portfolio/", pages.portfolio, name="portfolio"),
    path("departments/<slug:slug>/", pages.department, name="department"),
    path("import/", data_views.import_upload, name="import"),
    path("import/map/", data_views.import_map, name="import_map"),
    path("import/confirm/", data_views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/", data_views.import_job, name="import_job"),
    path("fiscal-years/", data_views.fiscal_years, name="fiscal_years"),
    path("fiscal-years/<int:year>/", data_views.fiscal_year_change, name="fiscal_year_change"),
    path("programs/<int:pk>/", data_views.program_detail, name="program"),
    path("programs/<int:pk>/measures/", data_views.program_link, name="program_link"),
    path("programs/<int:pk>/measures/<int:measure_pk>/unlink/", data_views.program_unlink, name="program_unlink"),
    path("export.csv", data_views.export_csv, name="export_csv"),
    path("fiscal-data-package.zip", data_views.export_fiscal_data_package, name="fiscal_data_package"),
]

urlpatterns = [
    *analysis_urlpatterns,
    path("budget/", include(data_pages)),
    path("public/budget/", pages.public_budget, name="public"),
    path("api/budget/", include(api_router.urls)),
]
