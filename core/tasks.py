from celery import shared_task
from django.conf import settings

from . import outbox
from .jobs import job_run
from .services import heartbeat_record


@shared_task(name="core.heartbeat")
def heartbeat_task() -> int:
    """Record that a worker is alive; beat runs it every minute."""
    worker = heartbeat_task.request.hostname or "eager"
    return heartbeat_record(worker=worker).beats


@shared_task(name="core.outbox_drain")
def outbox_drain_task() -> int:
    """Send the tasks left waiting in the outbox while the broker was down (beat, every minute; and each worker as
    it starts, see ``core.receivers``)."""
    return outbox.drain()


@shared_task(
    name="core.run_job",
    acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def job_run_task(job_id: int) -> str:
    """Run the queued step of one job (a harvest, an import...); does nothing if it already ran or is running."""
    return job_run(job_id=job_id)
