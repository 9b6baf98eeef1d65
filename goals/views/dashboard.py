"""The goals dashboards for city staff: the city-wide one (principal, Stat team, seats at the table, data experts)
at /goals/dashboard/ and one per department at /goals/departments/<slug>/. Who sees which is
:mod:`goals.access`'s to say; what they show is built and cached by :mod:`goals.dashboards`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from team.access import actor_for, require

from .. import dashboards
from ..access import can_read_every_measure, get_goals_department_for_user

CITY_DENIED = (
    "The city-wide goals dashboard is for the principal, the Stat team, the seats at the table and data experts. "
    "Your department's dashboard is linked from your dashboard."
)


@require_safe
@login_required
def city_dashboard(request: HttpRequest) -> HttpResponse:
    """Priorities, goals and KPIs with status; the share on track for the city and per department; the trend;
    what changed since last period; data-suspect measures."""
    require(can_read_every_measure(actor_for(request.user)), CITY_DENIED)
    return render(request, "goals/dashboard_city.html", dashboards.city_dashboard(timezone.localdate()))


@require_safe
@login_required
def department_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """A department's KPIs and measures against their targets with the lead's narrative, and its datasets'
    quality (404 for a department whose measures the reader may not read); its action items and budget come
    later."""
    department = get_goals_department_for_user(request.user, slug)
    content = dashboards.department_dashboard(department, timezone.localdate(), actor_for(request.user))
    return render(request, "goals/dashboard_department.html", {"department": department, **content})
