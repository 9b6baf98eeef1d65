from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from team.models import Department, Portfolio, RoleAssignment


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
