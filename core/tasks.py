from celery import shared_task

from .services import heartbeat_record


@shared_task(name="core.heartbeat")
def heartbeat_task() -> int:
    """Record that a worker is alive; beat runs it every minute."""
    worker = heartbeat_task.request.hostname or "eager"
    return heartbeat_record(worker=worker).beats
