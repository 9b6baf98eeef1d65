"""What the base layout needs on every page: the program's name and the navigation this user may use."""

from django.conf import settings
from django.urls import reverse

from goals.selectors import reads_measures
from quality.selectors import reads_quality
from team.access import actor_for


def navigation(request):
    actor = actor_for(getattr(request, "user", None))
    items = [{"label": "Home", "url": reverse("core:home")}]
    if actor.has_any_role:
        items = [{"label": "Dashboard", "url": reverse("core:dashboard")}]
        items.append({"label": "Inventory", "url": reverse("inventory:list")})
        if reads_measures(actor):
            items.append({"label": "Goals", "url": reverse("goals:index")})
        if reads_quality(actor):
            items.append({"label": "Quality", "url": reverse("quality:overview")})
        if actor.can_view_team():
            items.append({"label": "Team", "url": reverse("team:roster")})
            items.append({"label": "Departments", "url": reverse("team:departments")})
            items.append({"label": "Portfolios", "url": reverse("team:portfolios")})
        if actor.can_view_gaps():
            items.append({"label": "Gaps", "url": reverse("team:gaps")})
        if actor.can_manage_people():
            items.append({"label": "People", "url": reverse("team:people")})
        items.append({"label": "API", "url": reverse("api-docs")})
        if request.user.is_staff:
            items.append({"label": "Admin", "url": reverse("admin:index")})
    # The public data catalogue is everyone's, so it sits in every navigation.
    items.insert(2 if actor.has_any_role else 1, {"label": "Datasets", "url": reverse("public:datasets")})
    if not actor.has_any_role:
        items.append({"label": "Goals", "url": reverse("goals_public:home")})  # the public dashboard
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
