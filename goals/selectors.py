"""Named reads of goals and measures, each a fixed number of queries however many measures or observations.

Who reads what is :mod:`goals.access`'s to say; these take the :class:`~team.access.Actor` and narrow with it.

* :func:`measures_annotated`: a measure queryset with its latest and previous observation, each period's target
  (the per-period ``MeasureTarget``, else the standing ``target_value``) and the data-suspect flag, as SQL
  subqueries and one join;
* :func:`measures_with_status`: those rows as a list with ``status`` and ``previous_status`` judged by
  :func:`goals.status.measure_status`;
* :func:`observations_for`: every observation of some measures, with its target and status, in one query;
* :func:`measure_periods`: one measure's table of periods (value, target, status, narrative) for its page, and
  :func:`measure_period` one of those periods (beside the narrative form).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from core.outbox import is_waiting
from team.access import Actor

from .access import can_read_narratives, can_read_observation_notes, goals_readable_by, measures_readable_by
from .models import Goal, Measure, MeasureTarget, Narrative, Observation, Priority, public_measure_q
from .periods import period_label
from .status import Status, measure_status

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from team.models import Department
#: The tasks that compute (``goals.tasks``), by name: what the outbox knows them by (the tasks import the services
#: that send them, so those name them).
MEASURE_COMPUTE_TASK = "goals.measure_compute"
MEASURES_COMPUTE_TASK = "goals.measures_compute"


def measure_compute_waits_for_queue(measure: Measure) -> bool:
    """Whether a computation of ``measure`` ("Compute now", or its dataset's after a quality run) was asked for and
    the task queue has not taken it yet (Redis was down): it starts when the queue is back. One or two queries."""
    if not measure.is_computed:
        return False
    return is_waiting(MEASURE_COMPUTE_TASK, measure.pk) or (
        measure.source_dataset_id is not None and is_waiting(MEASURES_COMPUTE_TASK, measure.source_dataset_id)
    )


_DECIMAL = DecimalField(max_digits=16, decimal_places=4)

#: A measure whose source dataset's latest quality run failed (or could not run), or which is stale.
DATA_SUSPECT_Q = Q(source_dataset__quality__outcome__in=["fail", "error"]) | Q(source_dataset__quality__stale=True)


# --- latest values, targets, status ------------------------------------------------------------------------------


def _target_for(period_ref) -> Coalesce:
    """The target of the period ``period_ref`` names: its MeasureTarget, else the measure's standing target."""
    per_period = MeasureTarget.objects.filter(measure=OuterRef("pk"), period=period_ref).order_by().values("value")[:1]
    return Coalesce(Subquery(per_period, output_field=_DECIMAL), F("target_value"), output_field=_DECIMAL)


class MeasureFigures(TypedDict):
    """What :func:`measures_annotated` adds to each measure."""

    latest_period: datetime.date | None
    latest_value: Decimal | None
    latest_source: str | None
    latest_target: Decimal | None
    previous_period: datetime.date | None
    previous_value: Decimal | None
    previous_target: Decimal | None
    data_suspect: bool
    is_public: bool


class JudgedMeasureFigures(MeasureFigures):
    """What :func:`measures_with_status` adds on top: the two statuses, and the latest period as people say it."""

    status: Status
    previous_status: Status
    latest_label: str


if TYPE_CHECKING:
    #: A measure as :func:`measures_annotated` reads it, and as :func:`measures_with_status` judges it.
    AnnotatedMeasure = WithAnnotations[Measure, MeasureFigures]
    JudgedMeasure = WithAnnotations[Measure, JudgedMeasureFigures]


def measures_annotated(queryset: QuerySet[Measure]) -> QuerySet[AnnotatedMeasure]:
    """``queryset`` with ``latest_period``, ``latest_value``, ``latest_source``, ``latest_target``,
    ``previous_period``, ``previous_value``, ``previous_target`` (the observation before the latest),
    ``data_suspect`` and ``is_public`` (:func:`goals.models.public_measure_q`), with goal, priority, department
    and source dataset joined: one query."""
    observations = Observation.objects.filter(measure=OuterRef("pk")).order_by("-period")
    queryset = queryset.annotate(
        latest_period=Subquery(observations.values("period")[:1]),
        latest_value=Subquery(observations.values("value")[:1], output_field=_DECIMAL),
        latest_source=Subquery(observations.values("source")[:1]),
        previous_period=Subquery(observations.values("period")[1:2]),
        previous_value=Subquery(observations.values("value")[1:2], output_field=_DECIMAL),
    )
    return queryset.annotate(
        latest_target=_target_for(OuterRef("latest_period")),
        previous_target=_target_for(OuterRef("previous_period")),
        data_suspect=Case(When(DATA_SUSPECT_Q, then=Value(True)), default=Value(False), output_field=BooleanField()),
        is_public=ExpressionWrapper(public_measure_q(), output_field=BooleanField()),
    ).select_related("goal__priority", "department", "source_dataset")


def _judge(annotated: AnnotatedMeasure) -> JudgedMeasure:
    measure = cast("JudgedMeasure", annotated)  # the same object, which gains the judged figures here
    measure.status = measure_status(
        measure.latest_value,
        measure.latest_target,
        direction=measure.direction,
        tolerance_percent=measure.tolerance_percent,
    )
    measure.previous_status = measure_status(
        measure.previous_value,
        measure.previous_target,
        direction=measure.direction,
        tolerance_percent=measure.tolerance_percent,
    )
    measure.latest_label = period_label(measure.latest_period, measure.frequency) if measure.latest_period else ""
    return measure


def measures_with_status(
    actor: Actor, *, department: Department | None = None, public_only: bool = False, goal: Goal | None = None
) -> list[JudgedMeasure]:
    """The measures ``actor`` may read (``public_only``: only public measures of public goals, whoever asks),
    optionally of one ``department`` or one ``goal``, ordered by priority, goal and KPI first. Each carries the
    annotations of :func:`measures_annotated` plus ``status`` and ``previous_status`` (:class:`goals.status.Status`)
    and ``latest_label`` ("March 2026"). One query."""
    queryset = Measure.objects.filter(public_measure_q()) if public_only else measures_readable_by(actor)
    if department is not None:
        queryset = queryset.filter(department=department)
    if goal is not None:
        queryset = queryset.filter(goal=goal)
    queryset = measures_annotated(queryset).order_by(
        "goal__priority__position", "goal__statement", "goal_id", "-is_kpi", "name"
    )
    return [_judge(measure) for measure in queryset]


def measure_with_status(queryset: QuerySet[Measure], **lookup: object) -> JudgedMeasure:
    """One measure of ``queryset`` (already narrowed by access) with the annotations and status: one query.
    Raises ``Measure.DoesNotExist``."""
    return _judge(measures_annotated(queryset).get(**lookup))


# --- observations ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One observation as charts and tables read it."""

    period: datetime.date
    value: Decimal
    target: Decimal | None
    source: str
    status: Status
    note: str = ""


def observations_for(
    measures: Iterable[Measure | int] | QuerySet[Measure], *, since: datetime.date | None = None
) -> dict[int, list[Point]]:
    """``{measure_id: [Point, ...]}`` oldest first, for every observation of ``measures`` (from ``since`` on), each
    with its period's target and its status. One query, however many measures and observations. Measures with no
    observation are absent from the dict."""
    ids = (
        list(measures.values_list("pk", flat=True))
        if isinstance(measures, QuerySet)
        else [m if isinstance(m, int) else m.pk for m in measures]
    )
    rows = Observation.objects.filter(measure_id__in=ids)
    if since is not None:
        rows = rows.filter(period__gte=since)
    per_period = (
        MeasureTarget.objects.filter(measure=OuterRef("measure_id"), period=OuterRef("period"))
        .order_by()
        .values("value")
    )
    rows = rows.annotate(
        target=Coalesce(Subquery(per_period[:1], output_field=_DECIMAL), F("measure__target_value")),
    ).order_by("measure_id", "period")
    points: dict[int, list[Point]] = defaultdict(list)
    for row in rows.values(
        "measure_id",
        "period",
        "value",
        "target",
        "source",
        "note",
        "measure__direction",
        "measure__tolerance_percent",
    ):
        status = measure_status(
            row["value"],
            row["target"],
            direction=row["measure__direction"],
            tolerance_percent=row["measure__tolerance_percent"],
        )
        points[row["measure_id"]].append(
            Point(row["period"], row["value"], row["target"], row["source"], status, row["note"])
        )
    return dict(points)


@dataclass
class PeriodRow:
    """One period of a measure's page: its value (if any), target, status and narrative."""

    period: datetime.date
    label: str
    value: Decimal | None
    target: Decimal | None
    status: Status
    source: str = ""
    note: str = ""
    recorded_by: str = ""
    narrative: Narrative | None = None


def measure_periods(measure: Measure, *, actor: Actor, limit: int | None = None) -> list[PeriodRow]:
    """Every period of ``measure`` that has an observation, a per-period target or a narrative, newest first,
    each with its status, (when ``actor`` may read them) its note and its narrative. Three queries."""
    observations = {
        o.period: o
        for o in Observation.objects.filter(measure=measure).select_related("recorded_by__person").order_by("period")
    }
    targets = dict(MeasureTarget.objects.filter(measure=measure).values_list("period", "value"))
    narratives: dict[datetime.date, Narrative] = {}
    if can_read_narratives(actor, measure):
        narratives = {n.period: n for n in Narrative.objects.filter(measure=measure).select_related("author__person")}
    reads_notes = can_read_observation_notes(actor, measure)
    rows = []
    for period in sorted(set(observations) | set(targets) | set(narratives), reverse=True):
        observation = observations.get(period)
        target = targets.get(period, measure.target_value)
        value = observation.value if observation else None
        who = ""
        if observation and observation.recorded_by is not None:  # joined: no query
            person = getattr(observation.recorded_by, "person", None)
            who = person.full_name if person else observation.recorded_by.get_username()
        rows.append(
            PeriodRow(
                period=period,
                label=period_label(period, measure.frequency),
                value=value,
                target=target,
                status=measure_status(
                    value, target, direction=measure.direction, tolerance_percent=measure.tolerance_percent
                ),
                source=observation.get_source_display() if observation else "",
                note=observation.note if observation and reads_notes else "",
                recorded_by=who,
                narrative=narratives.get(period),
            )
        )
    return rows[:limit] if limit else rows


def measure_period(measure: Measure, period: datetime.date, *, actor: Actor) -> PeriodRow:
    """One period of ``measure`` as its page's table shows it, whether or not a value was recorded: the value, the
    period's target (its own, else the standing one), the status and, when ``actor`` reads it, the value's note.
    Two queries."""
    observation = Observation.objects.filter(measure=measure, period=period).first()
    own_target = MeasureTarget.objects.filter(measure=measure, period=period).values_list("value", flat=True).first()
    target = own_target if own_target is not None else measure.target_value
    value = observation.value if observation else None
    return PeriodRow(
        period=period,
        label=period_label(period, measure.frequency),
        value=value,
        target=target,
        status=measure_status(value, target, direction=measure.direction, tolerance_percent=measure.tolerance_percent),
        source=observation.get_source_display() if observation else "",
        note=observation.note if observation and can_read_observation_notes(actor, measure) else "",
    )


# --- the goals page ----------------------------------------------------------------------------------------------


@dataclass
class GoalRow:
    goal: Goal
    measures: list[Measure]


@dataclass
class PriorityRow:
    priority: Priority
    goals: list[GoalRow]


def framework_for(actor: Actor) -> list[PriorityRow]:
    """Priorities, then the goals ``actor`` may read under each, then the measures they may read under each goal
    with status and data-suspect flag: three queries, however many there are. Priorities without a visible goal
    are left out."""
    measures_by_goal: dict[int, list[Measure]] = defaultdict(list)
    for measure in measures_with_status(actor):
        measures_by_goal[measure.goal_id].append(measure)
    goals = (
        goals_readable_by(actor)
        .select_related("priority", "parent")
        .prefetch_related(Prefetch("departments"))
        .order_by("priority__position", "priority__name", "statement")
    )
    by_priority: dict[int, PriorityRow] = {}
    for goal in goals:
        row = by_priority.setdefault(goal.priority_id, PriorityRow(goal.priority, []))
        row.goals.append(GoalRow(goal, measures_by_goal.get(goal.pk, [])))
    return list(by_priority.values())
