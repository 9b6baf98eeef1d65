from django.urls import path

from . import views, views_structure

app_name = "team"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("gaps/", views.gaps, name="gaps"),
    path("people/", views.people, name="people"),
    path("people/add/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/add/", views.role_assign, name="role_assign"),
    path("roles/<int:pk>/end/", views.role_end, name="role_end"),
    path("departments/", views_structure.department_list, name="departments"),
    # Before departments/<slug>/: "add" is a page, not a department (the services never give a department that slug).
    path("departments/add/", views_structure.department_create, name="department_create"),
    path("departments/<slug:slug>/", views.department_detail, name="department"),
    path("departments/<slug:slug>/edit/", views_structure.department_edit, name="department_edit"),
    path("portfolios/", views_structure.portfolio_list, name="portfolios"),
    path("portfolios/add/", views_structure.portfolio_create, name="portfolio_create"),
    path("portfolios/<slug:slug>/edit/", views_structure.portfolio_edit, name="portfolio_edit"),
]
