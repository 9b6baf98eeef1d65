from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import WorkerHeartbeat


@transaction.atomic
def heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    """Record that ``worker`` is alive now. Safe to run any number of times."""
    beat, created = WorkerHeartbeat.objects.get_or_create(
        worker=worker, defaults={"last_seen": timezone.now(), "beats": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=beat.pk).update(last_seen=timezone.now(), beats=F("beats") + 1)
        beat.refresh_from_db()
    return beat
