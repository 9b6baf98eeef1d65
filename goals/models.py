"""The strategic framework: priorities, goals with targets, the measures that track them, their observations per
period, and the department lead's narrative for each KPI and period.

Priority -> goal (specific, with a target and a deadline) -> one key performance indicator (KPI) per goal plus
supporting measures. A measure is computed from an inventoried dataset or entered by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from inventory.models import Dataset
from team.models import Department


class Priority(models.Model):
    """A citywide priority from the strategic plan or the principal's agenda."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.name


class Horizon(models.TextChoices):
    SHORT = "short", "Short term (1–2 years)"
    INTERMEDIATE = "intermediate", "Intermediate (2–4 years)"
    LONG = "long", "Long term (4–20 years)"


class Goal(models.Model):
    """A specific, measurable goal with a target and a deadline, owned by one or more departments."""

    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="goals")
    statement = models.CharField(max_length=300, help_text="e.g. Cut crashes at the 50 targeted intersections by 20%.")
    description = models.TextField(blank=True)
    departments = models.ManyToManyField(Department, related_name="goals", help_text="The departments that own it.")
    target_value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    horizon = models.CharField(max_length=20, choices=Horizon.choices, default=Horizon.SHORT)
    bold = models.BooleanField("bold goal", default=False, help_text="An ambitious, public commitment.")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children", help_text="Cascades from."
    )
    public = models.BooleanField(default=False, help_text="Shown on the public dashboard.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        ordering = ["priority__position", "statement"]

    def __str__(self) -> str:
        return self.statement

    def get_absolute_url(self) -> str:
        return reverse("goals:goal", kwargs={"pk": self.pk})


def public_measure_q(path: str = "") -> Q:
    """The one definition of a public measure (on the public dashboard, readable by everyone, anonymous visitors
    too): it and its goal are both public. ``path`` reaches the measure from another model (``"measure__"`` from an
    observation)."""
    return Q(**{f"{path}public": True, f"{path}goal__public": True})


class MeasureType(models.TextChoices):
    INPUT = "input", "Input"
    OUTPUT = "output", "Output"
    OUTCOME = "outcome", "Outcome"
    EFFICIENCY = "efficiency", "Efficiency"


class Direction(models.TextChoices):
    UP = "up", "Higher is better"
    DOWN = "down", "Lower is better"


class MeasureFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Aggregation(models.TextChoices):
    """How a computed measure turns a dataset's rows of one period into one value."""

    COUNT = "count", "Count of rows"
    SUM = "sum", "Sum of a column"
    MEAN = "mean", "Mean of a column"
    MEDIAN = "median", "Median of a column"
    SHARE = "share", "Share of rows meeting a condition (%)"


class Measure(models.Model):
    """A measure (KPI or supporting metric) of a goal: what is counted, which way is good, and against what target.

    Computed measures name a source dataset and a calculation (``aggregation`` of ``value_column`` over the rows
    of each period of ``date_column``, optionally ``filters``, with ``condition`` for a share); manual measures
    leave ``aggregation`` blank and take observations typed in or uploaded.
    """

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="measures")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(help_text="In plain language: what this measures and why it matters.")
    is_kpi = models.BooleanField("key performance indicator", default=False)
    type = models.CharField(max_length=20, choices=MeasureType.choices, default=MeasureType.OUTCOME)
    unit = models.CharField(max_length=50, help_text="e.g. crashes, minutes, %, visits.")
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    frequency = models.CharField(max_length=20, choices=MeasureFrequency.choices, default=MeasureFrequency.MONTHLY)
    baseline_value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    baseline_period = models.CharField(max_length=50, blank=True, help_text="e.g. 2023, or 2023-01 to 2023-12.")
    target_value = models.DecimalField(
        max_digits=16, decimal_places=4, null=True, blank=True, help_text="The target for every period without one."
    )
    tolerance_percent = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(100)],
        help_text="How far from the target, in % of it, still counts as approaching.",
    )
    public = models.BooleanField(default=False, help_text="Shown on the public dashboard.")

    # The method: where the numbers come from.
    source_dataset = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    method = models.TextField(blank=True, help_text="How the value is calculated, in plain words.")
    aggregation = models.CharField(max_length=10, choices=Aggregation.choices, blank=True)
    value_column = models.CharField(max_length=200, blank=True)
    date_column = models.CharField(max_length=200, blank=True)
    filters = models.JSONField(
        default=list, blank=True, help_text='Row filters: [{"column": ..., "op": "=", "value": ...}].'
    )
    condition = models.JSONField(
        default=dict, blank=True, help_text='For a share: {"column": ..., "op": "<=", "value": ...}.'
    )
    # The latest computation: when it ran, and why it failed (blank when it succeeded).
    computed_at = models.DateTimeField(null=True, blank=True)
    compute_error = models.TextField(blank=True)
    # The computation asked for and not finished yet (goals.services.compute): when it was asked for, when a worker
    # started it, that worker's latest sign of life, and how many times it was started. The sweeper sends again a
    # computation whose worker went silent (goals.services.compute.sweep_stuck_computations).
    compute_requested_at = models.DateTimeField(null=True, blank=True)
    compute_started_at = models.DateTimeField(null=True, blank=True)
    compute_heartbeat_at = models.DateTimeField(null=True, blank=True)
    compute_attempts = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The history is of the definition; each computation's outcome is not a change to it.
    history = HistoricalRecords(
        excluded_fields=[
            "computed_at",
            "compute_error",
            "compute_requested_at",
            "compute_started_at",
            "compute_heartbeat_at",
            "compute_attempts",
        ]
    )

    class Meta:
        ordering = ["goal", "-is_kpi", "name"]
        constraints = [
            models.UniqueConstraint(fields=["goal"], condition=Q(is_kpi=True), name="measure_one_kpi_per_goal"),
            models.CheckConstraint(
                condition=Q(aggregation="") | Q(source_dataset__isnull=False),
                name="measure_computed_needs_dataset",
            ),
        ]
        indexes = [models.Index(fields=["department", "is_kpi"]), models.Index(fields=["public"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("goals:measure", kwargs={"slug": self.slug})

    @property
    def is_computed(self) -> bool:
        return bool(self.aggregation)


class MeasureTarget(models.Model):
    """The target of one period, where it differs from the measure's standing target."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    period = models.DateField(help_text="The first day of the period.")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    # When it was last set (the dashboards' cache follows DataVersion, which every save of a target bumps).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["measure", "period"]
        constraints = [models.UniqueConstraint(fields=["measure", "period"], name="measuretarget_one_per_period")]

    def __str__(self) -> str:
        return f"{self.measure} {self.period:%Y-%m}: {self.value}"


class ObservationSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    UPLOAD = "upload", "Uploaded"
    COMPUTED = "computed", "Computed from the dataset"


class Observation(models.Model):
    """A measure's value for one period (the period's first day), typed in, uploaded or computed."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="observations")
    period = models.DateField(help_text="The first day of the period.")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    note = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=ObservationSource.choices, default=ObservationSource.MANUAL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period"]
        constraints = [models.UniqueConstraint(fields=["measure", "period"], name="observation_one_per_period")]

    def __str__(self) -> str:
        return f"{self.measure} {self.period:%Y-%m}: {self.value}"


class Narrative(models.Model):
    """The department lead's account of a KPI for one period: what happened and what comes next."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="narratives")
    period = models.DateField()
    what_happened = models.TextField()
    next_steps = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "-period"]
        constraints = [models.UniqueConstraint(fields=["measure", "period"], name="narrative_one_per_period")]

    def __str__(self) -> str:
        return f"{self.measure} {self.period:%Y-%m}"


class DataVersion(models.Model):
    """One row whose ``version`` goes up with every write that changes what a goals dashboard shows: the dashboards'
    cache key carries it (:func:`goals.selectors_dashboard.data_fingerprint`), so a cached dashboard costs one read
    of one row however many observations there are.

    It lives in the database, not in the cache, so it survives a cache flush and every process (web, worker) sees
    the same number; it is bumped in the writing transaction, so the new data and the new number become visible
    together. Saves and deletes of goals' models bump it through their signals (``GoalsConfig.ready``); writes that
    send none (``bulk_create``, ``update()``) call :meth:`bump` themselves."""

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "goals data version"

    def __str__(self) -> str:
        return f"goals data version {self.version}"

    @classmethod
    def bump(cls) -> None:
        """Say that goals data changed: one query (two the very first time)."""
        if not cls.objects.filter(pk=1).update(version=models.F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 1})
