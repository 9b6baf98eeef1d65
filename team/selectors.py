"""Named reads of the team. Each costs a fixed number of queries however many rows it returns."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from .models import Department, Person, Portfolio, Role, RoleAssignment


def current_assignments() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.current().select_related("person", "department", "portfolio")


def _current_assignments_prefetches(*, today) -> tuple[Prefetch, Prefetch]:
    """A department's current assignments and its portfolio's (its budget analysts), as ``current_assignments``."""
    return (
        Prefetch(
            "assignments",
            queryset=RoleAssignment.objects.current(today)
            .select_related("person")
            .order_by("role", "person__full_name"),
            to_attr="current_assignments",
        ),
        Prefetch(
            "portfolio__assignments",
            queryset=RoleAssignment.objects.current(today).select_related("person").order_by("person__full_name"),
            to_attr="current_assignments",
        ),
    )


def roster() -> QuerySet[Department]:
    """Active departments with their current assignments and their portfolio's current budget analysts.

    Each department gets ``current_assignments`` (a list) and its portfolio ``current_assignments`` too.
    """
    return (
        Department.objects.active()
        .select_related("portfolio", "parent")
        .prefetch_related(*_current_assignments_prefetches(today=timezone.localdate()))
        .order_by("name")
    )


def program_staff() -> QuerySet[RoleAssignment]:
    """Current assignments that are not scoped to a department or portfolio: principal, Stat team, seats."""
    return (
        current_assignments()
        .filter(department__isnull=True, portfolio__isnull=True)
        .order_by("role", "person__full_name")
    )


def portfolios_with_analysts() -> QuerySet[Portfolio]:
    today = timezone.localdate()
    return Portfolio.objects.prefetch_related(
        Prefetch(
            "assignments",
            queryset=RoleAssignment.objects.current(today).select_related("person").order_by("person__full_name"),
            to_attr="current_assignments",
        ),
        Prefetch("departments", queryset=Department.objects.active().order_by("name"), to_attr="active_departments"),
    ).order_by("name")


def departments_overview() -> QuerySet[Department]:
    """Every department, active or not, with its parent and portfolio and ``lead_count`` / ``contact_count``: how
    many people hold the role today (someone marked inactive leaves the seat empty, as on the gaps page). One query.
    """
    today = timezone.localdate()
    held_today = (
        Q(assignments__starts_on__lte=today)
        & (Q(assignments__ends_on__isnull=True) | Q(assignments__ends_on__gt=today))
        & Q(assignments__person__active=True)
    )
    return (
        Department.objects.select_related("parent", "portfolio")
        .annotate(
            lead_count=Count(
                "assignments", filter=held_today & Q(assignments__role=Role.DEPARTMENT_LEAD), distinct=True
            ),
            contact_count=Count(
                "assignments", filter=held_today & Q(assignments__role=Role.DEPARTMENT_CONTACT), distinct=True
            ),
        )
        .order_by("name")
    )


def portfolios_overview() -> QuerySet[Portfolio]:
    """Every portfolio with ``all_departments`` (active or not, by name) and ``current_analysts`` (today's budget
    analysts with their person). Three queries."""
    today = timezone.localdate()
    return Portfolio.objects.prefetch_related(
        Prefetch("departments", queryset=Department.objects.order_by("name"), to_attr="all_departments"),
        Prefetch(
            "assignments",
            queryset=RoleAssignment.objects.current(today)
            .filter(role=Role.BUDGET_ANALYST)
            .select_related("person")
            .order_by("person__full_name"),
            to_attr="current_analysts",
        ),
    ).order_by("name")


@dataclass(frozen=True)
class TeamGaps:
    departments_without_lead: list[Department]
    departments_without_contact: list[Department]
    portfolios_without_analyst: list[Portfolio]
    departments_without_portfolio: list[Department]

    @property
    def count(self) -> int:
        return (
            len(self.departments_without_lead)
            + len(self.departments_without_contact)
            + len(self.portfolios_without_analyst)
            + len(self.departments_without_portfolio)
        )


def team_gaps() -> TeamGaps:
    """What the Stat lead still has to staff: four queries, one per kind of gap."""
    today = timezone.localdate()

    def holds(role: str, **scope) -> Exists:
        # A role held by someone marked inactive (left the city, on leave) leaves the seat empty.
        return Exists(RoleAssignment.objects.current(today).filter(role=role, person__active=True, **scope))

    departments = Department.objects.active().order_by("name")
    return TeamGaps(
        departments_without_lead=list(
            departments.filter(~holds(Role.DEPARTMENT_LEAD, department=OuterRef("pk")), parent__isnull=True)
        ),
        departments_without_contact=list(
            departments.filter(~holds(Role.DEPARTMENT_CONTACT, department=OuterRef("pk")), parent__isnull=True)
        ),
        portfolios_without_analyst=list(
            Portfolio.objects.filter(~holds(Role.BUDGET_ANALYST, portfolio=OuterRef("pk"))).order_by("name")
        ),
        departments_without_portfolio=list(departments.filter(portfolio__isnull=True, parent__isnull=True)),
    )


def people(search: str = "", *, department: Department | None = None) -> QuerySet[Person]:
    qs = Person.objects.select_related("department", "user").prefetch_related(
        Prefetch(
            "assignments",
            queryset=RoleAssignment.objects.current().select_related("department", "portfolio"),
            to_attr="current_assignments",
        )
    )
    if search:
        qs = qs.filter(Q(full_name__icontains=search) | Q(title__icontains=search) | Q(email__icontains=search))
    if department is not None:
        qs = qs.filter(department=department)
    return qs.order_by("full_name")


def person_assignments(person: Person) -> QuerySet[RoleAssignment]:
    """All of a person's assignments, current and past, newest first."""
    return person.assignments.select_related(
        "department", "portfolio", "created_by__person", "ended_by__person"
    ).order_by("-starts_on", "-pk")


def department_profile() -> QuerySet[Department]:
    """Departments ready for their own page: current assignments, the portfolio's current budget analysts and
    active divisions come with it (four queries in all). Narrow it with ``.get(slug=...)``."""
    return Department.objects.select_related("portfolio", "parent").prefetch_related(
        *_current_assignments_prefetches(today=timezone.localdate()),
        Prefetch("divisions", queryset=Department.objects.active().order_by("name"), to_attr="active_divisions"),
    )


# --- the roster, grouped -------------------------------------------------------------------------------------------


@dataclass
class DepartmentEntry:
    """One department on the roster, its current assignments sorted by what they are."""

    department: Department
    leads: list[RoleAssignment] = field(default_factory=list)
    contacts: list[RoleAssignment] = field(default_factory=list)
    experts: list[RoleAssignment] = field(default_factory=list)
    budget_analysts: list[RoleAssignment] = field(default_factory=list)
    divisions: list[DepartmentEntry] = field(default_factory=list)

    # Links that fill a vacancy: the people list, asked to pick someone for this role here.
    @property
    def lead_query(self) -> str:
        return urlencode({"assign": Role.DEPARTMENT_LEAD, "department": self.department.pk})

    @property
    def contact_query(self) -> str:
        return urlencode({"assign": Role.DEPARTMENT_CONTACT, "department": self.department.pk})

    @property
    def budget_analyst_query(self) -> str:
        return urlencode({"assign": Role.BUDGET_ANALYST, "portfolio": self.department.portfolio_id})

    @classmethod
    def of(cls, department: Department) -> DepartmentEntry:
        entry = cls(department=department)
        for assignment in getattr(department, "current_assignments", []):
            if assignment.role == Role.DEPARTMENT_LEAD:
                entry.leads.append(assignment)
            elif assignment.role == Role.DEPARTMENT_CONTACT:
                entry.contacts.append(assignment)
            elif assignment.role == Role.DATA_EXPERT:
                entry.experts.append(assignment)
        if department.portfolio is not None:
            entry.budget_analysts = list(getattr(department.portfolio, "current_assignments", []))
        return entry


def department_tree(departments) -> list[DepartmentEntry]:
    """Top-level departments with their divisions nested under them (no queries: ``departments`` is loaded)."""
    entries = {department.pk: DepartmentEntry.of(department) for department in departments}
    top: list[DepartmentEntry] = []
    for entry in entries.values():
        parent = entries.get(entry.department.parent_id)
        (parent.divisions if parent else top).append(entry)
    return top


def staff_groups(assignments) -> list[tuple[str, list[RoleAssignment]]]:
    """Program staff grouped by role, in the order the roles are declared (principal first)."""
    by_role: dict[str, list[RoleAssignment]] = defaultdict(list)
    for assignment in assignments:
        by_role[assignment.role].append(assignment)
    return [(role.label, by_role[role]) for role in Role if by_role.get(role)]
