from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .cache import redis_answers
from .jobs import job_progress
from .models import JobState, OutboxMessage

#: Seconds /healthz waits for Redis's answer.
REDIS_CHECK_TIMEOUT = 1.0


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 while the site can serve pages, 503 when it cannot (the database does not answer).

    Redis down is 200 with ``"status": "degraded"`` and the Redis check's error, not 503: the pages render uncached
    and tasks asked for wait in the outbox (``"waiting_tasks"``), so taking every web server out of the balancer
    would turn a degraded site into a site that is down. Monitoring should alert on ``degraded`` all the same."""
    checks = {}
    waiting = 0
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        waiting = OutboxMessage.objects.count()  # also: the tables are there (migrated)
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        checks["redis"] = redis_answers(settings.REDIS_URL, timeout=REDIS_CHECK_TIMEOUT)
    if checks["database"] != "ok":
        return JsonResponse({"status": "error", "checks": checks}, status=503)
    status = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    return JsonResponse({"status": status, "checks": checks, "waiting_tasks": waiting})


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
