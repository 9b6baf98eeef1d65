"""Every route of the team (namespace ``team``): its pages under /team/ and its read API under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api
from .views import people, structure

app_name = "team"

api_router = SimpleRouter()
api_router.register("departments", api.DepartmentViewSet, basename="department")
api_router.register("portfolios", api.PortfolioViewSet, basename="portfolio")
api_router.register("people", api.PersonViewSet, basename="person")

pages = [
    path("", people.roster, name="roster"),
    path("gaps/", people.gaps, name="gaps"),
    path("people/", people.people, name="people"),
    path("people/add/", people.person_create, name="person_create"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/add/", people.role_assign, name="role_assign"),
    path("roles/<int:pk>/end/", people.role_end, name="role_end"),
    path("departments/", structure.department_list, name="departments"),
    # Before departments/<slug>/: "add" is a page, not a department (the services never give a department that slug).
    path("departments/add/", structure.department_create, name="department_create"),
    path("departments/<slug:slug>/", people.department_detail, name="department"),
    path("departments/<slug:slug>/edit/", structure.department_edit, name="department_edit"),
    path("portfolios/", structure.portfolio_list, name="portfolios"),
    path("portfolios/add/", structure.portfolio_create, name="portfolio_create"),
    path("portfolios/<slug:slug>/edit/", structure.portfolio_edit, name="portfolio_edit"),
]

urlpatterns = [
    path("team/", include(pages)),
    path("api/", include(api_router.urls)),
]
