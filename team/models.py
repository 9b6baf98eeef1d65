"""Who is who in the city's Stat program: departments, portfolios, people and the roles they hold.

A role is held through a :class:`RoleAssignment` with start and end dates, so the roster's history is kept: ending a
role sets its end date rather than deleting it. Department and portfolio scoping is part of the assignment itself.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    PRINCIPAL = "principal", "Principal"
    STAT_LEAD = "stat_lead", "Stat lead"
    STAT_ANALYST = "stat_analyst", "Stat analyst"
    DEPARTMENT_LEAD = "department_lead", "Department lead"
    DEPARTMENT_CONTACT = "department_contact", "Department contact"
    BUDGET_ANALYST = "budget_analyst", "Budget analyst"
    DATA_EXPERT = "data_expert", "Data expert"
    CHIEF_OF_STAFF = "chief_of_staff", "Chief of staff"
    LEGAL_COUNSEL = "legal_counsel", "Legal counsel"
    FINANCE = "finance", "Finance"
    PROCUREMENT = "procurement", "Procurement"
    IT = "it", "Information technology"
    COMMUNICATIONS = "communications", "Communications"
    HR = "hr", "Human resources"


#: Roles held for one department; the assignment must name it.
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT})
#: Roles held for one portfolio; the assignment must name it.
PORTFOLIO_ROLES = frozenset({Role.BUDGET_ANALYST})
#: Roles that may optionally name the department the person sits in.
OPTIONAL_DEPARTMENT_ROLES = frozenset({Role.DATA_EXPERT})
#: The program's own staff, who read everything. Only a principal or Stat lead may grant these.
PROGRAM_ROLES = frozenset({Role.PRINCIPAL, Role.STAT_LEAD, Role.STAT_ANALYST})
#: The seats at the table that are neither program staff nor department roles.
SEAT_ROLES = frozenset(
    {
        Role.CHIEF_OF_STAFF,
        Role.LEGAL_COUNSEL,
        Role.FINANCE,
        Role.PROCUREMENT,
        Role.IT,
        Role.COMMUNICATIONS,
        Role.HR,
    }
)


class DataSpeciality(models.TextChoices):
    GIS = "gis", "GIS"
    DBA = "dba", "Database administration"
    RESEARCH = "research", "Research / analysis"
    AUDIT = "audit", "Internal audit"
    OTHER = "other", "Other"


class Portfolio(models.Model):
    """A budget office's grouping of departments (public safety, public works...), with its budget analysts."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DepartmentQuerySet(models.QuerySet["Department"]):
    def active(self) -> DepartmentQuerySet:
        return self.filter(active=True)


class Department(models.Model):
    """A city department, or a division of one (``parent``)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    code = models.CharField(
        "short code", max_length=12, unique=True, help_text="A short code such as PD or DPW, used in lists and exports."
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="divisions",
        help_text="The department this division belongs to, if it is a division.",
    )
    portfolio = models.ForeignKey(
        Portfolio,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="departments",
        help_text="The budget portfolio this department belongs to.",
    )
    description = models.TextField(blank=True)
    contact_email = models.EmailField(
        "contact mailbox",
        blank=True,
        help_text="The department’s shared mailbox for questions about its data, such as data@police.example.gov. "
        "data.json gives it as each of its datasets’ contact, in place of the steward’s own address.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="department_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("team:department", kwargs={"slug": self.slug})


class Person(models.Model):
    """Someone in the program, with or without a login."""

    full_name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        help_text="The login this person signs in with, if any.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="person_email_unique_when_set"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("team:person", kwargs={"pk": self.pk})


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def current(self, on: datetime.date | None = None) -> RoleAssignmentQuerySet:
        """Assignments in force on ``on`` (today by default): started, and not yet ended."""
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on))

    def not_ended(self, on: datetime.date | None = None) -> RoleAssignmentQuerySet:
        """Assignments in force on ``on`` (today by default) or starting after it: every one not yet ended."""
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on))


class RoleAssignment(models.Model):
    """A person holding a role, for a department or portfolio where the role calls for one, between two dates.

    ``ends_on`` is the first day the role is no longer held; an open assignment has none.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    speciality = models.CharField(max_length=16, choices=DataSpeciality.choices, blank=True)
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["role", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="role_assignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=sorted(r.value for r in DEPARTMENT_ROLES),
                        department__isnull=False,
                        portfolio__isnull=True,
                    )
                    | Q(
                        role__in=sorted(r.value for r in PORTFOLIO_ROLES),
                        department__isnull=True,
                        portfolio__isnull=False,
                    )
                    | Q(role__in=sorted(r.value for r in OPTIONAL_DEPARTMENT_ROLES), portfolio__isnull=True)
                    | (
                        ~Q(
                            role__in=sorted(
                                r.value for r in DEPARTMENT_ROLES | PORTFOLIO_ROLES | OPTIONAL_DEPARTMENT_ROLES
                            )
                        )
                        & Q(department__isnull=True, portfolio__isnull=True)
                    )
                ),
                name="role_assignment_scope_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.DATA_EXPERT, speciality__gt="") | (~Q(role=Role.DATA_EXPERT) & Q(speciality="")),
                name="role_assignment_speciality_only_for_data_expert",
            ),
            # One open assignment per person, role and scope: assigning twice is refused, not duplicated.
            models.UniqueConstraint(
                fields=["person", "role"],
                condition=Q(ends_on__isnull=True, department__isnull=True, portfolio__isnull=True),
                name="role_assignment_unique_open_unscoped",
            ),
            models.UniqueConstraint(
                fields=["person", "role", "department"],
                condition=Q(ends_on__isnull=True, department__isnull=False),
                name="role_assignment_unique_open_department",
            ),
            models.UniqueConstraint(
                fields=["person", "role", "portfolio"],
                condition=Q(ends_on__isnull=True, portfolio__isnull=False),
                name="role_assignment_unique_open_portfolio",
            ),
        ]
        indexes = [models.Index(fields=["role", "ends_on"])]

    def __str__(self) -> str:
        scope = self.department or self.portfolio
        return f"{self.person}: {self.get_role_display()}" + (f" ({scope})" if scope else "")

    @property
    def scope(self) -> Department | Portfolio | None:
        return self.department or self.portfolio

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on > on)
