"""What the goals dashboards read: every measure with its latest and previous values, their targets, status and
data-suspect flag in one query; the recent observations of a set of measures in one query; the city's share of
KPIs on track per period, counted by the database.

The status of a value against its target is judged by :func:`goals.status.measure_status` for the latest values
and, where a whole history has to be counted (the city trend), by :func:`status_case`, the same rule written as
SQL so the database counts it. Tests keep the two in agreement.

Dashboards are cached whole (see :func:`dashboard_cached`): the cache key carries :func:`data_fingerprint`, one
query whose answer changes with every write to goals, measures, targets, observations, narratives (through the
data version they bump, :class:`goals.models.DataVersion`) and to datasets, quality judgements and departments, so a
write shows on the next request, from any process, with nothing to invalidate by hand.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TypedDict

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Coalesce, Round, TruncMonth

from inventory.models import Dataset
from quality.models import Outcome
from team.models import Department

from .models import Direction, Measure, MeasureFrequency, Narrative, Observation
from .periods import next_period, period_start
from .selectors import Point, measures_annotated, observations_for
from .status import Status, measure_status

#: How long a cached dashboard may live even if nothing changed (a safety net; writes change the key at once).
CACHE_SECONDS = 600
#: Months of history the dashboards chart.
CHART_MONTHS = 36
#: Months of the city-wide trend of KPIs on track.
TREND_MONTHS = 24

_DECIMAL = DecimalField(max_digits=20, decimal_places=4)

#: How each status is shown: its words and a USWDS icon (never colour alone), on a background with AA contrast.
STATUS_BADGES = {
    Status.ON_TRACK: {"label": Status.ON_TRACK.label, "icon": "check_circle", "css": "bg-success-darker text-white"},
    Status.APPROACHING: {"label": Status.APPROACHING.label, "icon": "warning", "css": "bg-warning-light text-ink"},
    Status.OFF_TRACK: {"label": Status.OFF_TRACK.label, "icon": "cancel", "css": "bg-error-darker text-white"},
    Status.NO_DATA: {"label": Status.NO_DATA.label, "icon": "help_outline", "css": "bg-base-lighter text-ink"},
}


# --- rows ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureRow:
    """One measure as the dashboards show it: plain values, safe to cache."""

    id: int
    slug: str
    name: str
    description: str
    method: str
    unit: str
    direction: str
    frequency: str
    is_kpi: bool
    is_public: bool
    is_computed: bool
    goal_id: int
    goal_statement: str
    goal_bold: bool
    priority_name: str
    priority_slug: str
    priority_position: int
    department_name: str
    department_slug: str
    latest_period: datetime.date | None
    latest_value: Decimal | None
    latest_target: Decimal | None
    latest_recorded_at: datetime.datetime | None
    previous_period: datetime.date | None
    previous_value: Decimal | None
    previous_target: Decimal | None
    tolerance_percent: int
    source_identifier: str
    source_title: str
    source_public: bool
    data_suspect: bool
    quality_outcome: str
    quality_stale: bool
    quality_checked_at: datetime.datetime | None

    @cached_property
    def status(self) -> Status:
        return measure_status(
            self.latest_value, self.latest_target, direction=self.direction, tolerance_percent=self.tolerance_percent
        )

    @property
    def badge(self) -> dict:
        return STATUS_BADGES[self.status]

    @property
    def previous_badge(self) -> dict:
        return STATUS_BADGES[self.previous_status]

    @cached_property
    def previous_status(self) -> Status:
        return measure_status(
            self.previous_value,
            self.previous_target,
            direction=self.direction,
            tolerance_percent=self.tolerance_percent,
        )

    @property
    def suspect_reason(self) -> str:
        if self.quality_outcome == "fail":
            return "its source dataset failed its latest quality check"
        if self.quality_outcome == "error":
            return "its source dataset's latest quality check could not be completed"
        if self.quality_stale:
            return "its source dataset has not been updated as often as it should be"
        return ""

    @property
    def change(self) -> Decimal | None:
        if self.latest_value is None or self.previous_value is None:
            return None
        return self.latest_value - self.previous_value

    @property
    def change_is_better(self) -> bool | None:
        """Whether the latest change moved the good way (``None`` when it did not move or cannot be told)."""
        change = self.change
        if not change:
            return None
        return (change > 0) == (self.direction == Direction.UP)

    @property
    def status_changed(self) -> bool:
        return self.previous_period is not None and self.status != self.previous_status


def measures_queryset() -> QuerySet[Measure]:
    """Measures annotated by :func:`goals.selectors.measures_annotated` (latest and previous observations, their
    periods' targets, the data-suspect flag) and when the latest value was recorded, ordered by priority, goal and
    KPI first: one query for any number of measures."""
    newest = Observation.objects.filter(measure=OuterRef("pk")).order_by("-period")
    return (
        measures_annotated(Measure.objects.all())
        .annotate(latest_recorded_at=Subquery(newest.values("recorded_at")[:1]))
        .order_by(
            "goal__priority__position",
            "goal__priority__name",
            "goal__priority_id",
            "goal__statement",
            "goal_id",
            "-is_kpi",
            "name",
        )
    )


_ROW_FIELDS = {
    "id": "id",
    "slug": "slug",
    "name": "name",
    "description": "description",
    "method": "method",
    "unit": "unit",
    "direction": "direction",
    "frequency": "frequency",
    "is_kpi": "is_kpi",
    "is_public": "is_public",
    "aggregation": "aggregation",
    "goal_id": "goal_id",
    "goal_statement": "goal__statement",
    "goal_bold": "goal__bold",
    "priority_name": "goal__priority__name",
    "priority_slug": "goal__priority__slug",
    "priority_position": "goal__priority__position",
    "department_name": "department__name",
    "department_slug": "department__slug",
    "latest_period": "latest_period",
    "latest_value": "latest_value",
    "latest_target": "latest_target",
    "latest_recorded_at": "latest_recorded_at",
    "previous_period": "previous_period",
    "previous_value": "previous_value",
    "previous_target": "previous_target",
    "tolerance_percent": "tolerance_percent",
    "source_identifier": "source_dataset__identifier",
    "source_title": "source_dataset__title",
    "source_access_level": "source_dataset__access_level",
    "source_published": "source_dataset__published",
    "data_suspect": "data_suspect",
    "quality_outcome": "source_dataset__quality__outcome",
    "quality_stale": "source_dataset__quality__stale",
    "quality_checked_at": "source_dataset__quality__checked_at",
}


def measure_rows(queryset: QuerySet[Measure]) -> list[MeasureRow]:
    """The rows of an annotated :func:`measures_queryset` (narrowed as the caller needs), read in one query."""
    rows = []
    for values in queryset.values(*_ROW_FIELDS.values()):
        data = {name: values[path] for name, path in _ROW_FIELDS.items()}
        data["is_computed"] = bool(data.pop("aggregation"))
        access_level, published = data.pop("source_access_level"), data.pop("source_published")
        data["source_public"] = access_level == "public" and bool(published)
        data["source_identifier"] = data["source_identifier"] or ""
        data["source_title"] = data["source_title"] or ""
        data["quality_outcome"] = data["quality_outcome"] or ""
        data["quality_stale"] = bool(data["quality_stale"])
        rows.append(MeasureRow(**data))
    return rows


# --- series --------------------------------------------------------------------------------------------------------


def months_back(today: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def series_for(measures: Sequence[MeasureRow], *, since: datetime.date | None = None) -> dict[int, list[Point]]:
    """Each measure's observations since ``since`` (oldest first) with their period's target and status: one
    query (:func:`goals.selectors.observations_for`)."""
    if not measures:
        return {}
    return observations_for([row.id for row in measures], since=since)


# --- the status rule in SQL ----------------------------------------------------------------------------------------


#: Values and targets have four decimal places (``goals.models``): the SQL status rule reads them as whole numbers
#: of ten-thousandths.
_SCALE = 10**4


def _whole(field: str) -> Cast:
    """``field``, a decimal of four places, as a whole number of ten-thousandths. SQLite keeps a decimal as a binary
    float (13.3 is 13.300000000000000710...): rounding its scaled value gives back the exact number, as long as it
    has at most 15 significant digits (a decimal(16, 4) has 16, so the last place of a value over 10^11 may not
    survive; SQLite stored it as a float already). On PostgreSQL the scaled value is exact before it is rounded."""
    return Cast(Round(F(field) * Value(_SCALE)), output_field=BigIntegerField())


def status_case(value: str = "value", target: str = "target", prefix: str = "measure__") -> tuple[Case, dict]:
    """:func:`goals.status.measure_status` as a SQL ``CASE`` over an observation's ``value`` and annotated
    ``target`` (its measure's direction and tolerance reached through ``prefix``), and the two helper expressions
    it reads, to pass to ``.alias()`` first.

    Like the Python rule it compares ``shortfall * 100`` with ``|target| * tolerance`` rather than dividing, and it
    does so in whole numbers (:func:`_whole`), so both databases do exact integer arithmetic and agree with
    ``measure_status`` at the edge of the band. (The products stay under 2^63: a shortfall of at most 2 * 10^16
    ten-thousandths times 100, a target of at most 10^16 times a tolerance of at most 100.)"""
    shortfall = Case(
        When(**{f"{prefix}direction": Direction.UP}, then=_whole(target) - _whole(value)),
        default=_whole(value) - _whole(target),
        output_field=BigIntegerField(),
    )
    band = ExpressionWrapper(Abs(_whole(target)) * F(f"{prefix}tolerance_percent"), output_field=BigIntegerField())
    return Case(
        When(Q(**{f"{value}__isnull": True}) | Q(**{f"{target}__isnull": True}), then=Value(Status.NO_DATA)),
        When(Q(_shortfall__lte=0), then=Value(Status.ON_TRACK)),
        When(Q(_shortfall__lte=F("_band")), then=Value(Status.APPROACHING)),
        default=Value(Status.OFF_TRACK),
        output_field=CharField(),
    ), {"_shortfall": ExpressionWrapper(shortfall * Value(100), output_field=BigIntegerField()), "_band": band}


@dataclass(frozen=True)
class TrendPoint:
    month: datetime.date
    on_track: int
    approaching: int
    off_track: int

    @property
    def judged(self) -> int:
        return self.on_track + self.approaching + self.off_track

    @property
    def share_on_track(self) -> float | None:
        return round(100 * self.on_track / self.judged, 1) if self.judged else None


#: Months a value of a KPI of this frequency counts in: each month of its quarter or year.
_MONTHS_COVERED: dict[str, int] = {MeasureFrequency.QUARTERLY: 3, MeasureFrequency.ANNUAL: 12}


def kpi_trend(
    *, since: datetime.date, measures: QuerySet[Measure] | None = None, until: datetime.date | None = None
) -> list[TrendPoint]:
    """Per month since ``since``: how many KPIs were on track, approaching and off track, counted by the database
    (KPIs with no target that month are left out). A KPI counts once a month: a weekly one by its last value of the
    month (it has four or five), a quarterly or annual one by its value for the quarter or year in each of its
    months, so the share does not jump as they come and go; up to ``until``'s month (default: the newest month with
    a value), never into months to come."""
    status, helpers = status_case()
    # A quarter or a year that began before ``since`` still counts in its months from ``since`` on.
    year_before = datetime.date(since.year - 1, since.month, 1)
    observations = Observation.objects.filter(measure__is_kpi=True).filter(
        Q(period__gte=since) | Q(period__gt=year_before, measure__frequency__in=list(_MONTHS_COVERED))
    )
    if measures is not None:
        observations = observations.filter(measure__in=measures)
    later_in_month = (
        Observation.objects.alias(month=TruncMonth("period"))
        .filter(period__gte=since, measure_id=OuterRef("measure_id"), period__gt=OuterRef("period"))
        .filter(month=OuterRef("month"))
        .order_by()
    )
    # Only weekly KPIs can have two values in a month; the others skip the lookup.
    observations = observations.annotate(month=TruncMonth("period")).filter(
        ~Q(measure__frequency=MeasureFrequency.WEEKLY) | ~Exists(later_in_month)
    )
    rows = (
        # The period's own target as a LEFT JOIN (unique on measure and period), not a correlated subquery: the
        # status CASE reads the target a dozen times, and a subquery would be planned once per reading (costly
        # enough that PostgreSQL JIT-compiled the query, most of its time).
        observations.annotate(
            own_target=FilteredRelation("measure__targets", condition=Q(measure__targets__period=F("period")))
        )
        .annotate(target=Coalesce(F("own_target__value"), F("measure__target_value"), output_field=_DECIMAL))
        .alias(**helpers)
        .annotate(status=status)
        .values("month", "measure__frequency")
        .annotate(
            on_track=Count("id", filter=Q(status=Status.ON_TRACK)),
            approaching=Count("id", filter=Q(status=Status.APPROACHING)),
            off_track=Count("id", filter=Q(status=Status.OFF_TRACK)),
        )
        .order_by("month")
    )
    # A few rows per month (one per frequency): spreading quarters and years over their months is cheap here.
    monthly = list(rows)
    last = (
        period_start(until, MeasureFrequency.MONTHLY) if until else max((row["month"] for row in monthly), default=None)
    )
    totals: dict[datetime.date, list[int]] = {}
    for row in monthly:
        month = row["month"]
        for _ in range(_MONTHS_COVERED.get(row["measure__frequency"], 1)):
            if month > last:
                break
            if month >= since:
                total = totals.setdefault(month, [0, 0, 0])
                total[0] += row["on_track"]
                total[1] += row["approaching"]
                total[2] += row["off_track"]
            month = next_period(month, MeasureFrequency.MONTHLY)
    return [TrendPoint(month, *totals[month]) for month in sorted(totals)]


# --- summaries -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCounts:
    label: str
    slug: str
    on_track: int = 0
    approaching: int = 0
    off_track: int = 0
    no_data: int = 0
    suspect: int = 0

    @property
    def total(self) -> int:
        return self.on_track + self.approaching + self.off_track + self.no_data

    @property
    def share_on_track(self) -> int | None:
        return round(100 * self.on_track / self.total) if self.total else None

    def count(self, status: str) -> int:
        return getattr(self, str(status))


def status_counts(rows: Iterable[MeasureRow], *, label: str = "", slug: str = "") -> StatusCounts:
    counts = {status.value: 0 for status in Status}
    suspect = 0
    for row in rows:
        counts[row.status.value] += 1
        suspect += row.data_suspect
    return StatusCounts(label=label, slug=slug, suspect=suspect, **counts)


def counts_by_department(rows: Sequence[MeasureRow]) -> list[StatusCounts]:
    grouped: dict[tuple[str, str], list[MeasureRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.department_name, row.department_slug)].append(row)
    return [status_counts(group, label=name, slug=slug) for (name, slug), group in sorted(grouped.items())]


@dataclass(frozen=True)
class GoalGroup:
    id: int
    statement: str
    bold: bool
    measures: list[MeasureRow]

    @property
    def kpi(self) -> MeasureRow | None:
        return next((row for row in self.measures if row.is_kpi), None)


@dataclass(frozen=True)
class PriorityGroup:
    name: str
    slug: str
    goals: list[GoalGroup]


def by_priority(rows: Sequence[MeasureRow]) -> list[PriorityGroup]:
    """Rows (already ordered by priority, goal, KPI first) grouped as priority -> goal -> measures."""
    priorities: list[PriorityGroup] = []
    for row in rows:
        if not priorities or priorities[-1].slug != row.priority_slug:
            priorities.append(PriorityGroup(row.priority_name, row.priority_slug, []))
        goals = priorities[-1].goals
        if not goals or goals[-1].id != row.goal_id:
            goals.append(GoalGroup(row.goal_id, row.goal_statement, row.goal_bold, []))
        goals[-1].measures.append(row)
    return priorities


@dataclass(frozen=True)
class NarrativeRow:
    period: datetime.date
    what_happened: str
    next_steps: str
    author: str


def latest_narratives(measure_ids: Iterable[int]) -> dict[int, NarrativeRow]:
    """The newest narrative of each measure: one query (PostgreSQL ``DISTINCT ON`` where available)."""
    ids = list(measure_ids)
    if not ids:
        return {}
    narratives = Narrative.objects.filter(measure_id__in=ids)
    fields = ("measure_id", "period", "what_happened", "next_steps", "author__first_name", "author__username")
    if connection.vendor == "postgresql":
        rows = narratives.order_by("measure_id", "-period").distinct("measure_id").values_list(*fields)
    else:
        newest = Narrative.objects.filter(measure_id=OuterRef("measure_id")).order_by("-period").values("pk")[:1]
        rows = narratives.filter(pk=Subquery(newest)).values_list(*fields)
    return {
        measure_id: NarrativeRow(period, what, next_steps, first_name or "")
        for measure_id, period, what, next_steps, first_name, _ in rows
    }


# --- a department's datasets ---------------------------------------------------------------------------------------


class DatasetQualityRow(TypedDict):
    """One dataset of :func:`datasets_quality`."""

    pk: int
    title: str
    outcome: str | None
    outcome_label: str
    score: int | None
    stale: bool | None
    checked_at: datetime.datetime | None


def datasets_quality(department: Department) -> list[DatasetQualityRow]:
    """Each of ``department``'s datasets with its latest quality judgement (``outcome`` and its ``outcome_label``,
    ``score``, ``stale``, ``checked_at``), by title: one query."""
    rows = (
        Dataset.objects.filter(department=department)
        .order_by("title")
        .values(
            "pk",
            "title",
            outcome=F("quality__outcome"),
            score=F("quality__score"),
            stale=F("quality__stale"),
            checked_at=F("quality__checked_at"),
        )
    )
    return [
        DatasetQualityRow(**row, outcome_label=Outcome(row["outcome"]).label if row["outcome"] else "Not checked yet")
        for row in rows
    ]


# --- caching -------------------------------------------------------------------------------------------------------

_FINGERPRINT_SQL = """
SELECT
  (SELECT COALESCE(MAX(version), 0) FROM goals_dataversion),
  (SELECT COUNT(*) || ':' || COALESCE(MAX(latest_run_id)::text, '') || ':' || COALESCE(MAX(checked_at)::text, '')
          || ':' || SUM(CASE WHEN stale THEN 1 ELSE 0 END) FROM quality_datasetquality),
  (SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at)::text, '') FROM inventory_dataset),
  (SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at)::text, '') FROM team_department)
"""


def data_fingerprint() -> str:
    """A short digest that changes whenever anything a dashboard shows is written: one query.

    Goals' own data (priorities, goals and their departments, measures, targets, observations, narratives) is judged
    by :class:`goals.models.DataVersion`, one row every write of it bumps, so the answer costs the same at 60 or
    600,000 observations. What the apps below write (datasets, their quality judgements, departments' names) is
    judged by count and newest change, as those apps write in bulk without telling goals; those tables grow with
    the datasets, not with the observations."""
    sql = _FINGERPRINT_SQL
    if connection.vendor != "postgresql":
        sql = sql.replace("::text", "")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return hashlib.blake2b("|".join(str(part) for part in row).encode(), digest_size=12).hexdigest()


def dashboard_cached(name: str, build: Callable[[], object], *, fingerprint: str | None = None) -> object:
    """``build()``'s result, cached under ``name`` and the data's current fingerprint. A ``None`` result (nothing
    to show: a 404) is not cached, so requests for names that do not exist take no place in the cache."""
    key = f"goals-dashboard:{name}:{fingerprint or data_fingerprint()}"
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, CACHE_SECONDS)
    return value
