from celery import shared_task

from . import outbox
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
