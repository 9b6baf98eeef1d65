"""The program's structure: departments (and their divisions) and budget portfolios.

Everyone with a role in the program reads the lists; only a principal or Stat lead (:meth:`Actor.can_manage_structure`)
adds or changes them. As in ``team.views``, each view checks access, parses its input with a form and calls the
services, which do the writing; a ValidationError from a service is shown on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from core.http import require_get_or_post

from .. import selectors, services
from ..access import actor_for, require
from ..forms import DepartmentForm, PortfolioForm, add_service_errors
from ..models import Department, Portfolio

ONLY_MANAGERS = "Only a principal or Stat lead changes the program’s departments and portfolios."


# --- departments ---------------------------------------------------------------------------------------------------


@require_safe
@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    """Every department, active or not, with its code, parent, portfolio and how many leads and contacts it has."""
    actor = actor_for(request.user)
    require(actor.can_view_team(), "Only people with a role in the program can see the departments.")
    return render(request, "team/department_list.html", {"departments": selectors.departments_overview()})


@require_get_or_post
@login_required
def department_create(request: HttpRequest) -> HttpResponse:
    """Add a department, or a division of one (``?parent=<pk>`` prefills the department it belongs to)."""
    actor = actor_for(request.user)
    require(actor.can_manage_structure(), ONLY_MANAGERS)
    initial = {"active": True}
    parent = request.GET.get("parent", "")
    if parent.isdigit():
        initial["parent"] = int(parent)
    form = DepartmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            department = services.department_create(by=request.user, **form.department_fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added {department}.")
            return redirect(department)
    return render(request, "team/department_form.html", {"form": form, "department": None})


@require_get_or_post
@login_required
def department_edit(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_for(request.user)
    require(actor.can_manage_structure(), ONLY_MANAGERS)
    department = get_object_or_404(Department.objects.select_related("parent", "portfolio"), slug=slug)
    initial = {
        "name": department.name,
        "code": department.code,
        "parent": department.parent_id,
        "portfolio": department.portfolio_id,
        "description": department.description,
        "contact_email": department.contact_email,
        "active": department.active,
    }
    form = DepartmentForm(request.POST or None, initial=initial, department=department)
    if request.method == "POST" and form.is_valid():
        try:
            department = services.department_update(department=department, by=request.user, **form.department_fields)
        except ValidationError as error:
            department.refresh_from_db()  # undo the unsaved changes the service made to this instance
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved {department}.")
            return redirect(department)
    return render(request, "team/department_form.html", {"form": form, "department": department})


# --- portfolios ----------------------------------------------------------------------------------------------------


@require_safe
@login_required
def portfolio_list(request: HttpRequest) -> HttpResponse:
    """Every portfolio with its departments and its budget analysts."""
    actor = actor_for(request.user)
    require(actor.can_view_team(), "Only people with a role in the program can see the portfolios.")
    return render(request, "team/portfolio_list.html", {"portfolios": selectors.portfolios_overview()})


def _moves(portfolio: Portfolio | None, chosen) -> list[str]:
    """What saving will do to departments outside this portfolio, in words, read before it is done."""
    own_id = portfolio.pk if portfolio is not None else None
    chosen_ids = {department.pk for department in chosen}
    moves = [
        f"{department.name} moved here from {department.portfolio.name}."
        for department in chosen
        if department.portfolio_id and department.portfolio_id != own_id
    ]
    if portfolio is not None:
        moves += [
            f"{department.name} is now in no portfolio."
            for department in portfolio.departments.order_by("name")
            if department.pk not in chosen_ids
        ]
    return moves


def _save_portfolio(form: PortfolioForm, *, portfolio: Portfolio | None, by) -> Portfolio:
    """Create or change the portfolio and make the chosen departments exactly its own, all or nothing."""
    data = form.cleaned_data
    with transaction.atomic():
        if portfolio is None:
            portfolio = services.portfolio_create(by=by, name=data["name"], description=data["description"])
        else:
            portfolio = services.portfolio_update(
                portfolio=portfolio, by=by, name=data["name"], description=data["description"]
            )
        services.portfolio_set_departments(portfolio=portfolio, by=by, departments=data["departments"])
    return portfolio


def _portfolio_form(request: HttpRequest, portfolio: Portfolio | None) -> HttpResponse:
    if portfolio is None:
        initial = {}
    else:
        initial = {
            "name": portfolio.name,
            "description": portfolio.description,
            "departments": list(portfolio.departments.values_list("pk", flat=True)),
        }
    form = PortfolioForm(request.POST or None, initial=initial, portfolio=portfolio)
    if request.method == "POST" and form.is_valid():
        moves = _moves(portfolio, form.cleaned_data["departments"])
        adding = portfolio is None
        try:
            portfolio = _save_portfolio(form, portfolio=portfolio, by=request.user)
        except ValidationError as error:
            if not adding:
                portfolio.refresh_from_db()  # undo the unsaved changes the service made to this instance
            add_service_errors(form, error)
        else:
            messages.success(request, " ".join([f"{'Added' if adding else 'Saved'} {portfolio}.", *moves]))
            return redirect("team:portfolios")
    return render(request, "team/portfolio_form.html", {"form": form, "portfolio": portfolio})


@require_get_or_post
@login_required
def portfolio_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require(actor.can_manage_structure(), ONLY_MANAGERS)
    return _portfolio_form(request, None)


@require_get_or_post
@login_required
def portfolio_edit(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_for(request.user)
    require(actor.can_manage_structure(), ONLY_MANAGERS)
    return _portfolio_form(request, get_object_or_404(Portfolio, slug=slug))
