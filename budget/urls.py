"""The budget's routes (namespace ``budget``): its pages under /budget/, the public budget under /public/budget/."""

from django.urls import path

from .views import pages

app_name = "budget"

urlpatterns = [
    path("budget/", pages.index, name="index"),
    path("budget/city/", pages.city, name="city"),
    path("budget/portfolio/", pages.portfolio, name="portfolio"),
    path("budget/departments/<slug:slug>/", pages.department, name="department"),
    path("public/budget/", pages.public_budget, name="public"),
]
