"""Data-quality checks: each run of the checks on a dataset's data, its check results, the latest judgement per
dataset, per-dataset settings and thresholds, uploaded source files, and who is told when a dataset breaks.

Runs and check results are their own time series, apart from the inventory's metadata history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from inventory.models import Dataset, Distribution
from team.models import Person


class Outcome(models.TextChoices):
    """The judgement of one check, and of a whole run (its worst check)."""

    PASS = "pass", "Pass"
    WARN = "warn", "Warning"
    FAIL = "fail", "Fail"
    ERROR = "error", "Error"


class RunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


class Trigger(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    MANUAL = "manual", "Check now"
    UPLOAD = "upload", "File uploaded"


class DatasetQualitySettings(models.Model):
    """How a dataset is checked: its source, its date column, and its own thresholds where they differ from the
    program's defaults (a blank threshold means the default in ``quality.engine.thresholds.DEFAULTS``)."""

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="quality_settings")
    enabled = models.BooleanField(default=True, help_text="Check this dataset on its schedule.")
    source_distribution = models.ForeignKey(
        Distribution,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Which distribution to fetch. Blank: the latest uploaded file, else the first distribution "
        "with a download or API address.",
    )
    date_column = models.CharField(
        max_length=200, blank=True, help_text="A date column whose newest value says how fresh the data is."
    )
    freshness_grace_days = models.PositiveIntegerField(null=True, blank=True)
    row_change_warn_percent = models.PositiveIntegerField(null=True, blank=True)
    empty_warn_percent = models.PositiveIntegerField(null=True, blank=True)
    duplicate_warn_percent = models.PositiveIntegerField(null=True, blank=True)
    max_bytes = models.PositiveBigIntegerField(null=True, blank=True, help_text="Largest download accepted, in bytes.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "dataset quality settings"
        verbose_name_plural = "dataset quality settings"

    def __str__(self) -> str:
        return f"Quality settings for {self.dataset}"


def _upload_path(instance: SourceUpload, filename: str) -> str:
    return f"quality/{instance.dataset_id}/{filename}"


def _checked_copy_path(instance: QualityRun, filename: str) -> str:
    return f"quality/{instance.dataset_id}/checked/run-{instance.pk}-{filename}"


class SourceUpload(models.Model):
    """A data file uploaded on the dataset page, checked in place of (or before) a download URL."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="quality_uploads")
    file = models.FileField(upload_to=_upload_path, max_length=500)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["dataset", "-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name


class QualityRun(models.Model):
    """One run of every check on one dataset's data.

    ``slot`` is the start of the schedule period the run belongs to (a day for a daily dataset, a month for a
    monthly one); a run on demand takes the moment it was asked for. One run per dataset per slot, so a
    schedule that fires twice, or a task delivered twice, never checks twice.
    """

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="quality_runs")
    slot = models.DateTimeField()
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.SCHEDULED)
    state = models.CharField(max_length=20, choices=RunState.choices, default=RunState.QUEUED)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    row_count = models.PositiveBigIntegerField(null=True, blank=True)
    column_count = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=1000, blank=True, help_text="The URL fetched or the file checked.")
    upload = models.ForeignKey(
        "SourceUpload",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="runs",
        help_text="The uploaded file checked, when the source was one (kept while the run is shown or running).",
    )
    checked_copy = models.FileField(
        upload_to=_checked_copy_path,
        max_length=500,
        blank=True,
        help_text="The downloaded bytes this run checked and passed, kept while it is its dataset's latest run and "
        "a measure is computed from the dataset: the measures read what the check judged, not a second download.",
    )
    source_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    source_modified = models.DateTimeField(null=True, blank=True, help_text="The source's Last-Modified date.")
    message = models.TextField(blank=True, help_text="Why the run ended in error, or a one-line summary.")
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the worker checking it (while running)."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dataset", "-slot"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "slot"], name="qualityrun_one_per_dataset_slot"),
            models.CheckConstraint(
                condition=Q(state=RunState.FINISHED) | Q(outcome=""), name="qualityrun_outcome_only_when_finished"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="qualityrun_score_at_most_100"
            ),
        ]
        indexes = [
            models.Index(fields=["dataset", "-finished_at"]),
            models.Index(fields=["state", "started_at"]),
            models.Index(fields=["finished_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} at {self.slot:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("quality:run", kwargs={"pk": self.pk})


class CheckResult(models.Model):
    """One check of one run: its judgement, its measured value, and a few offending rows.

    ``name`` is the check's name (``check`` itself is taken by Django's model checks)."""

    run = models.ForeignKey(QualityRun, on_delete=models.CASCADE, related_name="checks")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=50, help_text="freshness, row_count, completeness, type, enum...")
    column = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Outcome.choices)
    value = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True)
    examples = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["run", "position", "pk"]
        indexes = [models.Index(fields=["run", "status"])]

    def __str__(self) -> str:
        return f"{self.name}{f' ({self.column})' if self.column else ''}: {self.status}"


class DatasetQuality(models.Model):
    """The latest judgement of a dataset, kept beside it so lists, badges and filters need no scan of the runs."""

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="quality")
    latest_run = models.ForeignKey(QualityRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    stale = models.BooleanField(default=False, help_text="The latest run found the data older than its frequency.")
    checked_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "dataset quality"
        verbose_name_plural = "dataset quality"
        indexes = [models.Index(fields=["outcome"]), models.Index(fields=["stale"])]

    def __str__(self) -> str:
        return f"{self.dataset}: {self.outcome or 'not checked'}"

    @property
    def never_fetched(self) -> bool:
        """Not checked because its data has never once been fetched: its latest run could not fetch it (that run's
        message says why; see ``quality.services.run_record``)."""
        return not self.outcome and self.latest_run_id is not None


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "An email each time a dataset starts failing"
    DAILY_DIGEST = "daily", "One email a day listing what started failing"
    NONE = "none", "No quality emails"


class NotificationPreference(models.Model):
    """How a person wants to hear that a dataset they answer for started failing (immediately by default)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="quality_notification_preference")
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.person}: {self.get_delivery_display()}"


class QualityNotification(models.Model):
    """One person told (or to be told, in the next digest) that one dataset went from passing to failing."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="quality_notifications")
    run = models.ForeignKey(QualityRun, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "run"], name="qualitynotification_once_per_person_run"),
        ]
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return f"{self.person} about {self.run}"
