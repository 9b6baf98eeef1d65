from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from team.access import actor_for
from team.selectors import team_gaps

from . import selectors


@require_safe
def home(request):
    """The public home page: what the program is, for residents, press and developers. No login needed."""
    return render(request, "core/home.html", {"summary": selectors.public_summary()})


@require_safe
@login_required
def dashboard(request):
    """Where a signed-in user lands: what their roles let them do, and (for the Stat team) what needs staffing."""
    actor = actor_for(request.user)
    context = {"my_assignments": selectors.my_assignments(request.user)}
    if actor.can_view_gaps():
        context["gaps"] = team_gaps()
    return render(request, "core/dashboard.html", context)


@never_cache
@require_GET
def healthz(request):
    """200 when the database (and Redis, when configured) answer; 503 otherwise. For load balancers."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
    from django.conf import settings

    if settings.REDIS_URL:
        try:
            cache.set("healthz", "ok", 5)
            checks["redis"] = "ok" if cache.get("healthz") == "ok" else "error: no round trip"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"message": str(exception) if exception else ""}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
