from django.conf import settings
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


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """Long work done by a Celery worker for one person, out of the request (a harvest, a large import, a dictionary
    drafted from a big sample), kept so its page survives reloads.

    A job goes through steps (``step``: "preview", then "import"), each a run of its kind's runner: queued ->
    running -> done or failed. The uploaded or fetched file waits in ``payload`` (compressed, at most
    ``JOB_PAYLOAD_MAX_BYTES`` before compression) until the last step is done. While a step runs, its progress is
    reported through the cache (see ``core.jobs``); ``done`` and ``total`` hold the last counts once it ends.
    """

    kind = models.CharField(max_length=50, help_text="Which runner does the work, e.g. inventory.harvest.")
    step = models.CharField(max_length=20, blank=True, help_text="What the current or last run does.")
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="The object the job is about.")
    source = models.CharField(max_length=1000, blank=True, help_text="The file's name or the address fetched.")
    params = models.JSONField(default=dict, blank=True, help_text="The choices the current step runs with.")
    payload = models.BinaryField(null=True, blank=True, editable=False, help_text="The input, zlib-compressed.")
    payload_bytes = models.PositiveBigIntegerField(default=0, help_text="The input's size before compression.")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True, help_text="A one-line summary, or why the step failed.")
    result = models.JSONField(default=dict, blank=True, help_text="What the last step did, for its page.")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["actor", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.step or 'start'}: {self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)
