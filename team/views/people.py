"""The team's pages: the roster, the staffing gaps, people and their roles, departments.

Each view checks access with :func:`team.access.require`, parses its input with a form, calls one selector or
service and renders. Writes happen in ``team.services``; a ValidationError from a service is shown on the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from core.outbox import enqueue, is_waiting

from .. import selectors, services
from ..access import Actor, actor_for, can_change_role, can_edit_person, forget_actor, require
from ..forms import PersonEditForm, PersonForm, RoleAssignForm, RoleEndForm, add_service_errors
from ..models import DEPARTMENT_ROLES, PORTFOLIO_ROLES, Department, Person, Portfolio, Role, RoleAssignment
from ..tasks import person_invite_task

PEOPLE_PER_PAGE = 25


# --- the roster --------------------------------------------------------------------------------------------------


@require_safe
@login_required
def roster(request: HttpRequest) -> HttpResponse:
    """Who is who: program staff, then each department with its lead, contacts, experts and budget analysts."""
    actor = actor_for(request.user)
    require(actor.can_view_team(), "Only people with a role in the program can see the team roster.")
    context = {
        "staff_groups": selectors.staff_groups(selectors.program_staff()),
        "departments": selectors.department_tree(selectors.roster()),
    }
    if actor.can_view_gaps():
        context["gaps"] = selectors.team_gaps()
    return render(request, "team/roster.html", context)


# --- the gaps ------------------------------------------------------------------------------------------------------


@require_safe
@login_required
def gaps(request: HttpRequest) -> HttpResponse:
    """What the Stat team still has to staff, each gap with a link to fill it."""
    actor = actor_for(request.user)
    require(actor.can_view_gaps(), "Only the Stat team can see the staffing gaps.")
    team_gaps = selectors.team_gaps()
    # A principal or Stat lead places a department in a portfolio from its edit page.
    may_place = actor.can_manage_structure()
    unplaced = [
        (department, reverse("team:department_edit", args=[department.slug]) if may_place else None)
        for department in team_gaps.departments_without_portfolio
    ]
    return render(request, "team/gaps.html", {"gaps": team_gaps, "unplaced": unplaced})


# --- people --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignTarget:
    """A role waiting for a person, carried from the gaps page through the people list to the role form."""

    role: Role
    department: Department | None = None
    portfolio: Portfolio | None = None

    @property
    def scope(self) -> Department | Portfolio | None:
        return self.department or self.portfolio

    @property
    def query(self) -> str:
        query = QueryDict(mutable=True)
        query["role"] = self.role.value
        if self.department:
            query["department"] = str(self.department.pk)
        if self.portfolio:
            query["portfolio"] = str(self.portfolio.pk)
        return query.urlencode()


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def assign_target(params: QueryDict, actor: Actor) -> AssignTarget | None:
    """The role named by ``?assign=<role>&department=<pk>`` (or ``&portfolio=<pk>``), if the actor may grant it."""
    role = params.get("assign", "")
    if role not in Role.values or not actor.can_grant_role(role):
        return None
    role = Role(role)
    if role in DEPARTMENT_ROLES:
        department = Department.objects.filter(pk=_int_or_none(params.get("department")), active=True).first()
        return AssignTarget(role, department=department) if department else None
    if role in PORTFOLIO_ROLES:
        portfolio = Portfolio.objects.filter(pk=_int_or_none(params.get("portfolio"))).first()
        return AssignTarget(role, portfolio=portfolio) if portfolio else None
    return AssignTarget(role)


@require_safe
@login_required
def people(request: HttpRequest) -> HttpResponse:
    """Everyone in the program, searchable by name, title or email, a page at a time."""
    actor = actor_for(request.user)
    require(actor.can_manage_people(), "Only the Stat team manages people.")
    query = request.GET.get("q", "").strip()[:100]
    paginator = Paginator(selectors.people(query), PEOPLE_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "team/people.html",
        {
            "query": query,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
            "target": assign_target(request.GET, actor),
        },
    )


def _save_person(form: PersonForm, *, person: Person | None, request: HttpRequest) -> Person:
    """Create or update the person and, when asked, give them a login, all or nothing; the invitation email is
    queued only once that has been committed."""
    with transaction.atomic():
        if person is None:
            person = services.person_create(by=request.user, **form.person_fields)
        else:
            person = services.person_update(person=person, by=request.user, **form.person_fields)
        if form.cleaned_data.get("give_login") and not person.user_id:
            services.person_give_login(person=person, by=request.user)
            enqueue(person_invite_task, person.pk)
    return person


def _login_message(form: PersonForm, person: Person, request: HttpRequest) -> str:
    if not form.cleaned_data.get("give_login"):
        return ""
    if is_waiting(person_invite_task, person.pk):
        return (
            f" The email to {person.email} with a link to set a password is queued: the task queue is not "
            "answering, so it goes out when the queue is back."
        )
    return f" We’ve emailed {person.email} a link to set a password."


@require_get_or_post
@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require(actor.can_manage_people(), "Only the Stat team adds people to the program.")
    initial = {}
    department_id = _int_or_none(request.GET.get("department"))
    if department_id:
        initial["department"] = department_id
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = _save_person(form, person=None, request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added {person}.{_login_message(form, person, request)}")
            return redirect(person)
    return render(request, "team/person_form.html", {"form": form, "person": None})


@require_get_or_post
@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    require(actor.can_manage_people(), "Only the Stat team edits people.")
    person = get_object_or_404(Person.objects.select_related("department", "user"), pk=pk)
    require(can_edit_person(actor, person), f"You may not edit {person}: they hold a role you cannot grant.")
    initial = {
        "full_name": person.full_name,
        "title": person.title,
        "email": person.email,
        "phone": person.phone,
        "department": person.department_id,
        "active": person.active,
    }
    form = PersonEditForm(request.POST or None, initial=initial, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            person = _save_person(form, person=person, request=request)
        except ValidationError as error:
            person.refresh_from_db()  # undo the unsaved changes the service made to this instance
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved {person}’s details.{_login_message(form, person, request)}")
            return redirect(person)
    return render(request, "team/person_form.html", {"form": form, "person": person})


def _roles_context(actor: Actor, person: Person) -> dict:
    """A person's roles split into current (and upcoming) and past, each current one saying if it may be ended."""
    today = timezone.localdate()
    assignments = list(selectors.person_assignments(person))
    current = [a for a in assignments if a.ends_on is None or a.ends_on > today]
    past = [a for a in assignments if a.ends_on is not None and a.ends_on <= today]
    for assignment in current:
        assignment.may_end = can_change_role(actor, assignment.role)
        assignment.upcoming = assignment.starts_on > today
    held = [a.role for a in current]  # upcoming ones too: see team.access.held_roles
    return {
        "person": person,
        "current_assignments": current,
        "past_assignments": past,
        "may_assign": actor.can_manage_people(),
        "may_edit": can_edit_person(actor, person, roles=held),
    }


@require_safe
@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    require(actor.can_view_team(), "Only people with a role in the program can see the team.")
    person = get_object_or_404(Person.objects.select_related("department", "user"), pk=pk)
    return render(request, "team/person_detail.html", _roles_context(actor, person))


# --- roles ---------------------------------------------------------------------------------------------------------


def _initial_assignment(params: QueryDict) -> dict:
    """Prefill the role form from the link that led to it (``?role=department_lead&department=3``)."""
    initial = {}
    if params.get("role") in Role.values:
        initial["role"] = params["role"]
    for name in ("department", "portfolio"):
        value = _int_or_none(params.get(name))
        if value:
            initial[name] = value
    return initial


def describe(assignment: RoleAssignment) -> str:
    """``department lead of Police``, ``budget analyst of Public Safety``, ``stat analyst``."""
    scope = assignment.scope
    return assignment.get_role_display().lower() + (f" of {scope}" if scope else "")


@require_get_or_post
@login_required
def role_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    require(actor.can_manage_people(), "Only the Stat team assigns roles.")
    person = get_object_or_404(Person, pk=pk)
    if request.method == "POST":
        role = request.POST.get("role", "")
        # Re-checked here, not just left to the form's choices: a forged POST for a role gets a 403.
        if role in Role.values:
            require(actor.can_grant_role(role), f"You may not grant the {Role(role).label.lower()} role.")
        form = RoleAssignForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                assignment = services.role_assign(person=person, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                forget_actor(request.user)
                messages.success(request, f"{person} is now {describe(assignment)}.")
                return redirect(person)
    else:
        form = RoleAssignForm(initial=_initial_assignment(request.GET), actor=actor)
    return render(request, "team/role_assign.html", {"form": form, "person": person, "role_scopes": form.SHOW_FOR})


def _safe_next(request: HttpRequest, url: str) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@require_POST
@login_required
def role_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a role (today, or on the date given), keeping it in the person's history.

    From the person page with htmx, answers with the page's roles section; otherwise redirects back."""
    actor = actor_for(request.user)
    require(actor.can_manage_people(), "Only the Stat team ends roles.")
    assignment = get_object_or_404(RoleAssignment.objects.select_related("person", "department", "portfolio"), pk=pk)
    require(actor.can_grant_role(assignment.role), f"You may not end a {assignment.get_role_display().lower()} role.")
    form = RoleEndForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "Enter the end date as a full date, for example 2026-06-30."
    else:
        try:
            ended = services.role_end(assignment=assignment, by=request.user, ends_on=form.cleaned_data["ends_on"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            forget_actor(request.user)
            actor = actor_for(request.user)
            if ended.ends_on > timezone.localdate():
                done = f"{assignment.person}’s role as {describe(ended)} ends on {date_format(ended.ends_on)}."
            else:
                done = f"{assignment.person} is no longer {describe(ended)}."
    if request.headers.get("HX-Request") == "true":
        context = _roles_context(actor, assignment.person)
        context["status"] = {"error": bool(error), "text": error or done}
        return render(request, "team/_person_roles.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_safe_next(request, form.data.get("next", "")) or assignment.person)


# --- departments ---------------------------------------------------------------------------------------------------


@require_safe
@login_required
def department_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A department's page: who leads it and keeps its data, its divisions, its portfolio and its people."""
    actor = actor_for(request.user)
    require(actor.can_view_team(), "Only people with a role in the program can see the team.")
    department = get_object_or_404(selectors.department_profile(), slug=slug)
    return render(
        request,
        "team/department_detail.html",
        {
            "entry": selectors.DepartmentEntry.of(department),
            "department": department,
            "people": selectors.people(department=department),
            "may_assign": actor.can_manage_people(),
        },
    )
