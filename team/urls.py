from django.urls import path

from . import views

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
    path("departments/<slug:slug>/", views.department_detail, name="department"),
]
