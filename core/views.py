from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .jobs import job_progress
from .models import JobState


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
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "ok", 5)
            checks["redis"] = "ok" if cache.get("healthz") == "ok" else "error: no round trip"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def job_status_partial(request, job) -> HttpResponse | None:
    """For htmx's poll of a job's page (``HX-Request``): the inside of its status line, and, once the job is no
    longer at work, ``HX-Refresh`` so the page reloads to show the outcome. ``None`` for an ordinary request."""
    if request.headers.get("HX-Request") != "true":
        return None
    progress = job_progress(job)
    response = render(request, "components/job_status.html", {"progress": progress, "status_url": request.path})
    if progress["state"] not in (JobState.QUEUED, JobState.RUNNING):
        response["HX-Refresh"] = "true"
    return response
