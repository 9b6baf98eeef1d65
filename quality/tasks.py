"""Celery tasks of the quality checks: thin and safe to run twice; each loads its object and calls a service.

Acknowledgement (settings: ``CELERY_TASK_ACKS_LATE`` on, ``CELERY_TASK_REJECT_ON_WORKER_LOST`` off): a run's
message is acknowledged only when the task returns. While a run executes, its heartbeat is stamped every
``QUALITY_HEARTBEAT_SECONDS``. If the worker dies mid-run (the machine, its main process, or only the pool process:
killed, out of memory, the hard time limit), the beats stop, and the sweeper (every minute) puts the run back in the
queue and sends it again once it has been silent ``QUALITY_STUCK_AFTER_SECONDS``. If the dead worker's message is
redelivered later (Redis's visibility timeout), the task finds the run finished, or another worker beating on it,
and does nothing. The run is never lost (its row exists from the moment it was queued) and cannot loop: every start
counts an attempt, and past ``QUALITY_MAX_ATTEMPTS`` the run ends in error.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from core.fetch import TransientFetchError

from .models import QualityRun
from .services import (
    digest_send_all,
    notification_send,
    retry_countdown,
    run_execute,
    schedule_due,
    sweep_stuck_runs,
    uploads_prune,
)


@shared_task(
    name="quality.run_check",
    bind=True,
    acks_late=True,
    # Our own attempt counter (kept on the run, so it survives redelivery) is the real cap; this is a backstop.
    max_retries=20,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def run_check_task(self, run_id: int) -> str:
    """Execute one quality run; retried with exponential backoff on a network error that may pass."""
    while True:
        run = QualityRun.objects.filter(pk=run_id).first()
        if run is None:
            return "missing"
        try:
            run = run_execute(run=run, by=None)
        except TransientFetchError as exc:
            if self.request.is_eager:
                # No broker (a development machine, the tests): try again at once. The run's attempt counter
                # ends the loop after QUALITY_MAX_ATTEMPTS.
                continue
            attempts = QualityRun.objects.filter(pk=run_id).values_list("attempts", flat=True).first() or 1
            raise self.retry(exc=exc, countdown=retry_countdown(attempts)) from exc
        return run.outcome or run.state


@shared_task(name="quality.schedule_due")
def schedule_due_task() -> int:
    """Queue the scheduled runs that are due (beat, every 15 minutes)."""
    return len(schedule_due(by=None))


@shared_task(name="quality.sweep_stuck_runs")
def sweep_stuck_runs_task() -> dict[str, int]:
    """Free and retry runs whose worker died, and send again runs whose message was lost (beat, every minute)."""
    return sweep_stuck_runs(by=None)


@shared_task(name="quality.send_notification", bind=True, max_retries=5, default_retry_delay=300)
def send_notification_task(self, notification_id: int) -> bool:
    """Email one person that a dataset started failing; sends nothing if it already went out."""
    try:
        return notification_send(notification_id=notification_id, by=None)
    except OSError as exc:  # the mail server did not answer: try again later
        raise self.retry(exc=exc) from exc


@shared_task(name="quality.send_digests")
def send_digests_task() -> int:
    """Send the daily digests (beat, every hour; each person gets at most one a day, after QUALITY_DIGEST_HOUR)."""
    return digest_send_all(by=None)


@shared_task(name="quality.prune_uploads")
def prune_uploads_task() -> int:
    """Delete the uploaded files past each dataset's newest QUALITY_UPLOADS_KEPT, sparing those behind a run still
    shown or running (beat, nightly)."""
    return uploads_prune(by=None)
