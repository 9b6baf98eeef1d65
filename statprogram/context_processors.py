"""What the base layout needs on every page: the program's name and the navigation this user may use."""

from functools import lru_cache

from django.conf import settings
from django.urls import reverse

from budget.access import can_read_budget
from goals.access import can_read_measures
from quality.access import can_read_quality
from sessions.access import can_read_action_items, can_read_sessions
from team.access import actor_for


@lru_cache(maxsize=32)
def _url(name: str) -> str:
    """A navigation URL, reversed once per process (every page draws the navigation)."""
    return reverse(name)


def navigation(request):
    actor = actor_for(getattr(request, "user", None))
    items = [{"label": "Home", "url": _url("site:home")}]
    if actor.has_any_role:
        items = [{"label": "Dashboard", "url": _url("site:dashboard")}]
        items.append({"label": "Inventory", "url": _url("inventory:list")})
        if can_read_measures(actor):
            items.append({"label": "Goals", "url": _url("goals:index")})
        if can_read_quality(actor):
            items.append({"label": "Quality", "url": _url("quality:overview")})
        if can_read_sessions(actor):
            items.append({"label": "Stat sessions", "url": _url("stat_sessions:index")})
        if can_read_action_items(actor):
            items.append({"label": "Action items", "url": _url("stat_sessions:action_items")})
        if can_read_budget(actor):
            items.append({"label": "Budget", "url": _url("budget:index")})
        if actor.can_view_team():
            items.append({"label": "Team", "url": _url("team:roster")})
            items.append({"label": "Departments", "url": _url("team:departments")})
            items.append({"label": "Portfolios", "url": _url("team:portfolios")})
        if actor.can_view_gaps():
            items.append({"label": "Gaps", "url": _url("team:gaps")})
        if actor.can_manage_people():
            items.append({"label": "People", "url": _url("team:people")})
        items.append({"label": "API", "url": _url("api-docs")})
        if request.user.is_staff:
            items.append({"label": "Admin", "url": _url("admin:index")})
    # The public data catalogue is everyone's, so it sits in every navigation.
    items.insert(2 if actor.has_any_role else 1, {"label": "Datasets", "url": _url("inventory:public_datasets")})
    if not actor.has_any_role:
        items.append({"label": "Goals", "url": _url("goals:public_home")})  # the public dashboard
        items.append({"label": "Stat sessions", "url": _url("stat_sessions:public_schedule")})  # the schedule
        items.append({"label": "Budget", "url": _url("budget:public")})  # the adopted budgets made public
    # Only the most specific match is current: on /team/gaps/ that is "Gaps", not "Team" as well; on a department's
    # page (/team/departments/police/) it is "Departments".
    path = request.path
    matches = [item for item in items if path == item["url"] or (item["url"] != "/" and path.startswith(item["url"]))]
    current = max(matches, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["current"] = item is current
    return {
        "CITY_NAME": settings.CITY_NAME,
        "PROGRAM_NAME": settings.PROGRAM_NAME,
        "nav_items": items,
        "actor": actor,
    }
