"""The site shell's reads: the public home page's counts, and what each role puts on a signed-in user's home page
(``/dashboard/``). The shell sits on top of every app, so it composes their selectors; each app says who may read
what (its ``access`` module) and how to read it in a fixed number of queries (its ``selectors``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from budget.access import can_read_budget
from budget.selectors import Overview, portfolio_overview
from goals.selectors_dashboard import MeasureRow
from goals.selectors_home import CityGlance, city_glance, measure_work
from quality.selectors_home import DatasetsToCheck, datasets_needing_attention_first
from sessions.access import can_see_late_follow_ups
from sessions.selectors import LateFollowUp, late_follow_ups, overdue_checklist_items, upcoming_sessions
from sessions.selectors_home import (
    NextSession,
    OpenItems,
    next_department_sessions,
    next_sessions_attended,
    open_action_items,
)
from team.access import Actor
from team.models import SEAT_ROLES, Department, Portfolio, Role, RoleAssignment
from team.selectors import TeamGaps, team_gaps


def public_summary() -> dict:
    """Counts for the public home page: two queries."""
    departments = Department.objects.active().aggregate(
        total=Count("pk"), top=Count("pk", filter=Q(parent__isnull=True))
    )
    return {
        "departments": departments["top"],
        "portfolios": Portfolio.objects.count(),
    }


def my_assignments(user: User) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.current()
        .filter(person__user=user)
        .select_related("department", "portfolio")
        .order_by("role")
    )


# --- the signed-in home page ---------------------------------------------------------------------------------------


#: How many rows each list of the home page shows; each says how many more there are.
SHOWN = 8


@dataclass(frozen=True)
class Listing:
    """The first :data:`SHOWN` of a list, and how many more there are."""

    items: list
    more: int


def first_of(rows: Sequence, shown: int = SHOWN) -> Listing:
    return Listing(list(rows[:shown]), max(len(rows) - shown, 0))


@dataclass
class StatTeamHome:
    """The Stat lead's and analysts' work queue: the failing or stale datasets behind measures, the measures with
    no value for the last period, the narratives not yet written; the team's gaps; the sessions' overdue steps
    and (the Stat lead's alone) late follow-up memos."""

    suspect_sources: Listing
    missing: Listing
    narratives: Listing
    gaps: TeamGaps
    overdue_checklist: list
    late_follow_ups: list[LateFollowUp] | None


@dataclass
class LeadHome:
    """A department lead's: their departments' KPIs, the narratives they owe, their open action items."""

    departments: list[Department]
    kpis: list[MeasureRow]
    narratives: Listing
    items: OpenItems


@dataclass
class ContactHome:
    """A department contact's: their departments' datasets, failing or stale first; what is due for each
    department's next Stat session (its materials, their own preparation steps) and the open action items."""

    departments: list[Department]
    datasets: DatasetsToCheck
    next_sessions: list[NextSession]
    items: OpenItems


@dataclass
class BudgetAnalystHome:
    """A budget analyst's: their portfolio's budget against actual, the next sessions they sit in."""

    portfolios: list[Portfolio]
    overview: Overview
    sessions: list


@dataclass
class SeatHome:
    """A seat at the table's (chief of staff, legal counsel, finance...): the sessions ahead, the action items they
    own."""

    sessions: list
    items: OpenItems


@dataclass
class Home:
    """One section per role the reader holds (``None`` for the roles they do not)."""

    city: CityGlance | None = None
    stat_team: StatTeamHome | None = None
    lead: LeadHome | None = None
    contact: ContactHome | None = None
    budget_analyst: BudgetAnalystHome | None = None
    data_expert: DatasetsToCheck | None = None
    seat: SeatHome | None = None


def home_for(actor: Actor, assignments: list[RoleAssignment], *, today: datetime.date, now: datetime.datetime) -> Home:
    """What the roles ``actor`` holds (``assignments``: their current ones, departments and portfolios loaded) put
    on their home page. A fixed number of queries for each role, however much data there is."""
    roles = actor.roles
    home = Home()
    if Role.PRINCIPAL in roles:
        home.city = city_glance()
    if roles & {Role.STAT_LEAD, Role.STAT_ANALYST}:
        work = measure_work(today)
        home.stat_team = StatTeamHome(
            suspect_sources=first_of(work.suspect_sources),
            missing=first_of(work.missing),
            narratives=first_of(work.narratives),
            gaps=team_gaps(),
            overdue_checklist=overdue_checklist_items(now=now),
            late_follow_ups=late_follow_ups(now) if can_see_late_follow_ups(actor) else None,
        )
    lead_departments = _departments(assignments, Role.DEPARTMENT_LEAD, actor.lead_department_ids)
    if lead_departments:
        ids = [department.pk for department in lead_departments]
        work = measure_work(today, ids, with_sources=False)
        home.lead = LeadHome(
            departments=lead_departments,
            kpis=work.kpis,
            narratives=first_of(work.narratives),
            items=open_action_items(actor, department_ids=ids, person_id=actor.person_id),
        )
    contact_departments = _departments(assignments, Role.DEPARTMENT_CONTACT, actor.contact_department_ids)
    if contact_departments:
        ids = [department.pk for department in contact_departments]
        home.contact = ContactHome(
            departments=contact_departments,
            datasets=datasets_needing_attention_first(actor, ids),
            next_sessions=next_department_sessions(actor, ids, now=now, person_id=actor.person_id),
            items=open_action_items(actor, department_ids=ids, person_id=actor.person_id),
        )
    portfolios = [
        a.portfolio
        for a in assignments
        if a.role == Role.BUDGET_ANALYST and a.portfolio is not None and a.portfolio_id in actor.portfolio_ids
    ]
    if portfolios and can_read_budget(actor):
        home.budget_analyst = BudgetAnalystHome(
            portfolios=portfolios,
            overview=portfolio_overview([portfolio.pk for portfolio in portfolios], today),
            sessions=next_sessions_attended(actor, actor.person_id, now=now),
        )
    if Role.DATA_EXPERT in roles:
        home.data_expert = datasets_needing_attention_first(
            actor, sorted(actor.expert_department_ids) or None, only_problems=True
        )
    if roles & SEAT_ROLES:
        home.seat = SeatHome(
            sessions=upcoming_sessions(actor, now=now, limit=5),
            items=open_action_items(actor, person_id=actor.person_id),
        )
    return home


def _departments(assignments: list[RoleAssignment], role: str, ids: frozenset[int]) -> list[Department]:
    """The departments of ``ids`` (the actor's, which count) that ``assignments`` hold ``role`` for, by name."""
    found = {
        a.department.pk: a.department
        for a in assignments
        if a.role == role and a.department is not None and a.department_id in ids
    }
    return sorted(found.values(), key=lambda department: department.name)
