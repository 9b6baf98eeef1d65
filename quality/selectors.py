"""Named reads of data quality for the pages: the dataset page's panel, run history, the badge and filter of the
inventory list, and the city's and each department's quality pages.

Who reads quality results is :mod:`quality.access`'s to say; these functions take the :class:`~team.access.Actor`
and narrow in SQL with its policies. Each costs a fixed number of queries however many datasets and runs
there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncWeek
from django.utils import timezone

from core.outbox import is_waiting
from inventory.models import Dataset, Status
from team.access import Actor
from team.models import Department

from .access import (
    QUALITY_OF_DATASETS,
    QUALITY_OF_DEPARTMENTS,
    can_check_dataset,
    runs_readable_by,
    with_shown_examples,
)
from .extensions import feeds_kpi
from .models import CheckResult, DatasetQuality, DatasetQualitySettings, Outcome, QualityRun, RunState

#: How many finished runs the dataset page's trend shows (the run history lists them all).
TREND_RUNS = 90
#: How many weeks the quality pages' "runs over time" covers.
WEEKS_SHOWN = 26
WORST_SHOWN = 10
STALE_SHOWN = 20
#: The task that executes a run (``quality.tasks.run_check_task``), by name: what the outbox knows it by (the task
#: imports the services that send it, so those name it).
RUN_CHECK_TASK = "quality.run_check"


class QualityState:
    """The inventory list's quality filter: the values a link carries, and what each means."""

    FAILING = "failing"
    WARNING = "warning"
    STALE = "stale"
    PASSING = "passing"
    NOT_CHECKED = "not-checked"

    CHOICES = [
        (FAILING, "Failing (or could not be checked)"),
        (WARNING, "Passing with warnings"),
        (PASSING, "Passing"),
        (STALE, "Stale"),
        (NOT_CHECKED, "Not checked yet"),
    ]


_NOT_CHECKED_Q = Q(quality__isnull=True) | Q(quality__outcome="")
_STATE_Q = {
    QualityState.FAILING: Q(quality__outcome__in=[Outcome.FAIL, Outcome.ERROR]),
    QualityState.WARNING: Q(quality__outcome=Outcome.WARN),
    QualityState.PASSING: Q(quality__outcome=Outcome.PASS),
    QualityState.STALE: Q(quality__stale=True),
    QualityState.NOT_CHECKED: _NOT_CHECKED_Q,
}


# --- the inventory list ------------------------------------------------------------------------------------------


#: The DatasetQuality columns the list's badge reads (for ``.only()`` on a list that defers the rest).
BADGE_FIELDS = ("quality__outcome", "quality__score", "quality__stale", "quality__checked_at")


def with_quality_badge(queryset: QuerySet[Dataset], actor: Actor) -> QuerySet[Dataset]:
    """``queryset`` with each dataset's latest judgement joined in (no query per row) and ``quality_readable``
    saying whether ``actor`` may see it (a department lead reads other departments' public datasets, not their
    quality)."""
    q = QUALITY_OF_DATASETS.read_q(actor)
    readable = Value(True) if q is None else ExpressionWrapper(q, output_field=BooleanField())
    return queryset.select_related("quality").annotate(quality_readable=readable)


def datasets_in_quality_state(queryset: QuerySet[Dataset], actor: Actor, state: str) -> QuerySet[Dataset]:
    """The datasets of ``queryset`` in quality ``state`` (a :class:`QualityState` value) whose quality ``actor``
    may read: the filter never tells anyone the state of a dataset whose results they may not see."""
    state_q = _STATE_Q.get(state)
    if state_q is None:
        return queryset
    scope = QUALITY_OF_DATASETS.read_q(actor)
    return queryset.filter(state_q if scope is None else state_q & scope)


# --- one dataset ---------------------------------------------------------------------------------------------------


@dataclass
class TrendPoint:
    run_id: int
    finished_at: datetime.datetime
    outcome: str
    score: int | None
    row_count: int | None

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label if self.outcome in Outcome.values else "Not finished"


@dataclass
class DatasetPanel:
    """Everything the dataset page's quality panel shows."""

    dataset: Dataset
    quality: DatasetQuality | None
    latest: QualityRun | None
    #: The latest run's failing, erring and warning checks, each with ``shown_examples`` for the reader.
    problems: list[CheckResult]
    trend: list[TrendPoint]
    active: QualityRun | None
    may_check: bool
    #: The active run is queued and the task queue has not taken it yet (it starts when the queue is back).
    active_waits_for_queue: bool = False

    @cached_property
    def settings(self) -> DatasetQualitySettings | None:
        """The dataset's quality settings, read when asked for (the panel shows none of them, only links to them)."""
        return DatasetQualitySettings.objects.filter(dataset=self.dataset).select_related("source_distribution").first()


def active_run(dataset: Dataset) -> QualityRun | None:
    """The dataset's queued or running run, if any (what "Check now" is waiting for)."""
    return (
        QualityRun.objects.filter(dataset=dataset, state__in=[RunState.QUEUED, RunState.RUNNING])
        .order_by("-queued_at", "-pk")
        .first()
    )


def run_waits_for_queue(run: QualityRun | None) -> bool:
    """Whether ``run`` is queued and the task queue has not taken it yet (Redis was down when it was asked for): it
    starts when the queue is back. One query for a queued run, none otherwise."""
    return run is not None and run.state == RunState.QUEUED and is_waiting(RUN_CHECK_TASK, run.pk)


def run_left_unchecked(run: QualityRun) -> bool:
    """Whether ``run`` left its dataset "not checked": it is the dataset's latest judgement and could not fetch data
    that has never been read (:attr:`DatasetQuality.never_fetched`). One query."""
    return DatasetQuality.objects.filter(dataset_id=run.dataset_id, latest_run=run, outcome="").exists()


def latest_finished_run(dataset: Dataset) -> QualityRun | None:
    quality = DatasetQuality.objects.filter(dataset=dataset).select_related("latest_run").first()
    return quality.latest_run if quality else None


def dataset_trend(dataset: Dataset, *, limit: int = TREND_RUNS) -> list[TrendPoint]:
    """The last ``limit`` finished runs, oldest first: score and row count over time (one query)."""
    rows = (
        QualityRun.objects.filter(dataset=dataset, state=RunState.FINISHED, finished_at__isnull=False)
        .order_by("-finished_at", "-pk")
        .values_list("pk", "finished_at", "outcome", "score", "row_count")[:limit]
    )
    return [
        TrendPoint(pk, finished_at, outcome, score, row_count)
        for pk, finished_at, outcome, score, row_count in reversed(list(rows))
        if finished_at is not None  # as filtered: says so to the type checker
    ]


def problem_checks(run: QualityRun | None) -> list[CheckResult]:
    """The run's failing, erring and warning checks, worst first."""
    if run is None:
        return []
    severity = Case(
        When(status=Outcome.ERROR, then=Value(0)),
        When(status=Outcome.FAIL, then=Value(1)),
        default=Value(2),
    )
    return list(
        run.checks.exclude(status=Outcome.PASS).annotate(severity=severity).order_by("severity", "position", "pk")
    )


def dataset_panel(dataset: Dataset, actor: Actor) -> DatasetPanel:
    """The quality panel of one dataset, in one query (two when the latest run has problems to list, and a third
    when their example rows may hold a personal column ``actor`` may not see) when the page joined the dataset's
    judgement and latest run (``select_related("quality__latest_run")``), else two: the trend's finished runs and any
    queued or running one come together (``UNION ALL``). Example values are masked for ``actor``
    (:func:`quality.access.with_shown_examples`)."""
    if Dataset.quality.is_cached(dataset):
        quality = _joined(dataset, "quality")
    else:
        quality = DatasetQuality.objects.filter(dataset=dataset).select_related("latest_run").first()
    latest = quality.latest_run if quality else None
    trend, active = _trend_and_active_run(dataset)
    return DatasetPanel(
        dataset=dataset,
        quality=quality,
        latest=latest,
        problems=with_shown_examples(actor, dataset, problem_checks(latest)),
        trend=trend,
        active=active,
        may_check=can_check_dataset(actor, dataset),
        active_waits_for_queue=run_waits_for_queue(active),
    )


#: What the trend (score and rows over time) and the status line (a queued or running run) read of a run.
_PANEL_RUN_FIELDS = (
    "pk",
    "dataset_id",
    "state",
    "queued_at",
    "started_at",
    "finished_at",
    "outcome",
    "score",
    "row_count",
)


def _joined(row: Dataset, name: str):
    """A reverse one-to-one joined by ``select_related``, or None where the dataset has none (never a query)."""
    try:
        return getattr(row, name)
    except ObjectDoesNotExist:
        return None


def _trend_and_active_run(dataset: Dataset, *, limit: int = TREND_RUNS) -> tuple[list[TrendPoint], QualityRun | None]:
    """:func:`dataset_trend` and :func:`active_run` in one query: the two sets of runs cannot overlap (finished
    against queued or running). SQLite takes no LIMIT inside a UNION: there it is the two queries."""
    if not connection.features.supports_slicing_ordering_in_compound:
        return dataset_trend(dataset, limit=limit), active_run(dataset)
    finished = (
        QualityRun.objects.filter(dataset=dataset, state=RunState.FINISHED, finished_at__isnull=False)
        .order_by("-finished_at", "-pk")
        .only(*_PANEL_RUN_FIELDS)[:limit]
    )
    waiting = (
        QualityRun.objects.filter(dataset=dataset, state__in=[RunState.QUEUED, RunState.RUNNING])
        .order_by("-queued_at", "-pk")
        .only(*_PANEL_RUN_FIELDS)[:1]
    )
    runs = list(finished.union(waiting, all=True))
    active = next((run for run in runs if run.state != RunState.FINISHED), None)
    trend = [
        TrendPoint(run.pk, run.finished_at, run.outcome, run.score, run.row_count)
        for run in runs
        if run.state == RunState.FINISHED and run.finished_at is not None
    ]
    trend.sort(key=lambda point: (point.finished_at, point.run_id))
    return trend, active


def runs_for_dataset(dataset: Dataset) -> QuerySet[QualityRun]:
    """Every run of a dataset, newest first, with who asked for it."""
    return QualityRun.objects.filter(dataset=dataset).select_related("requested_by__person").order_by("-slot", "-pk")


def run_with_checks(run: QualityRun, actor: Actor) -> list[CheckResult]:
    """Every check of ``run`` in the order it ran, its example values masked for ``actor``
    (:func:`quality.access.with_shown_examples`). One query, two when a personal column may need hiding."""
    return with_shown_examples(actor, run.dataset, run.checks.order_by("position", "pk"))


# --- the city's and each department's quality pages ----------------------------------------------------------------


@dataclass
class Week:
    start: datetime.date
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)


@dataclass
class DepartmentRow:
    slug: str
    name: str
    total: int
    passing: int
    failing: int
    stale: int
    not_checked: int


@dataclass
class Overview:
    """The figures of a quality page: one department's, or every dataset the reader may see."""

    total: int
    passing: int
    warning: int
    failing: int
    stale: int
    not_checked: int
    #: Of the not checked: those whose data could never be fetched (a placeholder or unreachable address).
    never_fetched: int
    #: Of the failing: those that feed a KPI (every one of them is among the worst offenders).
    failing_kpi: int
    #: Each with ``feeds_kpi``.
    worst: list[Dataset]
    stale_datasets: list[Dataset]
    weeks: list[Week]
    departments: list[DepartmentRow]

    @property
    def checked(self) -> int:
        return self.total - self.not_checked

    @property
    def passing_share(self) -> int | None:
        """Percentage (rounded down) of checked datasets whose latest run passed (warnings included)."""
        if not self.checked:
            return None
        return (self.passing + self.warning) * 100 // self.checked


def _counts(queryset: QuerySet[Dataset]) -> dict[str, int]:
    """The figures of :class:`Overview`, in one query (``queryset`` annotated with ``feeds_kpi``)."""
    return queryset.aggregate(
        total=Count("pk"),
        passing=Count("pk", filter=_STATE_Q[QualityState.PASSING]),
        warning=Count("pk", filter=_STATE_Q[QualityState.WARNING]),
        failing=Count("pk", filter=_STATE_Q[QualityState.FAILING]),
        stale=Count("pk", filter=_STATE_Q[QualityState.STALE]),
        not_checked=Count("pk", filter=_NOT_CHECKED_Q),
        never_fetched=Count("pk", filter=Q(quality__outcome="", quality__latest_run__isnull=False)),
        failing_kpi=Count("pk", filter=_STATE_Q[QualityState.FAILING] & Q(feeds_kpi=True)),
    )


def _week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def runs_per_week(runs: QuerySet[QualityRun], *, now: datetime.datetime, weeks: int = WEEKS_SHOWN) -> list[Week]:
    """Finished runs per week (Monday to Sunday, in the city's time zone) by outcome, the last ``weeks`` weeks,
    oldest first, every week present (one query)."""
    first = _week_start(timezone.localdate(now)) - datetime.timedelta(weeks=weeks - 1)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    rows = (
        runs.filter(state=RunState.FINISHED, finished_at__gte=since)
        .annotate(week=TruncWeek("finished_at"))
        .values("week", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_week = {first + datetime.timedelta(weeks=i): Week(first + datetime.timedelta(weeks=i)) for i in range(weeks)}
    for row in rows:
        week = row["week"]
        start = week.date() if isinstance(week, datetime.datetime) else week
        if isinstance(week, datetime.datetime) and timezone.is_aware(week):
            start = timezone.localtime(week).date()
        bucket = by_week.get(_week_start(start))
        if bucket is not None:
            bucket.counts[row["outcome"]] = bucket.counts.get(row["outcome"], 0) + row["n"]
    return list(by_week.values())


def _by_department(datasets: QuerySet[Dataset]) -> list[DepartmentRow]:
    rows = (
        datasets.values("department__slug", "department__name")
        .annotate(
            total=Count("pk"),
            passing=Count("pk", filter=Q(quality__outcome__in=[Outcome.PASS, Outcome.WARN])),
            failing=Count("pk", filter=_STATE_Q[QualityState.FAILING]),
            stale=Count("pk", filter=_STATE_Q[QualityState.STALE]),
            not_checked=Count("pk", filter=_NOT_CHECKED_Q),
        )
        .order_by("department__name")
    )
    return [
        DepartmentRow(
            slug=row["department__slug"],
            name=row["department__name"],
            total=row["total"],
            passing=row["passing"],
            failing=row["failing"],
            stale=row["stale"],
            not_checked=row["not_checked"],
        )
        for row in rows
    ]


def quality_overview(
    actor: Actor, *, department: Department | None = None, now: datetime.datetime | None = None
) -> Overview:
    """The quality of the inventoried (not retired) datasets ``actor`` may read, in one department or all.

    Five queries (four for a department): the counts, the worst offenders, the stale datasets, the runs per week
    and, for the city, the figures per department.

    The worst offenders (failing or warning) are ordered by consequence: those that feed a KPI first
    (:func:`quality.extensions.feeds_kpi`), then the failing (longest failing first), then the lowest scores. There
    are :data:`WORST_SHOWN` of them, or more when more failing datasets feed a KPI: none of those is ever left out.
    """
    now = now or timezone.now()
    datasets = QUALITY_OF_DATASETS.readable(actor, Dataset.objects.exclude(status=Status.RETIRED))
    runs = runs_readable_by(actor)
    if department is not None:
        datasets = datasets.filter(department=department)
        runs = runs.filter(dataset__department=department)
    annotated = datasets.annotate(feeds_kpi=feeds_kpi())
    counts = _counts(annotated)
    listed = annotated.select_related("department", "quality").only(
        "pk", "title", "department__name", "department__slug", *(f"quality__{name}" for name in _QUALITY_FIELDS)
    )
    failing_first = Case(
        When(quality__outcome__in=[Outcome.FAIL, Outcome.ERROR], then=Value(0)),
        default=Value(1),
    )
    worst = list(
        listed.filter(quality__outcome__in=[Outcome.FAIL, Outcome.ERROR, Outcome.WARN])
        .annotate(failing_first=failing_first)
        .order_by(
            F("feeds_kpi").desc(),
            "failing_first",
            F("quality__failing_since").asc(nulls_last=True),
            F("quality__score").asc(nulls_first=True),
            "title",
            "pk",
        )[: max(WORST_SHOWN, counts["failing_kpi"])]
    )
    stale = list(
        listed.filter(quality__stale=True).order_by(F("quality__checked_at").asc(nulls_first=True), "title", "pk")[
            :STALE_SHOWN
        ]
    )
    return Overview(
        **counts,
        worst=worst,
        stale_datasets=stale,
        weeks=runs_per_week(runs, now=now),
        departments=_by_department(datasets) if department is None else [],
    )


_QUALITY_FIELDS = ("outcome", "score", "stale", "checked_at", "failing_since", "latest_run")


def quality_departments(actor: Actor) -> QuerySet[Department]:
    """The departments whose quality page ``actor`` may open."""
    return QUALITY_OF_DEPARTMENTS.readable(actor, Department.objects.order_by("name"))


# --- the bytes the latest check judged ------------------------------------------------------------------------------


def checked_copy_of(dataset: Dataset, source_label: str) -> QualityRun | None:
    """The run behind ``dataset``'s latest judgement when it kept a copy of the data it downloaded from
    ``source_label`` and passed (``QualityRun.checked_copy``): what the measures computed from the dataset read,
    rather than downloading it again. None when the latest run kept none, or read from another source since
    changed (a distribution chosen or uploaded after it). One query."""
    latest = DatasetQuality.objects.filter(dataset=dataset).values("latest_run_id")
    return QualityRun.objects.filter(pk__in=latest, source=source_label[:1000]).exclude(checked_copy="").first()
