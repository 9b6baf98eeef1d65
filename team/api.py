"""The team's read API: departments, portfolios and people, open to everyone (GET only).

The roster is public, as it is on the city's website; people's email addresses and phone numbers are shown only to
those the team's pages show them to, users with a role in the program (see
:func:`team.serializers.shows_contact_details`). Writes go through the web pages and the
admin, which call :mod:`team.services`; these endpoints answer any other method with 405.

Each list costs a fixed number of queries however long the page: the querysets below select and prefetch
everything the output serializers read.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from . import selectors
from .models import Department, Person, Portfolio, Role, RoleAssignment
from .serializers import (
    DepartmentOutputSerializer,
    PersonOutputSerializer,
    PortfolioOutputSerializer,
    shows_contact_details,
)

READ_ONLY_METHODS = ["get", "head", "options"]


class TeamPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _current_holders(role: str) -> QuerySet[RoleAssignment]:
    """Current assignments of ``role`` held by active people, with the person fetched in the same query."""
    return (
        RoleAssignment.objects.current(timezone.localdate())
        .filter(role=role, person__active=True)
        .select_related("person")
        .order_by("person__full_name", "pk")
    )


def departments_for_api() -> QuerySet[Department]:
    """Every department with its parent, portfolio, current leads and current contacts: three queries."""
    return (
        Department.objects.select_related("portfolio", "parent")
        .prefetch_related(
            Prefetch("assignments", queryset=_current_holders(Role.DEPARTMENT_LEAD), to_attr="current_leads"),
            Prefetch("assignments", queryset=_current_holders(Role.DEPARTMENT_CONTACT), to_attr="current_contacts"),
        )
        .order_by("name", "pk")
    )


def portfolios_for_api() -> QuerySet[Portfolio]:
    """Every portfolio with its departments and current budget analysts: three queries."""
    return Portfolio.objects.prefetch_related(
        Prefetch("departments", queryset=Department.objects.order_by("name", "pk"), to_attr="all_departments"),
        Prefetch("assignments", queryset=_current_holders(Role.BUDGET_ANALYST), to_attr="current_analysts"),
    ).order_by("name", "pk")


class DepartmentFilter(filters.FilterSet):
    portfolio = filters.ModelChoiceFilter(
        queryset=Portfolio.objects.all(), to_field_name="slug", help_text="A portfolio's slug."
    )
    parent = filters.ModelChoiceFilter(
        queryset=Department.objects.all(), to_field_name="slug", help_text="The parent department's slug."
    )
    active = filters.BooleanFilter()

    class Meta:
        model = Department
        fields = ["portfolio", "parent", "active"]


class PersonFilter(filters.FilterSet):
    department = filters.ModelChoiceFilter(
        queryset=Department.objects.all(), to_field_name="slug", help_text="The slug of the person's department."
    )
    role = filters.ChoiceFilter(choices=Role.choices, method="filter_role", help_text="A role the person holds now.")
    active = filters.BooleanFilter()
    search = filters.CharFilter(
        method="filter_search",
        help_text="Part of a name or title (or, for users with a role in the program, an email address).",
    )

    class Meta:
        model = Person
        fields = ["department", "role", "active", "search"]

    def filter_role(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        holds = RoleAssignment.objects.current(timezone.localdate()).filter(person=OuterRef("pk"), role=value)
        return queryset.filter(Exists(holds))

    def filter_search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        value = value.strip()
        if not value:
            return queryset
        q = Q(full_name__icontains=value) | Q(title__icontains=value)
        # Those who are not shown email addresses may not probe for them either.
        if shows_contact_details(self.request):
            q |= Q(email__icontains=value)
        return queryset.filter(q)


@extend_schema_view(
    list=extend_schema(
        summary="List departments",
        description="Departments and divisions with their portfolio, current leads and current contacts.",
    ),
    retrieve=extend_schema(summary="One department, by slug"),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    http_method_names = READ_ONLY_METHODS
    serializer_class = DepartmentOutputSerializer
    filterset_class = DepartmentFilter
    pagination_class = TeamPagination
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Department]:
        return departments_for_api()


@extend_schema_view(
    list=extend_schema(
        summary="List portfolios", description="Budget portfolios with their departments and current budget analysts."
    ),
    retrieve=extend_schema(summary="One portfolio, by slug"),
)
class PortfolioViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    http_method_names = READ_ONLY_METHODS
    serializer_class = PortfolioOutputSerializer
    pagination_class = TeamPagination
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Portfolio]:
        return portfolios_for_api()


@extend_schema_view(
    list=extend_schema(
        summary="List people",
        description="People in the program with their current roles. "
        "`email` and `phone` are present only for users with a role in the program.",
    ),
    retrieve=extend_schema(summary="One person, by id"),
)
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    http_method_names = READ_ONLY_METHODS
    serializer_class = PersonOutputSerializer
    filterset_class = PersonFilter
    pagination_class = TeamPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Person]:
        return selectors.people().order_by("full_name", "pk")
