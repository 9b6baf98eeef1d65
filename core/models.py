from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the heartbeat task: proof that queued work is being done."""

    worker = models.CharField(max_length=200, unique=True)
    last_seen = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.worker} at {self.last_seen:%Y-%m-%d %H:%M:%S}"


class OutboxMessage(models.Model):
    """A Celery task asked for and not yet handed to the broker: the outbox (see :mod:`core.outbox`).

    Written in the transaction that asked for the task, so the task exists exactly when the change that needs it
    was committed; deleted once the broker took it. A row that stays is waiting for the task queue (Redis was
    down): the pages say so, and ``core.outbox_drain`` sends it when the queue is back.
    """

    task = models.CharField(max_length=200, help_text="The Celery task's registered name.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=64, unique=True, help_text="Digest of the task and its arguments.")
    created_at = models.DateTimeField(auto_now_add=True)
    sending_since = models.DateTimeField(
        null=True, blank=True, help_text="Set while a process hands it to the broker; cleared if that fails."
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
