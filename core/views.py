from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .cache import redis_answers
from .models import OutboxMessage

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
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        checks["redis"] = redis_answers(settings.REDIS_URL, timeout=REDIS_CHECK_TIMEOUT)
    if checks["database"] != "ok":
        return JsonResponse({"status": "error", "checks": checks}, status=503)
    status = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    return JsonResponse({"status": status, "checks": checks, "waiting_tasks": OutboxMessage.objects.count()})
